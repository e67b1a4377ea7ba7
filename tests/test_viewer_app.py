"""The Gradio viewer, through gradio_client against the launched app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client

import imagenet3d
from viewer_app.app import build_app, caption_html
from viewer_app.data import DatasetIndex
from viewer_app.overlay import AXIS_COLOURS, OBJECT_COLOURS
from viewer_app.text import chip_text_colour, contrast_ratio

from viewer_process import free_port

ANY_FILTERS = ["any", "any", "any", "any", "any", "any", "any", "", "image_id"]
KINDS = ["wireframe", "bbox", "axes", "centre"]


@pytest.fixture(scope="module")
def client(built_dataset):
    demo = build_app(DatasetIndex(str(built_dataset)))
    # A port of its own: Gradio would take 7860, the one `make demo` serves on.
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False)
    try:
        yield Client(demo.local_url, verbose=False)
    finally:
        demo.close()


def test_public_endpoints(client):
    assert set(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == {
        "/browse", "/random", "/sample", "/statistics"}


def test_browse_pages_and_filters(client):
    items, page, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
    assert len(items) == 24 and page == 1 and "32 images match" in note
    statistics = client.predict(*ANY_FILTERS, api_name="/statistics")
    assert "32 images" in statistics and statistics.count("| degrees | objects |") == 2   # azimuth, elevation
    items, page, note = client.predict(*ANY_FILTERS, 99, api_name="/browse")
    assert page == 2 and len(items) == 8  # clamped to the last page
    novel = ["any", "novel", "any", "any", "any", "any", "any", "", "image_id"]
    items, _, note = client.predict(*novel, 1, api_name="/browse")
    assert all(item["caption"].split("/")[0] in ("chair", "cup") for item in items)
    nothing = ["any", "any", "any", "chair", "any", "any", "any", "no such caption text", "image_id"]
    items, _, note = client.predict(*nothing, 1, api_name="/browse")
    assert items == [] and "No image matches" in note
    assert "No image matches" in client.predict(*nothing, api_name="/statistics")


def test_sample_with_every_overlay(client):
    image_id = client.predict(*ANY_FILTERS, api_name="/random")
    overlay, poses, chips, model, header = client.predict(image_id, KINDS, api_name="/sample")
    assert overlay and os.path.getsize(overlay) > 0
    assert poses["headers"][0] == "#" and len(poses["data"]) >= 1
    assert "<span" in chips or "No caption" in chips
    assert header.startswith(f"**{image_id}**")
    assert model is None or model.endswith(".glb")


def test_elevation_reads_signed_in_the_pose_table(client, built_dataset):
    """The release stores elevation wrapped to [0, 2 pi): an object 6 degrees below the horizon is at
    354 degrees. The table shows it signed, as the statistics and the card do."""
    index = DatasetIndex(str(built_dataset))
    below = next((image_id, k, o["elevation"]) for image_id in index.position
                 for k, o in enumerate(index.record(image_id)["objects"])
                 if o["elevation"] is not None and o["elevation"] > np.pi)
    image_id, k, stored = below
    poses = client.predict(image_id, KINDS, api_name="/sample")[1]
    column = poses["headers"].index("elevation")
    shown = poses["data"][k][column]
    assert shown < 0 and shown == round(float(np.degrees(stored - 2 * np.pi)), 1)


def test_axis_colours_are_no_objects_and_chips_read_on_every_colour():
    assert len(set(OBJECT_COLOURS)) == len(OBJECT_COLOURS) >= 8
    assert min(float(np.linalg.norm(np.subtract(o, a))) for o in OBJECT_COLOURS for a in AXIS_COLOURS) >= 100
    assert all(contrast_ratio(chip_text_colour(c), c) >= 4.5 for c in OBJECT_COLOURS)   # WCAG AA
    assert contrast_ratio((255, 255, 255), (255, 200, 0)) < 4.5   # white on yellow did not read
    assert imagenet3d.signed_angle(np.radians(354.0)) == np.radians(354.0) - 2 * np.pi


def test_bad_input_gets_a_message_not_a_traceback(client):
    for bad in ("nope", "../../etc/passwd", "chair/../../../etc/passwd", ""):
        overlay, poses, chips, model, header = client.predict(bad, KINDS, api_name="/sample")
        assert overlay is None and "Unknown image id" in header


def test_angle_histogram_counts_every_angle():
    import numpy as np

    from viewer_app.text import angle_histogram

    rows = angle_histogram(np.array([0.0, 10.0, 29.9, 30.0, 359.0]), low=0)
    counts = [int(row.split("|")[2].replace(",", "")) for row in rows[2:]]
    assert len(counts) == 12 and counts[0] == 3 and counts[1] == 1 and counts[-1] == 1 and sum(counts) == 5
    trimmed = angle_histogram(np.array([-20.0, 5.0, 40.0]), low=-180)
    assert [row.split("|")[1].strip() for row in trimmed[2:]] == ["-30 to 0", "0 to 30", "30 to 60"]


def test_caption_chips_take_the_object_colours():
    objects = [{"azimuth": 0.5, "elevation": 0.1, "theta": 0.0, "distance": 5.0},
               {"azimuth": None, "elevation": None, "theta": None, "distance": None}]
    rendered = caption_html("Two beds: <pose6D> and <pose6D>.", objects)
    assert rendered.count("<span") == 2 and "no pose" in rendered and "&lt;pose6D&gt;" not in rendered
    below = caption_html("A bed: <pose6D>.", [{**objects[0], "elevation": 2 * np.pi - np.radians(6.0)}])
    assert "el -6.0°" in below and "color:#111111" in below   # signed; dark text on the yellow chip
    assert "<script>" not in caption_html("<script>alert(1)</script> <pose6D>", objects[:1])


def test_no_file_outside_the_app_is_served(client):
    import urllib.error
    import urllib.request

    base = client.src.rstrip("/")
    attempts = ["/gradio_api/file=/etc/passwd", "/file=/etc/passwd", "/gradio_api/file=../../../../etc/passwd",
                "/gradio_api/file=%2Fetc%2Fpasswd", "/static/../../../../etc/passwd",
                "/gradio_api/file=" + os.path.abspath(__file__)]
    for path in attempts:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            assert error.code in (400, 403, 404, 405), (path, error.code)
            continue
        assert b"root:" not in body and b"def test_no_file_outside" not in body, path


def test_a_taken_port_gets_one_line_naming_the_variable(built_dataset, capsys, monkeypatch):
    from viewer_app.app import main

    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main([str(built_dataset), "--port", str(port)]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and f"port {port}" in error and f"GRADIO_SERVER_PORT={port + 1}" in error
        monkeypatch.setenv("GRADIO_SERVER_PORT", str(port))   # Gradio's own variable, honoured without --port
        assert main([str(built_dataset)]) == 2 and f"port {port} " in capsys.readouterr().err
    assert main([str(built_dataset) + "-typo", "--port", str(port)]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_gradio_server_port_and_name_are_honoured(built_dataset, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(tmp_path / "viewer.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "viewer_app.app", str(built_dataset)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "viewer.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "viewer.log").read_text()
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
