"""MeshBuilder: collects primitive parts (boxes, lofts, surfaces of revolution, tori,
swept tubes, extrusions); its resolution `res` scales every tessellation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    Arr,
    Rng,
    arc_points,
    axis_frame,
    dedupe,
    resample,
    rotation_to,
    spline,
    superellipse,
)


def _det3(m: Arr) -> float:
    return float(
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
        - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0])
    )


# The same maps applied to a world-size triple give the local size triple.
_SIZE_ORDER = {"z": (0, 1, 2), "y": (0, 2, 1), "x": (1, 2, 0)}


@cache
def _ring_faces(m: int, n: int, closed: bool) -> Arr:
    """Triangles joining m rings of n vertices (ring i at rows i*n...)."""
    rows = m if closed else m - 1
    i = np.arange(rows)[:, None]
    j = np.arange(n)[None, :]
    i1, j1 = (i + 1) % m, (j + 1) % n
    a, b, c, d = i * n + j, i * n + j1, i1 * n + j1, i1 * n + j
    f = np.stack([a, b, c, a, c, d], axis=-1).reshape(-1, 3)
    f.flags.writeable = False
    return f


@cache
def _square_ring(k: int) -> Arr:
    """4k points around the square [-1,1]^2 (CCW), corners included."""
    corners = np.array([[-1.0, -1], [1, -1], [1, 1], [-1, 1]])
    t = np.arange(k)[:, None] / k
    pts = [corners[i] + t * (corners[(i + 1) % 4] - corners[i]) for i in range(4)]
    out = np.vstack(pts)
    out.flags.writeable = False
    return out


_CUBE = np.array(
    [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1],
     [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]], float)
_CUBE_F = np.array(
    [[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
     [3, 7, 6], [3, 6, 2], [0, 4, 7], [0, 7, 3], [1, 2, 6], [1, 6, 5]], np.int64)


class MeshBuilder:
    """Collects primitive parts; tessellation density is proportional to `res`."""

    def __init__(self, res: float) -> None:
        self.res = float(res)
        self.vs: list[Arr] = []
        self.fs: list[Arr] = []
        self.nv = 0
        self._calls = 0
        self.stretch = np.ones(3)  # model-level proportion change applied before normalising

    def _phase(self) -> float:
        """Per-call offset in [0, 1): parts round up at staggered resolutions, so the
        total vertex count grows smoothly with res instead of in big jumps."""
        self._calls += 1
        return (self._calls * 0.6180339887498949) % 1.0

    def n(self, f: float = 1.0, lo: int = 3, hi: int = 100_000) -> int:
        """Segment count for a part of relative importance f."""
        return int(min(hi, max(lo, int(self.res * f + self._phase()))))

    def _along(self, n: int, length: float, perimeter: float) -> int:
        """Subdivisions along a part so its quads stay roughly square."""
        q = int(0.7 * n * length / max(perimeter, 1e-12) + self._phase())
        return int(min(max(1, n // 2), max(1, q)))

    def add(self, v: Arr, f: Arr, rot: Arr | None = None, c: Sequence[float] | None = None) -> None:
        if rot is not None:
            v = v @ rot.T
            if _det3(rot) < 0:  # mirrored frame: keep outward winding
                f = f[:, ::-1]
        if c is not None:
            v = v + np.asarray(c, float)
        self.vs.append(v)
        self.fs.append(f + self.nv)
        self.nv += len(v)

    def tube(self, rings: Arr, cap0: bool = True, cap1: bool = True, closed: bool = False,
             rot: Arr | None = None, c: Sequence[float] | None = None,
             c0: Sequence[float] | None = None, c1: Sequence[float] | None = None) -> None:
        """Join consecutive rings (m, n, 3); optional fan caps at either end."""
        m, n = rings.shape[:2]
        verts = [rings.reshape(-1, 3)]
        faces = [_ring_faces(m, n, closed)]
        j = np.arange(n)
        j1 = (j + 1) % n
        idx = m * n
        if cap0:
            verts.append(np.asarray(rings[0].mean(0) if c0 is None else c0, float)[None])
            faces.append(np.stack([np.full(n, idx), j1, j], 1))
            idx += 1
        if cap1:
            last = (m - 1) * n
            verts.append(np.asarray(rings[-1].mean(0) if c1 is None else c1, float)[None])
            faces.append(np.stack([np.full(n, idx), last + j, last + j1], 1))
        self.add(np.concatenate(verts), np.concatenate(faces), rot, c)

    def loft(self, secs: Sequence, f: float = 1.0, p: float = 2.0, rot: Arr | None = None,
             c: Sequence[float] | None = None, cap0: bool = True, cap1: bool = True,
             along: float = 0.0, axis: str = "z", n: int | None = None) -> None:
        """Superellipse sections (z, cx, cy, half_w, half_h) joined along local z."""
        s = np.asarray(secs, float)
        n = n or self.n(f, 4 if p > 2 else 3)
        d = np.diff(s, axis=0)
        if along > 0:
            q = np.full(len(d), self.n(along, 1))
        else:
            seg = np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2 + d[:, 2] ** 2)
            per = PI * (s[:-1, 3] + s[:-1, 4] + s[1:, 3] + s[1:, 4]) / 2
            q = np.array([self._along(n, a, c) for a, c in zip(seg, per)], int)
        if q.max() > 1:
            e = np.repeat(np.arange(len(d)), q)
            starts = np.cumsum(q) - q
            frac = (np.arange(q.sum()) - np.repeat(starts, q)) / np.repeat(q, q)
            s = np.vstack([s[e] + frac[:, None] * d[e], s[-1:]])
        u = superellipse(n, p, PI / n if p > 2 else 0.0)
        rings = np.empty((len(s), n, 3))
        rings[..., 0] = s[:, 1, None] + s[:, 3, None] * u[:, 0]
        rings[..., 1] = s[:, 2, None] + s[:, 4, None] * u[:, 1]
        rings[..., 2] = s[:, 0, None]
        self.tube(rings, cap0, cap1, rot=axis_frame(axis, rot), c=c)

    def box(self, c: Sequence[float], size: Sequence[float], rot: Arr | None = None,
            f: float = 1.0) -> None:
        """Axis-aligned (then rotated) box; subdivided faces at high resolution."""
        h = np.asarray(size, float) / 2
        k = int(self.res * f / 8 + self._phase())
        if k < 1:
            self.add(_CUBE * h, _CUBE_F, rot, c)
            return
        ring = _square_ring(k) * h[:2]
        rings = np.empty((k + 1, 4 * k, 3))
        rings[..., :2] = ring
        rings[..., 2] = np.linspace(-h[2], h[2], k + 1)[:, None]
        self.tube(rings, rot=rot, c=c)

    def rbox(self, c: Sequence[float], size: Sequence[float], p: float = 6.0, rot: Arr | None = None,
             f: float = 1.0, axis: str = "z", taper: float = 1.0, along: float = 0.0) -> None:
        """Box with edges parallel to `axis` rounded (superellipse section, exponent p)."""
        ls = [size[i] for i in _SIZE_ORDER[axis]]
        hw, hh, hz = ls[0] / 2, ls[1] / 2, ls[2] / 2
        self.loft([(-hz, 0, 0, hw, hh), (hz, 0, 0, hw * taper, hh * taper)], f=f, p=p,
                  rot=rot, c=c, along=along, axis=axis)

    def cyl(self, p0: Sequence[float], p1: Sequence[float], r: float, r1: float | None = None,
            f: float = 0.6, cap0: bool = True, cap1: bool = True, along: float = 0.0,
            p: float = 2.0, n: int | None = None) -> None:
        """Cylinder / truncated cone from p0 to p1."""
        p0 = np.asarray(p0, float)
        d = np.asarray(p1, float) - p0
        length = math.sqrt(float(d @ d))
        r1 = r if r1 is None else r1
        self.loft([(0, 0, 0, r, r), (length, 0, 0, r1, r1)], f=f, p=p, rot=rotation_to(d), c=p0,
                  cap0=cap0, cap1=cap1, along=along, n=n)

    def sphere(self, c: Sequence[float], radii: Sequence[float] | float, f: float = 0.8,
               rot: Arr | None = None) -> None:
        rx, ry, rz = (radii, radii, radii) if np.isscalar(radii) else radii
        n = self.n(f, 4)
        m = max(2, n // 2)
        th = PI - PI * np.arange(1, m) / m
        u = superellipse(n)
        rings = np.empty((m - 1, n, 3))
        rings[..., 0] = rx * np.sin(th)[:, None] * u[:, 0]
        rings[..., 1] = ry * np.sin(th)[:, None] * u[:, 1]
        rings[..., 2] = rz * np.cos(th)[:, None]
        self.tube(rings, c0=(0, 0, -rz), c1=(0, 0, rz), rot=rot, c=c)

    def revolve(self, prof: Sequence, c: Sequence[float] | None = None, f: float = 1.0,
                rot: Arr | None = None, sx: float = 1.0, sy: float = 1.0, p: float = 2.0,
                along: float | None = 0.5, smooth: bool = False, cap0: bool = True,
                cap1: bool = True, axis: str = "z", wobble: tuple[int, float] | None = None) -> None:
        """Surface of revolution of an (r, z) profile; r == 0 at an end makes a pole."""
        pr = dedupe(np.asarray(prof, float))
        pole0 = pr[0, 0] <= 1e-12
        pole1 = pr[-1, 0] <= 1e-12
        body = pr[int(pole0): len(pr) - int(pole1)]
        if along is not None:
            k = self.n(along, lo=min(len(body), 3) if smooth else min(len(body), 4))
            body = spline(body, k) if smooth else resample(body, k, False)
        body = body.copy()
        body[:, 0] = np.maximum(body[:, 0], 1e-5)
        n = self.n(f, 4 if p > 2 else 3)
        u = superellipse(n, p, PI / n if p > 2 else 0.0)
        rad = body[:, 0, None]
        if wobble is not None:
            ang = TAU * np.arange(n) / n
            rad = rad * (1.0 + wobble[1] * np.cos(wobble[0] * ang))[None, :]
        rings = np.empty((len(body), n, 3))
        rings[..., 0] = rad * u[:, 0] * sx
        rings[..., 1] = rad * u[:, 1] * sy
        rings[..., 2] = body[:, 1, None]
        self.tube(rings, cap0=cap0 or pole0, cap1=cap1 or pole1,
                  c0=(0, 0, pr[0, 1]) if pole0 else None,
                  c1=(0, 0, pr[-1, 1]) if pole1 else None, rot=axis_frame(axis, rot), c=c)

    def sweep(self, path: Arr, r: float | Arr, f: float = 0.6, up: Sequence[float] = (0, 0, 1),
              closed: bool = False, cap0: bool = True, cap1: bool = True, rot: Arr | None = None,
              c: Sequence[float] | None = None, p: float = 2.0, r2: float | Arr | None = None) -> None:
        """Tube of (super)elliptic section swept along a polyline; `up` fixes the twist."""
        pts = dedupe(np.asarray(path, float), closed)
        n = self.n(0.5 * f, 4 if p > 2 else 3)
        seg = np.diff(np.vstack([pts, pts[:1]]) if closed else pts, axis=0)
        length = float(np.sqrt((seg**2).sum(1)).sum())
        rad = float(np.mean(r)) + float(np.mean(r if r2 is None else r2))
        want = len(seg) * self._along(n, length / len(seg), PI * rad)
        if want > len(pts) and np.ndim(r) == 0 and np.ndim(r2) == 0:
            pts = resample(pts, int(want), closed)
        m = len(pts)
        t = (np.roll(pts, -1, 0) - np.roll(pts, 1, 0)) if closed else np.gradient(pts, axis=0)
        t = t / np.linalg.norm(t, axis=1, keepdims=True)
        upv = np.asarray(up, float)
        s = np.cross(upv, t)
        ns = np.linalg.norm(s, axis=1)
        bad = ns < 1e-6
        if bad.any():  # path tangent parallel to `up`: borrow another reference
            alt = np.array([1.0, 0, 0]) if abs(upv[0]) < 0.9 else np.array([0, 1.0, 0])
            s[bad] = np.cross(alt, t[bad])
            ns[bad] = np.linalg.norm(s[bad], axis=1)
        s = s / ns[:, None]
        w = np.cross(t, s)
        rs = np.broadcast_to(np.asarray(r, float), (m,))
        rw = rs if r2 is None else np.broadcast_to(np.asarray(r2, float), (m,))
        u = superellipse(n, p, PI / n if p > 2 else 0.0)
        rings = (pts[:, None, :] + (rs[:, None] * u[None, :, 0])[..., None] * s[:, None, :]
                 + (rw[:, None] * u[None, :, 1])[..., None] * w[:, None, :])
        self.tube(rings, cap0 and not closed, cap1 and not closed, closed=closed, rot=rot, c=c)

    def torus(self, c: Sequence[float], R: float, r: float, f: float = 0.8, rot: Arr | None = None,
              arc: tuple[float, float] | None = None, Ry: float | None = None, p: float = 2.0,
              axis: str = "z", r2: float | None = None, caps: bool = True) -> None:
        """Torus (or arc of one) around local z; Ry/p make an elliptic / rounded-rect path."""
        m = self.n(f, 5)
        Ry = R if Ry is None else Ry
        if arc is None:
            u = superellipse(m, p, PI / m if p > 2 else 0.0)
            path = np.column_stack([R * u[:, 0], Ry * u[:, 1], np.zeros(m)])
        else:
            k = max(2, round(m * abs(arc[1] - arc[0]) / TAU)) + 1
            path = arc_points((0, 0, 0), R, arc[0], arc[1], k, "xy", Ry)
        self.sweep(path, r, f=f, up=(0, 0, 1), closed=arc is None, cap0=caps, cap1=caps,
                   rot=axis_frame(axis, rot), c=c, r2=r2)

    def extrude(self, poly: Arr, thick: float, c: Sequence[float] | None = None,
                rot: Arr | None = None, f: float = 1.0, axis: str = "z", taper: float = 1.0,
                along: float = 0.0) -> None:
        """Prism of a star-shaped outline (local xy) extruded along local z, centred."""
        pg = dedupe(np.asarray(poly, float), closed=True)
        x, y = pg[:, 0], pg[:, 1]
        if float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) < 0:
            pg = pg[::-1]
        pg = resample(pg, max(len(pg), self.n(f, 3)), True)
        cen = pg.mean(0)
        per = float(np.sqrt((np.diff(np.vstack([pg, pg[:1]]), axis=0) ** 2).sum(1)).sum())
        q = self.n(along, 1) if along > 0 else self._along(len(pg), thick, per)
        zs = np.linspace(-thick / 2, thick / 2, q + 1)
        sc = np.linspace(1.0, taper, q + 1)
        rings = np.empty((q + 1, len(pg), 3))
        rings[..., :2] = cen + (pg - cen)[None] * sc[:, None, None]
        rings[..., 2] = zs[:, None]
        self.tube(rings, rot=axis_frame(axis, rot), c=c)

    def finish(self) -> tuple[Arr, Arr]:
        """Concatenate, drop degenerate triangles, centre the bbox, scale diagonal to 1."""
        v = np.concatenate(self.vs) * self.stretch
        f = np.concatenate(self.fs)
        lo, hi = v.min(0), v.max(0)
        v = (v - (lo + hi) / 2) / float(np.linalg.norm(hi - lo))
        a = v[f[:, 1]] - v[f[:, 0]]
        b = v[f[:, 2]] - v[f[:, 0]]
        area2 = np.linalg.norm(np.cross(a, b), axis=1)
        f = f[area2 > 1e-13]  # safety net: zero-area triangles never reach the caller
        return np.ascontiguousarray(v, np.float64), np.ascontiguousarray(f, np.int32)


Builder = Callable[[MeshBuilder, str, Rng, Rng], None]
