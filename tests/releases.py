"""Tiny synthetic releases for the tests, in the spirit of torchvision's fake-data utilities: a few named
parameter sets, each written and built at most once per session by conftest.py's fixtures.

A test module imports the set it uses (``from releases import SMALL``) to know what the data holds, e.g.
``SMALL.num_images``, instead of repeating numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Spec:
    """The arguments of synthetic_release.writer.write_release that decide a release's content."""

    name: str
    categories: tuple[str, ...]
    images_per_category: int
    seed: int

    @property
    def num_images(self) -> int:
        return len(self.categories) * self.images_per_category


# Two known (bed, car) and two novel (chair, cup) categories, so every split of every config has rows.
SMALL = Spec("small", ("bed", "car", "chair", "cup"), 8, seed=4)
# More images: 27 known objects, for 2 ranks x 2 workers with a remainder left over (test_distributed), and ten
# car images for test_build's bad inputs.
LARGE = Spec("large", ("bed", "car", "chair", "cup"), 12, seed=5)
# One known and one novel category with one small CAD model each: the quickest build (card, Hub download).
TINY = Spec("tiny", ("beaker", "frisbee"), 5, seed=11)

ZIP = "imagenet3d_v1.zip"
FOLDER = "imagenet3d_v1"
CAPTIONS = "captions/image_captions.jsonl"
DESCRIPTIONS = "captions/category_descriptions.json"


def write(spec: Spec, out: Path) -> Path:
    """``out`` gets the release as a folder and a zip, and its captions, as `make demo` writes them."""
    from synthetic_release.writer import write_release

    write_release(out, list(spec.categories), spec.images_per_category, seed=spec.seed, workers=1, tree=True,
                  zip_=True, progress=False)
    return out


def build(raw: Path, out: Path) -> Path:
    """The Hub dataset folder ``out`` built from the zip with captions and descriptions, as `make demo` does."""
    from conversion.build import build as build_dataset

    build_dataset(raw / ZIP, out, captions_path=str(raw / CAPTIONS), descriptions_path=str(raw / DESCRIPTIONS),
                  workers=1, progress=False)
    return out


def fingerprint(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``root``: what a test that wrote there would change."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), root)] = (stat.st_size, stat.st_mtime_ns)
    return found
