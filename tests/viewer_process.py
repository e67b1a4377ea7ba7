"""The viewer in its own process against the stand-in Hub, as a user runs it: shared by the gate tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest

from viewer_app.overlay import KINDS as OVERLAY_KINDS
from viewer_app.viewer import SCENE, WHOLE_IMAGE

from hub_standin import HubStandIn

ROOT = Path(__file__).resolve().parents[1]

# What an API client sends for the page's controls (viewer_app/layout.py), shared by the tests that
# drive the viewer through gradio_client: the ten filters at "no filter" (split, known, super-category,
# category, object_status, dense, objects, caption text, sort, least pose error), every overlay, and
# (after the overlays) the zoom, the 3D panel and the predictions' style.
ANY_FILTERS = ["any", "any", "any", "any", "any", "any", "any", "", "image_id", None]
KINDS = sorted(OVERLAY_KINDS)
DRAWING = [KINDS, WHOLE_IMAGE, SCENE, "overlaid"]


def sample(client, image_id: str, choice="all", kinds=KINDS, zoom=WHOLE_IMAGE, view_3d=SCENE,
           filters=ANY_FILTERS):
    """/sample: (overlay, pose table, caption HTML, 3D model, header, object choice, the id shown or "")."""
    return client.predict(image_id, kinds, choice, zoom, view_3d, "overlaid", *filters, api_name="/sample")


class ViewerProcess:
    """`python -m viewer_app.app hf://datasets/REPO` in its own process, signed in locally as `token`."""

    def __init__(self, hub: HubStandIn, repo: str, token: str, home: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**hub.env(home, token=token), "GRADIO_ANALYTICS_ENABLED": "False"}
        env.pop("PYTHONPATH", None)
        self.log = home / "viewer.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "viewer_app.app", f"hf://datasets/{repo}", "--port", str(self.port)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the viewer exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        self.close()
        pytest.fail(f"the viewer served nothing in 120 s:\n{self.log.read_text()[-3000:]}")

    def session_cookie(self) -> str:
        """Signs in through the login route (Gradio mocks it outside a Space); returns the session cookie."""
        with httpx.Client(base_url=self.url, follow_redirects=False, timeout=30) as client:
            response = client.get("/login/huggingface")
            while response.is_redirect:
                for header in response.headers.get_list("set-cookie"):
                    if header.startswith("session="):
                        return header.split(";", 1)[0]
                response = client.get(response.headers["location"])
        pytest.fail("the login route set no session cookie")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
