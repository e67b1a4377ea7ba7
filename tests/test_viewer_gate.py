"""The gate: the viewer reads a Hub dataset as each visitor, through Gradio's (locally mocked) OAuth.

The viewer runs as a user runs it, `python -m viewer_app.app hf://datasets/ORG/NAME`, in its own process
with HF_ENDPOINT at the stand-in Hub (tests/hub_standin.py) and HF_TOKEN set to the machine's account,
which Gradio's mock login signs visitors in as. Visitors call the public endpoints with gradio_client:
anonymous, or with the session cookie the login route sets.
"""

from __future__ import annotations

import os
import re
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client

from hub_standin import HubStandIn
from viewer_process import ANY_FILTERS, DRAWING, free_port, sample
from viewer_process import ViewerProcess as Viewer

GATED, PUBLIC = "ccvl-test/imagenet3d", "someone/imagenet3d-public"
ALICE, BOB = "hf_alice_accepted", "hf_bob_not_accepted"


@pytest.fixture(scope="module")
def hub(built_dataset):
    with HubStandIn() as server:
        server.add_repo(GATED, built_dataset, gated="manual")
        server.add_repo(PUBLIC, built_dataset, gated=False)
        server.add_user(ALICE, "alice", accepted={GATED})
        server.add_user(BOB, "bob", accepted=set())
        yield server


@pytest.fixture(scope="module")
def gated_viewer(hub, tmp_path_factory):
    viewer = Viewer(hub, GATED, ALICE, tmp_path_factory.mktemp("alice"))
    yield viewer
    viewer.close()


def _resolves(hub: HubStandIn) -> list:
    return [r for r in hub.requests if r.kind == "resolve"]


def test_anonymous_visitor_sees_nothing_and_is_told_where_to_accept(hub, gated_viewer, built_dataset):
    hub.reset_counts()
    client = Client(gated_viewer.url, verbose=False)
    items, page, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
    assert items == [] and page == 1
    assert f"{hub.endpoint}/datasets/{GATED}" in note and "Sign in" in note and "accept" in note
    plots, statistics = client.predict(*ANY_FILTERS, api_name="/statistics")
    assert statistics == note and plots == "" and not re.search(r"\d+ images", statistics)
    assert client.predict(*ANY_FILTERS, api_name="/random")[0] == ""
    image_id = _some_image_id(built_dataset)    # known from elsewhere: still nothing about it
    overlay, poses, chips, model, header, *_ = sample(client, image_id)
    assert overlay is None and model["value"] is None and poses["data"] in ([], [[]]) and chips == ""
    assert "Sign in" in header and image_id not in header
    stepped = client.predict(image_id, *DRAWING, *ANY_FILTERS, api_name="/step")
    assert stepped[1] is None and "Sign in" in stepped[5] and "images match" not in stepped[5]
    refused = client.predict("hf://datasets/" + GATED + "/predictions.jsonl", None, api_name="/predictions")
    assert "Sign in" in refused
    assert _resolves(hub) == []   # not one byte of the dataset read on their behalf, with any token


def test_visitor_who_accepted_sees_the_data_read_with_their_token(hub, gated_viewer, built_dataset):
    cookie = gated_viewer.session_cookie()
    hub.reset_counts()
    client = Client(gated_viewer.url, verbose=False, headers={"Cookie": cookie})
    items, page, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
    assert len(items) == 24 and "images match" in note
    assert "images" in client.predict(*ANY_FILTERS, api_name="/statistics")[0]
    image_id = client.predict(*ANY_FILTERS, api_name="/random")[0]
    overlay, poses, chips, model, header, *_ = sample(client, image_id)
    assert overlay and os.path.getsize(overlay) > 0 and header.startswith(f"**{image_id}**")
    reads = _resolves(hub)
    assert reads and {r.token for r in reads} == {ALICE}   # the visitor's token, for the index and the bytes
    assert [r.kind for r in hub.requests].count("auth-check") == 1   # asked once, then remembered
    # An API client can also pass its own token, as gradio_client's oauth_token: it is checked the same way.
    assert len(Client(gated_viewer.url, verbose=False, oauth_token=ALICE).predict(
        *ANY_FILTERS, 1, api_name="/browse")[0]) == 24
    refused = Client(gated_viewer.url, verbose=False, oauth_token=BOB).predict(*ANY_FILTERS, 1, api_name="/browse")
    assert refused[0] == [] and "not been granted access" in refused[2]


def test_visitor_who_has_not_accepted_is_told_to(hub, built_dataset, tmp_path):
    viewer = Viewer(hub, GATED, BOB, tmp_path)
    try:
        client = Client(viewer.url, verbose=False, headers={"Cookie": viewer.session_cookie()})
        hub.reset_counts()
        items, _, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
        assert items == [] and "not been granted access" in note and f"{hub.endpoint}/datasets/{GATED}" in note
        overlay, *_, header, _, _ = sample(client, _some_image_id(built_dataset))
        assert overlay is None and "not been granted access" in header
        assert _resolves(hub) == [] and {r.status for r in hub.requests if r.kind == "auth-check"} == {403}
    finally:
        viewer.close()


def test_a_dataset_that_is_not_gated_needs_no_login(hub, tmp_path):
    viewer = Viewer(hub, PUBLIC, ALICE, tmp_path)   # the machine has a token: anonymous visitors never use it
    try:
        hub.reset_counts()
        items, _, note = Client(viewer.url, verbose=False).predict(*ANY_FILTERS, 1, api_name="/browse")
        assert len(items) == 24 and "images match" in note
        assert {r.token for r in _resolves(hub)} <= {None}
        page = urllib.request.urlopen(viewer.url + "/config", timeout=10).read().decode()
        assert "Sign in with Hugging Face" not in page   # no login button
    finally:
        viewer.close()


def test_drawn_files_have_names_no_one_can_guess(built_dataset):
    import hashlib

    from viewer_app.data import DatasetIndex
    from viewer_app.viewer import Viewer as Drawer

    index = DatasetIndex(str(built_dataset))
    image_id = index.image_ids[0]
    first, second = Drawer(index).thumbnail_files([image_id])[0], Drawer(index).thumbnail_files([image_id])[0]
    assert Path(first).name != Path(second).name   # a secret of each process keys them
    assert hashlib.sha1(image_id.encode()).hexdigest()[:16] not in first
    assert len(Path(first).stem) >= 32


def _some_image_id(built_dataset: Path) -> str:
    from viewer_app.data import DatasetIndex

    return DatasetIndex(str(built_dataset)).image_ids[0]




def test_a_gated_dataset_run_locally_without_a_token_says_to_log_in(hub, tmp_path):
    import subprocess
    import sys

    env = {**hub.env(tmp_path), "GRADIO_ANALYTICS_ENABLED": "False"}   # no token at all
    port = str(free_port())
    result = subprocess.run([sys.executable, "-m", "viewer_app.app", f"hf://datasets/{GATED}", "--port", port],
                            cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "is gated: log in first" in result.stderr


def test_a_mistyped_dataset_run_locally_is_said_at_start_up_not_shown_as_a_gate(hub, tmp_path):
    import subprocess
    import sys

    hub.add_user("hf_local_account", "local", accepted=())
    port = str(free_port())
    for token, expected in ((None, "not visible anonymously"), ("hf_local_account", "no dataset org/nothere")):
        env = {**hub.env(tmp_path, token=token), "GRADIO_ANALYTICS_ENABLED": "False"}
        result = subprocess.run([sys.executable, "-m", "viewer_app.app", "hf://datasets/org/nothere", "--port", port],
                                cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
