"""The viewer's Space folder: built offline, runs from its own files, pushed through a mocked Hub client."""

from __future__ import annotations

import os
import subprocess
import sys
from unittest.mock import create_autospec

import pytest
from huggingface_hub import HfApi, SpaceCard

from conversion.__main__ import main
from conversion.build import build
from conversion.space import build_space, push_space
from conversion.synthetic_writer import write_release


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    write_release(raw, ["chair", "cup"], 4, seed=6, workers=1, progress=False)
    out = tmp_path_factory.mktemp("hub") / "imagenet3d"
    build(raw / "imagenet3d_v1", out, progress=False)
    return out


def test_space_folder_has_the_space_yaml_and_the_viewer(tmp_path):
    files = build_space(tmp_path / "space", "someorg/imagenet3d")
    assert {"README.md", "app.py", "requirements.txt", "imagenet3d.py", "viewer_app/app.py",
            "viewer_app/data.py", "viewer_app/overlay.py", "conversion/glb.py"} <= set(files)
    card = SpaceCard.load(tmp_path / "space" / "README.md").data.to_dict()
    assert card["sdk"] == "gradio" and card["app_file"] == "app.py" and card["python_version"] == "3.11"
    assert card["datasets"] == ["someorg/imagenet3d"] and card["sdk_version"].startswith("6.")
    assert "hf://datasets/someorg/imagenet3d" in (tmp_path / "space" / "app.py").read_text()
    requirements = (tmp_path / "space" / "requirements.txt").read_text().split()
    assert all("==" in line for line in requirements) and any(r.startswith("gradio==") for r in requirements)
    assert not (tmp_path / "space" / "conversion" / "build.py").exists()  # only what the viewer needs


def test_space_app_runs_from_its_own_files(tmp_path, dataset):
    space = tmp_path / "space"
    build_space(space, "someorg/imagenet3d")
    env = {**os.environ, "IMAGENET3D_DATASET": str(dataset), "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("PYTHONPATH", None)
    code = "import app, imagenet3d; print(imagenet3d.__file__); print(len(app.demo.fns))"
    result = subprocess.run([sys.executable, "-c", code], cwd=space, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    module_path, functions = result.stdout.split()[-2:]
    assert module_path.startswith(str(space)) and int(functions) > 0


def test_push_uses_a_gradio_space_repo(tmp_path):
    build_space(tmp_path / "space", "someorg/imagenet3d")
    api = create_autospec(HfApi, instance=True)
    push_space(tmp_path / "space", "someorg/viewer", private=True, api=api)
    api.create_repo.assert_called_once_with(repo_id="someorg/viewer", repo_type="space", space_sdk="gradio",
                                            private=True, exist_ok=True)
    kwargs = api.upload_folder.call_args.kwargs
    assert kwargs["repo_type"] == "space" and kwargs["folder_path"] == str(tmp_path / "space")


def test_cli_dry_run_and_bad_dataset(tmp_path, capsys):
    assert main(["space", str(tmp_path / "s"), "--dataset", "org/name", "--space-id", "org/viewer", "--dry-run"]) == 0
    assert "dry run: would push" in capsys.readouterr().out
    assert main(["space", str(tmp_path / "t"), "--dataset", "no-slash"]) == 2
    assert "org/name" in capsys.readouterr().err
