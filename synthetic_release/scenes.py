"""A synthetic ImageNet3D release in the exact v1 format, with true poses.

The real release cannot be downloaded on our machines, so everything is built
and tested on this stand-in. Each image is rendered from the CAD meshes that
the release ships, at the poses its annotations state, with the same camera
code (:mod:`imagenet3d`) that every consumer uses, so every annotation is true
to the pixel. The real data's irregularities are reproduced at low rates (see
:data:`IMAGE_QUIRKS` and :data:`OBJECT_QUIRKS`), and every quirk is forced at
least once in any release of 40 images or more so that small demos show them.

Layout written (as the real ``imagenet3d_v1.zip``)::

    imagenet3d_v1/images/<cat>/<wnid>_<n>.JPEG
    imagenet3d_v1/annotations/<cat>/<wnid>_<n>.npz   # 'annotations': object array of dicts
    imagenet3d_v1/lists/<cat>_imagenet_{train,val}.txt
    imagenet3d_v1/CAD/<cat>/<NN>.off
    captions/image_captions.jsonl                     # our format, see captions.CAPTIONS_FORMAT
    captions/category_descriptions.json

The same seed gives the same bytes, whatever the number of workers.
"""

from __future__ import annotations

import functools
import io
import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

import imagenet3d
from _imagenet3d.render import Pose, Rendering, SceneObject, render
from synthetic_release import meshes
from synthetic_release.captions import caption_for
from synthetic_release.errors import SyntheticReleaseError

RELEASE_DIR = imagenet3d.RELEASE_DIR  # the writer and tests take it from here

#: Per-image irregularities of the real data, with their rate.
IMAGE_QUIRKS: dict[str, float] = {
    "grayscale_jpeg": 0.02,     # ImageNet has single-channel JPEGs
    "cmyk_jpeg": 0.01,          # and CMYK ones
    "exif_orientation": 0.02,   # an Orientation tag; annotations refer to the stored pixel grid
    "png_named_jpeg": 0.01,     # a PNG saved under a .JPEG name
    "multiple_objects": 0.08,   # 2-5 objects instead of one
}
#: Per-object irregularities of the real data, with their rate.
OBJECT_QUIRKS: dict[str, float] = {
    "missing_pose_keys": 0.015,       # no azimuth/elevation/theta/distance/px/py/principal, nor a usable status
    "missing_object_status": 0.015,
    "nonpositive_distance": 0.01,     # distance <= 0 marks an unusable annotation
    "signed_angles": 0.15,            # angles in (-pi, pi] as the annotation tool saved them
    "integer_bbox": 0.10,             # bbox stored as int32 instead of float
    "truncated": 0.05,                # partly outside the image
    "mostly_outside": 0.015,          # barely or not at all visible
}
_QUIRK_ORDER = [*IMAGE_QUIRKS, *OBJECT_QUIRKS]

VAL_FRACTION = 0.2
JPEG_QUALITY = 95
_STATUS_THRESHOLDS = ((0.95, "status_good"), (0.6, "status_partially"), (0.2, "status_barely"))
_POSE_KEYS = ("azimuth", "elevation", "theta", "distance", "px", "py", "principal")


@dataclass(frozen=True)
class ImageSpec:
    """What to generate for one image; everything else follows from the seed."""

    category: str
    stem: str          # <wnid>_<n>
    split: str         # "train" or "val"
    forced_quirks: tuple[str, ...] = ()

    @property
    def image_id(self) -> str:
        return f"{self.category}/{self.stem}"


@dataclass
class GeneratedImage:
    spec: ImageSpec
    image_bytes: bytes
    annotation_bytes: bytes
    caption: str
    num_objects: int
    quirks: list[str] = field(default_factory=list)
    rendering: Rendering | None = None  # kept on request, for verification


# ---------------------------------------------------------------------------
# What to generate
# ---------------------------------------------------------------------------


def choose_categories(count: int) -> list[str]:
    """``count`` categories spread evenly over the sorted list (known and novel mix)."""
    if not 1 <= count <= len(imagenet3d.CATEGORIES):
        raise SyntheticReleaseError(f"--categories must be between 1 and {len(imagenet3d.CATEGORIES)}")
    step = len(imagenet3d.CATEGORIES) / count
    return [imagenet3d.CATEGORIES[int(i * step)] for i in range(count)]


def synsets_of(category: str) -> tuple[str, ...]:
    """The category's WNIDs: the public examples, else a stand-in.

    Stand-ins start with ``n9``, a prefix no real ImageNet synset has.
    """
    known = imagenet3d.CATEGORY_INFO[category].example_wnids
    if known:
        return known
    return (f"n9{zlib.crc32(category.encode()) % 10_000_000:07d}",)


def plan_release(categories: list[str], images_per_category: int, seed: int) -> list[ImageSpec]:
    """Image ids, splits and forced quirks of a release, in a fixed order."""
    specs = []
    for category in categories:
        rng = np.random.default_rng([seed, zlib.crc32(category.encode()), 7])
        synsets = synsets_of(category)
        numbers = np.sort(rng.choice(20_000, size=images_per_category, replace=False) + 1)
        n_val = max(1, round(images_per_category * VAL_FRACTION)) if images_per_category > 1 else 0
        val = set(rng.choice(images_per_category, size=n_val, replace=False).tolist())
        for i, number in enumerate(numbers.tolist()):
            stem = f"{synsets[i % len(synsets)]}_{number}"
            specs.append(ImageSpec(category, stem, "val" if i in val else "train"))
    specs.sort(key=lambda spec: (spec.category, spec.stem))
    # Force every quirk once, on spread-out images, so small releases show them all.
    if len(specs) >= 2 * len(_QUIRK_ORDER):
        stride = len(specs) // len(_QUIRK_ORDER)
        for k, quirk in enumerate(_QUIRK_ORDER):
            position = k * stride + stride // 2
            spec = specs[position]
            specs[position] = ImageSpec(spec.category, spec.stem, spec.split, (quirk,))
    return specs


# ---------------------------------------------------------------------------
# One image
# ---------------------------------------------------------------------------


def image_rng(seed: int, spec: ImageSpec, stream: int) -> np.random.Generator:
    """Independent random streams per image: 0 = layout, 1 = background."""
    key = [seed, zlib.crc32(spec.category.encode()), zlib.crc32(spec.stem.encode()), stream]
    return np.random.default_rng(key)


@functools.lru_cache(maxsize=64)
def cad_model(category: str, cad_index: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The CAD mesh exactly as written to the OFF file (rounded to 6 decimals)."""
    vertices, faces = meshes.make_mesh(category, cad_index, seed)
    return np.round(vertices, 6), faces


def model_color(category: str, cad_index: int) -> tuple[float, float, float]:
    rng = np.random.default_rng([zlib.crc32(category.encode()), cad_index, 11])
    hue = rng.random()
    saturation = 0.55 + 0.4 * rng.random()
    value = 190 + 60 * rng.random()
    return _hsv_to_rgb(hue, saturation, value)


def _hsv_to_rgb(h: float, s: float, v: float) -> tuple[float, float, float]:
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def image_size(rng: np.random.Generator) -> tuple[int, int]:
    """ImageNet-like sizes: about 400 x 350 on average."""
    width = int(rng.integers(340, 501))
    aspect = rng.choice([0.75, 0.75, 0.667, 0.8, 1.0, 0.5625, 1.25])
    height = int(np.clip(round(width * aspect), 240, 500))
    return width, height


def background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A textured, mostly desaturated background (H, W, 3 uint8).

    Smooth colour gradients plus mid-scale blotches plus sensor-like grain,
    which gives JPEG sizes like ImageNet's (about 100 KB at 400 x 350).
    """
    base = rng.uniform(60, 200, size=(3, 4, 3))
    base = base * 0.4 + base.mean(axis=2, keepdims=True) * 0.6   # desaturate
    smooth = np.asarray(Image.fromarray(base.astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC), dtype=np.float32)
    blotch = rng.normal(0, 22, size=(height // 12 + 2, width // 12 + 2)).astype(np.float32)
    blotch = np.asarray(Image.fromarray(blotch, mode="F").resize(
        (width, height), Image.Resampling.BICUBIC), dtype=np.float32)
    # Uniform grain from raw random bytes: 20x cheaper than Gaussian draws, and
    # a sensor's grain need not be Gaussian. Standard deviations 18 and 8.
    grain = np.frombuffer(rng.bytes(height * width * 4), np.uint8).reshape(height, width, 4)
    grain = (grain.astype(np.float32) - 127.5) * np.float32(1 / 73.9)
    texture = smooth + blotch[..., None] + 18 * grain[..., :1] + 8 * grain[..., 1:]  # luminance + colour
    return np.clip(texture, 0, 255).astype(np.uint8)


def _quirks_for(rng: np.random.Generator, rates: dict[str, float], forced: tuple[str, ...]) -> set[str]:
    drawn = {name for name, rate in rates.items() if rng.random() < rate}
    return drawn | {name for name in forced if name in rates}


def _sample_pose(rng: np.random.Generator, width: int, height: int, size: float,
                 centre: tuple[float, float], quirks: set[str]) -> Pose:
    azimuth = rng.uniform(0, 2 * math.pi)
    elevation = float(np.clip(rng.normal(0.2, 0.22), -0.45, 1.3))
    theta = float(np.clip(rng.normal(0, 0.09), -0.5, 0.5))
    px, py = centre
    if "mostly_outside" in quirks:
        px = width + size * rng.uniform(0.15, 0.45) if rng.random() < 0.5 else -size * rng.uniform(0.15, 0.45)
    elif "truncated" in quirks:
        # Centre from a little outside to well inside the edge: every visible fraction.
        inset = size * rng.uniform(-0.1, 0.35)
        px = width - inset if rng.random() < 0.5 else inset
    distance = imagenet3d.DEFAULT_VIEWPORT / size
    return Pose(azimuth, elevation, theta, distance, float(px), float(py))


def _layout(rng: np.random.Generator, width: int, height: int, count: int) -> list[tuple[float, tuple[float, float]]]:
    """Projected size and centre of each object."""
    short = min(width, height)
    if count == 1:
        size = short * rng.uniform(0.45, 0.85)
        slack_x, slack_y = max(width - size, 0) / 2, max(height - size, 0) / 2
        return [(size, (width / 2 + rng.uniform(-0.7, 0.7) * slack_x,
                        height / 2 + rng.uniform(-0.7, 0.7) * slack_y))]
    size = short * rng.uniform(0.28, 0.45)
    xs = np.linspace(size / 2, width - size / 2, count) + rng.uniform(-0.15, 0.15, count) * size
    ys = height / 2 + rng.uniform(-0.25, 0.25, count) * (height - size)
    return [(size * rng.uniform(0.85, 1.1), (float(x), float(y))) for x, y in zip(xs, ys)]


def generate_image(spec: ImageSpec, seed: int, keep_rendering: bool = False) -> GeneratedImage:
    """Render one image and write its annotation, caption and quirks.

    ``keep_rendering`` also returns the renderer's per-pixel object ids, the
    ground truth that :mod:`synthetic_release.check` checks the files against.
    """
    rng = image_rng(seed, spec, 0)
    width, height = image_size(rng)
    image_quirks = _quirks_for(rng, IMAGE_QUIRKS, spec.forced_quirks)
    count = int(rng.integers(2, 6)) if "multiple_objects" in image_quirks else 1
    info = imagenet3d.CATEGORY_INFO[spec.category]

    scene, object_quirks, cad_indices = [], [], []
    for size, centre in _layout(rng, width, height, count):
        quirks = _quirks_for(rng, OBJECT_QUIRKS, spec.forced_quirks if not scene else ())
        cad_index = int(rng.integers(1, info.num_cad_models + 1))
        vertices, faces = cad_model(spec.category, cad_index, seed)
        pose = _sample_pose(rng, width, height, size, centre, quirks)
        scene.append(SceneObject(vertices, faces, pose, model_color(spec.category, cad_index)))
        object_quirks.append(quirks)
        cad_indices.append(cad_index)

    rendering = render(background(width, height, image_rng(seed, spec, 1)), scene)
    annotations = [
        _annotation(spec.category, obj, cad_index, rendering, k, width, height, quirks, scene, rng)
        for k, (obj, cad_index, quirks) in enumerate(zip(scene, cad_indices, object_quirks))
    ]
    image_bytes = encode_image(rendering.image, image_quirks, rng)
    all_quirks = sorted(image_quirks | set().union(*object_quirks))
    caption = caption_for(spec.category, annotations)
    return GeneratedImage(spec, image_bytes, imagenet3d.annotation_bytes(annotations), caption, len(annotations),
                          all_quirks, rendering if keep_rendering else None)


def _status(visible: int, full: int) -> str:
    fraction = visible / full if full else 0.0
    for threshold, status in _STATUS_THRESHOLDS:
        if fraction >= threshold:
            return status
    return "status_bad"


def _annotation(category: str, obj: SceneObject, cad_index: int, rendering: Rendering, k: int,
                width: int, height: int, quirks: set[str], scene: list[SceneObject],
                rng: np.random.Generator) -> dict:
    """The release's dict for object ``k``, with its quirks applied."""
    pose = obj.pose
    ys, xs = np.nonzero(rendering.object_id == k)
    if xs.size:
        # What an annotator draws: the box of the visible pixels.
        bbox = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)
    else:
        uv = pose.project(obj.vertices)[0]
        lo = np.clip(uv.min(0), 0, [width, height])
        hi = np.clip(uv.max(0), 0, [width, height])
        bbox = np.array([lo[0], lo[1], hi[0], hi[1]], dtype=np.float64)
    if "integer_bbox" in quirks:
        bbox = np.rint(bbox).astype(np.int32)
    near = [other for j, other in enumerate(scene) if j != k
            and math.hypot(other.pose.px - pose.px, other.pose.py - pose.py) < 0.75 * 3000 / pose.distance]
    angles = [pose.azimuth, pose.elevation, pose.theta]
    if "signed_angles" in quirks:
        angles = [(a + math.pi) % (2 * math.pi) - math.pi for a in angles]
    else:
        angles = [a % (2 * math.pi) for a in angles]
    record = {
        "azimuth": float(angles[0]),
        "elevation": np.float64(angles[1]),
        "theta": float(angles[2]),
        "distance": float(pose.distance),
        "viewport": int(pose.viewport),
        "focal": float(pose.focal),
        "px": float(pose.px),
        "py": float(pose.py),
        "principal": np.array([pose.px, pose.py]),
        "height": np.uint16(height),
        "width": np.uint16(width),
        "bbox": bbox,
        "class": category,
        "cad_index": int(cad_index),
        "object_status": _status(int(rendering.visible_area[k]), int(rendering.full_area[k])),
        "dense": "dense_yes" if near else "dense_no",
    }
    apply_object_quirks(record, quirks, rng)
    return record


def apply_object_quirks(record: dict, quirks: set[str], rng: np.random.Generator) -> None:
    """Make ``record`` irregular as the real data is, in place.

    An object without a pose never has a usable status: imagenet3d_exp's
    scripts/preprocess_data.py (lines 32-35) skips an object with no
    ``object_status`` or ``status_bad`` and reads ``distance`` of every other,
    so the release it ran on had no pose-less object with a usable status.
    Such an object gets either of the two, half the time each.
    """
    if "nonpositive_distance" in quirks:
        record["distance"] = float(rng.choice([0.0, -1.0]))
    if "missing_object_status" in quirks:
        del record["object_status"]
    if "missing_pose_keys" in quirks:
        for key in _POSE_KEYS:
            record.pop(key, None)
        if rng.random() < 0.5:
            record.pop("object_status", None)
        elif "object_status" in record:
            record["object_status"] = "status_bad"


def encode_image(pixels: np.ndarray, quirks: set[str], rng: np.random.Generator) -> bytes:
    image = Image.fromarray(pixels, "RGB")
    buffer = io.BytesIO()
    if "png_named_jpeg" in quirks:
        image.save(buffer, "PNG", optimize=False)
        return buffer.getvalue()
    exif = None
    if "grayscale_jpeg" in quirks:
        image = image.convert("L")
    elif "cmyk_jpeg" in quirks:
        image = image.convert("CMYK")
    if "exif_orientation" in quirks:
        exif = Image.Exif()
        exif[0x0112] = int(rng.choice([3, 6, 8]))  # rotate 180 / 90 CW / 90 CCW on display
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Whole-release files
# ---------------------------------------------------------------------------


def list_files(specs: list[ImageSpec]) -> dict[str, bytes]:
    """lists/<cat>_imagenet_{train,val}.txt: one stem per line."""
    files: dict[str, list[str]] = {}
    for spec in specs:
        for split in ("train", "val"):
            files.setdefault(imagenet3d.list_relpath(spec.category, split), [])
        files[imagenet3d.list_relpath(spec.category, spec.split)].append(spec.stem)
    return {path: "".join(f"{stem}\n" for stem in stems).encode() for path, stems in sorted(files.items())}


def cad_models(categories: list[str]) -> list[tuple[str, int]]:
    """(category, cad_index) of every CAD model of the release, in writing order."""
    return [(category, cad_index) for category in categories
            for cad_index in range(1, imagenet3d.CATEGORY_INFO[category].num_cad_models + 1)]


def cad_file(category: str, cad_index: int, seed: int) -> bytes:
    """One CAD model's OFF file."""
    vertices, faces = meshes.make_mesh(category, cad_index, seed)
    return imagenet3d.off_bytes(vertices, faces)


def cad_files(categories: list[str], seed: int) -> dict[str, bytes]:
    return {imagenet3d.cad_relpath(category, cad_index): cad_file(category, cad_index, seed)
            for category, cad_index in cad_models(categories)}
