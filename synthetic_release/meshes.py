"""Procedural, category-dependent triangle meshes standing in for ImageNet3D CAD models.

Conventions follow the real release: z is up, the object's front faces -y, and
every mesh is normalised so its axis-aligned bounding box is centred at the
origin with a diagonal of exactly 1.0.  Shapes are concatenations of simple
primitives (boxes, lofts, surfaces of revolution, tori, swept tubes, extruded
outlines); no boolean operations.  Category-level choices come from the
category name, model-level variation from (category, cad_index, seed), both
through hashlib, so the same arguments always give bit-identical arrays.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import zlib
from functools import lru_cache
from typing import IO, Callable, Sequence

import numpy as np

Arr = np.ndarray
Rng = np.random.Generator
TAU = 2.0 * math.pi
PI = math.pi

# ----------------------------------------------------------------------------
# Category -> shape family
# ----------------------------------------------------------------------------

FAMILIES: tuple[str, ...] = (
    "seat", "table", "cabinet", "panel", "road_vehicle", "aircraft", "boat",
    "lathe", "long_tool", "instrument", "soft_round", "pole", "wheeled",
    "handheld", "footwear", "wire_frame",
)

_FAMILY_MEMBERS: dict[str, tuple[str, ...]] = {
    "seat": ("bench", "chair", "highchair", "sofa", "toilet"),
    "table": ("bed", "billiard_table", "diningtable", "table_tennis_table", "treadmill"),
    "cabinet": (
        "bookshelf", "cabinet", "coffee_maker", "cooker", "dishwasher", "filing_cabinet",
        "fish_tank", "microwave", "pay_phone", "piano", "printer", "projector", "radiator",
        "refrigerator", "sewing_machine", "sink", "speaker", "stove", "suitcase", "toaster",
        "vending_machine", "washer", "washing_machine",
    ),
    "panel": ("blackboard", "clock", "computer", "door", "laptop", "tvmonitor"),
    "road_vehicle": (
        "ambulance", "bumper_car", "bus", "car", "dune_buggy", "fire_truck", "forklift",
        "garbage_truck", "go_kart", "harvester", "recreational_vehicle", "riding_mower",
        "school_bus", "snowmobile", "tank", "tractor", "train", "trolleybus",
    ),
    "aircraft": ("aeroplane", "airship", "glider"),
    "boat": ("boat", "frigate", "hovercraft"),
    "lathe": (
        "ashtray", "basket", "battery", "beaker", "bottle", "bowl", "bowling_pin", "bucket",
        "can", "cone", "cooling_tower", "cup", "erlenmeyer_flask", "fire_extinguisher",
        "frisbee", "funnel", "hourglass", "jar", "kettle", "light_bulb", "lipstick", "pan",
        "plate", "pot", "salt_or_pepper_shaker", "teapot", "trash_bin", "trophy", "tub", "yurt",
    ),
    "long_tool": (
        "ax", "barbell", "baseball_bat", "comb", "crutch", "dumbbell", "flashlight", "fork",
        "hacksaw", "hammer", "hockey_stick", "key", "knife", "magnifier", "micrometer",
        "paintbrush", "pen", "pencil", "racket", "rifle", "screwdriver", "shovel", "spoon",
        "syringe", "toothbrush", "trowel", "whisk",
    ),
    "instrument": ("french_horn", "guitar", "harp", "sax", "violin"),
    "soft_round": (
        "backpack", "boxing_glove", "cap", "helmet", "hot_air_balloon", "life_buoy", "pillow",
        "punching_bag", "sombrero",
    ),
    "pole": (
        "bicycle_pump", "desk_lamp", "fan", "faucet", "mailbox", "microphone", "road_pole",
        "satellite_dish", "sign", "sundial", "wind_turbine",
    ),
    "wheeled": (
        "bicycle", "bicycle_built_for_two", "cart", "ferris_wheel", "hand_barrow", "hand_mower",
        "jinrikisha", "millwheel", "motorbike", "segway", "shopping_cart", "skateboard",
        "tricycle", "unicycle", "wheelchair",
    ),
    "handheld": (
        "air_hammer", "calculator", "camcorder", "camera", "cellphone", "chain_saw", "eraser",
        "grinder", "hair_dryer", "interphone", "iron", "keyboard", "lighter", "megaphone",
        "mouse", "padlock", "power_drill", "remote_control", "shaver", "stapler", "telephone",
    ),
    "footwear": ("shoe", "skate", "slipper"),
    "wire_frame": ("bow", "eyeglasses", "headphone", "scissors", "watch"),
}

# Explicit category -> family table (all 189 ImageNet3D categories).
CATEGORY_FAMILY: dict[str, str] = {
    cat: fam for fam, cats in _FAMILY_MEMBERS.items() for cat in cats
}


def family_of(category: str) -> str:
    """Shape family of a category; unknown names get a stable hashed family."""
    fam = CATEGORY_FAMILY.get(category)
    if fam is not None:
        return fam
    return FAMILIES[zlib.crc32(category.encode()) % len(FAMILIES)]


# ----------------------------------------------------------------------------
# Vertex budgets
# ----------------------------------------------------------------------------

LARGE_MIN, LARGE_MAX = 30_000, 37_000
_NV_MU = math.log(2400.0)  # log-normal centre; large models lift the overall median to ~3k
_NV_SIGMA = 1.05
_NV_MIN, _NV_MAX = 100, 27_000


def is_large_model(category: str, cad_index: int) -> bool:
    """True for the ~1/8 of models that are large (30k-37k vertices)."""
    return (zlib.crc32(category.encode()) + cad_index) % 8 == 0


def _unit_floats(*parts: object) -> tuple[float, float]:
    """Two uniforms in (0, 1) from a stable hash of the parts."""
    h = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    a = (int.from_bytes(h[:8], "little") + 0.5) / 2.0**64
    c = (int.from_bytes(h[8:16], "little") + 0.5) / 2.0**64
    return a, c


def default_num_vertices(category: str, cad_index: int, seed: int = 0) -> int:
    """Deterministic vertex budget mimicking Objaverse-derived meshes (log-normal-ish)."""
    u1, u2 = _unit_floats("nv", category, cad_index, seed)
    if is_large_model(category, cad_index):
        return LARGE_MIN + 300 + int(u1 * (LARGE_MAX - LARGE_MIN - 600))
    z = math.sqrt(-2.0 * math.log(u1)) * math.cos(TAU * u2)  # Box-Muller
    return int(min(_NV_MAX, max(_NV_MIN, round(math.exp(_NV_MU + _NV_SIGMA * z)))))


# ----------------------------------------------------------------------------
# Small math helpers
# ----------------------------------------------------------------------------


def _rng(*parts: object) -> Rng:
    h = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:16], "little"))


def _U(r: Rng, a: float, b: float) -> float:
    return float(r.uniform(a, b))


def _I(r: Rng, a: int, b: int) -> int:
    """Integer in [a, b] inclusive."""
    return int(r.integers(a, b + 1))


def _pick(r: Rng, seq: Sequence):
    return seq[int(r.integers(len(seq)))]


def _chance(r: Rng, p: float) -> bool:
    return bool(r.random() < p)


def _rot(ax: float = 0.0, ay: float = 0.0, az: float = 0.0) -> Arr:
    """Rotation Rz @ Ry @ Rx for column vectors."""
    cx, sx = math.cos(ax), math.sin(ax)
    cy, sy = math.cos(ay), math.sin(ay)
    cz, sz = math.cos(az), math.sin(az)
    rx = np.array([[1.0, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1.0, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1.0]])
    return rz @ ry @ rx


def _align(d: Sequence[float]) -> Arr:
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


def _det3(m: Arr) -> float:
    return float(
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
        - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0])
    )


# Axis maps so a primitive's main (local z) axis can lie along world x or y.
_AX = {
    "z": None,
    "y": np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]]),  # local (a,b,c) -> world (a,c,b)
    "x": np.array([[0.0, 0, 1], [1, 0, 0], [0, 1, 0]]),  # local (a,b,c) -> world (c,a,b)
}
# The same maps applied to a world-size triple give the local size triple.
_SIZE_ORDER = {"z": (0, 1, 2), "y": (0, 2, 1), "x": (1, 2, 0)}
# Rotation taking local +z to world -y (dishes, lenses and horns facing the front).
_FACE_FRONT = _rot(ax=PI / 2)
_XZ_PLANE = _rot(ax=PI / 2)  # local xy-plane -> world xz-plane (y -> z)


def _frame(axis: str, rot: Arr | None) -> Arr | None:
    m = _AX[axis]
    if m is None:
        return rot
    return m if rot is None else rot @ m


@lru_cache(maxsize=None)
def _grid(m: int, n: int, closed: bool) -> Arr:
    """Triangles joining m rings of n vertices (ring i at rows i*n...)."""
    rows = m if closed else m - 1
    i = np.arange(rows)[:, None]
    j = np.arange(n)[None, :]
    i1, j1 = (i + 1) % m, (j + 1) % n
    a, b, c, d = i * n + j, i * n + j1, i1 * n + j1, i1 * n + j
    f = np.stack([a, b, c, a, c, d], axis=-1).reshape(-1, 3)
    f.flags.writeable = False
    return f


@lru_cache(maxsize=None)
def _ring(n: int, p: float = 2.0, phase: float = 0.0) -> Arr:
    """Unit superellipse |x|^p + |y|^p = 1 sampled at n angles (CCW)."""
    t = phase + TAU * np.arange(n) / n
    c, s = np.cos(t), np.sin(t)
    e = 2.0 / p
    u = np.stack([np.sign(c) * np.abs(c) ** e, np.sign(s) * np.abs(s) ** e], 1)
    u.flags.writeable = False
    return u


@lru_cache(maxsize=None)
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


def _dedupe(p: Arr, closed: bool = False) -> Arr:
    """Drop consecutive duplicate points (they would make zero-area faces)."""
    p = np.asarray(p, float)
    keep = np.ones(len(p), bool)
    keep[1:] = np.abs(np.diff(p, axis=0)).max(1) > 1e-9
    p = p[keep]
    if closed and len(p) > 2 and np.abs(p[0] - p[-1]).max() <= 1e-9:
        p = p[:-1]
    return p


def _resample(p: Arr, k: int, closed: bool) -> Arr:
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


def _spline(ctrl: Sequence, k: int) -> Arr:
    """Catmull-Rom curve through the control points, k samples, ends kept."""
    p = np.asarray(ctrl, float)
    m = len(p)
    if m < 3:
        return _resample(p, max(k, 2), False)
    g = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t = np.linspace(0.0, m - 1.0, max(k, 2))
    i = np.minimum(t.astype(int), m - 2)
    u = (t - i)[:, None]
    p0, p1, p2, p3 = g[i], g[i + 1], g[i + 2], g[i + 3]
    return 0.5 * (2 * p1 + (p2 - p0) * u + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u**2
                  + (3 * p1 - p0 - 3 * p2 + p3) * u**3)


def _shell(outer: Arr, t: float) -> Arr:
    """(r, z) profile of an open thin-walled vessel from its outer wall (bottom -> rim)."""
    o = np.asarray(outer, float)
    z0 = o[0, 1]
    inner = np.stack([np.maximum(o[:, 0] - t, o[:, 0] * 0.4), np.maximum(o[:, 1], z0 + t)], 1)
    return _dedupe(np.vstack([[0.0, z0], o, inner[::-1], [0.0, z0 + t]]))


def _ellipse(a: float, b: float, n: int, p: float = 2.0) -> Arr:
    u = _ring(n, p, PI / n if p > 2 else 0.0)
    return np.stack([a * u[:, 0], b * u[:, 1]], 1)


def _arc(c: Sequence[float], r: float, a0: float, a1: float, k: int, plane: str = "xz",
         r2: float | None = None) -> Arr:
    """Arc of k points; angle measured from the plane's first axis toward its second."""
    a = np.linspace(a0, a1, max(k, 2))
    u, v = r * np.cos(a), (r if r2 is None else r2) * np.sin(a)
    out = np.zeros((len(a), 3))
    i, j = {"xy": (0, 1), "xz": (0, 2), "yz": (1, 2)}[plane]
    out[:, i], out[:, j] = u, v
    return out + np.asarray(c, float)


# ----------------------------------------------------------------------------
# Mesh accumulator with primitives; `res` scales every tessellation
# ----------------------------------------------------------------------------


class _Mesh:
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
        faces = [_grid(m, n, closed)]
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
        u = _ring(n, p, PI / n if p > 2 else 0.0)
        rings = np.empty((len(s), n, 3))
        rings[..., 0] = s[:, 1, None] + s[:, 3, None] * u[:, 0]
        rings[..., 1] = s[:, 2, None] + s[:, 4, None] * u[:, 1]
        rings[..., 2] = s[:, 0, None]
        self.tube(rings, cap0, cap1, rot=_frame(axis, rot), c=c)

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
        self.loft([(0, 0, 0, r, r), (length, 0, 0, r1, r1)], f=f, p=p, rot=_align(d), c=p0,
                  cap0=cap0, cap1=cap1, along=along, n=n)

    def sphere(self, c: Sequence[float], radii: Sequence[float] | float, f: float = 0.8,
               rot: Arr | None = None) -> None:
        rx, ry, rz = (radii, radii, radii) if np.isscalar(radii) else radii
        n = self.n(f, 4)
        m = max(2, n // 2)
        th = PI - PI * np.arange(1, m) / m
        u = _ring(n)
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
        pr = _dedupe(np.asarray(prof, float))
        pole0 = pr[0, 0] <= 1e-12
        pole1 = pr[-1, 0] <= 1e-12
        body = pr[int(pole0): len(pr) - int(pole1)]
        if along is not None:
            k = self.n(along, lo=min(len(body), 3) if smooth else min(len(body), 4))
            body = _spline(body, k) if smooth else _resample(body, k, False)
        body = body.copy()
        body[:, 0] = np.maximum(body[:, 0], 1e-5)
        n = self.n(f, 4 if p > 2 else 3)
        u = _ring(n, p, PI / n if p > 2 else 0.0)
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
                  c1=(0, 0, pr[-1, 1]) if pole1 else None, rot=_frame(axis, rot), c=c)

    def sweep(self, path: Arr, r: float | Arr, f: float = 0.6, up: Sequence[float] = (0, 0, 1),
              closed: bool = False, cap0: bool = True, cap1: bool = True, rot: Arr | None = None,
              c: Sequence[float] | None = None, p: float = 2.0, r2: float | Arr | None = None) -> None:
        """Tube of (super)elliptic section swept along a polyline; `up` fixes the twist."""
        pts = _dedupe(np.asarray(path, float), closed)
        n = self.n(0.5 * f, 4 if p > 2 else 3)
        seg = np.diff(np.vstack([pts, pts[:1]]) if closed else pts, axis=0)
        length = float(np.sqrt((seg**2).sum(1)).sum())
        rad = float(np.mean(r)) + float(np.mean(r if r2 is None else r2))
        want = len(seg) * self._along(n, length / len(seg), PI * rad)
        if want > len(pts) and np.ndim(r) == 0 and np.ndim(r2) == 0:
            pts = _resample(pts, int(want), closed)
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
        u = _ring(n, p, PI / n if p > 2 else 0.0)
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
            u = _ring(m, p, PI / m if p > 2 else 0.0)
            path = np.column_stack([R * u[:, 0], Ry * u[:, 1], np.zeros(m)])
        else:
            k = max(2, int(round(m * abs(arc[1] - arc[0]) / TAU))) + 1
            path = _arc((0, 0, 0), R, arc[0], arc[1], k, "xy", Ry)
        self.sweep(path, r, f=f, up=(0, 0, 1), closed=arc is None, cap0=caps, cap1=caps,
                   rot=_frame(axis, rot), c=c, r2=r2)

    def extrude(self, poly: Arr, thick: float, c: Sequence[float] | None = None,
                rot: Arr | None = None, f: float = 1.0, axis: str = "z", taper: float = 1.0,
                along: float = 0.0) -> None:
        """Prism of a star-shaped outline (local xy) extruded along local z, centred."""
        pg = _dedupe(np.asarray(poly, float), closed=True)
        x, y = pg[:, 0], pg[:, 1]
        if float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) < 0:
            pg = pg[::-1]
        pg = _resample(pg, max(len(pg), self.n(f, 3)), True)
        cen = pg.mean(0)
        per = float(np.sqrt((np.diff(np.vstack([pg, pg[:1]]), axis=0) ** 2).sum(1)).sum())
        q = self.n(along, 1) if along > 0 else self._along(len(pg), thick, per)
        zs = np.linspace(-thick / 2, thick / 2, q + 1)
        sc = np.linspace(1.0, taper, q + 1)
        rings = np.empty((q + 1, len(pg), 3))
        rings[..., :2] = cen + (pg - cen)[None] * sc[:, None, None]
        rings[..., 2] = zs[:, None]
        self.tube(rings, rot=_frame(axis, rot), c=c)

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


Builder = Callable[[_Mesh, str, Rng, Rng], None]


def _dispatch(table: dict[str, Builder], default: Builder) -> Builder:
    """Family builder that picks a category-specific style, else the default."""
    def build(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
        table.get(cat, default)(b, cat, cr, mr)
    return build


def _jit(r: Rng, x: float, s: float = 0.15) -> float:
    return x * _U(r, 1 - s, 1 + s)


# ----------------------------------------------------------------------------
# seat: legs + seat + back (chairs, sofas, benches, toilets)
# ----------------------------------------------------------------------------


def _chair_back(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    bh, tb, tilt = _U(mr, .32, .6), _U(mr, .025, .06), _U(mr, .04, .22)
    R = _rot(ax=-tilt)  # lean back toward +y
    base = np.array([0.0, D / 2 - tb / 2, H])
    bw = W * _U(mr, .8, 1.0)
    style = _pick(mr, ("solid", "slats", "frame", "oval"))

    def at(x: float, z: float) -> Arr:
        return base + R @ np.array([x, 0.0, z])

    if style == "solid":
        b.rbox(at(0, bh / 2), (bw, tb, bh), p=_U(mr, 3, 8), rot=R, f=.8)
        return
    if style == "oval":
        b.extrude(_ellipse(bw / 2, bh * .4, b.n(1.0, 6)), tb, c=at(0, bh * .58), rot=R, axis="y")
        for s in (-1, 1):
            b.box(at(s * bw * .3, bh * .1), (.03, tb * .8, bh * .22), rot=R)
        return
    for s in (-1, 1):  # two posts
        b.box(at(s * (bw / 2 - .02), bh / 2), (.04, tb, bh), rot=R)
    b.rbox(at(0, bh - .04), (bw, tb * 1.1, .08), p=4, rot=R, f=.6)
    if style == "slats":
        k = _I(mr, 3, 6)
        for i in range(k):
            x = -bw / 2 + .04 + (bw - .08) * (i + .5) / k
            b.box(at(x, (bh - .08) / 2), (.6 * (bw - .08) / k, tb * .6, bh - .08), rot=R)
    else:
        b.box(at(0, bh * .45), (bw - .06, tb * .7, .06), rot=R)
        b.rbox(at(0, bh * .68), (bw * .35, tb * .7, bh * .35), p=3, rot=R, f=.5)


def _chair_legs(b: _Mesh, mr: Rng, style: str, W: float, D: float, h: float, splay: float) -> None:
    lw = _U(mr, .025, .05)
    xs, ys = W / 2 - lw, D / 2 - lw
    if style == "pedestal":
        b.cyl((0, 0, .1), (0, 0, h), .025)
        b.cyl((0, 0, .1), (0, 0, h * .55), .04)
        for k in range(5):
            a = TAU * k / 5 + PI / 2
            e = np.array([math.cos(a), math.sin(a), 0.0])
            b.cyl((0, 0, .1), e * .3 + (0, 0, .07), .02, f=.4, p=4)
            b.sphere(e * .3 + (0, 0, .03), .028, f=.4)
        return
    if style == "sled":
        for s in (-1, 1):
            ctrl = [[s * xs, -ys, h], [s * xs, -ys - .03, .12], [s * xs, -ys + .05, .012],
                    [s * xs, ys - .05, .012], [s * xs, ys + .03, .12], [s * xs, ys, h]]
            b.sweep(_spline(ctrl, b.n(.8, 6)), lw / 2, up=(1, 0, 0))
        return
    for sx in (-1, 1):
        for sy in (-1, 1):
            top = (sx * xs, sy * ys, h)
            bot = (sx * xs * (1 + splay), sy * ys * (1 + splay), 0)
            if style == "square":
                b.cyl(bot, top, lw / 2, p=8, f=.5)
            else:
                b.cyl(bot, top, lw * .35, lw / 2, f=.5)
    if _chance(mr, .5):
        z = h * .3
        for s in (-1, 1):
            b.box((0, s * ys, z), (2 * xs, lw * .6, lw * .6))
            b.box((s * xs, 0, z), (lw * .6, 2 * ys, lw * .6))


def _chair(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    high = cat == "highchair"
    W, D = _U(mr, .40, .56), _U(mr, .38, .52)
    H = _U(mr, .72, .85) if high else _U(mr, .40, .50)
    t = _U(mr, .03, .08)
    b.rbox((0, 0, H - t / 2), (W, D, t), p=_U(mr, 3, 10))
    _chair_back(b, mr, W, D, H)
    legs = _pick(mr, ("square", "round") if high else ("square", "round", "pedestal", "sled"))
    _chair_legs(b, mr, legs, W, D, H - t, .08 if high else _U(mr, 0, .05))
    if high:  # tray in front and a footrest
        b.rbox((0, -D / 2 - .12, H + .18), (W * 1.2, .3, .03), p=3)
        for s in (-1, 1):
            b.cyl((s * W * .45, -D / 2 + .05, H), (s * W * .5, -D / 2 - .05, H + .17), .012)
        b.box((0, -D / 2 - .02, H * .35), (W * 1.05, .12, .02))
    if high or _chance(mr, .35):
        ah = _U(mr, .18, .26)
        for s in (-1, 1):
            x = s * (W / 2 - .02)
            b.cyl((x, -D / 2 + .06, H), (x, -D / 2 + .06, H + ah), .014, f=.4)
            b.rbox((x, 0, H + ah), (.05, D * .95, .03), p=4, f=.6)


def _sofa(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, Hs = _U(mr, 1.5, 2.4), _U(mr, .8, 1.0), _U(mr, .38, .48)
    Ha, Hb = _U(mr, .55, .7), _U(mr, .75, 1.0)
    aw, bt, p = _U(mr, .1, .25), _U(mr, .15, .25), _U(mr, 2.5, 8)
    fz = .08
    b.rbox((0, 0, (fz + Hs - .1) / 2), (W, D, Hs - .1 - fz), p=p)
    nc = _I(mr, 1, 3)
    cw = (W - 2 * aw) / nc
    for i in range(nc):
        b.rbox((-W / 2 + aw + cw * (i + .5), -bt / 2, Hs - .05), (cw * .98, D - bt, .12), p=p, f=.7)
    b.rbox((0, D / 2 - bt / 2, (Hs - .1 + Hb) / 2), (W, bt, Hb - Hs + .1), p=p, rot=_rot(ax=-.08))
    for s in (-1, 1):
        b.rbox((s * (W / 2 - aw / 2), 0, (fz + Ha) / 2), (aw, D, Ha - fz), p=p)
    if _chance(mr, .5):  # loose back cushions
        for i in range(nc):
            b.rbox((-W / 2 + aw + cw * (i + .5), D / 2 - bt - .08, Hs + .22), (cw * .95, .16, .4),
                   p=2.5, rot=_rot(ax=-.2), f=.7)
    if _chance(mr, .35):  # chaise extension on one side makes an L
        side = _pick(mr, (-1, 1))
        b.rbox((side * (W / 2 - .38), -D / 2 - .3, (fz + Hs) / 2), (.72, .62, Hs - fz), p=p)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * (W / 2 - .06), sy * (D / 2 - .06), 0), (sx * (W / 2 - .06), sy * (D / 2 - .06), fz),
                  .025, f=.4)


def _bench(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = _U(mr, 1.1, 2.0), _U(mr, .32, .5), _U(mr, .42, .48)
    if _chance(mr, .5):
        for i in range(4):
            b.box((0, -D / 2 + D * (i + .5) / 4, H - .015), (W, D / 4 * .8, .03))
    else:
        b.rbox((0, 0, H - .025), (W, D, .05), p=8)
    legs = _pick(mr, ("panel", "four", "cast"))
    for s in (-1, 1):
        x = s * (W / 2 - .12)
        if legs == "panel":
            b.box((x, 0, (H - .05) / 2), (.05, D * .9, H - .05))
        elif legs == "four":
            for sy in (-1, 1):
                b.cyl((x, sy * (D / 2 - .05), 0), (x, sy * (D / 2 - .05), H - .04), .025, f=.4, p=6)
        else:
            poly = [(-D / 2, 0), (-D / 2 + .06, 0), (0, H * .5), (D / 2 - .06, 0), (D / 2, 0),
                    (D / 2 - .03, H - .04), (-D / 2 + .03, H - .04)]
            b.extrude(np.array(poly), .04, c=(x, 0, 0), axis="x")
    if _chance(mr, .5):  # backrest
        R = _rot(ax=-.2)
        for s in (-1, 1):
            b.box(np.array([s * (W / 2 - .12), D / 2 - .02, H]) + R @ (0, 0, .22), (.04, .04, .44), rot=R)
        for z in (.18, .34):
            b.box(np.array([0, D / 2 - .02, H]) + R @ (0, -.03, z), (W, .02, .1), rot=R)


def _toilet(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    h, r1, sy = _U(mr, .36, .42), _U(mr, .17, .21), _U(mr, 1.15, 1.35)
    outer = _spline([(.12, 0), (.115, .08), (r1 * .75, h * .6), (r1, h)], b.n(.35, 4))
    yb = -.08
    b.revolve(_shell(outer, .02), c=(0, yb, 0), sy=sy, along=None)
    b.torus((0, yb, h + .015), r1 * .92, .018, Ry=r1 * .92 * sy, f=.8)
    if _chance(mr, .5):
        b.extrude(_ellipse(r1, r1 * sy, b.n(.8, 8)), .02, c=(0, yb, h + .045))
    else:
        b.extrude(_ellipse(r1, r1 * sy, b.n(.8, 8)), .02, c=(0, yb + r1 * sy + .02, h + r1 * sy + .03),
                  rot=_rot(ax=PI / 2 - .12))
    tw, td, th = _U(mr, .36, .46), _U(mr, .15, .2), _U(mr, .3, .42)
    ty = yb + r1 * sy + td / 2 - .02
    b.rbox((0, ty, h + th / 2 - .02), (tw, td, th), p=6)
    b.rbox((0, ty, h + th - .01), (tw + .02, td + .02, .03), p=6, f=.6)
    b.box((-tw / 2 + .05, ty - td / 2 - .01, h + th - .06), (.06, .02, .015))  # flush lever
    b.rbox((0, ty - .02, h * .35), (.16, .18, h * .7), p=3, f=.6)


_seat = _dispatch({"sofa": _sofa, "bench": _bench, "toilet": _toilet}, _chair)


# ----------------------------------------------------------------------------
# table: top + legs (tables, beds, treadmill)
# ----------------------------------------------------------------------------


def _dining(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, 1.1, 2.2)
    Wd, H, t = L * _U(mr, .45, .75), _U(mr, .70, .78), _U(mr, .025, .06)
    if _chance(mr, .7):
        b.rbox((0, 0, H - t / 2), (L, Wd, t), p=_U(mr, 6, 14), f=1.2)
    else:
        b.loft([(H - t, 0, 0, L / 2, Wd / 2), (H, 0, 0, L / 2, Wd / 2)], f=1.2)
    legs, lw = _pick(mr, ("corner", "corner", "pedestal", "trestle")), _U(mr, .04, .08)
    if legs == "corner":
        xs, ys = L / 2 - lw - .06, Wd / 2 - lw - .06
        round_legs = _chance(mr, .5)
        for sx in (-1, 1):
            for sy in (-1, 1):
                if round_legs:
                    b.cyl((sx * xs, sy * ys, 0), (sx * xs, sy * ys, H - t), lw * .3, lw / 2, f=.5)
                else:
                    b.box((sx * xs, sy * ys, (H - t) / 2), (lw, lw, H - t))
        for s in (-1, 1):
            b.box((0, s * ys, H - t - .05), (2 * xs, .02, .1))
            b.box((s * xs, 0, H - t - .05), (.02, 2 * ys, .1))
    elif legs == "pedestal":
        for x in ((-L / 4, L / 4) if L > 1.5 else (0.0,)):
            b.cyl((x, 0, .05), (x, 0, H - t), .05, .07, along=.2)
            b.rbox((x, 0, .025), (.5, .5, .05), p=_pick(mr, (2.0, 8.0)), f=.8)
    else:
        for s in (-1, 1):
            x = s * (L / 2 - .2)
            b.box((x, 0, (H - t) / 2), (.07, .1, H - t))
            b.rbox((x, 0, .04), (.1, Wd * .85, .08), p=4, f=.5)
            b.box((x, 0, H - t - .04), (.08, Wd * .8, .06))
        b.box((0, 0, H * .35), (L - .4, .06, .08))


def _billiard(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, 2.2, 2.8)
    Wd, H = L / 2 + .25, .8
    b.rbox((0, 0, H - .16), (L, Wd, .22), p=12, f=1.1)
    b.box((0, 0, H - .04), (L - .2, Wd - .2, .02))
    for s in (-1, 1):
        b.box((0, s * (Wd / 2 - .07), H), (L, .14, .07))
        b.box((s * (L / 2 - .07), 0, H), (.14, Wd - .28, .07))
    for x in (-L / 2 + .05, 0, L / 2 - .05):
        for s in (-1, 1):
            b.cyl((x, s * (Wd / 2 - .05), H - .12), (x, s * (Wd / 2 - .05), H + .04), .065, f=.5)
    nl = 6 if L > 2.5 else 4
    for i in range(nl // 2):
        x = -L / 2 + .2 + (L - .4) * i / (nl // 2 - 1)
        for s in (-1, 1):
            b.revolve([(.07, 0), (.11, .15), (.08, .4), (.1, .6)], c=(x, s * (Wd / 2 - .2), 0), f=.6)
    if _chance(mr, .6):  # cue stick lying across + a few balls
        b.cyl((-L * .3, -Wd * .3, H + .03), (L * .35, Wd * .15, H + .03), .012, .006, f=.4)
        pos = mr.uniform(-1, 1, size=(8, 2))
        for k in range(min(8, b.n(.15, 2))):
            b.sphere((pos[k, 0] * L * .35, pos[k, 1] * Wd * .3, H - .001), .028, f=.35)


def _pingpong(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, Wd, H, t = 2.74 * _U(mr, .95, 1.05), 1.525, .76, .03
    folded = _chance(mr, .3)
    b.box((-L / 4, 0, H - t / 2), (L / 2 - .01, Wd, t), f=1.2)
    if folded:
        b.box((.04, 0, H + L / 4 - .1), (t, Wd, L / 2 - .01), f=1.2)
    else:
        b.box((L / 4, 0, H - t / 2), (L / 2 - .01, Wd, t), f=1.2)
        b.box((0, 0, H + .076), (.006, Wd + .3, .152))
        for s in (-1, 1):
            b.cyl((0, s * (Wd / 2 + .15), H - .03), (0, s * (Wd / 2 + .15), H + .16), .012, f=.4)
    for x in (-L / 2 + .25, -.3) + (() if folded else (.3, L / 2 - .25)):
        for s in (-1, 1):
            b.cyl((x, s * (Wd / 2 - .15), .05), (x, s * (Wd / 2 - .15), H - t), .025, f=.4, p=6)
            b.cyl((x - .03, s * (Wd / 2 - .15), .04), (x + .03, s * (Wd / 2 - .15), .04), .04, f=.4)
    b.box((-L / 4 if folded else 0, 0, .25), (.05, Wd - .3, .05))


def _bed(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, Wd = _U(mr, 1.95, 2.2), _pick(mr, (.95, 1.4, 1.6, 1.85)) * _U(mr, .97, 1.03)
    fh = _U(mr, .2, .35)
    b.box((0, 0, (fh + .08) / 2), (Wd + .04, L + .04, fh - .08))
    b.rbox((0, 0, fh + .11), (Wd, L, .22), p=5, f=1.2)
    hh = _U(mr, .85, 1.3)
    b.rbox((0, L / 2 + .04, hh / 2), (Wd + .1, .07, hh), p=_U(mr, 4, 20))
    if _chance(mr, .5):
        b.rbox((0, -L / 2 - .04, (fh + .25) / 2), (Wd + .1, .06, fh + .25), p=8)
    for x in ((0.0,) if Wd < 1.2 else (-Wd / 4, Wd / 4)):
        b.sphere((x, L / 2 - .25, fh + .27), (min(.32, Wd * .4), .18, .07))
    if _chance(mr, .6):
        b.rbox((0, -L * .12, fh + .23), (Wd + .06, L * .72, .03), p=8)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * Wd / 2, sy * L / 2, 0), (sx * Wd / 2, sy * L / 2, .1), .03, f=.4)


def _treadmill(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Ld, Wd = _U(mr, 1.6, 2.0), _U(mr, .7, .85)
    b.rbox((0, .1, .1), (Wd, Ld, .14), p=6)
    b.box((0, .15, .175), (Wd * .75, Ld * .85, .01))
    b.rbox((0, -Ld / 2 + .15, .17), (Wd, .35, .2), p=4)
    top = _U(mr, 1.15, 1.35)
    for s in (-1, 1):
        b.cyl((s * Wd * .42, -Ld / 2 + .2, .2), (s * Wd * .4, -Ld / 2 + .08, top), .03)
        b.cyl((s * Wd * .42, -Ld / 2 + .1, top - .22), (s * Wd * .45, -Ld / 2 + .6, top - .25), .02)
    b.rbox((0, -Ld / 2 + .12, top + .04), (Wd * .95, .28, .12), p=5, rot=_rot(ax=.5))
    b.box((0, -Ld / 2 + .06, top + .09), (Wd * .4, .01, .08), rot=_rot(ax=.5))
    for s in (-1, 1):
        b.cyl((s * Wd * .45, Ld / 2 + .05, .05), (s * Wd * .45, Ld / 2 + .05, .0), .03, f=.4)


_table = _dispatch({"billiard_table": _billiard, "table_tennis_table": _pingpong, "bed": _bed,
                    "treadmill": _treadmill}, _dining)


# ----------------------------------------------------------------------------
# cabinet: box appliances / furniture with front features (front face at -y)
# ----------------------------------------------------------------------------


def _bar_handle(b: _Mesh, x: float, y0: float, z: float, length: float, vertical: bool = True,
                r: float = .01) -> None:
    """Bar handle standing off a front face at y0."""
    d = np.array([0, 0, length / 2]) if vertical else np.array([length / 2, 0, 0])
    c = np.array([x, y0 - .035, z])
    b.cyl(c - d, c + d, r, f=.35)
    for e in (-.8, .8):
        b.cyl(c + e * d + (0, .035, 0), c + e * d, r * .7, f=.3)


def _knob(b: _Mesh, x: float, y0: float, z: float, r: float, depth: float = .02) -> None:
    b.cyl((x, y0, z), (x, y0 - depth, z), r, f=.4)


def _button_grid(b: _Mesh, cx: float, y0: float, cz: float, rows: int, cols: int, w: float, h: float,
                 size: float) -> None:
    for i in range(rows):
        for j in range(cols):
            x = cx - w / 2 + w * (j + .5) / cols
            z = cz + h / 2 - h * (i + .5) / rows
            b.box((x, y0 - .004, z), (size, .008, size * .8))


def _cab_fridge(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .03), (W, D, H - .06), p=16)
    y0 = -D / 2 - .012
    layout = _pick(mr, ("top", "bottom", "side", "single"))
    if layout == "side":
        doors = [(-W / 4, H / 2, W / 2, H - .08, 1), (W / 4, H / 2, W / 2, H - .08, -1)]
    elif layout == "single":
        doors = [(0, H / 2, W, H - .08, -1)]
    else:
        hf = H * _U(mr, .25, .35)
        zf = H - hf / 2 - .04 if layout == "top" else hf / 2 + .04
        zm = (H - hf) / 2 if layout == "top" else hf + (H - hf) / 2
        doors = [(0, zf, W, hf, -1), (0, zm, W, H - hf - .08, -1)]
    for cx, cz, w, h, hs in doors:
        b.rbox((cx, y0, cz), (w - .012, .025, h - .012), p=10, axis="y", f=.8)
        _bar_handle(b, cx + hs * (w / 2 - .07), y0 - .012, cz, min(h * .6, .5))
    if _chance(mr, .35):
        b.box((-W / 4 if layout == "side" else -W * .25, y0 - .02, H * .6), (.18, .02, .28))
    b.box((0, -D / 2 + .02, .03), (W * .9, .04, .05))


def _cab_microwave(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .01), (W, D, H), p=10)
    y0 = -D / 2
    dw = W * _U(mr, .65, .75)
    b.rbox((-W / 2 + dw / 2, y0 - .006, H / 2 + .01), (dw - .01, .012, H - .02), p=10, axis="y")
    b.box((-W / 2 + dw / 2 - .02, y0 - .014, H / 2 + .01), (dw * .7, .006, H * .6))
    cx = -W / 2 + dw + (W - dw) / 2
    if _chance(mr, .5):
        _button_grid(b, cx, y0, H * .45, 4, 3, (W - dw) * .7, H * .5, .02)
        b.box((cx, y0 - .005, H * .85), ((W - dw) * .7, .01, H * .1))
    else:
        for z in (H * .7, H * .35):
            _knob(b, cx, y0, z, .022)
    if _chance(mr, .5):
        _bar_handle(b, -W / 2 + dw - .03, y0 - .012, H / 2, H * .6)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * (W / 2 - .04), sy * (D / 2 - .04), 0), (sx * (W / 2 - .04), sy * (D / 2 - .04), .012),
                  .015, f=.3)


def _cab_dishwasher(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=14)
    y0 = -D / 2
    b.rbox((0, y0 - .01, H * .47), (W - .01, .02, H * .82), p=10, axis="y")
    b.box((0, y0 - .008, H * .94), (W - .01, .016, H * .1))
    _button_grid(b, W * .15, y0 - .016, H * .94, 1, _I(mr, 3, 6), W * .5, H * .05, .025)
    _bar_handle(b, 0, y0 - .02, H * .82, W * .6, vertical=False)
    b.box((0, y0 + .03, .04), (W - .02, .02, .08))


def _cab_washer(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=14)
    y0 = -D / 2
    if _chance(mr, .7):  # front loader: porthole door
        zc = H * .45
        b.torus((0, y0 - .025, zc), W * .28, .035, axis="y", f=.9)
        b.cyl((0, y0, zc), (0, y0 - .03, zc), W * .26, f=.8)
        b.box((-W * .28, y0 - .01, H * .9), (W * .32, .02, H * .09))
        _knob(b, W * .3, y0, H * .9, .035, .03)
        b.box((W * .05, y0 - .006, H * .9), (W * .2, .012, H * .06))
    else:  # top loader: lid + rear control console
        b.rbox((0, -D * .08, H + .01), (W * .9, D * .75, .02), p=8)
        b.rbox((0, D / 2 - .06, H + .1), (W, .1, .2), p=6)
        for x in (-W * .3, 0, W * .3):
            _knob(b, x, D / 2 - .11, H + .1, .025)


def _cab_vending(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=16)
    y0 = -D / 2
    gw = W * .66
    b.box((-W / 2 + gw / 2 + .03, y0 - .01, H * .58), (gw, .02, H * .7))
    for i in range(5):
        b.box((-W / 2 + gw / 2 + .03, y0 + .05, H * .28 + H * .14 * i), (gw * .95, .25, .01))
    cx = -W / 2 + gw + (W - gw) / 2 + .02
    _button_grid(b, cx, y0, H * .6, 6, 2, (W - gw) * .5, H * .3, .035)
    b.box((cx, y0 - .01, H * .35), (.06, .02, .1))
    b.box((-W / 2 + gw / 2, y0 - .02, H * .12), (gw * .7, .04, H * .1))
    b.box((0, y0 - .01, H - .08), (W, .02, .12))


def _cab_doors(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    base = .1 if _chance(mr, .6) else 0.0
    if base:
        b.box((0, .01, base / 2), (W - .04, D - .04, base))
    else:
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.cyl((sx * (W / 2 - .04), sy * (D / 2 - .04), 0), (sx * (W / 2 - .04), sy * (D / 2 - .04), .12),
                      .02, .03, f=.4)
        base = .12
    b.box((0, 0, base + (H - base) / 2), (W, D, H - base))
    b.rbox((0, -.01, H + .015), (W + .04, D + .03, .03), p=10)
    y0 = -D / 2
    ncol = _I(mr, 1, 3)
    drawer = _chance(mr, .5)
    top = H - (H - base) * .22 if drawer else H
    for i in range(ncol):
        w = W / ncol
        x = -W / 2 + w * (i + .5)
        b.box((x, y0 - .01, (base + top) / 2), (w - .01, .02, top - base - .02))
        hs = -1 if (i % 2 == 0 and ncol > 1) else 1
        _knob(b, x + (-hs if ncol > 1 else 1) * (w / 2 - .05), y0 - .02, (base + top) / 2 + .1, .015)
        if drawer:
            b.box((x, y0 - .01, (top + H) / 2), (w - .01, .02, H - top - .02))
            _bar_handle(b, x, y0 - .02, (top + H) / 2, w * .4, vertical=False, r=.007)


def _cab_drawers(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.box((0, 0, H / 2), (W, D, H))
    y0 = -D / 2
    nd = _I(mr, 2, 5)
    hd = (H - .04) / nd
    for i in range(nd):
        z = .02 + hd * (i + .5)
        b.box((0, y0 - .01, z), (W - .02, .02, hd - .015))
        _bar_handle(b, 0, y0 - .02, z + hd * .15, W * .4, vertical=False, r=.008)
        b.box((0, y0 - .022, z - hd * .2), (W * .2, .004, hd * .12))
    if _chance(mr, .4):
        b.cyl((W * .3, y0, H - .04), (W * .3, y0 - .01, H - .04), .012, f=.3)


def _cab_shelves(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    th = .02
    for s in (-1, 1):
        b.box((s * (W / 2 - th / 2), 0, H / 2), (th, D, H))
    for z in (th / 2, H - th / 2):
        b.box((0, 0, z), (W - 2 * th, D, th))
    b.box((0, D / 2 - .005, H / 2), (W - 2 * th, .01, H - 2 * th))
    ns = _I(mr, 3, 6)
    gap = (H - th) / ns
    widths = mr.uniform(.02, .05, size=(ns, 30))
    heights = mr.uniform(.6, .9, size=(ns, 30))
    fill = mr.uniform(.3, 1.0, size=ns)
    lean = mr.uniform(-.2, .2, size=ns)
    kmax = b.n(.5, 2)
    for i in range(ns):
        z0 = th + gap * i
        if i > 0:
            b.box((0, 0, z0 - th / 2), (W - 2 * th, D - .01, th))
        x = -W / 2 + th + .005
        for k in range(min(30, kmax)):
            w = widths[i, k]
            if x + w > -W / 2 + th + (W - 2 * th) * fill[i]:
                break
            h = heights[i, k] * (gap - th)
            b.box((x + w / 2, -.02, z0 + h / 2), (w * .95, D * .75, h))
            x += w
        if fill[i] < .8:  # a leaning book at the end of a partial row
            b.box((x + .06, -.02, z0 + (gap - th) * .35), (.025, D * .7, (gap - th) * .7),
                  rot=_rot(ay=lean[i] + .3))


def _cab_printer(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=8)
    b.rbox((0, .02, H + .01), (W * .96, D * .9, .02), p=8, f=.7)
    b.box((0, D / 2 - .02, H + .08), (W * .6, .01, .2), rot=_rot(ax=-.45))
    b.box((0, -D / 2 - .1, H * .3), (W * .6, .22, .01))
    b.rbox((W * .3, -D / 2 + .06, H + .03), (W * .3, .1, .025), p=4, rot=_rot(ax=.3), f=.6)
    _button_grid(b, W * .3, -D / 2 + .02, H + .05, 1, 4, W * .22, .02, .012)


def _cab_toaster(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .01), (W, D, H), p=_U(mr, 2.5, 6), along=.1)
    ns = _pick(mr, (1, 2, 2))
    for i in range(ns):
        y = (i + .5 - ns / 2) * D * .4
        b.rbox((0, y, H + .012), (W * .7, .03, .008), p=6, f=.6)
    b.box((W / 2 + .01, 0, H * .7), (.02, .03, .02))
    _knob(b, W * .3, -D / 2, H * .3, .012)
    for sx in (-1, 1):
        b.box((sx * W * .35, 0, .005), (.03, D * .8, .01))


def _cab_stove(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.box((0, 0, H / 2), (W, D, H))
    b.rbox((0, 0, H + .01), (W + .01, D + .01, .02), p=10)
    nb = _pick(mr, (2, 4, 4, 5))
    pts = [(-1, -1), (1, -1), (-1, 1), (1, 1), (0, 0)][:nb] if nb != 2 else [(-1, 0), (1, 0)]
    for px, py in pts:
        c = (px * W * .25, py * D * .22, H + .02)
        r = .07 if (px + py) % 2 else .095
        b.cyl(c, (c[0], c[1], c[2] + .015), r, f=.5)
        b.torus((c[0], c[1], c[2] + .03), r * 1.1, .006, f=.5)
    y0 = -D / 2
    for i in range(nb):
        _knob(b, -W * .4 + W * .8 * i / max(nb - 1, 1), y0, H - .05, .018, .025)
    b.box((0, y0 - .01, H * .45), (W - .04, .02, H * .6))
    b.box((0, y0 - .022, H * .47), (W * .6, .005, H * .3))
    _bar_handle(b, 0, y0 - .02, H * .72, W * .7, vertical=False)
    if _chance(mr, .6):
        b.box((0, D / 2 - .02, H + .18), (W, .04, .34))


def _cab_coffee(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, .02), (W, D, .04), p=6)
    b.rbox((0, D / 2 - D * .2, H / 2), (W, D * .4, H), p=_U(mr, 4, 10))
    b.rbox((0, -.0, H - .05), (W, D, .1), p=6)
    yc = -D * .15
    outer = _spline([(.045, 0), (.06, .05), (.055, .11), (.04, .14)], b.n(.3, 4))
    b.revolve(_shell(outer, .003), c=(0, yc, .04), along=None, f=.8)
    b.torus((.07, yc, .11), .035, .006, rot=_XZ_PLANE, arc=(-1.7, 1.7), f=.5)
    b.rbox((W / 2 + .04, D * .2, H * .45), (.08, D * .35, H * .7), p=8, f=.6)
    _button_grid(b, 0, -D / 2, H - .05, 1, 3, W * .5, .04, .015)


def _cab_radiator(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    nf = _I(mr, 6, 16)
    fw = W / nf
    for i in range(nf):
        b.rbox((-W / 2 + fw * (i + .5), 0, .1 + H / 2), (fw * .75, D, H), p=4, f=.6)
    for z in (.14, H + .06):
        b.cyl((-W / 2 - .02, 0, z), (W / 2 + .02, 0, z), .018, f=.5)
    b.cyl((W / 2 + .02, 0, H + .06), (W / 2 + .06, 0, H + .06), .02, f=.5)
    _knob(b, W / 2 + .08, .02, H + .1, .02, .03)
    for s in (-1, 1):
        b.box((s * W * .4, 0, .05), (.04, D * 1.8, .1))


def _cab_speaker(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = 0.0
    if _chance(mr, .3):  # on a stand
        z0 = .6
        b.cyl((0, 0, .02), (0, 0, z0), .03)
        b.rbox((0, 0, .01), (W * 1.2, D * 1.2, .02), p=6)
    b.rbox((0, 0, z0 + H / 2), (W, D, H), p=12)
    y0 = -D / 2
    nw = _pick(mr, (1, 1, 2))
    rw = W * .35
    for i in range(nw):
        z = z0 + H * .3 + i * H * .32
        b.torus((0, y0 - .01, z), rw, .012, axis="y", f=.7)
        outer = [(rw * .25, 0), (rw * .95, .04)]
        b.revolve(outer, c=(0, y0 + .03, z), rot=_FACE_FRONT, cap1=False, f=.7)
    b.sphere((0, y0, z0 + H * .86), (.025, .012, .025), f=.5)
    b.torus((W * .25, y0 - .005, z0 + H * .1), .02, .006, axis="y", f=.4)


def _cab_tank(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = 0.0
    if _chance(mr, .5):
        z0 = .7
        b.box((0, 0, .35), (W + .04, D + .04, .7))
        _knob(b, 0, -D / 2 - .02, .5, .015)
    t = .008
    b.box((0, 0, z0 + t / 2), (W, D, t))
    for s in (-1, 1):
        b.box((0, s * (D / 2 - t / 2), z0 + H / 2), (W, t, H))
        b.box((s * (W / 2 - t / 2), 0, z0 + H / 2), (t, D - 2 * t, H))
    b.rbox((0, 0, z0 + H + .03), (W + .02, D + .02, .06), p=8)
    b.box((0, 0, z0 + .03), (W - .02, D - .02, .05))
    hp = mr.uniform(.3, .8, size=5)
    xp = mr.uniform(-.4, .4, size=5)
    for k in range(5):
        b.cyl((xp[k] * W, D * .2, z0 + .05), (xp[k] * W + .02, D * .2, z0 + H * hp[k]), .012, .002, f=.3)
    b.sphere((W * .2, 0, z0 + .08), (.08, .05, .05), f=.5)


def _cab_suitcase(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = .05
    b.rbox((0, 0, z0 + H / 2), (W, D, H), p=_U(mr, 4, 10), along=.08)
    for x in (-W * .25, W * .25):
        b.rbox((x, -D / 2, z0 + H / 2), (.04, .01, H * .95), p=4, f=.4)
    b.torus((0, 0, z0 + H), .06, .008, rot=_XZ_PLANE, arc=(0, PI), f=.5)
    for s in (-1, 1):
        for y in ((D / 2 - .04,) if _chance(mr, .5) else (-D / 2 + .04, D / 2 - .04)):
            b.cyl((s * (W / 2 - .05) - .012, y, .035), (s * (W / 2 - .05) + .012, y, .035), .035, f=.4)
    if _chance(mr, .5):
        ext = _U(mr, .1, .45)
        for s in (-1, 1):
            b.cyl((s * W * .3, D / 2 + .01, z0 + H * .6), (s * W * .3, D / 2 + .01, z0 + H + ext), .008, f=.3)
        b.rbox((0, D / 2 + .01, z0 + H + ext), (W * .65, .03, .03), p=3, f=.4)


def _cab_projector(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .01), (W, D, H), p=_U(mr, 3, 8))
    side = _pick(mr, (-1, 1))
    x = side * W * _U(mr, .1, .3)
    y0 = -D / 2
    b.cyl((x, y0 + .01, H / 2 + .01), (x, y0 - .025, H / 2 + .01), H * .32, f=.6)
    b.torus((x, y0 - .025, H / 2 + .01), H * .28, .004, axis="y", f=.5)
    _button_grid(b, -x, -D * .1, H + .012, 2, 3, W * .25, D * .2, .012)
    for k in range(4):
        b.box((-side * W / 2, D * (k - 1.5) * .15, H / 2), (.004, .02, H * .5))
    for sx in (-1, 1):
        b.cyl((sx * W * .35, -D * .35, 0), (sx * W * .35, -D * .35, .012), .012, f=.3)
    b.cyl((0, D * .35, 0), (0, D * .35, .012), .012, f=.3)


def _cab_sewing(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, .03), (W, D, .06), p=6)
    b.rbox((W * .3, 0, H / 2), (W * .22, D * .8, H), p=5)
    b.rbox((-W * .05, 0, H - .04), (W * .8, D * .6, .08), p=4)
    b.rbox((-W * .4, 0, H - .07), (W * .14, D * .7, .14), p=5)
    b.cyl((-W * .42, -D * .1, H - .14), (-W * .42, -D * .1, .09), .004, f=.3)
    b.box((-W * .42, -D * .1, .085), (.02, .03, .01))
    b.cyl((W * .41, 0, H * .7), (W * .45, 0, H * .7), .055, f=.6)
    b.cyl((W * .1, 0, H), (W * .1, 0, H + .06), .004, f=.3)
    b.cyl((W * .1, 0, H + .005), (W * .1, 0, H + .04), .012, f=.4)


def _cab_piano(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    kz = .72
    if _chance(mr, .65):  # upright
        b.box((0, .1, H / 2), (W, D * .55, H))
        b.box((0, -D * .25, kz - .04), (W, D * .4, .08))
        b.box((0, -D * .25, kz + .015), (W * .9, D * .32, .02))
        kmax = min(36, b.n(.8, 5))
        for i in range(kmax):
            b.box((-W * .44 + W * .88 * (i + .5) / kmax, -D * .2, kz + .035), (W * .88 / kmax * .5, D * .2, .02))
        for s in (-1, 1):
            b.cyl((s * (W / 2 - .05), -D * .38, 0), (s * (W / 2 - .05), -D * .38, kz - .08), .03, f=.4)
        b.box((0, D * .1 - D * .25, kz + .2), (W * .5, .02, .2), rot=_rot(ax=-.2))
        for k in range(3):
            b.box(((k - 1) * .06, -D * .1, .05), (.03, .1, .015))
    else:  # grand: curved case, raised lid, three legs
        L = W * 1.2
        t = np.linspace(0, 1, b.n(.6, 5))
        curve = np.stack([W / 2 - (W * .6) * t**1.5, -L / 2 + .3 + (L - .3) * np.sin(t * PI / 2)], 1)
        poly = np.vstack([[-W / 2, -L / 2], [W / 2, -L / 2], curve, [-W / 2, L / 2]])
        b.extrude(poly, .3, c=(0, 0, kz + .1), f=1.2)
        b.extrude(poly, .02, c=(-W / 2, 0, kz + .26), rot=_rot(ay=-.6), f=1.2)
        b.cyl((W * .3, 0, kz + .25), (W * .25, 0, kz + .9), .01, f=.3)
        b.box((0, -L / 2 - .12, kz), (W * .95, .25, .06))
        for x, y in ((-W / 2 + .1, -L / 2 + .1), (W / 2 - .1, -L / 2 + .1), (-W * .1, L * .3)):
            b.cyl((x, y, 0), (x, y, kz - .05), .04, .05, f=.4)
        b.box((0, -L * .2, .25), (.12, .04, .5))
    if _chance(mr, .4):  # bench
        b.rbox((0, -D - .35, .48), (W * .5, .35, .05), p=6)
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.box((sx * W * .22, -D - .35 + sy * .14, .23), (.04, .04, .46))


def _cab_payphone(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = 0.0
    if _chance(mr, .5):
        z0 = .9
        b.rbox((0, 0, z0 / 2), (.12, .12, z0), p=4, f=.5)
    b.rbox((0, 0, z0 + H / 2), (W, D, H), p=8)
    b.rbox((0, -.05, z0 + H + .03), (W + .08, D + .12, .04), p=6)
    y0 = -D / 2
    _button_grid(b, W * .1, y0, z0 + H * .45, 4, 3, W * .35, H * .25, .02)
    b.box((W * .1, y0 - .005, z0 + H * .75), (W * .4, .01, H * .1))
    b.box((W * .35, y0 - .005, z0 + H * .75), (.02, .01, .05))
    hx = -W / 2 - .03
    b.rbox((hx, -D * .1, z0 + H * .5), (.04, .045, H * .55), p=4, f=.5)
    for e in (-1, 1):
        b.rbox((hx - .01, -D * .1, z0 + H * .5 + e * H * .27), (.05, .06, .07), p=3, f=.5)
    path = _spline([(hx, -D * .1, z0 + H * .22), (hx - .05, -D * .2, z0 + H * .1), (-W / 2, -D * .3, z0 + H * .15)],
                   b.n(.4, 4))
    b.sweep(path, .006, f=.4, up=(0, 1, 0))


def _cab_sink(b: _Mesh, mr: Rng, W: float, D: float, H: float) -> None:
    if _chance(mr, .65):  # vanity cabinet + counter
        b.box((0, .01, (H - .04) / 2), (W, D - .02, H - .04))
        for s in (-1, 1):
            b.box((s * W / 4, -D / 2, H * .45), (W / 2 - .01, .02, H * .75))
            _knob(b, s * .04, -D / 2 - .01, H * .65, .012)
        b.rbox((0, 0, H - .02), (W + .04, D + .02, .04), p=10)
        rb, zb = min(W, D) * .33, H
    else:  # pedestal
        b.revolve([(.1, 0), (.07, .2), (.06, H * .6), (.1, H - .1)], f=.6)
        rb, zb = .22, H - .12
    outer = _spline([(rb * .45, 0), (rb * .85, .05), (rb, .14)], b.n(.3, 3))
    b.revolve(_shell(outer, .012), c=(0, -.02, zb), sx=1.25, along=None)
    gn = _spline([(0, D * .3, zb), (0, D * .3, zb + .3), (0, D * .1, zb + .34), (0, -.02, zb + .24)], b.n(.5, 5))
    b.sweep(gn, .012, up=(1, 0, 0))
    b.cyl((0, D * .3, zb), (0, D * .3, zb + .05), .025, f=.5)
    b.box((.06, D * .3, zb + .1), (.06, .012, .012))


_CAB: dict[str, tuple[Callable, float, float, float]] = {
    "refrigerator": (_cab_fridge, .75, .72, 1.75),
    "microwave": (_cab_microwave, .5, .38, .3),
    "dishwasher": (_cab_dishwasher, .6, .6, .85),
    "washer": (_cab_washer, .6, .62, .88),
    "washing_machine": (_cab_washer, .6, .6, .85),
    "vending_machine": (_cab_vending, .95, .8, 1.85),
    "cabinet": (_cab_doors, .9, .45, 1.1),
    "filing_cabinet": (_cab_drawers, .45, .62, 1.3),
    "bookshelf": (_cab_shelves, .9, .3, 1.8),
    "printer": (_cab_printer, .45, .4, .25),
    "toaster": (_cab_toaster, .3, .18, .2),
    "cooker": (_cab_stove, .6, .6, .9),
    "stove": (_cab_stove, .75, .65, .9),
    "coffee_maker": (_cab_coffee, .25, .3, .38),
    "radiator": (_cab_radiator, .8, .1, .6),
    "speaker": (_cab_speaker, .25, .28, .45),
    "fish_tank": (_cab_tank, .8, .35, .45),
    "suitcase": (_cab_suitcase, .45, .25, .65),
    "projector": (_cab_projector, .3, .25, .1),
    "sewing_machine": (_cab_sewing, .42, .2, .3),
    "piano": (_cab_piano, 1.5, .6, 1.2),
    "pay_phone": (_cab_payphone, .3, .15, .5),
    "sink": (_cab_sink, .6, .5, .85),
}


def _cabinet(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    if cat in _CAB:
        fn, W, D, H = _CAB[cat]
    else:  # unknown category: hashed style and proportions
        fn = _pick(cr, (_cab_doors, _cab_drawers, _cab_fridge, _cab_microwave))
        W, D, H = _U(cr, .3, 1.2), _U(cr, .2, .7), _U(cr, .2, 1.8)
    fn(b, mr, _jit(mr, W), _jit(mr, D), _jit(mr, H))


# ----------------------------------------------------------------------------
# panel: a screen / board / slab facing -y, on a stand or in a frame
# ----------------------------------------------------------------------------


def _monitor(b: _Mesh, mr: Rng, W: float, z0: float = 0.0, x0: float = 0.0) -> None:
    """Flat screen on a neck and foot (shared by tvmonitor and computer)."""
    H = W * _pick(mr, (9 / 16, 9 / 16, 3 / 4, 10 / 16))
    d = W * _U(mr, .03, .06)
    zc = z0 + _U(mr, .12, .25) * W + H / 2
    if _chance(mr, .2):  # old CRT: deep tapered back
        b.loft([(-d, 0, 0, W / 2, H / 2), (W * .6, 0, 0, W * .3, H * .3)], p=8, axis="y", c=(x0, 0, zc))
    else:
        b.rbox((x0, d / 2, zc), (W, d, H), p=12, axis="y")
        b.rbox((x0, d + W * .03, zc), (W * .5, W * .06, H * .5), p=4, axis="y", f=.5)
    b.box((x0, -d * .6, zc), (W * .94, .004 * W, H * .88))
    b.box((x0 + W * .4, -d * .55, zc - H / 2 + .02 * W), (.02 * W, .004 * W, .01 * W))
    if _chance(mr, .7):
        b.rbox((x0, d + .02 * W, (z0 + zc) / 2), (W * .08, W * .03, zc - z0), p=4, f=.5)
        b.rbox((x0, d * .5, z0 + .01 * W), (W * .35, W * .22, .02 * W), p=_pick(mr, (2.0, 6.0)))
    else:
        for s in (-1, 1):
            b.box((x0 + s * W * .4, 0, (z0 + zc - H / 2) / 2), (.015 * W, .01 * W, zc - H / 2 - z0))
            b.box((x0 + s * W * .4, 0, z0 + .005 * W), (.03 * W, .18 * W, .01 * W))


def _tv(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    _monitor(b, mr, _U(mr, .6, 1.4))


def _computer(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W = _U(mr, .45, .65)
    _monitor(b, mr, W)
    b.rbox((0, -.3, .012), (W * .8, .15, .024), p=6)
    b.box((0, -.3, .026), (W * .74, .12, .006))
    b.sphere((W * .5, -.3, .015), (.03, .05, .018), f=.5)
    if _chance(mr, .6):  # tower beside the screen
        side = _pick(mr, (-1, 1))
        b.rbox((side * (W * .5 + .2), .05, .22), (.19, .45, .44), p=12)
        b.box((side * (W * .5 + .2), -.18, .35), (.14, .01, .05))
        b.cyl((side * (W * .5 + .2), -.175, .3), (side * (W * .5 + .2), -.19, .3), .01, f=.3)


def _laptop(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, t = _U(mr, .3, .4), _U(mr, .2, .27), _U(mr, .012, .025)
    b.rbox((0, 0, t / 2), (W, D, t), p=10)
    b.box((0, D * .12, t + .001), (W * .85, D * .42, .002))
    b.box((0, -D * .3, t + .001), (W * .3, D * .25, .002))
    ang = _U(mr, 1.6, 2.1)
    R = _rot(ax=-ang)
    hinge = np.array([0, D / 2, t])
    b.rbox(hinge + R @ (0, -D / 2, .005), (W, D, .01), p=10, rot=R)
    b.box(hinge + R @ (0, -D / 2, .0105), (W * .9, D * .85, .002), rot=R)


def _blackboard(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, H = _U(mr, 1.2, 2.4), _U(mr, .8, 1.2)
    zc = H / 2 + (_U(mr, .6, .9) if _chance(mr, .6) else 0.0)
    b.box((0, 0, zc), (W, .02, H))
    for s in (-1, 1):
        b.box((0, 0, zc + s * H / 2), (W + .06, .04, .03))
        b.box((s * W / 2, 0, zc), (.03, .04, H))
    b.box((0, -.04, zc - H / 2 - .01), (W * .8, .08, .015))
    if zc > H / 2 + .1:  # on an easel / wheeled stand
        for s in (-1, 1):
            b.cyl((s * W * .45, 0, .05), (s * W * .45, 0, zc + H / 2 - .05), .02, f=.4)
            b.box((s * W * .45, 0, .04), (.05, .6, .04))
            for e in (-1, 1):
                b.cyl((s * W * .45, e * .28, .02), (s * W * .45 + .02, e * .28, .02), .02, f=.3)
    if _chance(mr, .5):  # chalk or eraser on the tray
        b.box((W * _U(mr, -.3, .3), -.05, zc - H / 2 + .015), (.12, .05, .03))


def _door(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, H, t = _U(mr, .75, .95), _U(mr, 1.95, 2.15), _U(mr, .035, .05)
    side = _pick(mr, (-1, 1))
    b.box((0, 0, H / 2), (W, t, H))
    for s in (-1, 1):
        b.box((s * (W / 2 + .04), 0, (H + .05) / 2), (.07, t + .06, H + .05))
    b.box((0, 0, H + .045), (W + .15, t + .06, .09))
    npan = _pick(mr, (0, 2, 4, 6))
    rows = max(1, npan // 2)
    for i in range(rows):
        for s in ((-1, 1) if npan > 1 else ()):
            z = .15 + (H - .3) * (i + .5) / rows
            b.box((s * W * .22, -t / 2 - .005, z), (W * .34, .01, (H - .3) / rows * .8))
    if npan == 0 and _chance(mr, .5):
        b.box((0, -t / 2 - .003, H * .75), (W * .6, .006, H * .3))
    hx = side * (W / 2 - .07)
    if _chance(mr, .5):
        for y in (-t / 2, t / 2):
            sgn = -1 if y < 0 else 1
            b.cyl((hx, y, 1.0), (hx, y + sgn * .05, 1.0), .008, f=.3)
            b.cyl((hx, y + sgn * .05, 1.0), (hx - side * .12, y + sgn * .05, 1.0), .01, f=.3)
    else:
        for y in (-t / 2, t / 2):
            sgn = -1 if y < 0 else 1
            b.cyl((hx, y, 1.0), (hx, y + sgn * .05, 1.0), .02, .01, f=.4)
            b.sphere((hx, y + sgn * .06, 1.0), .028, f=.4)
    for z in (.2, H - .2):
        b.cyl((-side * (W / 2 + .005), -t / 2, z - .05), (-side * (W / 2 + .005), -t / 2, z + .05), .008, f=.3)


def _clock(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .1, .18)
    kind = _pick(mr, ("wall", "alarm", "mantel"))
    zc = r if kind == "wall" else r + (.04 if kind == "alarm" else .12)
    d = _U(mr, .03, .06)
    if kind == "mantel":
        poly = np.vstack([[[-r * 1.4, -zc], [r * 1.4, -zc]], _arc((0, 0, 0), r * 1.3, 0, PI, b.n(.6, 5), "xy")[:, :2]])
        b.extrude(poly, d * 2, c=(0, d, zc), axis="y")
    b.cyl((0, d / 2, zc), (0, -d / 2, zc), r, f=1.0)
    b.torus((0, -d / 2, zc), r, r * .06, axis="y", f=1.0)
    for k in range(12):
        a = TAU * k / 12
        b.box((r * .82 * math.sin(a), -d / 2 - .002, zc + r * .82 * math.cos(a)), (r * .04, .004, r * .12),
              rot=_rot(ay=a))
    hr, mn = _U(mr, 0, TAU), _U(mr, 0, TAU)
    for a, ln, w in ((hr, .5, .05), (mn, .75, .03)):
        b.box((r * ln / 2 * math.sin(a), -d / 2 - .006, zc + r * ln / 2 * math.cos(a)), (r * w, .004, r * ln),
              rot=_rot(ay=a))
    if kind == "alarm":
        for s in (-1, 1):
            b.sphere((s * r * .55, 0, zc + r * .95), (r * .35, r * .35, r * .25), rot=_rot(ay=s * .5), f=.6)
            b.cyl((s * r * .5, 0, zc - r * .8), (s * r * .7, 0, 0), r * .06, f=.4)
        b.torus((0, 0, zc + r * 1.15), r * .3, r * .04, rot=_XZ_PLANE, arc=(0, PI), f=.5)


_panel = _dispatch({"computer": _computer, "laptop": _laptop, "blackboard": _blackboard, "door": _door,
                    "clock": _clock}, _tv)


# ----------------------------------------------------------------------------
# road_vehicle: body + cabin + wheels; length along y, nose at -y
# ----------------------------------------------------------------------------


def _wheel(b: _Mesh, c: Sequence[float], r: float, w: float, f: float = .8) -> None:
    """Tyre (torus around x) with a hub disc."""
    rt = min(w / 2, r * .35)
    b.torus(c, r - rt, rt, axis="x", f=f)
    c = np.asarray(c, float)
    b.cyl(c - (w * .35, 0, 0), c + (w * .35, 0, 0), r - rt, f=f * .8)


def _body(b: _Mesh, secs: Sequence, p: float = 4.0, f: float = 1.0, x: float = 0.0, along: float = .08) -> None:
    """Loft of rounded sections (y, z_centre, half_width, half_height) along world y."""
    s = [(y, x, z, hw, hh) for y, z, hw, hh in secs]
    b.loft(s, f=f, p=p, axis="y", along=along)


def _axle_wheels(b: _Mesh, ys: Sequence[float], half_track: float, r: float, w: float, f: float = .8) -> None:
    for y in ys:
        for s in (-1, 1):
            _wheel(b, (s * half_track, y, r), r, w, f)


def _veh_car(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, 3.8, 5.0), _U(mr, 1.7, 1.95)
    kind = _pick(mr, ("sedan", "hatch", "suv", "pickup", "coupe"))
    clear = .3 if kind in ("suv", "pickup") else .2
    hb = _U(mr, .6, .72)
    zc = clear + hb / 2
    _body(b, [(-L / 2, zc - .05, W * .4, hb * .3), (-L / 2 + .25, zc, W / 2, hb / 2),
              (L / 2 - .25, zc + .03, W / 2, hb / 2), (L / 2, zc + .05, W * .43, hb * .38)], p=_U(mr, 3, 5))
    top = clear + hb
    hc = _U(mr, .48, .6) + (.12 if kind == "suv" else 0)
    yw = -L / 2 + L * _U(mr, .3, .38)
    if kind == "pickup":
        ys = [yw, yw + .5, yw + 1.2, yw + 1.35]
    elif kind == "sedan":
        ys = [yw, yw + .7, yw + 1.7, L / 2 - L * .15]
    elif kind == "coupe":
        ys = [yw, yw + .8, yw + 1.3, L / 2 - L * .08]
    else:
        ys = [yw, yw + .6, L / 2 - .35, L / 2 - .12]
    hs = [.06, hc, hc, .06 if kind in ("sedan", "coupe") else hc * .8]
    _body(b, [(y, top - .05 + h / 2, W / 2 * (.86 if h < .1 else .78), h / 2) for y, h in zip(ys, hs)],
          p=_U(mr, 3, 6), along=.05)
    if kind == "pickup":  # open bed walls
        yb0, yb1 = ys[-1] + .05, L / 2 - .05
        for s in (-1, 1):
            b.box((s * (W / 2 - .04), (yb0 + yb1) / 2, top + .15), (.06, yb1 - yb0, .3))
        b.box((0, yb1, top + .15), (W - .08, .06, .3))
    r = _U(mr, .3, .37) + (.05 if kind in ("suv", "pickup") else 0)
    ov = _U(mr, .7, .95)
    _axle_wheels(b, (-L / 2 + ov, L / 2 - ov), W / 2 - .12, r, .25)
    for s in (-1, 1):
        b.sphere((s * W * .33, -L / 2 + .06, zc + .06), (.14, .04, .06), f=.5)
        b.box((s * W * .35, L / 2 - .01, zc + .08), (.25, .04, .08))
        b.box((s * (W / 2 + .07), yw + .15, top + .08), (.12, .05, .08))
    b.box((0, -L / 2 + .02, zc - .02), (W * .35, .04, .12))
    if _chance(mr, .2):  # roof bars
        for s in (-1, 1):
            b.box((s * W * .35, (ys[1] + ys[2]) / 2, top - .05 + hc + .03), (.04, ys[2] - ys[1] + .3, .04))
    if kind == "coupe" and _chance(mr, .5):
        b.box((0, L / 2 - .12, top + .12), (W * .9, .2, .02))


def _veh_bus(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H, clear = _U(mr, 9, 12), 2.5, _U(mr, 2.9, 3.3), .35
    hood = cat == "school_bus" and _chance(mr, .7)
    y0 = -L / 2 + (1.3 if hood else 0)
    b.rbox((0, (y0 + L / 2) / 2, clear + (H - clear) / 2), (W, L / 2 - y0, H - clear), p=_U(mr, 8, 16),
           axis="y", along=.05)
    if hood:
        _body(b, [(-L / 2, clear + .5, W * .38, .35), (y0 + .05, clear + .6, W * .45, .55)], p=6)
    nwin = _I(mr, 6, 10)
    wl = (L / 2 - y0 - 2.0) / nwin
    for s in (-1, 1):
        for i in range(nwin):
            b.box((s * (W / 2 + .005), y0 + 1.2 + wl * (i + .5), H * .72), (.02, wl * .85, .85))
    b.box((0, y0 - .005, H * .7), (W * .9, .02, 1.0))
    b.box((W / 2 + .005, y0 + .7, (clear + H * .85) / 2), (.02, .9, H * .85 - clear))
    r = .5
    _axle_wheels(b, (-L / 2 + 2.2, L / 2 - 2.6), W / 2 - .2, r, .35)
    for s in (-1, 1):
        b.sphere((s * W * .35, y0 - .01, clear + .35), (.15, .04, .1), f=.5)
    if cat == "trolleybus":
        for s in (-1, 1):
            b.cyl((s * .3, 0, H), (s * .3, L / 2 + 2.5, H + 1.6), .04, f=.4)
    else:
        b.box((0, L * .1, H + .1), (W * .6, 1.2, .2))


def _veh_van(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    rv = cat == "recreational_vehicle"
    L, W, clear = (_U(mr, 7, 10) if rv else _U(mr, 5.5, 6.8)), 2.3, .35
    H = _U(mr, 2.8, 3.3)
    ycab = -L / 2 + 1.8
    _body(b, [(-L / 2, clear + .45, W * .42, .3), (-L / 2 + .3, clear + .55, W / 2, .5),
              (ycab - .6, clear + .9, W / 2, .9), (ycab, clear + 1.0, W / 2, 1.0)], p=5)
    b.rbox((0, (ycab + L / 2) / 2, clear + (H - clear) / 2), (W, L / 2 - ycab, H - clear), p=10, axis="y",
           along=.05)
    b.box((0, ycab - .75, clear + 1.45), (W * .85, .02, .6), rot=_rot(ax=-.5))
    if rv:
        b.rbox((0, ycab - .4, H - .35), (W, 1.0, .7), p=6)
        b.box((-W / 2 - .1, (ycab + L / 2) / 2, H - .3), (.2, L * .5, .1))
        b.box((W / 2 + .01, ycab + 1.5, H * .5), (.02, .7, H * .7))
        for k in range(3):
            b.box((-W / 2 - .005, ycab + 1.0 + k * L * .2, H * .6), (.02, .8, .5))
    else:  # ambulance
        b.box((0, ycab + .3, H + .08), (W * .7, .25, .16))
        for s in (-1, 1):
            b.box((s * (W / 2 + .005), (ycab + L / 2) / 2, H * .5), (.01, L / 2 - ycab - .4, .25))
        b.box((0, L / 2 + .005, H * .55), (W * .8, .02, H * .7))
    _axle_wheels(b, (-L / 2 + .9, L / 2 - 1.3), W / 2 - .15, .4, .28)


def _veh_train(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, H, clear = 3.0, _U(mr, 3.6, 4.2), .9
    kind = _pick(mr, ("loco", "fast", "steam"))
    ncar = _I(mr, 1, 2)
    Lc = _U(mr, 14, 20)
    for k in range(ncar):
        y0 = -ncar * Lc / 2 + k * (Lc + .8)
        y1 = y0 + Lc
        if k == 0 and kind == "steam":
            b.cyl((0, y0 + .3, clear + 1.3), (0, y1 - 5, clear + 1.3), 1.2, f=1.0, along=.1)
            b.box((0, y1 - 2.5, clear + 1.6), (W, 5, 3.2))
            b.cyl((0, y0 + 1.5, clear + 2.3), (0, y0 + 1.5, clear + 3.3), .35, .45, f=.5)
            b.sphere((0, y0 + 4, clear + 2.5), .5, f=.5)
            for i in range(3):
                for s in (-1, 1):
                    _wheel(b, (s * 1.2, y0 + 3 + i * 2.3, .9), .9, .2, f=.7)
            b.box((0, y0 - .1, .8), (W, .3, .6))
            continue
        if k == 0 and kind == "fast":
            _body(b, [(y0, clear + .6, W * .15, .3), (y0 + 3, clear + 1.2, W * .45, 1.1),
                      (y0 + 6, clear + H / 2 - .4, W / 2, H / 2 - .4), (y1, clear + H / 2 - .4, W / 2, H / 2 - .4)],
                  p=4, along=.1)
        else:
            b.rbox((0, (y0 + y1) / 2, clear + (H - clear) / 2), (W, Lc, H - clear), p=10, axis="y", along=.05)
            if k == 0:
                b.box((0, y0 - .01, H - .8), (W * .8, .02, .8))
        for s in (-1, 1):
            b.box((s * (W / 2 + .01), (y0 + y1) / 2, H * .68), (.02, Lc * .8, .7))
        for yb in (y0 + 2.5, y1 - 2.5):
            b.box((0, yb, .6), (W * .8, 2.6, .5))
            for dy in (-.9, .9):
                for s in (-1, 1):
                    b.cyl((s * 1.45, yb + dy, .45), (s * 1.6, yb + dy, .45), .45, f=.5)
        if kind != "steam" and k == 0:
            b.cyl((0, y1 - 4, H), (0, y1 - 5, H + 1.2), .06, f=.3)
            b.box((0, y1 - 5, H + 1.2), (1.6, .1, .06))


def _veh_truck(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, clear = _U(mr, 8, 10), 2.5, .6
    ycab = -L / 2 + 2.2
    b.rbox((0, (-L / 2 + ycab) / 2, clear + 1.35), (W, ycab + L / 2, 2.5), p=8)
    b.box((0, -L / 2 - .01, clear + 1.9), (W * .9, .02, .9))
    b.box((0, 0, clear), (W * .6, L * .95, .3))
    if cat == "garbage_truck" or (cat != "fire_truck" and _chance(mr, .5)):
        b.rbox((0, (ycab + L / 2 - 1.3) / 2 + .1, clear + 1.5), (W, L / 2 - ycab - 1.3, 2.7), p=_U(mr, 4, 10),
               axis="y")
        b.loft([(0, 0, 0, W / 2, 1.3), (1.4, 0, -.3, W / 2 * .9, .9)], p=6, axis="y", c=(0, L / 2 - 1.4, clear + 1.5))
        for s in (-1, 1):
            b.cyl((s * W / 2, L / 2 - .5, clear + 1.6), (s * W / 2, L / 2 - 1.5, clear + 3.0), .08, f=.4)
    else:  # fire engine: equipment body, ladder, light bar
        b.box((0, (ycab + L / 2) / 2, clear + 1.2), (W, L / 2 - ycab, 2.1))
        for s in (-1, 1):
            b.box((s * .5, (ycab + L / 2) / 2 + .5, clear + 2.5), (.08, L * .8, .12))
        for i in range(10):
            b.box((0, ycab + .6 + i * (L * .8) / 10, clear + 2.5), (1.0, .06, .06))
        b.box((0, -L / 2 + 1.0, clear + 2.7), (W * .7, .25, .15))
        b.cyl((.6, ycab + .8, clear + 2.3), (.6, ycab + .8, clear + 2.55), .4, f=.5)
        for k in range(3):
            b.box((W / 2 + .01, ycab + 1 + k * 1.6, clear + 1.1), (.02, 1.4, 1.6))
    _axle_wheels(b, (-L / 2 + 1.3, L / 2 - 2.3, L / 2 - 1.1), W / 2 - .25, .5, .4)


def _veh_tank(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, 6.5, 8), _U(mr, 3.3, 3.8)
    _body(b, [(-L / 2, 1.0, W * .35, .2), (-L / 2 + 1.0, 1.25, W * .38, .45), (L / 2 - .5, 1.3, W * .38, .5),
              (L / 2, 1.2, W * .35, .35)], p=6)
    k = b.n(.6, 6)
    rr = .5
    stad = np.vstack([_arc((L / 2 - rr - .2, rr + .05, 0), rr, -PI / 2, PI / 2, k, "xy")[:, :2],
                      _arc((-L / 2 + rr, rr + .25, 0), rr, PI / 2, 3 * PI / 2, k, "xy")[:, :2]])
    for s in (-1, 1):
        b.extrude(stad, .65, c=(s * (W / 2 - .32), 0, 0), axis="x")
        for i in range(6):
            y = -L / 2 + 1.0 + i * (L - 1.8) / 5
            b.cyl((s * (W / 2 + .0), y, .42), (s * (W / 2 + .03), y, .42), .33, f=.5)
    ang = _U(mr, -.6, .6) if _chance(mr, .5) else 0.0
    R = _rot(az=ang)
    tc = np.array([0, .5, 1.75])
    b.revolve([(1.2, -.3), (1.3, 0), (1.1, .35), (.7, .5)], c=tc, sx=1.0, sy=1.3, rot=R, f=1.0, cap0=True)
    L_gun = _U(mr, 3.5, 5)
    b.cyl(tc + R @ (0, -1.4, .05), tc + R @ (0, -1.4 - L_gun, .1), .12, .09, f=.5)
    b.cyl(tc + R @ (0, -1.2 - L_gun, .1), tc + R @ (0, -1.6 - L_gun, .1), .16, f=.5)
    b.cyl(tc + R @ (.5, .3, .45), tc + R @ (.5, .3, .65), .3, f=.5)
    b.cyl(tc + R @ (-.5, -.2, .6), tc + R @ (-.5, -1.0, .6), .04, f=.3)


def _veh_tractor(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    rr, rf = _U(mr, .7, .9), _U(mr, .38, .48)
    wb = _U(mr, 2.0, 2.6)
    yr, yf = wb * .35, -wb * .65
    b.rbox((0, yf + .1, rf + .45), (.85, wb * .9, .8), p=6, axis="y")
    b.box((0, yf - .55, rf + .2), (.7, .25, .4))
    b.rbox((0, yr - .1, rr + .2), (1.0, 1.0, .6), p=6)
    if _chance(mr, .6):  # closed cab
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.cyl((sx * .6, yr + sy * .55, rr + .45), (sx * .6, yr + sy * .55, rr + 1.9), .04, f=.3)
        b.rbox((0, yr, rr + 1.95), (1.35, 1.3, .1), p=8)
        b.box((0, yr - .56, rr + 1.2), (1.15, .02, 1.3))
    else:  # open seat with a roll bar
        b.rbox((0, yr + .1, rr + .65), (.5, .45, .1), p=4)
        b.rbox((0, yr + .33, rr + .9), (.5, .08, .45), p=4)
        b.sweep(_arc((0, yr + .6, rr + .5), .65, 0, PI, b.n(.5, 5)), .04, up=(0, 1, 0))
    b.torus((0, yr - .45, rr + 1.0), .2, .02, rot=_rot(ax=-.6), f=.5)
    b.cyl((.3, yf + .3, rf + .8), (.3, yf + .3, rr + 1.6), .05, f=.4)
    for s in (-1, 1):
        _wheel(b, (s * .85, yr, rr), rr, .45)
        _wheel(b, (s * .7, yf, rf), rf, .3)
        b.torus((s * .85, yr, rr), rr + .05, .03, axis="x", rot=None, arc=(0, PI), f=.6)


def _veh_harvester(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = _U(mr, 6, 8), 3.0, _U(mr, 3.3, 3.8)
    b.rbox((0, .3, 1.0 + (H - 1.0) / 2), (W, L - 1.5, H - 1.0), p=6, axis="y")
    hw = _U(mr, 5, 7)
    b.rbox((0, -L / 2 - .6, .8), (hw, 1.4, .7), p=4, axis="x")
    b.cyl((-hw / 2, -L / 2 - .9, 1.4), (hw / 2, -L / 2 - .9, 1.4), .45, f=.6)
    b.box((0, -L / 2 + .5, 1.2), (1.2, 1.6, .5), rot=_rot(ax=.3))
    b.rbox((0, -L / 2 + 1.4, H + .7), (1.6, 1.5, 1.4), p=8)
    b.box((0, -L / 2 + .64, H + .7), (1.4, .02, 1.2))
    b.rbox((0, .8, H + .4), (2.4, 2.5, .8), p=4, taper=1.1)
    side = _pick(mr, (-1, 1))
    b.cyl((side * W / 2, 1.5, H), (side * (W / 2 + 3.5), .5, H + 1.5), .18, f=.5)
    for s in (-1, 1):
        _wheel(b, (s * 1.5, -L / 2 + 1.4, .85), .85, .6)
        _wheel(b, (s * 1.3, L / 2 - 1.0, .55), .55, .4)


def _veh_forklift(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    b.rbox((0, .25, .75), (1.1, 1.8, .9), p=6)
    b.rbox((0, 1.1, .85), (1.1, .5, 1.1), p=3)
    mh = _U(mr, 2.0, 2.6)
    for s in (-1, 1):
        b.box((s * .32, -.75, mh / 2 + .1), (.1, .12, mh))
    b.box((0, -.75, mh), (.74, .1, .1))
    fz = _U(mr, .08, mh * .6)
    b.box((0, -.85, fz + .25), (.9, .06, .55))
    for s in (-1, 1):
        b.box((s * .25, -1.4, fz), (.12, 1.1, .05))
        b.box((s * .25, -.88, fz + .25), (.12, .05, .5))
    for sx in (-1, 1):
        for sy in (-.55, .9):
            b.cyl((sx * .5, sy, 1.2), (sx * .5, sy, 2.2), .035, f=.3)
    for i in range(4):
        b.box((0, -.55 + i * .48, 2.2), (1.05, .05, .05))
    b.rbox((0, .45, 1.3), (.5, .45, .1), p=4)
    b.rbox((0, .65, 1.55), (.5, .1, .45), p=4)
    b.torus((0, -.1, 1.6), .17, .02, rot=_rot(ax=-.8), f=.5)
    for s in (-1, 1):
        _wheel(b, (s * .5, -.4, .32), .32, .25)
        _wheel(b, (s * .45, .9, .25), .25, .2)


def _veh_bumper(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = _U(mr, 1.1, 1.4), _U(mr, 1.6, 2.0)
    b.loft([(.1, 0, 0, W / 2, L / 2), (.45, 0, .05, W / 2 * .95, L / 2 * .95), (.6, 0, .15, W / 2 * .8, L / 2 * .7)],
           p=2.5, along=.05)
    b.torus((0, 0, .2), W / 2 + .08, .1, Ry=L / 2 + .08, f=1.0)
    b.rbox((0, L * .15, .75), (.6, .4, .3), p=3)
    b.rbox((0, L * .3, 1.0), (.6, .12, .5), p=3)
    b.cyl((0, -L * .15, .55), (0, -L * .25, .85), .03, f=.3)
    b.torus((0, -L * .26, .88), .17, .025, rot=_rot(ax=-.6), f=.5)
    b.cyl((0, L / 2 - .1, .5), (0, L / 2 - .1, _U(mr, 2.0, 2.6)), .03, f=.3)
    b.sphere((0, -L / 2 + .1, .5), (.25, .08, .12), f=.5)


def _veh_buggy(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kart = cat == "go_kart"
    L, W = (1.8, 1.2) if kart else (3.0, 1.7)
    L, W = _jit(mr, L, .1), _jit(mr, W, .1)
    rf, rr = (.13, .14) if kart else (.33, .38)
    z0 = rf * .6 if kart else .45
    b.rbox((0, 0, z0), (W * .6, L * .9, .06 if kart else .15), p=4)
    b.rbox((0, -L / 2 + .1, z0 + .08), (W * .5, .3, .14), p=3)
    seat_y = L * .1
    b.loft([(z0, 0, seat_y, .22, .2), (z0 + .35, 0, seat_y + .15, .24, .08)], p=3)
    b.cyl((0, -L * .1, z0 + .1), (0, -L * .22, z0 + .45), .02, f=.3)
    b.torus((0, -L * .22, z0 + .45), .15, .015, rot=_rot(ax=-.9), f=.5)
    if kart:
        side = _pick(mr, (-1, 1))
        b.rbox((side * W * .22, L * .35, z0 + .15), (.25, .3, .25), p=6)
        for s in (-1, 1):
            b.rbox((s * W * .38, 0, z0 + .05), (.12, L * .45, .12), p=3)
    else:
        for y in (seat_y + .35, -L * .18):
            b.sweep(_arc((0, y, z0), W * .42, 0, PI, b.n(.6, 5), "xz"), .03, up=(0, 1, 0))
        for s in (-1, 1):
            b.cyl((s * W * .42, seat_y + .35, z0 + .05), (s * W * .3, -L * .18, z0 + W * .42), .025, f=.3)
        b.rbox((0, L * .38, z0 + .3), (.6, .5, .4), p=6)
    _axle_wheels(b, (-L / 2 + .25,), W / 2, rf, .12 if kart else .25)
    _axle_wheels(b, (L / 2 - .25,), W / 2, rr, .18 if kart else .32)


def _veh_mower(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, 1.6, 2.0), _U(mr, .8, 1.0)
    b.rbox((0, -L * .25, .55), (W * .6, L * .45, .3), p=4, taper=.9)
    b.rbox((0, L * .12, .42), (W * .8, L * .5, .12), p=6)
    b.rbox((0, L * .18, .57), (.45, .4, .08), p=3)
    b.rbox((0, L * .36, .8), (.45, .08, .4), p=3)
    b.cyl((0, -.05, .5), (0, -.15, 1.0), .025, f=.3)
    b.torus((0, -.15, 1.0), .16, .015, rot=_rot(ax=-.7), f=.5)
    b.rbox((0, 0, .18), (W * 1.25, .7, .12), p=3)
    _axle_wheels(b, (-L / 2 + .2,), W * .4, .17, .12)
    _axle_wheels(b, (L / 2 - .25,), W * .45, .27, .2)


def _veh_snowmobile(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, 2.6, 3.2), _U(mr, .9, 1.2)
    _body(b, [(-L / 2, .5, .1, .1), (-L / 2 + .6, .6, W * .4, .3), (-L * .05, .65, W * .42, .35),
              (L / 2, .55, W * .35, .2)], p=4)
    b.box((0, -L * .12, 1.05), (W * .6, .02, .35), rot=_rot(ax=-.5))
    b.rbox((0, L * .2, .9), (.45, L * .45, .15), p=3)
    b.cyl((0, -L * .05, .9), (0, -L * .02, 1.05), .03, f=.3)
    b.cyl((-W * .4, -L * .02, 1.05), (W * .4, -L * .02, 1.05), .02, f=.3)
    for s in (-1, 1):
        x = s * W * .42
        b.box((x, -L * .3, .04), (.15, L * .4, .03))
        b.box((x, -L * .52, .1), (.15, .16, .03), rot=_rot(ax=.6))
        b.cyl((x, -L * .3, .05), (x * .7, -L * .3, .45), .03, f=.3)
    rr = .22
    k = b.n(.5, 5)
    stad = np.vstack([_arc((L / 2 - rr, rr, 0), rr, -PI / 2, PI / 2, k, "xy")[:, :2],
                      _arc((-L * .05 + rr, rr + .1, 0), rr, PI / 2, 3 * PI / 2, k, "xy")[:, :2]])
    b.extrude(stad, W * .5, axis="x")


_road_vehicle = _dispatch({
    "bus": _veh_bus, "school_bus": _veh_bus, "trolleybus": _veh_bus, "ambulance": _veh_van,
    "recreational_vehicle": _veh_van, "train": _veh_train, "fire_truck": _veh_truck,
    "garbage_truck": _veh_truck, "tank": _veh_tank, "tractor": _veh_tractor, "harvester": _veh_harvester,
    "forklift": _veh_forklift, "bumper_car": _veh_bumper, "dune_buggy": _veh_buggy, "go_kart": _veh_buggy,
    "riding_mower": _veh_mower, "snowmobile": _veh_snowmobile,
}, _veh_car)


# ----------------------------------------------------------------------------
# aircraft: fuselage + wings + tail, nose at -y
# ----------------------------------------------------------------------------


def _wing(b: _Mesh, root: Sequence[float], span: float, c0: float, c1: float, sweep: float, t: float,
          side: int, dihedral: float = 0.0, vertical: bool = False) -> None:
    """Trapezoid planform (x = span, y = chord) extruded by thickness t."""
    poly = np.array([(0, -c0 / 2), (span, -c0 / 2 + sweep), (span, -c0 / 2 + sweep + c1), (0, c0 / 2)])
    if vertical:  # fin: span along +z, thickness along x
        pg = np.stack([poly[:, 1], poly[:, 0]], 1)
        b.extrude(pg, t, c=root, axis="x")
        return
    poly[:, 0] *= side
    R = _rot(ay=-side * dihedral)
    b.extrude(poly, t, c=root, rot=R)


def _air_plane(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    glider = cat == "glider"
    kind = "glider" if glider else _pick(mr, ("airliner", "airliner", "prop", "fighter"))
    rf = {"airliner": _U(mr, .045, .06), "prop": .05, "fighter": .04, "glider": .03}[kind]
    _body(b, [(-.5, -rf * .1, rf * .1, rf * .1), (-.47, 0, rf * .6, rf * .6), (-.38, 0, rf, rf), (.22, 0, rf, rf),
              (.5, rf * .55, rf * .2, rf * .25)], p=2, f=1.0, along=.1)
    if kind == "fighter":
        _wing(b, (0, .1, 0), .28, .5, .06, .38, .012, 1)
        _wing(b, (0, .1, 0), .28, .5, .06, .38, .012, -1)
        for s in (-1, 1) if _chance(mr, .5) else (0,):
            b.extrude(np.array([(.2, rf), (.48, rf), (.5, rf + .13), (.42, rf + .13)]), .008,
                      c=(s * rf * .6, 0, 0), axis="x", rot=_rot(ay=s * .3))
        b.sphere((0, -.28, rf * .8), (rf * .6, .1, rf * .5), f=.5)
        return
    span = {"airliner": _U(mr, .45, .55), "prop": _U(mr, .45, .6), "glider": _U(mr, .9, 1.2)}[kind]
    c0 = {"airliner": .2, "prop": .13, "glider": .09}[kind]
    sw = {"airliner": _U(mr, .1, .2), "prop": 0.0, "glider": .02}[kind]
    zw = -rf * .5 if (kind == "airliner" or _chance(mr, .5)) else rf * .9
    yw = _U(mr, -.08, .05)
    for s in (-1, 1):
        _wing(b, (0, yw, zw), span, c0, c0 * _U(mr, .3, .5), sw, .012, s, dihedral=.08)
    ttail = kind == "glider" or _chance(mr, .2)
    fin_h = _U(mr, .12, .18)
    _wing(b, (0, .42, rf * .6), fin_h, .14, .07, .08, .008, 1, vertical=True)
    zt = rf * .6 + fin_h if ttail else rf * .4
    for s in (-1, 1):
        _wing(b, (0, .46 + (.06 if ttail else 0), zt), .15, .09, .05, .05, .007, s)
    if kind == "airliner":
        ne = _pick(mr, (2, 2, 4))
        for k in range(ne // 2):
            for s in (-1, 1):
                x = s * span * (.35 + .3 * k)
                yc = yw - c0 / 2 + sw * (x * s) / span - .04
                b.cyl((x, yc - .06, zw - .04), (x, yc + .06, zw - .04), .025, .02, f=.5)
    elif kind == "prop":
        b.revolve([(0, -.55), (.015, -.53), (.02, -.5)], f=.4, axis="y")
        for k in range(_pick(mr, (2, 3))):
            a = TAU * k / 3 + _U(mr, 0, 1)
            b.box((math.cos(a) * .07, -.5, math.sin(a) * .07), (.14, .005, .02), rot=_rot(ay=-a))
        for s in (-1, 1):
            b.cyl((s * .08, -.25, -rf), (s * .1, -.25, -rf * 2.5), .006, f=.3)
            b.cyl((s * .1 - .01, -.25, -rf * 2.5), (s * .1 + .01, -.25, -rf * 2.5), .02, f=.4)
    else:
        b.sphere((0, -.3, rf * .7), (rf * .7, .08, rf * .6), f=.5)


def _airship(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R = _U(mr, .1, .16)  # envelope radius; length is 1
    b.revolve(_spline([(0, -.5), (R * .6, -.47), (R, -.2), (R * .95, .1), (R * .4, .42), (0, .5)], 12),
              along=.5, smooth=True, axis="y", f=1.0)
    for k in range(4):
        a = k * PI / 2 + PI / 4
        R2 = _rot(ay=a)
        b.extrude(np.array([(.25, 0), (.45, 0), (.48, .18), (.4, .18)]), .008,
                  c=R2 @ (0, 0, R * .5), rot=R2 @ _AX["x"])
    b.rbox((0, -.1, -R - .02), (R * .4, .2, .05), p=4)
    for s in (-1, 1):
        b.cyl((s * R * .5, .05, -R * .8), (s * R * .5, .12, -R * .8), .015, f=.4)


_aircraft = _dispatch({"airship": _airship}, _air_plane)


# ----------------------------------------------------------------------------
# boat: hull along y (bow at -y) + superstructure
# ----------------------------------------------------------------------------


def _hull(b: _Mesh, L: float, W: float, depth: float, sheer: float = .1, f: float = 1.0) -> None:
    """Hull: rings with a rounded V bottom and a flat deck, bow narrowing to a point."""
    k = b.n(.25 * f, 4)
    t = np.linspace(0.0, 1.0, k)
    y = -L / 2 + L * t
    hw = W / 2 * np.clip(np.sin(np.minimum(t * 3.0, 1.0) * PI / 2), .02, 1.0) * (1 - .12 * t)
    dz = depth * (.35 + .65 * np.minimum(t * 2.5, 1.0))
    deck = sheer * (1 - t) ** 2
    n = b.n(f, 6)
    u = _ring(n, 2.6)
    rings = np.empty((k, n, 3))
    rings[..., 0] = hw[:, None] * u[:, 0]
    zz = np.where(u[:, 1] < 0, -(np.abs(u[:, 1]) ** 1.3), .02 * u[:, 1])
    rings[..., 2] = deck[:, None] + dz[:, None] * zz
    rings[..., 1] = y[:, None]
    b.tube(rings)


def _boat_boat(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("motor", "sail", "row", "ship"))
    L = {"motor": 8.0, "sail": 10.0, "row": 4.0, "ship": 40.0}[kind] * _U(mr, .85, 1.15)
    W = L * {"motor": .33, "sail": .3, "row": .35, "ship": .16}[kind]
    dp = W * .4
    _hull(b, L, W, dp, sheer=W * .15)
    if kind == "motor":
        b.rbox((0, L * .05, W * .25), (W * .6, L * .35, W * .45), p=4, taper=.85)
        b.box((0, -L * .13, W * .42), (W * .55, .02, W * .3), rot=_rot(ax=-.6))
        b.box((0, L / 2 + .15, -.1), (.3, .35, .6))
        b.cyl((0, L / 2 + .2, -.4), (0, L / 2 + .2, -.9), .07, f=.4)
    elif kind == "sail":
        mh = L * _U(mr, 1.0, 1.4)
        b.cyl((0, -L * .1, 0), (0, -L * .1, mh), .08, .05, f=.4)
        b.cyl((0, -L * .1, 1.2), (0, L * .35, 1.2), .05, f=.3)
        b.extrude(np.array([(-L * .1 + .1, 1.3), (L * .33, 1.3), (-L * .1 + .1, mh * .95)]), .02, axis="x")
        b.extrude(np.array([(-L * .45, .4), (-L * .12, .6), (-L * .12, mh * .85)]), .02, axis="x")
        b.rbox((0, L * .15, W * .12), (W * .5, L * .25, W * .2), p=4)
    elif kind == "row":
        for yy in (-L * .15, L * .15):
            b.box((0, yy, -dp * .1), (W * .85, .25, .04))
        for s in (-1, 1):
            b.cyl((s * W * .45, -L * .05, .05), (s * W * 1.3, L * .1, -.2), .025, f=.3)
            b.box((s * W * 1.4, L * .12, -.25), (.12, .4, .02), rot=_rot(az=s * .6))
    else:
        b.rbox((0, L * .35, W * .5), (W * .8, L * .12, W * 1.1), p=8)
        b.box((0, L * .29, W * .8), (W * .85, .1, W * .2))
        b.cyl((0, L * .42, W * 1.0), (0, L * .42, W * 1.5), W * .1, f=.5)
        rows = _I(mr, 2, 5)
        for i in range(rows):
            for s in (-1, 0, 1):
                b.box((s * W * .28, -L * .3 + i * L * .13, W * .18), (W * .26, L * .11, W * .3))


def _boat_frigate(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, 110, 140)
    W = L * _U(mr, .11, .15)
    _hull(b, L, W, W * .5, sheer=W * .25)
    b.rbox((0, -L * .05, W * .4), (W * .75, L * .3, W * .8), p=8, taper=.9)
    b.rbox((0, -L * .08, W * 1.0), (W * .5, L * .12, W * .5), p=8)
    b.rbox((0, L * .2, W * .35), (W * .7, L * .15, W * .6), p=6)
    mast = W * _U(mr, 2.0, 2.8)
    b.cyl((0, -L * .08, W * 1.2), (0, -L * .06, mast), W * .06, W * .03, f=.4)
    b.box((0, -L * .065, mast * .83), (W * .6, W * .05, W * .05))
    b.sphere((0, -L * .065, mast + W * .1), W * .12, f=.5)
    b.rbox((0, L * .08, W * .9), (W * .3, W * .5, W * .6), p=6, taper=.8)
    b.revolve([(W * .15, 0), (W * .12, W * .12), (W * .05, W * .17)], c=(0, -L * .3, W * .22))
    b.cyl((0, -L * .3, W * .3), (0, -L * .3 - W * .8, W * .33), W * .025, f=.3)
    b.box((0, L * .4, W * .25), (W * .8, L * .15, .3))
    if _chance(mr, .5):
        b.sphere((W * .3, L * .1, W * .75), W * .1, f=.4)


def _boat_hover(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, 8, 12), _U(mr, 4, 6)
    b.torus((0, 0, .6), W / 2 - .5, .6, Ry=L / 2 - .5, p=3.0, f=1.2)
    b.rbox((0, 0, 1.0), (W - .8, L - .8, .4), p=4)
    b.rbox((0, -L * .12, 1.9), (W * .6, L * .45, 1.4), p=5, taper=.9)
    b.box((0, -L * .12 - L * .225, 2.0), (W * .5, .02, .7), rot=_rot(ax=-.5))
    nf = _pick(mr, (1, 2))
    for i in range(nf):
        x = 0 if nf == 1 else (i - .5) * W * .5
        rr = W * (.3 if nf == 1 else .2)
        b.torus((x, L / 2 - .6, 1.3 + rr), rr, .12, axis="y", f=.8)
        b.cyl((x, L / 2 - .7, 1.3 + rr), (x, L / 2 - .4, 1.3 + rr), .2, f=.4)
        for k in range(3):
            a = TAU * k / 3 + .3
            b.box((x + math.cos(a) * rr * .45, L / 2 - .55, 1.3 + rr + math.sin(a) * rr * .45), (rr * .9, .05, .15),
                  rot=_rot(ay=-a))
        b.box((x, L / 2 - .1, 1.3 + rr), (.05, .3, rr * 1.8))


_boat = _dispatch({"frigate": _boat_frigate, "hovercraft": _boat_hover}, _boat_boat)


# ----------------------------------------------------------------------------
# lathe: surfaces of revolution + handles / spouts (vessels, bottles, towers)
# ----------------------------------------------------------------------------


def _side_handle(b: _Mesh, x: float, z: float, size: float, r: float, side: int = 1) -> None:
    """C-shaped handle in the xz-plane, open toward the body."""
    c0 = -PI / 2 - .3 if side > 0 else PI / 2 - .3
    b.torus((x, 0, z), size, r, rot=_XZ_PLANE, arc=(c0, c0 + PI + .6), f=.6)


def _vessel(b: _Mesh, outer_ctrl: Sequence, t: float, c: Sequence[float] = (0, 0, 0), f: float = 1.0,
            sx: float = 1.0, sy: float = 1.0, p: float = 2.0) -> None:
    outer = _spline(outer_ctrl, b.n(.35, 4))
    b.revolve(_shell(outer, t), c=c, along=None, f=f, sx=sx, sy=sy, p=p)


def _solid(b: _Mesh, ctrl: Sequence, c: Sequence[float] = (0, 0, 0), f: float = 1.0, along: float = .4,
           sx: float = 1.0, sy: float = 1.0, **kw) -> None:
    """Closed surface of revolution through smooth control points (ends at the axis become poles)."""
    pts = np.asarray(ctrl, float)
    body = _spline(pts[1:-1], b.n(along, 4)) if len(pts) > 3 else pts[1:-1]
    prof = np.vstack([pts[:1], body, pts[-1:]])
    b.revolve(prof, c=c, along=None, f=f, sx=sx, sy=sy, **kw)


def _l_cup(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("mug", "mug", "teacup", "tumbler"))
    h, r0, r1 = _U(mr, .08, .11), _U(mr, .025, .035), _U(mr, .035, .045)
    if kind == "teacup":
        h, r1 = h * .65, r1 * 1.3
        _vessel(b, [(.03, -.012), (.06, -.008), (.075, -.004)], .003)
    mid = (r0 + r1) / 2 * (1.06 if kind == "mug" else 1.0)
    _vessel(b, [(r0, 0), (r0 * 1.03, h * .08), (mid, h * .5), (r1, h)], .004)
    if kind != "tumbler":
        hs = h * (.28 if kind == "mug" else .22)
        _side_handle(b, mid + hs * .45, h * .52, hs, .006)


def _l_kettle(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    electric = _chance(mr, .5)
    h, r = _U(mr, .16, .22), _U(mr, .07, .1)
    if electric:
        b.revolve([(r * 1.05, 0), (r * 1.05, .02)], f=1.0)
        _solid(b, [(0, .02), (r, .02), (r * .95, h * .5), (r * .8, h), (0, h)])
        _side_handle(b, r * .8 + .04, h * .5, h * .38, .012)
        b.cyl((-r * .85, 0, h * .85), (-r * 1.2, 0, h * .93), .018, .012, f=.5)
    else:
        _solid(b, [(0, 0), (r * 1.1, 0), (r * 1.15, h * .2), (r * .9, h * .7), (r * .4, h * .85), (0, h * .86)])
        b.sphere((0, 0, h * .9), .015, f=.4)
        b.torus((0, 0, h * .85), r * .75, .01, rot=_XZ_PLANE, arc=(.3, PI - .3), f=.6)
        spout = _spline([(-r * .9, 0, h * .35), (-r * 1.35, 0, h * .5), (-r * 1.6, 0, h * .75)], b.n(.4, 4))
        b.sweep(spout, np.linspace(.022, .01, len(spout)), up=(0, 1, 0))


def _l_teapot(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    h, r = _U(mr, .11, .15), _U(mr, .07, .1)
    _solid(b, [(0, 0), (r * .6, 0), (r, h * .4), (r * .8, h * .85), (r * .45, h), (0, h)])
    _solid(b, [(0, h * .98), (r * .5, h * .98), (r * .35, h * 1.08), (.008, h * 1.15), (0, h * 1.2)], along=.2)
    spout = _spline([(-r * .85, 0, h * .3), (-r * 1.25, 0, h * .45), (-r * 1.4, 0, h * .75), (-r * 1.65, 0, h * .92)],
                    b.n(.5, 5))
    b.sweep(spout, np.linspace(.02, .008, len(spout)), up=(0, 1, 0))
    _side_handle(b, r * .95 + h * .15, h * .5, h * .3, .008)


def _l_bottle(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("wine", "water", "beer", "flat", "jug"))
    H, r = _U(mr, .22, .32), _U(mr, .03, .042)
    rn = r * _U(mr, .3, .42)
    shoulder = {"wine": .62, "water": .75, "beer": .55, "flat": .7, "jug": .6}[kind]
    ctrl = [(0, 0), (r * .95, 0), (r, H * .05), (r, H * shoulder), (rn * 1.1, H * (shoulder + .15)),
            (rn, H * .92), (rn * 1.15, H * .95), (0, H * .95)]
    sy = .5 if kind == "flat" else 1.0
    _solid(b, ctrl, sy=sy, along=.6)
    b.cyl((0, 0, H * .93), (0, 0, H), rn * 1.2, f=.6)
    if kind == "water":
        for k in range(3):
            b.torus((0, 0, H * (.25 + .15 * k)), r, .002, f=.8)
        b.box((rn * 1.5, 0, H * .98), (rn, .006, .012))
    if kind == "jug":
        _side_handle(b, r * .7 + .035, H * .55, H * .2, .008)
    if kind == "wine" and _chance(mr, .5):
        b.cyl((0, 0, H * .35), (0, 0, H * .55), r * 1.01, f=1.0, cap0=False, cap1=False)


def _l_jar(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = _U(mr, .1, .2), _U(mr, .04, .07)
    _vessel(b, [(r * .9, 0), (r, H * .1), (r * _U(mr, 1.0, 1.25), H * .5), (r * .85, H * .85), (r * .8, H)], .004)
    lid = _pick(mr, ("screw", "cork", "dome"))
    if lid == "screw":
        b.cyl((0, 0, H - .01), (0, 0, H + .015), r * .85, f=1.0)
        for k in range(2):
            b.torus((0, 0, H - .02 - k * .008), r * .8, .002, f=.8)
    elif lid == "cork":
        b.cyl((0, 0, H - .02), (0, 0, H + .02), r * .78, r * .85, f=.8)
    else:
        _solid(b, [(0, H), (r * .9, H), (r * .5, H + .025), (.01, H + .035), (0, H + .045)], along=.2)
    if _chance(mr, .3):
        _side_handle(b, r * 1.1 + .02, H * .55, H * .2, .007)


def _l_bowl(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, h = _U(mr, .07, .12), _U(mr, .04, .08)
    _vessel(b, [(r * .35, 0), (r * .6, h * .15), (r * .92, h * .6), (r, h)], .004)
    b.torus((0, 0, .002), r * .33, .003, f=.8)
    if _chance(mr, .35):
        for s in (-1, 1):
            b.rbox((s * r * 1.03, 0, h * .92), (r * .2, r * .35, .006), p=2.5, f=.5)


def _l_bucket(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r0, r1 = _U(mr, .25, .35), _U(mr, .1, .13), _U(mr, .13, .17)
    _vessel(b, [(r0, 0), (r1, H)], .004, p=_pick(mr, (2.0, 2.0, 4.0)))
    b.torus((0, 0, H), r1, .006, f=1.0)
    ang = _U(mr, 0, 1.4) if _chance(mr, .5) else 0.0
    R = _rot(ax=ang)
    b.torus((0, 0, H * .95), r1 * 1.02, .004, rot=R @ _XZ_PLANE, arc=(0, PI), f=.8)
    for s in (-1, 1):
        b.sphere((s * r1, 0, H * .95), .012, f=.4)


def _l_can(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = _U(mr, .1, .16), _U(mr, .03, .042)
    _solid(b, [(0, 0), (r * .8, 0), (r, H * .08), (r, H * .9), (r * .85, H * .97), (r * .85, H), (0, H)], along=.5)
    b.torus((0, 0, H), r * .85, .0025, f=.9)
    b.rbox((r * .3, 0, H + .002), (.02, .012, .002), p=3, f=.4)


def _l_pot(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .1, .15), _U(mr, .1, .18)
    _vessel(b, [(r, 0), (r, H)], .004, f=1.1)
    for s in (-1, 1):
        b.torus((s * (r + .02), 0, H * .8), .03, .006, rot=_rot(az=PI / 2 if s > 0 else -PI / 2) @ _XZ_PLANE,
                arc=(0, PI), f=.5)
    if _chance(mr, .6):
        _solid(b, [(0, H), (r * 1.02, H), (r * .6, H + .02), (.015, H + .03), (0, H + .03)], along=.2)
        b.sphere((0, 0, H + .04), (.018, .018, .012), f=.4)


def _l_pan(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .1, .15), _U(mr, .03, .06)
    _vessel(b, [(r * .8, 0), (r, H)], .004, f=1.1)
    Lh = _U(mr, .16, .22)
    b.rbox((r + Lh / 2, 0, H * .9 + Lh * .1), (Lh, .025, .012), p=3, rot=_rot(ay=-.2), f=.5, axis="x")
    if _chance(mr, .4):
        b.torus((-r - .02, 0, H * .85), .025, .005, rot=_rot(az=-PI / 2) @ _XZ_PLANE, arc=(0, PI), f=.4)


def _l_beaker(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .03, .05), _U(mr, .08, .14)
    _vessel(b, [(r, 0), (r, H)], .0015)
    b.rbox((-r, 0, H - .002), (.012, .014, .003), p=2.5, rot=_rot(ay=.4), f=.4)
    for k in range(4):
        b.box((0, -r - .0004, H * (.25 + .15 * k)), (r * .4, .001, .0012))


def _l_flask(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .05, .07), _U(mr, .12, .17)
    rn = r * _U(mr, .25, .35)
    _vessel(b, [(r * .95, 0), (r, H * .06), (rn * 1.1, H * .7), (rn, H * .75), (rn, H)], .0015)
    b.torus((0, 0, H), rn, .002, f=.8)


def _l_funnel(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .06, .1), _U(mr, .08, .12)
    prof = [(.006, 0), (.008, H * .5), (r, H)]
    inner = [(r - .002, H), (.006, H * .5), (.004, 0)]
    b.revolve(np.array(prof + inner), along=None, cap0=False, cap1=False, f=1.0)
    b.torus((r + .012, 0, H - .005), .012, .002, rot=_XZ_PLANE, f=.4)


def _l_trash(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r0 = _U(mr, .4, .7), _U(mr, .12, .18)
    p = _pick(mr, (2.0, 2.0, 5.0))
    _vessel(b, [(r0, 0), (r0 * 1.15, H)], .004, p=p)
    lid = _pick(mr, ("flat", "dome", "none", "swing"))
    if lid == "flat":
        b.revolve([(r0 * 1.2, H), (r0 * 1.2, H + .02)], p=p)
        b.box((0, r0 * .3, H + .025), (.05, .02, .01))
    elif lid == "dome":
        _solid(b, [(0, H), (r0 * 1.2, H), (r0 * .9, H + r0 * .5), (0, H + r0 * .6)], p=p)
    elif lid == "swing":
        b.revolve([(r0 * 1.2, 0), (r0 * 1.2, .02)], c=(0, r0 * 1.1, H + r0 * .7), rot=_rot(ax=-1.2), p=p)
    if _chance(mr, .5):
        b.box((0, -r0 * 1.05, .03), (.08, .08, .02))


def _l_shaker(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = _U(mr, .07, .1), _U(mr, .018, .028)
    _solid(b, [(0, 0), (r, 0), (r * _U(mr, .8, 1.3), H * .5), (r * .8, H * .8), (0, H * .8)])
    _solid(b, [(0, H * .78), (r * .85, H * .78), (r * .75, H * .95), (0, H)], along=.2)
    for k in range(3):
        b.cyl((r * .3 * math.cos(k * 2.1), r * .3 * math.sin(k * 2.1), H * .999),
              (r * .3 * math.cos(k * 2.1), r * .3 * math.sin(k * 2.1), H * 1.005), .0015, f=.2)


def _l_ashtray(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .05, .07), _U(mr, .02, .03)
    p = _pick(mr, (2.0, 2.0, 6.0))
    _vessel(b, [(r * .8, 0), (r, H * .6), (r, H)], r * .25, p=p)
    nn = _pick(mr, (3, 4, 1))
    for k in range(nn):
        a = TAU * k / nn + .4
        b.cyl((math.cos(a) * r * .7, math.sin(a) * r * .7, H + .004), (math.cos(a) * r * 1.05, math.sin(a) * r * 1.05, H + .004),
              .005, f=.3)
    if _chance(mr, .5):
        b.cyl((0, 0, H + .004), (r * 1.4, r * .3, H + .01), .004, f=.3)


def _l_plate(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .1, .14)
    p = 2.0 if _chance(mr, .75) else 4.0
    sy = 1.0 if _chance(mr, .7) else .7
    _vessel(b, [(r * .5, 0), (r * .6, .005), (r * .85, .012), (r, .02)], .004, sy=sy, p=p, f=1.2)
    b.torus((0, 0, .002), r * .45, .003, Ry=r * .45 * sy, f=.8)
    if _chance(mr, .4):  # fork resting on the plate
        b.rbox((r * .1, 0, .012), (r * 1.4, .012, .003), p=3, rot=_rot(az=.3), f=.4)


def _l_trophy(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .25, .4)
    if _chance(mr, .5):
        b.box((0, 0, .03), (.12, .12, .06))
        b.box((0, 0, .075), (.09, .09, .03))
    else:
        _solid(b, [(0, 0), (.07, 0), (.06, .04), (.04, .06), (0, .06)], along=.2)
    _solid(b, [(0, .06), (.015, .06), (.01, H * .35), (.02, H * .45), (0, H * .46)], along=.3)
    rc = _U(mr, .05, .08)
    _vessel(b, [(.02, H * .45), (rc * .8, H * .6), (rc, H * .85), (rc * 1.1, H)], .003)
    for s in (-1, 1):
        b.torus((s * rc * 1.05, 0, H * .75), H * .12, .006, rot=_rot(az=0 if s > 0 else PI) @ _XZ_PLANE,
                arc=(-PI / 2, PI / 2), f=.5)
    if _chance(mr, .4):
        _solid(b, [(0, H), (rc * 1.15, H), (rc * .6, H + .03), (0, H + .05)], along=.2)
        b.sphere((0, 0, H + .06), .012, f=.3)


def _l_hourglass(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = _U(mr, .15, .25), _U(mr, .04, .06)
    p = _pick(mr, (2.0, 8.0))
    for z in (0.0, H - .015):
        b.revolve([(r * 1.4, z), (r * 1.4, z + .015)], p=p)
    _solid(b, [(0, .015), (r * .7, .015), (r, H * .25), (.006, H / 2), (r, H * .75), (r * .7, H - .015), (0, H - .015)],
           along=.6)
    nposts = _pick(mr, (3, 4))
    for k in range(nposts):
        a = TAU * k / nposts + PI / 4
        b.cyl((math.cos(a) * r * 1.2, math.sin(a) * r * 1.2, .015), (math.cos(a) * r * 1.2, math.sin(a) * r * 1.2, H - .015),
              .005, f=.3)


def _l_bulb(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .025, .04)
    _solid(b, [(0, 0), (.01, 0), (.013, .02), (.013, .03), (r * .5, .04), (r, .05 + r * .7), (r * .6, .05 + r * 1.7),
               (0, .05 + r * 2)], along=.6)
    for k in range(4):
        b.torus((0, 0, .006 + k * .006), .0135, .0015, f=.6)
    if _chance(mr, .3):
        b.revolve([(.005, -.01), (.005, 0)], f=.3)


def _l_cone(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .45, .75)
    base, rb, rt = H * _U(mr, .5, .65), H * _U(mr, .18, .24), H * _U(mr, .03, .07)
    b.box((0, 0, .015), (base, base, .03))
    _solid(b, [(0, .03), (rb, .03), (rt, H), (0, H)], along=.3)
    for z in (.4, .6):
        b.cyl((0, 0, H * z), (0, 0, H * (z + .1)), H * (.22 - .17 * z) * 1.01, H * (.22 - .17 * (z + .1)) * 1.01,
              cap0=False, cap1=False, f=1.0)


def _l_tower(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r0 = 1.0, _U(mr, .35, .45)
    w = _U(mr, .55, .7)
    z = np.linspace(0, H, 9)
    rr = r0 * np.sqrt(1 + ((z - H * .75) / (H * .45)) ** 2) * w
    outer = np.stack([rr, z], 1)
    b.revolve(_shell(outer, .01)[1:-1], along=.8, cap0=False, cap1=False, f=1.2)
    for k in range(8):
        a = TAU * k / 8
        b.box((math.cos(a) * rr[0], math.sin(a) * rr[0], .02), (.03, .03, .04), rot=_rot(az=a))
    if _chance(mr, .5):
        b.box((rr[0] + .15, 0, .05), (.2, .15, .1))
        b.cyl((rr[0], 0, .07), (rr[0] + .1, 0, .07), .03, f=.4)


def _l_extinguisher(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = _U(mr, .4, .6), _U(mr, .06, .09)
    _solid(b, [(0, 0), (r, 0), (r, H * .8), (r * .6, H * .88), (0, H * .9)], along=.4)
    b.cyl((0, 0, H * .88), (0, 0, H * .98), .018, f=.5)
    b.box((-.02, 0, H * .99), (.08, .025, .02), rot=_rot(ay=-.15))
    b.box((-.02, 0, H * .95), (.07, .022, .012))
    b.sphere((.02, -.02, H * .95), .012, f=.3)
    hose = _spline([(.025, 0, H * .93), (.09, 0, H * .9), (r * 1.3, 0, H * .6), (r * 1.2, 0, H * .3)], b.n(.5, 5))
    b.sweep(hose, .008, up=(0, 1, 0))
    b.cyl((r * 1.2, 0, H * .3), (r * 1.2, 0, H * .22), .01, .014, f=.4)


def _l_lipstick(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .008, .011), _U(mr, .05, .07)
    b.revolve([(r, 0), (r, H * .6)], f=.8)
    b.revolve([(r * .85, H * .6), (r * .85, H * .75)], f=.8)
    R = _rot(ay=.6)
    b.cyl((0, 0, H * .75), (0, 0, H * .88), r * .7, f=.6)
    b.box(np.array([0, 0, H * .9]), (r * 1.0, r * 1.3, r * .3), rot=R)
    if _chance(mr, .6):  # cap lying beside
        b.revolve([(r * 1.05, 0), (r * 1.05, H * .5)], c=(r * 3, 0, r * 1.05), axis="x", f=.8)


def _l_pin(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = .38
    r = _U(mr, .055, .065)
    _solid(b, [(0, 0), (r * .55, 0), (r, H * .3), (r * .75, H * .5), (r * .35, H * .65), (r * .4, H * .78),
               (r * .55, H * .9), (r * .3, H * .98), (0, H)], along=.8)
    b.torus((0, 0, H * .62), r * .38, .003, f=.8)


def _l_tub(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = _U(mr, 1.5, 1.8), _U(mr, .7, .85), _U(mr, .5, .6)
    legs = _chance(mr, .5)
    z0 = .12 if legs else 0.0
    _vessel(b, [(W / 2 * .75, z0), (W / 2 * .95, z0 + H * .5), (W / 2, z0 + H)], .03, sy=L / W, p=3.5, f=1.3)
    if legs:
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.sphere((sx * W * .3, sy * L * .35, .06), .06, f=.4)
    y = L / 2 - .1
    gn = _spline([(0, y + .08, z0 + H - .01), (0, y + .06, z0 + H + .15), (0, y - .05, z0 + H + .12)], b.n(.4, 4))
    b.sweep(gn, .015, up=(1, 0, 0))
    for s in (-1, 1):
        b.cyl((s * .1, y + .06, z0 + H), (s * .1, y + .06, z0 + H + .06), .02, f=.3)


def _l_battery(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    if _chance(mr, .25):  # 9 V block
        b.rbox((0, 0, .024), (.026, .017, .048), p=10)
        b.cyl((-.006, 0, .048), (-.006, 0, .052), .003, f=.3, p=8)
        b.cyl((.006, 0, .048), (.006, 0, .052), .003, f=.3)
        return
    r, H = _pick(mr, ((.007, .044), (.005, .045), (.0125, .05), (.017, .061)))
    b.revolve([(r * .95, 0), (r, .001), (r, H), (r * .95, H + .0005)], f=1.0)
    b.cyl((0, 0, H), (0, 0, H + .0015), r * .35, f=.5)
    b.cyl((0, 0, H * .8), (0, 0, H * .95), r * 1.003, f=1.0, cap0=False, cap1=False)


def _l_basket(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = _U(mr, .12, .2), _U(mr, .1, .2)
    p = _pick(mr, (2.0, 3.0, 5.0))
    sy = _U(mr, .65, 1.0)
    _vessel(b, [(r * .75, 0), (r, H)], .006, sy=sy, p=p)
    for k in range(3):
        b.torus((0, 0, H * (.25 + .25 * k)), r * (.8 + .2 * (.25 + .25 * k)) * 1.01, .003,
                Ry=r * (.8 + .2 * (.25 + .25 * k)) * sy * 1.01, p=p, f=1.0)
    if _chance(mr, .6):
        b.torus((0, 0, H), r * .98, .008, rot=_XZ_PLANE, arc=(0, PI), Ry=r * .8, f=.8)
    else:
        for s in (-1, 1):
            b.torus((s * r * .95, 0, H * .9), .035, .006, rot=_rot(az=PI / 2 if s > 0 else -PI / 2) @ _XZ_PLANE,
                    arc=(0, PI), f=.4)


def _l_frisbee(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .11, .14)
    h = r * .22
    prof = [(0, h), (r * .8, h * .92), (r, h * .6), (r * .98, 0), (r * .9, .003), (r * .92, h * .6),
            (r * .7, h * .8), (0, h * .82)]
    b.revolve(prof, along=None, f=1.3)


def _l_yurt(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, hw = _U(mr, 3, 4), _U(mr, 1.6, 2.0)
    b.revolve([(r, 0), (r, hw)], f=1.2, cap0=True, cap1=False, along=.1)
    rh = _U(mr, 1.2, 1.8)
    _solid(b, [(0, hw - .05), (r * 1.08, hw - .05), (r * .5, hw + rh * .6), (r * .15, hw + rh), (0, hw + rh)],
           along=.3)
    b.torus((0, 0, hw + rh), r * .15, .08, f=.6)
    b.box((0, -r - .15, .9), (1.0, .3, 1.8))
    b.box((0, -r - .45, 1.9), (1.3, .7, .08))


def _l_generic(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(cr, .15, .4)
    rs = cr.uniform(.03, .12, size=5) * _U(mr, .85, 1.15)
    ctrl = [(0, 0)] + [(rs[i], H * i / 4) for i in range(5)] + [(0, H)]
    _solid(b, ctrl, along=.6)
    if _chance(mr, .6):
        _side_handle(b, rs[2] + H * .1, H * .5, H * .2, .008)


_lathe = _dispatch({
    "cup": _l_cup, "kettle": _l_kettle, "teapot": _l_teapot, "bottle": _l_bottle, "jar": _l_jar,
    "bowl": _l_bowl, "bucket": _l_bucket, "can": _l_can, "pot": _l_pot, "pan": _l_pan, "beaker": _l_beaker,
    "erlenmeyer_flask": _l_flask, "funnel": _l_funnel, "trash_bin": _l_trash,
    "salt_or_pepper_shaker": _l_shaker, "ashtray": _l_ashtray, "plate": _l_plate, "trophy": _l_trophy,
    "hourglass": _l_hourglass, "light_bulb": _l_bulb, "cone": _l_cone, "cooling_tower": _l_tower,
    "fire_extinguisher": _l_extinguisher, "lipstick": _l_lipstick, "bowling_pin": _l_pin, "tub": _l_tub,
    "battery": _l_battery, "basket": _l_basket, "frisbee": _l_frisbee, "yurt": _l_yurt,
}, _l_generic)


# ----------------------------------------------------------------------------
# long_tool: handle along +x from the origin, working head at the far end
# ----------------------------------------------------------------------------


def _handle(b: _Mesh, length: float, r: float, p: float = 2.0, r_end: float | None = None, x0: float = 0.0,
            flat: float = 1.0) -> None:
    """Handle along x; `flat` squashes the section in y."""
    re = r if r_end is None else r_end
    b.loft([(x0, 0, 0, r * flat, r), (x0 + length, 0, 0, re * flat, re)], p=p, axis="x", f=.6, along=.1)


def _t_hammer(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .28, .38)
    kind = _pick(mr, ("claw", "ball", "sledge", "mallet"))
    _handle(b, Lh, .015, r_end=.012, flat=.7)
    if kind == "mallet":
        b.cyl((Lh, 0, -.06), (Lh, 0, .06), .035, f=.8)
        return
    b.cyl((Lh, 0, -.05), (Lh, 0, .02), .016 if kind != "sledge" else .028, f=.6, p=2 if kind != "sledge" else 8)
    b.cyl((Lh, 0, -.05), (Lh, 0, -.06), .018 if kind != "sledge" else .03, f=.6)
    if kind == "claw":
        tip = _spline([(Lh, 0, .02), (Lh + .005, 0, .05), (Lh - .015, 0, .085)], b.n(.3, 4))
        for s in (-1, 1):
            b.sweep(tip + (0, s * .006, 0), np.linspace(.008, .003, len(tip)), r2=np.linspace(.005, .002, len(tip)),
                    up=(0, 1, 0))
    elif kind == "ball":
        b.cyl((Lh, 0, .02), (Lh, 0, .04), .01, f=.5)
        b.sphere((Lh, 0, .05), .016, f=.5)
    else:
        b.cyl((Lh, 0, .02), (Lh, 0, .05), .028, f=.6, p=8)
        b.cyl((Lh, 0, .05), (Lh, 0, .06), .03, f=.6)


def _t_ax(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .5, .9)
    curve = _spline([(0, 0, 0), (Lh * .5, 0, -.015), (Lh, 0, 0)], b.n(.5, 4))
    b.sweep(curve, .016, r2=.011, up=(0, 1, 0))
    bl = _U(mr, .12, .2)
    blade = np.array([(-.03, .03), (.03, .03), (.04, -.02), (.06, -bl), (-.05, -bl), (-.03, -.02)])
    b.extrude(blade, .02, c=(Lh - .02, 0, 0), rot=_XZ_PLANE, taper=1.0)
    if _chance(mr, .3):
        b.extrude(blade * (1, -1), .02, c=(Lh - .02, 0, 0), rot=_XZ_PLANE)
    else:
        b.box((Lh - .02, 0, .045), (.05, .025, .03))


def _t_shovel(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .8, 1.1)
    b.cyl((0, 0, 0), (Lh, 0, 0), .016, f=.5)
    if _chance(mr, .5):  # D grip
        b.torus((-.06, 0, 0), .06, .012, rot=_XZ_PLANE, arc=(PI / 2 + .2, 3 * PI / 2 - .2), f=.5)
        b.cyl((-.11, 0, -.05), (-.11, 0, .05), .014, f=.4)
    else:  # T grip
        b.cyl((0, 0, -.06), (0, 0, .06), .014, f=.4)
    kind = _pick(mr, ("round", "square", "snow"))
    w = {"round": .22, "square": .22, "snow": .42}[kind]
    ln = {"round": .28, "square": .26, "snow": .35}[kind]
    if kind == "round":
        tip = _arc((ln * .6, 0, 0), ln * .4, -PI / 2, PI / 2, b.n(.5, 5), "xy", r2=w / 2)[:, :2]
        pts = np.vstack([[[0, -w / 2]], tip, [[0, w / 2]]])
    else:
        pts = np.array([[0, -w / 2], [ln, -w / 2], [ln, w / 2], [0, w / 2]])
    b.extrude(pts, .006, c=(Lh - .02, 0, -.01), rot=_rot(ay=.25) @ _XZ_PLANE)
    b.cyl((Lh - .06, 0, 0), (Lh + .02, 0, -.01), .02, .024, f=.5)


def _t_key(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .012, .018)
    if _chance(mr, .6):
        b.torus((0, 0, 0), r, r * .35, axis="y", f=.8)
    else:
        b.extrude(_ellipse(r * 1.2, r * 1.1, b.n(.8, 6), 3.0), .003, axis="y")
    ln = _U(mr, .035, .055)
    b.box((r + ln / 2, 0, 0), (ln, .002, .008))
    cuts = mr.uniform(.002, .006, size=6)
    nb = _I(mr, 3, 6)
    for i in range(nb):
        b.box((r + ln * .3 + ln * .65 * (i + .5) / nb, 0, -.004 - cuts[i] / 2), (ln * .6 / nb, .002, cuts[i]))
    if _chance(mr, .4):
        b.torus((-r * 1.8, 0, 0), r * .9, r * .12, axis="y", f=.6)


def _t_knife(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .1, .13)
    b.rbox((Lh / 2, 0, 0), (Lh, .014, .022), p=3, axis="x", f=.6)
    for x in (.3, .7):  # rivets
        b.cyl((Lh * x, -.008, 0), (Lh * x, .008, 0), .003, f=.3)
    kind = _pick(mr, ("chef", "bread", "cleaver", "paring"))
    Lb = {"chef": .2, "bread": .22, "cleaver": .18, "paring": .09}[kind] * _U(mr, .9, 1.1)
    hb = {"chef": .045, "bread": .028, "cleaver": .08, "paring": .02}[kind]
    if kind == "cleaver":
        poly = np.array([(0, .012), (Lb, .012), (Lb, -hb + .012), (0, -hb + .012)])
    else:  # straight spine, edge curving up to the tip
        t = np.linspace(0, 1, b.n(.4, 4))
        edge = np.stack([Lb * t, -hb * np.sqrt(np.clip(1 - t**2.5, 0, 1)) + .01], 1)
        poly = np.vstack([[0, .011], edge, [Lb * .75, .012]])
    b.extrude(poly, .002, c=(Lh, 0, 0), rot=_XZ_PLANE)
    b.box((Lh + .004, 0, -.005), (.008, .016, .03))


def _t_fork(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .11, .14)
    b.loft([(0, 0, 0, .005, .0015), (Lh * .8, 0, 0, .011, .0018), (Lh, 0, 0, .004, .0016)], p=3, axis="x",
           c=(0, 0, .004), along=.1)
    nt = _pick(mr, (3, 4, 4))
    w = .022
    b.rbox((Lh + .015, 0, .002), (.03, w, .003), p=3, axis="x", taper=.9, f=.5)
    for i in range(nt):
        y = -w / 2 + w * (i + .5) / nt
        b.cyl((Lh + .028, y, .002), (Lh + .07, y, .006), .0018, .0012, f=.3, p=4)


def _t_spoon(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .11, .14)
    b.loft([(0, 0, 0, .006, .0015), (Lh * .8, 0, 0, .01, .0018), (Lh, 0, 0, .004, .0016)], p=3, axis="x",
           c=(0, 0, .01), along=.1)
    rb = _U(mr, .018, .024)
    outer = _spline([(rb * .3, 0), (rb * .75, .004), (rb, .01)], b.n(.3, 3))
    b.revolve(_shell(outer, .0015), c=(Lh + rb * 1.4, 0, 0), sx=1.5, along=None)


def _t_screwdriver(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .09, .12)
    r = _U(mr, .012, .017)
    b.revolve([(r * .6, 0), (r, Lh * .15), (r, Lh * .85), (r * .7, Lh)], axis="x", f=.9, wobble=(6, .08))
    Ls = _U(mr, .08, .16)
    b.cyl((Lh, 0, 0), (Lh + Ls, 0, 0), .0035, f=.4)
    if _chance(mr, .5):
        b.loft([(0, 0, 0, .0035, .0035), (.01, 0, 0, .0035, .0008)], p=6, axis="x", c=(Lh + Ls, 0, 0))
    else:
        b.cyl((Lh + Ls, 0, 0), (Lh + Ls + .008, 0, 0), .0035, .0008, f=.4, p=6)


def _t_hacksaw(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, .3, .35)
    frame = np.array([(0, 0, 0), (0, 0, .08), (L, 0, .08), (L, 0, -.005)])
    b.sweep(_resample(frame, b.n(.5, 4), False), .006, r2=.004, up=(0, 1, 0), p=4)
    b.box((L / 2, 0, -.002), (L, .001, .012))
    grip = np.array([(-.02, .02), (.02, .02), (.0, -.09), (-.05, -.09), (-.04, -.02)])
    b.extrude(grip, .025, c=(-.005, 0, 0), rot=_XZ_PLANE)


def _t_trowel(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = _U(mr, .1, .13)
    b.revolve([(.01, 0), (.014, Lh * .5), (.011, Lh)], axis="x", f=.8)
    neck = np.array([(Lh, 0, 0), (Lh + .02, 0, 0), (Lh + .03, 0, -.03), (Lh + .05, 0, -.035)])
    b.sweep(neck, .004, up=(0, 1, 0))
    pointed = _chance(mr, .6)
    Lb, Wb = _U(mr, .14, .2), _U(mr, .07, .11)
    poly = np.array([(0, -Wb / 2), (Lb, 0), (0, Wb / 2)]) if pointed else np.array(
        [(0, -Wb / 2), (Lb, -Wb / 2), (Lb, Wb / 2), (0, Wb / 2)])
    b.extrude(poly, .002, c=(Lh + .04, 0, -.038))


def _t_paintbrush(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh, w = _U(mr, .15, .2), _U(mr, .015, .06)
    b.revolve([(.004, 0), (.008, Lh * .3), (.007, Lh * .75), (.009, Lh)], axis="x", f=.7, sx=1.0,
              sy=max(1.0, w / .02))
    b.rbox((Lh + .012, 0, 0), (.025, w, .01), p=4, axis="x", f=.6)
    b.loft([(0, 0, 0, w / 2, .005), (.05, 0, 0, w / 2 * 1.05, .0015)], p=4, axis="x", c=(Lh + .024, 0, 0), f=.7)


def _t_pen(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = _U(mr, .13, .15), _U(mr, .0045, .006)
    b.revolve([(r * .8, 0), (r, .005), (r, L * .85)], axis="x", f=.8)
    b.cyl((L * .85, 0, 0), (L, 0, 0), r, .0008, f=.6)
    if _chance(mr, .6):  # cap with clip at the back
        b.revolve([(r * 1.15, -.005), (r * 1.15, L * .35)], axis="x", f=.8)
        b.box((L * .15, 0, r * 1.5), (L * .25, .002, .0015))
    else:
        b.cyl((-.008, 0, 0), (0, 0, 0), r * .5, f=.4)
        b.box((L * .1, 0, r * 1.3), (L * .25, .002, .0015))


def _t_pencil(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = _U(mr, .12, .19), .0038
    n6 = _ring(6, 2.0, 0.0)
    rings = np.empty((2, 6, 3))
    rings[..., 1:] = r * n6
    rings[0, :, 0], rings[1, :, 0] = 0.0, L
    b.tube(rings, cap0=False, cap1=False)
    b.cyl((L, 0, 0), (L + .018, 0, 0), r * .95, .0006, f=.5)
    if _chance(mr, .7):
        b.cyl((-.008, 0, 0), (0, 0, 0), r * 1.05, f=.5)
        b.revolve([(r * .95, -.014), (r * .95, -.008)], axis="x", f=.5)
    else:
        b.cyl((0, 0, 0), (-.0001, 0, 0), r, f=.4)


def _t_toothbrush(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, .17, .19)
    b.loft([(0, 0, 0, .007, .005), (L * .4, 0, 0, .008, .006), (L * .7, 0, .002, .003, .0035),
            (L * .78, 0, .003, .006, .003), (L, 0, .003, .006, .003)], p=3, axis="x", along=.1)
    rows, cols = 3, min(8, b.n(.25, 3))
    for i in range(rows):
        for j in range(cols):
            x = L * .78 + (L * .21) * (j + .5) / cols
            y = -.0035 + .007 * (i + .5) / rows
            b.cyl((x, y, .006), (x, y, .017), .0011, f=.2, p=4)


def _t_comb(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, h = _U(mr, .13, .2), _U(mr, .015, .03)
    b.rbox((L / 2, 0, h * .8), (L, .003, h * .4), p=4, axis="x", f=.6)
    nt = min(_I(mr, 18, 35), b.n(.6, 6))
    for i in range(nt):
        b.box((L * (i + .5) / nt, 0, h * .3), (L / nt * .45, .0025, h * .6))
    if _chance(mr, .4):
        b.rbox((-.04, 0, h * .8), (.08, .003, h * .3), p=3, axis="x", taper=.6, f=.5)


def _t_crutch(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    if _chance(mr, .5):  # underarm crutch: two rails meeting at the leg
        for s in (-1, 1):
            path = _spline([(0, 0, s * .07), (.5, 0, s * .06), (.85, 0, s * .01)], b.n(.5, 4))
            b.sweep(path, .011, up=(0, 1, 0))
        b.rbox((-.02, 0, 0), (.05, .04, .18), p=3)
        b.cyl((.3, 0, -.065), (.3, 0, .065), .013, f=.4)
        end = 1.3
        b.cyl((.85, 0, 0), (end, 0, 0), .012, f=.4)
    else:  # forearm crutch with a cuff
        end = 1.1
        b.cyl((0, 0, 0), (end, 0, 0), .012, f=.4)
        b.cyl((.2, 0, 0), (.2, 0, .12), .013, f=.4)
        b.torus((-.02, 0, 0), .05, .006, axis="x", arc=(-.5, PI + .5), f=.5)
    b.cyl((end, 0, 0), (end + .05, 0, 0), .02, f=.4)  # rubber tip


def _t_hockey(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, 1.3, 1.6)
    b.rbox((L / 2, 0, 0), (L, .02, .03), p=4, axis="x", f=.6)
    field = _chance(mr, .3)
    ang = _U(mr, .6, .9)
    if field:
        hook = _arc((L + .03, 0, -.03), .05, PI / 2, -PI / 2 - 1.0, b.n(.5, 5), "xz")
        b.sweep(hook, .015, r2=.01, up=(0, 1, 0))
    else:
        Lb = _U(mr, .28, .34)
        b.rbox((L + Lb / 2 * math.cos(ang), 0, -Lb / 2 * math.sin(ang)), (Lb, .015, .07), p=3, rot=_rot(ay=ang), f=.6)


def _t_bat(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = _U(mr, .8, .9), _U(mr, .03, .035)
    _solid(b, [(0, 0), (r * .6, 0), (r * .6, .01), (r * .4, .02), (r * .42, L * .35), (r, L * .75), (r, L * .98),
               (r * .7, L), (0, L)], along=.6, axis="x")


def _t_whisk(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh, Lw, w = _U(mr, .1, .14), _U(mr, .12, .18), _U(mr, .025, .04)
    b.revolve([(.009, 0), (.011, Lh * .8), (.006, Lh)], axis="x", f=.7)
    nl = _I(mr, 4, 8)
    t = np.linspace(0, 1, b.n(.6, 6))
    for i in range(nl):
        a = PI * i / nl
        prof = w * np.sin(np.pi * t) ** .7 * (1 + .2 * t)
        loop = np.stack([Lh + Lw * np.sin(np.pi * t / 2) ** 1.2, prof * math.cos(a), prof * math.sin(a)], 1)
        loop2 = loop * (1, -1, -1)  # mirrored half closes the wire loop
        path = np.vstack([loop, loop2[::-1][1:-1]])
        b.sweep(path, .0009, closed=True, up=(0, -math.sin(a), math.cos(a)), f=.4)


def _t_magnifier(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lh, R = _U(mr, .09, .13), _U(mr, .035, .06)
    b.revolve([(.008, 0), (.011, Lh * .5), (.008, Lh)], axis="x", f=.7)
    b.torus((Lh + R, 0, 0), R, .005, axis="y", f=1.0)
    b.cyl((Lh + R, -.002, 0), (Lh + R, .002, 0), R, f=1.0)


def _t_racket(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("tennis", "tennis", "badminton", "pingpong"))
    if kind == "pingpong":
        hl, rb = _U(mr, .08, .11), _U(mr, .07, .085)
        b.rbox((hl / 2, 0, 0), (hl, .025, .03), p=3, axis="x", f=.5)
        b.extrude(_ellipse(rb, rb * _U(mr, .9, 1.0), b.n(1.0, 8)), .012, c=(hl + rb * .95, 0, 0), axis="y")
        return
    Lh = (.2 if kind == "tennis" else .22) * _U(mr, .9, 1.1)
    b.loft([(0, 0, 0, .014, .014), (Lh, 0, 0, .013, .013)], p=8, axis="x", f=.6)
    a, c = (.16, .12) if kind == "tennis" else (.12, .1)
    a, c = a * _U(mr, .9, 1.1), c * _U(mr, .9, 1.1)
    Lt = (.12 if kind == "tennis" else .2) * _U(mr, .85, 1.15)
    xc = Lh + Lt + a
    if kind == "tennis":
        for s in (-1, 1):
            b.cyl((Lh, 0, 0), (Lh + Lt + .01, 0, s * c * .6), .008, f=.4)
    else:
        b.cyl((Lh, 0, 0), (Lh + Lt, 0, 0), .004, f=.4)
    b.torus((xc, 0, 0), a, .008, Ry=c, rot=_XZ_PLANE, f=1.2)
    ns = min(8, b.n(.25, 2))
    for i in range(ns):
        v = -1 + 2 * (i + .5) / ns
        b.box((xc, 0, v * c * .9), (2 * a * math.sqrt(1 - (v * .9)**2) * .98, .001, .0015))
        b.box((xc + v * a * .9, 0, 0), (.0015, .001, 2 * c * math.sqrt(1 - (v * .9)**2) * .98))


def _t_syringe(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = _U(mr, .06, .1), _U(mr, .006, .011)
    b.revolve([(r, 0), (r, L)], axis="x", f=.8, cap0=False)
    b.rbox((0, 0, 0), (.003, r * 4.5, r * 2.4), p=3, f=.5, axis="x")
    ext = _U(mr, .01, .06)
    b.cyl((-ext, 0, 0), (L * .9, 0, 0), r * .3, f=.4, p=4)
    b.cyl((-ext - .002, 0, 0), (-ext, 0, 0), r * .9, f=.5)
    b.cyl((L, 0, 0), (L + .008, 0, 0), r * .6, r * .25, f=.5)
    b.cyl((L + .008, 0, 0), (L + .008 + _U(mr, .015, .04), 0, 0), .0004, f=.2)


def _t_flashlight(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = _U(mr, .12, .25), _U(mr, .011, .02)
    rh = r * _U(mr, 1.2, 1.8)
    b.revolve([(r * .9, 0), (r, .004), (r, L * .7), (rh, L * .9), (rh, L)], axis="x", f=.9)
    b.cyl((L, 0, 0), (L + .002, 0, 0), rh * .9, f=.8)
    b.box((L * .5, 0, r), (.012, .008, .005))
    if _chance(mr, .4):
        b.torus((-.008, 0, 0), .012, .0025, axis="y", f=.4)


def _t_rifle(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, 1.0, 1.2)
    stock = np.array([(0, -.06), (.05, -.06), (.3, -.02), (.32, .01), (.03, .04), (0, .04)])
    b.extrude(stock, .04, rot=_XZ_PLANE)
    b.rbox((.45, 0, .015), (.3, .05, .06), p=4, axis="x", f=.6)
    b.cyl((.55, 0, .02), (L, 0, .02), .011, f=.4)
    b.rbox((.75, 0, .0), (.35, .045, .035), p=3, axis="x", f=.6)
    b.torus((.38, 0, -.02), .025, .003, rot=_XZ_PLANE, arc=(PI, TAU), f=.4)
    if _chance(mr, .6):
        b.box((.45, 0, -.04), (.04, .025, .08), rot=_rot(ay=.15))
    if _chance(mr, .6):
        b.revolve([(.02, 0), (.013, .05), (.013, .22), (.022, .27)], c=(.36, 0, .07), axis="x", f=.6)
        for x in (.43, .55):
            b.box((x, 0, .05), (.015, .012, .025))
    b.cyl((.52, 0, .02), (.52, .04, .03), .003, f=.3)
    b.sphere((.52, .045, .03), .006, f=.3)


def _t_barbell(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    dumb = cat == "dumbbell"
    L = _U(mr, .3, .45) if dumb else _U(mr, 1.5, 2.2)
    b.cyl((-L / 2, 0, 0), (L / 2, 0, 0), .014, f=.5)
    kind = _pick(mr, ("round", "hex", "plates"))
    radii = np.sort(mr.uniform(.04, .08, size=4) if dumb else mr.uniform(.1, .45, size=4))[::-1]
    nplates = _I(mr, 1, 4)
    x0 = L * .12 if dumb else L * .3
    w = L * .06 if dumb else .03
    for s in (-1, 1):
        x = s * x0
        if kind == "hex" and dumb:  # one hexagonal head per side
            b.cyl((x, 0, 0), (x + s * L * .28, 0, 0), radii[0], f=.3, n=6)
            continue
        for k in range(nplates):
            b.cyl((x + s * k * w * 1.05, 0, 0), (x + s * (k * w * 1.05 + w), 0, 0), radii[k], f=1.0)
        b.cyl((x - s * .02, 0, 0), (x, 0, 0), .03, f=.4)  # collar


def _t_micrometer(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    gap = _U(mr, .025, .05)
    top = gap * .9 + .01
    b.sweep(_arc((0, 0, 0), top, PI / 2, 3 * PI / 2, b.n(.5, 5), "xz"), .008, r2=.004, up=(0, 1, 0), p=4)
    b.cyl((0, 0, top), (.012, 0, top), .004, f=.4)  # anvil
    for x0, x1, r in ((0, .02, .007), (.02, .05, .008), (.05, .08, .01), (.08, .09, .007)):
        b.cyl((x0, 0, -top), (x1, 0, -top), r, f=.5)  # spindle, sleeve, thimble, ratchet


_long_tool = _dispatch({
    "hammer": _t_hammer, "ax": _t_ax, "shovel": _t_shovel, "key": _t_key, "knife": _t_knife,
    "fork": _t_fork, "spoon": _t_spoon, "screwdriver": _t_screwdriver, "hacksaw": _t_hacksaw,
    "trowel": _t_trowel, "paintbrush": _t_paintbrush, "pen": _t_pen, "pencil": _t_pencil,
    "toothbrush": _t_toothbrush, "comb": _t_comb, "crutch": _t_crutch, "hockey_stick": _t_hockey,
    "baseball_bat": _t_bat, "whisk": _t_whisk, "magnifier": _t_magnifier, "racket": _t_racket,
    "syringe": _t_syringe, "flashlight": _t_flashlight, "rifle": _t_rifle, "barbell": _t_barbell,
    "dumbbell": _t_barbell, "micrometer": _t_micrometer,
}, _t_screwdriver)


# ----------------------------------------------------------------------------
# instrument: upright, the playing face toward -y
# ----------------------------------------------------------------------------


def _two_circle_outline(c1: float, r1: float, c2: float, r2: float, o: float, n: int) -> Arr:
    """Outline (x, z) of the union of two circles on the z axis, star-shaped about (0, o)."""
    a = TAU * np.arange(n) / n
    d = np.stack([np.sin(a), np.cos(a)], 1)
    best = np.zeros(n)
    for cz, r in ((c1, r1), (c2, r2)):
        dz = cz - o
        proj = d[:, 1] * dz
        disc = np.maximum(proj**2 - (dz * dz - r * r), 0.0)
        best = np.maximum(best, proj + np.sqrt(disc))
    return np.stack([d[:, 0] * best, o + d[:, 1] * best], 1)


def _strings(b: _Mesh, x0: float, x1: float, y: float, z0: float, z1: float, k: int, r: float = .0008) -> None:
    for i in range(k):
        x = x0 + (x1 - x0) * (i + .5) / k
        b.cyl((x, y, z0), (x, y, z1), r, f=.15, n=3)


def _i_guitar(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    violin = cat == "violin"
    if violin:
        r1, r2, gap = .1 * _U(mr, .93, 1.07), .085 * _U(mr, .9, 1.05), .2 * _U(mr, .9, 1.1)
        depth, neck = .04 * _U(mr, .85, 1.2), .25 * _U(mr, .92, 1.08)
    else:  # body proportions per style: (lower bout, upper/lower ratio, bout spacing, depth)
        style = _pick(mr, ("classical", "dreadnought", "parlor", "electric"))
        rb, ratio, spacing, dp = {"classical": (.18, .76, 1.2, .095), "dreadnought": (.2, .86, 1.0, .11),
                                  "parlor": (.15, .72, 1.3, .085), "electric": (.17, .8, .95, .045)}[style]
        r1 = rb * _U(mr, .95, 1.05)
        r2, gap, depth, neck = r1 * ratio, r1 * spacing * _U(mr, .95, 1.05), dp * _U(mr, .9, 1.1), .45
    out = _two_circle_outline(r1, r1, r1 + gap, r2, r1 + gap * .5, b.n(1.4, 10))
    b.extrude(out, depth, axis="y", f=1.4)
    top = r1 + gap + r2
    nw = .05 if not violin else .03
    b.rbox((0, -depth / 2 + .01, top + neck / 2 - .02), (nw, .02, neck), p=4, taper=1.0, f=.5)
    head = top + neck - .02
    if violin:
        b.torus((0, -.0, head + .03), .018, .008, axis="x", f=.5)
        b.box((0, 0, head), (.025, .02, .05))
        for s in (-1, 1):
            b.cyl((-.02, 0, head - .01 + s * .01), (.02, 0, head - .01 + s * .01), .003, f=.2)
            b.box((s * r1 * .45, -depth / 2 - .002, r1 + gap * .5), (.005, .002, .06), rot=_rot(ay=s * .2))
        b.box((0, -depth / 2 - .01, r1 * .9), (.05, .003, .02))
        b.rbox((0, -depth / 2 - .004, r1 * .35), (.035, .006, .09), p=3, taper=.5)
        _strings(b, -.01, .01, -depth / 2 - .012, r1 * .4, head - .03, 4)
        return
    b.rbox((0, .0, head + .09), (.08, .02, .18), p=4, rot=_rot(ax=-.2), f=.5)
    for i in range(3):
        for s in (-1, 1):
            z = head + .04 + i * .05
            b.cyl((s * .04, .005, z), (s * .065, .005, z), .005, f=.25)
    electric = depth < .06
    if electric:
        for z in (r1 * .7, r1 * 1.2):
            b.box((0, -depth / 2 - .004, z), (.08, .008, .02))
        for k in range(3):
            _knob(b, r1 * .5 + k * .02, -depth / 2, r1 * .5 - k * .03, .01, .01)
    else:
        b.torus((0, -depth / 2, r1 + gap * .55), .045, .005, axis="y", f=.6)
        if style == "dreadnought":  # pickguard beside the sound hole
            b.extrude(_ellipse(.04, .06, b.n(.5, 6)), .002, c=(.06, -depth / 2 - .001, r1 + gap * .4), axis="y")
    b.box((0, -depth / 2 - .005, r1 * .55), (.12, .01, .02))
    _strings(b, -.02, .02, -depth / 2 - .012, r1 * .55, head, 4 if _chance(mr, .2) else 6)


def _i_harp(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, W = _U(mr, 1.2, 1.8), _U(mr, .6, .9)
    b.loft([(0, 0, 0, .12, .08), (H * .9, 0, 0, .05, .04)], p=4, rot=_align((W * .7, 0, H * .85)),
           c=(W * .3, 0, .05), along=.05)
    b.cyl((-W * .35, 0, 0), (-W * .3, 0, H), .035, f=.5)
    neck = _spline([(-W * .32, 0, H), (-W * .05, 0, H * .92), (W * .35, 0, H * 1.0), (W * .95, 0, H * .9)], b.n(.8, 6))
    b.sweep(neck, .035, r2=.02, up=(0, 1, 0))
    b.rbox((0, 0, .03), (W * 1.1, .25, .06), p=4)
    ns = min(_I(mr, 20, 40), b.n(.6, 5))
    for i in range(ns):
        t = (i + .5) / ns
        x = -W * .2 + t * W * 1.05
        z0 = .05 + (x - W * .3) / (W * .7) * H * .85 * .9 + .05 if x > W * .3 else .1
        z1 = float(np.interp(x, neck[:, 0], neck[:, 2])) - .02
        if z1 > z0 + .02:
            b.cyl((x, 0, z0), (x, 0, z1), .0015, f=.15, n=3)


def _i_sax(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .6, .8)
    path = _spline([(.0, 0, H), (-.04, 0, H * .95), (-.06, 0, H * .85), (-.05, 0, H * .2), (0, 0, .04),
                    (.07, 0, .08), (.1, 0, .3)], b.n(1.0, 8))
    rr = np.linspace(.008, .035, len(path))
    b.sweep(path, rr, up=(0, 1, 0), f=1.2)
    b.revolve([(.035, 0), (.05, .06), (.075, .12)], c=(.1, 0, .3), cap0=False, cap1=False, f=1.2,
              rot=_align((.1, 0, 1)))
    b.cyl((0, 0, H), (.015, 0, H + .04), .006, .008, f=.4)
    nk = min(8, b.n(.3, 3))
    for i in range(nk):
        z = H * .25 + H * .55 * i / max(nk - 1, 1)
        b.cyl((-.05, -.025, z), (-.05, -.04, z), .008, f=.3)


def _i_horn(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R = _U(mr, .12, .16)
    turns = 2.5
    t = np.linspace(0, turns * TAU, b.n(3.0, 20))
    path = np.stack([R * np.cos(t) * (1 - .03 * t / TAU), -.015 * t / TAU, R * np.sin(t) * (1 - .03 * t / TAU) + R], 1)
    b.sweep(path, np.linspace(.006, .014, len(path)), up=(0, 1, 0), f=.8)
    end = path[-1]
    tang = path[-1] - path[-2]
    b.revolve([(.014, 0), (.03, .12), (.07, .2), (.11, .24)], c=end, rot=_align(tang), cap0=False, cap1=False, f=1.2)
    for k in range(3):
        b.cyl((-R * .3 + k * .03, -.02, R * 1.0), (-R * .3 + k * .03, .04, R * 1.0), .012, f=.4)
    b.cyl((R * .6, 0, R * 1.7), (R * 1.2, 0, R * 2.0), .004, .006, f=.3)


_instrument = _dispatch({"harp": _i_harp, "sax": _i_sax, "french_horn": _i_horn}, _i_guitar)


# ----------------------------------------------------------------------------
# soft_round: ball-ish, balloon-ish, soft goods
# ----------------------------------------------------------------------------


def _s_balloon(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R = _U(mr, 7, 9)
    H = R * _U(mr, 2.2, 2.6)
    z0 = 4.0
    ctrl = [(R * .25, z0), (R * .55, z0 + H * .2), (R, z0 + H * .55), (R * .85, z0 + H * .85), (R * .3, z0 + H),
            (0, z0 + H * 1.01)]
    prof = np.vstack([_spline(ctrl[:-1], b.n(.6, 5)), ctrl[-1:]])
    b.revolve(prof, along=None, f=1.2, cap0=False, wobble=(_pick(mr, (12, 16, 24)), .02))
    bw, bd = _U(mr, 1.2, 1.6), _U(mr, 1.0, 1.2)
    b.rbox((0, 0, .5), (bw, bd * 1.2, 1.0), p=6)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * bw / 2 * .9, sy * bd * .55, 1.0), (sx * R * .2, sy * R * .2, z0 + .1), .03, f=.2, n=3)
    b.cyl((0, 0, 1.6), (0, 0, 2.2), .25, f=.5)
    b.torus((0, 0, z0 + H * .55), R * 1.005, .06, f=1.2)


def _s_pillow(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    if _chance(mr, .25):  # bolster
        L, r = _U(mr, .4, .6), _U(mr, .08, .12)
        _solid(b, [(0, 0), (r * .6, 0), (r, .03), (r, L - .03), (r * .6, L), (0, L)], axis="x", along=.4)
        return
    W, D, t = _U(mr, .4, .7), _U(mr, .3, .5), _U(mr, .1, .18)
    p = _U(mr, 2.5, 4.5)
    secs = [(z, 0, 0, W / 2 * s, D / 2 * s) for z, s in ((-t / 2, .78), (-t / 4, .95), (0, 1.0), (t / 4, .95), (t / 2, .78))]
    b.loft(secs, p=p, f=1.3, along=.05)
    if _chance(mr, .4):
        b.cyl((0, 0, t / 2 - .01), (0, 0, t / 2 + .005), .015, f=.3)


def _s_helmet(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .11, .13)
    kind = _pick(mr, ("bike", "moto", "hard"))
    a = np.linspace(-.2 if kind != "bike" else .05, PI / 2, b.n(.4, 4))
    outer = np.stack([r * np.cos(a), r * np.sin(a) * _U(mr, .9, 1.15)], 1)
    outer[-1, 0] = 0.0
    prof = np.vstack([outer[:-1], [(0, outer[-1, 1])]])
    b.revolve(prof, sy=_U(mr, 1.1, 1.3), along=None, cap0=True, f=1.2)
    if kind == "bike":
        for k in range(3):
            b.rbox(((k - 1) * r * .35, 0, r * 1.02), (r * .12, r * 1.6, .02), p=3, f=.5)
        b.extrude(_ellipse(r * .8, r * .25, b.n(.6, 6)), .005, c=(0, -r * 1.2, r * .25), rot=_rot(ax=.3))
    elif kind == "moto":
        b.torus((0, -r * .55, -r * .1), r * .85, r * .12, Ry=r * .7, rot=_rot(ax=-1.1), arc=(-PI - .3, .3), f=.8)
        b.box((0, -r * 1.1, r * .3), (r * 1.2, .005, r * .5), rot=_rot(ax=-.2))
    else:
        b.revolve([(r * 1.25, 0), (r * 1.25, .006)], sy=1.25, f=1.0)
        b.rbox((0, 0, r * 1.03), (r * .2, r * 2.0, .02), p=3, f=.5)
        b.extrude(_ellipse(r * .7, r * .35, b.n(.6, 6)), .006, c=(0, -r * 1.25, .01), rot=_rot(ax=.1))


def _s_cap(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .09, .1)
    h = r * _U(mr, .75, 1.0)
    a = np.linspace(0, PI / 2, b.n(.4, 4))
    prof = np.vstack([np.stack([r * np.cos(a[:-1]), h * np.sin(a[:-1])], 1), [(0, h)]])
    b.revolve(np.vstack([[(0, 0)], prof]), sy=1.15, along=None, f=1.2)
    bl = r * _U(mr, .7, 1.0)
    k = b.n(.6, 6)
    brim = np.vstack([_arc((0, 0, 0), r * .95, PI, TAU, k, "xy", r2=bl + r * 1.1)[:, :2]])
    b.extrude(brim, .004, c=(0, 0, .005), rot=_rot(ax=-.12))
    b.sphere((0, 0, h), (.008, .008, .004), f=.3)
    if _chance(mr, .5):
        b.rbox((0, r * 1.1, .02), (r * .8, .005, .02), p=3, f=.4)


def _s_sombrero(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R, rc, hc = _U(mr, .3, .4), _U(mr, .09, .11), _U(mr, .15, .22)
    prof = [(0, hc), (rc * .6, hc * .97), (rc, hc * .5), (rc * 1.1, .01), (R * .8, 0), (R, .04), (R * 1.01, .05),
            (R * .79, .012), (rc * 1.05, .02), (rc * .9, hc * .5), (rc * .55, hc * .92), (0, hc * .94)]
    b.revolve(prof, along=.8, f=1.4, sy=_U(mr, 1.0, 1.1))
    b.torus((0, 0, .04), rc * 1.05, .008, f=1.0)
    if _chance(mr, .5):
        b.sweep(_spline([(-rc, 0, .03), (-rc * .6, -.02, -.1), (rc * .6, -.02, -.1), (rc, 0, .03)], b.n(.4, 4)),
                .002, up=(0, 1, 0))


def _s_punching(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = _U(mr, .8, 1.2), _U(mr, .15, .2)
    z0 = .4
    _solid(b, [(0, z0), (r * .7, z0), (r, z0 + .05), (r, z0 + H - .02), (r * .8, z0 + H), (0, z0 + H)], along=.4)
    b.cyl((0, 0, z0 + H), (0, 0, z0 + H + .03), r * .82, f=1.0)
    top = z0 + H + .45
    for k in range(3):
        a = TAU * k / 3
        b.cyl((r * .7 * math.cos(a), r * .7 * math.sin(a), z0 + H + .03), (0, 0, top), .006, f=.2, n=4)
    b.torus((0, 0, top + .03), .03, .006, axis="y", f=.4)
    b.torus((0, 0, top + .09), .03, .006, axis="x", f=.4)
    if _chance(mr, .4):
        b.torus((0, 0, z0 - .02), .03, .005, axis="y", f=.4)


def _s_backpack(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = _U(mr, .28, .35), _U(mr, .14, .2), _U(mr, .4, .5)
    b.loft([(0, 0, 0, W / 2 * .95, D / 2 * .9), (H * .15, 0, 0, W / 2, D / 2), (H * .85, 0, 0, W / 2 * .95, D / 2),
            (H, 0, 0, W / 2 * .7, D / 2 * .6)], p=3, along=.05, f=1.0)
    b.rbox((0, -D / 2 - .03, H * .3), (W * .75, .07, H * .4), p=3)
    if _chance(mr, .6):
        b.rbox((0, -D / 2 - .01, H * .7), (W * .6, .03, H * .25), p=3)
    for s in (-1, 1):
        strap = _spline([(s * W * .25, D / 2, H * .9), (s * W * .28, D / 2 + .05, H * .6), (s * W * .32, D / 2 + .02, H * .1)],
                        b.n(.4, 4))
        b.sweep(strap, .004, r2=.025, up=(0, 1, 0), p=4)
        if _chance(mr, .5):
            b.rbox((s * (W / 2 + .02), 0, H * .25), (.04, D * .7, H * .3), p=3, f=.5)
    b.torus((0, D * .2, H), .04, .006, rot=_XZ_PLANE, arc=(0, PI), f=.4)


def _s_glove(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .09, .11)
    b.cyl((0, 0, 0), (0, 0, r * 1.1), r * .6, r * .7, f=1.0)
    b.torus((0, 0, r * .6), r * .7, r * .08, f=.8)
    b.sphere((0, -r * .1, r * 1.7), (r * .9, r * .8, r * 1.0), f=1.2)
    side = _pick(mr, (-1, 1))
    b.sphere((side * r * .75, -r * .3, r * 1.4), (r * .35, r * .35, r * .55), rot=_rot(ay=side * .5), f=.6)


def _s_buoy(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R, r = _U(mr, .28, .33), _U(mr, .07, .09)
    b.torus((0, 0, 0), R, r, axis="y", f=1.4)
    for k in range(4):
        a = TAU * k / 4 + PI / 4
        b.torus((R * math.cos(a), 0, R * math.sin(a)), r * 1.03, .012, rot=_rot(ay=-a) @ _AX["x"], f=.6)
    if _chance(mr, .7):
        rope = _spline([(R + r, 0, 0), (R + r + .08, -.02, -R * .7), (0, 0, -R - r - .15), (-R - r - .08, .02, -R * .7),
                        (-R - r, 0, 0)], b.n(.8, 6))
        b.sweep(rope, .008, up=(0, 1, 0))


def _s_blob(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    rx, ry, rz = cr.uniform(.1, .3, size=3) * _U(mr, .8, 1.2)
    b.sphere((0, 0, 0), (rx, ry, rz), f=1.4)
    b.sphere((rx * .7, -ry * .3, rz * .4), (rx * .4, ry * .4, rz * .4), f=.6)


_soft_round = _dispatch({
    "hot_air_balloon": _s_balloon, "pillow": _s_pillow, "helmet": _s_helmet, "cap": _s_cap,
    "sombrero": _s_sombrero, "punching_bag": _s_punching, "backpack": _s_backpack,
    "boxing_glove": _s_glove, "life_buoy": _s_buoy,
}, _s_blob)


# ----------------------------------------------------------------------------
# pole: a vertical post / stand carrying the working part
# ----------------------------------------------------------------------------


def _p_road(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("lamp", "traffic", "bollard", "striped"))
    if kind == "bollard":
        H = _U(mr, .8, 1.2)
        b.rbox((0, 0, .02), (.3, .3, .04), p=4)
        b.cyl((0, 0, .04), (0, 0, H), .05, .04, f=.8, p=_pick(mr, (2.0, 5.0)))
        for z in (.7, .85):
            b.cyl((0, 0, H * z), (0, 0, H * z + .06), .046, f=.8, cap0=False, cap1=False)
        b.box((0, -.045, H * .6), (.05, .01, .12))
        return
    H = _U(mr, 3, 8)
    b.cyl((0, 0, 0), (0, 0, .4), .14, .11, f=.8)
    b.cyl((0, 0, .4), (0, 0, H), .09, .06, f=.8, along=.1)
    if kind == "lamp":
        arm = _spline([(0, 0, H), (0, -.4, H + .4), (0, -1.4, H + .5)], b.n(.5, 4))
        b.sweep(arm, .05, up=(1, 0, 0))
        b.rbox((0, -1.5, H + .42), (.3, .6, .15), p=3, f=.6)
    elif kind == "traffic":
        L = _U(mr, 2.5, 5)
        b.cyl((0, 0, H - .2), (L, 0, H - .2), .06, f=.5)
        for x in (L * .6, L):
            b.rbox((x, 0, H - .7), (.3, .25, .9), p=4, f=.6)
            for k in range(3):
                b.cyl((x, -.12, H - .95 + k * .27), (x, -.17, H - .95 + k * .27), .1, f=.5)
    else:
        for i in range(8):
            b.cyl((0, 0, H * (.1 + .1 * i)), (0, 0, H * (.1 + .1 * i) + H * .05), .085, f=.8, cap0=False,
                  cap1=False)
        b.extrude(np.array([(-.3, 0), (.3, 0), (.3, .4), (-.3, .4)]), .02, c=(0, -.1, H - .5), axis="y")


def _p_turbine(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = 1.0
    rb = _U(mr, .5, .7)
    b.cyl((0, 0, 0), (0, 0, H), .035, .018, f=.8, along=.1)
    b.rbox((0, .03, H + .02), (.05, .16, .05), p=4, axis="y")
    b.revolve([(0, 0), (.03, .03), (.03, .05)], c=(0, -.05, H + .02), rot=_FACE_FRONT, along=None, f=.6)
    ph = _U(mr, 0, TAU)
    k = b.n(.6, 4)
    t = np.linspace(0, 1, k)
    blade = np.vstack([np.stack([.02 + rb * t, .035 * (1 - t) + .006], 1), np.stack([.02 + rb * t[::-1], -.02 * (1 - t[::-1]) - .004], 1)])
    for i in range(3):
        a = ph + TAU * i / 3
        b.extrude(blade, .006, c=(0, -.06, H + .02), rot=_rot(ay=a) @ _rot(ax=PI / 2 + .15))


def _p_desk_lamp(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("arm", "arm", "stem"))
    b.cyl((0, 0, 0), (0, 0, .025), _U(mr, .08, .11), f=1.0)
    if kind == "stem":
        H = _U(mr, .35, .5)
        b.cyl((0, 0, .025), (0, 0, H), .01, f=.5)
        _vessel(b, [(.04, 0), (.1, -.12)][::-1], .003, c=(0, 0, H + .13))
        return
    a1, a2 = _U(mr, .2, .6), _U(mr, .8, 1.4)
    L1, L2 = _U(mr, .3, .4), _U(mr, .3, .4)
    j1 = np.array([0, 0, .05])
    j2 = j1 + L1 * np.array([0, math.sin(a1), math.cos(a1)])
    j3 = j2 + L2 * np.array([0, -math.sin(a2), math.cos(a2)])
    for p0, p1 in ((j1, j2), (j2, j3)):
        for s in (-1, 1):
            b.cyl(p0 + (s * .012, 0, 0), p1 + (s * .012, 0, 0), .006, f=.3)
    for j in (j1, j2):
        b.cyl(j - (.025, 0, 0), j + (.025, 0, 0), .014, f=.4)
    d = np.array([0, -.6, -.8])
    b.revolve([(.015, 0), (.03, .04), (.08, .13)], c=j3, rot=_align(d), cap0=True, cap1=False, f=1.0)
    b.cyl(j2 + (0, .02, -.05), j1 + (0, .05, .08), .003, f=.2)


def _p_fan(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("pedestal", "desk", "ceiling"))
    R = _U(mr, .15, .22)
    if kind == "ceiling":
        rod, bl = _U(mr, .05, .45), _U(mr, .4, .6)
        b.cyl((0, 0, .32 + rod), (0, 0, .3), .012, f=.4)
        b.cyl((0, 0, .32 + rod), (0, 0, .3 + rod), .06, f=.5)
        b.revolve([(.08, .22), (.09, .28), (.05, .32)], f=.8)
        if _chance(mr, .5):  # light kit
            b.sphere((0, 0, .18), (.07, .07, .06), f=.6)
        nb = _pick(mr, (3, 4, 5))
        for i in range(nb):
            a = TAU * i / nb + .2
            b.rbox((math.cos(a) * (bl / 2 + .1), math.sin(a) * (bl / 2 + .1), .25), (bl, bl * .22, .01), p=3,
                   rot=_rot(ax=.15, az=a), f=.5)
        return
    H = _U(mr, .9, 1.3) if kind == "pedestal" else _U(mr, .2, .3)
    b.cyl((0, 0, 0), (0, 0, .03), R * 1.2, f=.8)
    b.cyl((0, 0, .03), (0, 0, H), .015, f=.4)
    c = np.array([0, 0, H + R * .3])
    b.revolve([(0, 0), (.06, .02), (.07, .09), (.04, .14)], c=c + (0, .16, 0), rot=_FACE_FRONT, along=None, f=.7)
    nb = _pick(mr, (3, 4, 5))
    for i in range(nb):
        a = TAU * i / nb + _U(mr, 0, 1)
        b.extrude(_ellipse(R * .42, R * .2, b.n(.5, 6)), .004, c=c + (math.cos(a) * R * .5, 0, math.sin(a) * R * .5),
                  rot=_rot(ay=-a) @ _rot(ax=PI / 2 + .3))
    for y in (-.04, .04):
        b.torus(c + (0, y, 0), R, .004, axis="y", f=.8)
    for i in range(min(8, b.n(.2, 3))):
        a = TAU * i / min(8, b.n(.2, 3))
        b.cyl(c + (R * math.cos(a), -.04, R * math.sin(a)), c + (R * math.cos(a), .04, R * math.sin(a)), .003, f=.15, n=3)
    b.sphere(c - (0, .045, 0), (.025, .01, .025), f=.4)


def _p_mic(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .9, 1.5)
    if _chance(mr, .5):
        for k in range(3):
            a = TAU * k / 3 + PI / 2
            b.cyl((0, 0, .2), (.25 * math.cos(a), .25 * math.sin(a), 0), .008, f=.3)
    else:
        b.cyl((0, 0, 0), (0, 0, .02), .14, f=.8)
    b.cyl((0, 0, 0), (0, 0, H), .01, f=.4)
    tip = np.array([0, -_U(mr, .25, .45), H + _U(mr, .05, .25)])
    b.cyl((0, .1, H - .03), tip, .007, f=.3)
    d = np.array([0, -1.0, .6])
    b.cyl(tip, tip + d * .1, .013, .016, f=.5)
    b.sphere(tip + d * .1 + d / np.linalg.norm(d) * .025, .028, f=.7)


def _p_dish(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R = _U(mr, .3, .5)
    f_len = R * _U(mr, .5, .8)
    rr = np.linspace(.01, R, b.n(.35, 4))
    outer = np.stack([rr, rr**2 / (4 * f_len)], 1)
    prof = _shell(outer, .01)
    tilt = _U(mr, .3, .7)
    d = np.array([0, -math.cos(tilt), math.sin(tilt)])
    R0 = _align(d)
    c = np.array([0, 0, R * 1.3])
    b.revolve(prof, c=c, rot=R0, along=None, f=1.2, sx=1.0, sy=_U(mr, .85, 1.0))
    focus = c + d * f_len
    rim = c + R0 @ np.array([0, -R, R**2 / (4 * f_len)])
    b.cyl(rim, focus, .008, f=.3)
    b.cyl(focus - d * .04, focus + d * .02, .025, f=.5)
    b.cyl(c - d * .05, c - d * .15, .04, f=.5)
    b.cyl((0, .1, 0), c - d * .15, .035, f=.5)
    b.rbox((0, .1, .02), (.3, .3, .04), p=4)


def _p_mailbox(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    kind = _pick(mr, ("us", "us", "pillar"))
    if kind == "pillar":
        r, H = _U(mr, .22, .28), _U(mr, 1.3, 1.6)
        b.revolve([(r * 1.1, 0), (r * 1.1, .08), (r, .1), (r, H)], f=1.2)
        _solid(b, [(0, H), (r * 1.12, H), (r * 1.1, H + .05), (r * .6, H + r * .6), (0, H + r * .7)], along=.3)
        b.box((0, -r - .005, H * .8), (r * .7, .02, .04))
        b.box((0, -r - .005, H * .6), (r * .5, .012, .15))
        return
    H = _U(mr, 1.0, 1.2)
    b.box((0, .05, H / 2), (.1, .1, H))
    w, L = _U(mr, .18, .24), _U(mr, .45, .55)
    k = b.n(.5, 4)
    prof = np.vstack([[(-w / 2, 0), (w / 2, 0)], _arc((0, w * .6, 0), w / 2, 0, PI, k, "xy")[:, :2]])
    b.extrude(prof, L, c=(0, -L * .15, H), axis="y", f=1.0)
    b.extrude(prof * 1.04, .01, c=(0, -L * .65 - .005, H - .004), axis="y", f=1.0)
    b.cyl((0, -L * .65 - .01, H + w * .5), (0, -L * .65 - .03, H + w * .5), .01, f=.3)
    up = _chance(mr, .5)
    fx = w / 2 + .01
    b.box((fx, -L * .2, H + w * .4), (.008, .03, .18) if up else (.008, .18, .03))
    b.box((fx, -L * .2 + (0 if up else -.09), H + w * .4 + (.09 if up else 0)), (.008, .08, .05))


def _p_sign(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, 2.0, 2.8)
    shape = _pick(mr, ("octagon", "triangle", "circle", "rect", "diamond", "street"))
    s = _U(mr, .6, .9)
    twin = shape == "rect" and _chance(mr, .4)
    posts = (-s * .6, s * .6) if twin else (0.0,)
    for x in posts:
        b.cyl((x, .03, 0), (x, .03, H), .03, f=.4, p=_pick(mr, (2.0, 8.0)))
    k = b.n(.8, 8)
    if shape == "octagon":
        poly = _ellipse(s / 2, s / 2, 8, 2.0) @ _rot(az=PI / 8)[:2, :2].T
    elif shape == "triangle":
        poly = np.array([(-s / 2, s * .43), (s / 2, s * .43), (0, -s * .43)])
    elif shape == "circle":
        poly = _ellipse(s / 2, s / 2, k)
    elif shape == "diamond":
        poly = np.array([(0, -s / 2), (s / 2, 0), (0, s / 2), (-s / 2, 0)])
    else:
        poly = np.array([(-s * (1.0 if twin else .7), -s * .25), (s * (1.0 if twin else .7), -s * .25),
                         (s * (1.0 if twin else .7), s * .25), (-s * (1.0 if twin else .7), s * .25)])
    if shape == "street":
        for z, rot in ((H - .1, None), (H - .3, _rot(az=PI / 2))):
            b.box((0, 0, z), (s * 1.4, .01, .18), rot=rot)
        return
    b.extrude(poly, .01, c=(0, 0, H - s * .45), axis="y")
    b.extrude(poly * .85, .004, c=(0, -.006, H - s * .45), axis="y")


def _p_sundial(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .6, 1.0)
    _solid(b, [(0, 0), (.2, 0), (.2, .08), (.12, .12), (.09, H * .5), (.12, H - .06), (.2, H - .04), (0, H - .04)], along=.5,
           p=_pick(mr, (2.0, 6.0)))
    R = _U(mr, .2, .28)
    b.cyl((0, 0, H - .04), (0, 0, H), R, f=1.2)
    b.extrude(np.array([(-R * .8, 0), (R * .6, 0), (-R * .8, R * .7)]), .008, c=(0, 0, H), axis="x", rot=_rot(az=PI / 2))
    for k in range(12):
        a = PI * k / 11
        b.box((R * .85 * math.cos(a), R * .85 * math.sin(a) * -1, H + .002), (.01, .03, .004), rot=_rot(az=a + PI / 2))


def _p_faucet(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .15, .3)
    b.revolve([(.03, 0), (.03, .01)], sx=1.3)
    b.cyl((0, 0, .01), (0, 0, H), .018, f=.6)
    reach = _U(mr, .12, .2)
    spout = _spline([(0, 0, H - .01), (0, 0, H + .05), (0, -reach * .6, H + .08), (0, -reach, H - .02),
                     (0, -reach, H - .05)], b.n(.6, 5))
    b.sweep(spout, .011, up=(1, 0, 0))
    if _chance(mr, .5):
        b.box((0, .02, H + .03), (.015, .09, .01), rot=_rot(ax=-.4))
    else:
        for s in (-1, 1):
            b.cyl((s * .09, 0, 0), (s * .09, 0, .04), .018, f=.5)
            b.box((s * .09, 0, .05), (.05, .012, .01))
            b.box((s * .09, 0, .05), (.012, .05, .01))


def _p_pump(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H = _U(mr, .55, .7)
    b.rbox((0, 0, .015), (.22, .08, .03), p=4)
    b.cyl((0, 0, .03), (0, 0, H), .022, f=.6)
    ext = _U(mr, .02, .2)
    b.cyl((0, 0, H), (0, 0, H + ext), .005, f=.3)
    b.cyl((-.09, 0, H + ext), (.09, 0, H + ext), .014, f=.4)
    b.cyl((0, -.02, .15), (0, -.04, .15), .035, f=.6)
    hose = _spline([(.02, 0, .07), (.12, 0, .1), (.15, -.05, .4), (.1, -.08, .6)], b.n(.5, 5))
    b.sweep(hose, .006, up=(0, 1, 0))


_pole = _dispatch({
    "wind_turbine": _p_turbine, "desk_lamp": _p_desk_lamp, "fan": _p_fan, "microphone": _p_mic,
    "satellite_dish": _p_dish, "mailbox": _p_mailbox, "sign": _p_sign, "sundial": _p_sundial,
    "faucet": _p_faucet, "bicycle_pump": _p_pump,
}, _p_road)


# ----------------------------------------------------------------------------
# wheeled: bikes, carts and other things built around exposed wheels
# ----------------------------------------------------------------------------


def _spoked(b: _Mesh, c: Sequence[float], r: float, tyre: float = .018, axis: str = "x", spokes: int = 16,
            hub: float = .02) -> None:
    """Bicycle-style wheel: tyre torus, rim, hub and thin spokes (count drops at low res)."""
    c = np.asarray(c, float)
    b.torus(c, r, tyre, axis=axis, f=1.0)
    b.torus(c, r - tyre * 1.2, tyre * .4, axis=axis, f=.8)
    e = {"x": np.array([1.0, 0, 0]), "y": np.array([0, 1.0, 0])}[axis]
    b.cyl(c - e * hub * 2, c + e * hub * 2, hub, f=.4)
    u = np.array([0, 1.0, 0]) if axis == "x" else np.array([1.0, 0, 0])
    v = np.cross(e, u)
    k = min(spokes, b.n(.3, 0))
    for i in range(k):
        a = TAU * i / k
        d = u * math.cos(a) + v * math.sin(a)
        side = e * hub * (1.5 if i % 2 else -1.5)
        b.cyl(c + side + d * hub, c + d * (r - tyre * 1.3), .0025 * r / .34, f=.15, n=3)


def _w_bicycle(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    tandem = cat == "bicycle_built_for_two"
    style = _pick(mr, ("road", "city", "mtb"))
    r = {"road": .34, "city": .33, "mtb": .3}[style] * _U(mr, .95, 1.05)
    tyre = {"road": .014, "city": .02, "mtb": .03}[style]
    wb = _U(mr, .95, 1.1) + (.7 if tandem else 0)
    yf, yr = -wb / 2, wb / 2
    for y in (yf, yr):
        _spoked(b, (0, y, r), r, tyre=tyre)
    if style == "city":  # mudguards
        for y in (yf, yr):
            b.torus((0, y, r), r + tyre * 2, .004, r2=tyre * 1.6, axis="x", arc=(.3 if y < 0 else .9, 2.2 if y < 0 else 2.9),
                    f=.6)
    bb = np.array([0, yr - .42, .28])
    head_t = np.array([0, yf + .22, r + .42])
    head_b = np.array([0, yf + .18, r + .28])
    seats = [np.array([0, bb[1] + .12, r + .5])]
    if tandem:
        bb2 = np.array([0, bb[1] - .7, .28])
        seats.append(np.array([0, bb2[1] + .12, r + .5]))
        b.cyl(bb, bb2, .017, f=.3)
        b.cyl(seats[0], seats[1] + (0, 0, -.05), .015, f=.3)
        b.cyl(bb2, seats[1], .017, f=.3)
        b.cyl(seats[1] + (0, 0, -.05), head_t, .016, f=.3)
        b.cyl(bb2, head_b, .019, f=.3)
        b.cyl(bb2 - (.07, 0, 0), bb2 + (.07, 0, 0), .012, f=.3)
    elif style == "city" and not tandem:  # step-through frame: low curved tube instead of a top tube
        low = _spline([head_t - (0, 0, .04), head_b + (0, .12, -.12), bb + (0, -.12, .1), bb + (0, 0, .02)], b.n(.5, 5))
        b.sweep(low, .017, up=(1, 0, 0))
        b.cyl(bb, head_b, .019, f=.3)
    else:
        drop_tt = .1 if style == "mtb" else .0  # sloping top tube
        b.cyl(seats[0] - (0, 0, .04 + drop_tt), head_t, .016, f=.3)
        b.cyl(bb, head_b, .019, f=.3)
    axle_r = np.array([0, yr, r])
    b.cyl(bb, seats[0], .017, f=.3)
    for s in (-1, 1):
        b.cyl(bb + (s * .02, 0, 0), axle_r + (s * .05, 0, 0), .009, f=.25)
        b.cyl(seats[0] + (s * .01, 0, -.05), axle_r + (s * .05, 0, 0), .008, f=.25)
        b.cyl(head_b + (s * .02, 0, 0), np.array([s * .05, yf, r]), .01, f=.25)
    b.cyl(head_b, head_t + (0, .02, .12), .017, f=.3)
    bars = [head_t + (0, .02, .12)]
    if tandem:
        bars.append(seats[0] + (0, -.12, .08))
        b.cyl(seats[0] + (0, 0, .02), bars[1], .01, f=.25)
    drop = style == "road"
    for hb in bars:
        if drop:
            for s in (-1, 1):
                b.sweep(_spline([hb + (s * .2, 0, 0), hb + (s * .2, -.08, -.02), hb + (s * .2, -.02, -.12)], b.n(.3, 4)),
                        .011, up=(1, 0, 0))
            b.cyl(hb - (.2, 0, 0), hb + (.2, 0, 0), .012, f=.3)
        else:
            b.cyl(hb - (.28, -.04, 0), hb + (.28, .04, 0), .011, f=.3)
    for sp in seats:
        b.loft([(0, 0, 0, .08, .03), (.25, 0, 0, .03, .02)], p=2.5, axis="y", c=sp + (0, -.16, .03), f=.5)
    for bbp in ([bb, bb2] if tandem else [bb]):
        b.torus(bbp + (.06, 0, 0), .09, .005, axis="x", f=.6)
        for s in (-1, 1):
            crank = bbp + (s * .08, s * .12, -s * .08)
            b.cyl(bbp + (s * .07, 0, 0), crank, .008, f=.2)
            b.box(crank + (s * .04, 0, 0), (.09, .06, .015))
    if style == "city" and _chance(mr, .6):  # rear rack or front basket
        if _chance(mr, .5):
            b.box((0, yr + .05, r + .42), (.14, .35, .01))
        else:
            b.rbox(bars[0] + (0, -.15, -.12), (.3, .22, .2), p=4, f=.6)


def _w_tricycle(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    rf, rr = _U(mr, .2, .3), _U(mr, .12, .18)
    L = _U(mr, .6, .8)
    _spoked(b, (0, -L / 2, rf), rf, tyre=.02, spokes=10)
    for s in (-1, 1):
        _spoked(b, (s * .25, L / 2, rr), rr, tyre=.016, spokes=8)
    b.cyl((-.27, L / 2, rr), (.27, L / 2, rr), .012, f=.3)
    b.cyl((0, -L / 2 + .08, rf + .3), (0, L / 2, rr + .02), .022, f=.4)
    b.cyl((0, -L / 2 + .08, rf + .3), (0, -L / 2, rf), .018, f=.3)
    b.cyl((0, -L / 2 + .08, rf + .3), (0, -L / 2 + .06, rf + .45), .016, f=.3)
    b.cyl((-.2, -L / 2 + .06, rf + .45), (.2, -L / 2 + .06, rf + .45), .012, f=.3)
    b.rbox((0, L * .1, rf + .2), (.2, .2, .03), p=3)
    b.rbox((0, L * .2, rf + .32), (.2, .03, .2), p=3)
    for s in (-1, 1):
        b.cyl((0, -L / 2, rf), (s * .08, -L / 2, rf), .008, f=.2)
        b.box((s * .1, -L / 2, rf), (.06, .04, .012))


def _w_unicycle(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .25, .33)
    _spoked(b, (0, 0, r), r, tyre=.025)
    H = r + _U(mr, .35, .5)
    for s in (-1, 1):
        b.cyl((s * .05, 0, r), (s * .04, 0, r + .25), .012, f=.3)
        crank = np.array([s * .08, s * .1, r - s * .05])
        b.cyl((s * .06, 0, r), crank, .008, f=.2)
        b.box(crank + (s * .04, 0, 0), (.08, .05, .015))
    b.box((0, 0, r + .26), (.1, .03, .03))
    b.cyl((0, 0, r + .26), (0, 0, H), .014, f=.3)
    b.loft([(0, 0, 0, .08, .04), (.26, 0, 0, .06, .03)], p=2.5, axis="y", c=(0, -.13, H + .02), f=.5)


def _w_motorbike(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .28, .34)
    wb = _U(mr, 1.3, 1.5)
    for y in (-wb / 2, wb / 2):
        _wheel(b, (0, y, r), r, .16, f=.9)
    fork_top = np.array([0, -wb / 2 + .25, r + .55])
    for s in (-1, 1):
        b.cyl((s * .08, -wb / 2, r), fork_top + (s * .08, 0, 0), .02, f=.3)
        b.cyl((s * .06, wb / 2, r), (s * .06, wb * .1, r + .1), .02, f=.3)
    b.rbox((0, -wb * .05, r + .1), (.3, .45, .35), p=4)
    b.sphere((0, -wb * .12, r + .45), (.15, .28, .13), f=.7)
    b.loft([(0, 0, 0, .14, .05), (.55, 0, .03, .12, .05)], p=3, axis="y", c=(0, wb * .05, r + .45), f=.6)
    b.cyl(fork_top + (-.35, .05, .08), fork_top + (.35, .05, .08), .012, f=.3)
    b.sphere(fork_top + (0, -.12, -.05), (.09, .06, .09), f=.5)
    side = _pick(mr, (-1, 1))
    b.cyl((side * .18, -wb * .05, r - .05), (side * .2, wb / 2 + .15, r + .1), .04, f=.5)
    for y in (-wb / 2, wb / 2):
        b.torus((0, y, r), r + .05, .02, r2=.08, axis="x", arc=(.2 if y < 0 else .6, 1.6 if y < 0 else 2.4), f=.6)
    if _chance(mr, .5):
        b.box((0, -wb / 2 + .1, r + .8), (.35, .02, .25), rot=_rot(ax=-.5))


def _w_segway(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .2, .25)
    for s in (-1, 1):
        _wheel(b, (s * .3, 0, r), r, .1, f=.9)
        b.torus((s * .3, 0, r), r + .03, .015, r2=.05, axis="x", arc=(.3, PI - .3), f=.5)
    b.rbox((0, 0, r), (.48, .3, .1), p=4)
    H = _U(mr, 1.0, 1.2)
    b.cyl((0, .05, r), (0, -.1, H), .025, f=.4)
    b.cyl((-.28, -.1, H), (.28, -.1, H), .018, f=.3)
    b.rbox((0, -.09, H - .1), (.12, .06, .15), p=4, f=.5)


def _w_wheelchair(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, r = _U(mr, .45, .55), _U(mr, .28, .33)
    H = .5
    b.box((0, 0, H), (W, .45, .03))
    R = _rot(ax=-.15)
    b.box(np.array([0, .24, H]) + R @ (0, 0, .22), (W, .02, .4), rot=R)
    for s in (-1, 1):
        x = s * (W / 2 + .05)
        _spoked(b, (x, .1, r), r, tyre=.014, spokes=12)
        b.torus((x + s * .03, .1, r), r - .03, .006, axis="x", f=.7)
        b.cyl((s * W / 2, .24, H), (s * W / 2, .3, H + .5), .012, f=.3)
        b.cyl((s * W / 2, .3, H + .5), (s * W / 2, .42, H + .5), .015, f=.3)
        b.cyl((s * W / 2, -.2, H), (s * W / 2, -.22, .08), .012, f=.3)
        _wheel(b, (s * W / 2, -.25, .065), .065, .03, f=.5)
        b.cyl((s * W / 2, -.2, H - .05), (s * W * .3, -.38, .12), .012, f=.3)
        b.box((s * W * .25, -.42, .11), (.12, .1, .015))
        b.box((s * W / 2, 0, H + .2), (.04, .32, .03))
        b.cyl((s * W / 2, -.12, H), (s * W / 2, -.12, H + .2), .01, f=.3)
    b.cyl((-W / 2 - .05, .1, r), (W / 2 + .05, .1, r), .012, f=.3)


def _w_ferris(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R = _U(mr, 10, 14)
    c = np.array([0, 0, R + 2.0])
    for y in (-.8, .8):
        b.torus(c + (0, y, 0), R, .12, axis="y", f=1.4)
        b.torus(c + (0, y, 0), R * .6, .08, axis="y", f=1.0)
    b.cyl(c - (0, 1.5, 0), c + (0, 1.5, 0), .4, f=.6)
    ng = _I(mr, 12, 20)
    k = min(ng, b.n(.5, 6))
    for i in range(k):
        a = TAU * i / k
        d = np.array([math.cos(a), 0, math.sin(a)])
        for y in (-.8, .8):
            b.cyl(c + (0, y, 0), c + d * R + (0, y, 0), .06, f=.2, n=3)
        g = c + d * R - (0, 0, 1.1)
        b.rbox(g, (1.2, 1.2, 1.3), p=3, f=.4)
        b.cyl(g + (0, 0, .65), c + d * R, .05, f=.2, n=3)
    for s in (-1, 1):
        for y in (-2.5, 2.5):
            b.cyl((s * R * .45, y, 0), c + (0, y * .5, 0), .3, f=.4)
    b.box((0, 0, .4), (R * 1.3, 7, .8))
    b.box((0, -4.5, 1.5), (5, 2, 3))


def _w_millwheel(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R, W = _U(mr, 1.5, 2.5), _U(mr, .5, .9)
    c = np.array([0, 0, R + .2])
    for x in (-W / 2, W / 2):
        b.torus(c + (x, 0, 0), R, .06, axis="x", f=1.2)
    b.cyl(c - (W, 0, 0), c + (W * 1.5, 0, 0), .12, f=.5)
    np_ = min(_I(mr, 12, 24), b.n(.5, 6))
    for i in range(np_):
        a = TAU * i / np_
        d = np.array([0, math.cos(a), math.sin(a)])
        b.box(c + d * R * .95, (W, .05, R * .25), rot=_rot(ax=a + PI / 2))
        if i % 3 == 0:
            for x in (-W / 2, W / 2):
                b.cyl(c + (x, 0, 0), c + d * R + (x, 0, 0), .04, f=.2, n=4)
    b.box((W * 1.5 + .8, 0, (R + .2) * .9), (1.4, 2 * R * 1.2, (R + .2) * 1.8))
    b.box((0, -R * .6, 2 * R + .45), (W * 1.2, R * 1.2, .15))
    b.box((0, 0, .1), (W * 3, 2 * R * 1.3, .2))


def _w_barrow(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    if _chance(mr, .3):  # two-person hand barrow: flat bed with four handles
        L, W = _U(mr, 1.6, 2.0), _U(mr, .5, .7)
        b.box((0, 0, .4), (W, L * .5, .04))
        for s in (-1, 1):
            b.cyl((s * W / 2, -L / 2, .4), (s * W / 2, L / 2, .4), .02, f=.4)
            for y in (-L * .2, L * .2):
                b.cyl((s * W / 2, y, .4), (s * W / 2, y, 0), .02, f=.3)
        return
    r = _U(mr, .17, .22)
    _wheel(b, (0, -.55, r), r, .08)
    b.cyl((-.06, -.55, r), (.06, -.55, r), .012, f=.3)
    b.loft([(.3, 0, -.05, .18, .25), (.6, 0, 0, .32, .42)], p=4, c=(0, .0, 0), f=1.0)
    for s in (-1, 1):
        b.cyl((s * .05, -.55, r), (s * .28, .75, .55), .018, f=.4)
        b.cyl((s * .2, .35, .3), (s * .2, .38, 0), .015, f=.3)
        b.cyl((s * .27, .65, .54), (s * .285, .8, .57), .022, f=.3)


def _w_handmower(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = _U(mr, .45, .55), _U(mr, .5, .6)
    b.rbox((0, 0, .15), (W, L, .12), p=_U(mr, 3, 8))
    b.cyl((0, -.03, .2), (0, -.03, .33), .1, .08, f=.8)
    b.cyl((0, -.03, .33), (0, -.03, .36), .05, f=.5)
    for sx in (-1, 1):
        for sy in (-1, 1):
            _wheel(b, (sx * (W / 2 + .03), sy * (L / 2 - .06), .09), .09, .04, f=.6)
    hh = _U(mr, .9, 1.05)
    handle = np.array([(-W * .4, L / 2 - .05, .2), (-W * .4, L / 2 + .4, hh), (W * .4, L / 2 + .4, hh),
                       (W * .4, L / 2 - .05, .2)])
    b.sweep(_resample(handle, b.n(.5, 4), False), .012, up=(0, -1, 1))
    if _chance(mr, .6):
        b.rbox((0, L / 2 + .22, .3), (W * .7, .35, .3), p=3)


def _w_rickshaw(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r, W = _U(mr, .5, .65), _U(mr, .9, 1.1)
    for s in (-1, 1):
        _spoked(b, (s * W / 2, .2, r), r, tyre=.02, spokes=12)
    b.cyl((-W / 2, .2, r), (W / 2, .2, r), .02, f=.3)
    b.rbox((0, .1, r + .15), (W * .8, .55, .25), p=4)
    b.box((0, .4, r + .5), (W * .8, .06, .6), rot=_rot(ax=-.2))
    b.revolve(_shell(np.stack([np.cos(np.linspace(0, PI / 2, 5)) * W * .45, np.sin(np.linspace(0, PI / 2, 5)) * .6], 1), .02),
              c=(0, .35, r + .3), sy=.8, along=None, rot=_rot(ax=-.5), f=1.0)
    for s in (-1, 1):
        b.cyl((s * W * .35, .1, r), (s * W * .3, -1.8, .75), .025, f=.3)
    b.cyl((-W * .3, -1.75, .75), (W * .3, -1.75, .75), .02, f=.3)
    b.box((0, -.35, r - .1), (W * .6, .3, .03))


def _w_shopping(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = _U(mr, .8, 1.0), _U(mr, .5, .6), _U(mr, .9, 1.05)
    zb = .45
    b.box((0, 0, zb), (W * .85, L * .9, .01))
    for s in (-1, 1):
        b.box((s * W / 2 * .95, 0, (zb + H) / 2), (.01, L, H - zb), rot=_rot(ay=-s * .05))
    b.box((0, -L / 2, (zb + H) / 2), (W * .8, .01, H - zb), rot=_rot(ax=.15))
    b.box((0, L / 2, (zb + H) / 2), (W, .01, H - zb))
    for s in (-1, 1):
        b.cyl((s * W * .35, -L / 2, .1), (s * W * .4, L / 2, .12), .015, f=.3)
        b.cyl((s * W * .4, L / 2, .12), (s * W / 2, L / 2 + .05, H), .015, f=.3)
        for y in (-L / 2 + .05, L / 2 - .05):
            _wheel(b, (s * W * .38, y, .06), .06, .03, f=.5)
    b.cyl((-W / 2, L / 2 + .1, H + .02), (W / 2, L / 2 + .1, H + .02), .018, f=.4)
    for i in range(min(6, b.n(.2, 2))):
        z = zb + (H - zb) * (i + 1) / 7
        b.cyl((-W * .47, L / 2 + .002, z), (W * .47, L / 2 + .002, z), .003, f=.15, n=3)


def _w_cart(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, r = _U(mr, 1.5, 2.2), _U(mr, 1.0, 1.4), _U(mr, .45, .6)
    b.box((0, 0, r + .1), (W, L, .06))
    for s in (-1, 1):
        b.box((s * W / 2, 0, r + .3), (.04, L, .35))
        _spoked(b, (s * (W / 2 + .1), 0, r), r, tyre=.03, spokes=10)
    b.box((0, L / 2, r + .3), (W, .04, .35))
    b.cyl((-W / 2 - .1, 0, r), (W / 2 + .1, 0, r), .03, f=.3)
    for s in (-1, 1):
        b.cyl((s * W * .3, -L / 2, r + .08), (s * W * .25, -L / 2 - 1.6, .8), .035, f=.3)
    b.cyl((0, -L / 2, r + .05), (0, -L / 2 - .3, .05), .03, f=.3)


def _w_skateboard(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, .7, .85), _U(mr, .19, .23)
    k = b.n(.5, 5)
    t = np.linspace(0, 1, k)
    ys = -L / 2 + L * t
    zs = .1 + .04 * (np.clip(np.abs(2 * t - 1) - .75, 0, None) / .25) ** 2
    path = np.stack([np.zeros(k), ys, zs], 1)
    widths = W / 2 * np.minimum(1.0, np.sqrt(np.clip(1 - (np.abs(2 * t - 1) - .8) / .2, 0, 1)) * .7 + .3)
    b.sweep(path, widths, r2=.006, up=(0, 0, 1), f=1.2, p=4)  # section: wide in x, thin in z
    for y in (-L * .33, L * .33):
        b.box((0, y, .075), (W * .7, .05, .025))
        for s in (-1, 1):
            b.cyl((s * W * .35, y, .05), (s * W * .5, y, .05), .027, f=.5)


_wheeled = _dispatch({
    "tricycle": _w_tricycle, "unicycle": _w_unicycle, "motorbike": _w_motorbike, "segway": _w_segway,
    "wheelchair": _w_wheelchair, "ferris_wheel": _w_ferris, "millwheel": _w_millwheel,
    "hand_barrow": _w_barrow, "hand_mower": _w_handmower, "jinrikisha": _w_rickshaw,
    "shopping_cart": _w_shopping, "cart": _w_cart, "skateboard": _w_skateboard,
}, _w_bicycle)


# ----------------------------------------------------------------------------
# handheld: small devices; flat ones lie on z with their top end at +y
# ----------------------------------------------------------------------------


def _h_slab(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    dims = {"cellphone": (.072, .15, .008), "remote_control": (.045, .19, .02), "calculator": (.08, .15, .014),
            "eraser": (.025, .06, .012)}.get(cat, (_U(cr, .03, .1), _U(cr, .08, .2), _U(cr, .008, .03)))
    W, L, t = (_jit(mr, d, .12) for d in dims)
    b.rbox((0, 0, t / 2), (W, L, t), p=_U(mr, 3, 10) if cat != "cellphone" else 10, along=.05)
    top = t
    if cat == "eraser":
        b.rbox((0, L * .15, t / 2), (W * 1.04, L * .6, t * 1.06), p=10, f=.6)
        return
    if cat == "cellphone":
        b.box((0, 0, top + .0005), (W * .92, L * .92, .001))
        b.rbox((-W * .25, L * .35, -.001), (W * .35, W * .35, .002), p=5, f=.5)
        for i in range(2):
            b.cyl((-W * .32 + i * W * .13, L * .38, -.002), (-W * .32 + i * W * .13, L * .38, -.003), .005, f=.3)
        b.box((W / 2 + .0005, L * .15, t / 2), (.001, .012, t * .4))
        return
    if cat == "calculator":
        b.box((0, L * .33, top + .001), (W * .8, L * .18, .002))
        rows, cols = 5, 4
        _grid_keys(b, 0, -L * .12, top, W * .85, L * .6, rows, cols, .3)
        return
    b.torus((0, L * .22, top), W * .22, .003, f=.5)
    b.cyl((0, L * .22, top), (0, L * .22, top + .002), W * .12, f=.5)
    b.cyl((-W * .25, L * .4, top), (-W * .25, L * .4, top + .002), .005, f=.3)
    _grid_keys(b, 0, -L * .2, top, W * .7, L * .45, 5, 3, .35)


def _grid_keys(b: _Mesh, cx: float, cy: float, z: float, w: float, h: float, rows: int, cols: int, fill: float) -> None:
    """Keys on a horizontal face; rows collapse to long strips when the budget is low."""
    cols_used = cols if b.res >= 10 else 1
    for i in range(rows):
        for j in range(cols_used):
            kw = w / cols_used
            x = cx - w / 2 + kw * (j + .5)
            y = cy + h / 2 - h * (i + .5) / rows
            b.box((x, y, z + .001), (kw * (1 - fill * .5) if cols_used > 1 else w, h / rows * .7, .002))


def _h_keyboard(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = _U(mr, .35, .46), _U(mr, .12, .16)
    b.loft([(-L / 2, 0, .008, W / 2, .008), (L / 2, 0, .014, W / 2, .014)], p=8, axis="y", along=.05)
    rows = 6 if _chance(mr, .5) else 5
    cols = min(_I(mr, 13, 16), b.n(.5, 1))
    kw = (W * .9) / cols
    z = .024
    for i in range(rows):
        y = -L * .4 + L * .8 * (i + .5) / rows
        for j in range(cols):
            b.box((-W * .45 + kw * (j + .5), y, z + .004 + .001 * i), (kw * .85, L * .8 / rows * .8, .008))
    b.box((0, -L * .4 + L * .8 * .5 / rows, z + .004), (W * .35, L * .8 / rows * .8, .008))


def _h_mouse(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = _U(mr, .1, .12), _U(mr, .055, .07), _U(mr, .03, .04)
    k = b.n(.4, 5)
    t = np.linspace(0, 1, k)
    hh = H * (np.sin(np.pi * (.15 + .75 * t)) * .5 + .05)
    hw = W / 2 * (.75 + .25 * np.sin(np.pi * t))
    secs = np.stack([-L / 2 + L * t, np.zeros(k), hh, hw, hh], 1)
    b.loft(secs, p=2.6, axis="y", f=1.2)
    for s in (-1, 1):
        b.box((s * W * .15, -L * .3, H * .75), (W * .26, L * .3, .002), rot=_rot(ax=-.35))
    b.cyl((-.002, -L * .28, H * .88), (.002, -L * .28, H * .88), .006, f=.4)
    if _chance(mr, .6):
        b.sweep(_spline([(0, -L / 2, .01), (0, -L / 2 - .04, .005), (.02, -L / 2 - .1, .003)], b.n(.4, 4)), .002,
                up=(0, 0, 1))


def _h_camera(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    dslr = _chance(mr, .5)
    W, D, H = (.14, .08, .1) if dslr else (.1, .03, .06)
    W, D, H = _jit(mr, W, .1), _jit(mr, D, .1), _jit(mr, H, .1)
    b.rbox((0, 0, H / 2), (W, D, H), p=6)
    lr = H * (.35 if dslr else .28)
    ll = _U(mr, .04, .12) if dslr else .01
    lx = 0.0 if dslr else W * .2
    for t0, t1, rr in ((0, .3, 1.0), (.3, .7, .92), (.7, 1.0, 1.0)):  # lens barrel rings
        b.cyl((lx, -D / 2 - ll * t0, H * .45), (lx, -D / 2 - ll * t1 - .002, H * .45), lr * rr, f=.9)
    if dslr:
        b.rbox((-W * .38, -D * .1, H * .45), (W * .25, D * 1.4, H * .9), p=3)
        b.loft([(H, 0, 0, W * .16, D * .45), (H + .025, 0, 0, W * .08, D * .3)], p=4)
    else:
        b.box((-W * .3, -D / 2 - .001, H * .75), (.015, .002, .01))
    b.cyl((-W * .35, 0, H), (-W * .35, 0, H + .006), .006, f=.3)
    b.cyl((W * .25, 0, H), (W * .25, 0, H + .005), .01, f=.4)


def _h_camcorder(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = _U(mr, .12, .18), _U(mr, .05, .07), _U(mr, .06, .08)
    b.rbox((0, 0, H / 2), (W, L, H), p=5, axis="y")
    b.cyl((0, -L / 2, H * .55), (0, -L / 2 - .03, H * .55), H * .3, H * .33, f=.8)
    b.torus((0, -L / 2 - .03, H * .55), H * .32, .003, axis="y", f=.6)
    ang = _U(mr, .3, 1.6)
    R = _rot(az=-ang)
    b.box(np.array([-W / 2, -L * .15, H * .55]) + R @ (-.004, .035, 0), (.006, .07, .045), rot=R)
    b.torus((W / 2 + .01, 0, H * .5), L * .3, .006, rot=_rot(az=PI / 2) @ _XZ_PLANE, arc=(.3, PI - .3), Ry=H * .4, f=.5)
    b.cyl((0, L / 2, H * .75), (0, L / 2 + .03, H * .8), .01, f=.4)
    b.box((0, L * .3, H + .005), (W * .3, L * .3, .01))


def _h_phone(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = _U(mr, .18, .22), _U(mr, .18, .22)
    b.loft([(-L / 2, 0, .02, W / 2, .02), (L / 2, 0, .045, W / 2 * .9, .045)], p=5, axis="y", along=.05)
    if _chance(mr, .4):
        b.torus((0, -L * .1, .06), .05, .01, rot=_rot(ax=-.2), f=.7)
        b.cyl((0, -L * .1, .05), (0, -L * .1, .06), .035, f=.6)
    else:
        _grid_keys(b, 0, -L * .12, .045, W * .45, L * .4, 4, 3, .3)
    hz = .1
    b.rbox((0, L * .2, hz), (W * .95, .045, .035), p=4, axis="x")
    for s in (-1, 1):
        b.rbox((s * W * .42, L * .2, hz - .015), (.06, .06, .045), p=3, f=.6)
    cord = _spline([(W * .45, L * .2, hz - .03), (W * .6, L * .1, .01), (W * .5, -L * .1, .005), (W * .3, -L * .4, .005),
                    (W * .45, L * .2 - .04, .04)], b.n(.8, 6))
    b.sweep(cord, .003, up=(0, 0, 1))


def _h_stapler(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, .13, .2), _U(mr, .035, .05)
    b.rbox((0, 0, .006), (W, L, .012), p=5, axis="y")
    ang = _U(mr, 0, .4)
    R = _rot(ax=ang)
    hinge = np.array([0, L / 2 - .01, .015])
    b.rbox(hinge + R @ (0, -L * .45, .012), (W * .9, L * .9, .022), p=4, rot=R, axis="y")
    b.box(hinge + R @ (0, -L * .45, -.002), (W * .6, L * .85, .012), rot=R)
    b.cyl(hinge - (W / 2, 0, 0), hinge + (W / 2, 0, 0), .01, f=.5)


def _h_iron(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, .24, .28), _U(mr, .1, .12)
    k = b.n(.5, 5)
    t = np.linspace(0, 1, k)
    side = np.stack([W / 2 * np.sqrt(t) * (1 - .1 * t), -L / 2 + L * t], 1)
    poly = np.vstack([side, side[::-1] * (-1, 1)])
    b.extrude(poly, .015, c=(0, 0, .0075))
    b.extrude(poly * .92, .06, c=(0, 0, .045), taper=.7, f=.9)
    handle = _spline([(0, -L * .3, .07), (0, -L * .2, .13), (0, L * .2, .14), (0, L * .4, .07)], b.n(.6, 5))
    b.sweep(handle, .016, r2=.012, up=(1, 0, 0))
    b.cyl((0, -L * .05, .075), (0, -L * .05, .085), .018, f=.5)
    b.cyl((0, L / 2 - .01, .04), (0, L / 2 + .03, .03), .008, f=.3)


def _h_gun(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    """Pistol-grip tools: body along y with the working end toward -y."""
    L = {"hair_dryer": .2, "power_drill": .2, "air_hammer": .25, "grinder": .3, "chain_saw": .45,
         "megaphone": .25}.get(cat, _U(cr, .15, .3)) * _U(mr, .9, 1.1)
    r = L * .18
    if cat == "grinder":
        b.cyl((0, L * .35, .05), (0, -L * .25, .05), r * .7, r * .8, f=.8)
        b.cyl((0, -L * .3, .05), (0, -L * .3, -.02), .02, f=.4)
        b.cyl((0, -L * .3, -.02), (0, -L * .3, -.026), L * .22, f=1.0)
        b.revolve([(L * .24, 0), (L * .24, .02)], c=(0, -L * .3, -.015), cap0=False, f=1.0)
        side = _pick(mr, (-1, 1))
        b.cyl((side * .02, -L * .25, .05), (side * .15, -L * .25, .06), .014, f=.4)
        return
    if cat == "chain_saw":
        b.rbox((0, L * .15, .09), (.12, L * .45, .16), p=4)
        rr, y0, y1 = .035, -L * .05, -L * _U(mr, .8, 1.1)
        a = np.linspace(PI / 2, 1.5 * PI, b.n(.5, 5))
        tip = np.stack([y1 + rr + rr * np.cos(a), .07 + rr * np.sin(a)], 1)
        bar = np.vstack([tip, [(y0, .07 - rr * 1.2), (y0, .07 + rr * 1.2)]])
        b.extrude(bar, .006, axis="x")  # guide bar in the yz-plane
        b.torus((0, L * .02, .16), .075, .011, rot=_XZ_PLANE, arc=(.15, PI - .15), f=.5)  # front hoop handle
        b.torus((0, L * .37, .13), .06, .012, rot=_rot(az=PI / 2) @ _XZ_PLANE, arc=(-PI / 2, PI / 2), f=.5)
        b.cyl((.06, L * .2, .1), (.08, L * .2, .1), .03, f=.5)  # starter cover on one side
        return
    body = [(0, 0), (r * .8, .0), (r, L * .3), (r * .9, L * .8), (r * .6, L)]
    if cat == "hair_dryer":
        body = [(r * 1.1, 0), (r * 1.1, .02), (r, L * .4), (r * .7, L * .8), (r * .6, L)]
    if cat == "megaphone":
        body = [(r * .5, 0), (r * .5, L * .3), (r * 1.8, L), (r * 1.9, L * 1.05)]
    b.revolve(body, c=(0, L * .4, .08), rot=_FACE_FRONT, f=1.0, cap1=cat != "megaphone")
    b.rbox((0, L * .25, .0), (.03, .045, .12), p=3, rot=_rot(ax=-.25), f=.6)
    b.box((0, L * .12, .04), (.008, .015, .03))
    if cat == "power_drill":
        b.revolve([(.014, 0), (.018, .03), (.012, .045)], c=(0, -L * .6 + L * .4, .08), rot=_FACE_FRONT, f=.6)
        b.cyl((0, -L * .25, .08), (0, -L * .25 - _U(mr, .04, .1), .08), .003, f=.3)
        b.rbox((0, L * .25, -.07), (.06, .08, .04), p=4, f=.6)
    elif cat == "air_hammer":
        b.cyl((0, -L * .6, .08), (0, -L * .6 - .1, .08), .008, f=.3)
        b.cyl((0, L * .3, -.06), (0, L * .35, -.08), .008, f=.3)
    elif cat == "hair_dryer":
        b.cyl((0, -L * .6, .08), (0, -L * .7, .08), r * .6, r * .4, f=.6, p=4)
        b.sweep(_spline([(0, L * .3, -.06), (0, L * .4, -.1), (.05, L * .5, -.12)], b.n(.3, 4)), .004, up=(1, 0, 0))


def _h_padlock(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = _U(mr, .04, .06), _U(mr, .018, .025), _U(mr, .035, .055)
    b.rbox((0, 0, H / 2), (W, D, H), p=_U(mr, 3, 8), axis="y")
    R = W * .32
    opened = _chance(mr, .4)
    lift = .012 if opened else 0.0
    # an open shackle is lifted and swung about its left leg
    Rz = _rot(az=1.2) if opened else np.eye(3)
    pivot = np.array([-R, 0, H + R * .6 + lift])
    c = pivot + Rz @ np.array([R, 0, 0])
    b.torus(c, R, .004, rot=Rz @ _XZ_PLANE, arc=(0, PI), f=.6)
    for s in (-1, 1):
        base = c + Rz @ np.array([s * R, 0, 0])
        b.cyl(base, base - (0, 0, R * .6 + lift + (.006 if opened and s > 0 else 0)), .004, f=.3)
    b.cyl((0, -D / 2, H * .35), (0, -D / 2 - .001, H * .35), .004, f=.3)  # keyhole


def _h_lighter(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = _U(mr, .025, .038), _U(mr, .011, .014), _U(mr, .055, .075)
    b.rbox((0, 0, H * .4), (W, D, H * .8), p=6)
    if _chance(mr, .5):  # flip-top, lid open to the side
        ang = _U(mr, .5, 1.6)
        R = _rot(ay=ang)
        hinge = np.array([W / 2, 0, H * .8])
        b.rbox(hinge + R @ (-W / 2, 0, H * .1), (W, D, H * .2), p=6, rot=R)
        b.rbox((0, 0, H * .85), (W * .6, D * .7, H * .1), p=8, f=.5)
    else:
        b.rbox((0, 0, H * .85), (W * .8, D, H * .1), p=6, f=.5)
        b.box((W * .25, 0, H * .82), (W * .25, D * .8, .006))
    b.cyl((-W * .15, -D * .3, H * .9), (-W * .15, D * .3, H * .9), .005, f=.4)


def _h_interphone(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = _U(mr, .09, .13), _U(mr, .03, .05), _U(mr, .18, .25)
    b.rbox((0, 0, H / 2), (W, D, H), p=6, axis="y")
    y0 = -D / 2
    if _chance(mr, .5):
        b.box((0, y0 - .001, H * .7), (W * .7, .002, H * .3))
    for i in range(min(12, b.n(.3, 4))):
        x = (i % 4 - 1.5) * W * .12
        z = H * .45 - (i // 4) * .012
        b.cyl((x, y0, z), (x, y0 - .002, z), .003, f=.2)
    _button_grid(b, 0, y0, H * .2, 2, 2, W * .5, H * .12, .015)
    if _chance(mr, .6):
        b.rbox((-W / 2 - .02, -D * .1, H * .5), (.03, .035, H * .75), p=3)


def _h_shaver(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    H, W = _U(mr, .13, .17), _U(mr, .04, .055)
    b.loft([(0, 0, 0, W / 2 * .8, W * .35), (H * .7, 0, 0, W / 2, W * .4), (H * .8, 0, 0, W / 2 * 1.1, W * .4)], p=3,
           along=.05)
    if _chance(mr, .5):
        for k in range(_pick(mr, (2, 3))):
            b.cyl((-W * .55, (k - .5) * .012, H * .85), (W * .55, (k - .5) * .012, H * .85), .007, f=.5)
    else:
        for k in range(3):
            a = TAU * k / 3 + PI / 2
            b.cyl((math.cos(a) * W * .35, math.sin(a) * W * .2, H * .8), (math.cos(a) * W * .35, math.sin(a) * W * .2, H * .84),
                  W * .2, f=.6)
    b.cyl((0, -W * .4, H * .4), (0, -W * .45, H * .4), .006, f=.3)


_handheld = _dispatch({
    "keyboard": _h_keyboard, "mouse": _h_mouse, "camera": _h_camera, "camcorder": _h_camcorder,
    "telephone": _h_phone, "stapler": _h_stapler, "iron": _h_iron, "hair_dryer": _h_gun,
    "power_drill": _h_gun, "air_hammer": _h_gun, "grinder": _h_gun, "chain_saw": _h_gun,
    "megaphone": _h_gun, "padlock": _h_padlock, "lighter": _h_lighter, "interphone": _h_interphone,
    "shaver": _h_shaver,
}, _h_slab)


# ----------------------------------------------------------------------------
# footwear: sole + upper lofted along y, toe at -y
# ----------------------------------------------------------------------------


def _sole_outline(L: float, W: float, n: int, skew: float) -> Arr:
    """Foot-shaped outline: wide ball, narrow waist and heel, slight left/right skew."""
    t = np.linspace(0, 1, n)
    w = W / 2 * (.55 + .45 * np.sin(np.pi * np.clip(t * 1.4, 0, 1)) - .15 * np.exp(-((t - .65) / .12) ** 2))
    w = np.maximum(w, W * .05)
    y = -L / 2 + L * t
    x_off = skew * W * (1 - t) ** 2
    right = np.stack([x_off + w, y], 1)
    left = np.stack([x_off - w, y], 1)[::-1]
    return np.vstack([right, left])


def _upper(b: _Mesh, L: float, W: float, hs: Sequence[float], z0: float, skew: float, f: float = 1.2) -> None:
    k = len(hs)
    t = np.linspace(.02, .98, k)
    y = -L / 2 + L * t
    hw = W / 2 * (.55 + .4 * np.sin(np.pi * np.clip(t * 1.4, 0, 1))) * .95
    hw = np.maximum(hw, np.minimum(np.asarray(hs, float) * .45, W * .42))  # tall shafts need a wide ankle
    h = np.asarray(hs, float)
    secs = np.stack([y, skew * W * (1 - t) ** 2, z0 + h / 2, hw, h / 2], 1)
    b.loft(secs, p=2.8, axis="y", f=f, along=.04)


def _f_shoe(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, .25, .3), _U(mr, .09, .11)
    skew = _pick(mr, (-.12, .12))
    kind = _pick(mr, ("sneaker", "boot", "heel", "dress"))
    n = b.n(.6, 6)
    heel = kind == "heel"
    st = .012 if heel else _U(mr, .015, .03)
    b.extrude(_sole_outline(L, W, n, skew), st, c=(0, 0, st / 2), f=1.0)
    if heel:
        b.cyl((0, L * .42, 0), (0, L * .42, .08), .012, .006, f=.5)
        b.rbox((0, L * .05, .04), (W * .4, L * .3, .008), p=4, rot=_rot(ax=-.25), f=.4)
        _upper(b, L, W, [.01, .03, .045, .05, .06, .06], st, skew)
        return
    hs = {"sneaker": [.02, .045, .07, .085, .1, .095], "dress": [.015, .035, .055, .07, .075, .075],
          "boot": [.02, .045, .08, .12, .2, .22]}[kind]
    _upper(b, L, W, hs, st, skew)
    if kind != "boot":
        b.torus((skew * W * .1, L * .3, st + hs[-1]), W * .32, .008, Ry=L * .12, f=.6)
    for i in range(min(5, b.n(.2, 2))):
        y = -L * .1 + i * L * .07
        b.cyl((-W * .25, y, st + hs[2] + .006 + i * .006), (W * .25, y, st + hs[2] + .006 + i * .006), .002, f=.15, n=3)


def _f_slipper(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, .25, .29), _U(mr, .09, .11)
    skew = _pick(mr, (-.1, .1))
    st = _U(mr, .015, .025)
    b.extrude(_sole_outline(L, W, b.n(.6, 6), skew), st, c=(0, 0, st / 2), f=1.0)
    if _chance(mr, .3):  # flip-flop straps
        for s in (-1, 1):
            strap = _spline([(skew * W * .6, -L * .3, st), (s * W * .3, -L * .05, st + .025), (s * W * .45, L * .1, st)],
                            b.n(.3, 4))
            b.sweep(strap, .004, r2=.002, up=(0, 0, 1))
        return
    k = b.n(.25, 4)
    t = np.linspace(.02, .55, k)
    y = -L / 2 + L * t
    hw = W / 2 * (.55 + .4 * np.sin(np.pi * np.clip(t * 1.4, 0, 1)))
    h = .02 + .04 * np.sin(np.pi * np.clip(t * 1.6, 0, 1) / 2)
    b.loft(np.stack([y, skew * W * (1 - t) ** 2, st + h / 2, hw, h / 2], 1), p=2.5, axis="y", f=1.2)
    if _chance(mr, .4):
        b.sphere((skew * W, -L * .2, st + .06), .02, f=.5)


def _f_skate(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = _U(mr, .27, .31), _U(mr, .1, .12)
    skew = _pick(mr, (-.1, .1))
    z0 = .08
    b.extrude(_sole_outline(L, W, b.n(.6, 6), skew), .02, c=(0, 0, z0 + .01))
    _upper(b, L, W, [.03, .06, .1, .16, .24, .25], z0 + .02, skew)
    if _chance(mr, .5):  # ice blade: (y, z) outline with a rounded nose, extruded thinly in x
        a = np.linspace(PI / 2, 1.5 * PI, b.n(.4, 4))
        nose = np.stack([-L * .45 + .03 * np.cos(a), .03 + .03 * np.sin(a)], 1)
        poly = np.vstack([nose, [(L * .46, 0.0), (L * .46, z0), (-L * .45, z0)]])
        b.extrude(poly, .004, axis="x")
        for y in (-L * .3, L * .3):
            b.cyl((0, y, .03), (0, y, z0), .012, f=.3)
    elif _chance(mr, .5):  # inline wheels
        for i in range(4):
            b.cyl((-.012, -L * .36 + i * L * .24, .035), (.012, -L * .36 + i * L * .24, .035), .035, f=.5)
        b.box((0, 0, .06), (.03, L * .85, .03))
    else:  # quad wheels
        for y in (-L * .3, L * .3):
            for s in (-1, 1):
                b.cyl((s * W * .35, y, .03), (s * W * .6, y, .03), .03, f=.5)
            b.box((0, y, .05), (W * .6, .04, .03))


_footwear = _dispatch({"slipper": _f_slipper, "skate": _f_skate}, _f_shoe)


# ----------------------------------------------------------------------------
# wire_frame: thin bent tubes (glasses, headphones, bow, scissors, watch)
# ----------------------------------------------------------------------------


def _wf_glasses(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    a, c = _U(mr, .022, .03), _U(mr, .016, .024)
    p = _pick(mr, (2.0, 3.0, 5.0))
    sep = a + _U(mr, .008, .012)
    for s in (-1, 1):
        b.torus((s * sep, 0, 0), a, .0018, Ry=c, p=p, axis="y", f=1.0)
        b.extrude(_ellipse(a * .97, c * .97, b.n(.8, 8), p), .001, c=(s * sep, 0, 0), axis="y", f=.8)
    b.sweep(_arc((0, 0, c * .2), sep - a, .2, PI - .2, b.n(.3, 4), "xz"), .0015, up=(0, 1, 0))
    folded = _chance(mr, .3)
    for s in (-1, 1):
        hinge = np.array([s * (sep + a), .002, c * .4])
        if folded:
            path = np.array([hinge, hinge + (-s * .005, .008, 0), hinge + (-s * (sep + a) * 1.6, .012, -.002)])
        else:
            path = np.array([hinge, hinge + (s * .004, .02, 0), hinge + (s * .006, .11, 0), hinge + (s * .006, .14, -.025)])
        b.sweep(_resample(path, b.n(.3, 3), False), .0016, r2=.0025, up=(1, 0, 0), p=3)
        b.sphere((s * (sep - a * .75), .006, -c * .3), (.002, .004, .005), f=.3)


def _wf_headphone(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    R = _U(mr, .08, .1)
    cup = _U(mr, .03, .05)
    b.sweep(_arc((0, 0, 0), R, .0, PI, b.n(.8, 6), "xz"), .005, r2=.014, up=(0, 1, 0), p=4)
    for s in (-1, 1):
        x = s * (R + .005)
        b.cyl((x, 0, .01), (x, 0, -.03), .004, f=.3)
        c = np.array([x, 0, -.03 - cup])
        b.cyl(c + (s * .022, 0, 0), c, cup, cup * .9, f=.8)
        b.torus(c - (s * .005, 0, 0), cup * .8, .008, axis="x", f=.7)
    side = _pick(mr, (-1, 1))
    if _chance(mr, .6):
        cable = _spline([(side * (R + .03), 0, -.03 - cup * 1.8), (side * (R + .02), -.02, -.15), (side * R * .5, .01, -.25)],
                        b.n(.5, 4))
        b.sweep(cable, .0015, up=(0, 1, 0))
    if _chance(mr, .3):
        b.cyl((side * (R + .03), 0, -.03 - cup), (side * .03, -.05, -.03 - cup * 1.5), .003, f=.3)


def _wf_bow(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    L = _U(mr, 1.2, 1.7)
    depth = L * _U(mr, .12, .2)
    recurve = _chance(mr, .5)
    k = b.n(1.0, 8)
    t = np.linspace(-1, 1, k)
    x = -depth * (1 - t**2)
    if recurve:
        x = x + depth * .5 * np.clip(np.abs(t) - .75, 0, None) / .25 * np.abs(t)
    path = np.stack([x, np.zeros(k), t * L / 2], 1)
    b.sweep(path, .012 * (1.3 - .6 * np.abs(t)), r2=.02 * (1.3 - .6 * np.abs(t)), up=(0, 1, 0), p=3)
    b.cyl(path[0], path[-1], .0015, f=.15, n=3)
    b.rbox((-depth - .01, 0, 0), (.04, .035, .14), p=3, f=.5)
    if _chance(mr, .4):
        b.cyl((-depth - .03, 0, .05), (-depth - .03, -.15, .05), .004, f=.2)


def _wf_scissors(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    Lb, open_ = _U(mr, .08, .12), _U(mr, .05, .5)
    for s in (-1, 1):
        R = _rot(az=s * open_ / 2)
        blade = np.array([(0, -.006), (Lb, -.001), (Lb * .98, .003), (0, .008)])
        b.extrude(blade * (1, s), .002, c=(0, 0, .002 + (s + 1) * .001), rot=R)
        rr = .012 if s > 0 else _U(mr, .012, .02)
        hc = R @ np.array([-.045, s * .012, 0]) + (0, 0, .002 + (s + 1) * .001)
        b.torus(hc, rr, .003, Ry=rr * .8, f=.7)
        b.cyl(R @ np.array([-.002, 0, 0]) + (0, 0, .003), hc + R @ np.array([rr * .9, 0, 0]), .003, f=.3)
    b.cyl((0, 0, 0), (0, 0, .007), .003, f=.3)


def _wf_watch(b: _Mesh, cat: str, cr: Rng, mr: Rng) -> None:
    r = _U(mr, .016, .022)
    p = _pick(mr, (2.0, 2.0, 6.0))
    zc = .032
    b.loft([(-.005, 0, 0, r, r), (.005, 0, 0, r, r)], p=p, axis="y", c=(0, -.005, zc), f=1.0)
    b.torus((0, -.01, zc), r, .0015, p=p, axis="y", f=1.0)
    ha, ma = _U(mr, 0, TAU), _U(mr, 0, TAU)
    for ang, ln in ((ha, .5), (ma, .8)):
        b.box((r * ln / 2 * math.sin(ang), -.0112, zc + r * ln / 2 * math.cos(ang)), (.0012, .0006, r * ln),
              rot=_rot(ay=ang))
    b.cyl((r, -.005, zc), (r + .004, -.005, zc), .0018, f=.3)  # crown on the right
    # strap: an open loop behind the case (around a wrist), band wide in x, thin radially
    k = b.n(1.0, 8)
    rw = .03  # wrist radius: the loop starts at the case lugs and goes round the back
    a = np.linspace(.55, TAU - .55, k)
    strap = np.stack([np.zeros(k), rw - rw * np.cos(a), zc + rw * np.sin(a)], 1)
    b.sweep(strap, .0015, r2=r * .9, up=(1, 0, 0), p=4)
    if _chance(mr, .5):  # buckle
        b.rbox((0, 2 * rw + .002, zc), (r * 2.2, .004, .006), p=4, f=.4)


_wire_frame = _dispatch({"headphone": _wf_headphone, "bow": _wf_bow, "scissors": _wf_scissors,
                         "watch": _wf_watch}, _wf_glasses)


# ----------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------

_BUILDERS: dict[str, Builder] = {
    "seat": _seat, "table": _table, "cabinet": _cabinet, "panel": _panel, "road_vehicle": _road_vehicle,
    "aircraft": _aircraft, "boat": _boat, "lathe": _lathe, "long_tool": _long_tool, "instrument": _instrument,
    "soft_round": _soft_round, "pole": _pole, "wheeled": _wheeled, "handheld": _handheld,
    "footwear": _footwear, "wire_frame": _wire_frame,
}


# Axis pairs stretched together so wheels, rings and turned (lathe) parts stay round.
_ROUND_AXES_FAMILY = {"road_vehicle": (1, 2), "wheeled": (1, 2), "lathe": (0, 1)}
_ROUND_AXES_CATEGORY = {"ferris_wheel": (0, 2), "life_buoy": (0, 2), "clock": (0, 2), "french_horn": (0, 2)}


def _stretch(category: str, cad_index: int, seed: int) -> Arr:
    """Per-axis proportion change of a model (own stream, so it never shifts other draws)."""
    s = _rng("stretch", category, cad_index, seed).uniform(.9, 1.1, size=3)
    pair = _ROUND_AXES_CATEGORY.get(category) or _ROUND_AXES_FAMILY.get(family_of(category))
    if pair:
        s[pair[1]] = s[pair[0]]
    return s


def _build(category: str, cad_index: int, seed: int, res: float) -> _Mesh:
    """One build at a given tessellation; fresh generators so parameters never depend on res."""
    b = _Mesh(res)
    cr = _rng("category", category)
    mr = _rng("model", category, cad_index, seed)
    _BUILDERS[family_of(category)](b, category, cr, mr)
    b.stretch = _stretch(category, cad_index, seed)
    return b


def _search_res(category: str, cad_index: int, seed: int, target: int, lo: int, hi: int) -> _Mesh:
    """Find a tessellation whose vertex count lands in [lo, hi].

    Secant steps in log-log space, falling back to bisection inside the bracket of
    resolutions known to be too coarse / too fine (counts are only roughly monotone).
    """
    res = max(3.0, 0.36 * math.sqrt(target))
    too_few, too_many = 0.0, math.inf
    hist: list[tuple[float, int]] = []
    best: _Mesh | None = None

    def err(nv: int) -> float:
        return 0.0 if lo <= nv <= hi else abs(math.log(nv / target))

    for _ in range(10):
        b = _build(category, cad_index, seed, res)
        if best is None or err(b.nv) < err(best.nv):
            best = b
        if lo <= b.nv <= hi:
            break
        if b.nv < lo:
            too_few = max(too_few, res)
        else:
            too_many = min(too_many, res)
        hist.append((res, b.nv))
        slope = 1.8
        if len(hist) >= 2:
            (r0, n0), (r1, n1) = hist[-2], hist[-1]
            if r0 != r1 and n0 != n1:
                slope = min(2.5, max(.6, math.log(n1 / n0) / math.log(r1 / r0)))
        new = min(20000.0, max(1.0, res * (target / b.nv) ** (1.0 / slope)))
        if not too_few < new < too_many:
            new = (too_few + too_many) / 2 if math.isfinite(too_many) else new
        if abs(new - res) < 1e-3 * res or (res <= 1.0 and b.nv > target) or too_many - too_few < 1e-3 * res:
            break
        res = new
    assert best is not None
    return best


def make_mesh(category: str, cad_index: int, seed: int = 0,
              num_vertices: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Procedural CAD model: (vertices float64 (V,3), faces int32 (F,3)), z up, front -y, unit bbox diagonal."""
    target = default_num_vertices(category, cad_index, seed) if num_vertices is None else int(num_vertices)
    lo, hi = int(target * .94), int(math.ceil(target * 1.06))
    if num_vertices is None:
        # keep the large / not-large split exact
        if is_large_model(category, cad_index):
            lo, hi = max(lo, LARGE_MIN), min(hi, LARGE_MAX)
        else:
            hi = min(hi, LARGE_MIN - 1)
    return _search_res(category, cad_index, seed, target, lo, hi).finish()


# ----------------------------------------------------------------------------
# ASCII OFF
# ----------------------------------------------------------------------------


def off_bytes(vertices: np.ndarray, faces: np.ndarray) -> bytes:
    """ASCII OFF as in the release: header, '%.6f' vertices, '3 i j k' faces, '\\n' endings."""
    v = np.asarray(vertices, dtype=np.float64).reshape(-1, 3)
    f = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    parts = [f"OFF\n{len(v)} {len(f)} 0\n"]
    if len(v):
        parts.append(("%.6f %.6f %.6f\n" * len(v)) % tuple(v.ravel().tolist()))
    if len(f):
        parts.append(("3 %d %d %d\n" * len(f)) % tuple(f.ravel().tolist()))
    return "".join(parts).encode("ascii")


def write_off(path_or_file: str | os.PathLike | IO, vertices: np.ndarray, faces: np.ndarray) -> None:
    """Write ASCII OFF to a path or an open (binary or text) file object."""
    data = off_bytes(vertices, faces)
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "wb") as fh:
            fh.write(data)
        return
    if isinstance(path_or_file, io.TextIOBase):
        path_or_file.write(data.decode("ascii"))
    else:
        path_or_file.write(data)
