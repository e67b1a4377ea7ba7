"""The 189 categories of ImageNet3D v1, their super-categories and the object status values.

The table itself is data, categories.csv beside this module.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

#: Why a note travels with the super-categories: the official mapping
#: (imagenet3d_metaclasses_189.json) is not public, so every place that shows
#: a super-category must say the grouping is ours.
SUPER_CATEGORY_NOTE = (
    "Super-categories use the paper's seven names, but the assignment of "
    "categories to them is this project's own grouping: the official mapping "
    "(imagenet3d_metaclasses_189.json) is not public."
)

SUPER_CATEGORY_NAMES: tuple[str, ...] = (
    "Electronics", "Furniture", "Household", "Music", "Sports", "Vehicles", "Work",
)

#: Column headers of the paper's tables.
SUPER_CATEGORY_ABBREVIATIONS: dict[str, str] = {
    "Electronics": "Elec.", "Furniture": "Furn.", "Household": "Hou.",
    "Music": "Mus.", "Sports": "Spo.", "Vehicles": "Veh.", "Work": "Work",
}


@dataclass(frozen=True)
class CategoryInfo:
    """One category of the v1 release.

    ``known`` marks the 63 training categories of the open-vocabulary protocol
    (``know_categories.txt`` of imagenet3d_exp); the other 126 are novel.
    ``example_wnids`` are ImageNet21k synsets seen for it in public material
    (empty where none was found); the release's file names carry the real ones.
    """

    name: str
    index: int
    super_category: str
    known: bool
    num_cad_models: int
    example_wnids: tuple[str, ...]


def _read_category_table() -> dict[str, CategoryInfo]:
    """categories.csv beside this module: category, super-category (ours), known (1/0), number of
    CAD models, example WNIDs (space-separated). Sources: the v1 code ecosystem's 189 categories,
    EXP:know_categories.txt and the annotation tool's CAD folders (see the repository README).
    Kept as data, as TFDS keeps its label files, so the table is one file that tools can read."""
    text = resources.files("_imagenet3d").joinpath("categories.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = sorted(row["category"] for row in rows)
    info = {}
    for row in rows:
        name = row["category"]
        info[name] = CategoryInfo(
            name=name,
            index=names.index(name),
            super_category=row["super_category"],
            known=row["known"] == "1",
            num_cad_models=int(row["num_cad_models"]),
            example_wnids=tuple(row["example_wnids"].split()),
        )
    return dict(sorted(info.items()))


CATEGORY_INFO: dict[str, CategoryInfo] = _read_category_table()

#: The 189 category names in sorted order; the position is the class index
#: used by the official experiment code.
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_INFO)
KNOWN_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if CATEGORY_INFO[c].known)
NOVEL_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if not CATEGORY_INFO[c].known)
#: category -> super-category. Our grouping, see SUPER_CATEGORY_NOTE.
SUPER_CATEGORIES: dict[str, str] = {c: CATEGORY_INFO[c].super_category for c in CATEGORIES}

OBJECT_STATUSES: tuple[str, ...] = (
    "status_good", "status_partially", "status_barely", "status_bad",
)
DENSE_VALUES: tuple[str, ...] = ("dense_yes", "dense_no")

