"""Which object a click on the image selects.

A click at source pixel (x, y) (x right, y down, pixel (i, j) covering
[i, i+1) x [j, j+1)) hits, in order:

1. the front-most object whose CAD silhouette at its annotated pose covers
   the pixel's centre -- exactly :func:`_imagenet3d.render.render`'s rule
   (pixel centre inside a face, largest 1/depth wins), so a pick agrees with
   the rendered ``object_id`` buffer. Objects without a drawable pose or mesh
   count with their annotated bbox instead; such a box wins over a silhouette
   only when it is the smaller of the two boxes (else it could never be picked
   where a posed object covers it);
2. else the smallest annotated bbox containing the point (gaps between a
   chair's legs still select the chair);
3. else the object whose bbox (or centre, without a bbox) is nearest, if
   within ``tolerance`` pixels; else None.

Only objects whose projected 3D bounding box (8 points) holds the pixel are
projected in full, only their faces around the pixel are rasterised, and only
into a 1 x 1 window: a click costs one mesh projection per object under it
(about 3 ms for a 37k-vertex CAD model), never a render. Poses and the camera
come from :mod:`_imagenet3d.render` (:meth:`Pose.of`, ``Pose.project``), as the
renderer's own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from _imagenet3d.render import NEAR, Pose, rasterize
from viewer_app.objects import Box, MeshSource, bbox, centre, lookup_mesh

__all__ = ["TOLERANCE", "object_at", "silhouette_depth"]

#: Pixels around a box within which a click that hits nothing still selects it.
TOLERANCE = 12.0


def _box_corners(vertices: np.ndarray) -> np.ndarray:
    """The 8 corners (8, 3) of the vertices' axis-aligned bounding box."""
    # Column by column: numpy's axis-0 reduction of a (V, 3) array is ~20x slower.
    lo = np.array([vertices[:, i].min() for i in range(3)])
    hi = np.array([vertices[:, i].max() for i in range(3)])
    pick = np.array([[i >> 2 & 1, i >> 1 & 1, i & 1] for i in range(8)], dtype=bool)
    return np.where(pick, hi, lo)


def silhouette_depth(vertices: np.ndarray, faces: np.ndarray, pose: Pose, column: int, row: int) -> float | None:
    """1 / camera depth of the nearest face of the posed mesh covering the
    centre of pixel (column, row), or None when no face covers it."""
    vertices = np.asarray(vertices, dtype=np.float64)
    if not len(vertices):
        return None
    cx, cy = column + 0.5, row + 0.5
    # The projected 3D bounding box: it contains the silhouette when every
    # corner is in front of the camera (a convex set projects inside the hull
    # of its projected corners), and costs 8 projections instead of thousands.
    corners, corner_depth = pose.project(_box_corners(vertices))
    if (corner_depth > NEAR).all() and np.isfinite(corners).all():
        (u0, v0), (u1, v1) = corners.min(axis=0), corners.max(axis=0)
        if not (u0 <= cx <= u1 and v0 <= cy <= v1):
            return None
    uv, depth = pose.project(vertices)
    u, v = uv[:, 0], uv[:, 1]
    # Per vertex, one bit per side of the pixel centre it lies on; a face whose
    # three vertices share a bit lies wholly on that side and cannot cover it.
    # (Non-finite vertices compare False everywhere; rasterize drops their faces.)
    code = (u < cx).astype(np.uint8)
    code |= (u > cx).astype(np.uint8) << 1
    code |= (v < cy).astype(np.uint8) << 2
    code |= (v > cy).astype(np.uint8) << 3
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    faces = faces[(code[faces[:, 0]] & code[faces[:, 1]] & code[faces[:, 2]]) == 0]
    if not faces.size:
        return None
    # Rasterise just those faces into a 1 x 1 window at the pixel: their own
    # vertex copies, shifted so that the pixel is the window's origin.
    used = faces.reshape(-1)
    local = np.arange(used.size).reshape(-1, 3)
    fragments = rasterize(uv[used] - (column, row), depth[used], local, 1, 1)
    return float(fragments.inv_depth.max()) if fragments.inv_depth.size else None


def _area(box: Box | None) -> float:
    return math.inf if box is None else (box[2] - box[0]) * (box[3] - box[1])


def _distance(obj: Mapping, box: Box | None, x: float, y: float) -> float:
    """Distance from (x, y) to the box (0 inside), or to the centre (px, py) without a box."""
    if box is not None:
        return math.hypot(max(box[0] - x, x - box[2], 0.0), max(box[1] - y, y - box[3], 0.0))
    point = centre(obj)
    return math.inf if point is None else math.hypot(point[0] - x, point[1] - y)


def object_at(objects: list[dict], meshes: MeshSource, size: tuple[int, int], x: float, y: float,
              tolerance: float = TOLERANCE) -> int | None:
    """Index of the object a click at source pixel (x, y) selects, or None (rules: module docstring).

    ``objects`` are the image's object dicts, ``meshes`` a
    :data:`viewer_app.objects.MeshSource` (as the overlays take), ``size`` is the
    image's (width, height): clicks outside it hit no silhouette.
    """
    x, y = float(x), float(y)
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    column, row = math.floor(x), math.floor(y)
    on_image = 0 <= column < size[0] and 0 <= row < size[1]
    boxes = [bbox(obj) for obj in objects]
    inside = [k for k, box in enumerate(boxes)
              if box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]]

    front, front_depth = None, -math.inf
    boxed = []  # objects drawn as their box: no pose or no mesh
    for k, obj in enumerate(objects):
        pose = Pose.of(obj)
        mesh = lookup_mesh(meshes, k) if pose is not None else None
        if pose is None or mesh is None:
            if k in inside:
                boxed.append(k)
            continue
        if not on_image:
            continue
        inv_depth = silhouette_depth(mesh[0], mesh[1], pose, column, row)
        # >= : on equal depth the later object wins, as in render()'s last write.
        if inv_depth is not None and inv_depth >= front_depth:
            front, front_depth = k, inv_depth
    smallest_boxed = min(boxed, key=lambda k: _area(boxes[k]), default=None)
    if front is not None:
        if smallest_boxed is not None and _area(boxes[smallest_boxed]) < _area(boxes[front]):
            return smallest_boxed
        return front
    if inside:
        return min(inside, key=lambda k: _area(boxes[k]))  # min keeps the first on ties
    distances = [_distance(obj, box, x, y) for obj, box in zip(objects, boxes)]
    nearest = min(range(len(objects)), key=distances.__getitem__, default=None)
    return nearest if nearest is not None and distances[nearest] <= tolerance else None
