"""The card and manifest tell the truth: synthetic or real, no machine paths, links to the project and release."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from huggingface_hub import DatasetCard

import imagenet3d
from conversion import manifest, validate
from conversion.build import build
from conversion.source import SYNTHETIC_MARKER, ReleaseSource

from releases import TINY

CATEGORIES, PER_CATEGORY = list(TINY.categories), TINY.images_per_category
SYNTHETIC_WARNING = "> [!WARNING]"
ORIGINAL_BYTES_CLAIM = "original JPEG (or PNG) bytes of the release"


@pytest.fixture(scope="module")
def builds(tiny_release, tmp_path_factory) -> dict[str, Path]:
    """The same tiny release built twice from its folder: as written (marked synthetic) and with the marker
    deleted (what a real release looks like to the converter)."""
    raw = tiny_release
    unmarked = tmp_path_factory.mktemp("unmarked") / "imagenet3d_v1"
    shutil.copytree(raw / "imagenet3d_v1", unmarked)
    (unmarked / SYNTHETIC_MARKER).unlink()
    out = tmp_path_factory.mktemp("out")
    # Given by absolute path, with one bad line: its quarantine entry must not hold the path. A copy: the
    # release is shared.
    captions = str(tmp_path_factory.mktemp("captions") / "image_captions.jsonl")
    shutil.copy(raw / "captions" / "image_captions.jsonl", captions)
    with open(captions, "a", encoding="utf-8") as handle:
        handle.write("not json\n")
    build(raw / "imagenet3d_v1", out / "synthetic", captions_path=captions, workers=1, progress=False)
    build(unmarked, out / "unmarked", captions_path=captions, workers=1, progress=False)
    return {"raw": raw, "synthetic": out / "synthetic", "unmarked": out / "unmarked"}


def body_lines(folder: Path) -> list[str]:
    """The card's markdown after the YAML front matter, without blank lines."""
    return [line for line in DatasetCard.load(folder / "README.md").text.splitlines() if line.strip()]


def test_a_synthetic_build_says_so_first(builds):
    lines = body_lines(builds["synthetic"])
    assert lines[0].startswith("# ") and "synthetic" in lines[0]
    assert lines[1] == SYNTHETIC_WARNING and "Synthetic data" in lines[2] and f"seed {TINY.seed}" in lines[2]
    text = (builds["synthetic"] / "README.md").read_text()
    assert ORIGINAL_BYTES_CLAIM not in text and "original JPEG bytes of the release" not in text
    assert "synthetic" in DatasetCard.load(builds["synthetic"] / "README.md").data.tags
    assert json.loads((builds["synthetic"] / "manifest.json").read_text())["source"]["synthetic"] is True


def test_a_release_without_the_marker_gets_no_warning(builds):
    card = DatasetCard.load(builds["unmarked"] / "README.md")
    assert SYNTHETIC_WARNING not in card.text and "synthetic stand-in" not in card.text
    assert "synthetic" not in card.data.tags and card.data.pretty_name == "ImageNet3D"
    assert body_lines(builds["unmarked"])[0] == "# ImageNet3D"
    assert ORIGINAL_BYTES_CLAIM in card.text
    assert json.loads((builds["unmarked"] / "manifest.json").read_text())["source"]["synthetic"] is False


def test_the_marker_changes_nothing_but_the_card_and_manifest(builds):
    marked = ReleaseSource(builds["raw"] / "imagenet3d_v1")
    assert marked.synthetic["seed"] == TINY.seed and ReleaseSource(builds["raw"] / "imagenet3d_v1.zip").synthetic == \
        marked.synthetic
    candidates, problems = validate.plan_candidates(marked)
    assert len(candidates) == len(CATEGORIES) * PER_CATEGORY
    assert not [p for p in problems if SYNTHETIC_MARKER in p["path"]]
    ours, theirs = (set(manifest.repo_files(builds[k])) for k in ("synthetic", "unmarked"))
    assert ours == theirs
    differ = {f for f in ours if (builds["synthetic"] / f).read_bytes() != (builds["unmarked"] / f).read_bytes()}
    assert differ == {"README.md", "manifest.json"}


def test_the_card_links_the_project_and_the_original_release(builds):
    for kind in ("synthetic", "unmarked"):
        text = (builds[kind] / "README.md").read_text()
        for link in (imagenet3d.PROJECT_URL, "https://huggingface.co/datasets/ccvl/ImageNet3D",
                     "https://imagenet3d.github.io", "https://arxiv.org/abs/2406.09613"):
            assert f"]({link})" in text, (kind, link)  # a markdown link
        section = text.split("## Use with this project", 1)[1].split("\n## ", 1)[0]
        for usage in ("pip install", "imagenet3d.load(", "imagenet3d.to_objects(", "python -m imagenet3d evaluate",
                      "Space", f"{imagenet3d.PROJECT_URL}/tree/main/viewer_app"):
            assert usage in section, (kind, usage)
        source = text.split("## Source", 1)[1].split("\n## ", 1)[0]
        assert "not public" in source and "optional input" in source and "this project's own" in source
        assert f"{len(CATEGORIES) * PER_CATEGORY} of {len(CATEGORIES) * PER_CATEGORY} images" in source


def test_no_file_of_the_build_holds_a_path_of_the_machine(builds, tmp_path_factory):
    machine = {str(tmp_path_factory.getbasetemp()), str(tmp_path_factory.getbasetemp().resolve()),
               str(builds["raw"]), os.path.expanduser("~")}
    machine = {m.encode() for m in machine if len(m) > 1}
    for kind in ("synthetic", "unmarked"):
        files = manifest.repo_files(builds[kind])
        assert {"README.md", "manifest.json", "quarantine.json"} <= set(files)
        for relpath in files:
            data = (builds[kind] / relpath).read_bytes()
            assert not [m for m in machine if m in data], (kind, relpath)
    source = json.loads((builds["synthetic"] / "manifest.json").read_text())["source"]
    assert source["name"] == "imagenet3d_v1" and "path" not in source
    entries = json.loads((builds["synthetic"] / "quarantine.json").read_text())["entries"]
    assert [e["path"] for e in entries] == [f"image_captions.jsonl:{len(CATEGORIES) * PER_CATEGORY + 1}"]


def test_a_moved_release_and_captions_resume_the_build(builds, tmp_path):
    """The build state holds names, sizes and hashes, not paths: the same bytes elsewhere resume."""
    first, moved = tmp_path / "a", tmp_path / "b"
    for folder in (first, moved):
        (folder / "captions").mkdir(parents=True)
        shutil.copy(builds["raw"] / "imagenet3d_v1.zip", folder)
        shutil.copy(builds["raw"] / "captions" / "image_captions.jsonl", folder / "captions")
    out = tmp_path / "out"
    build(first / "imagenet3d_v1.zip", out, captions_path=str(first / "captions" / "image_captions.jsonl"),
          workers=1, progress=False)
    shards = {p: p.stat().st_mtime_ns for p in (out / "data").glob("*.parquet")}
    state = (out / ".build" / "state.json").read_text()
    assert str(tmp_path) not in state
    build(moved / "imagenet3d_v1.zip", out, captions_path=str(moved / "captions" / "image_captions.jsonl"),
          workers=1, progress=False)
    assert {p: p.stat().st_mtime_ns for p in shards} == shards  # kept, not rewritten
    assert body_lines(out)[1] == SYNTHETIC_WARNING  # the marker is read from the zip too
    assert manifest.verify(out) == []
