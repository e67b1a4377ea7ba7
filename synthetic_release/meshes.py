"""Procedural CAD models standing in for ImageNet3D's: :func:`make_mesh` and its vertex budgets.

Conventions follow the real release: z is up, the object's front faces -y, and every
mesh is normalised so its axis-aligned bounding box is centred at the origin with a
diagonal of exactly 1.0. Each category's shape comes from its row in
:mod:`synthetic_release.shapes.registry`; category-level choices come from the category
name, model-level variation from (category, cad_index, seed), both through hashlib, so
the same arguments always give bit-identical arrays. This module picks how many vertices
a model gets and finds the tessellation that lands on that budget.
"""

from __future__ import annotations

import hashlib
import math
import zlib

import numpy as np

from synthetic_release.shapes.geometry import TAU, Arr, seeded_rng
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.registry import shape_of

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


def _stretch(category: str, cad_index: int, seed: int) -> Arr:
    """Per-axis proportion change of a model (own stream, so it never shifts other draws)."""
    s = seeded_rng("stretch", category, cad_index, seed).uniform(.9, 1.1, size=3)
    pair = shape_of(category).round_axes
    if pair:
        s[pair[1]] = s[pair[0]]
    return s


def _build(category: str, cad_index: int, seed: int, res: float) -> MeshBuilder:
    """One build at a given tessellation; fresh generators so parameters never depend on res."""
    build = shape_of(category).build  # first, so an unknown category fails before any work
    b = MeshBuilder(res)
    cr = seeded_rng("category", category)
    mr = seeded_rng("model", category, cad_index, seed)
    build(b, category, cr, mr)
    b.stretch = _stretch(category, cad_index, seed)
    return b


def _search_res(category: str, cad_index: int, seed: int, target: int, lo: int, hi: int) -> MeshBuilder:
    """Find a tessellation whose vertex count lands in [lo, hi].

    Secant steps in log-log space, falling back to bisection inside the bracket of
    resolutions known to be too coarse / too fine (counts are only roughly monotone).
    """
    res = max(3.0, 0.36 * math.sqrt(target))
    too_few, too_many = 0.0, math.inf
    hist: list[tuple[float, int]] = []
    best: MeshBuilder | None = None

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
