"""The viewer's Space folder: built offline for each hardware, runs from its own files (with the `spaces`
package imported, as on ZeroGPU, and without), pushed through a mocked Hub client."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from unittest.mock import create_autospec

import pytest
from huggingface_hub import HfApi, SpaceCard

from conversion.__main__ import main
from conversion.hub.space import HOSTING, ZERO_GPU, build_space, push_space

from releases import SMALL  # tests/ is on sys.path
from viewer_process import ANY_FILTERS, free_port

# What spaces/config.py reads: on ZeroGPU the platform sets both.
ZERO_GPU_ENV = {"SPACES_ZERO_GPU": "true", "SPACES_ZERO_DEVICE_API_URL": "http://127.0.0.1:9/"}
# Runs the Space's app.py as the Space does, except that torch is absent (the Space's requirements
# install none; this machine's CPU-only torch would stop the spaces package at import on ZeroGPU).
RUN_SPACE = ("import runpy, sys; sys.modules['torch'] = None; import spaces.config as c; "
             "print('zero_gpu', c.Config.zero_gpu, flush=True); runpy.run_path('app.py', run_name='__main__')")


def test_space_folder_has_the_space_yaml_and_the_viewer(tmp_path):
    files = build_space(tmp_path / "space", "someorg/imagenet3d")
    assert {"README.md", "app.py", "requirements.txt", "imagenet3d.py", "viewer_app/app.py", "viewer_app/access.py",
            "viewer_app/data.py", "viewer_app/hub_io.py", "viewer_app/overlay.py"} <= set(files)
    card = SpaceCard.load(tmp_path / "space" / "README.md").data.to_dict()
    assert card["sdk"] == "gradio" and card["app_file"] == "app.py" and card["python_version"] == "3.11"
    assert card["datasets"] == ["someorg/imagenet3d"] and card["sdk_version"].startswith("6.")
    assert card["hf_oauth"] is True and card["hf_oauth_scopes"] == ["read-repos"]   # reads as the visitor
    assert card["suggested_hardware"] == ZERO_GPU
    app = (tmp_path / "space" / "app.py").read_text()
    assert "hf://datasets/someorg/imagenet3d" in app
    assert app.index("import spaces") < app.index("from viewer_app")   # before gradio is imported
    requirements = (tmp_path / "space" / "requirements.txt").read_text().split()
    assert all("==" in line for line in requirements)
    assert {r.split("==")[0] for r in requirements} >= {"gradio", "spaces", "authlib", "itsdangerous"}
    assert not (tmp_path / "space" / "conversion" / "build.py").exists()  # only what the viewer needs


@pytest.mark.parametrize("hardware", ["cpu-basic", "cpu-upgrade"])
def test_paid_cpu_hardware_has_no_spaces_package(tmp_path, hardware):
    build_space(tmp_path / "space", "someorg/imagenet3d", hardware)
    card = SpaceCard.load(tmp_path / "space" / "README.md")
    assert card.data.to_dict()["suggested_hardware"] == hardware and card.data.to_dict()["hf_oauth"] is True
    assert "import spaces" not in (tmp_path / "space" / "app.py").read_text()
    assert "spaces==" not in (tmp_path / "space" / "requirements.txt").read_text()
    # The card says which account may host which hardware, this one marked.
    for name, (who, _) in HOSTING.items():
        assert f"| `{name}`" in card.text and who in card.text
    assert f"`{hardware}` (this Space)" in card.text and "python -m viewer_app.app" in card.text


def test_space_app_runs_from_its_own_files(tmp_path, built_dataset):
    space = tmp_path / "space"
    build_space(space, "someorg/imagenet3d")
    env = {**os.environ, "IMAGENET3D_DATASET": str(built_dataset), "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("PYTHONPATH", None)
    code = "import app, imagenet3d; print(imagenet3d.__file__); print(len(app.demo.fns))"
    result = subprocess.run([sys.executable, "-c", code], cwd=space, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    module_path, functions = result.stdout.split()[-2:]
    assert module_path.startswith(str(space)) and int(functions) > 0


@pytest.mark.parametrize("zero_gpu", [False, True], ids=["plain", "zerogpu-env"])
def test_space_serves_with_the_spaces_package(tmp_path, built_dataset, zero_gpu):
    """The ZeroGPU folder's app launches, serves its page and answers gradio_client, with the spaces
    package's ZeroGPU mode on (its launch hook runs and, finding no @spaces.GPU function, returns) and off."""
    from gradio_client import Client

    space = tmp_path / "space"
    build_space(space, "someorg/imagenet3d", ZERO_GPU)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPACES_", "ZERO"))}
    env.pop("PYTHONPATH", None)
    env.update(IMAGENET3D_DATASET=str(built_dataset), GRADIO_ANALYTICS_ENABLED="False", GRADIO_SERVER_NAME="127.0.0.1",
               GRADIO_SERVER_PORT=str(port), **(ZERO_GPU_ENV if zero_gpu else {}))
    log = tmp_path / "space.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-c", RUN_SPACE], cwd=space, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, server, log)
        assert f"zero_gpu {zero_gpu}" in log.read_text()
        statistics, _ = Client(url, verbose=False).predict(*ANY_FILTERS, api_name="/statistics")
        assert f"{SMALL.num_images} images" in statistics
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_push_uses_a_gradio_space_repo_on_the_chosen_hardware(tmp_path):
    build_space(tmp_path / "space", "someorg/imagenet3d")
    api = create_autospec(HfApi, instance=True)
    push_space(tmp_path / "space", "someorg/viewer", private=True, api=api, hardware="cpu-upgrade")
    api.create_repo.assert_called_once_with(repo_id="someorg/viewer", repo_type="space", space_sdk="gradio",
                                            space_hardware="cpu-upgrade", private=True, exist_ok=True)
    kwargs = api.upload_folder.call_args.kwargs
    assert kwargs["repo_type"] == "space" and kwargs["folder_path"] == str(tmp_path / "space")


def test_cli_dry_run_and_bad_input(tmp_path, capsys):
    assert main(["space", str(tmp_path / "s"), "--dataset", "org/name", "--space-id", "org/viewer", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: would push" in out and "would upload app.py" in out and ZERO_GPU in out
    assert "python -m viewer_app.app hf://datasets/org/name" in out
    assert main(["space", str(tmp_path / "t"), "--dataset", "no-slash"]) == 2
    assert "org/name" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["space", str(tmp_path / "u"), "--dataset", "org/name", "--hardware", "a100-large"])
    assert "invalid choice" in capsys.readouterr().err


def _wait_for(url: str, server: subprocess.Popen, log, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Space app exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail(f"the Space app served nothing in {timeout:.0f} s:\n{log.read_text()[-3000:]}")
