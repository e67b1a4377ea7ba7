"""The category table: counts, the open-vocabulary split and the super-categories."""

import csv
import hashlib
from importlib import resources

import imagenet3d

# The table is data shipped inside the library package (as TFDS keeps its labels), read where it is installed.
TABLE = resources.files("_imagenet3d").joinpath("categories.csv")
COLUMNS = ["category", "super_category", "known", "num_cad_models", "example_wnids"]
# sha256 of the project's reference table (shared/reference/categories.csv, from the paper's release), which
# lives outside the repository: the packaged copy must stay byte-equal to it, checked in any clone.
REFERENCE_SHA256 = "de5cb367ebccb4ff6e155e218078993fa859a48c7d6cf82f7b1a6a7379e38b07"


def read_rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


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


def test_the_packaged_csv_is_the_table_imagenet3d_holds():
    rows = read_rows(TABLE)
    assert len(rows) == 189 and sum(row["known"] == "1" for row in rows) == 63
    assert {row["known"] for row in rows} == {"0", "1"}
    assert [row["category"] for row in rows] == list(imagenet3d.CATEGORIES)
    assert {row["super_category"] for row in rows} == set(imagenet3d.SUPER_CATEGORY_NAMES)
    for row in rows:
        info = imagenet3d.CATEGORY_INFO[row["category"]]
        assert info.super_category == row["super_category"]
        assert info.known == (row["known"] == "1")
        assert info.num_cad_models == int(row["num_cad_models"])
        assert info.example_wnids == tuple(row["example_wnids"].split())


def test_the_packaged_csv_is_the_reference_table():
    assert hashlib.sha256(TABLE.read_bytes()).hexdigest() == REFERENCE_SHA256
