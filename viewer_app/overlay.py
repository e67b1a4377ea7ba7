"""Draw ImageNet3D annotations over their image: CAD model, shaded fill, box, axes, centre, labels.

:func:`render_view` draws at display resolution: the photo (or a zoomed region
of it) is resampled so its long side is ``display_size`` and every overlay is
drawn in display pixels, so lines stay 1-3 px and crisp at any photo size.
:func:`draw_overlays` draws the same on the photo's own pixel grid.

The model is drawn as its feature edges (boundary, crease, silhouette; hidden
parts removed, see :mod:`viewer_app.edges`) over a translucent Lambert-shaded
fill of its silhouette. All camera math goes through :mod:`imagenet3d`; shading
is that of :func:`_imagenet3d.render.face_shading`. Pixel (x, y) covers [x, x+1) x [y, y+1)
in every grid, so a display pixel maps to source pixels as
``source = origin + display / scale``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import imagenet3d

# The renderer's light, so the fill shades as _imagenet3d.render.face_shading does (from cached normals).
from _imagenet3d.render import _AMBIENT, _DIFFUSE, _LIGHT
from viewer_app.edges import (
    EdgeTopology,
    feature_edges,
    mesh_topology,
    sample_segments,
    unique_edges,
    visible,
    wireframe_mask,
    zbuffer,
)
from viewer_app.labels import place_labels

__all__ = [
    "OBJECT_COLOURS", "AXIS_COLOURS", "KINDS", "PREDICTION_STYLES", "DISPLAY_SIZE", "MAX_DISPLAY_SIZE",
    "WIREFRAME_ALPHA", "FILL_ALPHA", "AXIS_LENGTH", "View", "render_view", "draw_overlays", "zoom_region",
    "unique_edges", "wireframe_mask",
]

Colour = tuple[int, int, int]
Mesh = tuple  # (vertices (V, 3), faces (F, 3)[, EdgeTopology]); any other third element is ignored
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
#: "wireframe" is the model's (feature) edges, "fill" its shaded silhouette.
KINDS = frozenset({"wireframe", "fill", "bbox", "axes", "centre"})
PREDICTION_STYLES = ("overlaid", "side by side")
#: Long side of a rendered view: small photos are upscaled to it...
DISPLAY_SIZE = 1024
#: ...larger ones keep their resolution up to this long side, beyond which they are scaled down
#: (a bigger picture only costs encoding time; the browser shrinks it anyway).
MAX_DISPLAY_SIZE = 2048
#: Opacity of model lines and of the shaded fill, for an object drawn normally.
WIREFRAME_ALPHA = 0.85
FILL_ALPHA = 0.3
#: Axis length in CAD units (the models' bbox diagonal is about 1).
AXIS_LENGTH = 0.3
_DARK: Colour = (17, 17, 17)
_WHITE: Colour = (255, 255, 255)
_POSE_KEYS = ("azimuth", "elevation", "theta", "distance", "px", "py")


@dataclass(frozen=True)
class View:
    """A rendered picture and where it shows the photo: display pixel (x, y) of a
    panel shows source pixel ``origin + (x, y) / scale``. A side-by-side view has two
    panels of equal width (ground truth left, prediction right) over the same region."""

    image: Image.Image
    origin: tuple[float, float]
    scale: float
    panels: int = 1

    def source_point(self, x: float, y: float) -> tuple[float, float]:
        """Source-image coordinates of display point (x, y), in whichever panel it falls."""
        width = self.image.width // self.panels
        x = float(x) - width * min(max(int(x // width), 0), self.panels - 1)
        return self.origin[0] + x / self.scale, self.origin[1] + float(y) / self.scale

    def display_point(self, x: float, y: float, panel: int = 0) -> tuple[float, float]:
        """Display coordinates of source point (x, y) in ``panel``; inverse of :meth:`source_point`."""
        width = self.image.width // self.panels
        return (x - self.origin[0]) * self.scale + panel * width, (y - self.origin[1]) * self.scale


@dataclass(frozen=True)
class _Style:
    """How strongly one object is drawn: normal, selected, dimmed, or as a prediction."""

    fill: float           # fill opacity, 0 for none
    line: float           # edge opacity
    width: int            # edge width, display px
    outline: Colour | None
    dashed: bool = False
    dim: bool = False


@dataclass
class _Panel:
    """One picture being drawn: the resampled photo and its mapping from source pixels."""

    image: Image.Image
    origin: tuple[float, float]
    scale: float
    width: int = 1        # base line width of this picture

    @property
    def raster_scale(self) -> float:
        # Fill and hidden lines are resolved at most at the photo's own resolution: the photo
        # has no finer detail, and the cost stays that of the source size when zoomed in.
        return min(self.scale, 1.0)

    def to_display(self, uv: np.ndarray) -> np.ndarray:
        return (uv - self.origin) * self.scale


# ---------------------------------------------------------------------------
# Objects: poses, boxes, meshes
# ---------------------------------------------------------------------------


def _pose(obj: dict, rotation: tuple[float, float, float] | None = None) -> dict | None:
    """The projection arguments of an object, or None when its pose cannot be drawn
    (missing, non-finite, or distance <= 0); with ``rotation``, a predicted
    (azimuth, elevation, theta) replaces the annotated one."""
    values = [obj.get(key) for key in _POSE_KEYS]
    if rotation is not None:
        values[:3] = rotation
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


def _bbox(obj: dict) -> tuple[float, float, float, float] | None:
    box = obj.get("bbox")
    if box is None or len(box) != 4 or not all(v is not None and math.isfinite(float(v)) for v in box):
        return None
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _centre(obj: dict) -> tuple[float, float] | None:
    px, py = obj.get("px"), obj.get("py")
    if px is None or py is None or not (math.isfinite(float(px)) and math.isfinite(float(py))):
        return None
    return float(px), float(py)


# ---------------------------------------------------------------------------
# The model: shaded fill and feature edges
# ---------------------------------------------------------------------------


def _paste(panel: _Panel, colour: Colour | Image.Image, alpha: np.ndarray, corner: tuple[int, int]) -> None:
    """Blend ``colour`` into the panel through the (h, w) uint8 ``alpha`` at ``corner``, in PIL's C loop."""
    mask = Image.fromarray(alpha, "L")
    source = colour if isinstance(colour, Image.Image) else Image.new("RGB", mask.size, colour)
    panel.image.paste(source, corner, mask)


def _draw_model(panel: _Panel, mesh: Mesh, pose: dict, colour: Colour, style: _Style, kinds: set[str]) -> None:
    vertices, faces = np.asarray(mesh[0], dtype=np.float64), np.asarray(mesh[1], dtype=np.int64)
    topology = mesh[2] if len(mesh) > 2 and isinstance(mesh[2], EdgeTopology) else mesh_topology(vertices, faces)
    _, rotation, translation = imagenet3d.camera_matrices(
        pose["azimuth"], pose["elevation"], pose["theta"], pose["distance"], pose["px"], pose["py"],
        pose["viewport"], pose["focal"])
    camera = -rotation.T @ translation  # the camera centre in CAD coordinates
    uv, depth = _project(vertices, pose)
    facing = topology.facing(camera)

    # The model's z-buffer over its box in the raster grid: for the fill and for hidden lines.
    rs = panel.raster_scale
    grid = (uv - panel.origin) * rs
    ok = np.isfinite(grid).all(axis=1) & (depth > 1e-3)
    if not ok.any():
        return
    size = np.ceil(np.array(panel.image.size) * rs / panel.scale)
    lo = np.clip(np.floor(grid[ok].min(axis=0)), 0, size).astype(int)
    hi = np.clip(np.ceil(grid[ok].max(axis=0)), 0, size).astype(int)
    if (hi <= lo).any():
        return  # wholly outside the picture
    # A closed mesh wound consistently shows only faces turned to the camera: half the work.
    drawn = (np.flatnonzero(facing if topology.orientation > 0 else ~facing) if topology.orientation
             else np.arange(len(faces)))
    face_id, nearest = zbuffer(grid - lo, depth, faces[drawn], int(hi[0] - lo[0]), int(hi[1] - lo[1]))
    covered = face_id >= 0
    if "fill" in kinds and style.fill > 0 and covered.any():
        # face_shading's two-sided Lambert term from the cached unit normals: n_cam . L = n . (R^T L).
        light = rotation.T @ _LIGHT
        normals = topology.normals[:, drawn]
        shade = _AMBIENT + _DIFFUSE * np.abs(normals[0] * light[0] + normals[1] * light[1] + normals[2] * light[2])
        _fill(panel, shade, face_id, lo, colour, style.fill)
    if "wireframe" in kinds:
        edges, faces_of = feature_edges(topology, camera, facing)
        width, height = panel.image.size
        samples = sample_segments(panel.to_display(uv), edges, width, height, depth)
        inv = 1.0 / np.where(depth > 0, depth, np.inf)
        ends = edges[samples.segment]
        inv_depth = inv[ends[:, 0]] + samples.t * (inv[ends[:, 1]] - inv[ends[:, 0]])
        own = np.full(face_id.shape, -1, np.int64)
        own[covered] = drawn[face_id[covered]]  # mesh face ids
        keep = visible(samples, inv_depth, faces_of, own, nearest, rs / panel.scale, (int(lo[0]), int(lo[1])))
        if style.dashed:
            keep &= _dashes(samples, uv, edges, 3 * style.width + 4)
        _stroke(panel, samples.x[keep], samples.y[keep], colour, style)


def _fill(panel: _Panel, shade: np.ndarray, face_id: np.ndarray, lo: np.ndarray, colour: Colour, alpha: float
          ) -> None:
    """Blend the silhouette (face ids on the raster grid from ``lo``), each face at its ``shade``, into the panel.

    Shade and opacity travel as two one-channel layers (upsampled smoothly to display
    pixels when the grid is coarser: the fill is soft, the edges drawn over it crisp);
    the colour comes from per-channel lookup tables, in PIL's C loops."""
    covered = face_id >= 0
    # Outside the silhouette a mid shade, so smoothing at the border neither darkens nor glows.
    level = np.full(face_id.shape, 178, np.uint8)
    level[covered] = np.rint(shade[face_id[covered]] * 255).astype(np.uint8)
    layers = [Image.fromarray(level, "L"), Image.fromarray(np.where(covered, np.uint8(round(alpha * 255)),
                                                                    np.uint8(0)), "L")]
    corner = (int(lo[0]), int(lo[1]))
    k = panel.scale / panel.raster_scale
    if k != 1.0:
        h, w = face_id.shape
        x0, y0 = math.floor(lo[0] * k), math.floor(lo[1] * k)
        x1 = min(math.ceil((lo[0] + w) * k), panel.image.width)
        y1 = min(math.ceil((lo[1] + h) * k), panel.image.height)
        if x1 <= x0 or y1 <= y0:
            return
        box = (max(x0 / k - lo[0], 0), max(y0 / k - lo[1], 0), min(x1 / k - lo[0], w), min(y1 / k - lo[1], h))
        layers = [layer.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR, box=box) for layer in layers]
        corner = (x0, y0)
    level_layer, mask = layers
    rgb = Image.merge("RGB", [level_layer.point([round(v * c / 255) for v in range(256)]) for c in colour])
    panel.image.paste(rgb, corner, mask)


def _dashes(samples, uv: np.ndarray, edges: np.ndarray, period: int) -> np.ndarray:
    """Samples on the 'on' half of a dash pattern along each segment's major axis. Counted
    in absolute display coordinates, so dashes run on across the many tiny segments of
    a dense silhouette instead of restarting on each."""
    ends = edges[samples.segment]
    delta = np.abs(uv[ends[:, 1]] - uv[ends[:, 0]])
    along = np.where(delta[:, 0] >= delta[:, 1], samples.x, samples.y)
    return (np.floor(along / period) % 2) == 0


def _thicken(mask: np.ndarray, width: int) -> np.ndarray:
    """Square brush of ``width`` px (1, 2, 3, ...) on each set pixel of ``mask``."""
    if width <= 1:
        return mask
    h, w = mask.shape
    padded = np.pad(mask, width)
    out = np.zeros_like(mask)
    first = -((width - 1) // 2)
    for dy in range(first, first + width):
        for dx in range(first, first + width):
            out |= padded[width - dy:width - dy + h, width - dx:width - dx + w]
    return out


def _stroke(panel: _Panel, x: np.ndarray, y: np.ndarray, colour: Colour, style: _Style) -> None:
    """Paint the pixels of line samples (x, y) ``style.width`` px wide, over a 1 px outline if any."""
    if not x.size:
        return
    width, height = panel.image.size
    xi, yi = np.minimum(x.astype(np.intp), width - 1), np.minimum(y.astype(np.intp), height - 1)
    margin = style.width + 2
    x0, y0 = max(int(xi.min()) - margin, 0), max(int(yi.min()) - margin, 0)
    x1, y1 = min(int(xi.max()) + margin + 1, width), min(int(yi.max()) + margin + 1, height)
    mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    mask[yi - y0, xi - x0] = True
    line = _thicken(mask, style.width)
    if style.outline is not None:
        ring = _thicken(line, 3) & ~line
        _paste(panel, style.outline, ring.astype(np.uint8) * np.uint8(round(0.8 * 255)), (x0, y0))
    _paste(panel, colour, line.astype(np.uint8) * np.uint8(round(style.line * 255)), (x0, y0))


# ---------------------------------------------------------------------------
# Boxes, axes, centres, labels: few primitives each, so ImageDraw
# ---------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: fixed bitmap font
        return ImageFont.load_default()


def _text_colour(background: Colour) -> Colour:
    """Black or white, whichever has the higher WCAG 2.1 contrast on ``background``
    (as viewer_app.text.chip_text_colour, which imports this module)."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in background]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return _DARK if (luminance + 0.05) / 0.0566 >= 1.05 / (luminance + 0.05) else _WHITE


def _dimmed(colour: Colour) -> Colour:
    """Halfway to grey: still the object's hue, clearly secondary."""
    return tuple(int(round(0.5 * c + 0.5 * 128)) for c in colour)  # type: ignore[return-value]


def _draw_axes(draw: ImageDraw.ImageDraw, panel: _Panel, pose: dict, width: int, outline: Colour | None,
               font) -> None:
    points = np.vstack([np.zeros(3), AXIS_LENGTH * np.eye(3)])
    uv, depth = _project(points, pose)
    if not (depth > 0).all() or not np.isfinite(uv).all():
        return
    uv = panel.to_display(uv)
    origin = tuple(uv[0])
    if outline is not None:
        for end in uv[1:]:
            draw.line([origin, tuple(end)], fill=outline, width=width + 2)
    for end, colour, name in zip(uv[1:], AXIS_COLOURS, "xyz"):
        draw.line([origin, tuple(end)], fill=colour, width=width)
        draw.text((end[0] + 3, end[1] - 3), name, fill=colour, font=font, stroke_width=1,
                  stroke_fill=outline or _DARK)


def _label_text(k: int, obj: dict, note: str = "") -> str:
    if _pose(obj) is None:
        note = note or " (no pose)"
    elif obj.get("usable") is False:
        note = note or " (unusable)"
    return f"{k}: {obj.get('category')}{note}"


def _draw_chips(draw: ImageDraw.ImageDraw, chips: list[tuple[str, tuple[float, float], Colour, bool]],
                font, bounds: tuple[int, int], obstacles: list) -> None:
    """Labels (text, anchor, colour, emphasised) placed without collisions by labels.place_labels;
    the text is black or white, whichever reads on the chip."""
    if not chips:
        return
    pad = max(2, font.size // 6) if hasattr(font, "size") else 2
    frame = 2  # around the selected object's chip
    boxes = [draw.textbbox((0, 0), text, font=font) for text, *_ in chips]
    sizes = [(b[2] - b[0] + 2 * pad + 2 * frame * strong, b[3] - b[1] + 2 * pad + 2 * frame * strong)
             for b, (*_, strong) in zip(boxes, chips)]
    corners = place_labels([anchor for _, anchor, _, _ in chips], sizes, bounds, obstacles)
    for (text, _, colour, strong), box, (w, h), (x, y) in zip(chips, boxes, sizes, corners):
        if strong:
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=_DARK)
            x, y, w, h = x + frame, y + frame, w - 2 * frame, h - 2 * frame
        draw.rectangle([x, y, x + w - 1, y + h - 1], fill=colour)
        draw.text((x + pad - box[0], y + pad - box[1]), text, fill=_text_colour(colour), font=font)


def _caption(draw: ImageDraw.ImageDraw, text: str, xy: tuple[float, float], font, centred: bool = False
             ) -> tuple[int, int, int, int]:
    """White text on a dark backing at ``xy`` (its top-left, or top-centre); returns its box."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left + 8, bottom - top + 6
    x, y = (xy[0] - w / 2 if centred else xy[0]), xy[1]
    x, y = int(max(x, 0)), int(max(y, 0))
    draw.rectangle([x, y, x + w - 1, y + h - 1], fill=_DARK)
    draw.text((x + 4 - left, y + 3 - top), text, fill=_WHITE, font=font)
    return x, y, x + w, y + h


# ---------------------------------------------------------------------------
# One panel, then the public entry points
# ---------------------------------------------------------------------------


def _styles(k: int, selected: int | None, base: int) -> _Style:
    if selected is None:
        return _Style(FILL_ALPHA, WIREFRAME_ALPHA, base, None)
    if k == selected:
        return _Style(min(FILL_ALPHA + 0.1, 1.0), 1.0, base + 1, _DARK)
    return _Style(FILL_ALPHA / 3, WIREFRAME_ALPHA / 2, max(base - 1, 1), None, dim=True)


def _draw_panel(panel: _Panel, objects: list[dict], meshes: MeshSource, kinds: set[str], selected: int | None,
                rotations: Mapping[int, tuple[float, float, float]] | None, overlaid: bool,
                obstacles: list) -> None:
    """Everything for ``objects`` on one panel. ``rotations`` replaces the annotated
    rotations (the prediction panel of a side-by-side view); with ``overlaid`` they
    are drawn in addition, dashed and white-outlined, after the ground truth."""
    font = _font(max(11, round(max(panel.image.size) / 56)))
    draw = ImageDraw.Draw(panel.image)
    replace = rotations if not overlaid else None
    order = sorted(range(len(objects)), key=lambda k: k == selected)  # the selected object on top
    meshes_of = {k: _lookup_mesh(meshes, k) for k in order} if kinds & {"wireframe", "fill"} else {}
    for k in order:
        obj, colour, style = objects[k], OBJECT_COLOURS[k % len(OBJECT_COLOURS)], _styles(k, selected, panel.width)
        rotation = None if replace is None else replace.get(k)
        pose = _pose(obj, rotation) if replace is None or rotation is not None else None
        if pose is not None and meshes_of.get(k) is not None:
            _draw_model(panel, meshes_of[k], pose, colour, style, kinds)
        if overlaid and rotations and k in rotations and _pose(obj) is not None:
            predicted = _pose(obj, rotations[k])
            # Dashed and white-outlined, at least as wide as a normal line so its colour shows.
            dashed = _Style(0.0, 0.7 if style.dim else 1.0, max(style.width, panel.width),
                            None if style.dim else _WHITE, dashed=True, dim=style.dim)
            if predicted is not None and meshes_of.get(k) is not None:
                _draw_model(panel, meshes_of[k], predicted, colour, dashed, kinds)
            if predicted is not None and "axes" in kinds:
                _draw_axes(draw, panel, predicted, 1, _WHITE, font)
        _draw_vectors(draw, panel, obj, pose, colour, style, kinds, font)
    chips = []
    for k in ([selected] if selected is not None else []) + [k for k in range(len(objects)) if k != selected]:
        obj = objects[k]
        box, centre = _bbox(obj), _centre(obj)
        anchor = box[:2] if box else centre
        if anchor is None or not kinds:
            continue
        note = " (no prediction)" if replace is not None and k not in replace and _pose(obj) is not None else ""
        colour = OBJECT_COLOURS[k % len(OBJECT_COLOURS)]
        chips.append((_label_text(k, obj, note), tuple(panel.to_display(np.array(anchor))), colour, k == selected))
    _draw_chips(draw, chips, font, panel.image.size, obstacles)


def _draw_vectors(draw: ImageDraw.ImageDraw, panel: _Panel, obj: dict, pose: dict | None, colour: Colour,
                  style: _Style, kinds: set[str], font) -> None:
    box, centre = _bbox(obj), _centre(obj)
    tint = _dimmed(colour) if style.dim else colour
    if "bbox" in kinds and box:
        corners = panel.to_display(np.array(box).reshape(2, 2)).reshape(-1)
        draw.rectangle(tuple(corners), outline=tint, width=max(style.width + 1, 2) if not style.dim else 1)
    if "axes" in kinds and pose:
        _draw_axes(draw, panel, pose, 1 if style.dim else style.width + 1, style.outline, font)
    if "centre" in kinds and centre:
        x, y = panel.to_display(np.array(centre))
        r = max(4, round(max(panel.image.size) / 200)) - (1 if style.dim else 0)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tint, outline=_DARK, width=1)


def _geometry(size: tuple[int, int], region, display_size: int) -> tuple[float, float, float, int, int]:
    """Origin (x0, y0), scale and display size (w, h) for ``region`` of an image of ``size``.
    Regions are clamped to the image; an empty one means the whole image. The long side
    becomes ``display_size`` when smaller (upscaled), else stays at the photo's own
    resolution up to MAX_DISPLAY_SIZE: a picture is never shown below its resolution
    unless it is huge."""
    width, height = size
    x0, y0, x1, y1 = 0.0, 0.0, float(width), float(height)
    if region is not None:
        rx0, ry0, rx1, ry1 = (float(v) for v in region)
        rx0, rx1 = sorted((min(max(rx0, 0.0), width), min(max(rx1, 0.0), width)))
        ry0, ry1 = sorted((min(max(ry0, 0.0), height), min(max(ry1, 0.0), height)))
        if rx1 - rx0 >= 1 and ry1 - ry0 >= 1:
            x0, y0, x1, y1 = rx0, ry0, rx1, ry1
    long = max(x1 - x0, y1 - y0)
    scale = display_size / long if long < display_size else min(1.0, MAX_DISPLAY_SIZE / long)
    # floor: the resampled box x0 + w / scale stays inside the image.
    return x0, y0, scale, max(1, math.floor((x1 - x0) * scale + 1e-9)), max(1, math.floor((y1 - y0) * scale + 1e-9))


def _resample(image: Image.Image, x0: float, y0: float, scale: float, w: int, h: int) -> Image.Image:
    if scale == 1.0 and float(x0).is_integer() and float(y0).is_integer():
        if (x0, y0, w, h) == (0, 0, image.width, image.height):
            return image.copy()
        return image.crop((int(x0), int(y0), int(x0) + w, int(y0) + h))
    return image.resize((w, h), Image.Resampling.BICUBIC, box=(x0, y0, x0 + w / scale, y0 + h / scale))


def render_view(image: Image.Image, objects: list[dict], meshes: MeshSource, kinds: Iterable[str], *,
                selected: int | None = None, predictions: Mapping[int, tuple[float, float, float]] | None = None,
                prediction_style: str = "overlaid", region: tuple[float, float, float, float] | None = None,
                display_size: int = DISPLAY_SIZE) -> View:
    """``image`` (or its ``region`` (x0, y0, x1, y1), source pixels) resampled to
    ``display_size`` on its long side, with the chosen overlays drawn in display pixels.

    ``objects`` are :func:`imagenet3d.read_annotations` records, object k drawn in
    ``OBJECT_COLOURS[k % 8]``. ``meshes`` maps object index -> (vertices, faces)
    (optionally with a cached :func:`viewer_app.edges.mesh_topology` third) or is a
    callable of the index returning that or None. ``kinds`` is a subset of
    :data:`KINDS`; with any kind each object gets a "k: category" label. With
    ``selected`` = k, object k is emphasised and the others dimmed. ``predictions``
    maps object index -> predicted (azimuth, elevation, theta), drawn with the
    annotation's distance and principal point, in ``prediction_style``: "overlaid"
    (dashed, white-outlined, over the solid ground truth) or "side by side"
    (ground truth left, prediction right, twice as wide).
    """
    kinds = set(kinds)
    unknown = kinds - KINDS
    if unknown:
        raise ValueError(f"unknown overlay kinds {sorted(unknown)}; known: {sorted(KINDS)}")
    if prediction_style not in PREDICTION_STYLES:
        raise ValueError(f"unknown prediction style {prediction_style!r}; known: {PREDICTION_STYLES}")
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    x0, y0, scale, w, h = _geometry(rgb.size, region, display_size)
    photo = _resample(rgb, x0, y0, scale, w, h)
    if not kinds:
        return View(photo, (x0, y0), scale)
    base = 1 if max(w, h) < 700 else 2
    panel = _Panel(photo, (x0, y0), scale, base)
    font = _font(max(11, round(max(w, h) / 56)))
    draw = ImageDraw.Draw(photo)
    predictions = dict(predictions or {})
    if predictions and prediction_style == "side by side":
        right = _Panel(photo.copy(), (x0, y0), scale, base)
        captions = [[_caption(ImageDraw.Draw(p.image), text, (w / 2, 2), font, centred=True)]
                    for p, text in ((panel, "ground truth"), (right, "prediction"))]
        _draw_panel(panel, objects, meshes, kinds, selected, None, False, captions[0])
        _draw_panel(right, objects, meshes, kinds, selected, predictions, False, captions[1])
        canvas = Image.new("RGB", (2 * w, h))
        canvas.paste(panel.image, (0, 0))
        canvas.paste(right.image, (w, 0))
        return View(canvas, (x0, y0), scale, panels=2)
    obstacles = []
    if predictions:
        left, top, right_edge, bottom = draw.textbbox((0, 0), "solid: ground truth  ·  dashed: prediction", font=font)
        obstacles.append(_caption(draw, "solid: ground truth  ·  dashed: prediction",
                                  (2, h - (bottom - top) - 8), font))
    _draw_panel(panel, objects, meshes, kinds, selected, predictions, True, obstacles)
    return View(photo, (x0, y0), scale)


def draw_overlays(image: Image.Image, objects: list[dict], meshes: MeshSource, kinds: Iterable[str], *,
                  selected: int | None = None, predictions: Mapping[int, tuple[float, float, float]] | None = None,
                  prediction_style: str = "overlaid") -> Image.Image:
    """An RGB copy of ``image`` with the overlays of :func:`render_view` drawn on its
    own pixel grid (no resampling); ``image`` itself is left untouched."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return render_view(rgb, objects, meshes, kinds, selected=selected, predictions=predictions,
                       prediction_style=prediction_style, display_size=max(rgb.size)).image


def zoom_region(obj: dict, image_size: tuple[int, int], margin: float = 0.2,
                mesh: Mesh | None = None) -> tuple[float, float, float, float]:
    """A box (x0, y0, x1, y1) in source pixels to zoom to ``obj``: its bbox, else its
    projected model (with ``mesh``), else its centre; grown by ``margin`` of its size on
    every side, to at least 32 px and to the image's aspect ratio, and moved (or
    shrunk) to lie inside the image. The whole image when nothing locates the object."""
    width, height = image_size
    box = _bbox(obj)
    pose = _pose(obj)
    if box is None and mesh is not None and pose is not None:
        uv, depth = _project(np.asarray(mesh[0], dtype=np.float64), pose)
        uv = uv[np.isfinite(uv).all(axis=1) & (depth > 0)]
        if uv.size:
            box = (*uv.min(axis=0), *uv.max(axis=0))
    if box is None and _centre(obj) is not None:
        cx, cy = _centre(obj)
        box = (cx, cy, cx, cy)
    if box is None:
        return 0.0, 0.0, float(width), float(height)
    x0, y0, x1, y1 = (float(v) for v in box)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = max((x1 - x0) * (1 + 2 * margin), 32.0)
    h = max((y1 - y0) * (1 + 2 * margin), 32.0)
    aspect = width / height
    w, h = max(w, h * aspect), max(h, w / aspect)
    shrink = min(1.0, width / w, height / h)
    w, h = w * shrink, h * shrink
    x0 = min(max(cx - w / 2, 0.0), width - w)
    y0 = min(max(cy - h / 2, 0.0), height - h)
    return x0, y0, x0 + w, y0 + h
