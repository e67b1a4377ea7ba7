"""Tests for conversion.plots: the dataset card's PNG figures."""

from __future__ import annotations

import math
import os

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

import imagenet3d
from conversion import plots
from conversion.plots import write_figures

NAMES = [
    "azimuth_distribution.png",
    "elevation_distribution.png",
    "objects_per_category.png",
    "objects_per_super_category.png",
]
NOTE = "Super-categories are an unofficial grouping made for this card, not part of ImageNet3D."


def _table(n: int = 60, seed: int = 0) -> pa.Table:
    """Objects over a few categories, both splits, some without a pose and some unusable."""
    rng = np.random.default_rng(seed)
    cats = ["aeroplane", "bicycle", "boat", "bottle", "bus", "car", "chair", "sofa"]
    supers = {"aeroplane": "vehicle", "bicycle": "vehicle", "boat": "vehicle", "bus": "vehicle",
              "car": "vehicle", "bottle": "container", "chair": "furniture", "sofa": "furniture"}
    cat = rng.choice(cats, n)
    has_pose = rng.random(n) > 0.15
    az = rng.uniform(0.0, 2 * math.pi, n)
    el = np.mod(np.radians(rng.normal(10.0, 15.0, n)), 2 * math.pi)  # negatives wrap near 2*pi
    return pa.table({
        "category": pa.array(cat, pa.string()),
        "super_category": pa.array([supers[c] for c in cat], pa.string()),
        "split": pa.array(rng.choice(["train", "validation"], n, p=[0.7, 0.3]), pa.string()),
        "azimuth": pa.array(az, pa.float64(), mask=~has_pose),
        "elevation": pa.array(el, pa.float64(), mask=~has_pose),
        "usable": pa.array(has_pose & (rng.random(n) > 0.1), pa.bool_()),
    })


def _read_all(folder: os.PathLike) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in NAMES}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[pa.Table, object, list[str]]:
    """One write_figures run shared by the tests below (rendering dominates their time)."""
    table = _table()
    out = tmp_path_factory.mktemp("plots") / "figures"  # does not exist yet
    return table, out, write_figures(table, out, NOTE)


def test_writes_four_valid_pngs(written):
    _, out, names = written
    assert names == NAMES
    assert sorted(os.listdir(out)) == NAMES, "temporary files left behind"
    for name in NAMES:
        with Image.open(out / name) as im:
            im.verify()
        with Image.open(out / name) as im:
            assert im.format == "PNG"
            assert 300 <= im.width <= 1500 and 250 <= im.height <= 4000
            assert not set(im.info) & {"Software", "Creation Time"}
        assert (out / name).stat().st_size < 150_000


def test_byte_identical_on_rerun(written, tmp_path):
    table, out, _ = written
    first = _read_all(out)
    write_figures(table, tmp_path, NOTE)
    assert _read_all(tmp_path) == first
    write_figures(table, tmp_path, NOTE)  # overwrite in place
    assert _read_all(tmp_path) == first


def test_caption_changes_only_super_category_figure(written, tmp_path):
    table, out, _ = written
    write_figures(table, tmp_path, NOTE + " Different wording.")
    a, b = _read_all(out), _read_all(tmp_path)
    assert [n for n in NAMES if a[n] != b[n]] == ["objects_per_super_category.png"]


def test_many_categories_stay_readable_and_small(tmp_path):
    n_cat = 189
    cats = [f"category_{i:03d}" for i in range(n_cat)]
    counts = np.arange(1, n_cat + 1)
    cat = np.repeat(cats, counts)
    n = len(cat)
    table = pa.table({
        "category": cat,
        "super_category": [f"group_{int(c[-3:]) % 12}" for c in cat],
        "split": np.where(np.arange(n) % 5 == 0, "validation", "train"),
        "azimuth": np.linspace(0.0, 6.28, n),
        "elevation": np.zeros(n),
        "usable": np.ones(n, dtype=bool),
    })
    write_figures(table, tmp_path, NOTE)
    path = tmp_path / "objects_per_category.png"
    with Image.open(path) as im:
        assert im.height / n_cat >= 12, "rows too cramped for the tick labels"
    assert path.stat().st_size < 150_000


def test_no_usable_poses_still_draws(tmp_path):
    table = _table()
    table = table.set_column(table.schema.get_field_index("usable"), "usable",
                             pa.array([False] * table.num_rows))
    assert write_figures(table, tmp_path, NOTE) == NAMES


def test_null_usable_counts_as_unusable():
    table = _table(20)
    idx = table.schema.get_field_index("usable")
    nulls = table.set_column(idx, "usable", pa.nulls(20, pa.bool_()))
    degrees, splits = plots._usable_degrees(nulls, "azimuth")
    assert degrees.size == 0 and splits == []


def test_usable_degrees_drops_nulls_and_converts():
    table = pa.table({
        "azimuth": pa.array([math.pi, None, math.pi / 2, 0.0]),
        "usable": [True, True, False, True],
        "split": ["train", "train", "validation", "validation"],
    })
    degrees, splits = plots._usable_degrees(table, "azimuth")
    np.testing.assert_allclose(degrees, [180.0, 0.0])
    assert splits == ["train", "validation"]


def test_signed_degrees_wraps_elevation():
    got = imagenet3d.signed_angle(np.degrees(np.mod(np.radians([-10.0, 0.0, 25.0, 180.0]), 2 * math.pi)), 360.0)
    np.testing.assert_allclose(got, [-10.0, 0.0, 25.0, 180.0], atol=1e-9)
    assert got.min() > -180.0 and got.max() <= 180.0


def test_empty_table_raises_value_error(tmp_path):
    empty = _table().slice(0, 0)
    with pytest.raises(ValueError, match="empty"):
        write_figures(empty, tmp_path / "out", NOTE)
    assert not (tmp_path / "out").exists()


def test_missing_column_raises_value_error(tmp_path):
    table = _table().drop_columns(["elevation"])
    with pytest.raises(ValueError, match="elevation"):
        write_figures(table, tmp_path, NOTE)
