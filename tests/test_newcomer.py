"""The README's first steps as a new user takes them: importing from any folder, and one-line
errors for a raw release, a folder that is not a dataset and a mistyped path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import imagenet3d

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def raw_folder(tiny_release) -> Path:
    return tiny_release / "imagenet3d_v1"


def run_python(code: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=300)


def test_import_works_from_a_folder_holding_a_dataset_folder_named_imagenet3d(tmp_path):
    """The README loads from demo/, next to the dataset folder demo/imagenet3d/: the installed
    module must win over that folder as a namespace package (needs `make` / pip install -e)."""
    (tmp_path / "imagenet3d" / "data").mkdir(parents=True)
    done = run_python("import imagenet3d; print(imagenet3d.__file__); imagenet3d.load", tmp_path,
                      {"PYTHONPATH": ""})
    assert done.returncode == 0, ("imagenet3d is not importable outside the repository: install it with "
                                  "`make test` or `pip install -e . --config-settings editable_mode=compat`\n"
                                  + done.stderr)
    assert Path(done.stdout.strip()) == REPO / "imagenet3d.py"


def test_a_raw_release_folder_is_refused_with_the_command_to_convert_it(raw_folder):
    for source in (raw_folder, raw_folder.parent):
        with pytest.raises(imagenet3d.SourceError, match="raw ImageNet3D release.*python -m conversion build"):
            imagenet3d.load(source=str(source))


def test_a_folder_that_is_not_a_converted_dataset_is_refused(tmp_path):
    (tmp_path / "lists").mkdir()
    with pytest.raises(imagenet3d.SourceError, match="not a converted ImageNet3D dataset"):
        imagenet3d.load(source=str(tmp_path))
    (tmp_path / "README.md").write_text("---\nconfigs:\n- config_name: other\n  data_files: x.parquet\n---\n")
    with pytest.raises(imagenet3d.SourceError, match="declares no config 'default'"):
        imagenet3d.load(source=str(tmp_path))


def test_evaluate_cli_on_a_raw_release_says_so_in_one_line(raw_folder, tmp_path):
    predictions = tmp_path / "p.jsonl"
    predictions.write_text('{"object_id": "cup/x_00", "azimuth": 0, "elevation": 0, "theta": 0}\n')
    done = subprocess.run([sys.executable, "-m", "imagenet3d", "evaluate", str(predictions),
                           "--source", str(raw_folder)], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "python -m conversion build" in done.stderr


def test_a_mistyped_path_is_neither_a_local_folder_nor_a_hub_dataset(hub, tmp_path):
    """Over real HTTP to the stand-in Hub, which has no such dataset: one line saying both."""
    (tmp_path / "demo" / "imagenet3d").mkdir(parents=True)
    predictions = tmp_path / "p.jsonl"
    predictions.write_text('{"object_id": "cup/x_00", "azimuth": 0, "elevation": 0, "theta": 0}\n')
    done = subprocess.run([sys.executable, "-m", "imagenet3d", "evaluate", str(predictions),
                           "--source", "demo/imagenet3dX"], cwd=tmp_path, env=hub.env(tmp_path / "home"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "no local folder 'demo/imagenet3dX'" in done.stderr and "no Hub dataset" in done.stderr
    assert "did you mean 'demo/imagenet3d'" in done.stderr
    assert hub.count() > 0  # the Hub was asked


def test_a_release_zip_and_a_bare_name_are_refused_before_any_hub_request(raw_folder, tmp_path, monkeypatch):
    import shutil

    archive = shutil.make_archive(str(tmp_path / "imagenet3d_v1"), "zip", raw_folder.parent, "imagenet3d_v1")
    with pytest.raises(imagenet3d.SourceError, match="raw ImageNet3D release zip.*python -m conversion build"):
        imagenet3d.load(source=archive)
    monkeypatch.chdir(tmp_path)
    # "imagenet3d" (the default source) is no folder here and no ORG/NAME: said at once, without the Hub.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(imagenet3d.SourceError, match="not a Hub dataset id") as caught:
        imagenet3d.load(source="imagenet3d")
    assert "did you mean 'imagenet3d'" not in str(caught.value)


def test_the_streams_and_the_examples_check_the_source_as_load_does(hub, tmp_path, monkeypatch):
    """split_files (under object_stream, arrow_batches and the probe's features) and the example scripts
    give load's one-line SourceError for a mistyped folder or an unknown Hub dataset (over real HTTP)."""
    (tmp_path / "demo").mkdir()
    monkeypatch.chdir(tmp_path)
    for reader in (lambda s: imagenet3d.split_files("default", "train", s),
                   lambda s: imagenet3d.object_stream("default", "train", source=s)):
        with pytest.raises(imagenet3d.SourceError, match="did you mean 'demo'"):
            reader("dem")
    for name, argv in [("train_classify_pose.py", ["--minutes", "0.01"]), ("linear_probe.py", [])]:
        done = subprocess.run([sys.executable, str(REPO / "examples" / name), "--source", "org/no-such-dataset",
                               *argv], cwd=tmp_path, env=hub.env(tmp_path / "home"), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip().splitlines()[-1].startswith("error: ") and "no Hub dataset" in done.stderr
