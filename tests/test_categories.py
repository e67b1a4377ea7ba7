"""The category table: counts, the open-vocabulary split and the super-categories."""

import csv
from pathlib import Path

import pytest

import imagenet3d

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "categories.csv"


def test_counts_and_order():
    assert len(imagenet3d.CATEGORIES) == 189
    assert list(imagenet3d.CATEGORIES) == sorted(imagenet3d.CATEGORIES)
    assert len(imagenet3d.KNOWN_CATEGORIES) == 63
    assert len(imagenet3d.NOVEL_CATEGORIES) == 126
    assert not set(imagenet3d.KNOWN_CATEGORIES) & set(imagenet3d.NOVEL_CATEGORIES)
    assert [imagenet3d.CATEGORY_INFO[c].index for c in imagenet3d.CATEGORIES] == list(range(189))


def test_super_categories_are_the_papers_seven_and_each_has_a_known_category():
    assert set(imagenet3d.SUPER_CATEGORIES.values()) == set(imagenet3d.SUPER_CATEGORY_NAMES)
    assert set(imagenet3d.SUPER_CATEGORIES) == set(imagenet3d.CATEGORIES)
    for name in imagenet3d.SUPER_CATEGORY_NAMES:
        # The official open-vocabulary script asserts this of every meta-class.
        assert any(imagenet3d.SUPER_CATEGORIES[c] == name for c in imagenet3d.KNOWN_CATEGORIES)
    assert "not public" in imagenet3d.SUPER_CATEGORY_NOTE


def test_spot_values():
    assert imagenet3d.CATEGORY_INFO["aeroplane"].num_cad_models == 8
    assert imagenet3d.CATEGORY_INFO["bed"].example_wnids == ("n02818832",)
    assert imagenet3d.CATEGORY_INFO["air_hammer"].known
    assert not imagenet3d.CATEGORY_INFO["chair"].known
    assert sum(i.num_cad_models for i in imagenet3d.CATEGORY_INFO.values()) == 992


@pytest.mark.skipif(not REFERENCE.is_file(), reason="shared/reference is not beside this checkout")
def test_table_matches_the_reference_csv():
    rows = {row["category"]: row for row in csv.DictReader(REFERENCE.open())}
    assert set(rows) == set(imagenet3d.CATEGORIES)
    for name, info in imagenet3d.CATEGORY_INFO.items():
        row = rows[name]
        assert info.super_category == row["super_category"]
        assert info.known == (row["known"] == "1")
        assert info.num_cad_models == int(row["num_cad_models"])
        assert info.example_wnids == tuple(row["example_wnids"].split())
