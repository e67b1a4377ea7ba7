"""One CAD model drawn into a picture: its visible feature edges over a translucent shaded fill.

The edges are those of :mod:`viewer_app.edges` (boundary, crease, silhouette; hidden parts removed),
stroked 1-3 display px wide, solid or dashed, optionally over a 1 px outline. The fill is the model's
silhouette, each face at :func:`_imagenet3d.render.lambert`'s shade, the renderer's own light. Both are
resolved on a raster grid no finer than the photo (:attr:`Panel.raster_scale`) and blended in PIL's C
loops. Pixel (x, y) covers [x, x+1) x [y, y+1) in every grid: ``display = (source - origin) * scale``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from _imagenet3d.render import NEAR, Pose, lambert
from viewer_app.colours import Colour
from viewer_app.edges import EdgeTopology, Samples, feature_edges, mesh_topology, sample_segments, visible, zbuffer
from viewer_app.objects import Mesh

__all__ = ["Style", "Panel", "draw_model"]


@dataclass(frozen=True)
class Style:
    """How strongly one object is drawn: normal, selected, dimmed, or as a prediction."""

    fill: float           # fill opacity, 0 for none
    line: float           # edge opacity
    width: int            # edge width, display px
    outline: Colour | None
    dashed: bool = False
    dim: bool = False


@dataclass
class Panel:
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


def _paste(panel: Panel, colour: Colour | Image.Image, alpha: np.ndarray, corner: tuple[int, int]) -> None:
    """Blend ``colour`` into the panel through the (h, w) uint8 ``alpha`` at ``corner``, in PIL's C loop."""
    mask = Image.fromarray(alpha, "L")
    source = colour if isinstance(colour, Image.Image) else Image.new("RGB", mask.size, colour)
    panel.image.paste(source, corner, mask)


def draw_model(panel: Panel, mesh: Mesh, pose: Pose, colour: Colour, style: Style, kinds: set[str]) -> None:
    """The model's shaded fill ("fill" in ``kinds``) and visible feature edges ("wireframe") at ``pose``."""
    vertices, faces = np.asarray(mesh[0], dtype=np.float64), np.asarray(mesh[1], dtype=np.int64)
    topology = mesh[2] if len(mesh) > 2 and isinstance(mesh[2], EdgeTopology) else mesh_topology(vertices, faces)
    _, rotation, translation = pose.matrices()
    camera = -rotation.T @ translation  # the camera centre in CAD coordinates
    uv, depth = pose.project(vertices)
    facing = topology.facing(camera)

    # The model's z-buffer over its box in the raster grid: for the fill and for hidden lines.
    rs = panel.raster_scale
    grid = (uv - panel.origin) * rs
    ok = np.isfinite(grid).all(axis=1) & (depth > NEAR)
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
        # The cached unit normals (3, F), turned into camera coordinates for the renderer's light.
        shade = lambert((rotation @ topology.normals[:, drawn]).T)
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


def _fill(panel: Panel, shade: np.ndarray, face_id: np.ndarray, lo: np.ndarray, colour: Colour, alpha: float
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


def _dashes(samples: Samples, uv: np.ndarray, edges: np.ndarray, period: int) -> np.ndarray:
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


def _stroke(panel: Panel, x: np.ndarray, y: np.ndarray, colour: Colour, style: Style) -> None:
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
