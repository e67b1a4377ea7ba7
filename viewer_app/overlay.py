"""Draw ImageNet3D annotations over their image: CAD wireframe, box, axes, centre.

All camera math goes through :mod:`imagenet3d` (``project``); this module only
rasterises and paints. Wireframes are rasterised in numpy (one pass over all
segments of a mesh) because a Python loop of ``ImageDraw.line`` calls is far
too slow for 100k-edge CAD models.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import imagenet3d

__all__ = [
    "OBJECT_COLOURS", "AXIS_COLOURS", "KINDS", "WIREFRAME_ALPHA", "AXIS_LENGTH",
    "unique_edges", "wireframe_mask", "draw_overlays",
]

Colour = tuple[int, int, int]
Mesh = tuple  # (vertices (V, 3), faces (F, 3)) or (vertices, faces, edges (E, 2))
MeshSource = Mapping[int, Mesh] | Callable[[int], Mesh | None]

#: Fixed x / y / z axis colours, the usual RGB convention.
AXIS_COLOURS: tuple[Colour, Colour, Colour] = ((235, 50, 50), (50, 210, 50), (60, 110, 255))
#: Saturated, mutually distinct colours that stay readable on photos and that no axis uses
#: (none is red, green or blue: each is at least 100 RGB units from every axis colour);
#: object k gets OBJECT_COLOURS[k % len(OBJECT_COLOURS)].
OBJECT_COLOURS: list[Colour] = [
    (255, 200, 0),    # yellow
    (200, 90, 255),   # purple
    (0, 220, 220),    # cyan
    (255, 140, 0),    # orange
    (255, 100, 200),  # pink
    (180, 230, 60),   # lime
    (240, 240, 240),  # white
    (0, 150, 130),    # teal
]
KINDS = frozenset({"wireframe", "bbox", "axes", "centre"})
WIREFRAME_ALPHA = 0.6
#: Axis length in CAD units (the models' bbox diagonal is about 1).
AXIS_LENGTH = 0.3
_OUTLINE: Colour = (20, 20, 20)
_POSE_KEYS = ("azimuth", "elevation", "theta", "distance", "px", "py")


# ---------------------------------------------------------------------------
# Mesh edges and the vectorised segment rasteriser
# ---------------------------------------------------------------------------


def unique_edges(faces: np.ndarray) -> np.ndarray:
    """Each undirected edge of triangles ``faces`` (F, 3) once, as sorted
    pairs (E, 2) int64 in lexicographic order; degenerate edges dropped.

    Costs a few ms for 74k faces, so callers showing one mesh repeatedly may
    cache it and pass it as the third element of the mesh tuple.
    """
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    if faces.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    a = faces.reshape(-1)
    b = faces[:, [1, 2, 0]].reshape(-1)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # One int64 key per pair. A stable sort (timsort) is ~10x faster than
    # np.unique's quicksort here, since mesh faces come in long sorted runs.
    base = int(faces.max()) + 1
    keys = np.sort((lo * base + hi)[lo != hi], kind="stable")
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys
    return np.stack([keys // base, keys % base], axis=1)


def _clip_segments(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                   width: int, height: int) -> tuple[np.ndarray, ...]:
    """Liang-Barsky clip of segments to [0, width] x [0, height]; returns the
    clipped endpoints (x0, y0, x1, y1) of the segments that touch the image.
    Clipping bounds the samples per segment by the image size, whatever the pose."""
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = np.zeros(len(x0)), np.ones(len(x0))
    keep = np.ones(len(x0), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0), (dx, width - x0), (-dy, y0), (dy, height - y0)):
            r = q / p
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
            keep &= ~((p == 0) & (q < 0))
    keep &= t0 < t1  # a segment that only touches the border adds no pixel
    t0, t1, x0, y0, dx, dy = (v[keep] for v in (t0, t1, x0, y0, dx, dy))
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy


def _segments_in_image(uv: np.ndarray, edges: np.ndarray, width: int, height: int
                       ) -> tuple[np.ndarray, ...]:
    """Endpoints (x0, y0, x1, y1) of the edges' parts inside the image."""
    x, y = uv[:, 0], uv[:, 1]
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    a, b = edges[:, 0], edges[:, 1]
    # Most edges of a framed object lie inside: only the others need clipping.
    easy = inside[a] & inside[b]
    clipped = _clip_segments(x[a[~easy]], y[a[~easy]], x[b[~easy]], y[b[~easy]], width, height)
    return tuple(np.concatenate([v[e[easy]], c]) for v, e, c in zip(
        (x, y, x, y), (a, a, b, b), clipped))


def _mark(mask: np.ndarray, x: np.ndarray, y: np.ndarray, width: int, height: int) -> None:
    """Set the pixels containing points (x, y) in [0, width] x [0, height] in
    the flat ``mask``. A point on the far border belongs to a segment clipped
    there, which does cross the last pixel: clamping is right, not a fudge."""
    xi = np.minimum(x.astype(np.intp), width - 1)  # non-negative: trunc == floor
    yi = np.minimum(y.astype(np.intp), height - 1)
    yi *= width
    yi += xi
    mask[yi] = True


# Interior samples are made in chunks of about this many: the temporaries
# stay in cache and small, which is 2-3x faster than one pass on big meshes.
_CHUNK_SAMPLES = 1 << 15


def _mark_interiors(mask: np.ndarray, x0: np.ndarray, y0: np.ndarray, dx: np.ndarray,
                    dy: np.ndarray, steps: np.ndarray, width: int, height: int) -> None:
    """Mark samples k = 1 .. steps - 1 of each segment (x0, y0) + k / steps * (dx, dy)."""
    counts = steps - 1
    ends = np.cumsum(counts)
    bounds = np.searchsorted(ends, np.arange(_CHUNK_SAMPLES, ends[-1], _CHUNK_SAMPLES))
    for lo, hi in zip(np.r_[0, bounds + 1], np.r_[bounds + 1, len(counts)]):
        n = counts[lo:hi]
        if not n.size:
            continue
        # k restarts at 1 for every segment: a global ramp minus each
        # segment's offset; np.repeat of per-segment values beats gathers.
        offsets = np.cumsum(n) - n
        k = np.arange(1, int(n.sum()) + 1, dtype=np.float32)
        k -= np.repeat(offsets.astype(np.float32), n)
        sx, sy = (dx[lo:hi] / steps[lo:hi]).astype(np.float32), (dy[lo:hi] / steps[lo:hi]).astype(np.float32)
        x = np.repeat(x0[lo:hi].astype(np.float32), n) + k * np.repeat(sx, n)
        y = np.repeat(y0[lo:hi].astype(np.float32), n) + k * np.repeat(sy, n)
        _mark(mask, x, y, width, height)


def wireframe_mask(uv: np.ndarray, edges: np.ndarray, width: int, height: int,
                   depth: np.ndarray | None = None) -> np.ndarray:
    """Pixels (height, width) bool that the segments ``uv[edges]`` cross.

    ``uv`` (V, 2) are pixel coordinates (pixel (x, y) covers [x, x+1) x
    [y, y+1)), ``edges`` (E, 2) vertex index pairs. With ``depth`` (V,),
    segments with an endpoint at depth <= 0 (behind the camera) are skipped;
    so are segments with a non-finite endpoint. Each segment is sampled at
    most 1 px apart along its major axis, which gives 8-connected lines.
    """
    width, height = max(int(width), 0), max(int(height), 0)
    mask = np.zeros(height * width, dtype=bool)
    uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if edges.size == 0 or mask.size == 0:
        return mask.reshape(height, width)
    good = np.isfinite(uv).all(axis=1)
    if depth is not None:
        good &= np.asarray(depth, dtype=np.float64).reshape(-1) > 0
    edges = edges[good[edges[:, 0]] & good[edges[:, 1]]]
    x0, y0, x1, y1 = _segments_in_image(uv, edges, width, height)
    _mark(mask, x0, y0, width, height)
    _mark(mask, x1, y1, width, height)

    # Only segments longer than 1 px have samples between their endpoints
    # (a minority of a dense mesh's edges).
    dx, dy = x1 - x0, y1 - y0
    steps = np.ceil(np.maximum(np.abs(dx), np.abs(dy))).astype(np.int64)
    long = np.flatnonzero(steps >= 2)
    if long.size:
        _mark_interiors(mask, x0[long], y0[long], dx[long], dy[long], steps[long], width, height)
    return mask.reshape(height, width)


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


def _pose(obj: dict) -> dict | None:
    """The projection arguments of an object, or None when its pose cannot be
    drawn (missing, non-finite, or distance <= 0)."""
    values = [obj.get(key) for key in _POSE_KEYS]
    if any(v is None or not math.isfinite(float(v)) for v in values):
        return None
    pose = dict(zip(_POSE_KEYS, (float(v) for v in values)))
    if pose["distance"] <= 0:
        return None
    viewport, focal = obj.get("viewport"), obj.get("focal")
    pose["viewport"] = imagenet3d.DEFAULT_VIEWPORT if viewport is None else viewport
    pose["focal"] = imagenet3d.DEFAULT_FOCAL if focal is None else focal
    return pose


def _project(points: np.ndarray, pose: dict) -> tuple[np.ndarray, np.ndarray]:
    return imagenet3d.project(
        points, pose["azimuth"], pose["elevation"], pose["theta"], pose["distance"],
        pose["px"], pose["py"], pose["viewport"], pose["focal"], return_depth=True)


def _lookup_mesh(meshes: MeshSource, k: int) -> Mesh | None:
    if callable(meshes):
        try:
            return meshes(k)
        except LookupError:
            return None
    return meshes.get(k)


def _blend(pixels: np.ndarray, index: np.ndarray, colour: Colour, alpha: float) -> None:
    """Alpha-blend ``colour`` into the flat pixel positions ``index`` of the
    (H, W, 3) uint8 array. Through a 256-entry table per channel: 3x faster
    than float maths on hundreds of thousands of pixels, same rounding."""
    table = np.rint(np.arange(256.0)[:, None] * (1.0 - alpha)
                    + np.asarray(colour, dtype=np.float64) * alpha).astype(np.uint8)
    flat = pixels.reshape(-1, 3)
    for channel in range(3):
        values = flat[:, channel]  # a view: writes land in pixels
        values[index] = table[values[index], channel]


def _wireframe_pixels(objects: list[dict], meshes: MeshSource, width: int, height: int
                      ) -> list[tuple[np.ndarray, Colour]]:
    """Flat pixel indices of every drawable object's wireframe, with its colour."""
    layers = []
    for k, obj in enumerate(objects):
        pose = _pose(obj)
        mesh = _lookup_mesh(meshes, k) if pose else None
        if mesh is None:
            continue
        vertices, faces = mesh[0], mesh[1]
        edges = mesh[2] if len(mesh) > 2 and mesh[2] is not None else unique_edges(faces)
        uv, depth = _project(vertices, pose)
        index = np.flatnonzero(wireframe_mask(uv, edges, width, height, depth))
        if index.size:
            layers.append((index, OBJECT_COLOURS[k % len(OBJECT_COLOURS)]))
    return layers


def _draw_wireframes(image: Image.Image, objects: list[dict], meshes: MeshSource) -> Image.Image:
    """A new RGB image: ``image`` (RGB, left untouched) with the wireframes blended in.

    Moving a multi-megapixel photo between PIL and numpy costs more than
    drawing, so only the box around all wireframes makes the round trip,
    unless that box is most of the image anyway (then cropping and pasting
    back would add two copies)."""
    width, height = image.size
    layers = _wireframe_pixels(objects, meshes, width, height)
    if not layers:
        return image.copy()
    ys = np.concatenate([index // width for index, _ in layers])
    xs = np.concatenate([index % width for index, _ in layers])
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    if (x1 - x0) * (y1 - y0) > 0.5 * width * height:
        pixels = np.array(image)  # a copy
        for index, colour in layers:
            _blend(pixels, index, colour, WIREFRAME_ALPHA)
        return Image.fromarray(pixels, "RGB")
    pixels = np.array(image.crop((x0, y0, x1, y1)))
    for index, colour in layers:
        _blend(pixels, (index // width - y0) * (x1 - x0) + (index % width - x0), colour, WIREFRAME_ALPHA)
    result = image.copy()
    result.paste(Image.fromarray(pixels, "RGB"), (x0, y0))
    return result


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: fixed bitmap font
        return ImageFont.load_default()


def _bbox(obj: dict) -> tuple[float, float, float, float] | None:
    box = obj.get("bbox")
    if box is None or len(box) != 4 or not all(math.isfinite(float(v)) for v in box):
        return None
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _draw_axes(draw: ImageDraw.ImageDraw, pose: dict, font) -> None:
    points = np.vstack([np.zeros(3), AXIS_LENGTH * np.eye(3)])
    uv, depth = _project(points, pose)
    if not (depth > 0).all() or not np.isfinite(uv).all():
        return
    origin = tuple(uv[0])
    for end, colour, name in zip(uv[1:], AXIS_COLOURS, "xyz"):
        draw.line([origin, tuple(end)], fill=colour, width=3)
        draw.text((end[0] + 3, end[1] - 3), name, fill=colour, font=font,
                  stroke_width=1, stroke_fill=_OUTLINE)


def _draw_label(draw: ImageDraw.ImageDraw, text: str, anchor: tuple[float, float],
                colour: Colour, font, size: tuple[int, int]) -> None:
    """Text just above ``anchor`` on a dark backing, kept inside the image."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left + 4, bottom - top + 4
    x = min(max(anchor[0], 0), max(size[0] - w, 0))
    y = anchor[1] - h - 1
    y = min(max(y if y >= 0 else anchor[1] + 1, 0), max(size[1] - h, 0))
    draw.rectangle([x, y, x + w - 1, y + h - 1], fill=_OUTLINE)
    draw.text((x + 2 - left, y + 2 - top), text, fill=colour, font=font)


def _draw_vectors(image: Image.Image, objects: list[dict], kinds: set[str]) -> None:
    """Boxes, axes, centres and labels: few primitives each, so ImageDraw."""
    draw = ImageDraw.Draw(image)
    font = _font(max(11, min(image.size) // 40))
    for k, obj in enumerate(objects):
        colour = OBJECT_COLOURS[k % len(OBJECT_COLOURS)]
        pose, box = _pose(obj), _bbox(obj)
        if "bbox" in kinds and box:
            draw.rectangle(box, outline=colour, width=2)
        if "axes" in kinds and pose:
            _draw_axes(draw, pose, font)
        centre = _centre(obj)
        if "centre" in kinds and centre:
            x, y = centre
            draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour, outline=_OUTLINE, width=1)
        anchor = box[:2] if box else centre
        if anchor:
            _draw_label(draw, f"{k}: {obj.get('category')}", anchor, colour, font, image.size)


def _centre(obj: dict) -> tuple[float, float] | None:
    px, py = obj.get("px"), obj.get("py")
    if px is None or py is None or not (math.isfinite(float(px)) and math.isfinite(float(py))):
        return None
    return float(px), float(py)


def draw_overlays(image: Image.Image, objects: list[dict], meshes: MeshSource,
                  kinds: Iterable[str]) -> Image.Image:
    """An RGB copy of ``image`` with the requested ``kinds`` of overlay drawn
    for every object, object k in ``OBJECT_COLOURS[k % len]``.

    ``objects`` are :func:`imagenet3d.read_annotations` records. ``meshes``
    maps object index -> (vertices, faces) or (vertices, faces, edges) with
    cached :func:`unique_edges`; or it is a callable of the index returning
    such a tuple or None. Objects without a mesh or a drawable pose are
    skipped for the pose-based kinds. ``kinds`` is a subset of
    {"wireframe", "bbox", "axes", "centre"}; with any kind each object also
    gets a "k: category" label.
    """
    kinds = set(kinds)
    unknown = kinds - KINDS
    if unknown:
        raise ValueError(f"unknown overlay kinds {sorted(unknown)}; known: {sorted(KINDS)}")
    # convert() copies; skip it for RGB input, which the wireframe pass copies anyway.
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if "wireframe" in kinds:
        result = _draw_wireframes(rgb, objects, meshes)
    else:
        result = rgb.copy() if rgb is image else rgb
    if not kinds:
        return result
    _draw_vectors(result, objects, kinds)
    return result
