"""Tests for imagenet3d.write_glb: GLB container layout, glTF document, and a trimesh round trip."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
import trimesh

from imagenet3d import write_glb
from synthetic_release import meshes

# The node rotation write_glb applies, as trimesh reports it: (x, y, z) -> (x, z, -y).
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


def _mesh() -> tuple[np.ndarray, np.ndarray]:
    return meshes.make_mesh("chair", 0, num_vertices=400)


def _tetra() -> tuple[np.ndarray, np.ndarray]:
    v = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    f = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    return v, f


def _chunks(data: bytes) -> tuple[dict, bytes]:
    """Check the GLB header and both chunk headers; return (JSON document, BIN payload)."""
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON" and json_len % 4 == 0
    text = data[20:20 + json_len]
    assert len(text) - len(text.rstrip(b" ")) < 4, "JSON chunk over-padded"  # padding is spaces
    bin_at = 20 + json_len
    bin_len, bin_type = struct.unpack_from("<I4s", data, bin_at)
    assert bin_type == b"BIN\x00" and bin_len % 4 == 0
    assert bin_at + 8 + bin_len == len(data), "trailing bytes after the BIN chunk"
    return json.loads(text), data[bin_at + 8:]


def _accessor_array(doc: dict, blob: bytes, i: int) -> np.ndarray:
    acc = doc["accessors"][i]
    view = doc["bufferViews"][acc["bufferView"]]
    dtype = {5126: "<f4", 5125: "<u4"}[acc["componentType"]]
    width = {"VEC3": 3, "SCALAR": 1}[acc["type"]]
    start = view["byteOffset"] + acc.get("byteOffset", 0)
    arr = np.frombuffer(blob, dtype=dtype, count=acc["count"] * width, offset=start)
    return arr.reshape(acc["count"], width)


def test_container_layout():
    v, f = _mesh()
    doc, blob = _chunks(write_glb(v, f))
    assert doc["asset"]["version"] == "2.0"
    assert doc["buffers"] == [{"byteLength": doc["buffers"][0]["byteLength"]}]  # no uri: GLB buffer
    assert doc["buffers"][0]["byteLength"] <= len(blob) < doc["buffers"][0]["byteLength"] + 4
    assert set(blob[doc["buffers"][0]["byteLength"]:]) <= {0}
    targets = sorted(view["target"] for view in doc["bufferViews"])
    assert targets == [34962, 34963]
    for view in doc["bufferViews"]:
        assert view["byteOffset"] % 4 == 0
        assert view["byteOffset"] + view["byteLength"] <= doc["buffers"][0]["byteLength"]


def test_document_structure():
    doc, _ = _chunks(write_glb(*_tetra()))
    assert doc["scenes"][doc["scene"]]["nodes"] == [0]
    (node,) = doc["nodes"]
    (prim,) = doc["meshes"][node["mesh"]]["primitives"]
    assert prim["mode"] == 4
    material = doc["materials"][prim["material"]]
    assert material["doubleSided"] is True
    assert len(material["pbrMetallicRoughness"]["baseColorFactor"]) == 4
    pos = doc["accessors"][prim["attributes"]["POSITION"]]
    idx = doc["accessors"][prim["indices"]]
    assert (pos["type"], pos["componentType"], pos["count"]) == ("VEC3", 5126, 4)
    assert (idx["type"], idx["componentType"], idx["count"]) == ("SCALAR", 5125, 12)


def test_accessors_hold_the_mesh_and_exact_bounds():
    v, f = _mesh()
    doc, blob = _chunks(write_glb(v, f))
    pos = _accessor_array(doc, blob, 0)
    idx = _accessor_array(doc, blob, 1)
    np.testing.assert_array_equal(pos, v.astype(np.float32))  # vertex data not rotated
    np.testing.assert_array_equal(idx.reshape(-1, 3), f)
    assert doc["accessors"][0]["min"] == pos.min(axis=0).tolist()
    assert doc["accessors"][0]["max"] == pos.max(axis=0).tolist()


def test_node_rotation_maps_z_up_to_y_up():
    doc, _ = _chunks(write_glb(*_tetra()))
    x, y, z, w = doc["nodes"][0]["rotation"]
    assert x * x + y * y + z * z + w * w == pytest.approx(1.0)
    # Rotate +z and the object's front (-y) by the quaternion (x, y, z, w).
    q = np.array([x, y, z])

    def rotate(p: np.ndarray) -> np.ndarray:
        t = 2.0 * np.cross(q, p)
        return p + w * t + np.cross(q, t)

    np.testing.assert_allclose(rotate(np.array([0.0, 0.0, 1.0])), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(rotate(np.array([0.0, -1.0, 0.0])), [0, 0, 1], atol=1e-12)


def test_trimesh_round_trip():
    v, f = _mesh()
    scene = trimesh.load(io.BytesIO(write_glb(v, f)), file_type="glb")
    # trimesh keeps the node rotation in the scene graph; the geometry is untouched.
    assert isinstance(scene, trimesh.Scene) and len(scene.geometry) == 1
    (geom,) = scene.geometry.values()
    assert geom.vertices.shape == v.shape and geom.faces.shape == f.shape
    np.testing.assert_array_equal(geom.vertices, v.astype(np.float32))
    np.testing.assert_array_equal(geom.faces, f)
    transform, _ = scene.graph[scene.graph.nodes_geometry[0]]
    np.testing.assert_allclose(transform[:3, :3], Z_UP_TO_Y_UP, atol=1e-12)
    # Flattening to one mesh applies the rotation; undoing it restores our z-up coordinates.
    flat = scene.to_geometry()
    assert len(flat.vertices) == len(v) and len(flat.faces) == len(f)
    np.testing.assert_allclose(flat.vertices @ Z_UP_TO_Y_UP, v, atol=1e-6, rtol=0)
    assert flat.bounds[1, 1] == pytest.approx(v[:, 2].max(), abs=1e-6)  # model's top is +y


def test_deterministic_and_dtype_independent():
    v, f = _mesh()
    data = write_glb(v, f)
    assert write_glb(v.copy(), f.copy()) == data
    assert write_glb(v.astype(np.float32), f.astype(np.int64)) == data
    assert write_glb(np.asfortranarray(v), f.astype(np.uint32)) == data


@pytest.mark.parametrize("vertices, faces", [
    (np.zeros((0, 3)), np.zeros((0, 3), int)),
    (np.zeros((3, 2)), np.array([[0, 1, 2]])),
    (np.eye(3), np.array([[0, 1, 3]])),
    (np.eye(3), np.array([[0, -1, 2]])),
    (np.eye(3), np.array([[0.0, 1.0, 2.0]])),
    (np.array([[0, 0, 0], [1, 0, 0], [np.nan, 1, 0]]), np.array([[0, 1, 2]])),
    (np.eye(3), np.zeros((0, 3), int)),
])
def test_bad_input_raises(vertices, faces):
    with pytest.raises(ValueError):
        write_glb(vertices, faces)
