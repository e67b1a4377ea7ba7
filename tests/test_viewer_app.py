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
from PIL import Image

import imagenet3d
from viewer_app.app import build_app
from viewer_app.colours import AXIS_COLOURS, OBJECT_COLOURS, chip_text_colour, contrast_ratio
from viewer_app.data import ERROR_SORT, DatasetIndex, Filter
from viewer_app.text import caption_html
from viewer_app.viewer import SELECTED_OBJECT, WHOLE_IMAGE, ZOOM_TO_OBJECT, Viewer

from viewer_process import ANY_FILTERS, DRAWING, KINDS, free_port, sample


@pytest.fixture(scope="module")
def index(built_dataset):
    return DatasetIndex(str(built_dataset))


@pytest.fixture(scope="module")
def client(index):
    demo = build_app(index, local_files=True)
    # A port of its own: Gradio would take 7860, the one `make demo` serves on.
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False)
    try:
        yield Client(demo.local_url, verbose=False)
    finally:
        demo.close()


def test_public_endpoints(client):
    assert set(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == {
        "/browse", "/random", "/sample", "/statistics", "/step", "/predictions"}


def test_browse_pages_and_filters(client):
    items, page, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
    assert len(items) == 24 and page == 1 and "32 images match" in note
    statistics, scores = client.predict(*ANY_FILTERS, api_name="/statistics")
    assert "32 images" in statistics and statistics.count("<svg") == 6 and scores == ""   # six plots
    items, page, note = client.predict(*ANY_FILTERS, 99, api_name="/browse")
    assert page == 2 and len(items) == 8  # clamped to the last page
    novel = ["any", "novel", "any", "any", "any", "any", "any", "", "image_id", None]
    items, _, note = client.predict(*novel, 1, api_name="/browse")
    assert all(item["caption"].split("/")[0] in ("chair", "cup") for item in items)
    nothing = ["any", "any", "any", "chair", "any", "any", "any", "no such caption text", "image_id", None]
    items, _, note = client.predict(*nothing, 1, api_name="/browse")
    assert items == [] and "No image matches" in note
    assert "No image matches" in client.predict(*nothing, api_name="/statistics")[0]
    assert "nothing to pick" in client.predict(*nothing, api_name="/random")[1]   # a message, not silence


def test_sample_with_every_overlay(client):
    image_id = client.predict(*ANY_FILTERS, api_name="/random")[0]
    overlay, poses, chips, model, header, choice, opened = sample(client, image_id)
    assert opened == image_id   # what the address bar is given
    assert overlay and os.path.getsize(overlay) > 0
    assert poses["headers"][0] == "#" and len(poses["data"]) >= 1
    assert "<span" in chips or "No caption" in chips
    assert header.startswith(f"**{image_id}**") and "in the current filter" in header
    assert model is None or model["value"].endswith(".glb")


def test_elevation_reads_signed_in_the_pose_table(client, built_dataset):
    """The release stores elevation wrapped to [0, 2 pi): an object 6 degrees below the horizon is at
    354 degrees. The table shows it signed, as the statistics and the card do."""
    index = DatasetIndex(str(built_dataset))
    below = next((image_id, k, o["elevation"]) for image_id in index.position
                 for k, o in enumerate(index.record(image_id)["objects"])
                 if o["elevation"] is not None and o["elevation"] > np.pi)
    image_id, k, stored = below
    poses = sample(client, image_id)[1]
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
        overlay, poses, chips, model, header, choice, opened = sample(client, bad)
        assert overlay is None and "Unknown image id" in header and opened == ""   # nothing for the address bar


def test_caption_chips_take_the_object_colours():
    objects = [{"azimuth": 0.5, "elevation": 0.1, "theta": 0.0, "distance": 5.0, "px": 10.0, "py": 10.0},
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


# -- navigation, selection, the 3D panel and predictions (issue 12) --------------------------------------

def test_step_walks_the_filter_in_order_and_says_where_it_ends(client, index):
    chairs = [index.image_ids[r] for r in index.select(Filter(category="chair"))]
    filters = ["any", "any", "any", "chair", "any", "any", "any", "", "image_id", None]
    target, *shown = client.predict(chairs[0], *DRAWING, *filters, api_name="/step")
    assert target == chairs[1] and shown[4].startswith(f"**{chairs[1]}**") and f"image 2 of {len(chairs)}" in shown[4]
    target, *shown = client.predict(chairs[-1], *DRAWING, *filters, api_name="/step")
    assert target == chairs[-1] and f"last of the {len(chairs)} images" in shown[4]   # stays, and says so
    outside = next(i for i in index.image_ids if not i.startswith("chair/"))
    assert client.predict(outside, *DRAWING, *filters, api_name="/step")[0] == chairs[0]   # enters the filter


def test_selecting_an_object_highlights_it_and_the_3d_panel_shows_it(client, index):
    image_id = max(index.image_ids, key=lambda i: len(index.record(i)["objects"]))
    objects = index.record(image_id)["objects"]
    k = next(k for k, o in enumerate(objects) if imagenet3d.has_pose(o) and k > 0)
    everything = sample(client, image_id)
    chosen = sample(client, image_id, f"{k}: {objects[k]['category']}")
    assert chosen[5]["value"].startswith(f"{k}: ") and everything[5]["value"] == "all"
    assert [c[0] for c in chosen[5]["choices"]] == ["all", *(f"{j}: {o['category']}" + (
        "" if o["usable"] else " (unusable)") for j, o in enumerate(objects))]
    drawn_all, drawn_one = (np.asarray(Image.open(s[0]).convert("RGB"), dtype=np.int16) for s in (everything, chosen))
    assert drawn_all.shape == drawn_one.shape and np.abs(drawn_all - drawn_one).max() > 50   # highlight / dim
    assert f'data-object="{k}"' in chosen[2] and "outline:3px" in chosen[2]   # its caption chip is marked
    assert chosen[3]["label"].startswith("Scene: ") and chosen[3]["value"] != everything[3]["value"]
    alone = sample(client, image_id, k, view_3d=SELECTED_OBJECT)
    assert alone[3]["label"].startswith(f"Object {k} ({objects[k]['category']})")
    assert "annotated pose" in alone[3]["label"]


def test_clicks_on_the_picture_map_back_to_the_photo_whole_and_zoomed(index):
    """A click at an object's box centre, in display pixels of the drawn picture, selects that object;
    zoomed to the object, the picture's centre is the object."""
    viewer = Viewer(index)
    image_id = max(index.image_ids, key=lambda i: len(index.record(i)["objects"]))
    record = index.record(image_id)
    for k, obj in enumerate(record["objects"]):
        x1, y1, x2, y2 = obj["bbox"]
        centre = ((x1 + x2) / 2, (y1 + y2) / 2)
        if imagenet3d.has_pose(obj) and _picked_at_source(viewer, image_id, centre) == k:
            break
    else:
        pytest.skip("no object whose box centre shows that object")
    whole = viewer.sample(image_id, KINDS, k)
    width, height = Image.open(whole.overlay).size
    scale = width / record["width"]
    assert scale >= 1 and max(width, height) >= 1024   # drawn at display resolution
    assert viewer.pick(image_id, centre[0] * scale, centre[1] * scale, KINDS, k, WHOLE_IMAGE) == k
    zoomed = viewer.sample(image_id, KINDS, k, zoom=ZOOM_TO_OBJECT)
    zw, zh = Image.open(zoomed.overlay).size
    assert viewer.pick(image_id, zw / 2, zh / 2, KINDS, k, ZOOM_TO_OBJECT) == k
    assert zoomed.overlay != whole.overlay


def _picked_at_source(viewer, image_id, point):
    from viewer_app.picking import object_at

    objects = viewer.index.record(image_id)["objects"]
    size = (viewer.index.record(image_id)["width"], viewer.index.record(image_id)["height"])
    return object_at(objects, viewer.meshes(objects), size, *point)


def test_unusable_objects_say_why_instead_of_claiming_a_pose(client, index):
    cases = [(i, k, o) for i in index.image_ids for k, o in enumerate(index.record(i)["objects"]) if not o["usable"]]
    assert any(not imagenet3d.has_pose(o) for _, _, o in cases) and any(imagenet3d.has_pose(o) for _, _, o in cases)
    for image_id, k, obj in cases:
        table = sample(client, image_id)[1]
        why = table["data"][k][table["headers"].index("why unusable")]
        assert why and why == "; ".join(imagenet3d.unusable_reasons(obj))
        label = sample(client, image_id, k, view_3d=SELECTED_OBJECT)[3]["label"]
        if obj["cad_index"] is None:
            continue
        if imagenet3d.has_pose(obj):
            assert "at its annotated pose (unusable: " in label
        else:
            assert "has no pose (" in label and "canonical orientation" in label and "annotated pose" not in label


def test_predictions_load_then_the_grid_sorts_and_filters_by_error(client, index, tmp_path):
    import json

    validation = [r for r in index.select(Filter(split="validation"))]
    turns = {}   # object_id -> degrees added to the azimuth, each image its own amount
    lines = []
    for n, row in enumerate(validation):
        for k, obj in enumerate(index.objects(row)):
            if obj["azimuth"] is None:
                continue
            oid = imagenet3d.object_id(index.image_ids[row], k)
            turns[oid] = 5.0 * (n + 1)
            lines.append(json.dumps({"object_id": oid, "azimuth": obj["azimuth"] + np.radians(turns[oid]),
                                     "elevation": obj["elevation"], "theta": obj["theta"]}))
    path = tmp_path / "predictions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    by_error = ANY_FILTERS[:8] + [ERROR_SORT, None]
    assert "needs predictions" in client.predict(*by_error, 1, api_name="/browse")[2]   # before loading

    note = client.predict(str(path), None, api_name="/predictions")
    assert note.startswith(f"Loaded {path}") and f"{len(lines)} predictions" in note
    items, _, _ = client.predict(*by_error, 1, api_name="/browse")
    worst = index.image_ids[validation[-1]]
    assert items[0]["caption"] == worst   # the largest turn first
    table = sample(client, worst)[1]
    errors = [row[table["headers"].index("error (°)")] for row in table["data"]]
    predicted = [row[table["headers"].index("predicted azimuth")] for row in table["data"]]
    assert all(a is None or 0 <= a < 360 for a in predicted)   # wrapped as the annotations are
    usable = [o["usable"] and o["azimuth"] is not None for o in index.objects(validation[-1])]
    expected = [imagenet3d.pose_error(imagenet3d.rotation_matrix(o["azimuth"] + np.radians(5.0 * len(validation)),
                                                                  o["elevation"], o["theta"]),
                                      imagenet3d.rotation_matrix(o["azimuth"], o["elevation"], o["theta"]))
                for o in index.objects(validation[-1])]
    assert [e for e, u in zip(errors, usable) if u] == [round(float(np.degrees(x)), 1) for x, u in zip(expected, usable)
                                                       if u]
    at_least = ANY_FILTERS[:9] + [5.0 * len(validation) - 1]
    items, _, note = client.predict(*at_least, 1, api_name="/browse")
    assert [item["caption"] for item in items] == [worst] and "1 images match" in note
    statistics, scores = client.predict(*ANY_FILTERS, api_name="/statistics")
    assert "Avg." in scores and str(path) in scores
    # An image without predictions (train) keeps the prediction columns, empty.
    train = index.image_ids[index.select(Filter(split="train"))[0]]
    table = sample(client, train)[1]
    assert table["headers"][-1] == "error (°)" and all(len(row) == len(table["headers"]) for row in table["data"])
    assert all(row[-4:] == [None] * 4 for row in table["data"])
    # A failed load keeps what the session had.
    failed = client.predict(str(tmp_path / "other.jsonl"), None, api_name="/predictions")
    assert "other.jsonl" in failed and "Loaded" not in failed
    assert client.predict(*by_error, 1, api_name="/browse")[0][0]["caption"] == worst
    missing = client.predict(str(tmp_path / "nope.jsonl"), None, api_name="/predictions")
    assert "nope.jsonl" in missing and missing.count("\n") == 0


def test_local_predictions_are_refused_in_a_space(built_dataset, capsys, monkeypatch):
    from viewer_app.app import main

    monkeypatch.setenv("SPACE_ID", "org/viewer")
    assert main([str(built_dataset), "--port", str(free_port()), "--local-predictions"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "every visitor of this Space" in error


def test_a_served_viewer_opens_no_local_path_a_visitor_types(index, tmp_path):
    """Started for visitors (not local_files), the predictions box takes uploads and hf:// paths only:
    a typed path would let a visitor make the server read its own files."""
    secret = tmp_path / "server-side.jsonl"
    secret.write_text('{"object_id": "x", "azimuth": 0, "elevation": 0, "theta": 0}\n')
    demo = build_app(index)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False)
    try:
        note = Client(demo.local_url, verbose=False).predict(str(secret), None, api_name="/predictions")
    finally:
        demo.close()
    assert "upload" in note and "hf://datasets/" in note and "Loaded" not in note
