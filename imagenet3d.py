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

import io
import math
import os
import pickle
import re
import zipfile
from dataclasses import dataclass
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
    "AnnotationError", "UnsafePickleError",
    "load", "object_id", "DEFAULT_SOURCE",
]

PathOrBytes = Union[str, os.PathLike, bytes, bytearray, memoryview, BinaryIO]

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
    has one row per CAD model and ``categories`` one per category.
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
        return datasets.Features({
            "category": string, "cad_index": i32, "num_vertices": i32, "num_faces": i32,
            "vertices": datasets.List(datasets.List(datasets.Value("float32"), length=3)),
            "faces": datasets.List(datasets.List(i32, length=3)),
            "mesh": datasets.Mesh(),
        })
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


def load(config: str = "default", split: str | None = None, streaming: bool = False,
         source: str | os.PathLike | None = None, **kwargs):
    """One config of the Hub dataset, through ``datasets.load_dataset``.

    ``source`` is a local converted folder or a Hub repo id (default:
    ``$IMAGENET3D_SOURCE``, else ``"imagenet3d"``). Other keyword arguments go
    to ``load_dataset`` unchanged (``revision``, ``cache_dir``, ...).

        >>> ds = imagenet3d.load(source="demo/imagenet3d")                  # doctest: +SKIP
        >>> ov = imagenet3d.load("open_vocabulary", "validation_novel", streaming=True,
        ...                      source="org/imagenet3d")                   # doctest: +SKIP
    """
    if config not in CONFIG_SPLITS:
        raise ValueError(f"unknown config {config!r}; configs: {', '.join(CONFIG_SPLITS)}")
    if split is not None and split not in CONFIG_SPLITS[config]:
        raise ValueError(f"config {config!r} has no split {split!r}; splits: {', '.join(CONFIG_SPLITS[config])}")
    import datasets

    return datasets.load_dataset(os.fspath(source or DEFAULT_SOURCE), config, split=split,
                                 streaming=streaming, **kwargs)


def object_id(image_id: str, index: int) -> str:
    """The id of the ``index``-th object of an image, as the official object-centric
    files name it (``<stem>_<obj:02d>``): ``"chair/n03001627_123_00"``.

        >>> object_id("chair/n03001627_123", 1)
        'chair/n03001627_123_01'
    """
    return f"{image_id}_{index:02d}"
