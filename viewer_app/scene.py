"""The scene view: every object of an image in one 3D scene, with the camera's frustum and the photo.

Coordinates are the camera's, in glTF's axes: the camera sits at the origin looking down -z, x to the
right, y up. An object's CAD vertices X go to the OpenCV camera frame (x right, y down, z forward) by
``imagenet3d.camera_matrices``: ``K_k (R_k X + t_k)`` is their pixel. PASCAL3D+ gives each object its
own principal point (px, py) (and its own viewport), so the scene uses one shared pinhole camera
``K0`` (the objects' focal length, principal point at the image centre) and maps object k's camera
points by ``K0^-1 K_k``: the identity in depth, a small shear across (|px - cx| / f, under 0.1 at
f = 3000). Through ``K0`` every vertex then lands on exactly the pixel ``imagenet3d.project`` gives,
so the scene agrees with the 2D overlays. Finally ``diag(1, -1, -1)`` turns OpenCV's axes into glTF's.

The photo is a textured quad on the image plane at depth ``PHOTO_DEPTH`` x the farthest vertex, each
pixel (u, v) on the ray through it; the frustum is lines from the origin to its corners plus its edge.
gr.Model3D shows it best opened with ``camera_position=scene_camera(glb)``: centred on the objects.
"""

from __future__ import annotations

import io
import json
import math
import struct
from collections.abc import Mapping

import numpy as np
from PIL import Image

import imagenet3d
from _imagenet3d.render import Pose
from viewer_app.colours import Colour, object_colour
from viewer_app.gltf import LINES, GltfBuilder
from viewer_app.objects import Mesh

__all__ = ["scene_glb", "object_glb", "scene_camera", "PHOTO_SIDE", "PHOTO_DEPTH",
           "DIMMED_ALPHA", "FRUSTUM_COLOUR", "VIEW_ALPHA", "VIEW_BETA"]

#: The embedded photo's longest side in pixels: sharp enough on screen, ~100-200 KB as JPEG.
PHOTO_SIDE = 1024
#: The photo's depth as a multiple of the farthest object vertex's: just behind every object.
PHOTO_DEPTH = 1.15
#: The photo's depth when no object is drawn (CAD models are normalised to a diagonal of 1).
MIN_PHOTO_DEPTH = 1.0
#: Opacity of the objects that are not selected (the selected one is opaque).
DIMMED_ALPHA = 0.3
#: The opening view's orbit angles in degrees (gr.Model3D's alpha, beta): from behind the camera, to
#: its right (90 is straight behind) and 20 degrees above.
VIEW_ALPHA, VIEW_BETA = 60.0, 70.0
#: The frustum's lines: a mid grey that reads on a light and a dark page.
FRUSTUM_COLOUR: Colour = (128, 128, 128)
FRUSTUM_STEPS = 16
_FLIP_YZ = np.diag([1.0, -1.0, -1.0])  # OpenCV camera axes to glTF's (and back)
_Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])  # CAD z-up, front -y -> glTF


def _camera_points(vertices: np.ndarray, pose: Pose, K0: np.ndarray) -> np.ndarray:
    """Object vertices in the shared camera's OpenCV frame: ``K0^-1 K (R X + t)``, one affine map."""
    K, R, t = pose.matrices()
    shear = np.linalg.solve(K0, K)
    return np.asarray(vertices, dtype=np.float64) @ (shear @ R).T + shear @ t


def _shared_camera(poses: list[Pose], width: int, height: int) -> np.ndarray:
    """``K0``: the objects' focal length in pixels (their median; they share one in the release),
    principal point at the image centre."""
    f = float(np.median([p.viewport * p.focal for p in poses])) if poses else float(
        imagenet3d.DEFAULT_VIEWPORT * imagenet3d.DEFAULT_FOCAL)
    return np.array([[f, 0.0, width / 2], [0.0, f, height / 2], [0.0, 0.0, 1.0]])


def _jpeg(photo: Image.Image) -> bytes:
    image = photo.convert("RGB")
    if max(image.size) > PHOTO_SIDE:
        scale = PHOTO_SIDE / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.BILINEAR, reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _add_mesh(gltf: GltfBuilder, name: str, points: np.ndarray, faces: np.ndarray, material: int,
              shared: dict[int, tuple[np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray]:
    """A triangle mesh node; objects using the same CAD model (the same faces array, kept alive in
    ``shared`` so that its id stays its own) share one index accessor."""
    faces = np.asarray(faces)
    if id(faces) not in shared:
        shared[id(faces)] = faces, gltf.indices(faces, len(points))
    positions = gltf.vectors(points, bounds=True)
    gltf.node({"name": name, "mesh": gltf.mesh(name, {"POSITION": positions}, shared[id(faces)][1], material)})
    accessor = gltf.doc["accessors"][positions]
    return np.array(accessor["min"]), np.array(accessor["max"])  # the mesh's box


def scene_glb(objects: list[dict], meshes: Mapping[int, Mesh], photo: Image.Image,
              selected: int | None = None, size: tuple[int, int] | None = None) -> bytes:
    """One image's scene as GLB bytes: each object k with a drawable pose and a mesh in ``meshes`` as
    node "k: category" (colour ``object_colour(k)``; with ``selected`` given, the others are
    translucent), the camera (a glTF camera node at the origin with the image's field of view), its
    frustum (lines) and the photo on its image plane (unlit texture). ``size`` is the original
    image's (width, height) when ``photo`` is a reduced copy; pixel coordinates refer to it.
    Objects without a drawable pose or mesh are left out (the caller lists them).
    :func:`scene_camera` gives the view to open it with.
    """
    width, height = size or photo.size
    drawn = [(k, obj, pose) for k, obj in enumerate(objects)
             if (pose := Pose.of(obj)) is not None and meshes.get(k) is not None]
    K0 = _shared_camera([pose for _, _, pose in drawn], width, height)
    gltf = GltfBuilder()
    shared: dict[int, tuple[np.ndarray, int]] = {}
    boxes: list[np.ndarray] = []
    for k, obj, pose in drawn:
        vertices, faces = meshes[k][:2]
        points = _camera_points(vertices, pose, K0) @ _FLIP_YZ
        alpha = 1.0 if selected is None or selected == k else DIMMED_ALPHA
        name = f"{k}: {obj['category']}"
        material = gltf.material(name, object_colour(k), alpha)
        boxes += _add_mesh(gltf, name, points, faces, material, shared)

    depth = max(PHOTO_DEPTH * -min((b[2] for b in boxes), default=0.0), MIN_PHOTO_DEPTH)
    pixels = np.array([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]])
    rays = np.linalg.solve(K0, np.c_[pixels, np.ones(4)].T).T  # pixel (u, v) -> its ray, at depth 1
    corners = depth * rays @ _FLIP_YZ
    uv = pixels / [width, height]  # glTF's texture origin is the image's top-left, as pixels'
    texture = gltf.material("photo", (255, 255, 255), unlit=True, texture=gltf.texture(_jpeg(photo)))
    quad = gltf.mesh("photo", {"POSITION": gltf.vectors(corners, bounds=True), "TEXCOORD_0": gltf.vectors(uv)},
                     gltf.indices(np.array([0, 3, 2, 0, 2, 1]), 4), texture)  # front side faces the camera
    gltf.node({"name": "photo", "mesh": quad})
    # gr.Model3D (Babylon.js's viewer) orbits the centre of all meshes' bounding box, and the frustum
    # reaches back to the camera, 5-20 object sizes away (PASCAL3D+'s focal length is 3000 pixels), so
    # orbiting would swing the objects around empty space. One more frustum vertex, behind the photo and
    # used by no line, moves that centre to the centre of the objects and the photo.
    lo, hi = np.min([*boxes, *corners], axis=0), np.max([*boxes, *corners], axis=0)
    anchor = [0.0, 0.0, lo[2] + hi[2] - max(hi[2], 0.0)]  # the rest spans z up to the camera's 0
    positions, lines = _frustum(corners)
    frustum = gltf.mesh("frustum", {"POSITION": gltf.vectors(np.r_[positions, [anchor]], bounds=True)},
                        gltf.indices(lines, len(positions) + 1),
                        gltf.material("frustum", FRUSTUM_COLOUR, unlit=True), LINES)
    gltf.node({"name": "frustum", "mesh": frustum})
    gltf.node({"name": "camera", "camera": gltf.camera(
        "camera", 2 * math.atan(height / 2 / K0[1, 1]), width / height, znear=0.01 * depth)})
    # Babylon's viewer frames a box of diagonal s from 1.1 s away: this frames the objects and the photo.
    radius = round(1.1 * float(np.linalg.norm(hi - lo)), 4)
    gltf.doc["scenes"][0]["extras"] = {"camera_position": [VIEW_ALPHA, VIEW_BETA, radius]}
    return gltf.glb()


def _frustum(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and line indices of the rays from the camera (the origin) through the image's four
    corners, and the image's edge. Each ray is cut into FRUSTUM_STEPS segments: when the viewer's
    camera moves in front of ours, the parts of a ray behind it are dropped, not the whole ray."""
    n = FRUSTUM_STEPS
    steps = np.arange(1, n + 1) / n
    positions = np.r_[np.zeros((1, 3)), (corners[:, None, :] * steps[None, :, None]).reshape(-1, 3)]
    step = np.arange(n)  # ray r's step i is vertex r n + i + 1; vertex 0 is the origin
    along = np.concatenate([np.c_[np.where(step == 0, 0, r * n + step), r * n + step + 1] for r in range(4)])
    ends = n * np.arange(1, 5)  # the corners
    edge = np.c_[ends, np.roll(ends, -1)]
    return positions, np.r_[along, edge].reshape(-1)


def scene_camera(glb: bytes) -> tuple[float, float, float]:
    """``gr.Model3D(camera_position=...)`` for a :func:`scene_glb` scene: (alpha, beta) in degrees, a view
    from behind the camera, a little to its right and above, so the objects' depths show, and the
    radius that frames the objects and the photo (the viewer's own framing also takes in the camera)."""
    (length,) = struct.unpack_from("<I", glb, 12)
    alpha, beta, radius = json.loads(glb[20:20 + length])["scenes"][0]["extras"]["camera_position"]
    return float(alpha), float(beta), float(radius)


def object_glb(obj: dict, mesh: Mesh, colour: Colour) -> bytes:
    """One object's CAD model in ``colour`` (sRGB 0-255), centred at the origin: turned to its
    annotated pose as the camera sees it (glTF axes, camera looking down -z) when the pose is
    drawable, else in its canonical CAD orientation (z-up, front -y, as glTF's y-up, front +z)."""
    vertices, faces = mesh[:2]
    pose = Pose.of(obj)
    if pose is None:
        turn = _Z_UP_TO_Y_UP
    else:  # the OpenCV rotation, then OpenCV axes to glTF's: diag(1,-1,-1) R = rotation_matrix
        turn = _FLIP_YZ @ pose.rotation()
    gltf = GltfBuilder()
    name = str(obj.get("category", "object"))
    _add_mesh(gltf, name, np.asarray(vertices, dtype=np.float64) @ turn.T, faces, gltf.material(name, colour), {})
    return gltf.glb()
