"""The scene view (viewer_app/scene.py): the GLBs are read back here, by a small reader of our own and by
trimesh, and checked against imagenet3d's camera: every object vertex, seen from the scene's camera,
lies on the photo's texel that imagenet3d.project gives for it."""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np
import pytest
import trimesh
from PIL import Image

import imagenet3d
from _imagenet3d.render import Pose
from viewer_app.colours import OBJECT_COLOURS
from viewer_app.data import DatasetIndex
from viewer_app.gltf import linear
from viewer_app.scene import (
    DIMMED_ALPHA,
    PHOTO_DEPTH,
    PHOTO_SIDE,
    VIEW_ALPHA,
    VIEW_BETA,
    object_glb,
    scene_camera,
    scene_glb,
)

_TYPES = {5126: "<f4", 5125: "<u4", 5123: "<u2"}
_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3}


class Glb:
    """A GLB's JSON document and its accessors and images as numpy arrays / bytes."""

    def __init__(self, data: bytes):
        magic, version, length = struct.unpack_from("<4sII", data)
        assert (magic, version, length, length % 4) == (b"glTF", 2, len(data), 0)
        json_length, kind = struct.unpack_from("<I4s", data, 12)
        assert kind == b"JSON" and json_length % 4 == 0
        self.doc = json.loads(data[20:20 + json_length])
        bin_length, kind = struct.unpack_from("<I4s", data, 20 + json_length)
        assert kind == b"BIN\x00" and 28 + json_length + bin_length == len(data)
        self.blob = data[28 + json_length:]
        assert self.doc["buffers"] == [{"byteLength": len(self.blob)}]

    def view(self, index: int) -> bytes:
        view = self.doc["bufferViews"][index]
        assert view["byteOffset"] % 4 == 0
        return self.blob[view["byteOffset"]:view["byteOffset"] + view["byteLength"]]

    def accessor(self, index: int) -> np.ndarray:
        accessor = self.doc["accessors"][index]
        width = _WIDTHS[accessor["type"]]
        values = np.frombuffer(self.view(accessor["bufferView"]), dtype=_TYPES[accessor["componentType"]])
        assert values.size == accessor["count"] * width
        values = values.reshape(-1, width) if width > 1 else values
        if "min" in accessor:
            assert values.min(0).tolist() == accessor["min"] and values.max(0).tolist() == accessor["max"]
        return values

    def nodes(self) -> dict[str, dict]:
        return {node["name"]: node for node in (self.doc["nodes"][i] for i in self.doc["scenes"][0]["nodes"])}

    def primitive(self, name: str) -> dict:
        (primitive,) = self.doc["meshes"][self.nodes()[name]["mesh"]]["primitives"]
        return primitive

    def positions(self, name: str) -> np.ndarray:
        return self.accessor(self.primitive(name)["attributes"]["POSITION"]).astype(np.float64)

    def material(self, name: str) -> dict:
        return self.doc["materials"][self.primitive(name)["material"]]


@pytest.fixture(scope="module")
def index(built_dataset) -> DatasetIndex:
    return DatasetIndex(str(built_dataset))


@pytest.fixture(scope="module")
def sample(index):
    """The release image with the most objects that have a drawable pose and a CAD model."""
    def drawable(image_id):
        objects = index.record(image_id)["objects"]
        return sum(Pose.of(o) is not None and o["cad_index"] is not None for o in objects)
    image_id = max(index.image_ids, key=lambda i: (drawable(i), i))
    objects = index.record(image_id)["objects"]
    assert drawable(image_id) >= 3, "the SMALL release should hold an image with several posed objects"
    meshes = {k: index.mesh(o["category"], o["cad_index"]) for k, o in enumerate(objects)
              if o["cad_index"] is not None}
    photo = Image.open(io.BytesIO(index.image_bytes(image_id)))
    photo.load()
    return objects, meshes, photo


def _object_names(objects, meshes):
    return [f"{k}: {o['category']}" for k, o in enumerate(objects)
            if Pose.of(o) is not None and meshes.get(k) is not None]


def _pose_args(obj):
    return [obj[key] for key in ("azimuth", "elevation", "theta", "distance", "px", "py", "viewport", "focal")]


def test_each_drawable_object_is_one_mesh_node_in_its_colour(sample):
    objects, meshes, photo = sample
    glb = Glb(scene_glb(objects, meshes, photo))
    nodes = glb.nodes()
    names = _object_names(objects, meshes)
    assert set(nodes) == {*names, "photo", "frustum", "camera"}
    for name in names:
        k = int(name.split(":")[0])
        vertices, faces = meshes[k]
        assert glb.positions(name).shape == vertices.shape
        indices = glb.accessor(glb.primitive(name)["indices"])
        assert np.array_equal(indices.reshape(-1, 3), faces)
        assert glb.primitive(name)["mode"] == 4 and "matrix" not in nodes[name] and "rotation" not in nodes[name]
        material = glb.material(name)
        assert material["pbrMetallicRoughness"]["baseColorFactor"] == [*linear(OBJECT_COLOURS[k % 8]), 1.0]
        assert material["alphaMode"] == "OPAQUE" and material["doubleSided"]
    # Objects drawing the same CAD model share its faces.
    same = {}
    for name in names:
        k = int(name.split(":")[0])
        same.setdefault(id(meshes[k][1]), set()).add(glb.primitive(name)["indices"])
    assert all(len(accessors) == 1 for accessors in same.values())


def test_object_vertices_seen_from_the_camera_land_on_their_photo_pixels(sample):
    """A ray from the scene's camera (the origin) through an object vertex meets the photo where its
    texture coordinate is the vertex's pixel by imagenet3d.project (so the scene agrees with the overlays)."""
    objects, meshes, photo = sample
    glb = Glb(scene_glb(objects, meshes, photo))
    corners = glb.positions("photo")
    texcoords = glb.accessor(glb.primitive("photo")["attributes"]["TEXCOORD_0"]).astype(np.float64)
    depth = -corners[0, 2]
    assert np.allclose(corners[:, 2], -depth)
    # The photo is a flat rectangle whose texture coordinates are an affine map of its (x, y).
    to_texture, residual, *_ = np.linalg.lstsq(np.c_[corners[:, :2], np.ones(4)], texcoords, rcond=None)
    assert np.allclose(np.c_[corners[:, :2], np.ones(4)] @ to_texture, texcoords, atol=1e-6)
    rng = np.random.default_rng(0)
    checked = 0
    for name in _object_names(objects, meshes):
        k = int(name.split(":")[0])
        vertices = meshes[k][0]
        chosen = rng.choice(len(vertices), size=min(40, len(vertices)), replace=False)
        scene = glb.positions(name)[chosen]
        assert (scene[:, 2] < 0).all() and (scene[:, 2] > -depth).all()  # in front of the camera and the photo
        on_photo = scene * (depth / -scene[:, 2:3])
        pixels = (np.c_[on_photo[:, :2], np.ones(len(chosen))] @ to_texture) * photo.size
        expected = imagenet3d.project(vertices[chosen], *_pose_args(objects[k]))
        assert np.abs(pixels - expected).max() < 0.02, name  # float32 positions
        checked += len(chosen)
    assert checked >= 80
    # A reduced copy of the photo with the original's size gives the same scene.
    reduced = Glb(scene_glb(objects, meshes, photo.reduce(2), size=photo.size))
    for name in [*_object_names(objects, meshes), "photo", "frustum"]:
        assert np.array_equal(reduced.positions(name), glb.positions(name))


def test_the_photo_is_an_unlit_jpeg_texture_behind_every_object(sample):
    objects, meshes, photo = sample
    big = photo.resize((photo.width * 5, photo.height * 5))
    glb = Glb(scene_glb(objects, meshes, big, size=photo.size))
    material = glb.material("photo")
    assert "KHR_materials_unlit" in material["extensions"] and "KHR_materials_unlit" in glb.doc["extensionsUsed"]
    texture = glb.doc["textures"][material["pbrMetallicRoughness"]["baseColorTexture"]["index"]]
    image_entry = glb.doc["images"][texture["source"]]
    assert image_entry["mimeType"] == "image/jpeg"
    image = Image.open(io.BytesIO(glb.view(image_entry["bufferView"])))
    assert image.format == "JPEG" and max(image.size) == PHOTO_SIDE
    assert abs(image.width / image.height - photo.width / photo.height) < 2 / PHOTO_SIDE
    farthest = max(-glb.positions(name)[:, 2].min() for name in _object_names(objects, meshes))
    assert np.allclose(-glb.positions("photo")[:, 2], PHOTO_DEPTH * farthest, rtol=1e-6)
    # The texture shows the photo (downscaled): compare a coarse version of both.
    small = (32, 32)
    expected = np.asarray(photo.convert("RGB").resize(small), dtype=np.float64)
    assert np.abs(np.asarray(image.convert("RGB").resize(small), dtype=np.float64) - expected).mean() < 6


def test_the_frustum_joins_the_camera_to_the_photos_corners_and_edges(sample):
    objects, meshes, photo = sample
    glb = Glb(scene_glb(objects, meshes, photo))
    assert glb.primitive("frustum")["mode"] == 1 and "KHR_materials_unlit" in glb.material("frustum")["extensions"]
    points = glb.positions("frustum")
    segments = glb.accessor(glb.primitive("frustum")["indices"]).reshape(-1, 2)
    corners = glb.positions("photo")
    corner_ids = [int(np.flatnonzero(np.abs(points - c).max(1) < 1e-5)[0]) for c in corners]
    origin = int(np.flatnonzero(np.abs(points).max(1) == 0)[0])
    # Every segment lies on a ray from the origin, or on the photo's plane (its edge).
    for a, b in segments:
        on_ray = np.linalg.norm(np.cross(points[a], points[b])) < 1e-4 * (1 + np.linalg.norm(points[b]))
        on_plane = abs(points[a, 2] - corners[0, 2]) < 1e-5 and abs(points[b, 2] - corners[0, 2]) < 1e-5
        assert on_ray or on_plane
    # The origin reaches each corner along a ray, and the corners are joined in order.
    rays = [(a, b) for a, b in segments if not (abs(points[a, 2] - corners[0, 2]) < 1e-5
                                                 and abs(points[b, 2] - corners[0, 2]) < 1e-5)]
    reached, frontier = {origin}, [origin]
    while frontier:
        here = frontier.pop()
        for a, b in rays:
            for x, y in ((a, b), (b, a)):
                if x == here and y not in reached:
                    reached.add(y)
                    frontier.append(y)
    assert set(corner_ids) <= reached
    edges = {frozenset((int(a), int(b))) for a, b in segments}
    assert all(frozenset((corner_ids[i], corner_ids[(i + 1) % 4])) in edges for i in range(4))
    camera = glb.nodes()["camera"]
    assert "translation" not in camera and "rotation" not in camera
    perspective = glb.doc["cameras"][camera["camera"]]["perspective"]
    f = float(np.median([o["viewport"] * o["focal"] for o in objects if Pose.of(o) is not None]))
    assert perspective["yfov"] == pytest.approx(2 * math.atan(photo.height / 2 / f))
    assert perspective["aspectRatio"] == pytest.approx(photo.width / photo.height)


def test_the_selected_object_is_opaque_and_the_others_dimmed(sample):
    objects, meshes, photo = sample
    names = _object_names(objects, meshes)
    chosen = int(names[1].split(":")[0])
    glb = Glb(scene_glb(objects, meshes, photo, selected=chosen))
    for name in names:
        material = glb.material(name)
        alpha = material["pbrMetallicRoughness"]["baseColorFactor"][3]
        if int(name.split(":")[0]) == chosen:
            assert (alpha, material["alphaMode"]) == (1.0, "OPAQUE")
        else:
            assert (alpha, material["alphaMode"]) == (DIMMED_ALPHA, "BLEND")


def test_objects_without_a_pose_or_a_model_are_left_out(sample):
    objects, meshes, photo = sample
    names = _object_names(objects, meshes)
    ks = [int(name.split(":")[0]) for name in names]
    changed = [dict(o) for o in objects]
    changed[ks[0]]["distance"] = 0.0
    changed[ks[1]]["azimuth"] = None
    fewer = {k: m for k, m in meshes.items() if k != ks[2]}
    glb = Glb(scene_glb(changed, fewer, photo))
    kept = [name for name in names if int(name.split(":")[0]) not in ks[:3]]
    assert set(glb.nodes()) == {*kept, "photo", "frustum", "camera"}
    for name in kept:  # an object keeps its number and its colour
        k = int(name.split(":")[0])
        assert glb.material(name)["pbrMetallicRoughness"]["baseColorFactor"][:3] == linear(OBJECT_COLOURS[k % 8])
    # No drawable object at all: the camera, its frustum and the photo remain.
    empty = Glb(scene_glb([dict(o, distance=-1.0) for o in objects], meshes, photo))
    assert set(empty.nodes()) == {"photo", "frustum", "camera"}
    assert (empty.positions("photo")[:, 2] < 0).all()


def test_scene_camera_frames_the_objects_and_the_photo(sample):
    """gr.Model3D orbits the centre of all meshes' bounding box: that is the objects' and photo's centre."""
    objects, meshes, photo = sample
    data = scene_glb(objects, meshes, photo)
    glb = Glb(data)
    everything = np.concatenate([glb.positions(name) for name in glb.nodes() if "mesh" in glb.nodes()[name]])
    shown = np.concatenate([glb.positions(name) for name in [*_object_names(objects, meshes), "photo"]])
    centre = (everything.min(0) + everything.max(0)) / 2
    assert np.allclose(centre, (shown.min(0) + shown.max(0)) / 2, atol=1e-4)
    assert everything.max(0)[2] == 0.0  # the camera, at the origin, is in the scene
    alpha, beta, radius = scene_camera(data)
    assert (alpha, beta) == (VIEW_ALPHA, VIEW_BETA) and 0 < beta < 90
    assert radius == pytest.approx(1.1 * np.linalg.norm(shown.max(0) - shown.min(0)), rel=1e-3)


def test_trimesh_reads_the_scene_with_its_texture(sample, tmp_path):
    objects, meshes, photo = sample
    path = tmp_path / "scene.glb"
    path.write_bytes(scene_glb(objects, meshes, photo, selected=0))
    scene = trimesh.load(path, force="scene")
    names = _object_names(objects, meshes)
    assert set(names) <= set(scene.geometry)
    for name in names:
        assert len(scene.geometry[name].vertices) == len(meshes[int(name.split(":")[0])][0])
    texture = scene.geometry["photo"].visual.material.baseColorTexture
    assert texture.size == photo.size


def test_object_glb_is_posed_when_it_can_be_else_canonical(sample):
    objects, meshes, _ = sample
    k = int(_object_names(objects, meshes)[0].split(":")[0])
    obj, (vertices, faces) = objects[k], meshes[k]
    posed = Glb(object_glb(obj, meshes[k], OBJECT_COLOURS[3]))
    (name,) = posed.nodes()
    R = imagenet3d.rotation_matrix(obj["azimuth"], obj["elevation"], obj["theta"])
    assert np.allclose(posed.positions(name), vertices @ R.T, atol=1e-5)  # camera frame in glTF axes
    assert posed.material(name)["pbrMetallicRoughness"]["baseColorFactor"] == [*linear(OBJECT_COLOURS[3]), 1.0]
    assert np.array_equal(posed.accessor(posed.primitive(name)["indices"]).reshape(-1, 3), faces)
    canonical = Glb(object_glb(dict(obj, distance=None), meshes[k], OBJECT_COLOURS[3]))
    x, y, z = vertices.T
    assert np.allclose(canonical.positions(name), np.c_[x, z, -y], atol=1e-6)  # z-up to glTF's y-up
