"""An image's objects as the viewer reads them: box, centre, and the mesh that goes with each.

The annotations come as dicts (``objects`` items of a dataset row, or normalised records) whose
values may be missing or non-finite; these helpers say None then, so every view skips the same
objects. Whether an object has a pose is :meth:`_imagenet3d.render.Pose.of`'s to say.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

__all__ = ["Box", "Mesh", "MeshSource", "bbox", "centre", "lookup_mesh"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in source pixels, x0 <= x1 and y0 <= y1
Mesh = tuple  # (vertices (V, 3), faces (F, 3)[, EdgeTopology]), as DatasetIndex.mesh gives them
#: Object index -> mesh, as a mapping or a callable (which may raise LookupError or return None).
MeshSource = Mapping[int, Mesh] | Callable[[int], Mesh | None]


def bbox(obj: Mapping) -> Box | None:
    """The object's annotated box with its corners ordered, or None when it is missing or not 4 finite numbers."""
    box = obj.get("bbox")
    if box is None or len(box) != 4 or not all(v is not None and math.isfinite(float(v)) for v in box):
        return None
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def centre(obj: Mapping) -> tuple[float, float] | None:
    """The object's centre (px, py) in source pixels, or None when either is missing or not finite."""
    px, py = obj.get("px"), obj.get("py")
    if px is None or py is None or not (math.isfinite(float(px)) and math.isfinite(float(py))):
        return None
    return float(px), float(py)


def lookup_mesh(meshes: MeshSource, k: int) -> Mesh | None:
    """Object k's mesh, or None when the source has none for it."""
    if callable(meshes):
        try:
            return meshes(k)
        except LookupError:
            return None
    return meshes.get(k)
