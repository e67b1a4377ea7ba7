"""push: verified folders only, dataset repo type, hidden files never uploaded; uploads go to the stand-in Hub.

The pure checks run against a mocked HfApi (they must make no call at all); every upload runs the real client over
HTTP against tests/hub_standin.py. Faults and resuming: tests/test_push_faults.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import HfApi
from huggingface_hub.utils import filter_repo_objects
from huggingface_hub.utils._paths import DEFAULT_IGNORE_PATTERNS

from conversion import manifest
from conversion.hub import push

REPO_ID = "someone/imagenet3d"
EXPECTED_FILES = ["README.md", "data/train-00000.parquet", "figures/poses.png", "manifest.json",
                  "quarantine.json"]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    (root / "data").mkdir(parents=True)
    (root / "figures").mkdir()
    (root / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# Test\n")
    (root / "quarantine.json").write_text("[]\n")
    pq.write_table(pa.table({"id": [1, 2, 3]}), root / "data" / "train-00000.parquet")
    (root / "figures" / "poses.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / "data" / ".train-00001.parquet.tmp-99").write_bytes(b"partial")
    (root / ".cache" / "huggingface").mkdir(parents=True)
    (root / ".cache" / "huggingface" / "upload.lock").write_text("x")
    manifest.write_manifest(root, {"name": "src.zip", "files": 4, "bytes": 100}, {"python": "3.11"})
    return root


@pytest.fixture
def api() -> mock.Mock:
    return mock.create_autospec(HfApi, instance=True)


def run_cli(argv: list[str], api: HfApi | None = None) -> int:
    parser = argparse.ArgumentParser()
    push.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    with mock.patch.object(push, "HfApi", return_value=api):  # never the real Hub
        return args.run(args)


def test_dry_run_lists_files_and_calls_nothing(out, api):
    assert push.push(out, REPO_ID, dry_run=True, api=api) == EXPECTED_FILES
    assert api.mock_calls == []


def test_file_list_is_what_upload_folder_would_send(out):
    # upload_folder globs the folder and filters with our patterns plus its defaults.
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.glob("**/*") if p.is_file())
    kept = filter_repo_objects(on_disk, ignore_patterns=push.IGNORE_PATTERNS + DEFAULT_IGNORE_PATTERNS)
    assert sorted(kept) == push.push(out, REPO_ID, dry_run=True)


def hub_api(hub) -> HfApi:
    hub.add_user("hf_writer", REPO_ID.split("/")[0])
    return HfApi(endpoint=hub.endpoint, token="hf_writer")


def test_push_creates_dataset_repo_and_uploads_folder(out, hub):
    assert push.push(out, REPO_ID, private=True, api=hub_api(hub)) == EXPECTED_FILES
    assert hub.created == {("dataset", REPO_ID): "private"}
    # The repo is created before anything is uploaded into it; hidden and temp files never leave.
    kinds = [r.kind for r in hub.requests if r.kind in ("create-repo", "preupload", "commit")]
    assert kinds[0] == "create-repo" and "commit" in kinds
    assert sorted(u.path for u in hub.uploads) == EXPECTED_FILES
    files = HfApi(endpoint=hub.endpoint).list_repo_files(REPO_ID, repo_type="dataset")
    assert sorted(files) == sorted([".gitattributes", *EXPECTED_FILES])


def test_ignore_patterns_exclude_hidden_files_only():
    paths = [".gitattributes", ".cache/huggingface/x", "data/.shard.parquet.tmp-1", "a/.hidden/b.png",
             "README.md", "data/train-00000.parquet", "figures/poses.png", "data/v1.0/x.parquet"]
    kept = list(filter_repo_objects(paths, ignore_patterns=push.IGNORE_PATTERNS))
    assert kept == ["README.md", "data/train-00000.parquet", "figures/poses.png", "data/v1.0/x.parquet"]
    assert kept == [p for p in paths if not manifest.is_hidden(p)]


def test_public_by_default(out, hub):
    push.push(out, REPO_ID, api=hub_api(hub))
    assert hub.created == {("dataset", REPO_ID): "public"}


def test_corrupted_folder_is_refused_before_any_call(out, api):
    shard = out / "data" / "train-00000.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="data/train-00000.parquet: sha256 mismatch"):
        push.push(out, REPO_ID, api=api)
    assert api.mock_calls == []


def test_folder_without_manifest_is_refused(out, api):
    (out / "manifest.json").unlink()
    with pytest.raises(ValueError, match="manifest.json: missing"):
        push.push(out, REPO_ID, api=api, dry_run=True)
    assert api.mock_calls == []


def test_script_named_like_repo_is_refused(out, api):
    (out / "imagenet3d.py").write_text("# loading script\n")
    manifest.write_manifest(out, {"path": "/src"}, {})  # the folder is otherwise valid
    with pytest.raises(ValueError, match="Dataset scripts are no longer"):
        push.push(out, REPO_ID, api=api)
    with pytest.raises(ValueError, match="imagenet3d.py"):
        push.push(out, "someone/ImageNet3D", api=api, dry_run=True)
    assert push.push(out, "someone/other", dry_run=True, api=api)  # other repo names are fine
    assert api.mock_calls == []


@pytest.mark.parametrize("repo_id", ["imagenet3d", "a/b/c", "/imagenet3d", "someone/", "someone/bad--name"])
def test_bad_repo_id_is_refused(out, api, repo_id):
    with pytest.raises(ValueError):
        push.push(out, repo_id, api=api)
    assert api.mock_calls == []


def test_cli_bad_repo_id_exits_2(out, api, capsys):
    assert run_cli(["push", str(out), "--repo-id", "imagenet3d"], api) == 2
    assert "namespace/name" in capsys.readouterr().err
    assert api.mock_calls == []


def test_cli_dry_run_prints_sizes_and_total(out, api, capsys):
    assert run_cli(["push", str(out), "--repo-id", REPO_ID, "--dry-run"], api) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in lines[:-1]] == EXPECTED_FILES
    total = sum((out / p).stat().st_size for p in EXPECTED_FILES)
    assert lines[-1] == f"dry run: would upload 5 files, {total:,} bytes total to {REPO_ID}"
    assert api.mock_calls == []


def test_cli_push_prints_summary(out, hub, capsys, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_writer")  # the CLI asks for a token before building its HfApi
    assert run_cli(["push", str(out), "--repo-id", REPO_ID, "--private"], hub_api(hub)) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("pushed and verified 5 files")
    assert line.endswith(f"https://huggingface.co/datasets/{REPO_ID}")
    assert hub.created == {("dataset", REPO_ID): "private"}


def test_cli_refuses_corrupted_folder_with_exit_2(out, api, capsys):
    (out / "figures" / "poses.png").unlink()
    assert run_cli(["push", str(out), "--repo-id", REPO_ID], api) == 2
    assert "figures/poses.png: listed in manifest.json but missing" in capsys.readouterr().err
    assert api.mock_calls == []


@pytest.mark.parametrize("command", ["push", "space"])
def test_pushing_without_a_usable_token_says_what_to_do_in_one_line(out, hub, tmp_path, command):
    """Over real HTTP to the stand-in Hub: no token is said before any request; a token the Hub
    refuses (401) is said in one line, not as the HTTP client's multi-line error."""
    import subprocess
    import sys

    argv = (["push", str(out), "--repo-id", REPO_ID] if command == "push" else
            ["space", str(tmp_path / "space"), "--dataset", REPO_ID, "--space-id", "someone/viewer"])
    for token, expected in ((None, "hf auth login"), ("hf_unknown", "did not accept your token")):
        hub.reset_counts()
        done = subprocess.run([sys.executable, "-m", "conversion", *argv], env=hub.env(tmp_path / "home", token),
                              capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode != 0 and len(errors) == 1 and expected in errors[0], done.stderr
        assert (hub.count() == 0) == (token is None)
