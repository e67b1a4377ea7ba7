"""The read side under Hub faults (429, 5xx, a dropped connection, a slow Hub), over real HTTP against the stand-in
(tests/hub_standin.py), with the real huggingface_hub / datasets clients: what they retry, the one line that names
the cause once they give up, and recovery in the same process once the Hub is back (hub.clear_faults()).

huggingface_hub reads HF_ENDPOINT and its timeouts (HF_HUB_ETAG_TIMEOUT, HF_HUB_DOWNLOAD_TIMEOUT: 1 s here) at
import, so `load` and the streams run in child processes that start their own stand-in first; they run at once
(mostly they wait out the clients' backoff). The viewer is `python -m viewer_app.app hf://...` driven through
gradio_client, the stand-in in this process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from gradio_client import Client

from _imagenet3d.reasons import HubFault
from viewer_app.access import REPROBE_AFTER_S
from viewer_app.hub_io import TRIES
from viewer_app.viewer import SCENE, WHOLE_IMAGE

from hub_standin import HubStandIn
from viewer_process import ANY_FILTERS, KINDS, free_port

ROOT = Path(__file__).resolve().parents[1]
TIMEOUTS = {"HF_HUB_ETAG_TIMEOUT": "1", "HF_HUB_DOWNLOAD_TIMEOUT": "1"}
MANY = 10**6   # a fault that lasts until clear_faults()
REPO, TOKEN = "org/ds", "hf_local_user"

CHILD = """
import json, os, sys, tempfile, time
sys.path[:0] = [{root!r}, {tests!r}]
from hub_standin import HubStandIn
hub = HubStandIn()
hub.add_repo("org/ds", {dataset!r})
os.environ.update(hub.env(tempfile.mkdtemp()))
os.environ.update({timeouts!r})
import huggingface_hub.constants
import imagenet3d
out = {{}}

def attempt(name, call):
    hub.reset_counts()
    start = time.monotonic()
    try:
        result = dict(ok=True, value=call())
    except Exception as error:
        reason = getattr(error, "reason", None)
        result = dict(ok=False, type=type(error).__name__, message=str(error),
                      code=reason.code.name if reason is not None else None, status=getattr(error, "status", None))
    result.update(seconds=time.monotonic() - start, statuses=[r.status for r in hub.requests],
                  dropped=sum(r.dropped for r in hub.requests))
    out[name] = result

def cold(config, split, **kwargs):   # nothing cached: a warm Hub cache is used when the Hub fails (file_download.py)
    huggingface_hub.constants.HF_HUB_CACHE = tempfile.mkdtemp()
    return imagenet3d.load(config, split, source="org/ds", cache_dir=tempfile.mkdtemp(), **kwargs)

def train():
    return len(cold("annotations", "train"))
{body}
hub.close()
print(json.dumps(out))
"""

# Each child: a fault until the clients give up, then the Hub back and the same call again, in the same process.
SCENARIOS = {
    "load-5xx-429": """
        hub.fail_next(MANY, 503, retry_after=0)
        attempt("503: down", train)
        hub.clear_faults()
        attempt("503: back", train)
        hub.fail_next(2, 503, retry_after=0, path_contains="/annotations/train-known")
        attempt("503: streamed, two 503s", lambda: sum(1 for _ in cold("annotations", "train", streaming=True)))
        hub.fail_next(MANY, 429, retry_after=0)
        attempt("429: down", train)
        hub.clear_faults()
        hub.fail_next(2, 429, retry_after=1, path_contains="/annotations/validation-known")
        attempt("429: back, two 429s asking to wait 1 s", lambda: len(cold("annotations", "validation")))
    """,
    "load-slow": """
        hub.slow_next(MANY, 1.5, path_contains="/annotations/train-known")
        attempt("down", train)
        hub.clear_faults()
        attempt("back", train)
    """,
    "stream-dropped": """
        stream = imagenet3d.object_stream("default", "train", source="org/ds", shuffle=False)
        hub.fail_next(MANY, 502, retry_after=0, path_contains="/data/")
        attempt("stream: down while iterating", lambda: sum(1 for _ in stream))
        attempt("stream: down while planning", lambda: imagenet3d.object_stream("default", "train", source="org/ds"))
        hub.clear_faults()
        attempt("stream: back", lambda: sum(1 for _ in stream))
        hub.drop_after(10, times=MANY, path_contains="/annotations/train-known")
        attempt("load: down", train)
        hub.clear_faults()
        attempt("load: back", train)
    """,
}


def _start_viewer(hub: HubStandIn, home: Path) -> subprocess.Popen:
    """python -m viewer_app.app hf://datasets/REPO, run locally by a signed-in user, its Hub timeouts 1 s."""
    env = {**hub.env(home, token=TOKEN), **TIMEOUTS, "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("PYTHONPATH", None)
    port = free_port()
    with open(home / "viewer.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "viewer_app.app", f"hf://datasets/{REPO}", "--port",
                                    str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.url, process.log = f"http://127.0.0.1:{port}", home / "viewer.log"   # type: ignore[attr-defined]
    return process


def _start(dataset: Path, body: str) -> subprocess.Popen:
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), dataset=str(dataset), timeouts=TIMEOUTS,
                        body=textwrap.dedent(body).replace("MANY", str(MANY)))
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture(scope="module")
def started(built_dataset, tmp_path_factory):
    """The viewer (Hub down from the start), then every load / stream scenario at once, when the module starts:
    the scenarios mostly wait out the clients' backoff while the viewer test runs."""
    hub = HubStandIn()
    hub.add_repo(REPO, built_dataset)
    hub.add_user(TOKEN, "alice")
    hub.fail_next(MANY, 503, path_contains=f"datasets/{REPO}")   # the dataset's info and files; not whoami
    viewer = _start_viewer(hub, tmp_path_factory.mktemp("viewer"))
    _serving(viewer)   # first: its start-up is CPU-bound, the children's scenarios mostly wait
    children = {name: _start(built_dataset, body) for name, body in SCENARIOS.items()}
    yield {"hub": hub, "viewer": viewer, "children": children}
    viewer.terminate()   # the viewer removes its drawn files on the way out
    try:
        viewer.wait(timeout=30)
    finally:
        for process in [viewer, *children.values()]:   # children a -k selection left unread
            if process.poll() is None:
                process.kill()
            process.communicate()
    hub.close()


@pytest.fixture(scope="module")
def children(started):
    return started["children"]


def _results(children, name: str) -> dict:
    """The child's results (read once: each test that shares a child reads what the first one kept)."""
    process = children[name]
    if not hasattr(process, "results"):
        stdout, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr[-3000:]
        process.results = json.loads(stdout.strip().splitlines()[-1])
    return process.results


def _rows(dataset: Path, partitions: str) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in (dataset / "annotations").glob(f"{partitions}.parquet"))


def _train_rows(dataset: Path) -> int:
    return _rows(dataset, "train-*")


def _gave_up(result: dict, code: HubFault, status: int | None = None) -> None:
    """The call failed with one HubFaultError line whose reason is ``code``."""
    assert not result["ok"] and result["type"] == "HubFaultError", result
    assert result["code"] == code.name and result["status"] == status, result
    assert "\n" not in result["message"] and result["message"], result


def _serving(viewer: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert viewer.poll() is None, viewer.log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(viewer.url + "/", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the viewer served nothing in 120 s:\n{viewer.log.read_text()[-3000:]}")


def _one_line_warning(message) -> str:
    assert isinstance(message, str) and message.startswith("⚠️") and "\n" not in message, message
    return message


def _first_image_of_each_file(dataset: Path) -> dict[str, str]:
    """partition (train-known, ...) -> the first image id its data/ file holds (annotations hold them in order)."""
    return {path.name.split("-0")[0]: pq.read_table(path, columns=["image_id"]).column(0)[0].as_py()
            for path in sorted((dataset / "annotations").glob("*.parquet"))}


def test_the_viewer_answers_every_handler_in_one_line_during_an_outage_and_recovers(started, built_dataset):
    """One viewer process throughout: started while the Hub fails, then the Hub back, then faults on the image
    reads (a long rate limit, dropped connections, a Hub slower than the 1 s timeout, 502s), then back again."""
    hub, viewer = started["hub"], started["viewer"]
    client = Client(viewer.url, verbose=False, httpx_kwargs={"timeout": 60})
    images = _first_image_of_each_file(built_dataset)
    first, *others = images.values()

    def sample(image_id: str):
        return client.submit(image_id, KINDS, "all", WHOLE_IMAGE, SCENE, "overlaid", *ANY_FILTERS, api_name="/sample")

    # Down from the start: whether the dataset is gated is unknown, so every handler says why, in one line.
    jobs = {"/browse": client.submit(*ANY_FILTERS, 1, api_name="/browse"),
            "/statistics": client.submit(*ANY_FILTERS, api_name="/statistics"),
            "/random": client.submit(*ANY_FILTERS, api_name="/random"),
            "/step": client.submit(first, KINDS, WHOLE_IMAGE, SCENE, "overlaid", *ANY_FILTERS, api_name="/step"),
            "/sample": sample(first),
            "/predictions": client.submit(f"hf://datasets/{REPO}/predictions.jsonl", None, api_name="/predictions")}
    where = {"/browse": 2, "/statistics": 1, "/random": 1, "/step": 5, "/sample": 4, "/predictions": None}
    down = HubFault.SERVER_ERROR.message(status=503)
    for name, job in jobs.items():
        answer = job.result(timeout=60)
        message = _one_line_warning(answer if where[name] is None else answer[where[name]])
        assert down in message, (name, message)
    # The Hub is back: the same process serves data (it asks again at most every REPROBE_AFTER_S).
    hub.clear_faults()
    time.sleep(REPROBE_AFTER_S)
    summary, _ = client.predict(*ANY_FILTERS, api_name="/statistics")
    assert summary.startswith("<div"), summary
    assert sample(first).result(timeout=60)[0] is not None   # the picture drawn

    # Faults on the other files' image reads, all at once (each file its own fault; the index is open).
    rate_limited, dropped, slow = others
    hub.reset_counts()
    hub.fail_next(MANY, 429, retry_after=120, path_contains=f"data/{_partition(images, rate_limited)}")
    hub.drop_after(0, times=MANY, path_contains=f"data/{_partition(images, dropped)}")
    hub.slow_next(MANY, 3, path_contains=f"data/{_partition(images, slow)}")
    jobs = {image_id: sample(image_id) for image_id in others}
    expected = {rate_limited: HubFault.RATE_LIMITED.message(detail=", retry after 120 s"),
                dropped: HubFault.DROPPED.message(error="RemoteProtocolError"),
                slow: HubFault.TIMED_OUT.message(error="ReadTimeout")}
    for image_id, job in jobs.items():
        answer = job.result(timeout=60)
        assert answer[0] is None and expected[image_id] in _one_line_warning(answer[4]), (image_id, answer[4])
    reads = {image_id: [r for r in hub.requests if f"data/{_partition(images, image_id)}" in r.path]
             for image_id in others}
    assert [r.status for r in reads[rate_limited]] == [429]            # a two-minute Retry-After: said, not waited
    assert len(reads[dropped]) == TRIES and all(r.dropped for r in reads[dropped])
    hub.clear_faults()
    hub.fail_next(MANY, 502, path_contains="/data/")
    _, _, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
    assert HubFault.SERVER_ERROR.message(status=502) in _one_line_warning(note)
    # Each slow read was given up after the 1 s timeout: TRIES of them (logged when the held answer goes out).
    deadline = time.monotonic() + 10
    while sum(f"data/{_partition(images, slow)}" in r.path for r in hub.requests) < TRIES:
        assert time.monotonic() < deadline, "fewer tries than TRIES on a slow Hub"
        time.sleep(0.1)

    # Back again: nothing kept the failures.
    hub.clear_faults()
    gallery, page, note = client.predict(*ANY_FILTERS, 1, api_name="/browse")
    assert len(gallery) == min(24, _rows(built_dataset, "*")) and page == 1 and "⚠️" not in note
    for image_id in others:
        answer = sample(image_id).result(timeout=60)
        assert answer[0] is not None and answer[6] == image_id, answer[4]
    stepped = client.predict(first, KINDS, WHOLE_IMAGE, SCENE, "overlaid", *ANY_FILTERS, api_name="/step")
    assert stepped[0] != first and stepped[1] is not None


def _partition(images: dict[str, str], image_id: str) -> str:
    return next(partition for partition, first in images.items() if first == image_id)


@pytest.mark.parametrize("status, code", [(503, HubFault.SERVER_ERROR), (429, HubFault.RATE_LIMITED)])
def test_load_retries_429_and_5xx_as_huggingface_hub_does_then_names_the_cause(children, built_dataset, status,
                                                                              code):
    out = _results(children, "load-5xx-429")
    down = out[f"{status}: down"]
    _gave_up(down, code, status)
    # huggingface_hub's HEAD for the file's metadata: once without retries (file_download.py, retry_on_errors=False),
    # then with http_backoff's 5 retries (Retry-After: 0 -> 1 s apart); nothing of ours on top.
    assert down["statuses"] == [status] * 7 and down["seconds"] >= 5
    if status == 503:
        assert out["503: back"]["ok"] and out["503: back"]["value"] == _train_rows(built_dataset)
        streamed = out["503: streamed, two 503s"]   # a streamed split: the reads of the file are retried too
        assert streamed["ok"] and streamed["value"] == _train_rows(built_dataset)
        assert streamed["statuses"].count(503) == 2
    else:   # back; the first HEAD has no retry, the second waits Retry-After plus 1 s (huggingface_hub)
        back = out["429: back, two 429s asking to wait 1 s"]
        assert back["ok"] and back["value"] == _rows(built_dataset, "validation-*")
        assert back["statuses"].count(429) == 2 and back["seconds"] >= 2


def test_a_connection_that_keeps_dropping_is_resumed_then_named(children, built_dataset):
    out = _results(children, "stream-dropped")
    _gave_up(out["load: down"], HubFault.DROPPED)
    # file_download.http_get resumes a cut download 5 times, 1 s apart: six bodies cut in all.
    assert out["load: down"]["dropped"] == 6
    back = out["load: back"]
    assert back["ok"] and back["value"] == _train_rows(built_dataset) and not back["dropped"]


def test_a_hub_slower_than_the_timeout_is_named(children, built_dataset):
    out = _results(children, "load-slow")
    _gave_up(out["down"], HubFault.TIMED_OUT)
    assert out["back"]["ok"] and out["back"]["value"] == _train_rows(built_dataset)


def test_object_stream_names_the_cause_and_recovers(children):
    out = _results(children, "stream-dropped")
    for case in ("stream: down while iterating", "stream: down while planning"):
        _gave_up(out[case], HubFault.SERVER_ERROR, 502)
        # HfFileSystem's ranged read: http_backoff's first try and 5 retries, nothing more.
        assert out[case]["statuses"].count(502) == 6, out[case]
    back = out["stream: back"]
    assert back["ok"] and back["value"] > 0 and 502 not in back["statuses"]


# -- in-process units: Retry-After as huggingface_hub reads it, the gate probe, a status-less answer ------------


def test_the_statuses_retried_are_huggingface_hubs():
    from huggingface_hub.utils._http import _DEFAULT_RETRY_ON_STATUS_CODES  # pinned huggingface_hub==2.4.0

    from _imagenet3d.hub_faults import RETRY_STATUSES

    assert RETRY_STATUSES == frozenset(_DEFAULT_RETRY_ON_STATUS_CODES)


@pytest.mark.parametrize("headers, status, seconds", [
    ({"Retry-After": "7"}, 503, 7.0),
    ({"retry-after": " 12 "}, 429, 12.0),
    ({"Retry-After": "inf"}, 503, None),
    ({"Retry-After": "1e999"}, 429, None),
    ({"Retry-After": "nan"}, 503, None),
    ({"Retry-After": "-1"}, 503, None),
    ({"Retry-After": "1.5"}, 503, None),
    ({"Retry-After": b"\xb2"}, 503, None),   # read as latin-1 "\u00b2": str.isdigit, yet int() refuses it
    ({"Retry-After": "9" * 5000}, 503, None),
    ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 503, None),
    # a 429: the RateLimit header first when no request is left (as http_backoff), else Retry-After
    ({"RateLimit": '"api";r=0;t=55', "Retry-After": "3"}, 429, 55.0),
    ({"RateLimit": '"api";r=4;t=55', "Retry-After": "3"}, 429, 3.0),
    ({"RateLimit": '"api";r=0;t=55', "Retry-After": "3"}, 503, 3.0),
    ({}, 429, None),
])
def test_retry_after_is_read_as_huggingface_hub_reads_it(headers, status, seconds):
    import httpx2
    import huggingface_hub.utils  # noqa: F401 - parse_ratelimit_headers is read from it once imported

    from _imagenet3d.hub_faults import retry_after_s

    assert retry_after_s(httpx2.Headers(headers), status) == seconds


def test_a_visitor_arriving_during_a_gate_probe_gets_the_last_answer_at_once(hub, monkeypatch):
    import threading

    from huggingface_hub import constants

    from viewer_app import access
    from viewer_app.hub_io import HubUnavailable

    monkeypatch.setattr(constants, "ENDPOINT", hub.endpoint)
    monkeypatch.setattr(access, "REPROBE_AFTER_S", 0.0)
    info = "/api/datasets/org/gone"
    hub.fail_next(1, 503, retry_after=600, path_contains=info)   # over LONGEST_WAIT_S: reported at once, no retry
    gate = access.Access("hf://datasets/org/gone")
    assert gate.gated is None and gate.unreachable
    hub.slow_next(1, 4.0, path_contains=info)   # the next probe is held 4 s, then told the repo is not visible
    prober = threading.Thread(target=gate.visit, args=(None,), daemon=True)
    prober.start()
    deadline = time.monotonic() + 30
    while not gate._probe_lock.locked() and prober.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gate._probe_lock.locked()   # the prober is waiting for the Hub's answer (4 s)
    with pytest.raises(HubUnavailable):   # the last known answer: not reachable, and no wait for the probe
        gate.visit(None)
    assert prober.is_alive()
    prober.join(timeout=60)
    assert gate.gated is True and not gate.visit(None).admitted   # the probe's answer, for the next visitor


def test_an_answer_without_a_status_is_worded_without_one():
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    from viewer_app.access import Guard

    error = HfHubHTTPError("refused", response=httpx2.Response(500, request=httpx2.Request("GET", "http://x")))
    error.response = None

    class Refusing:
        repo_id = "org/ds"

        def visit(self, oauth_token):
            raise error

    message = Guard(Refusing(), lambda index: None)(None, lambda text: text, lambda viewer: "shown")
    assert "None" not in _one_line_warning(message) and "org/ds" in message
