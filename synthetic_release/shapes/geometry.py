"""Seeded draws, rotations and 2-D/3-D curves the shape builders are made of.

Every draw comes from a generator seeded through hashlib (see :func:`seeded_rng`), so the same
arguments always give bit-identical arrays.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

Arr = np.ndarray
Rng = np.random.Generator
TAU = 2.0 * math.pi
PI = math.pi


def seeded_rng(*parts: object) -> Rng:
    """A generator seeded from a hash of the parts: the same parts give the same draws on every run."""
    h = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:16], "little"))


def uniform(r: Rng, a: float, b: float) -> float:
    """A float in [a, b)."""
    return float(r.uniform(a, b))


def randint(r: Rng, a: int, b: int) -> int:
    """Integer in [a, b] inclusive."""
    return int(r.integers(a, b + 1))


def pick(r: Rng, seq: Sequence) -> Any:
    """One item of seq, uniformly."""
    return seq[int(r.integers(len(seq)))]


def chance(r: Rng, p: float) -> bool:
    """True with probability p."""
    return bool(r.random() < p)


def jitter(r: Rng, x: float, s: float = 0.15) -> float:
    """x scaled by a random factor in [1 - s, 1 + s)."""
    return x * uniform(r, 1 - s, 1 + s)


def rotation(ax: float = 0.0, ay: float = 0.0, az: float = 0.0) -> Arr:
    """Rotation Rz @ Ry @ Rx for column vectors."""
    cx, sx = math.cos(ax), math.sin(ax)
    cy, sy = math.cos(ay), math.sin(ay)
    cz, sz = math.cos(az), math.sin(az)
    rx = np.array([[1.0, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1.0, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1.0]])
    return rz @ ry @ rx


def rotation_to(d: Sequence[float]) -> Arr:
    """Rotation taking +z onto direction d (Rodrigues)."""
    d = np.asarray(d, float)
    d = d / math.sqrt(float(d @ d))
    c = float(d[2])
    if c > 1 - 1e-12:
        return np.eye(3)
    if c < -1 + 1e-12:
        return np.diag([1.0, -1.0, -1.0])
    k = np.array([[0.0, 0, d[0]], [0, 0, d[1]], [-d[0], -d[1], 0]])  # skew(z x d)
    return np.eye(3) + k + k @ k / (1.0 + c)


# Axis maps so a primitive's main (local z) axis can lie along world x or y.
AXIS_MAPS = {
    "z": None,
    "y": np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]]),  # local (a,b,c) -> world (a,c,b)
    "x": np.array([[0.0, 0, 1], [1, 0, 0], [0, 1, 0]]),  # local (a,b,c) -> world (c,a,b)
}
# Rotation taking local +z to world -y (dishes, lenses and horns facing the front).
FACE_FRONT = rotation(ax=PI / 2)
XZ_PLANE = rotation(ax=PI / 2)  # local xy-plane -> world xz-plane (y -> z)


def axis_frame(axis: str, rot: Arr | None) -> Arr | None:
    """The rotation that lays a primitive's local z along world ``axis``, then applies ``rot``."""
    m = AXIS_MAPS[axis]
    if m is None:
        return rot
    return m if rot is None else rot @ m


@cache
def superellipse(n: int, p: float = 2.0, phase: float = 0.0) -> Arr:
    """Unit superellipse |x|^p + |y|^p = 1 sampled at n angles (CCW)."""
    t = phase + TAU * np.arange(n) / n
    c, s = np.cos(t), np.sin(t)
    e = 2.0 / p
    u = np.stack([np.sign(c) * np.abs(c) ** e, np.sign(s) * np.abs(s) ** e], 1)
    u.flags.writeable = False
    return u


def dedupe(p: Arr, closed: bool = False) -> Arr:
    """Drop consecutive duplicate points (they would make zero-area faces)."""
    p = np.asarray(p, float)
    keep = np.ones(len(p), bool)
    keep[1:] = np.abs(np.diff(p, axis=0)).max(1) > 1e-9
    p = p[keep]
    if closed and len(p) > 2 and np.abs(p[0] - p[-1]).max() <= 1e-9:
        p = p[:-1]
    return p


def resample(p: Arr, k: int, closed: bool) -> Arr:
    """k points on a polyline: keep all corners when upsampling, subsample otherwise."""
    m = len(p)
    if k == m:
        return p
    if k < m:
        top = m if closed else m - 1
        idx = np.unique(np.round(np.linspace(0, top, max(k, 2), endpoint=not closed)).astype(int))
        return p[idx]
    seg = (np.roll(p, -1, 0) - p) if closed else np.diff(p, axis=0)
    length = np.sqrt((seg**2).sum(1))
    extra = k - m
    share = extra * length / max(length.sum(), 1e-12)
    cnt = np.floor(share).astype(int)
    rem = extra - int(cnt.sum())
    if rem > 0:
        cnt[np.argsort(-(share - cnt), kind="stable")[:rem]] += 1
    pieces = cnt + 1
    e = np.repeat(np.arange(len(seg)), pieces)
    starts = np.cumsum(pieces) - pieces
    frac = (np.arange(pieces.sum()) - np.repeat(starts, pieces)) / np.repeat(pieces, pieces)
    out = p[e] + frac[:, None] * seg[e]
    return out if closed else np.vstack([out, p[-1:]])


def spline(ctrl: Sequence, k: int) -> Arr:
    """Catmull-Rom curve through the control points, k samples, ends kept."""
    p = np.asarray(ctrl, float)
    m = len(p)
    if m < 3:
        return resample(p, max(k, 2), False)
    g = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t = np.linspace(0.0, m - 1.0, max(k, 2))
    i = np.minimum(t.astype(int), m - 2)
    u = (t - i)[:, None]
    p0, p1, p2, p3 = g[i], g[i + 1], g[i + 2], g[i + 3]
    return 0.5 * (2 * p1 + (p2 - p0) * u + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u**2
                  + (3 * p1 - p0 - 3 * p2 + p3) * u**3)


def shell_profile(outer: Arr, t: float) -> Arr:
    """(r, z) profile of an open thin-walled vessel from its outer wall (bottom -> rim)."""
    o = np.asarray(outer, float)
    z0 = o[0, 1]
    inner = np.stack([np.maximum(o[:, 0] - t, o[:, 0] * 0.4), np.maximum(o[:, 1], z0 + t)], 1)
    return dedupe(np.vstack([[0.0, z0], o, inner[::-1], [0.0, z0 + t]]))


def ellipse(a: float, b: float, n: int, p: float = 2.0) -> Arr:
    u = superellipse(n, p, PI / n if p > 2 else 0.0)
    return np.stack([a * u[:, 0], b * u[:, 1]], 1)


def arc_points(c: Sequence[float], r: float, a0: float, a1: float, k: int, plane: str = "xz",
               r2: float | None = None) -> Arr:
    """Arc of k points; angle measured from the plane's first axis toward its second."""
    a = np.linspace(a0, a1, max(k, 2))
    u, v = r * np.cos(a), (r if r2 is None else r2) * np.sin(a)
    out = np.zeros((len(a), 3))
    i, j = {"xy": (0, 1), "xz": (0, 2), "yz": (1, 2)}[plane]
    out[:, i], out[:, j] = u, v
    return out + np.asarray(c, float)
