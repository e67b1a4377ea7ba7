"""A minimal glTF 2.0 binary (GLB) writer for the viewer's scenes: meshes, lines, one texture.

The layout is the glTF 2.0 specification's (https://registry.khronos.org/glTF/specs/2.0/glTF-2.0.html,
"GLB File Format Specification"): a JSON chunk, then one BIN chunk holding every buffer view, each
starting on a 4-byte boundary. Colours given here are sRGB 0-255, as the overlays use them; glTF
material factors are linear, so they are converted (the texture stays sRGB, as glTF expects).
_imagenet3d.glb writes the dataset's stored CAD models; this writer is for what the viewer shows.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from viewer_app.colours import Colour, linear_rgb

_HEADER, _CHUNK = struct.Struct("<4sII"), struct.Struct("<I4s")
FLOAT, UINT16, UINT32 = 5126, 5123, 5125
POINTS, LINES, TRIANGLES = 0, 1, 4
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963
_LINEAR, _LINEAR_MIPMAP_LINEAR, _CLAMP = 9729, 9987, 33071
UNLIT = "KHR_materials_unlit"


def linear(colour: Colour) -> list[float]:
    """An sRGB 0-255 colour as glTF's linear factors, to 5 decimals (plenty for 8-bit colour)."""
    return [round(float(v), 5) for v in linear_rgb(colour)]


class GltfBuilder:
    """Collects buffer views, accessors, materials, meshes and nodes; :meth:`glb` writes them out."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {"asset": {"version": "2.0", "generator": "imagenet3d viewer"}, "scene": 0,
                                    "scenes": [{"nodes": []}], "nodes": [], "meshes": [], "materials": [],
                                    "accessors": [], "bufferViews": []}
        self._blobs: list[bytes] = []
        self._size = 0

    def _view(self, data: bytes, target: int | None = None) -> int:
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self._size, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        padding = b"\0" * (-len(data) % 4)
        self._blobs += [data, padding]
        self._size += len(data) + len(padding)
        self.doc["bufferViews"].append(view)
        return len(self.doc["bufferViews"]) - 1

    def _accessor(self, accessor: dict[str, Any]) -> int:
        self.doc["accessors"].append(accessor)
        return len(self.doc["accessors"]) - 1

    def vectors(self, values: np.ndarray, bounds: bool = False) -> int:
        """A float32 VEC2 / VEC3 accessor; ``bounds`` adds min / max (required for POSITION)."""
        data = np.ascontiguousarray(values, dtype="<f4")
        accessor: dict[str, Any] = {"bufferView": self._view(data.tobytes(), _ARRAY_BUFFER), "componentType": FLOAT,
                                    "count": len(data), "type": f"VEC{data.shape[1]}"}
        if bounds:  # float(np.float32) is exact, so the bounds equal the stored values; a column at a
            # time is ~20x faster than min(axis=0) across a (N, 3) array
            accessor["min"] = [float(data[:, i].min()) for i in range(data.shape[1])]
            accessor["max"] = [float(data[:, i].max()) for i in range(data.shape[1])]
        return self._accessor(accessor)

    def indices(self, values: np.ndarray, vertex_count: int) -> int:
        """A SCALAR index accessor: uint16 when every vertex fits (half the bytes), else uint32."""
        small = vertex_count <= 0xFFFF
        data = np.ascontiguousarray(np.asarray(values).reshape(-1), dtype="<u2" if small else "<u4")
        return self._accessor({"bufferView": self._view(data.tobytes(), _ELEMENT_ARRAY_BUFFER),
                               "componentType": UINT16 if small else UINT32, "count": int(data.size),
                               "type": "SCALAR"})

    def material(self, name: str, colour: Colour, alpha: float = 1.0, unlit: bool = False,
                 texture: int | None = None) -> int:
        """A double-sided material (CAD meshes mix their winding); blended when ``alpha`` < 1."""
        pbr: dict[str, Any] = {"baseColorFactor": [*linear(colour), float(alpha)], "metallicFactor": 0.0,
                               "roughnessFactor": 0.7}
        if texture is not None:
            pbr["baseColorTexture"] = {"index": texture}
        material: dict[str, Any] = {"name": name, "pbrMetallicRoughness": pbr, "doubleSided": True,
                                    "alphaMode": "BLEND" if alpha < 1.0 else "OPAQUE"}
        if unlit:
            material["extensions"] = {UNLIT: {}}
            self.doc.setdefault("extensionsUsed", [])
            if UNLIT not in self.doc["extensionsUsed"]:
                self.doc["extensionsUsed"].append(UNLIT)
        self.doc["materials"].append(material)
        return len(self.doc["materials"]) - 1

    def texture(self, jpeg: bytes) -> int:
        """An embedded JPEG image as a clamped, mipmapped texture."""
        self.doc.setdefault("images", []).append({"bufferView": self._view(jpeg), "mimeType": "image/jpeg"})
        self.doc.setdefault("samplers", []).append({"magFilter": _LINEAR, "minFilter": _LINEAR_MIPMAP_LINEAR,
                                                     "wrapS": _CLAMP, "wrapT": _CLAMP})
        self.doc.setdefault("textures", []).append({"source": len(self.doc["images"]) - 1,
                                                     "sampler": len(self.doc["samplers"]) - 1})
        return len(self.doc["textures"]) - 1

    def mesh(self, name: str, attributes: dict[str, int], indices: int, material: int,
             mode: int = TRIANGLES) -> int:
        self.doc["meshes"].append({"name": name, "primitives": [
            {"attributes": attributes, "indices": indices, "material": material, "mode": mode}]})
        return len(self.doc["meshes"]) - 1

    def node(self, node: dict[str, Any]) -> int:
        """A root node of the scene."""
        self.doc["nodes"].append(node)
        self.doc["scenes"][0]["nodes"].append(len(self.doc["nodes"]) - 1)
        return len(self.doc["nodes"]) - 1

    def camera(self, name: str, yfov: float, aspect: float, znear: float) -> int:
        """A perspective camera (glTF cameras look down -z with +y up)."""
        self.doc.setdefault("cameras", []).append({"name": name, "type": "perspective", "perspective": {
            "yfov": float(yfov), "aspectRatio": float(aspect), "znear": float(znear)}})
        return len(self.doc["cameras"]) - 1

    def glb(self) -> bytes:
        doc = {key: value for key, value in self.doc.items() if value != []}
        doc["buffers"] = [{"byteLength": self._size}]
        text = json.dumps(doc, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 4)
        head = _CHUNK.pack(len(text), b"JSON")
        tail = _CHUNK.pack(self._size, b"BIN\x00")
        total = _HEADER.size + len(head) + len(text) + len(tail) + self._size
        return b"".join([_HEADER.pack(b"glTF", 2, total), head, text, tail, *self._blobs])
