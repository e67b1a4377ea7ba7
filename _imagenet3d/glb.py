"""GLB (binary glTF 2.0), how the dataset stores CAD geometry: its writer and a checked reader.

One buffer [float32 positions | uint32 indices], one triangle primitive with a grey
material, one node rotated -90 degrees about x (our z-up to glTF's y-up; -y, our
front, to +z, glTF's): the vertex data is stored unchanged, so it matches the .off
to float32 precision. Layout as in the glTF 2.0 specification, section "GLB File
Format Specification" (https://registry.khronos.org/glTF/specs/2.0/glTF-2.0.html).
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np

from _imagenet3d.errors import GlbError

_GLB_HEADER, _GLB_CHUNK = struct.Struct("<4sII"), struct.Struct("<I4s")
_GLB_FLOAT, _GLB_UINT = 5126, 5125
_GLB_MAX_JSON = 1 << 20  # our documents are ~1 KB; refuse to parse more
_H = math.sqrt(0.5)  # the node quaternion (x, y, z, w) = (-_H, 0, 0, _H): -90 degrees about x


def write_glb(vertices: np.ndarray, faces: np.ndarray) -> bytes:
    """A z-up triangle mesh (V, 3) / (F, 3), 0-based, as deterministic GLB bytes.

    >>> data = write_glb(np.eye(3), np.array([[0, 1, 2]]))
    >>> data[:4], len(data) % 4, read_glb(data)[1].tolist()
    (b'glTF', 0, [[0, 1, 2]])
    """
    v, f = np.asarray(vertices), np.asarray(faces)
    if v.ndim != 2 or v.shape[1] != 3 or len(v) == 0:
        raise GlbError(f"vertices must be a non-empty (V, 3) array, got shape {v.shape}")
    if f.ndim != 2 or f.shape[1] != 3 or len(f) == 0 or not np.issubdtype(f.dtype, np.integer):
        raise GlbError(f"faces must be a non-empty (F, 3) integer array, got {f.dtype} {f.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float32 casts to inf: refused just below
        pos = np.ascontiguousarray(v, dtype="<f4")
    if not np.isfinite(pos).all():
        raise GlbError("vertices must be finite (in float32)")
    if f.min() < 0 or f.max() >= len(v):
        raise GlbError(f"face indices must lie in [0, {len(v)})")
    idx = np.ascontiguousarray(f, dtype="<u4")
    grey = {"baseColorFactor": [0.7, 0.7, 0.7, 1.0], "metallicFactor": 0.0, "roughnessFactor": 0.8}
    doc = {
        "asset": {"version": "2.0", "generator": "imagenet3d"}, "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "rotation": [-_H, 0.0, 0.0, _H]}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0, "mode": 4}]}],
        "materials": [{"pbrMetallicRoughness": grey, "doubleSided": True}],
        "buffers": [{"byteLength": pos.nbytes + idx.nbytes}],  # 12-byte vertices keep indices aligned
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": pos.nbytes, "target": 34962},
                        {"buffer": 0, "byteOffset": pos.nbytes, "byteLength": idx.nbytes, "target": 34963}],
        "accessors": [  # float(np.float32) is exact, so min/max equal the stored values
            {"bufferView": 0, "componentType": _GLB_FLOAT, "count": len(pos), "type": "VEC3",
             "min": [float(x) for x in pos.min(0)], "max": [float(x) for x in pos.max(0)]},
            {"bufferView": 1, "componentType": _GLB_UINT, "count": idx.size, "type": "SCALAR"}],
    }
    text = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    chunks = b"".join(_GLB_CHUNK.pack(len(data), kind) + data for kind, data in (
        (b"JSON", text + b" " * (-len(text) % 4)), (b"BIN\x00", pos.tobytes() + idx.tobytes())))
    return _GLB_HEADER.pack(b"glTF", 2, 12 + len(chunks)) + chunks


def read_glb(data: bytes | bytearray | memoryview) -> tuple[np.ndarray, np.ndarray]:
    """Vertices float32 (V, 3) (z-up, as stored; the node rotation is not applied) and faces
    int32 (F, 3) of a GLB from :func:`write_glb`. Every length, offset, type and index is
    checked before use; anything else raises :class:`GlbError`."""
    data = memoryview(data).cast("B")
    if len(data) < 20:
        raise GlbError(f"not a GLB: {len(data)} bytes is shorter than its headers")
    magic, version, length = _GLB_HEADER.unpack_from(data)
    if magic != b"glTF" or version != 2:
        raise GlbError(f"not a GLB 2.0 file (magic {bytes(magic)!r}, version {version})")
    if length != len(data):
        raise GlbError(f"GLB header says {length} bytes but there are {len(data)}")
    json_len, kind = _GLB_CHUNK.unpack_from(data, 12)
    if kind != b"JSON" or json_len > min(_GLB_MAX_JSON, len(data) - 28):
        raise GlbError(f"GLB JSON chunk is missing or lies about its length ({kind!r}, {json_len} bytes)")
    bin_len, kind = _GLB_CHUNK.unpack_from(data, 20 + json_len)
    bin_at = 28 + json_len
    if kind != b"BIN\x00" or bin_at + bin_len != len(data):
        raise GlbError(f"GLB BIN chunk is missing or lies about its length ({kind!r}, {bin_len} bytes)")
    try:
        doc = json.loads(bytes(data[20:20 + json_len]))
        (primitive,) = doc["meshes"][0]["primitives"]
        if primitive.get("mode", 4) != 4:
            raise GlbError("GLB primitive is not a triangle list")
        vertices = _glb_accessor(doc, primitive["attributes"]["POSITION"], data[bin_at:], "VEC3", _GLB_FLOAT)
        indices = _glb_accessor(doc, primitive["indices"], data[bin_at:], "SCALAR", _GLB_UINT)
    except GlbError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise GlbError(f"GLB document is not one triangle mesh ({type(error).__name__}: {error})") from None
    if len(indices) % 3 or not len(indices) or not np.isfinite(vertices).all():
        raise GlbError(f"GLB mesh has {len(indices)} indices (not whole triangles) or non-finite vertices")
    if indices.max() >= len(vertices):
        raise GlbError(f"GLB face index {int(indices.max())} is out of range for {len(vertices)} vertices")
    return vertices.copy(), indices.astype(np.int32).reshape(-1, 3)


def _glb_accessor(doc: dict[str, Any], index: int, blob: memoryview, kind: str, component: int) -> np.ndarray:
    """The values of one tightly packed accessor, bounds-checked against its view and the BIN chunk."""
    accessor = doc["accessors"][index]
    view = doc["bufferViews"][accessor["bufferView"]]
    if (accessor["type"], accessor["componentType"], view.get("byteStride", 12 if kind == "VEC3" else 4),
            view["buffer"]) != (kind, component, 12 if kind == "VEC3" else 4, 0):
        raise GlbError(f"GLB accessor {index} is not a packed {kind} of component type {component}")
    count, width = int(accessor["count"]), 3 if kind == "VEC3" else 1
    view_start, view_length = int(view.get("byteOffset", 0)), int(view["byteLength"])
    start, size = view_start + int(accessor.get("byteOffset", 0)), 4 * width * count
    if (count <= 0 or min(view_start, view_length) < 0 or start < view_start or start % 4
            or start + size > view_start + view_length or view_start + view_length > len(blob)):
        raise GlbError(f"GLB accessor {index} ({count} x {kind}) lies outside its view or the BIN chunk")
    values = np.frombuffer(blob, dtype="<f4" if component == _GLB_FLOAT else "<u4", count=width * count, offset=start)
    return values.reshape(count, 3) if width == 3 else values
