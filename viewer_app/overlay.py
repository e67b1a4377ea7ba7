"""Draw ImageNet3D annotations over their image: CAD model, shaded fill, box, axes, centre, labels.

:func:`render_view` draws at display resolution: the photo (or a zoomed region
of it) is resampled so its long side is ``display_size`` and every overlay is
drawn in display pixels, so lines stay 1-3 px and crisp at any photo size.
:func:`draw_overlays` draws the same on the photo's own pixel grid.

The model is drawn as its feature edges over a translucent shaded fill of its
silhouette (:mod:`viewer_app.model_drawing`); boxes, axes, centres and labels
here. Pixel (x, y) covers [x, x+1) x [y, y+1) in every grid, so a display pixel
maps to source pixels as ``source = origin + display / scale``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from _imagenet3d.render import Pose
from viewer_app.colours import AXIS_COLOURS, DARK, OBJECT_COLOURS, WHITE, Colour, chip_text_colour, object_colour
from viewer_app.labels import place_labels
from viewer_app.model_drawing import Panel, Style, draw_model
from viewer_app.objects import Mesh, MeshSource, bbox, centre, lookup_mesh

__all__ = [
    "OBJECT_COLOURS", "AXIS_COLOURS", "KINDS", "PREDICTION_STYLES", "DISPLAY_SIZE", "MAX_DISPLAY_SIZE",
    "WIREFRAME_ALPHA", "FILL_ALPHA", "AXIS_LENGTH", "View", "Geometry", "view_geometry", "render_view",
    "draw_overlays", "zoom_region",
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


@dataclass(frozen=True)
class Geometry:
    """Where a rendered picture shows the photo: display pixel (x, y) of a panel shows source pixel
    ``origin + (x, y) / scale``. A side-by-side view has two panels of equal width (ground truth
    left, prediction right) over the same region. Kept apart from the picture so that a click can be
    mapped back long after the picture itself is gone."""

    origin: tuple[float, float]
    scale: float
    width: int          # of the whole picture, display pixels
    panels: int = 1

    def source_point(self, x: float, y: float) -> tuple[float, float]:
        """Source-image coordinates of display point (x, y), in whichever panel it falls."""
        width = self.width // self.panels
        x = float(x) - width * min(max(int(x // width), 0), self.panels - 1)
        return self.origin[0] + x / self.scale, self.origin[1] + float(y) / self.scale

    def display_point(self, x: float, y: float, panel: int = 0) -> tuple[float, float]:
        """Display coordinates of source point (x, y) in ``panel``; inverse of :meth:`source_point`."""
        width = self.width // self.panels
        return (x - self.origin[0]) * self.scale + panel * width, (y - self.origin[1]) * self.scale


@dataclass(frozen=True)
class View:
    """A rendered picture and its :class:`Geometry`."""

    image: Image.Image
    origin: tuple[float, float]
    scale: float
    panels: int = 1

    @property
    def geometry(self) -> Geometry:
        return Geometry(self.origin, self.scale, self.image.width, self.panels)

    def source_point(self, x: float, y: float) -> tuple[float, float]:
        return self.geometry.source_point(x, y)

    def display_point(self, x: float, y: float, panel: int = 0) -> tuple[float, float]:
        return self.geometry.display_point(x, y, panel)


def _predicted(obj: dict, rotation: tuple[float, float, float]) -> Pose | None:
    """The object's pose with a predicted (azimuth, elevation, theta), or None when that cannot be
    drawn: :meth:`Pose.of`'s rule over the predicted angles and the annotated rest."""
    return Pose.of({**obj, **dict(zip(("azimuth", "elevation", "theta"), rotation))})


# ---------------------------------------------------------------------------
# Boxes, axes, centres, labels: few primitives each, so ImageDraw
# ---------------------------------------------------------------------------


Font = ImageFont.ImageFont | ImageFont.FreeTypeFont


@lru_cache(maxsize=16)
def _font(size: int) -> Font:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: fixed bitmap font
        return ImageFont.load_default()


def _dimmed(colour: Colour) -> Colour:
    """Halfway to grey: still the object's hue, clearly secondary."""
    return tuple(int(round(0.5 * c + 0.5 * 128)) for c in colour)  # type: ignore[return-value]


def _draw_axes(draw: ImageDraw.ImageDraw, panel: Panel, pose: Pose, width: int, outline: Colour | None,
               font: Font) -> None:
    points = np.vstack([np.zeros(3), AXIS_LENGTH * np.eye(3)])
    uv, depth = pose.project(points)
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
                  stroke_fill=outline or DARK)


def _label_text(k: int, obj: dict, note: str = "") -> str:
    if Pose.of(obj) is None:
        note = note or " (no pose)"
    elif obj.get("usable") is False:
        note = note or " (unusable)"
    return f"{k}: {obj.get('category')}{note}"


def _draw_chips(draw: ImageDraw.ImageDraw, chips: list[tuple[str, tuple[float, float], Colour, bool]],
                font: Font, bounds: tuple[int, int], obstacles: list) -> None:
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
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=DARK)
            x, y, w, h = x + frame, y + frame, w - 2 * frame, h - 2 * frame
        draw.rectangle([x, y, x + w - 1, y + h - 1], fill=colour)
        draw.text((x + pad - box[0], y + pad - box[1]), text, fill=chip_text_colour(colour), font=font)


def _caption(draw: ImageDraw.ImageDraw, text: str, xy: tuple[float, float], font: Font, centred: bool = False
             ) -> tuple[int, int, int, int]:
    """White text on a dark backing at ``xy`` (its top-left, or top-centre); returns its box."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left + 8, bottom - top + 6
    x, y = (xy[0] - w / 2 if centred else xy[0]), xy[1]
    x, y = int(max(x, 0)), int(max(y, 0))
    draw.rectangle([x, y, x + w - 1, y + h - 1], fill=DARK)
    draw.text((x + 4 - left, y + 3 - top), text, fill=WHITE, font=font)
    return x, y, x + w, y + h


# ---------------------------------------------------------------------------
# One panel, then the public entry points
# ---------------------------------------------------------------------------


def _styles(k: int, selected: int | None, base: int) -> Style:
    if selected is None:
        return Style(FILL_ALPHA, WIREFRAME_ALPHA, base, None)
    if k == selected:
        return Style(min(FILL_ALPHA + 0.1, 1.0), 1.0, base + 1, DARK)
    return Style(FILL_ALPHA / 3, WIREFRAME_ALPHA / 2, max(base - 1, 1), None, dim=True)


def _draw_panel(panel: Panel, objects: list[dict], meshes: MeshSource, kinds: set[str], selected: int | None,
                rotations: Mapping[int, tuple[float, float, float]] | None, overlaid: bool,
                obstacles: list) -> None:
    """Everything for ``objects`` on one panel. ``rotations`` replaces the annotated
    rotations (the prediction panel of a side-by-side view); with ``overlaid`` they
    are drawn in addition, dashed and white-outlined, after the ground truth."""
    font = _font(max(11, round(max(panel.image.size) / 56)))
    draw = ImageDraw.Draw(panel.image)
    replace = rotations if not overlaid else None
    order = sorted(range(len(objects)), key=lambda k: k == selected)  # the selected object on top
    meshes_of = {k: lookup_mesh(meshes, k) for k in order} if kinds & {"wireframe", "fill"} else {}
    for k in order:
        obj, colour, style = objects[k], object_colour(k), _styles(k, selected, panel.width)
        rotation = None if replace is None else replace.get(k)
        if replace is None:
            pose = Pose.of(obj)
        else:  # the prediction panel: only objects with a prediction have a model
            pose = None if rotation is None else _predicted(obj, rotation)
        mesh = meshes_of.get(k)
        if pose is not None and mesh is not None:
            draw_model(panel, mesh, pose, colour, style, kinds)
        if overlaid and rotations and k in rotations and Pose.of(obj) is not None:
            predicted = _predicted(obj, rotations[k])
            # Dashed and white-outlined, at least as wide as a normal line so its colour shows.
            dashed = Style(0.0, 0.7 if style.dim else 1.0, max(style.width, panel.width),
                           None if style.dim else WHITE, dashed=True, dim=style.dim)
            if predicted is not None and mesh is not None:
                draw_model(panel, mesh, predicted, colour, dashed, kinds)
            if predicted is not None and "axes" in kinds:
                _draw_axes(draw, panel, predicted, 1, WHITE, font)
        _draw_vectors(draw, panel, obj, pose, colour, style, kinds, font)
    chips = []
    for k in ([selected] if selected is not None else []) + [k for k in range(len(objects)) if k != selected]:
        obj = objects[k]
        box = bbox(obj)
        anchor = box[:2] if box else centre(obj)
        if anchor is None or not kinds:
            continue
        note = " (no prediction)" if replace is not None and k not in replace and Pose.of(obj) is not None else ""
        chips.append((_label_text(k, obj, note), tuple(panel.to_display(np.array(anchor))), object_colour(k),
                      k == selected))
    _draw_chips(draw, chips, font, panel.image.size, obstacles)


def _draw_vectors(draw: ImageDraw.ImageDraw, panel: Panel, obj: dict, pose: Pose | None, colour: Colour,
                  style: Style, kinds: set[str], font: Font) -> None:
    box, point = bbox(obj), centre(obj)
    tint = _dimmed(colour) if style.dim else colour
    if "bbox" in kinds and box:
        corners = panel.to_display(np.array(box).reshape(2, 2)).reshape(-1)
        draw.rectangle(tuple(corners), outline=tint, width=max(style.width + 1, 2) if not style.dim else 1)
    if "axes" in kinds and pose:
        _draw_axes(draw, panel, pose, 1 if style.dim else style.width + 1, style.outline, font)
    if "centre" in kinds and point:
        x, y = panel.to_display(np.array(point))
        r = max(4, round(max(panel.image.size) / 200)) - (1 if style.dim else 0)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tint, outline=DARK, width=1)


def _geometry(size: tuple[int, int], region: tuple[float, float, float, float] | None, display_size: int
              ) -> tuple[float, float, float, int, int]:
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


def view_geometry(size: tuple[int, int], region: tuple[float, float, float, float] | None = None,
                  display_size: int = DISPLAY_SIZE, side_by_side: bool = False) -> Geometry:
    """The :class:`Geometry` of what :func:`render_view` draws for an image of ``size`` (side by side:
    predictions given in that style), without drawing it: a click on the picture maps back with it."""
    x0, y0, scale, w, h = _geometry(size, region, display_size)
    return Geometry((x0, y0), scale, 2 * w if side_by_side else w, 2 if side_by_side else 1)


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
    ``object_colour(k)`` (:mod:`viewer_app.colours`). ``meshes`` maps object index -> (vertices, faces)
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
    panel = Panel(photo, (x0, y0), scale, base)
    font = _font(max(11, round(max(w, h) / 56)))
    draw = ImageDraw.Draw(photo)
    predictions = dict(predictions or {})
    if predictions and prediction_style == "side by side":
        right = Panel(photo.copy(), (x0, y0), scale, base)
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
    box = bbox(obj)
    pose = Pose.of(obj)
    if box is None and mesh is not None and pose is not None:
        uv, depth = pose.project(np.asarray(mesh[0], dtype=np.float64))
        uv = uv[np.isfinite(uv).all(axis=1) & (depth > 0)]
        if uv.size:
            box = (*uv.min(axis=0), *uv.max(axis=0))
    point = centre(obj)
    if box is None and point is not None:
        cx, cy = point
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
