"""The Statistics tab's plots (viewer_app/plots.py) and the counts behind them (DatasetIndex.statistics).

Every count drawn is checked against counts made here from the annotations Parquet files themselves
(pyarrow, one dict per object), not from the index's arrays.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import imagenet3d
from viewer_app import plots
from viewer_app.data import DatasetIndex, Filter

from releases import SMALL

FILTERS = [Filter(), Filter(split="validation"), Filter(category="chair"), Filter(known=False),
           Filter(object_status="missing"), Filter(num_objects=3)]
BAR = re.compile(r'<rect [^>]*data-panel="(\w+)" data-label="([^"]*)" data-series="([^"]*)" data-count="(\d+)"')
BIN = re.compile(r'data-panel="(azimuth|elevation)" data-bin="([-\d.]+),([-\d.]+)" data-series="([^"]*)" '
                 r'data-count="(\d+)"')


@pytest.fixture(scope="module")
def index(built_dataset) -> DatasetIndex:
    return DatasetIndex(str(built_dataset))


@pytest.fixture
def fresh(built_dataset) -> DatasetIndex:
    """An index of its own, whose in-memory arrays a test may change (the files stay untouched)."""
    return DatasetIndex(str(built_dataset))


@pytest.fixture(scope="module")
def truth(built_dataset) -> dict[str, list[tuple[str, dict]]]:
    """image_id -> [(split, object dict)], read from annotations/*.parquet (split from the file name)."""
    found: dict[str, list[tuple[str, dict]]] = {}
    for path in sorted(Path(built_dataset, "annotations").glob("*.parquet")):
        split = path.name.split("-")[0]
        for row in pq.read_table(path, columns=["image_id", "objects"]).to_pylist():
            found[row["image_id"]] = [(split, obj) for obj in row["objects"]]
    assert sum(map(len, found.values())) > SMALL.num_images   # some images hold several objects
    return found


def _objects(index: DatasetIndex, rows: list[int], truth) -> list[tuple[str, dict]]:
    return [pair for row in rows for pair in truth[index.image_ids[row]]]


def _drawn_bars(page: str, panel: str) -> dict[str, dict[str, int]]:
    """{label: {series: count}} of the bars the SVG draws for one panel."""
    drawn: dict[str, dict[str, int]] = {}
    for name, label, series, count in BAR.findall(page):
        if name == panel:
            drawn.setdefault(label, {})[series] = int(count)
    return drawn


def _drawn_bins(page: str, panel: str) -> Counter:
    """{(bin start, bin end): count, summed over splits} of one histogram panel."""
    drawn: Counter = Counter()
    for name, lo, hi, _, count in BIN.findall(page):
        if name == panel:
            drawn[(float(lo), float(hi))] += int(count)
    return drawn


def _signed_degrees(radians: float) -> float:
    """Written out here, not imagenet3d.signed_angle: (-180, 180], so 354 is -6."""
    degrees = math.degrees(radians) % 360.0
    return degrees - 360.0 if degrees > 180.0 else degrees


def _name(selection: Filter) -> str:
    return ",".join(f"{k}={v}" for k, v in vars(selection).items() if v is not None and k != "sort") or "all"


@pytest.mark.parametrize("selection", FILTERS, ids=_name)
def test_the_plots_count_every_object_of_the_selected_images(index, truth, selection):
    rows = index.select(selection)
    assert rows, "each filter here selects something in the SMALL build"
    objects = _objects(index, rows, truth)
    stats = index.statistics(rows)
    page = plots.statistics_html(stats)

    by_split = Counter((obj["category"], split) for split, obj in objects)
    expected = {c: {s: n for (c2, s), n in by_split.items() if c2 == c} for c, _ in by_split}
    assert stats["objects"] == len(objects) and stats["images"] == len(rows)
    assert stats["objects_per_category_split"] == expected
    assert _drawn_bars(page, "category") == expected                  # fewer than TOP_CATEGORIES here
    supers = Counter((imagenet3d.SUPER_CATEGORIES[obj["category"]], split) for split, obj in objects)
    assert _drawn_bars(page, "super_category") == {
        k: {s: n for (k2, s), n in supers.items() if k2 == k} for k, _ in supers}

    statuses = Counter(obj["object_status"] or "missing" for _, obj in objects)
    assert set(statuses) <= {*imagenet3d.OBJECT_STATUSES, "missing"}
    assert stats["objects_per_status"] == {s: statuses.get(s, 0) for s in (*imagenet3d.OBJECT_STATUSES, "missing")}
    assert _drawn_bars(page, "status") == {s: {"objects": n} for s, n in statuses.items()}   # zero bars: none
    known = sum(obj["category"] in imagenet3d.KNOWN_CATEGORIES for _, obj in objects)
    assert stats["objects_known"] == {"known": known, "novel": len(objects) - known}
    assert _drawn_bars(page, "known") == {k: {"objects": n} for k, n in
                                          (("known", known), ("novel", len(objects) - known)) if n}

    usable = [obj for _, obj in objects if obj["usable"]]
    assert stats["usable_objects"] == len(usable)
    azimuth_edges = np.arange(0, 361, plots.AZIMUTH_BIN)
    expected_azimuth = np.histogram([math.degrees(o["azimuth"]) % 360 for o in usable], bins=azimuth_edges)[0]
    drawn = _drawn_bins(page, "azimuth")
    assert sum(drawn.values()) == len(usable)                         # every usable object, once
    assert [drawn.get((lo, lo + plots.AZIMUTH_BIN), 0) for lo in azimuth_edges[:-1]] == expected_azimuth.tolist()
    elevations = [_signed_degrees(o["elevation"]) for o in usable]
    drawn = _drawn_bins(page, "elevation")
    assert sum(drawn.values()) == len(usable)
    assert all(-90 <= lo < hi <= 90 for lo, hi in drawn)              # signed, never 0..360
    assert Counter({(lo, hi): sum(lo <= e < hi for e in elevations) for lo, hi in drawn}) == drawn
    assert f"<strong>{len(rows):,} images, {len(objects):,} objects</strong>" in page


def test_the_largest_categories_are_drawn_and_the_rest_summed(index, truth, monkeypatch):
    monkeypatch.setattr(plots, "TOP_CATEGORIES", 2)
    rows = index.select(Filter())
    counts = Counter(obj["category"] for _, obj in _objects(index, rows, truth))
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    data = plots.chart_data(index.statistics(rows))["category"]
    rest = f"{len(ranked) - 2} other categories"
    assert data["labels"] == [*ranked[:2], rest] and data["other_categories"] == ranked[2:]
    drawn = _drawn_bars(plots.statistics_html(index.statistics(rows)), "category")
    assert {label: sum(c.values()) for label, c in drawn.items()} == {
        ranked[0]: counts[ranked[0]], ranked[1]: counts[ranked[1]], rest: sum(counts[c] for c in ranked[2:])}


def test_an_elevation_stored_as_354_degrees_shows_as_minus_6(fresh):
    fresh.object_elevation = np.full_like(fresh.object_elevation, math.radians(354.0))
    stats = fresh.statistics(fresh.select(Filter()))
    assert stats["usable_objects"] > 0
    np.testing.assert_allclose(stats["elevation_degrees"], -6.0)
    page = plots.statistics_html(stats)
    assert _drawn_bins(page, "elevation") == {(-10.0, -5.0): stats["usable_objects"]}
    assert "median -6.0°" in plots.summary_markdown(stats)


def test_the_azimuth_rose_puts_0_at_the_top_and_turns_counter_clockwise(fresh):
    fresh.object_azimuth = np.full_like(fresh.object_azimuth, math.radians(92.0))   # camera on the +x side
    page = plots.statistics_html(fresh.statistics(fresh.select(Filter())))
    assert set(_drawn_bins(page, "azimuth")) == {(90.0, 100.0)}
    starts = [tuple(map(float, m)) for m in re.findall(r'<path d="M([-\d.]+),([-\d.]+)A', page)]
    assert starts and all(x < 179 for x, _ in starts)               # drawn left of the centre (180, 180)
    assert plots._polar(180, 180, 100, 0) == pytest.approx((180, 80))   # 0: straight up


def test_an_empty_selection_says_so_instead_of_plotting(index):
    stats = index.statistics([])
    assert stats["images"] == stats["objects"] == stats["usable_objects"] == 0
    assert plots.summary_markdown(stats) == plots.NO_MATCH
    page = plots.statistics_html(stats)
    assert plots.NO_MATCH in page and "<svg" not in page
    assert index.statistics(index.select(Filter(category="chair", super_category="Vehicles")))["images"] == 0


def test_images_without_a_usable_object_get_empty_angle_plots(fresh):
    fresh.object_usable = np.zeros_like(fresh.object_usable)
    stats = fresh.statistics(fresh.select(Filter()))
    page = plots.statistics_html(stats)
    assert stats["objects"] > 0 and stats["usable_objects"] == 0
    assert page.count("no usable object") == 2 and not _drawn_bins(page, "azimuth")
    assert _drawn_bars(page, "category")                              # the counts are still drawn


def test_the_tab_is_deterministic(built_dataset, index):
    rows = index.select(Filter(split="train"))
    page = plots.statistics_html(index.statistics(rows))
    assert page == plots.statistics_html(DatasetIndex(str(built_dataset)).statistics(list(reversed(rows))))
    assert page != plots.statistics_html(index.statistics(index.select(Filter(split="validation"))))


def _synthetic(index: DatasetIndex, images: int, objects: int, seed: int = 0) -> DatasetIndex:
    """A copy of ``index`` with the statistics' arrays at the real size (79k images, 95k objects
    over 189 categories), drawn at random: statistics() reads only these."""
    rng = np.random.default_rng(seed)
    big = DatasetIndex.__new__(DatasetIndex)
    weights = rng.pareto(1.0, len(imagenet3d.CATEGORIES)) + 1.0
    big.category_names = np.array(imagenet3d.CATEGORIES)
    big.category_super = np.array([imagenet3d.SUPER_CATEGORIES[c] for c in imagenet3d.CATEGORIES])
    big.image_category = rng.choice(len(big.category_names), images, p=weights / weights.sum())
    big.split_names = np.array(["train", "validation"])
    big.image_split = (rng.random(images) < 0.2).astype(np.int64)
    big.image_ids = [f"i{i}" for i in range(images)]
    big.object_row = np.sort(np.concatenate([np.arange(images), rng.choice(images, objects - images)]))
    big.num_objects = np.bincount(big.object_row, minlength=images)
    big.object_category = big.image_category[big.object_row]
    big.object_split = big.image_split[big.object_row]
    big.object_known = np.isin(big.category_names[big.object_category], imagenet3d.KNOWN_CATEGORIES)
    big.status_names = index.status_names
    big.object_status = rng.choice(len(index.status_names), objects).astype(np.int8)
    big.object_usable = rng.random(objects) < 0.85
    big.object_azimuth = rng.uniform(0, 2 * math.pi, objects)
    big.object_elevation = np.mod(rng.normal(0.15, 0.2, objects), 2 * math.pi)
    return big


def test_statistics_and_plots_count_an_index_of_the_real_size(index):
    """95k objects (the time it takes is measured by benchmarks/bench_viewer.py, not here)."""
    big = _synthetic(index, 79_000, 95_000)
    stats = big.statistics(list(range(0, 79_000)))
    page = plots.statistics_html(stats)
    assert stats["objects"] == 95_000 and sum(_drawn_bins(page, "azimuth").values()) == stats["usable_objects"]
    assert sum(sum(c.values()) for c in _drawn_bars(page, "category").values()) == 95_000
    assert len(_drawn_bars(page, "category")) == plots.TOP_CATEGORIES + 1
