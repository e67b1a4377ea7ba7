"""The PASCAL3D+ camera in radians: rotations, projection, the geodesic pose error and angle bins.

The convention is PASCAL3D+'s (Xiang et al., WACV 2014: ``project_3d.m``), which
ImageNet3D (Ma et al. 2024) and its experiment code (imagenet3d_exp) keep.
"""

from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike

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


def rotation_matrix(azimuth: ArrayLike, elevation: ArrayLike, theta: ArrayLike) -> np.ndarray:
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


def camera_matrices(azimuth: ArrayLike, elevation: ArrayLike, theta: ArrayLike, distance: ArrayLike,
                    px: ArrayLike, py: ArrayLike, viewport: ArrayLike = DEFAULT_VIEWPORT,
                    focal: ArrayLike = DEFAULT_FOCAL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
            np.asarray(viewport, dtype=np.float64) * np.asarray(focal, dtype=np.float64), px, py, distance)))
    f, px, py, distance = (np.broadcast_to(v, R.shape[:-2]) for v in (f, px, py, distance))
    zero, one = np.zeros_like(f), np.ones_like(f)
    K = np.stack([
        np.stack([f, zero, px], -1),
        np.stack([zero, f, py], -1),
        np.stack([zero, zero, one], -1),
    ], -2)
    t = np.stack([zero, zero, distance], -1)
    return K, R, t


@overload
def project(points: ArrayLike, azimuth: ArrayLike, elevation: ArrayLike, theta: ArrayLike,
            distance: ArrayLike, px: ArrayLike, py: ArrayLike, viewport: ArrayLike = ...,
            focal: ArrayLike = ..., *, return_depth: Literal[False] = ...) -> np.ndarray: ...
@overload
def project(points: ArrayLike, azimuth: ArrayLike, elevation: ArrayLike, theta: ArrayLike,
            distance: ArrayLike, px: ArrayLike, py: ArrayLike, viewport: ArrayLike = ...,
            focal: ArrayLike = ..., *, return_depth: Literal[True]) -> tuple[np.ndarray, np.ndarray]: ...
def project(points: ArrayLike, azimuth: ArrayLike, elevation: ArrayLike, theta: ArrayLike,
            distance: ArrayLike, px: ArrayLike, py: ArrayLike, viewport: ArrayLike = DEFAULT_VIEWPORT,
            focal: ArrayLike = DEFAULT_FOCAL, *,
            return_depth: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
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


def pose_error(R_pred: ArrayLike, R_gt: ArrayLike) -> np.ndarray:
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


def wrap_angle(angle: ArrayLike) -> np.ndarray:
    """Angles wrapped to [0, 2 pi) (the release mixes signed and wrapped)."""
    wrapped = np.mod(np.asarray(angle, dtype=np.float64), _TWO_PI)
    # mod of a tiny negative number rounds to exactly 2 pi.
    return np.where(wrapped >= _TWO_PI, 0.0, wrapped)


def signed_angle(angle: ArrayLike, period: float = _TWO_PI) -> np.ndarray:
    """Angles read as signed, in (-period/2, period/2]: how an elevation is shown (the release
    stores it wrapped to [0, 2 pi), so 354 degrees is 6 degrees below the horizon). ``period=360``
    for degrees. Angles already in [0, period) come back unchanged or minus one period, exactly.

    >>> signed_angle(np.array([0.0, 10.0, 180.0, 180.5, 350.0]), period=360.0).tolist()
    [0.0, 10.0, 180.0, -179.5, -10.0]
    """
    wrapped = np.mod(np.asarray(angle, dtype=np.float64), period)
    return np.where(wrapped > period / 2, wrapped - period, wrapped)


def angle_to_bin(angle: ArrayLike, num_bins: int = NUM_BINS) -> np.ndarray:
    """Periodic bin of an angle: ``floor((angle mod 2 pi) / 2 pi * num_bins)``.

    The official ``PoseToLabel(num_bins=40, border_type='periodic')`` of
    imagenet3d_exp, used for azimuth, elevation and theta alike.
    """
    return (np.floor(wrap_angle(angle) / _TWO_PI * num_bins).astype(np.int64)) % num_bins


def bin_to_angle(index: ArrayLike, num_bins: int = NUM_BINS) -> np.ndarray:
    """The centre angle of a bin: ``(index + 0.5) / num_bins * 2 pi``."""
    return (np.asarray(index, dtype=np.float64) % num_bins + 0.5) / num_bins * _TWO_PI


