"""Tests for synthetic_release.meshes: procedural category meshes, and their OFF bytes."""

from __future__ import annotations

import io
import itertools
import statistics
import zlib
from collections import defaultdict
from functools import cache

import numpy as np
import pytest

import imagenet3d
from synthetic_release import meshes
from synthetic_release.shapes.registry import SHAPES, family_of

SMALL = 400  # vertex budget for the many-mesh checks; keeps the suite fast
R90 = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


@cache
def _small(category: str, cad_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    return meshes.make_mesh(category, cad_index, num_vertices=SMALL)


def _areas2(v: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Twice the triangle areas."""
    return np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1)


def _check_valid(v: np.ndarray, f: np.ndarray) -> None:
    assert v.dtype == np.float64 and v.ndim == 2 and v.shape[1] == 3
    assert f.dtype == np.int32 and f.ndim == 2 and f.shape[1] == 3
    assert len(v) > 0 and len(f) > 0
    assert np.isfinite(v).all()
    assert f.min() >= 0 and f.max() < len(v)
    assert (f[:, 0] != f[:, 1]).all() and (f[:, 1] != f[:, 2]).all() and (f[:, 0] != f[:, 2]).all()
    assert _areas2(v, f).min() > 1e-14, "degenerate (zero-area) face"
    lo, hi = v.min(0), v.max(0)
    assert np.abs((lo + hi) / 2).max() < 1e-9, "bbox not centred"
    assert abs(np.linalg.norm(hi - lo) - 1.0) < 1e-9, "bbox diagonal not 1"


def _moments(v: np.ndarray) -> np.ndarray:
    """bbox extents, per-axis spread and (cube-rooted) skew of the vertex cloud."""
    c = v - v.mean(0)
    return np.concatenate([v.max(0) - v.min(0), np.sqrt((c**2).mean(0)), np.cbrt((c**3).mean(0))])


def _parse_off(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    lines = data.decode("ascii").split("\n")
    assert lines[0] == "OFF"
    nv, nf, ne = map(int, lines[1].split())
    assert ne == 0
    v = np.array([[float(x) for x in ln.split()] for ln in lines[2:2 + nv]])
    f_rows = [[int(x) for x in ln.split()] for ln in lines[2 + nv:2 + nv + nf]]
    assert all(r[0] == 3 and len(r) == 4 for r in f_rows)
    assert lines[2 + nv + nf:] == [""], "exactly one trailing newline"
    return v.reshape(-1, 3), np.array(f_rows, dtype=np.int64).reshape(-1, 4)[:, 1:]


# ---------------------------------------------------------------- families


def test_every_category_builds_a_valid_normalised_mesh() -> None:
    for cat in SHAPES:
        v, f = _small(cat)
        _check_valid(v, f)
        assert abs(len(v) / SMALL - 1) < 0.25, (cat, len(v))


# ---------------------------------------------------------------- determinism / variants


@pytest.mark.parametrize("cat,idx", [("chair", 0), ("bicycle", 3), ("teapot", 2), ("aeroplane", 5)])
def test_deterministic(cat: str, idx: int) -> None:
    v1, f1 = meshes.make_mesh(cat, idx, seed=7)
    v2, f2 = meshes.make_mesh(cat, idx, seed=7)
    assert v1.tobytes() == v2.tobytes() and f1.tobytes() == f2.tobytes()
    assert meshes.default_num_vertices(cat, idx, 7) == meshes.default_num_vertices(cat, idx, 7)
    assert imagenet3d.off_bytes(v1, f1) == imagenet3d.off_bytes(v2, f2)


def test_seed_changes_the_model() -> None:
    a, _ = meshes.make_mesh("car", 1, seed=0, num_vertices=800)
    b, _ = meshes.make_mesh("car", 1, seed=1, num_vertices=800)
    assert a.shape != b.shape or not np.allclose(a, b)


@pytest.mark.parametrize("cat", ["chair", "car", "bottle", "guitar", "sofa", "shoe", "bed", "key"])
def test_cad_index_gives_different_variants(cat: str) -> None:
    descs = []
    for idx in range(3):
        v, _ = meshes.make_mesh(cat, idx, num_vertices=600)
        descs.append(_moments(v))
    for a, b in itertools.combinations(descs, 2):
        assert np.abs(a - b).max() > 2e-3  # the shape differs, not just the tessellation


def test_families_are_clearly_different() -> None:
    reps = ["chair", "diningtable", "refrigerator", "tvmonitor", "car", "aeroplane", "boat", "bottle",
            "knife", "guitar", "pillow", "road_pole", "bicycle", "cellphone", "shoe", "eyeglasses"]
    assert len({family_of(r) for r in reps}) == len(reps)

    def shape(v: np.ndarray) -> np.ndarray:
        c = v - v.mean(0)
        spread = np.sqrt(np.sort(np.linalg.eigvalsh(c.T @ c / len(c)))[::-1])
        return np.concatenate([v.max(0) - v.min(0), spread])

    desc = {r: shape(_small(r)[0]) for r in reps}
    for a, b in itertools.combinations(reps, 2):
        assert np.linalg.norm(desc[a] - desc[b]) > 0.05, (a, b)
    # a chair is taller than deep, a bottle tall and round, a knife long and flat
    chair, bottle, knife = (desc[c][:3] for c in ("chair", "bottle", "knife"))
    assert bottle[2] > 2 * max(bottle[0], bottle[1])
    assert knife[0] > 4 * knife[1]
    assert chair[2] > chair[1]


def test_most_families_not_rotationally_symmetric_about_z() -> None:
    # a 90-degree turn about z must change extents / spread / skew by > 1% of the diagonal
    frac: dict[str, list[bool]] = defaultdict(list)
    for cat, shape in SHAPES.items():
        v, _ = _small(cat)
        frac[shape.family].append(float(np.abs(_moments(v) - _moments(v @ R90.T)).max()) > 0.01)
    share = {fam: np.mean(x) for fam, x in frac.items()}
    assert sum(s >= 0.75 for s in share.values()) >= 12, share
    assert np.mean([x for xs in frac.values() for x in xs]) > 0.85


# ---------------------------------------------------------------- vertex budgets


def test_is_large_model_formula() -> None:
    for cat in ("chair", "car", "whisk"):
        for idx in range(16):
            want = (zlib.crc32(cat.encode()) + idx) % 8 == 0
            assert meshes.is_large_model(cat, idx) == want


def test_default_vertex_count_distribution() -> None:
    counts, large = [], []
    for cat in SHAPES:
        for idx in range(6):
            n = meshes.default_num_vertices(cat, idx)
            counts.append(n)
            if meshes.is_large_model(cat, idx):
                large.append(n)
            else:
                assert n < 30_000
    assert 90 <= min(counts) and max(counts) <= 37_000
    assert 2_000 <= statistics.median(counts) <= 4_500
    assert large and all(30_000 <= n <= 37_000 for n in large)


def test_meshes_follow_default_budget_and_large_models_are_large() -> None:
    picked = [("chair", 1), ("teapot", 4), ("guitar", 2), ("bus", 0)]
    large = [(c, i) for c in ("car", "sofa", "bicycle", "knife") for i in range(8)
             if meshes.is_large_model(c, i)][:3]
    assert large
    for cat, idx in picked + large:
        v, f = meshes.make_mesh(cat, idx)
        target = meshes.default_num_vertices(cat, idx)
        assert abs(len(v) / target - 1) < 0.25, (cat, idx, len(v), target)
        if meshes.is_large_model(cat, idx):
            assert 30_000 <= len(v) <= 37_000
        else:
            assert len(v) < 30_000
        _check_valid(v, f)


def test_explicit_vertex_budget() -> None:
    for n in (250, 2_000, 12_000):
        v, _ = meshes.make_mesh("kettle", 0, num_vertices=n)
        assert abs(len(v) / n - 1) < 0.25


# ---------------------------------------------------------------- OFF


def test_off_round_trip() -> None:
    v, f = meshes.make_mesh("cup", 0, num_vertices=1_500)
    data = imagenet3d.off_bytes(v, f)
    assert data.startswith(f"OFF\n{len(v)} {len(f)} 0\n".encode())
    assert b"\r" not in data
    v2, f2 = _parse_off(data)
    assert np.abs(v2 - v).max() <= 5.0001e-7
    assert np.array_equal(f2, f)
    first = data.split(b"\n")[2].split()
    assert all(len(tok.split(b".")[1]) == 6 for tok in first), "'%.6f' formatting"


def test_write_off_targets(tmp_path) -> None:
    v, f = meshes.make_mesh("hammer", 1, num_vertices=300)
    data = imagenet3d.off_bytes(v, f)
    path = tmp_path / "m.off"
    imagenet3d.write_off(path, v, f)
    imagenet3d.write_off(str(tmp_path / "s.off"), v, f)
    bio, sio = io.BytesIO(), io.StringIO()
    imagenet3d.write_off(bio, v, f)
    imagenet3d.write_off(sio, v, f)
    assert path.read_bytes() == data == (tmp_path / "s.off").read_bytes() == bio.getvalue()
    assert sio.getvalue().encode() == data


def test_off_bytes_small_exact() -> None:
    v = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, -0.5, 0.25]])
    f = np.array([[0, 1, 2]], dtype=np.int32)
    expected = b"OFF\n3 1 0\n0.000000 0.000000 0.000000\n1.000000 0.000000 0.000000\n" \
               b"0.000000 -0.500000 0.250000\n3 0 1 2\n"
    assert imagenet3d.off_bytes(v, f) == expected
