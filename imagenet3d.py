"""ImageNet3D: the dataset's definition, in one importable module.

ImageNet3D (Ma et al. 2024, arXiv:2406.09613) annotates ImageNet21k objects with
2D boxes, 3D poses in the PASCAL3D+ camera convention and CAD models. This
module is the single source of truth that the converter, the viewer and users
share: the category table, the camera model, the pose metric and a safe reader
for the release's pickled ``.npz`` annotation files.

It imports only numpy (and the standard library) at import time.

Example:

    >>> import numpy as np, imagenet3d
    >>> len(imagenet3d.CATEGORIES), len(imagenet3d.KNOWN_CATEGORIES)
    (189, 63)
    >>> imagenet3d.SUPER_CATEGORIES["chair"]   # our grouping, not the official one
    'Furniture'
    >>> R = imagenet3d.rotation_matrix(0.3, 0.2, 0.1)
    >>> float(imagenet3d.pose_error(R, R))
    0.0
    >>> int(imagenet3d.angle_to_bin(np.pi))
    20
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import pickle
import re
import reprlib
import struct
import sys
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO, Union

import numpy as np

__all__ = [
    "CATEGORIES", "KNOWN_CATEGORIES", "NOVEL_CATEGORIES", "SUPER_CATEGORIES",
    "SUPER_CATEGORY_NAMES", "SUPER_CATEGORY_ABBREVIATIONS", "SUPER_CATEGORY_NOTE",
    "CATEGORY_INFO", "CategoryInfo", "OBJECT_STATUSES", "DENSE_VALUES",
    "DEFAULT_VIEWPORT", "DEFAULT_FOCAL", "NUM_BINS",
    "rotation_matrix", "camera_matrices", "project", "pose_error",
    "angle_to_bin", "bin_to_angle", "wrap_angle",
    "read_off", "cad_relpath", "read_annotations", "normalize_object",
    "write_glb", "read_glb", "GlbError", "CAD_MESHES_FILE", "cad_mesh_rows",
    "AnnotationError", "UnsafePickleError",
    "evaluate", "format_table", "reference_objects", "read_predictions", "PredictionError",
    "EVALUATION_TASKS", "EVALUATION_COLUMNS", "ANGLE_UNITS",
    "load", "object_id", "DEFAULT_SOURCE", "SourceError", "RELEASE_FOLDERS", "release_root",
    "CROP_SIZE", "CROP_DISTANCE", "center_and_resize", "object_sample", "usable_object_indices", "to_objects",
    "REMAINDER_MODES", "usable_objects", "plan_object_shards", "object_stream",
    "TRAINING_COLUMNS", "DecodeImages", "decode_images", "collate_images", "collate_objects",
    "split_files", "ArrowBatches", "arrow_batches", "PROJECT_URL",
]

PathOrBytes = Union[str, os.PathLike, bytes, bytearray, memoryview, BinaryIO]

#: This project's home (converter, viewer, evaluation); the dataset card links here.
PROJECT_URL = "https://github.com/imagenet3d-hub/imagenet3d-hub"

# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------

#: Why a note travels with the super-categories: the official mapping
#: (imagenet3d_metaclasses_189.json) is not public, so every place that shows
#: a super-category must say the grouping is ours.
SUPER_CATEGORY_NOTE = (
    "Super-categories use the paper's seven names, but the assignment of "
    "categories to them is this project's own grouping: the official mapping "
    "(imagenet3d_metaclasses_189.json) is not public."
)

SUPER_CATEGORY_NAMES: tuple[str, ...] = (
    "Electronics", "Furniture", "Household", "Music", "Sports", "Vehicles", "Work",
)

#: Column headers of the paper's tables.
SUPER_CATEGORY_ABBREVIATIONS: dict[str, str] = {
    "Electronics": "Elec.", "Furniture": "Furn.", "Household": "Hou.",
    "Music": "Mus.", "Sports": "Spo.", "Vehicles": "Veh.", "Work": "Work",
}


@dataclass(frozen=True)
class CategoryInfo:
    """One category of the v1 release.

    ``known`` marks the 63 training categories of the open-vocabulary protocol
    (``know_categories.txt`` of imagenet3d_exp); the other 126 are novel.
    ``example_wnids`` are ImageNet21k synsets seen for it in public material
    (empty where none was found); the release's file names carry the real ones.
    """

    name: str
    index: int
    super_category: str
    known: bool
    num_cad_models: int
    example_wnids: tuple[str, ...]


# category, super-category (ours), known (1/0), number of CAD models, example WNIDs.
# Sources: the v1 code ecosystem's 189 categories, EXP:know_categories.txt and
# the annotation tool's CAD folders (see docs in the repository README).
_CATEGORY_TABLE = """\
aeroplane,Vehicles,1,8,n02690373 n03335030 n04012084 n02691156
air_hammer,Work,1,1,
airship,Vehicles,0,3,
ambulance,Vehicles,0,5,
ashtray,Household,1,10,
ax,Work,1,5,
backpack,Household,1,16,n02769748 n02773838
barbell,Sports,1,3,
baseball_bat,Sports,1,1,
basket,Household,0,15,n02801938
battery,Electronics,0,2,
beaker,Work,1,1,
bed,Furniture,1,10,n02818832
bench,Furniture,1,7,
bicycle,Vehicles,1,6,n02834778 n03792782 n04026813 n02835271 n04126066
bicycle_built_for_two,Vehicles,0,3,
bicycle_pump,Work,0,1,
billiard_table,Sports,0,1,
blackboard,Furniture,0,11,
boat,Vehicles,1,6,n03141327 n04196502 n04115456 n04128499 n02932891 n02858304
bookshelf,Furniture,0,8,
bottle,Household,1,8,
bow,Sports,0,4,
bowl,Household,0,4,
bowling_pin,Sports,0,2,
boxing_glove,Sports,0,1,
bucket,Household,0,4,n02909870
bumper_car,Vehicles,0,2,
bus,Vehicles,1,6,
cabinet,Furniture,0,15,
calculator,Electronics,0,5,n03483823
camcorder,Electronics,0,2,
camera,Electronics,1,11,
can,Household,0,6,
cap,Household,0,15,
car,Vehicles,1,10,
cart,Vehicles,0,5,
cellphone,Electronics,1,11,n02992529 n03483823
chain_saw,Work,0,3,
chair,Furniture,0,10,
clock,Household,1,10,
coffee_maker,Electronics,1,7,n03063338
comb,Household,0,9,
computer,Electronics,0,12,n03180011
cone,Work,0,2,
cooker,Electronics,0,1,
cooling_tower,Work,1,1,
crutch,Work,0,1,
cup,Household,0,10,n03147509
desk_lamp,Electronics,0,8,
diningtable,Furniture,1,6,
dishwasher,Electronics,1,4,n03207941
door,Furniture,0,14,
dumbbell,Sports,0,3,
dune_buggy,Vehicles,0,1,
eraser,Work,0,15,
erlenmeyer_flask,Work,0,1,
eyeglasses,Household,1,11,n04272054
fan,Electronics,0,13,
faucet,Household,0,14,
ferris_wheel,Work,1,1,
filing_cabinet,Furniture,0,8,
fire_extinguisher,Work,0,9,n03345837
fire_truck,Vehicles,0,4,
fish_tank,Household,0,6,
flashlight,Household,1,6,n03359137
fork,Household,1,9,
forklift,Vehicles,0,4,
french_horn,Music,0,1,
frigate,Vehicles,0,2,
frisbee,Sports,0,1,
funnel,Household,1,2,
garbage_truck,Vehicles,0,2,
glider,Vehicles,0,1,
go_kart,Vehicles,0,3,
grinder,Work,0,1,
guitar,Music,1,5,n03467517
hacksaw,Work,0,2,
hair_dryer,Electronics,1,4,
hammer,Work,1,6,
hand_barrow,Vehicles,0,4,
hand_mower,Work,0,2,
harp,Music,0,3,
harvester,Vehicles,0,3,
headphone,Electronics,0,5,
helmet,Sports,0,8,n03513137
highchair,Furniture,0,2,
hockey_stick,Sports,0,1,
hot_air_balloon,Vehicles,1,1,
hourglass,Household,0,3,
hovercraft,Vehicles,0,2,
interphone,Electronics,0,2,
iron,Electronics,0,5,
jar,Household,0,7,
jinrikisha,Vehicles,1,2,
kettle,Household,0,7,n03612814
key,Household,1,13,
keyboard,Electronics,0,12,n03614007
knife,Household,0,8,
laptop,Electronics,1,5,
life_buoy,Sports,0,1,
light_bulb,Electronics,1,2,
lighter,Household,0,6,n03666591
lipstick,Household,1,2,
magnifier,Household,0,2,
mailbox,Furniture,0,8,
megaphone,Electronics,0,2,
micrometer,Work,1,1,
microphone,Electronics,1,7,
microwave,Electronics,0,6,
millwheel,Work,0,1,
motorbike,Vehicles,1,5,
mouse,Electronics,0,5,n03793489
padlock,Household,0,4,
paintbrush,Work,0,6,
pan,Household,1,5,n03880323
pay_phone,Electronics,0,3,
pen,Work,0,7,
pencil,Work,0,4,
piano,Music,0,5,
pillow,Household,1,6,
plate,Household,0,6,
pot,Household,0,7,
power_drill,Work,0,3,
printer,Electronics,0,6,
projector,Electronics,0,2,
punching_bag,Sports,0,2,
racket,Sports,1,3,
radiator,Electronics,0,2,
recreational_vehicle,Vehicles,0,4,
refrigerator,Electronics,1,12,
remote_control,Electronics,0,7,
riding_mower,Vehicles,1,2,
rifle,Sports,0,8,
road_pole,Work,1,16,
salt_or_pepper_shaker,Household,0,4,
satellite_dish,Electronics,0,5,n04138131
sax,Music,1,3,
school_bus,Vehicles,0,3,
scissors,Work,0,6,
screwdriver,Work,0,7,
segway,Vehicles,1,1,
sewing_machine,Electronics,0,3,
shaver,Electronics,1,1,
shoe,Household,1,10,
shopping_cart,Vehicles,1,2,
shovel,Work,1,5,
sign,Work,1,11,
sink,Furniture,0,2,
skate,Sports,1,2,
skateboard,Sports,0,2,
slipper,Household,0,6,
snowmobile,Vehicles,0,2,
sofa,Furniture,0,6,
sombrero,Household,1,2,
speaker,Electronics,0,9,
spoon,Household,0,7,
stapler,Work,0,5,
stove,Electronics,0,6,
suitcase,Household,1,9,n02773838
sundial,Work,0,1,
syringe,Work,1,2,
table_tennis_table,Sports,0,2,
tank,Vehicles,0,4,
teapot,Household,1,7,n04398044
telephone,Electronics,0,9,
toaster,Electronics,0,10,
toilet,Furniture,1,7,
toothbrush,Household,1,5,
tractor,Vehicles,0,3,
train,Vehicles,1,4,n04468005 n02917067 n03896233 n03711044
trash_bin,Household,0,10,n02747177
treadmill,Sports,1,3,
tricycle,Vehicles,0,4,
trolleybus,Vehicles,0,2,
trophy,Household,0,11,
trowel,Work,0,2,
tub,Furniture,1,9,
tvmonitor,Electronics,0,4,
unicycle,Vehicles,0,4,
vending_machine,Electronics,0,11,
violin,Music,0,4,
washer,Electronics,0,2,
washing_machine,Electronics,0,5,
watch,Household,0,9,
wheelchair,Vehicles,0,5,
whisk,Household,0,1,
wind_turbine,Work,1,2,
yurt,Work,0,1,
"""


def _parse_category_table(table: str) -> dict[str, CategoryInfo]:
    rows = [line.split(",") for line in table.strip().splitlines()]
    names = sorted(row[0] for row in rows)
    info = {}
    for name, super_category, known, num_cad, wnids in rows:
        info[name] = CategoryInfo(
            name=name,
            index=names.index(name),
            super_category=super_category,
            known=known == "1",
            num_cad_models=int(num_cad),
            example_wnids=tuple(wnids.split()),
        )
    return dict(sorted(info.items()))


CATEGORY_INFO: dict[str, CategoryInfo] = _parse_category_table(_CATEGORY_TABLE)

#: The 189 category names in sorted order; the position is the class index
#: used by the official experiment code.
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_INFO)
KNOWN_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if CATEGORY_INFO[c].known)
NOVEL_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if not CATEGORY_INFO[c].known)
#: category -> super-category. Our grouping, see SUPER_CATEGORY_NOTE.
SUPER_CATEGORIES: dict[str, str] = {c: CATEGORY_INFO[c].super_category for c in CATEGORIES}

OBJECT_STATUSES: tuple[str, ...] = (
    "status_good", "status_partially", "status_barely", "status_bad",
)
DENSE_VALUES: tuple[str, ...] = ("dense_yes", "dense_no")

# ---------------------------------------------------------------------------
# Camera (PASCAL3D+ convention, angles in radians)
# ---------------------------------------------------------------------------

#: PASCAL3D+/NeMo's viewport; the release stores it per object.
DEFAULT_VIEWPORT = 3000
DEFAULT_FOCAL = 1.0
#: Bins per angle of the official pose classifiers and linear probes.
NUM_BINS = 40

_TWO_PI = 2.0 * math.pi
_FLIP_YZ = np.diag([1.0, -1.0, -1.0])


def _rot_z(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack([
        np.stack([c, -s, zero], -1),
        np.stack([s, c, zero], -1),
        np.stack([zero, zero, one], -1),
    ], -2)


def _rot_x(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack([
        np.stack([one, zero, zero], -1),
        np.stack([zero, c, -s], -1),
        np.stack([zero, s, c], -1),
    ], -2)


def rotation_matrix(azimuth, elevation, theta) -> np.ndarray:
    """Object-to-camera rotation of the official evaluation, shape (..., 3, 3).

    ``R = Rz(theta) @ Rx(elevation - pi/2) @ Rz(-azimuth)``, exactly
    ``cal_rotation_matrix`` of imagenet3d_exp (the PASCAL3D+ convention of
    Xiang et al., WACV 2014). Broadcasts over array arguments.

        >>> rotation_matrix(0.0, np.pi / 2, 0.0).round(6).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    azimuth, elevation, theta = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (azimuth, elevation, theta)))
    return _rot_z(theta) @ _rot_x(elevation - math.pi / 2) @ _rot_z(-azimuth)


def camera_matrices(azimuth, elevation, theta, distance, px, py,
                    viewport=DEFAULT_VIEWPORT, focal=DEFAULT_FOCAL):
    """The equivalent OpenCV pinhole camera ``(K, R, t)`` of an annotation.

    A CAD point ``X`` lands at ``u ~ K (R X + t)`` in the original image, with
    ``K = [[M f, 0, px], [0, M f, py], [0, 0, 1]]`` (M = viewport, f = focal),
    ``R = diag(1, -1, -1) @ rotation_matrix(azimuth, elevation, theta)`` and
    ``t = (0, 0, distance)``: the object origin sits on the optical axis at depth
    ``distance`` and projects to (px, py). Broadcasts; shapes (..., 3, 3),
    (..., 3, 3), (..., 3).
    """
    R = _FLIP_YZ @ rotation_matrix(azimuth, elevation, theta)
    f, px, py, distance = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (
            np.asarray(viewport, dtype=np.float64) * focal, px, py, distance)))
    f, px, py, distance = (np.broadcast_to(v, R.shape[:-2]) for v in (f, px, py, distance))
    zero, one = np.zeros_like(f), np.ones_like(f)
    K = np.stack([
        np.stack([f, zero, px], -1),
        np.stack([zero, f, py], -1),
        np.stack([zero, zero, one], -1),
    ], -2)
    t = np.stack([zero, zero, distance], -1)
    return K, R, t


def project(points, azimuth, elevation, theta, distance, px, py,
            viewport=DEFAULT_VIEWPORT, focal=DEFAULT_FOCAL, *, return_depth=False):
    """Pixel coordinates (N, 2) of CAD points (N, 3) in the original image.

    The PASCAL3D+ projection (``project_3d.m``; ``proj2d`` of ImageNet3D's
    render_utils), computed through :func:`camera_matrices`. With
    ``return_depth=True`` also returns each point's camera depth (N,); points
    with depth <= 0 are behind the camera and their pixels are meaningless.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    K, R, t = camera_matrices(azimuth, elevation, theta, distance, px, py, viewport, focal)
    cam = points @ R.T + t
    depth = cam[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        uv = cam[:, :2] / depth[:, None] * K[0, 0] + K[:2, 2]
    return (uv, depth) if return_depth else uv


def pose_error(R_pred, R_gt) -> np.ndarray:
    """Geodesic angle between rotations, in radians in [0, pi]; shape (...).

    ``||logm(R_pred^T R_gt)||_F / sqrt(2)``, the pose error of ImageNet3D
    (Ma et al. 2024, Sec. 5) and of PASCAL3D+ viewpoint evaluation (Tulsiani &
    Malik, CVPR 2015). Computed as ``atan2(sin, cos)`` of the relative rotation,
    which stays accurate near 0 and pi where ``arccos`` loses digits. A
    non-finite input gives pi, the largest possible error.
    """
    R_pred = np.asarray(R_pred, dtype=np.float64)
    R_gt = np.asarray(R_gt, dtype=np.float64)
    rel = np.swapaxes(R_pred, -1, -2) @ R_gt
    cos = (np.trace(rel, axis1=-2, axis2=-1) - 1.0) / 2.0
    axis = np.stack([
        rel[..., 2, 1] - rel[..., 1, 2],
        rel[..., 0, 2] - rel[..., 2, 0],
        rel[..., 1, 0] - rel[..., 0, 1],
    ], -1) / 2.0
    sin = np.linalg.norm(axis, axis=-1)
    with np.errstate(invalid="ignore"):
        err = np.arctan2(sin, cos)
    finite = np.isfinite(R_pred).all(axis=(-2, -1)) & np.isfinite(R_gt).all(axis=(-2, -1))
    return np.where(finite & np.isfinite(err), err, math.pi)


def wrap_angle(angle) -> np.ndarray:
    """Angles wrapped to [0, 2 pi) (the release mixes signed and wrapped)."""
    wrapped = np.mod(np.asarray(angle, dtype=np.float64), _TWO_PI)
    # mod of a tiny negative number rounds to exactly 2 pi.
    return np.where(wrapped >= _TWO_PI, 0.0, wrapped)


def angle_to_bin(angle, num_bins: int = NUM_BINS) -> np.ndarray:
    """Periodic bin of an angle: ``floor((angle mod 2 pi) / 2 pi * num_bins)``.

    The official ``PoseToLabel(num_bins=40, border_type='periodic')`` of
    imagenet3d_exp, used for azimuth, elevation and theta alike.
    """
    return (np.floor(wrap_angle(angle) / _TWO_PI * num_bins).astype(np.int64)) % num_bins


def bin_to_angle(index, num_bins: int = NUM_BINS) -> np.ndarray:
    """The centre angle of a bin: ``(index + 0.5) / num_bins * 2 pi``."""
    return (np.asarray(index, dtype=np.float64) % num_bins + 0.5) / num_bins * _TWO_PI


# ---------------------------------------------------------------------------
# Files: CAD models and annotations
# ---------------------------------------------------------------------------


class AnnotationError(ValueError):
    """An annotation file that cannot be read as the release's format."""


class UnsafePickleError(AnnotationError):
    """An annotation pickle that asks for anything but numpy data and builtins."""


def _read_bytes(source: PathOrBytes) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        return source.read()
    with open(source, "rb") as handle:
        return handle.read()


def cad_relpath(category: str, cad_index: int) -> str:
    """Path of a CAD model inside the release: ``CAD/<category>/<NN>.off``.

    ``cad_index`` is 1-based, as in the release.
    """
    return f"CAD/{category}/{int(cad_index):02d}.off"


def read_off(source: PathOrBytes) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (V, 3) float64 and triangle faces (F, 3) int64 of an ASCII OFF.

    Accepts ``OFF`` on its own line or followed by the counts, comments after
    ``#`` and polygons with more than three vertices (fan-triangulated).
    Raises ValueError naming what is wrong.
    """
    text = _read_bytes(source).decode("ascii", errors="strict")
    fast = _read_plain_triangle_off(text)
    if fast is not None:
        return fast
    tokens = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            tokens.extend(line.split())
    if not tokens or not tokens[0].startswith("OFF"):
        raise ValueError("not an OFF file: the first token must be 'OFF'")
    head = tokens[0][3:]
    rest = ([head] if head else []) + tokens[1:]
    try:
        n_vertices, n_faces = int(rest[0]), int(rest[1])
        numbers = rest[3:]
        vertices = np.array(numbers[: 3 * n_vertices], dtype=np.float64)
    except (IndexError, ValueError) as error:
        raise ValueError(f"malformed OFF header or vertices: {error}") from None
    if vertices.size != 3 * n_vertices:
        raise ValueError(f"OFF declares {n_vertices} vertices but holds fewer")
    vertices = vertices.reshape(n_vertices, 3)
    face_tokens = numbers[3 * n_vertices:]
    if len(face_tokens) == 4 * n_faces and all(t == "3" for t in face_tokens[::4]):
        faces = np.array(face_tokens, dtype=np.int64).reshape(n_faces, 4)[:, 1:]
    else:
        faces = _fan_triangulate(face_tokens, n_faces)
    if faces.size and (faces.min() < 0 or faces.max() >= n_vertices):
        raise ValueError("OFF face index out of range")
    return vertices, faces


def _read_plain_triangle_off(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The common case (header on two lines, triangles, no comments) through
    numpy's C line parser, 2-3x faster than tokenising; None otherwise."""
    if "#" in text:
        return None
    lines = text.splitlines()
    try:
        if lines[0].strip() != "OFF":
            return None
        n_vertices, n_faces = (int(v) for v in lines[1].split()[:2])
        vertices = np.loadtxt(lines[2:2 + n_vertices], dtype=np.float64, ndmin=2)
        faces = np.loadtxt(lines[2 + n_vertices:2 + n_vertices + n_faces], dtype=np.int64, ndmin=2)
    except (IndexError, ValueError):
        return None
    if vertices.shape != (n_vertices, 3) or faces.shape != (n_faces, 4) or (faces[:, 0] != 3).any():
        return None
    faces = faces[:, 1:]
    if faces.size and (faces.min() < 0 or faces.max() >= n_vertices):
        raise ValueError("OFF face index out of range")
    return vertices, faces


def _fan_triangulate(tokens: list[str], n_faces: int) -> np.ndarray:
    triangles, position = [], 0
    for _ in range(n_faces):
        try:
            count = int(tokens[position])
            polygon = [int(t) for t in tokens[position + 1: position + 1 + count]]
        except (IndexError, ValueError):
            raise ValueError("malformed OFF faces") from None
        if len(polygon) != count or count < 3:
            raise ValueError("malformed OFF faces")
        triangles.extend((polygon[0], polygon[i], polygon[i + 1]) for i in range(1, count - 1))
        position += 1 + count
    return np.array(triangles, dtype=np.int64).reshape(-1, 3)


# -- GLB (binary glTF 2.0): how CAD geometry is stored in the Hub dataset ----------------------
# One buffer [float32 positions | uint32 indices], one triangle primitive with a grey material,
# one node rotated -90 degrees about x (our z-up to glTF's y-up; -y, our front, to +z, glTF's):
# the vertex data is stored unchanged, so it matches the .off to float32 precision.

#: Where the dataset keeps every CAD model's geometry (not a config: Data Studio cannot show meshes).
CAD_MESHES_FILE = "cad_meshes/cad_meshes-00000-of-00001.parquet"
_GLB_HEADER, _GLB_CHUNK = struct.Struct("<4sII"), struct.Struct("<I4s")
_GLB_FLOAT, _GLB_UINT = 5126, 5125
_GLB_MAX_JSON = 1 << 20  # our documents are ~1 KB; refuse to parse more
_H = math.sqrt(0.5)


def cad_mesh_rows(metadata) -> dict[tuple[str, int], tuple[int, int]] | None:
    """(category, cad_index) -> (row group, row) in :data:`CAD_MESHES_FILE`, from its Parquet footer
    alone (no request beyond it): each row group holds one category's models with consecutive
    cad_index from its minimum, as the converter writes them. None when the statistics do not show
    that; then read the ``category`` and ``cad_index`` columns instead."""
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    places = {}
    for number in range(metadata.num_row_groups):
        group = metadata.row_group(number)
        category, index = (group.column(names.index(name)).statistics for name in ("category", "cad_index"))
        if not (category is not None and index is not None and category.has_min_max and index.has_min_max
                and category.min == category.max and index.max - index.min + 1 == group.num_rows):
            return None
        places.update(((category.min, index.min + row), (number, row)) for row in range(group.num_rows))
    return places


class GlbError(ValueError):
    """Bytes that are not a GLB triangle mesh as :func:`write_glb` writes it (one-line reason)."""


def write_glb(vertices, faces) -> bytes:
    """A z-up triangle mesh (V, 3) / (F, 3), 0-based, as deterministic GLB bytes.

    >>> data = write_glb(np.eye(3), np.array([[0, 1, 2]]))
    >>> data[:4], len(data) % 4, read_glb(data)[1].tolist()
    (b'glTF', 0, [[0, 1, 2]])
    """
    v, f = np.asarray(vertices), np.asarray(faces)
    if v.ndim != 2 or v.shape[1] != 3 or len(v) == 0:
        raise ValueError(f"vertices must be a non-empty (V, 3) array, got shape {v.shape}")
    if f.ndim != 2 or f.shape[1] != 3 or len(f) == 0 or not np.issubdtype(f.dtype, np.integer):
        raise ValueError(f"faces must be a non-empty (F, 3) integer array, got {f.dtype} {f.shape}")
    pos = np.ascontiguousarray(v, dtype="<f4")
    if not np.isfinite(pos).all():
        raise ValueError("vertices must be finite (in float32)")
    if f.min() < 0 or f.max() >= len(v):
        raise ValueError(f"face indices must lie in [0, {len(v)})")
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


def read_glb(data: bytes) -> tuple[np.ndarray, np.ndarray]:
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


def _glb_accessor(doc: dict, index: int, blob: memoryview, kind: str, component: int) -> np.ndarray:
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


def _latin1_encode(text: str, encoding: str) -> bytes:
    # Protocol-2 pickles store bytes as _codecs.encode(str, "latin1"); admit
    # that use only, so a pickle cannot trigger codec lookups by name.
    if encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError(f"refused: _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


# The only globals an annotation pickle may name: numpy's array and scalar
# reconstructors and inert builtins. numpy 1.x pickles say numpy.core, 2.x
# numpy._core. _codecs.encode appears in protocol-2 pickles of bytes.
_SAFE_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "bytearray"): bytearray,
    ("collections", "OrderedDict"): dict,
    ("_codecs", "encode"): lambda text, encoding="utf-8": _latin1_encode(text, encoding),
}
for _module in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _SAFE_GLOBALS[(_module, "_reconstruct")] = np._core.multiarray._reconstruct
    _SAFE_GLOBALS[(_module, "scalar")] = np._core.multiarray.scalar
for _dtype_class in ("Float64DType", "Float32DType", "Int64DType", "Int32DType", "UInt16DType",
                     "UInt8DType", "Int16DType", "BoolDType", "StrDType", "BytesDType", "ObjectDType"):
    _SAFE_GLOBALS[("numpy.dtypes", _dtype_class)] = getattr(np.dtypes, _dtype_class)


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that builds numpy data and builtins and refuses everything else."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _SAFE_GLOBALS[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"refused: the annotation pickle asks for {module}.{name}, "
                "which is not numpy data (possible code execution)") from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("refused: persistent ids in an annotation pickle")


# An honest annotation file is a few KB; this bounds decompression bombs.
_MAX_MEMBER_BYTES = 64 * 1024 * 1024


# The header numpy writes for a 1-D object array; numpy's own parser goes
# through ast.literal_eval, a tenth of the cost of reading a whole file.
_OBJECT_HEADER = re.compile(rb"\{'descr': '\|O', 'fortran_order': False, 'shape': \((\d+),\), \} *\n")


def _read_npy_header(stream: io.BytesIO) -> tuple[tuple[int, ...], bool, np.dtype]:
    start = stream.tell()
    magic = stream.read(10)
    if magic[:8] == b"\x93NUMPY\x01\x00":
        length = int.from_bytes(magic[8:10], "little")
        match = _OBJECT_HEADER.fullmatch(stream.read(length))
        if match:
            return (int(match[1]),), False, np.dtype(object)
    stream.seek(start)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    return np.lib.format.read_array_header_2_0(stream)


def _load_npy(data: bytes) -> np.ndarray:
    stream = io.BytesIO(data)
    try:
        shape, fortran, dtype = _read_npy_header(stream)
    except ValueError as error:
        raise AnnotationError(f"malformed .npy header: {error}") from None
    if dtype.hasobject:
        try:
            array = _RestrictedUnpickler(stream, encoding="latin1").load()
        except AnnotationError:
            raise
        except Exception as error:  # any malformed pickle is a format error
            raise AnnotationError(f"malformed annotation pickle: {error!r}") from None
        if not isinstance(array, np.ndarray):
            raise AnnotationError("annotation pickle does not hold an array")
        return array
    count = int(np.prod(shape)) if shape else 1
    raw = stream.read()
    if len(raw) < count * dtype.itemsize:
        raise AnnotationError("truncated .npy data")
    array = np.frombuffer(raw, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C")


def _load_annotation_array(data: bytes) -> np.ndarray:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AnnotationError("not an .npz archive (bad zip)") from None
    with archive:
        try:
            member = archive.getinfo("annotations.npy")
        except KeyError:
            raise AnnotationError(
                f"no 'annotations' array in the .npz (keys: {archive.namelist()})") from None
        if member.file_size > _MAX_MEMBER_BYTES:
            raise AnnotationError(f"'annotations' array is too large ({member.file_size} bytes)")
        try:
            payload = archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise AnnotationError(f"corrupt .npz member: {error}") from None
    return _load_npy(payload)


_POSE_KEYS = ("azimuth", "elevation", "theta", "distance", "px", "py")


def read_annotations(source: PathOrBytes) -> list[dict]:
    """Read one release ``.npz`` into normalised per-object dicts.

    The file holds ``annotations``, a numpy object array of dicts, one per
    object. It is read with a restricted unpickler that admits only numpy
    arrays/scalars and builtin values: a pickle that names anything else (the
    way a crafted file would run code) raises :class:`UnsafePickleError`
    before anything runs. Each dict goes through :func:`normalize_object`.

    Raises :class:`AnnotationError` with the reason for any file that is not
    in the release's format.
    """
    array = _load_annotation_array(_read_bytes(source))
    objects = []
    for position, raw in enumerate(np.asarray(array, dtype=object).reshape(-1)):
        if not isinstance(raw, dict):
            raise AnnotationError(
                f"object {position} is a {type(raw).__name__}, not a dict")
        objects.append(normalize_object(raw))
    return objects


def _as_float(value: Any) -> float | None:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array) if array.size == 1 else None


def _as_int(value: Any) -> int | None:
    number = _as_float(value)
    return int(number) if number is not None and math.isfinite(number) else None


def _as_str(value: Any) -> str | None:
    if isinstance(value, (bytes, np.bytes_)):
        value = value.decode("utf-8", errors="replace")
    return str(value) if value is not None else None


def normalize_object(raw: dict) -> dict:
    """One release object dict -> a normalised record.

    Normalises the real data's quirks: angles wrapped to [0, 2 pi), height and
    width as int, bbox as 4 floats, viewport/focal defaulting to the PASCAL3D+
    3000/1.0 when absent. Objects are never dropped: ``usable`` says whether the
    official preprocessing would keep the object (pose keys present, finite,
    ``distance > 0``, ``object_status`` present and not ``status_bad``, no
    ``ignore`` flag) and ``unusable_reasons`` says why not.

    Returned keys: category, bbox, azimuth, elevation, theta, distance,
    viewport, focal, px, py, height, width, cad_index, object_status, dense,
    usable, unusable_reasons. Missing values are None.
    """
    reasons = []
    pose = {key: _as_float(raw[key]) if key in raw else None for key in _POSE_KEYS}
    missing = [key for key, value in pose.items() if value is None]
    if missing:
        reasons.append("missing pose keys: " + ", ".join(missing))
    elif not all(math.isfinite(value) for value in pose.values()):
        reasons.append("non-finite pose value")
    for key in ("azimuth", "elevation", "theta"):
        if pose[key] is not None and math.isfinite(pose[key]):
            pose[key] = float(wrap_angle(pose[key]))
    if pose["distance"] is not None and not pose["distance"] > 0:
        reasons.append("distance <= 0")

    status = _as_str(raw.get("object_status"))
    if status is None:
        reasons.append("missing object_status")
    elif status == "status_bad":
        reasons.append("object_status is status_bad")
    elif status not in OBJECT_STATUSES:
        reasons.append(f"unknown object_status {status!r}")
    ignore = _as_int(raw.get("ignore", 0))
    if ignore:
        reasons.append("ignore flag set")

    bbox = None
    if "bbox" in raw:
        try:
            values = np.asarray(raw["bbox"], dtype=np.float64).reshape(-1)
            bbox = [float(v) for v in values] if values.size == 4 else None
        except (TypeError, ValueError):
            bbox = None
        if bbox is None:
            reasons.append("malformed bbox")

    viewport = _as_int(raw["viewport"]) if "viewport" in raw else DEFAULT_VIEWPORT
    focal = _as_float(raw["focal"]) if "focal" in raw else DEFAULT_FOCAL
    return {
        "category": _as_str(raw.get("class")),
        "bbox": bbox,
        **pose,
        "viewport": viewport,
        "focal": focal,
        "height": _as_int(raw.get("height")),
        "width": _as_int(raw.get("width")),
        "cad_index": _as_int(raw.get("cad_index")),
        "object_status": status,
        "dense": _as_str(raw.get("dense")),
        "usable": not reasons,
        "unusable_reasons": reasons,
    }


# ---------------------------------------------------------------------------
# Hub dataset schema (datasets is imported only when asked for)
# ---------------------------------------------------------------------------

#: Configs of the Hub dataset and their splits.
CONFIG_SPLITS: dict[str, tuple[str, ...]] = {
    "default": ("train", "validation"),
    "open_vocabulary": ("train", "validation_known", "validation_novel"),
    "annotations": ("train", "validation"),
    "cad_models": ("train",),
    "categories": ("train",),
}

#: Raw release split name -> Hub split name.
RELEASE_SPLITS: dict[str, str] = {"train": "train", "val": "validation"}


def features(config: str = "default"):
    """The ``datasets.Features`` of a config of the Hub dataset.

    ``default`` and ``open_vocabulary`` rows are images with their objects;
    ``annotations`` are the same rows without the image bytes; ``cad_models``
    has one row per CAD model (counts and a rendered preview; :func:`load` adds
    the geometry) and ``categories`` one per category.
    """
    import datasets  # lazily: this module imports only numpy at import time

    string, f64, i32 = datasets.Value("string"), datasets.Value("float64"), datasets.Value("int32")
    obj = {
        "category": string,
        "bbox": datasets.List(f64, length=4),
        "azimuth": f64, "elevation": f64, "theta": f64, "distance": f64,
        "viewport": i32, "focal": f64, "px": f64, "py": f64,
        "cad_index": i32, "object_status": string, "dense": string,
        "usable": datasets.Value("bool"),
    }
    image_row = {
        "image_id": string, "category": string, "category_id": i32, "super_category": string,
        "known": datasets.Value("bool"), "synset": string, "width": i32, "height": i32,
        "caption": string, "objects": datasets.List(obj),
    }
    if config in ("default", "open_vocabulary"):
        return datasets.Features({"image": datasets.Image(), **image_row})
    if config == "annotations":
        return datasets.Features(image_row)
    if config == "cad_models":
        # Only types Data Studio can show: the geometry is in CAD_MESHES_FILE; load() joins it in.
        return datasets.Features({"category": string, "cad_index": i32, "num_vertices": i32,
                                  "num_faces": i32, "preview": datasets.Image()})
    if config == "categories":
        return datasets.Features({
            "category": string, "category_id": i32, "super_category": string,
            "known": datasets.Value("bool"), "synsets": datasets.List(string),
            "num_cad_models": i32, "description": string,
            "num_images": i32, "num_objects": i32, "num_usable_objects": i32,
            "num_train_images": i32, "num_validation_images": i32,
        })
    raise ValueError(f"unknown config {config!r}; configs: {', '.join(CONFIG_SPLITS)}")


# ---------------------------------------------------------------------------
# Loading (datasets is imported only when asked for)
# ---------------------------------------------------------------------------

#: Where ``load`` reads from when no source is given: a Hub repo id or a local
#: folder written by ``python -m conversion build``.
DEFAULT_SOURCE = os.environ.get("IMAGENET3D_SOURCE", "imagenet3d")


def _require_config(config: str) -> None:
    if config not in CONFIG_SPLITS:
        raise ValueError(f"unknown config {config!r}; configs: {', '.join(CONFIG_SPLITS)}")


def _require_rank(rank: int, world_size: int) -> None:
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is not in range(world_size={world_size})")


#: The folders every raw release has at its root (``imagenet3d_v1/``).
RELEASE_FOLDERS = ("images", "annotations", "lists")


class SourceError(ValueError):
    """A ``source`` that is not a converted ImageNet3D dataset: a raw release,
    a folder without the dataset's configs, or neither a local folder nor a Hub dataset."""


def release_root(path: str | os.PathLike) -> str | None:
    """The raw release folder (holding :data:`RELEASE_FOLDERS`) at ``path`` or in its
    ``imagenet3d_v1/`` folder, if either is one; else None."""
    for root in (os.fspath(path), os.path.join(path, "imagenet3d_v1")):
        if all(os.path.isdir(os.path.join(root, folder)) for folder in RELEASE_FOLDERS):
            return root
    return None


def _check_local_source(path: str, config: str) -> None:
    """One-line errors for a local folder that ``load_dataset`` would misread."""
    convert = "convert it first with python -m conversion build"
    if release_root(path) is not None:
        raise SourceError(f"{path} is a raw ImageNet3D release, not a converted dataset: {convert} {path} OUT")
    readme = os.path.join(path, "README.md")
    if not os.path.isfile(readme):
        raise SourceError(f"{path} is not a converted ImageNet3D dataset (no README.md with its configs): "
                          f"{convert} RELEASE {path}")
    from huggingface_hub import DatasetCard

    configs = [entry.get("config_name") for entry in DatasetCard.load(readme).data.get("configs") or []]
    if config not in configs:
        raise SourceError(f"{path} is not a converted ImageNet3D dataset: its README.md declares no config "
                          f"{config!r} (it has: {', '.join(map(str, configs)) or 'none'}); {convert} RELEASE {path}")


def _missing_source(source: str, hub: str) -> SourceError:
    """Neither a local folder nor a Hub dataset: say both, with the nearest local folder name."""
    import difflib

    parent = os.path.dirname(os.path.normpath(source)) or "."
    nearby = ([os.path.join(parent, name) if parent != "." else name for name in os.listdir(parent)]
              if os.path.isdir(parent) else [])
    close = difflib.get_close_matches(source, [name for name in nearby if name != source], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return SourceError(f"no local folder {source!r} under {os.getcwd()}{hint}, and {hub}")


_HUB_REPO_ID = re.compile(r"[\w.-]+/[\w.-]+")


def _check_source(source: str, config: str) -> bool:
    """Whether ``source`` is a local folder (checked to be a converted dataset); a one-line
    SourceError for anything that can be neither that nor a Hub dataset, before any Hub request."""
    if os.path.isdir(source):
        _check_local_source(source, config)
        return True
    if os.path.isfile(source):
        if zipfile.is_zipfile(source):
            raise SourceError(f"{source} is a raw ImageNet3D release zip, not a converted dataset: convert it "
                              f"first with python -m conversion build {source} OUT")
        raise SourceError(f"{source} is a file, not a converted ImageNet3D dataset folder")
    if not (source.startswith("hf://") or _HUB_REPO_ID.fullmatch(source)):
        raise _missing_source(source, f"{source!r} is not a Hub dataset id (ORG/NAME): pass source= a folder "
                                      "written by python -m conversion build, or a Hub dataset ORG/NAME")
    return False


def load(config: str = "default", split: str | None = None, streaming: bool = False,
         source: str | os.PathLike | None = None, **kwargs):
    """One config of the Hub dataset, through ``datasets.load_dataset``.

    ``source`` is a local converted folder or a Hub repo id (default:
    ``$IMAGENET3D_SOURCE``, else ``"imagenet3d"``). Other keyword arguments go
    to ``load_dataset`` unchanged (``revision``, ``cache_dir``, ...).
    ``cad_models`` rows also get ``vertices`` float32 (V, 3), ``faces`` int32
    (F, 3) and ``glb`` (bytes) from :data:`CAD_MESHES_FILE`, read when a row is
    accessed (they are not in ``features``; ``load_dataset`` alone gives the
    counts and preview images only).
    :class:`SourceError` (one line) for a raw release folder, a folder that
    is not a converted dataset, or a name that is neither a local folder
    nor a Hub dataset.

        >>> ds = imagenet3d.load(source="demo/imagenet3d")                  # doctest: +SKIP
        >>> ov = imagenet3d.load("open_vocabulary", "validation_novel", streaming=True,
        ...                      source="org/imagenet3d")                   # doctest: +SKIP
    """
    _require_config(config)
    if split is not None and split not in CONFIG_SPLITS[config]:
        raise ValueError(f"config {config!r} has no split {split!r}; splits: {', '.join(CONFIG_SPLITS[config])}")
    import datasets

    source = os.fspath(source or DEFAULT_SOURCE)
    local = _check_source(source, config)
    try:
        dataset = datasets.load_dataset(source, config, split=split, streaming=streaming, **kwargs)
    except (datasets.exceptions.DatasetNotFoundError, FileNotFoundError, ConnectionError) as error:
        if local:
            raise
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise _missing_source(source, f"no Hub dataset {source!r} could be loaded ({reason})") from None
    return _with_cad_geometry(dataset, source, local, kwargs) if config == "cad_models" else dataset


class _CadGeometry:
    """Adds ``vertices`` float32 (V, 3), ``faces`` int32 (F, 3) and ``glb`` (bytes) to batches of
    cad_models rows, from :data:`CAD_MESHES_FILE` (local or hf://), decoded on access. Its footer
    locates every model; then one ranged read per category (its row group's ``glb`` column), and
    the last two categories are kept: bounded memory, few requests."""

    def __init__(self, path: str, storage_options: dict):
        self.path, self.storage_options = path, storage_options
        self._metadata, self._where, self._groups = None, None, {}

    def __getstate__(self) -> dict:  # to DataLoader workers without the caches
        return {"path": self.path, "storage_options": self.storage_options}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def _read(self, columns: list[str], group: int | None = None):
        """Some columns of one row group (None: of the whole file); the footer is read once."""
        import fsspec
        import pyarrow.parquet as pq

        if "://" in self.path:  # no read-ahead cache: a column chunk is one request of its own size, not 5 MB
            filesystem, path = fsspec.core.url_to_fs(self.path, **self.storage_options)
            opened = filesystem.open(path, "rb", cache_type="none")
        else:
            opened = open(self.path, "rb")
        with opened as file:
            # No pyarrow threads: with them, a process that read over HTTPS may abort at exit.
            parquet = pq.ParquetFile(file, metadata=self._metadata, pre_buffer=False)
            self._metadata = parquet.metadata
            if group is None:
                return parquet.read(columns, use_threads=False)
            return parquet.read_row_group(group, columns, use_threads=False)

    def _locate(self) -> dict[tuple[str, int], tuple[int, int]]:
        if self._where is None:
            if self._metadata is None:
                self._read([])  # the footer only
            self._where = cad_mesh_rows(self._metadata) or self._read_keys()
        return self._where

    def _read_keys(self) -> dict[tuple[str, int], tuple[int, int]]:
        """Where each model is, from the key columns (when the footer's statistics cannot tell)."""
        table = self._read(["category", "cad_index"])
        sizes = [self._metadata.row_group(g).num_rows for g in range(self._metadata.num_row_groups)]
        places = [(group, row) for group, rows in enumerate(sizes) for row in range(rows)]
        return dict(zip(zip(table.column(0).to_pylist(), table.column(1).to_pylist()), places))

    def glb(self, category: str, cad_index: int) -> bytes:
        place = self._locate().get((category, cad_index))
        if place is None:
            raise KeyError(f"CAD model {category}/{cad_index:02d} is not in {self.path}")
        group, row = place
        if group not in self._groups:
            if len(self._groups) >= 2:
                del self._groups[next(iter(self._groups))]  # the older category
            self._groups[group] = self._read(["glb"], group).column(0)
        return self._groups[group][row].as_py()

    def __call__(self, batch: dict) -> dict:
        if "category" not in batch or "cad_index" not in batch:
            return batch  # one column asked for: nothing to join
        glbs = [self.glb(c, i) for c, i in zip(batch["category"], batch["cad_index"])]
        meshes = [read_glb(data) for data in glbs]
        return {**batch, "vertices": [v for v, _ in meshes], "faces": [f for _, f in meshes], "glb": glbs}


def _with_cad_geometry(dataset, source: str, local: bool, kwargs: dict):
    """cad_models rows with their geometry joined in, lazily (see :class:`_CadGeometry`)."""
    import datasets
    from urllib.parse import quote

    if local:
        path = os.path.join(source, CAD_MESHES_FILE)
        if not os.path.isfile(path):
            raise SourceError(f"{source} has no {CAD_MESHES_FILE}: rebuild it with python -m conversion build")
    else:
        revision = kwargs.get("revision")
        repo = source.removeprefix("hf://datasets/")
        path = f"hf://datasets/{repo}{'@' + quote(revision, safe='') if revision else ''}/{CAD_MESHES_FILE}"
    token = kwargs.get("token")
    geometry = _CadGeometry(path, {"token": token} if token is not None else {})

    def join(part):
        if isinstance(part, datasets.IterableDataset):
            return part.map(geometry, batched=True, batch_size=16)
        return part.with_transform(geometry)

    if isinstance(dataset, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        return type(dataset)({name: join(part) for name, part in dataset.items()})
    return join(dataset)


def object_id(image_id: str, index: int) -> str:
    """The id of the ``index``-th object of an image, as the official object-centric
    files name it (``<stem>_<obj:02d>``): ``"chair/n03001627_123_00"``.

        >>> object_id("chair/n03001627_123", 1)
        'chair/n03001627_123_01'
    """
    return f"{image_id}_{index:02d}"


# ---------------------------------------------------------------------------
# Object-centric samples (the official crop) and the distributed object stream
# ---------------------------------------------------------------------------

#: The official object-centric crop: imagenet3d_exp ``preprocess_data.py
#: --center_and_resize`` (512 x 512, objects brought to distance 4).
CROP_SIZE = 512
CROP_DISTANCE = 4.0

#: What ``object_stream`` does with the objects left over when they do not
#: split equally over ranks x workers (see ``object_stream``).
REMAINDER_MODES = ("pad", "drop")


def center_and_resize(image, obj: dict, size: int = CROP_SIZE, distance: float | None = None):
    """The official centre-and-resize crop of one object, and its annotation adjusted to it.

    As imagenet3d_exp's ``preprocess_data.py --center_and_resize`` does for
    512 x 512: the image is scaled by ``resize_rate = obj["distance"] / 4``
    (so the object sits at distance 4), then padded or cropped so that
    (px, py) lands at the centre. Angles are unchanged; px, py become
    size / 2, the box is scaled and shifted, padding is black. Another
    ``size`` gives the same view at another resolution (the 512 crop resized),
    with the object at ``distance = 4 * 512 / size`` so that the adjusted
    annotation still projects the CAD model onto the crop. Returns
    ``(crop, adjusted)``; ``adjusted`` keeps every key of ``obj`` and adds
    ``resize_rate``. The object must be usable (a pose and distance > 0).

        >>> from PIL import Image
        >>> obj = {"azimuth": 0.1, "elevation": 0.2, "theta": 0.0, "distance": 8.0,
        ...        "px": 100.0, "py": 50.0, "bbox": [80.0, 30.0, 120.0, 70.0]}
        >>> crop, adjusted = center_and_resize(Image.new("RGB", (200, 100)), obj)
        >>> crop.size, adjusted["px"], adjusted["distance"], adjusted["resize_rate"], adjusted["bbox"]
        ((512, 512), 256.0, 4.0, 2.0, [216.0, 216.0, 296.0, 296.0])
        >>> center_and_resize(Image.new("RGB", (200, 100)), obj, size=128)[1]["bbox"]
        [54.0, 54.0, 74.0, 74.0]
    """
    from PIL import Image

    if not obj.get("distance") or obj["distance"] <= 0 or obj.get("px") is None or obj.get("py") is None:
        raise ValueError("center_and_resize needs a usable object (distance > 0, px and py)")
    distance = CROP_DISTANCE * CROP_SIZE / size if distance is None else distance
    full_rate = rate = obj["distance"] / distance
    px, py = obj["px"], obj["py"]
    if rate < 0.5 and getattr(image, "format", None) == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale (DCT scaling) when the crop is that much smaller.
        width = image.width
        step = 2 ** min(3, int(math.log2(1.0 / rate)))
        image.draft("RGB", (width // step, image.height // step))
        step = round(width / image.width)   # what the decoder chose (1, 2, 4 or 8)
        px, py, rate = px / step, py / step, rate * step
    image = image.convert("RGB")
    if rate < 0.5:  # shrinking a lot: average pixels first instead of skipping them
        factor = int(1.0 / rate)
        image = image.reduce(factor)
        px, py, rate = px / factor, py / factor, rate * factor
    # Output pixel (u, v) samples the input at ((u - size/2) / rate + px, (v - size/2) / rate + py).
    inverse = 1.0 / rate
    crop = image.transform((size, size), Image.Transform.AFFINE,
                           (inverse, 0.0, px - size / 2 * inverse, 0.0, inverse, py - size / 2 * inverse),
                           resample=Image.Resampling.BILINEAR, fillcolor=(0, 0, 0))
    centre = size / 2
    adjusted = dict(obj, px=float(centre), py=float(centre), distance=float(distance), resize_rate=float(full_rate))
    if obj.get("bbox") is not None:
        x1, y1, x2, y2 = obj["bbox"]
        adjusted["bbox"] = [float((x1 - obj["px"]) * full_rate + centre), float((y1 - obj["py"]) * full_rate + centre),
                            float((x2 - obj["px"]) * full_rate + centre), float((y2 - obj["py"]) * full_rate + centre)]
    return crop, adjusted


def object_sample(image_bytes: bytes, row: dict, index: int, size: int | None = CROP_SIZE,
                  is_padding: bool = False) -> dict:
    """One object-centric training sample: the crop, the adjusted pose and the three 40-bin labels.

    ``row`` is an image row of the ``default`` / ``open_vocabulary`` config
    (without its image), ``index`` the object's position in ``row["objects"]``.
    ``size=None`` keeps the whole image and the original annotation.
    """
    from PIL import Image

    obj = row["objects"][index]
    image = Image.open(io.BytesIO(image_bytes))
    if size is None:
        picture, adjusted = image.convert("RGB"), dict(obj, resize_rate=1.0)
    else:
        picture, adjusted = center_and_resize(image, obj, size)
    sample = {"image": picture, "object_id": object_id(row["image_id"], index), "image_id": row["image_id"],
              "object_index": index, "category_id": CATEGORY_INFO[obj["category"]].index,
              "super_category": SUPER_CATEGORIES[obj["category"]],
              "known": obj["category"] in KNOWN_CATEGORIES, **adjusted, "is_padding": is_padding}
    for name in ("azimuth", "elevation", "theta"):
        sample[f"{name}_bin"] = int(angle_to_bin(obj[name]))
    return sample


def usable_object_indices(objects: list[dict] | None) -> list[int]:
    """Positions of the objects the official scripts keep (``usable``)."""
    return [k for k, obj in enumerate(objects or []) if obj.get("usable")]


class _ObjectCrops:
    """``with_transform`` of ``to_objects``: reads each object's image from the
    image dataset by row number and crops it (in the DataLoader's workers)."""

    def __init__(self, images, size: int | None):
        self.images = images
        self.size = size

    def __call__(self, batch: dict) -> dict:
        rows = self.images[batch["row"]]
        out: dict[str, list] = {}
        for n, index in enumerate(batch["object_index"]):
            row = {key: values[n] for key, values in rows.items()}  # one image row, bytes undecoded
            sample = object_sample(row["image"]["bytes"], row, index, self.size)
            for key, value in sample.items():
                out.setdefault(key, []).append(value)
        return out


def _explode_objects(batch: dict) -> dict:
    """Batched map: one row per usable object (image bytes stay undecoded)."""
    out: dict[str, list] = {key: [] for key in (*batch, "object_index")}
    for n, objects in enumerate(batch["objects"]):
        for index in usable_object_indices(objects):
            for key, values in batch.items():
                out[key].append(values[n])
            out["object_index"].append(index)
    return out


def _crop_example(example: dict, size: int | None) -> dict:
    row = {key: value for key, value in example.items() if key not in ("image", "object_index")}
    return object_sample(example["image"]["bytes"], row, example["object_index"], size)


def to_objects(dataset, size: int | None = CROP_SIZE):
    """One sample per usable object of a ``default`` / ``open_vocabulary`` split,
    with the official crop (``center_and_resize``) and the three 40-bin labels.

    A ``datasets.Dataset`` gives a ``Dataset`` of objects (a small table of row
    numbers; each object's image is read and cropped when it is accessed, so
    it also works inside DataLoader workers). A ``datasets.IterableDataset``
    (streaming) gives an ``IterableDataset`` that crops as it goes.

        >>> ds = imagenet3d.load("open_vocabulary", "validation_novel", source="demo/imagenet3d")  # doctest: +SKIP
        >>> objects = imagenet3d.to_objects(ds)                                                 # doctest: +SKIP
        >>> objects[0]["image"].size, objects[0]["azimuth_bin"]                                 # doctest: +SKIP
        ((512, 512), 17)
    """
    import datasets

    if isinstance(dataset, datasets.IterableDataset):
        raw = dataset.cast_column("image", datasets.Image(decode=False))
        exploded = raw.map(_explode_objects, batched=True, batch_size=64)
        # No features on the result: with them datasets would re-encode every crop.
        return exploded.map(_crop_example, fn_kwargs={"size": size}, remove_columns=list(raw.column_names))
    rows, indices, ids = [], [], []
    for row, (image_id, objects) in enumerate(zip(dataset["image_id"], dataset["objects"])):
        for index in usable_object_indices(objects):
            rows.append(row)
            indices.append(index)
            ids.append(object_id(image_id, index))
    table = datasets.Dataset.from_dict({"row": rows, "object_index": indices, "object_id": ids})
    return table.with_transform(_ObjectCrops(dataset.cast_column("image", datasets.Image(decode=False)), size))


@contextmanager
def _open_parquet(path: str):
    """A ``pyarrow.parquet.ParquetFile`` of a shard: memory-mapped when it is a local file
    (no Python file object between Arrow and the page cache), else through fsspec (hf://...)."""
    import pyarrow.parquet as pq

    if "://" not in path or path.startswith("file://"):
        yield pq.ParquetFile(path.removeprefix("file://"), memory_map=True)
        return
    import fsspec

    with fsspec.open(path, "rb") as file:
        yield pq.ParquetFile(file)


def split_files(config: str, split: str, source: str | os.PathLike | None = None, **load_kwargs) -> list[str]:
    """The Parquet shards of one split of a config (local paths or hf:// URLs), sorted.

        >>> imagenet3d.split_files("open_vocabulary", "validation_novel", "demo/imagenet3d")  # doctest: +SKIP
        ['.../data/validation-novel-00000-of-00001.parquet']
    """
    _require_config(config)
    import datasets

    builder = datasets.load_dataset_builder(os.fspath(source or DEFAULT_SOURCE), config, **load_kwargs)
    if split not in builder.config.data_files:
        raise ValueError(f"config {config!r} has no split {split!r}; splits: {', '.join(builder.config.data_files)}")
    return sorted(builder.config.data_files[split])


def _usable_positions(path: str) -> list[tuple[int, int, int]]:
    """(row group, row, object index) of every usable object of one Parquet file, in order."""
    import pyarrow.compute as pc

    found = []
    with _open_parquet(path) as parquet:
        for group in range(parquet.metadata.num_row_groups):
            objects = parquet.read_row_group(group, columns=["objects"]).column(0).combine_chunks()
            rows = pc.list_parent_indices(objects).to_numpy()
            usable = objects.flatten().field("usable").fill_null(False).to_numpy(zero_copy_only=False)
            starts = objects.offsets.to_numpy()[rows]
            position = np.arange(len(rows)) - starts   # index of each object within its image
            found += [(group, int(r), int(k)) for r, k in zip(rows[usable], position[usable])]
    return found


def usable_objects(files: list[str]) -> list[tuple[str, int, int, int]]:
    """(file, row group, row, object index) of every usable object, in file order."""
    return [(path, *position) for path in files for position in _usable_positions(path)]


def plan_object_shards(objects: list[tuple[str, int, int, int]], num_shards: int,
                       remainder: str = "pad") -> list[list]:
    """Split ``objects`` (from ``usable_objects``) into ``num_shards`` shards of exactly equal size.

    Objects keep their file, row-group, row, object order. With N objects and
    S shards, ``"pad"`` makes every shard ceil(N / S) long by repeating objects
    from the start (flagged ``is_padding``, as torch's DistributedSampler pads),
    so every object is seen once and a few (fewer than S) twice; ``"drop"``
    makes them floor(N / S) long and leaves out the last N mod S objects.
    Each shard is a list of pieces ``[file, row_group, [[row, object_index, is_padding], ...]]``
    so that one row group is read once per piece.
    """
    if remainder not in REMAINDER_MODES:
        raise ValueError(f"remainder must be one of {REMAINDER_MODES}, got {remainder!r}")
    total = len(objects)
    per_shard = -(-total // num_shards) if remainder == "pad" else total // num_shards
    if total == 0 or per_shard == 0:
        raise ValueError(f"{total} usable objects cannot fill {num_shards} equal shards")
    shards = []
    for shard in range(num_shards):
        pieces: list[list] = []
        for position in range(shard * per_shard, (shard + 1) * per_shard):
            path, group, row, index = objects[position % total]
            if not pieces or pieces[-1][0] != path or pieces[-1][1] != group:
                pieces.append([path, group, []])
            pieces[-1][2].append([row, index, position >= total])
        shards.append(pieces)
    return shards


def _generate_object_stream(shards: list[list], size: int | None):
    """The generator behind ``object_stream``: reads each piece's row group once."""
    for pieces in shards:
        for path, run in itertools.groupby(pieces, key=lambda piece: piece[0]):
            with _open_parquet(path) as parquet:
                for _, group, wanted in run:
                    rows = parquet.read_row_group(group).take([row for row, _, _ in wanted]).to_pylist()
                    for (_, index, is_padding), row in zip(wanted, rows):
                        yield object_sample(row.pop("image")["bytes"], row, index, size, is_padding)


def object_stream(config: str = "open_vocabulary", split: str = "train", *, source=None,
                  rank: int = 0, world_size: int = 1, num_workers: int = 0, size: int | None = CROP_SIZE,
                  remainder: str = "pad", shuffle: bool = True, seed: int = 0, buffer_size: int | None = 1000,
                  objects_per_shard: int = 512, **load_kwargs):
    """Object-centric samples streamed from the Parquet shards, for training on many GPUs.

    Returns a ``datasets.IterableDataset`` holding this ``rank``'s part. The
    usable objects are split into ``world_size x max(num_workers, 1) x k``
    shards of *exactly equal size* (``plan_object_shards``; about
    ``objects_per_shard`` objects each), the shard order is shuffled with
    ``seed`` (the same on every rank; call ``set_epoch`` on the result for a
    new order each epoch), then ``datasets.distributed.split_dataset_by_node``
    hands each rank whole shards and the DataLoader hands each of its
    ``num_workers`` workers whole shards. So every rank and every worker gets
    disjoint data in equal amounts, and all of it: with ``remainder="pad"``
    (default) fewer than ``world_size x workers x k`` objects are repeated,
    flagged ``is_padding`` (drop them when evaluating); with ``"drop"`` as many
    are left out. Each rank reads only its own row groups.

    ``buffer_size`` objects are shuffled in a buffer. Resuming with torchdata's
    ``StatefulDataLoader`` restarts the current shards where they were, but
    datasets does not save the shuffle buffer's content: with a buffer, up to
    ``buffer_size`` objects per worker are lost from the resumed epoch. With
    ``buffer_size=None`` only the shard order is shuffled, by ``seed`` (pass
    ``seed + epoch`` for a new order each epoch; ``set_epoch`` then changes
    nothing), and a resumed epoch is exact.

        >>> train = imagenet3d.object_stream(source="demo/imagenet3d", rank=rank, world_size=world,
        ...                                  num_workers=2, size=224)                 # doctest: +SKIP
        >>> loader = torch.utils.data.DataLoader(train, batch_size=64, num_workers=2,
        ...                                      collate_fn=...)                       # doctest: +SKIP
    """
    import datasets
    from datasets.distributed import split_dataset_by_node

    _require_rank(rank, world_size)
    objects = usable_objects(split_files(config, split, source, **load_kwargs))
    slots = world_size * max(num_workers, 1)
    shards_per_slot = max(1, len(objects) // (slots * max(objects_per_shard, 1)))
    shards = plan_object_shards(objects, slots * shards_per_slot, remainder)
    if shuffle and not buffer_size:
        # No buffer: the shard order alone is shuffled, here, so that a resumed epoch is exact.
        shards = [shards[k] for k in np.random.default_rng(seed).permutation(len(shards))]
    stream = datasets.IterableDataset.from_generator(
        _generate_object_stream, gen_kwargs={"shards": shards, "size": size})
    if shuffle and buffer_size:
        stream = stream.shuffle(seed=seed, buffer_size=buffer_size)
    return split_dataset_by_node(stream, rank=rank, world_size=world_size)


# ---------------------------------------------------------------------------
# Decode-free batches straight from the shards
# ---------------------------------------------------------------------------

def _dataloader_worker() -> tuple[int, int]:
    """(worker id, number of workers) inside a torch DataLoader worker, else (0, 1).
    torch is looked up, not imported: this module does not depend on it."""
    torch = sys.modules.get("torch")
    info = torch.utils.data.get_worker_info() if torch is not None else None
    return (info.id, info.num_workers) if info is not None else (0, 1)


class ArrowBatches:
    """Decode-free ``pyarrow.RecordBatch``es of Parquet shards, read with pyarrow alone.

    For pipelines that want the stored bytes as fast as storage delivers them:
    JPEG bytes for a GPU decoder (``torchvision.io.decode_jpeg(..., device="cuda")``,
    nvJPEG, DALI), feature extraction, hashing, re-encoding. The image column
    stays ``struct<bytes, path>``, undecoded; ``batch.to_pylist()`` gives the
    rows ``load(...).decode(False)`` gives. Local shards are memory-mapped;
    hf:// and other URLs go through fsspec. Without datasets' per-batch work
    it is 1.5-1.9x faster than ``with_format("arrow")`` batches of the same
    files in the page cache, and reads a local disk at 0.87-1.8x ``cat``'s
    speed (BENCHMARKS.md, "Training data loading").

    The units of work are row groups (about 40 images). ``rank`` of
    ``world_size`` and, inside a torch DataLoader, each of its workers take a
    contiguous run of them: disjoint, together all of them, sizes differing by
    at most one row group. (For exactly equal per-rank counts, as DDP training
    needs, use ``object_stream``.) With ``shuffle`` the row-group order is
    permuted by ``seed + epoch``, the same on every rank; ``set_epoch`` moves
    to the next order. ``state_dict`` / ``load_state_dict`` let torchdata's
    ``StatefulDataLoader`` resume an epoch exactly where each worker was.

        >>> batches = imagenet3d.arrow_batches("default", "train", source="demo/imagenet3d",
        ...                                    columns=["image", "image_id"])       # doctest: +SKIP
        >>> for batch in batches:                                                   # doctest: +SKIP
        ...     jpegs = batch.column("image").field("bytes").to_pylist()
        >>> loader = torch.utils.data.DataLoader(batches, batch_size=None, num_workers=2)  # doctest: +SKIP
    """

    def __new__(cls, *args, **kwargs):
        # A torch IterableDataset whenever torch is loaded (as datasets' IterableDataset is), so
        # that DataLoader iterates it in its workers; without importing torch here.
        torch = sys.modules.get("torch")
        if cls is ArrowBatches and torch is not None:
            cls = _torch_arrow_batches(torch.utils.data.IterableDataset)
        return super().__new__(cls)

    def __reduce__(self):
        return _rebuild_arrow_batches, (self.__dict__,)

    def __init__(self, files: list[str], columns: list[str] | None = None, batch_size: int = 64, *,
                 rank: int = 0, world_size: int = 1, shuffle: bool = False, seed: int = 0):
        _require_rank(rank, world_size)
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.files, self.batch_size = [os.fspath(f) for f in files], batch_size
        self.rank, self.world_size, self.shuffle, self.seed, self.epoch = rank, world_size, shuffle, seed, 0
        self.row_groups: list[tuple[int, int, int]] = []   # (file index, row group, rows)
        for index, path in enumerate(self.files):
            try:
                with _open_parquet(path) as parquet:
                    metadata, names = parquet.metadata, parquet.schema_arrow.names
            except (OSError, ValueError) as error:   # pyarrow's messages do not name the file
                raise ValueError(f"{path} is not a readable Parquet shard: {error}") from error
            self.row_groups += [(index, g, metadata.row_group(g).num_rows) for g in range(metadata.num_row_groups)]
            unknown = [c for c in columns or () if c not in names]
            if unknown:
                raise ValueError(f"{path} has no column {unknown[0]!r}; columns: {', '.join(names)}")
        self.columns = list(columns) if columns else None
        self._rows_done = self._resume_rows = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def state_dict(self) -> dict:
        """Where this iterator is (torchdata's ``StatefulDataLoader`` saves it per worker)."""
        return {"epoch": self.epoch, "rows_done": self._rows_done}

    def load_state_dict(self, state: dict) -> None:
        """Resume: the next iteration starts after the rows already yielded in that epoch."""
        self.epoch, self._resume_rows = state["epoch"], state["rows_done"]

    def _units(self, worker: int, num_workers: int) -> list[tuple[int, int, int]]:
        units = self.row_groups
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(len(units))
            units = [units[k] for k in order]
        slots, slot = self.world_size * num_workers, self.rank * num_workers + worker
        return units[len(units) * slot // slots:len(units) * (slot + 1) // slots]

    @property
    def num_rows(self) -> int:
        """Rows this rank yields per epoch (its workers' runs together are its run)."""
        return sum(rows for _, _, rows in self._units(0, 1))

    def __iter__(self) -> Iterator:
        units, skip = self._units(*_dataloader_worker()), self._resume_rows
        self._rows_done, self._resume_rows = skip, 0
        while units and units[0][2] <= skip:   # resuming: whole row groups already yielded
            skip -= units.pop(0)[2]
        # One open per run of row groups of the same file.
        for index, run in itertools.groupby(units, key=lambda unit: unit[0]):
            with _open_parquet(self.files[index]) as parquet:
                for batch in parquet.iter_batches(self.batch_size, row_groups=[group for _, group, _ in run],
                                                  columns=self.columns, use_threads=True):
                    if skip:   # the rest of a row group that was partly yielded
                        batch, skip = batch.slice(min(skip, batch.num_rows)), max(skip - batch.num_rows, 0)
                        if not batch.num_rows:
                            continue
                    self._rows_done += batch.num_rows
                    yield batch


@lru_cache(maxsize=None)
def _torch_arrow_batches(iterable_dataset: type) -> type:
    return type("ArrowBatches", (ArrowBatches, iterable_dataset), {"__module__": __name__})


def _rebuild_arrow_batches(state: dict) -> ArrowBatches:
    batches = ArrowBatches.__new__(ArrowBatches)
    batches.__dict__.update(state)
    return batches


def arrow_batches(config: str = "default", split: str = "train", *, source: str | os.PathLike | None = None,
                  columns: list[str] | None = None, batch_size: int = 64, rank: int = 0, world_size: int = 1,
                  shuffle: bool = False, seed: int = 0, **load_kwargs) -> ArrowBatches:
    """``ArrowBatches`` over one split of a config (a local converted folder or a Hub repo id)."""
    return ArrowBatches(split_files(config, split, source, **load_kwargs), columns, batch_size,
                        rank=rank, world_size=world_size, shuffle=shuffle, seed=seed)


# ---------------------------------------------------------------------------
# Decoding whole images fast (measured in benchmarks/bench_training.py)
# ---------------------------------------------------------------------------

#: The columns of the default / open_vocabulary configs a pose model trains on.
TRAINING_COLUMNS = ["image", "image_id", "category_id", "objects"]


def _rgb(image):
    """A decoded RGB PIL image."""
    image.load()
    return image if image.mode == "RGB" else image.convert("RGB")


class DecodeImages:
    """A batched ``IterableDataset.map`` function: decodes the batch's images (as datasets' Image
    feature does, then RGB) in ``num_threads`` threads: the calling thread and num_threads - 1
    helpers, all taking the next image of the batch until none is left.

    datasets' ``decode(num_threads=N)`` makes one asyncio task per example and N pool threads
    besides the main one; handing a whole Arrow batch (a row group) to threads that include the
    calling one costs less CPU per image. The helpers are created lazily in each process, so the
    function can go to DataLoader workers."""

    def __init__(self, num_threads: int = 1):
        from datasets import Image

        self.num_threads, self.feature, self._pool, self._pid = num_threads, Image(), None, None

    def _decode(self, value: dict):
        return _rgb(self.feature.decode_example(value))

    def __call__(self, batch: dict) -> dict:
        values = batch["image"]
        if self.num_threads <= 1:
            batch["image"] = [self._decode(v) for v in values]
            return batch
        if self._pid != os.getpid():
            self._pool = ThreadPoolExecutor(self.num_threads - 1, thread_name_prefix="decode")
            self._pid = os.getpid()
        decoded, indices = [None] * len(values), iter(range(len(values)))  # next() on it is atomic

        def work():
            for i in indices:
                decoded[i] = self._decode(values[i])

        helpers = [self._pool.submit(work) for _ in range(self.num_threads - 1)]
        work()
        for helper in helpers:
            helper.result()
        batch["image"] = decoded
        return batch

    def __getstate__(self):
        return {**self.__dict__, "_pool": None, "_pid": None}


def decode_images(dataset, num_threads: int = 1, batch_size: int = 40):
    """A streaming split with its images decoded to RGB PIL images by ``DecodeImages``: one
    batched map per row group (40 rows), ``num_threads`` decoding threads. Measured at 0.89-0.96
    of a bare Pillow loop over the same bytes, where datasets' ``decode(num_threads=2)`` gives
    0.73-0.75 (BENCHMARKS.md). In DataLoader workers use ``num_threads=1`` and ``collate_images``.

        >>> ds = imagenet3d.load("default", "train", streaming=True, source="demo/imagenet3d",
        ...                      columns=imagenet3d.TRAINING_COLUMNS)                        # doctest: +SKIP
        >>> next(iter(imagenet3d.decode_images(ds)))["image"].mode                           # doctest: +SKIP
        'RGB'
    """
    return dataset.decode(False).map(DecodeImages(num_threads), batched=True, batch_size=batch_size)


_PACKED_POSE_KEYS = ("azimuth", "elevation", "theta", "distance")


def _shared_uint8(size: int):
    """A uint8 tensor; in a DataLoader worker allocated in shared memory, as default_collate does,
    so that sending it to the main process costs no further copy."""
    import torch

    if torch.utils.data.get_worker_info() is not None:
        return torch.empty(0, dtype=torch.uint8).set_(torch.UntypedStorage._new_shared(size))
    return torch.empty(size, dtype=torch.uint8)


def collate_images(rows: list[dict]) -> dict:
    """A batch of decoded rows as 5 tensors: images differ in size, so they are packed into one flat
    uint8 tensor (HWC, RGB) with their shapes, and every object of the batch into one [n, 9] float
    tensor (bbox x1 y1 x2 y2, azimuth, elevation, theta, distance, usable) with per-image counts.
    Unpack image i with ``images[offsets[i]:offsets[i + 1]].view(*shapes[i])``."""
    import torch

    arrays = [np.asarray(_rgb(row["image"])) for row in rows]
    images = _shared_uint8(sum(a.size for a in arrays))
    flat, offset = images.numpy(), 0   # a view of the tensor's memory: numpy copies into it
    for array in arrays:
        flat[offset:offset + array.size] = array.reshape(-1)
        offset += array.size
    nan = float("nan")
    objects = [o for row in rows for o in row["objects"]]
    return {
        "images": images,
        "shapes": torch.tensor([a.shape for a in arrays], dtype=torch.int32),
        "objects": torch.tensor([[*o["bbox"], *(nan if o[k] is None else o[k] for k in _PACKED_POSE_KEYS), o["usable"]]
                                 for o in objects], dtype=torch.float32).reshape(-1, 9),
        "counts": torch.tensor([len(row["objects"]) for row in rows], dtype=torch.int32),
        "category_id": torch.tensor([row["category_id"] for row in rows], dtype=torch.int64),
    }


def collate_objects(samples: list[dict]) -> dict:
    """A DataLoader ``collate_fn`` for object samples (``to_objects``, ``object_stream``).

    torch's default collate cannot batch PIL crops. Here the crops (all of one
    size) become one uint8 tensor ``[B, 3, H, W]``; numbers and booleans become
    tensors as ``default_collate`` makes them (float64, int64, bool), ``bbox``
    a ``[B, 4]`` tensor; strings, and fields where some sample has None (no
    status, say), stay lists.

        >>> loader = torch.utils.data.DataLoader(objects, batch_size=64,
        ...                                      collate_fn=imagenet3d.collate_objects)  # doctest: +SKIP
    """
    import torch

    if not samples:
        raise ValueError("collate_objects needs at least one sample")
    sizes = {sample["image"].size for sample in samples}
    if len(sizes) > 1:
        raise ValueError(f"collate_objects needs crops of one size, got {sorted(sizes)}: "
                         "make the objects with size=<pixels> (to_objects / object_stream)")
    images = np.stack([np.asarray(_rgb(sample["image"])) for sample in samples])
    batch: dict[str, Any] = {"image": torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()}
    for key in samples[0]:
        if key == "image":
            continue
        values = [sample[key] for sample in samples]
        numeric = all(isinstance(v, (bool, int, float, np.number, np.bool_)) for v in values)
        boxes = all(isinstance(v, (list, tuple)) and len(v) == 4 for v in values)
        if not (numeric or boxes):
            batch[key] = values
            continue
        floats = any(isinstance(v, (float, np.floating)) for v in (np.ravel(values) if boxes else values))
        batch[key] = torch.tensor(values, dtype=torch.float64 if floats else None)
    return batch


# ---------------------------------------------------------------------------
# Evaluation (the paper's protocol)
# ---------------------------------------------------------------------------


#: Tasks of :func:`evaluate`: pose estimation, open-vocabulary pose estimation
#: (known and novel categories apart) and 3D-aware classification.
EVALUATION_TASKS: tuple[str, ...] = ("pose", "open_vocabulary", "classification")

#: Columns of the paper's tables: every object, then each super-category.
EVALUATION_COLUMNS: tuple[str, ...] = ("Avg.",) + tuple(
    SUPER_CATEGORY_ABBREVIATIONS[name] for name in SUPER_CATEGORY_NAMES)

_ANGLE_KEYS = ("azimuth", "elevation", "theta")
_KNOWN_SET = frozenset(KNOWN_CATEGORIES)


class PredictionError(ValueError):
    """Predictions that cannot be scored; the message names the first offender."""


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {reprlib.repr(value)}"


def _finite_number(value: Any, what: str, error: type[ValueError]) -> float:
    """``value`` as a finite float; ``error`` naming ``what`` for anything else
    (lists, strings, bools, None, NaN, inf)."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        value = value.item()
    # bool is an int to Python, but True as an angle is a bug, not a number.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(f"{what} is {_describe(value)}, expected a number (radians)")
    number = float(value)
    if not math.isfinite(number):
        raise error(f"{what} is {number}, expected a finite number (radians)")
    return number


def _read_references(references: Iterable[Mapping]) -> tuple[list[str], list[str], np.ndarray]:
    """Reference ids, categories and (N, 3) angles; ValueError for bad references."""
    if isinstance(references, (str, bytes, Mapping)):
        raise ValueError("references must be an iterable of dicts (object_id, category, "
                         f"azimuth, elevation, theta), not a {type(references).__name__}")
    ids: list[str] = []
    categories: list[str] = []
    angles: list[list[float]] = []
    seen: set[str] = set()
    for position, ref in enumerate(references):
        if not isinstance(ref, Mapping):
            raise ValueError(f"reference {position} is a {type(ref).__name__}, expected a dict")
        if "object_id" not in ref:
            hint = (" (these look like image rows: pass them through imagenet3d.reference_objects)"
                    if "objects" in ref else "")
            raise ValueError(f"reference {position} has no object_id{hint}")
        oid = ref["object_id"]
        if not isinstance(oid, str):
            raise ValueError(f"reference {position}: object_id is {_describe(oid)}, expected a string")
        if oid in seen:
            raise ValueError(f"reference object_id {oid!r} appears twice")
        seen.add(oid)
        category = ref.get("category")
        if category not in SUPER_CATEGORIES:
            raise ValueError(f"reference {oid!r}: category {category!r} is not one of the 189 categories")
        row = []
        for key in _ANGLE_KEYS:
            if key not in ref:
                raise ValueError(f"reference {oid!r} has no {key}")
            row.append(_finite_number(ref[key], f"reference {oid!r}: {key}", ValueError))
        ids.append(oid)
        categories.append(category)
        angles.append(row)
    if not ids:
        if isinstance(references, Iterator):
            raise ValueError("no references to evaluate against: the iterator of references is empty; "
                             "an iterator can be read once, so pass a list (imagenet3d.reference_objects "
                             "returns one) to evaluate more than once")
        raise ValueError("no references to evaluate against: the reference set is empty "
                         "(wrong split, or no usable objects?)")
    return ids, categories, np.array(angles, dtype=np.float64)


def _prediction_items(predictions: Any) -> Iterator[tuple[Any, Any]]:
    """(object_id, prediction) pairs in the order given, from a mapping or a list of dicts."""
    if isinstance(predictions, Mapping):
        yield from predictions.items()
        return
    if isinstance(predictions, (str, bytes)) or not isinstance(predictions, Iterable):
        raise PredictionError("predictions must be a mapping object_id -> {azimuth, elevation, theta} "
                              f"or a list of dicts with an object_id key, not a {type(predictions).__name__}")
    for position, prediction in enumerate(predictions):
        if not isinstance(prediction, Mapping):
            raise PredictionError(f"prediction {position} is {_describe(prediction)}, "
                                  "expected a dict with an object_id key")
        if "object_id" not in prediction:
            raise PredictionError(f"prediction {position} has no object_id")
        yield prediction["object_id"], prediction


#: Units ``evaluate`` accepts for predicted angles.
ANGLE_UNITS = ("radians", "degrees")


#: Below this many predictions, azimuths in degrees may all be small by chance.
_MIN_PREDICTIONS_FOR_RADIANS_CHECK = 20


def _check_unit(angles: np.ndarray, ids: list[str], angle_unit: str) -> None:
    """Refuse predictions whose values contradict ``angle_unit``. Any angle is valid (rotations are
    periodic), but azimuths in radians rarely leave [-2pi, 2pi] while azimuths in degrees, spread
    over the circle, almost all do: more than half beyond 2pi means degrees, and none of 20 or more
    beyond it means radians."""
    beyond = np.abs(angles[:, 0]) > 2 * math.pi + 1e-9
    if angle_unit == "radians" and beyond.sum() * 2 > len(beyond):
        row = int(np.argmax(beyond))
        raise PredictionError(
            f"{int(beyond.sum())} of {len(beyond)} predicted azimuths are beyond 2pi (first: {ids[row]!r} "
            f"at {angles[row, 0]:g}): these look like degrees. Pass angle_unit='degrees' (CLI: --degrees)")
    if angle_unit == "degrees" and len(beyond) >= _MIN_PREDICTIONS_FOR_RADIANS_CHECK and not beyond.any():
        raise PredictionError(
            f"angle_unit is degrees, but none of the {len(beyond)} predicted azimuths is beyond 2pi: "
            "these look like radians. Leave out angle_unit='degrees' (CLI: --degrees)")


def _read_predictions(predictions: Any, ids: list[str], need_category: bool
                      ) -> tuple[np.ndarray, list[str | None]]:
    """Predicted (N, 3) angles and categories aligned with the references.

    One pass in the order given: the first bad prediction (unknown or repeated
    id, missing key, wrong type, non-finite angle) raises; then the first
    reference without a prediction does.
    """
    row_of = {oid: row for row, oid in enumerate(ids)}
    angles = np.full((len(ids), 3), np.nan)
    categories: list[str | None] = [None] * len(ids)
    predicted = np.zeros(len(ids), dtype=bool)
    for oid, prediction in _prediction_items(predictions):
        if not isinstance(oid, str):
            raise PredictionError(f"prediction object_id {_describe(oid)} is not a string")
        row = row_of.get(oid)
        if row is None:
            raise PredictionError(
                f"prediction {oid!r} is not a reference object id (ids are "
                "imagenet3d.object_id(image_id, k) of the evaluated split's usable objects)")
        if predicted[row]:
            raise PredictionError(f"prediction {oid!r} appears twice")
        if not isinstance(prediction, Mapping):
            raise PredictionError(f"prediction {oid!r} is {_describe(prediction)}, "
                                  "expected a dict with azimuth, elevation, theta")
        for column, key in enumerate(_ANGLE_KEYS):
            if key not in prediction:
                raise PredictionError(f"prediction {oid!r} has no {key}")
            angles[row, column] = _finite_number(prediction[key], f"prediction {oid!r}: {key}", PredictionError)
        if need_category:
            category = prediction.get("category")
            if category is None:
                raise PredictionError(f"prediction {oid!r} has no category (the classification task needs one)")
            if not isinstance(category, str) or category not in SUPER_CATEGORIES:
                raise PredictionError(f"prediction {oid!r}: category {_describe(category)} "
                                      "is not one of the 189 category names")
            categories[row] = category
        predicted[row] = True
    missing = np.flatnonzero(~predicted)
    if missing.size:
        more = f" (and {missing.size - 1} more)" if missing.size > 1 else ""
        raise PredictionError(f"no prediction for reference object {ids[missing[0]]!r}{more}")
    return angles, categories


def _metrics(errors: np.ndarray, correct: np.ndarray | None) -> dict[str, float | int | None]:
    """The official numbers of one column; None (not NaN, to stay JSON) when empty."""
    cell: dict[str, float | int | None]
    if errors.size == 0:
        cell = {"pi_6_acc": None, "pi_18_acc": None, "median_err": None, "mean_err": None}
    else:
        degrees = np.degrees(errors)
        cell = {
            "pi_6_acc": float(np.mean(errors < math.pi / 6) * 100.0),
            "pi_18_acc": float(np.mean(errors < math.pi / 18) * 100.0),
            "median_err": float(np.median(degrees)),
            "mean_err": float(np.mean(degrees)),
        }
    if correct is not None:
        cell["cls_acc"] = float(np.mean(correct) * 100.0) if correct.size else None
    cell["count"] = int(errors.size)
    return cell


def _table(errors: np.ndarray, super_categories: np.ndarray, selected: np.ndarray,
           correct: np.ndarray | None) -> dict[str, dict]:
    """"Avg." and one column per super-category, each a per-object micro-average."""
    def cell(mask: np.ndarray) -> dict:
        return _metrics(errors[mask], None if correct is None else correct[mask])

    table = {"Avg.": cell(selected)}
    for name in SUPER_CATEGORY_NAMES:
        table[SUPER_CATEGORY_ABBREVIATIONS[name]] = cell(selected & (super_categories == name))
    return table


def evaluate(predictions: Mapping[str, Mapping] | Iterable[Mapping], references: Iterable[Mapping],
             task: str = "pose", angle_unit: str = "radians") -> dict:
    """Score predicted poses against references with the paper's protocol.

    Protocol of ImageNet3D (Ma et al., "ImageNet3D: Towards General-Purpose
    Object-Level 3D Understanding", arXiv:2406.09613, 2024, Sec. 5), as
    implemented in github.com/wufeim/imagenet3d_exp (HEAD 91e46e5):
    ``imagenet3d/utils/pose_utils.py`` (``pose_error``),
    ``scripts/linear_probing.py``, ``scripts/open_vocab_pose_estimation.py``,
    ``scripts/pose_estimation_classification.py`` and
    ``scripts/compute_accuracy_{linear_probing,open_vocab,pose_cls}.py``.

    * error = ``pose_error(rotation_matrix(pred), rotation_matrix(gt))``, the
      geodesic angle in radians (only the three angles are evaluated);
    * ``pi_6_acc`` / ``pi_18_acc`` = percentage with error < pi/6 / < pi/18
      (strict), ``median_err`` / ``mean_err`` in degrees, ``count`` objects;
    * columns: ``"Avg."`` over every object, then each super-category
      (Elec., Furn., ...) over its objects: micro-averages, not means of
      per-category scores. The super-categories are our grouping
      (:data:`SUPER_CATEGORY_NOTE`), so these columns are not comparable
      with the paper's; "Avg." is;
    * ``task="open_vocabulary"``: the same table for known categories
      (:data:`KNOWN_CATEGORIES`) and for novel ones apart;
    * ``task="classification"`` (3D-aware classification): every prediction
      carries a ``category``; a wrong one adds pi to the error, so an object
      counts at a threshold only if classified correctly *and* posed within
      it; ``cls_acc`` is the plain classification accuracy.

    ``references``: dicts (or a ``datasets.Dataset``) with object_id,
    category, azimuth, elevation, theta in radians; see
    :func:`reference_objects`. ``predictions``: a mapping object_id ->
    {azimuth, elevation, theta[, category]}, or a list of such dicts with an
    ``object_id`` key. Exactly one prediction per reference: otherwise
    :class:`PredictionError` names the first offender (unknown, repeated or
    missing id, missing key, non-number or non-finite angle, missing category).
    Predicted angles are radians; ``angle_unit="degrees"`` converts them.
    Radians where more than half of the azimuths are beyond 2pi raise
    :class:`PredictionError`: they are almost surely degrees, which would
    otherwise be scored silently as radians; so do "degrees" of which none
    of 20 or more azimuths is beyond 2pi (radians, almost surely).

    Returns plain Python values: ``{"task", "num_objects", "super_category_note",
    "tables": {block: {column: {metric: value}}}}`` with block ``"all"``, or
    ``"known"`` and ``"novel"`` for open_vocabulary; empty columns have None
    metrics and count 0. :func:`format_table` prints it as the paper does.

        >>> refs = [{"object_id": "chair/n03001627_1_00", "category": "chair",
        ...          "azimuth": 0.5, "elevation": 0.1, "theta": 0.0}]
        >>> preds = {"chair/n03001627_1_00": {"azimuth": 0.5 + np.radians(20),
        ...                                   "elevation": 0.1, "theta": 0.0}}
        >>> cell = evaluate(preds, refs)["tables"]["all"]["Furn."]
        >>> cell["pi_6_acc"], cell["pi_18_acc"], round(cell["median_err"], 6), cell["count"]
        (100.0, 0.0, 20.0, 1)
    """
    if task not in EVALUATION_TASKS:
        raise ValueError(f"unknown task {task!r}; tasks: {', '.join(EVALUATION_TASKS)}")
    if angle_unit not in ANGLE_UNITS:
        raise ValueError(f"unknown angle_unit {angle_unit!r}; units: {', '.join(ANGLE_UNITS)}")
    ids, categories, gt_angles = _read_references(references)
    pred_angles, pred_categories = _read_predictions(predictions, ids, need_category=task == "classification")
    _check_unit(pred_angles, ids, angle_unit)
    if angle_unit == "degrees":
        pred_angles = np.radians(pred_angles)

    errors = pose_error(rotation_matrix(*pred_angles.T), rotation_matrix(*gt_angles.T))
    correct = None
    if task == "classification":
        correct = np.array([p == g for p, g in zip(pred_categories, categories)], dtype=bool)
        errors = errors + np.where(correct, 0.0, math.pi)
    super_categories = np.array([SUPER_CATEGORIES[c] for c in categories])
    everything = np.ones(len(ids), dtype=bool)
    if task == "open_vocabulary":
        known = np.array([c in _KNOWN_SET for c in categories], dtype=bool)
        # The published compute_accuracy_open_vocab.py builds its unknown_<meta>
        # columns from the known-category list (a copy-paste bug); the novel
        # block here selects the novel objects.
        tables = {"known": _table(errors, super_categories, known, correct),
                  "novel": _table(errors, super_categories, ~known, correct)}
    else:
        tables = {"all": _table(errors, super_categories, everything, correct)}
    return {"task": task, "num_objects": len(ids), "super_category_note": SUPER_CATEGORY_NOTE,
            "tables": tables}


_TASK_TITLES = {
    "pose": "Pose estimation",
    "open_vocabulary": "Open-vocabulary pose estimation",
    "classification": "3D-aware classification",
}
_BLOCK_TITLES = {"all": "", "known": ": known categories", "novel": ": novel categories"}


def _metric_rows(task: str) -> list[tuple[str, str]]:
    accuracy = "3D-Aware Pose Accuracy" if task == "classification" else "Pose Accuracy"
    rows = [("pi_6_acc", f"{accuracy} @ pi/6 (%)"), ("pi_18_acc", f"{accuracy} @ pi/18 (%)"),
            ("median_err", "Median error (deg)"), ("mean_err", "Mean error (deg)")]
    if task == "classification":
        rows.append(("cls_acc", "Classification accuracy (%)"))
    return rows + [("count", "Objects")]


def format_table(results: Mapping) -> str:
    """The results of :func:`evaluate` as markdown, in the paper's layout.

    Columns Avg. and the seven super-categories, one row per metric, one
    block per table (known and novel apart for open_vocabulary), numbers to
    one decimal as in the paper, "–" where a column has no objects, and a
    footnote saying the super-category grouping is ours. Also accepts the
    results read back from JSON.
    """
    task = results["task"]
    lines: list[str] = []
    for block, table in results["tables"].items():
        count = table["Avg."]["count"]
        lines += [f"**{_TASK_TITLES.get(task, task)}{_BLOCK_TITLES.get(block, ': ' + block)}** "
                  f"({count} object{'s' if count != 1 else ''})", ""]
        lines.append("| Metric | " + " | ".join(EVALUATION_COLUMNS) + " |")
        lines.append("|---|" + "---:|" * len(EVALUATION_COLUMNS))
        for key, label in _metric_rows(task):
            cells = []
            for column in EVALUATION_COLUMNS:
                value = table[column].get(key)
                if key == "count":
                    cells.append(str(value))
                else:
                    cells.append("–" if value is None else f"{value:.1f}")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(f"Note: {results.get('super_category_note', SUPER_CATEGORY_NOTE)}")
    return "\n".join(lines)


def reference_objects(rows: Iterable[Mapping]) -> list[dict]:
    """The references of :func:`evaluate` from image rows (``annotations`` or
    ``default`` config, or any dicts with image_id and objects).

    A list (so it can be scored any number of times) of one dict per usable
    object: object_id (``object_id(image_id, k)`` with k its position among
    *all* the image's objects, as the official
    object-centric files are named), image_id, category, azimuth, elevation,
    theta. ``usable`` is the official filter of imagenet3d_exp's
    ``preprocess_data.py`` (pose present, ``object_status`` present and not
    ``status_bad``, ``distance > 0``; see :func:`normalize_object`), which
    besides drops an unrecognised ``object_status`` and the older release's
    ``ignore`` flag.
    Iterate the ``annotations`` config rather than ``default``: it has no image bytes.
    """
    return [{"object_id": object_id(row["image_id"], k), "image_id": row["image_id"],
             "category": row["objects"][k]["category"], "azimuth": row["objects"][k]["azimuth"],
             "elevation": row["objects"][k]["elevation"], "theta": row["objects"][k]["theta"]}
            for row in rows for k in usable_object_indices(row["objects"])]


_CSV_COLUMNS = ("object_id", "azimuth", "elevation", "theta")


def read_predictions(path: str | os.PathLike) -> list[dict]:
    """Predictions from a file, as a list of dicts for :func:`evaluate`.

    Formats, told apart by content (a ``.csv`` name is always CSV):

    * JSON Lines: one ``{"object_id": ..., "azimuth": ..., "elevation": ...,
      "theta": ...[, "category": ...]}`` per line (blank lines skipped);
    * a JSON list of such objects;
    * CSV with a header ``object_id,azimuth,elevation,theta[,category]``
      (other columns ignored; an empty category counts as none).

    Angles in radians. Raises :class:`PredictionError` with the line number
    for anything that cannot be parsed; the values themselves are checked by
    :func:`evaluate`.
    """
    name = os.fspath(path)
    with open(name, encoding="utf-8-sig", newline="") as handle:  # -sig: tolerate a BOM
        text = handle.read()
    start = text.lstrip()[:1]
    if name.lower().endswith(".csv") or (start and start not in "[{"):
        return _read_prediction_csv(text, name)
    if start == "[":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise PredictionError(f"{name} line {error.lineno}: not valid JSON ({error.msg})") from None
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                raise PredictionError(f"{name}: item {position} of the JSON list is {_describe(item)}, "
                                      "expected an object with an object_id")
        return items
    predictions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise PredictionError(f"{name} line {number}: not valid JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise PredictionError(f"{name} line {number}: {_describe(item)} is not a JSON object")
        predictions.append(item)
    return predictions


def _read_prediction_csv(text: str, name: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in _CSV_COLUMNS if column not in header]
    if missing:
        raise PredictionError(f"{name} line 1: the CSV header {','.join(header)!r} lacks "
                              f"{', '.join(missing)} (expected object_id,azimuth,elevation,theta[,category])")
    predictions = []
    for row in reader:
        if None in row or any(row[column] is None for column in _CSV_COLUMNS):
            raise PredictionError(f"{name} line {reader.line_num}: expected {len(header)} fields")
        prediction: dict[str, Any] = {"object_id": row["object_id"]}
        for key in _ANGLE_KEYS:
            try:
                prediction[key] = float(row[key])
            except ValueError:
                raise PredictionError(f"{name} line {reader.line_num}: {key} {row[key]!r} is not a number") from None
        if row.get("category"):
            prediction["category"] = row["category"]
        predictions.append(prediction)
    return predictions


def main(argv: list[str] | None = None) -> int:
    """``python -m imagenet3d evaluate PREDICTIONS --source DIR_OR_REPO --split validation``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m imagenet3d",
                                     description="ImageNet3D tools from the dataset's definition.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "evaluate", help="score predicted poses with the paper's protocol",
        description="Score predictions against the usable objects of a split of the "
                    "'annotations' config and print the paper's table.")
    command.add_argument("predictions", help="JSON Lines, JSON list or CSV of "
                         "object_id, azimuth, elevation, theta[, category]; radians")
    command.add_argument("--source", default=DEFAULT_SOURCE,
                         help=f"converted folder or Hub repo id (default: {DEFAULT_SOURCE})")
    command.add_argument("--split", default="validation", choices=CONFIG_SPLITS["annotations"])
    command.add_argument("--task", default="pose", choices=EVALUATION_TASKS)
    command.add_argument("--degrees", action="store_true", help="the predicted angles are in degrees")
    command.add_argument("--json", dest="json_out", metavar="OUT", help="also write the numbers as JSON to OUT")
    args = parser.parse_args(argv)

    # Predictions first: a malformed file fails before the dataset is loaded.
    try:
        predictions = read_predictions(args.predictions)
    except (PredictionError, OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read predictions: {error}", file=sys.stderr)
        return 2
    try:
        references = reference_objects(load("annotations", split=args.split, source=args.source))
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        results = evaluate(predictions, references, task=args.task,
                           angle_unit="degrees" if args.degrees else "radians")
    except PredictionError as error:
        print(f"error: malformed predictions: {error}", file=sys.stderr)
        return 2
    print(format_table(results))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, allow_nan=False)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
