"""Minimal binary glTF 2.0 (.glb) writer for triangle meshes.

The file holds one buffer (float32 positions, then uint32 indices), one mesh
with one triangle primitive and a plain grey material, one node and one
scene.  Our meshes are z-up while glTF is y-up, so the node carries a
rotation of -90 degrees about x; the vertex data is written unchanged so the
stored coordinates match the source mesh exactly (to float32 precision).
Output is deterministic: the same arrays always give the same bytes.
"""

from __future__ import annotations

import json
import math
import struct

import numpy as np

GLB_MAGIC = b"glTF"
GLB_VERSION = 2
CHUNK_JSON = b"JSON"
CHUNK_BIN = b"BIN\x00"

# glTF enums (the spec uses raw GL constants).
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT = 5126
UNSIGNED_INT = 5125
TRIANGLES = 4

# Rotation of -90 degrees about x as an (x, y, z, w) quaternion: maps +z to
# +y (z-up -> glTF's y-up) and -y, our objects' front, to +z, glTF's front.
_H = math.sqrt(0.5)
Z_UP_TO_Y_UP: tuple[float, float, float, float] = (-_H, 0.0, 0.0, _H)

GREY = [0.7, 0.7, 0.7, 1.0]


def _pad(data: bytes, fill: bytes) -> bytes:
    """Pad to a multiple of 4 bytes, as GLB chunks and bufferViews require."""
    return data + fill * (-len(data) % 4)


def _checked(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return little-endian float32 positions and uint32 indices, or raise ValueError."""
    v = np.asarray(vertices)
    f = np.asarray(faces)
    if v.ndim != 2 or v.shape[1] != 3 or len(v) == 0:
        raise ValueError(f"vertices must be a non-empty (V, 3) array, got shape {v.shape}")
    if f.ndim != 2 or f.shape[1] != 3 or len(f) == 0:
        raise ValueError(f"faces must be a non-empty (F, 3) array, got shape {f.shape}")
    if not np.issubdtype(f.dtype, np.integer):
        raise ValueError(f"faces must be integers, got {f.dtype}")
    pos = v.astype("<f4")
    if not np.isfinite(pos).all():
        raise ValueError("vertices must be finite (in float32)")
    if f.min() < 0 or f.max() >= len(v):
        raise ValueError(f"face indices must lie in [0, {len(v)})")
    return np.ascontiguousarray(pos), np.ascontiguousarray(f.astype("<u4"))


def _gltf_json(pos: np.ndarray, idx: np.ndarray, pos_bytes: int) -> dict:
    """The glTF document describing one buffer laid out as [positions | indices]."""
    return {
        "asset": {"version": "2.0", "generator": "imagenet3d conversion.glb"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "rotation": list(Z_UP_TO_Y_UP)}],
        "meshes": [{
            "primitives": [{
                "attributes": {"POSITION": 0},
                "indices": 1,
                "material": 0,
                "mode": TRIANGLES,
            }],
        }],
        "materials": [{
            "pbrMetallicRoughness": {
                "baseColorFactor": GREY,
                "metallicFactor": 0.0,
                "roughnessFactor": 0.8,
            },
            "doubleSided": True,
        }],
        "buffers": [{"byteLength": pos_bytes + idx.nbytes}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": pos.nbytes, "target": ARRAY_BUFFER},
            {"buffer": 0, "byteOffset": pos_bytes, "byteLength": idx.nbytes,
             "target": ELEMENT_ARRAY_BUFFER},
        ],
        "accessors": [
            {
                "bufferView": 0, "componentType": FLOAT, "count": len(pos), "type": "VEC3",
                # float(np.float32) is exact, so min/max equal the stored values.
                "min": [float(x) for x in pos.min(axis=0)],
                "max": [float(x) for x in pos.max(axis=0)],
            },
            {"bufferView": 1, "componentType": UNSIGNED_INT, "count": idx.size, "type": "SCALAR"},
        ],
    }


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("<I4s", len(data), kind) + data


def glb_bytes(vertices: np.ndarray, faces: np.ndarray) -> bytes:
    """Encode a z-up triangle mesh (V, 3) / (F, 3), 0-based, as a binary glTF 2.0 file.

    >>> data = glb_bytes(np.eye(3), np.array([[0, 1, 2]]))
    >>> data[:4], int.from_bytes(data[4:8], "little"), len(data) % 4
    (b'glTF', 2, 0)
    """
    pos, idx = _checked(vertices, faces)
    pos_blob = _pad(pos.tobytes(), b"\x00")  # 12-byte vertices are already aligned
    bin_chunk = _pad(pos_blob + idx.tobytes(), b"\x00")
    doc = _gltf_json(pos, idx, len(pos_blob))
    text = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode("utf-8")
    json_chunk = _pad(text, b" ")
    body = _chunk(CHUNK_JSON, json_chunk) + _chunk(CHUNK_BIN, bin_chunk)
    header = struct.pack("<4sII", GLB_MAGIC, GLB_VERSION, 12 + len(body))
    return header + body
