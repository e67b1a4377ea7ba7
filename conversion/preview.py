"""The preview image of a CAD model: what Data Studio shows in each row of the cad_models config.

A grey, two-sided Lambert-shaded render on white, seen from the front-left and a
little above (azimuth 35, elevation 20 degrees, like the official CAD/<category>.png
previews), centred and scaled to fill the square, rendered at 2x and averaged down.
Shading and camera are the shared renderer's (_imagenet3d/render.py). Its
rasteriser tests every pixel of each face's bounding box, 8x the pixels inside for
our thin CAD triangles; this one walks each face's rows and visits only the pixels
inside, so a preview costs tens of milliseconds. The work is bounded: a mesh whose
faces would cover more than _MAX_PIXELS pixels is drawn at a lower resolution.
Pure numpy plus PNG encoding: the same mesh gives the same bytes.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from _imagenet3d.render import Pose, face_shading

PREVIEW_SIZE = 256
AZIMUTH, ELEVATION = math.radians(35.0), math.radians(20.0)
_MARGIN = 0.06          # of the side, left free around the model
_GREY, _BACKGROUND = 215.0, 255.0
_SUPERSAMPLE = 2        # rendered at 2x and area-averaged: smooth edges
_MAX_PIXELS = 4_000_000  # face pixels (and rows) drawn at most: ~0.3 s and ~100 MB


def preview_png(vertices: np.ndarray, faces: np.ndarray, size: int = PREVIEW_SIZE) -> bytes:
    """The preview of a mesh (V, 3) / (F, 3) as greyscale PNG bytes of ``size`` x ``size``."""
    buffer = io.BytesIO()
    Image.fromarray(render_preview(vertices, faces, size)).save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()


def render_preview(vertices: np.ndarray, faces: np.ndarray, size: int = PREVIEW_SIZE) -> np.ndarray:
    """The preview as a (size, size) uint8 array."""
    vertices = np.asarray(vertices, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    low, high = vertices.min(0), vertices.max(0)
    centred = vertices - (low + high) / 2
    radius = max(float(np.linalg.norm(high - low)) / 2, 1e-9)
    # A mild perspective (the camera 3 radii away); focal 1 and the origin at (0, 0), then fitted below.
    pose = Pose(AZIMUTH, ELEVATION, 0.0, 3.0 * radius, 0.0, 0.0, viewport=1, focal=1)
    uv, depth = pose.project(centred)
    low_uv, high_uv = uv.min(0), uv.max(0)
    unit = (uv - (low_uv + high_uv) / 2) / max(float((high_uv - low_uv).max()), 1e-12) * (1 - 2 * _MARGIN) + 0.5
    side = _side(unit, faces, size * _SUPERSAMPLE)
    pixel, face, inv_depth = _rasterize(unit * side, 1.0 / depth, faces, side)
    nearest = np.full(side * side, -np.inf)
    np.maximum.at(nearest, pixel, inv_depth)
    front = inv_depth == nearest[pixel]
    image = np.full(side * side, _BACKGROUND)
    image[pixel[front]] = _GREY * face_shading(centred, faces, pose.rotation())[face[front]]
    if side != size:  # area-averaged down, or (a pathological mesh) scaled up
        resampling = Image.Resampling.BOX if side > size else Image.Resampling.NEAREST
        image = np.asarray(Image.fromarray(image.reshape(side, side).astype(np.float32)).resize(
            (size, size), resampling))
    return np.clip(np.rint(image.reshape(size, size)), 0, 255).astype(np.uint8)


def _ramp(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., n - 1 for each n of ``counts``, concatenated."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _rasterize(uv: np.ndarray, inv_depth: np.ndarray, faces: np.ndarray, side: int):
    """(pixel, face, 1/depth) of every pixel centre inside a face (edges included), row by row."""
    a, b, c = (uv[faces[:, i]] for i in range(3))
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    ys = np.stack([a[:, 1], b[:, 1], c[:, 1]], 1)
    y_lo = np.maximum(np.ceil(ys.min(1) - 0.5), 0)
    y_hi = np.minimum(np.floor(ys.max(1) - 0.5), side - 1)
    rows = np.where(np.abs(area) > 1e-12, np.maximum(y_hi - y_lo + 1, 0), 0).astype(np.int64)
    face = np.repeat(np.arange(len(faces)), rows)
    y = y_lo[face] + _ramp(rows) + 0.5                      # pixel-centre row of each (face, row)
    sign = np.sign(area)[face]
    x_min, x_max = np.full(len(face), -np.inf), np.full(len(face), np.inf)
    for p, q in ((a, b), (b, c), (c, a)):
        # Inside edge p->q: sign * ((q - p) x (point - p)) >= 0, i.e. k * x <= r on this row.
        k = sign * (q[face, 1] - p[face, 1])
        r = sign * ((q[face, 0] - p[face, 0]) * (y - p[face, 1]) + (q[face, 1] - p[face, 1]) * p[face, 0])
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = r / k
        x_max = np.where(k > 0, np.minimum(x_max, bound), np.where((k == 0) & (r < 0), -np.inf, x_max))
        x_min = np.where(k < 0, np.maximum(x_min, bound), x_min)
    x_lo = np.maximum(np.ceil(x_min - 0.5), 0)
    widths = np.maximum(np.minimum(np.floor(x_max - 0.5), side - 1) - x_lo + 1, 0).astype(np.int64)
    span = np.repeat(np.arange(len(face)), widths)
    x, y, face = x_lo[span] + _ramp(widths) + 0.5, y[span], face[span]
    # 1/depth is affine in screen space under perspective: its plane through the three vertices.
    iz = inv_depth[faces]
    du1, dv1, dz1 = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1], iz[:, 1] - iz[:, 0]
    du2, dv2, dz2 = c[:, 0] - a[:, 0], c[:, 1] - a[:, 1], iz[:, 2] - iz[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        grad_u, grad_v = (dz1 * dv2 - dz2 * dv1) / area, (dz2 * du1 - dz1 * du2) / area
    depth = iz[face, 0] + grad_u[face] * (x - a[face, 0]) + grad_v[face] * (y - a[face, 1])
    return (y.astype(np.int64) * side + x.astype(np.int64)), face, depth


def _side(unit: np.ndarray, faces: np.ndarray, side: int) -> int:
    """The largest side (halving from ``side``) at which the faces cover at most _MAX_PIXELS pixels."""
    a, b, c = (unit[faces[:, i]] for i in range(3))
    area = np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])) / 2
    height = np.ptp(np.stack([a[:, 1], b[:, 1], c[:, 1]], 1), axis=1)
    area_sum, height_sum = float(area.sum()), float(height.sum())
    while side > 16 and area_sum * side * side + height_sum * side + len(faces) > _MAX_PIXELS:
        side //= 2
    return side
