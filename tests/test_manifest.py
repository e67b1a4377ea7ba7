"""manifest.json: what it records, that it is deterministic, and what verify catches."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conversion import manifest

SOURCE = {"name": "imagenet3d_v1.zip", "listing_sha256": "0" * 64}
TOOLS = {"python": "3.11", "pyarrow": "26"}


def make_repo(root: Path) -> Path:
    """A tiny dataset repo: card, two shards in two configs, a figure, and build leftovers."""
    (root / "data").mkdir(parents=True)
    (root / "cad_models").mkdir()
    (root / "figures").mkdir()
    (root / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# Test\n")
    pq.write_table(pa.table({"id": [1, 2, 3], "label": ["a", "b", "c"]}), root / "data" / "train-00000.parquet")
    pq.write_table(pa.table({"id": list(range(5))}), root / "cad_models" / "test-00000.parquet",
                   row_group_size=2)
    (root / "figures" / "poses.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (root / "data" / ".train-00001.parquet.tmp-123").write_bytes(b"half written")
    (root / ".cache" / "huggingface").mkdir(parents=True)
    (root / ".cache" / "huggingface" / "lock").write_text("x")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "out")
    manifest.write_manifest(root, SOURCE, TOOLS)
    return root


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    manifest.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_records_files_sizes_hashes_and_rows(repo):
    written = json.loads((repo / "manifest.json").read_text())
    assert written["format_version"] == 1
    assert written["source"] == SOURCE and written["tools"] == TOOLS
    assert sorted(written["files"]) == ["README.md", "cad_models/test-00000.parquet",
                                        "data/train-00000.parquet", "figures/poses.png"]
    png = written["files"]["figures/poses.png"]
    assert png == {"sha256": manifest.sha256_file(repo / "figures/poses.png"), "size": 264}
    assert written["files"]["data/train-00000.parquet"]["num_rows"] == 3
    shard = written["files"]["cad_models/test-00000.parquet"]
    assert (shard["num_rows"], shard["num_row_groups"]) == (5, 3)
    assert shard["size"] == (repo / "cad_models/test-00000.parquet").stat().st_size
    assert not list(repo.glob(".manifest*"))  # the temp file is gone


def test_default_tools_are_installed_versions(tmp_path):
    written = manifest.write_manifest(make_repo(tmp_path / "out"), SOURCE)
    assert set(written["tools"]) == {"python", "datasets", "huggingface_hub", "pyarrow", "numpy", "pillow"}
    assert written["tools"]["pyarrow"] == pa.__version__


def test_same_folder_gives_same_bytes(repo):
    first = (repo / "manifest.json").read_bytes()
    manifest.write_manifest(repo, SOURCE, TOOLS)
    assert (repo / "manifest.json").read_bytes() == first
    assert first.endswith(b"\n") and b'\n "files": {' in first  # indent 1, sorted keys


def test_intact_folder_verifies(repo):
    assert manifest.verify(repo) == []
    # Hidden files appearing later are build leftovers, not content.
    (repo / ".huggingface").mkdir()
    (repo / ".huggingface" / "upload.lock").write_text("x")
    assert manifest.verify(repo) == []


def test_one_flipped_byte_is_caught(repo):
    shard = repo / "data" / "train-00000.parquet"
    flip_byte(shard, shard.stat().st_size // 2)
    problems = manifest.verify(repo)
    assert problems and all(p.startswith("data/train-00000.parquet:") for p in problems)
    assert any("sha256" in p for p in problems)


def test_broken_parquet_footer_is_reported(repo):
    shard = repo / "cad_models" / "test-00000.parquet"
    flip_byte(shard, shard.stat().st_size - 1)  # the trailing 'PAR1' magic
    problems = manifest.verify(repo)
    assert any(p.startswith("cad_models/test-00000.parquet: unreadable parquet") for p in problems)


def test_missing_file_is_reported(repo):
    (repo / "figures" / "poses.png").unlink()
    assert manifest.verify(repo) == ["figures/poses.png: listed in manifest.json but missing"]


def test_resized_file_is_reported(repo):
    with open(repo / "README.md", "a") as handle:
        handle.write("more\n")
    [problem] = manifest.verify(repo)
    assert problem.startswith("README.md: size")


def test_unlisted_file_is_reported(repo):
    (repo / "data" / "train-00001.parquet").write_bytes(b"new")
    assert manifest.verify(repo) == ["data/train-00001.parquet: present but not listed in manifest.json"]


def test_row_count_mismatch_is_reported(repo):
    path = repo / "manifest.json"
    written = json.loads(path.read_text())
    written["files"]["data/train-00000.parquet"]["num_rows"] = 4
    path.write_text(json.dumps(written))
    assert manifest.verify(repo) == ["data/train-00000.parquet: 3 rows, manifest.json says 4"]


def test_manifest_pointing_outside_is_reported(repo):
    path = repo / "manifest.json"
    written = json.loads(path.read_text())
    written["files"]["../secret"] = {"sha256": "0" * 64, "size": 1}
    path.write_text(json.dumps(written))
    assert manifest.verify(repo) == ["../secret: not a valid path for manifest.json"]


def test_corrupt_manifest_is_reported_not_raised(repo):
    path = repo / "manifest.json"
    path.write_bytes(path.read_bytes()[:-20])
    [problem] = manifest.verify(repo)
    assert problem.startswith("manifest.json: cannot be parsed")
    path.write_text("[]")
    assert manifest.verify(repo) == ["manifest.json: has no 'files' table"]


def test_missing_manifest_is_reported(repo):
    (repo / "manifest.json").unlink()
    [problem] = manifest.verify(repo)
    assert problem.startswith("manifest.json: missing")


def test_cli_ok(repo, capsys):
    assert run_cli(["verify", str(repo)]) == 0
    assert capsys.readouterr().out.strip() == "OK: 4 files verified"


def test_cli_reports_problems(repo, capsys):
    flip_byte(repo / "figures" / "poses.png", 20)
    assert run_cli(["verify", str(repo)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("figures/poses.png: sha256 mismatch")
