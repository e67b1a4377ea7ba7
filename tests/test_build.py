"""python -m conversion build: a raw release -> a Hub dataset folder that loads in one line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from datasets import load_dataset
from huggingface_hub import DatasetCard

import imagenet3d
from _imagenet3d.annotations import _load_annotation_array  # the raw arrays, not normalised
from conversion import derived_configs, manifest
from conversion.__main__ import main
from conversion.build import build, shard_count

import releases
from releases import LARGE

REPO = Path(__file__).resolve().parents[1]
# Known and novel categories, so every open-vocabulary split has rows; ten car images for bad_build.
CATEGORIES, PER_CATEGORY = list(LARGE.categories), LARGE.images_per_category


def repo_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not manifest.is_hidden(p.relative_to(root).as_posix())}


def captions_args(large_release: Path) -> dict:
    return {"captions_path": str(large_release / releases.CAPTIONS),
            "descriptions_path": str(large_release / releases.DESCRIPTIONS)}


@pytest.fixture(scope="module")
def built(large_dataset) -> Path:
    """Built from the zip with one worker, captions and descriptions: what the tests below rebuild to compare."""
    return large_dataset


# Written out, not read from imagenet3d.CONFIG_SPLITS: what a user of each config gets.
CONFIGS = {"default": {"train", "validation"},
           "open_vocabulary": {"train", "validation_known", "validation_novel"},
           "annotations": {"train", "validation"}, "cad_models": {"train"}, "categories": {"train"}}


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_loads_map_style_and_streaming(built, config):
    ds = load_dataset(str(built), config)
    assert set(ds) == CONFIGS[config]
    streamed = load_dataset(str(built), config, streaming=True)
    for split in CONFIGS[config]:
        first = next(iter(streamed[split]))
        assert set(first) == set(imagenet3d.features(config))
        assert first == ds[split][0]


def test_the_configs_hold_the_release(built):
    default = load_dataset(str(built))
    assert len(default["train"]) + len(default["validation"]) == len(CATEGORIES) * PER_CATEGORY
    row = default["train"][0]
    assert row["image"].size == (row["width"], row["height"])
    assert isinstance(row["objects"], list) and isinstance(row["objects"][0], dict)
    assert row["caption"].count("<pose6D>") == len(row["objects"])
    ov = load_dataset(str(built), "open_vocabulary")
    assert set(ov["train"]["category"]) <= set(imagenet3d.KNOWN_CATEGORIES)
    assert set(ov["validation_novel"]["category"]) <= set(imagenet3d.NOVEL_CATEGORIES)
    assert len(ov["validation_known"]) + len(ov["validation_novel"]) == len(default["validation"])
    assert "image" not in load_dataset(str(built), "annotations")["train"].features
    models = load_dataset(str(built), "cad_models")["train"]
    assert len(models) == sum(imagenet3d.CATEGORY_INFO[c].num_cad_models for c in CATEGORIES)
    assert len(load_dataset(str(built), "categories")["train"]) == 189


def test_one_line_by_name_from_the_parent_folder(built, monkeypatch):
    monkeypatch.chdir(built.parent)
    assert len(load_dataset("imagenet3d", split="validation")) > 0
    assert not (built / "imagenet3d.py").exists()


def test_image_bytes_are_the_originals(built, large_release):
    table = pq.read_table(next((built / "data").glob("*.parquet")), columns=["image", "image_id"])
    for image, image_id in zip(table.column("image").to_pylist(), table.column("image_id").to_pylist()):
        original = (large_release / "imagenet3d_v1" / "images" / f"{image_id}.JPEG").read_bytes()
        from conversion import exif
        assert image["bytes"] == exif.neutralise_orientation(original)


def test_parquet_layout(built):
    for path in (built / "data").glob("*.parquet"):
        metadata = pq.ParquetFile(path).metadata
        assert b"huggingface" in metadata.metadata
        columns = {metadata.row_group(0).column(i).path_in_schema: metadata.row_group(0).column(i)
                   for i in range(metadata.num_columns)}
        assert columns["image.bytes"].compression == "UNCOMPRESSED"
        assert columns["image_id"].compression == "SNAPPY"
        assert "RLE_DICTIONARY" not in columns["image_id"].encodings  # cheap to decode (see parquet_io)
        assert columns["image.bytes"].has_offset_index  # page index written
        sizes = [metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)]
        assert max(sizes) < 8 * 1024**2


def test_card_yaml_parses_and_matches_the_data(built):
    card = DatasetCard.load(built / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "cc-by-nc-4.0"
    configs = {c["config_name"]: c for c in data["configs"]}
    assert set(configs) == set(imagenet3d.CONFIG_SPLITS)
    infos = {i["config_name"]: i for i in data["dataset_info"]}
    for config, info in infos.items():
        loaded = load_dataset(str(built), config)
        for split in info["splits"]:
            assert split["num_examples"] == len(loaded[split["name"]])
    text = (built / "README.md").read_text()
    assert "not public" in text and "our grouping" in text and "@article{ma2024imagenet3d" in text
    for figure in ("objects_per_category.png", "azimuth_distribution.png"):
        assert f"figures/{figure}" in text and (built / "figures" / figure).is_file()


def test_verify_passes_and_catches_a_flipped_byte(built, tmp_path, capsys):
    assert manifest.verify(built) == []
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    victim = sorted((copy / "data").glob("*.parquet"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    assert main(["verify", str(copy)]) == 1
    assert victim.name in capsys.readouterr().err


def test_same_bytes_for_one_and_two_workers(large_release, built, tmp_path):
    other = tmp_path / "two"
    build(large_release / "imagenet3d_v1.zip", other, workers=2, progress=False, **captions_args(large_release))
    assert repo_files(other) == repo_files(built)


def test_folder_and_zip_sources_give_the_same_rows(large_release, built, tmp_path):
    from_folder = tmp_path / "folder"
    build(large_release / "imagenet3d_v1", from_folder, workers=1, progress=False, **captions_args(large_release))
    for relpath in repo_files(built):
        if relpath.startswith("data/"):
            assert (from_folder / relpath).read_bytes() == (built / relpath).read_bytes()


def test_resume_after_a_kill(large_release, built, tmp_path):
    out = tmp_path / "killed"
    script = (
        "import sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from conversion import validate, build\n"
        "slow = validate.build_record\n"
        "def build_record(*a, **k):\n"
        "    time.sleep(0.1)\n"
        "    return slow(*a, **k)\n"
        "validate.build_record = build_record\n"
        "build.build(sys.argv[2], sys.argv[3], captions_path=sys.argv[4], descriptions_path=sys.argv[5],"
        " workers=1, progress=False)\n"
    )
    args = captions_args(large_release)
    process = subprocess.Popen([sys.executable, "-c", script, str(REPO), str(large_release / "imagenet3d_v1.zip"),
                                str(out), args["captions_path"], args["descriptions_path"]])
    deadline = time.time() + 60
    while time.time() < deadline and not list((out / "data").glob("*.parquet")):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = sorted((out / "data").glob("*.parquet"))
    assert 1 <= len(finished) < 4, "the kill should land mid-run"
    for path in finished:  # nothing half-written under a final name
        pq.ParquetFile(path).metadata
    assert not (out / "README.md").exists()
    (out / "data" / f".x.parquet.tmp-{process.pid}-1").write_bytes(b"half")  # what a kill leaves
    cad_files = [out / derived_configs.single_file("cad_models"), out / imagenet3d.CAD_MESHES_FILE]
    before = {p.name: p.stat().st_mtime_ns for p in [*finished, *cad_files]}
    build(large_release / "imagenet3d_v1.zip", out, workers=1, progress=False, **args)
    # finished shards and the CAD stage, done before the kill, were kept
    assert {p.name: p.stat().st_mtime_ns for p in [*finished, *cad_files]} == before
    assert not [p.name for p in out.rglob("*") if ".tmp-" in p.name]  # the killed build's temp files are gone
    assert repo_files(out) == repo_files(built)


def test_wrong_source_gives_a_one_line_error(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nowhere"), str(tmp_path / "out"), "--quiet"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    (tmp_path / "not-a-release").mkdir()
    assert main(["build", str(tmp_path / "not-a-release"), str(tmp_path / "out"), "--quiet"]) == 2
    assert "not an ImageNet3D release" in capsys.readouterr().err
    (tmp_path / "file.txt").write_text("hello")
    assert main(["build", str(tmp_path / "file.txt"), str(tmp_path / "out"), "--quiet"]) == 2
    assert "neither a folder nor a .zip" in capsys.readouterr().err


def test_shard_counts_divide_evenly():
    assert shard_count(10 * 1024**2) == 1
    assert shard_count(200 * 1024**2) == 3
    assert shard_count(1024**3) == 12
    for size in (2 * 1024**3, 8 * 1024**3, 40 * 1024**3):
        assert shard_count(size) % 24 == 0


# -- bad input ---------------------------------------------------------------


def _npz_with(objects) -> bytes:
    return imagenet3d.annotation_bytes(objects)


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/imagenet3d-pwned",))


@pytest.fixture(scope="module")
def bad_build(large_release, tmp_path_factory):
    """The good release plus one of every kind of bad input, zipped with hostile entries."""
    root = tmp_path_factory.mktemp("bad") / "imagenet3d_v1"
    shutil.copytree(large_release / "imagenet3d_v1", root)
    images, annotations = root / "images", root / "annotations"
    stems = sorted(p.stem for p in (images / "car").glob("*.JPEG"))
    good = {stem: _load_annotation_array((annotations / "car" / f"{stem}.npz").read_bytes()).tolist()
            for stem in stems}
    expected = {}

    def image(stem):
        return images / "car" / f"{stem}.JPEG"

    def annotation(stem):
        return annotations / "car" / f"{stem}.npz"

    data = image(stems[0]).read_bytes()
    image(stems[0]).write_bytes(data[: len(data) // 2])
    expected[f"images/car/{stems[0]}.JPEG"] = "corrupt or truncated"
    cup = sorted((images / "cup").glob("*.JPEG"))[0]
    cup_data = cup.read_bytes()
    cup.write_bytes(cup_data[:2] + b"not a JPEG header" * 8 + cup_data[138:])  # corrupt, not truncated
    expected[f"images/cup/{cup.name}"] = "corrupt or truncated"
    image(stems[1]).write_bytes(b"")
    expected[f"images/car/{stems[1]}.JPEG"] = "zero-byte"
    image(stems[2]).unlink()  # an annotation without its image
    expected[f"images/car/{stems[2]}.JPEG"] = "missing (its annotation exists)"
    annotation(stems[3]).unlink()  # an image without its annotation
    expected[f"annotations/car/{stems[3]}.npz"] = "missing (its image exists)"
    def posed(stem, **changes):
        """A complete, valid object for this image, then the changes."""
        from PIL import Image
        width, height = Image.open(image(stem)).size
        template = next(o for objs in good.values() for o in objs if "azimuth" in o and "object_status" in o)
        obj = dict(template, width=np.uint16(width), height=np.uint16(height), bbox=np.array([1.0, 1.0, 10.0, 10.0]))
        return {**obj, **changes}

    annotation(stems[4]).write_bytes(_npz_with([posed(stems[4], azimuth=Evil())]))
    expected[f"annotations/car/{stems[4]}.npz"] = "refused"
    annotation(stems[5]).write_bytes(b"PK\x03\x04 this is not a real npz")
    expected[f"annotations/car/{stems[5]}.npz"] = "npz"
    obj = posed(stems[6], azimuth=float("nan"))
    annotation(stems[6]).write_bytes(_npz_with([obj]))
    expected[f"annotations/car/{stems[6]}.npz"] = "NaN or infinite"
    obj = posed(stems[7], bbox=np.array([10.0, 10.0, 5000.0, 20.0]))
    annotation(stems[7]).write_bytes(_npz_with([obj]))
    expected[f"annotations/car/{stems[7]}.npz"] = "outside"
    obj = posed(stems[8], cad_index=99)
    annotation(stems[8]).write_bytes(_npz_with([obj]))
    expected[f"annotations/car/{stems[8]}.npz"] = "CAD/car/99.off is missing"
    # An image listed twice in one list, and one in both train and val.
    bed = sorted(p.stem for p in (images / "bed").glob("*.JPEG"))
    train, val = root / "lists" / "bed_imagenet_train.txt", root / "lists" / "bed_imagenet_val.txt"
    train_stems = train.read_text().split()
    train.write_text(train.read_text() + train_stems[0] + "\n")
    expected["lists/bed_imagenet_train.txt"] = "listed 2 times"
    val.write_text(val.read_text() + train_stems[1] + "\n")
    expected[f"images/bed/{train_stems[1]}.JPEG"] = "both train and val"
    # An orphan image that no list names, and an annotation without image.
    shutil.copy(image(stems[9]), images / "car" / "n02958343_999999.JPEG")
    expected["images/car/n02958343_999999.JPEG"] = "image without its annotation"
    shutil.copy(annotations / "bed" / f"{bed[-1]}.npz", annotations / "bed" / "n02818832_999999.npz")
    expected["annotations/bed/n02818832_999999.npz"] = "annotation without its image"

    archive_path = root.parent / "imagenet3d_v1.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, f"imagenet3d_v1/{path.relative_to(root).as_posix()}")
        archive.writestr("/etc/evil.txt", b"absolute")
        archive.writestr("imagenet3d_v1/images/../../escape.JPEG", b"dotdot")
    expected["/etc/evil.txt"] = "unsafe zip entry"
    expected["imagenet3d_v1/images/../../escape.JPEG"] = "unsafe zip entry"
    out = root.parent / "out"
    result = build(archive_path, out, workers=2, progress=False)
    return out, result, expected


def test_every_bad_input_is_quarantined_with_its_reason(bad_build):
    out, result, expected = bad_build
    entries = json.loads((out / "quarantine.json").read_text())["entries"]
    by_path = {}
    for entry in entries:
        by_path.setdefault(entry["path"], []).append(entry["reason"])
    for path, reason in expected.items():
        assert path in by_path, f"{path} not quarantined; have {sorted(by_path)}"
        assert any(reason in r for r in by_path[path]), (path, by_path[path])
    assert not Path("/tmp/imagenet3d-pwned").exists()
    assert len(result.quarantine) == len(entries)
    # Reasons are reproducible: none quotes an object's repr (Pillow's "<_io.BytesIO object at 0x...>").
    assert not [entry for entry in entries if " at 0x" in entry["reason"]]


def test_bad_input_does_not_stop_the_rest(bad_build, large_release):
    out, result, expected = bad_build
    ds = load_dataset(str(out))
    total = len(ds["train"]) + len(ds["validation"])
    lost = {p for p in expected if p.startswith(("images/car", "annotations/car"))} - {
        "images/car/n02958343_999999.JPEG"}
    # Also lost: the image listed in both splits and the cup with a corrupt header.
    assert total == len(CATEGORIES) * PER_CATEGORY - len(lost) - 2
    assert manifest.verify(out) == []


def test_strict_fails_on_bad_input(bad_build, tmp_path, capsys):
    out, _, _ = bad_build
    source = out.parent / "imagenet3d_v1.zip"
    assert main(["build", str(source), str(tmp_path / "strict"), "--strict", "--quiet", "--workers", "1"]) == 1
    assert "--strict" in capsys.readouterr().err
