"""A small z-buffer renderer in numpy: CAD meshes at PASCAL3D+ poses.

Vertices go through :func:`imagenet3d.project`, the same camera code that users,
the converter and the viewer use, so a rendered image agrees with its
annotation by construction. Faces are flat-shaded and rasterised in vectorised
chunks (pixel centres inside a triangle, nearest 1/z wins), which keeps a 37k-
vertex mesh at a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from _imagenet3d.camera import DEFAULT_FOCAL, DEFAULT_VIEWPORT, camera_matrices, project
from _imagenet3d.records import has_pose

# Light direction in OpenCV camera coordinates (x right, y down, z forward):
# from the upper left, slightly behind the camera.
_LIGHT = np.array([-0.45, -0.6, -1.0]) / np.linalg.norm([-0.45, -0.6, -1.0])
_AMBIENT = 0.38
_DIFFUSE = 0.62
# Candidate pixels handled at once; bounds memory for faces close to the camera.
_CHUNK_CANDIDATES = 1_500_000
#: Points this close to the camera plane are not drawn (here and in every viewer rasteriser).
NEAR = 1e-3


@dataclass(frozen=True)
class Pose:
    """One object's annotated pose, in the release's units (radians, pixels)."""

    azimuth: float
    elevation: float
    theta: float
    distance: float
    px: float
    py: float
    viewport: float = DEFAULT_VIEWPORT
    focal: float = DEFAULT_FOCAL

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> Pose | None:
        """The pose of a stored object (an ``objects`` item of a dataset row, or a normalised record),
        or None when it has none to draw (:func:`has_pose`); viewport and focal default to PASCAL3D+'s."""
        if not has_pose(obj):
            return None
        viewport, focal = obj.get("viewport"), obj.get("focal")
        azimuth, elevation, theta, distance, px, py = (
            float(obj[key]) for key in ("azimuth", "elevation", "theta", "distance", "px", "py"))
        return cls(azimuth, elevation, theta, distance, px, py,
                   viewport=DEFAULT_VIEWPORT if viewport is None else viewport,
                   focal=DEFAULT_FOCAL if focal is None else focal)

    def project(self, vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return project(
            vertices, self.azimuth, self.elevation, self.theta, self.distance,
            self.px, self.py, self.viewport, self.focal, return_depth=True)

    def matrices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(K, R, t) of :func:`camera_matrices`: a CAD point X lands on pixel K (R X + t)."""
        return camera_matrices(
            self.azimuth, self.elevation, self.theta, self.distance, self.px, self.py,
            self.viewport, self.focal)

    def rotation(self) -> np.ndarray:
        """Object-to-camera rotation in OpenCV axes (for shading normals)."""
        return self.matrices()[1]


@dataclass(frozen=True)
class Fragments:
    """Rasterised candidates: which face of which object covers which pixel."""

    pixel: np.ndarray      # flat pixel index y * width + x
    face: np.ndarray       # face index within its object
    inv_depth: np.ndarray  # 1 / camera depth, larger is nearer


def rasterize(uv: np.ndarray, depth: np.ndarray, faces: np.ndarray,
              width: int, height: int) -> Fragments:
    """Every (pixel, face) pair whose pixel centre lies inside the face.

    ``uv`` (V, 2) pixel coordinates and ``depth`` (V,) camera depths of the
    vertices, ``faces`` (F, 3). Faces touching the camera plane are skipped.
    """
    tri = uv[faces]                       # F, 3, 2
    tri_depth = depth[faces]              # F, 3
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    x_lo = np.ceil(tri[:, :, 0].min(1) - 0.5)
    x_hi = np.floor(tri[:, :, 0].max(1) - 0.5)
    y_lo = np.ceil(tri[:, :, 1].min(1) - 0.5)
    y_hi = np.floor(tri[:, :, 1].max(1) - 0.5)
    keep = (tri_depth.min(1) > NEAR) & (np.abs(area) > 1e-12) & np.isfinite(tri).all((1, 2))
    x_lo, y_lo = np.maximum(x_lo, 0), np.maximum(y_lo, 0)
    x_hi, y_hi = np.minimum(x_hi, width - 1), np.minimum(y_hi, height - 1)
    keep &= (x_hi >= x_lo) & (y_hi >= y_lo)
    face_ids = np.flatnonzero(keep)
    box_w = (x_hi - x_lo + 1)[face_ids].astype(np.int64)
    box_h = (y_hi - y_lo + 1)[face_ids].astype(np.int64)
    counts = box_w * box_h

    # Barycentric weights l0, l1 and 1/z are affine in screen space (1/z
    # exactly so under perspective): value = origin + dx * step_x + dy * step_y
    # from each face's bbox corner, so candidates cost a few multiply-adds.
    ids = face_ids
    a, b, c, iz = a[ids], b[ids], c[ids], 1.0 / tri_depth[ids]
    inv_area = 1.0 / area[ids]
    l0_x, l0_y = -(c[:, 1] - b[:, 1]) * inv_area, (c[:, 0] - b[:, 0]) * inv_area
    l1_x, l1_y = -(a[:, 1] - c[:, 1]) * inv_area, (a[:, 0] - c[:, 0]) * inv_area
    corner_x, corner_y = x_lo[ids] + 0.5, y_lo[ids] + 0.5
    l0_0 = l0_x * (corner_x - b[:, 0]) + l0_y * (corner_y - b[:, 1])
    l1_0 = l1_x * (corner_x - c[:, 0]) + l1_y * (corner_y - c[:, 1])
    dz0, dz1 = iz[:, 0] - iz[:, 2], iz[:, 1] - iz[:, 2]
    z_0 = iz[:, 2] + l0_0 * dz0 + l1_0 * dz1
    z_x, z_y = l0_x * dz0 + l1_x * dz1, l0_y * dz0 + l1_y * dz1
    start_pixel = (y_lo[ids] * width + x_lo[ids]).astype(np.int64)

    pixels, hits, inv_depths = [], [], []
    for chunk in _chunks(counts, _CHUNK_CANDIDATES):
        n = counts[chunk]
        local = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        w = np.repeat(box_w[chunk], n)
        dy, dx = np.divmod(local, w)
        l0 = np.repeat(l0_0[chunk], n) + dx * np.repeat(l0_x[chunk], n) + dy * np.repeat(l0_y[chunk], n)
        l1 = np.repeat(l1_0[chunk], n) + dx * np.repeat(l1_x[chunk], n) + dy * np.repeat(l1_y[chunk], n)
        inside = (l0 >= 0) & (l1 >= 0) & (l0 + l1 <= 1)
        face = np.repeat(np.arange(chunk.start, chunk.stop), n)[inside]
        dx, dy = dx[inside], dy[inside]
        pixels.append(start_pixel[face] + dy * width + dx)
        hits.append(ids[face])
        inv_depths.append(z_0[face] + dx * z_x[face] + dy * z_y[face])
    if not pixels:
        empty = np.zeros(0, np.int64)
        return Fragments(empty, empty, np.zeros(0))
    return Fragments(np.concatenate(pixels), np.concatenate(hits), np.concatenate(inv_depths))


def _chunks(counts: np.ndarray, budget: int) -> Iterator[slice]:
    """Split faces into consecutive runs whose candidate counts fit the budget."""
    start, total = 0, 0
    for end, count in enumerate(counts.tolist()):
        if total and total + count > budget:
            yield slice(start, end)
            start, total = end, 0
        total += count
    if start < len(counts):
        yield slice(start, len(counts))


def face_shading(vertices: np.ndarray, faces: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """Two-sided Lambert shade per face, in [ambient, 1]."""
    cam = vertices @ rotation.T
    tri = cam[faces]
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
    return lambert(normal)


def lambert(normals: np.ndarray) -> np.ndarray:
    """Two-sided Lambert shade in [ambient, 1] of unit normals (N, 3) in camera coordinates:
    the one light of every rendering and overlay fill."""
    return _AMBIENT + _DIFFUSE * np.abs(normals @ _LIGHT)


@dataclass(frozen=True)
class SceneObject:
    vertices: np.ndarray
    faces: np.ndarray
    pose: Pose
    color: tuple[float, float, float]  # base RGB in [0, 255]


@dataclass(frozen=True)
class Rendering:
    image: np.ndarray         # H, W, 3 uint8
    object_id: np.ndarray     # H, W int16, -1 where the background shows
    full_area: np.ndarray     # per object: pixels of its silhouette alone, no image border
    visible_area: np.ndarray  # per object: pixels it owns in the image


def render(background: np.ndarray, objects: list[SceneObject]) -> Rendering:
    """Draw ``objects`` over ``background`` (H, W, 3 uint8) with one z-buffer."""
    height, width = background.shape[:2]
    flat = background.reshape(-1, 3).astype(np.float64)
    pixel_parts, colour_parts, depth_parts, owner_parts = [], [], [], []
    full_area = np.zeros(len(objects), np.int64)
    for index, obj in enumerate(objects):
        uv, depth = obj.pose.project(obj.vertices)
        fragments = rasterize(uv, depth, obj.faces, width, height)
        shade = face_shading(obj.vertices, obj.faces, obj.pose.rotation())
        pixel_parts.append(fragments.pixel)
        depth_parts.append(fragments.inv_depth)
        colour_parts.append(np.outer(shade[fragments.face], obj.color))
        owner_parts.append(np.full(fragments.pixel.size, index, np.int64))
        full_area[index] = _silhouette_area(uv, depth, obj.faces, fragments, width, height)
    object_id = np.full(height * width, -1, np.int16)
    if pixel_parts:
        pixel = np.concatenate(pixel_parts)
        inv_depth = np.concatenate(depth_parts)
        colour = np.concatenate(colour_parts)
        owner = np.concatenate(owner_parts)
        nearest = np.full(height * width, -np.inf)
        np.maximum.at(nearest, pixel, inv_depth)
        front = inv_depth == nearest[pixel]
        flat[pixel[front]] = colour[front]
        object_id[pixel[front]] = owner[front]
    image = np.clip(np.rint(flat), 0, 255).astype(np.uint8).reshape(height, width, 3)
    visible = np.bincount(object_id[object_id >= 0], minlength=len(objects))[: len(objects)]
    return Rendering(image, object_id.reshape(height, width), full_area, visible)


def _silhouette_area(uv: np.ndarray, depth: np.ndarray, faces: np.ndarray,
                     fragments: Fragments, width: int, height: int) -> int:
    """Silhouette pixel count of one object alone, ignoring the image border."""
    finite = uv[np.isfinite(uv).all(1) & (depth > NEAR)]
    if not finite.size:
        return 0
    inside = (finite.min(0) >= 0).all() and finite[:, 0].max() <= width and finite[:, 1].max() <= height
    if inside and (depth > NEAR).all():
        # The image already holds the whole silhouette: reuse its fragments.
        return int(np.count_nonzero(np.bincount(fragments.pixel, minlength=1)))
    origin = np.floor(finite.min(0)) - 1
    size = np.ceil(finite.max(0) - origin).astype(np.int64) + 2
    fragments = rasterize(uv - origin, depth, faces, int(size[0]), int(size[1]))
    return int(np.unique(fragments.pixel).size)
