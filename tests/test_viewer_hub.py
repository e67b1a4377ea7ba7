"""The viewer over hf://: Hub requests per action, retries, and what the page says when the Hub is down.

Everything runs the real huggingface_hub client over real HTTP against the stand-in Hub (tests/hub_standin.py).
huggingface_hub reads HF_ENDPOINT at import, and this test process has imported it already, so each scenario
runs in a child process that starts the stand-in before importing the viewer (as benchmarks/bench_requests.py
does; the per-action counts come from that script's --json output).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import imagenet3d
from viewer_app.hub_io import TRIES

ROOT = Path(__file__).resolve().parents[1]
BENCH = "benchmarks.bench_requests"  # run with -m from the repository root


def _counts(built_dataset: Path, *flags: str) -> dict:
    result = subprocess.run([sys.executable, "-m", BENCH, str(built_dataset), "--json", *flags], capture_output=True,
                            text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(result.stdout.strip().splitlines()[-1])
    results["by_action"] = {row["action"]: row for row in results["actions"]}
    return results


def _open_bound(built_dataset: Path) -> int:
    """Opening the index: each annotations file whole, each data footer, the CAD geometry's footer and
    its keys (at most one read per category's row group): one request each."""
    shards = [*(built_dataset / "annotations").glob("*.parquet"), *(built_dataset / "data").glob("*.parquet")]
    return len(shards) + 1 + pq.ParquetFile(built_dataset / imagenet3d.CAD_MESHES_FILE).metadata.num_row_groups


@pytest.mark.parametrize("gated", [False, True], ids=["public-anonymous", "gated-accepted-visitor"])
def test_requests_per_viewer_action(built_dataset, gated):
    results = _counts(built_dataset, *(["--gated"] if gated else []))
    actions = results["by_action"]
    opened = actions["open the index"]
    # One info request (file list and sizes), then only ranged file reads: no HfFileSystem listing or paths-info.
    # A gated dataset's info is read anonymously at start-up (is it gated?) and reused; its index is read
    # when the first admitted visitor comes, after the gate check (remembered for later requests).
    assert 1 <= opened["by_kind"]["resolve"] <= _open_bound(built_dataset)
    if gated:
        assert results["start-up"]["by_kind"] == {"info": 1}
        assert set(opened["by_kind"]) == {"auth-check", "resolve"} and opened["by_kind"]["auth-check"] == 1
    else:
        assert set(opened["by_kind"]) == {"info", "resolve"} and opened["by_kind"]["info"] == 1
    sample = actions["first sample, every overlay and the posed CAD model"]
    assert sample["requests"] <= 2 and sample["cold"] <= 2                # image row group + category meshes
    assert actions["the same sample again"]["requests"] == 0
    assert actions["a sample of another category"]["cold"] <= 2
    page = actions["a page of 24 thumbnails"]
    assert 1 <= page["cold"] <= 4 and page["requests"] <= 4
    assert actions["statistics"]["cold"] == 0                             # the in-memory index only
    assert actions["a filter change (category: grid and statistics)"]["cold"] <= 4
    for row in results["actions"][1:]:
        assert set(row["by_kind"]) <= {"resolve"}, row   # no gate check again, no listing


SCENARIO = """
import json, os, sys, tempfile, time
sys.path[:0] = [{root!r}, {tests!r}]
from hub_standin import HubStandIn
hub = HubStandIn()
hub.add_repo("org/ds", {dataset!r})
os.environ.update(hub.env(tempfile.mkdtemp()))
from viewer_app.data import DatasetIndex
from viewer_app.hub_io import TRIES, HubUnavailable, RangeCache
index = DatasetIndex("hf://datasets/org/ds", token=False)
image_id = index.image_ids[-1]
expected = DatasetIndex({dataset!r}).image_bytes(image_id)
out = {{}}

def read(name):
    index.fs.cache = RangeCache(index.fs.cache.budget)
    hub.reset_counts()
    start = time.monotonic()
    try:
        ok, message = index.image_bytes(image_id) == expected, None
    except HubUnavailable as error:
        ok, message = False, str(error)
    out[name] = dict(ok=ok, message=message, seconds=time.monotonic() - start,
                     statuses=[r.status for r in hub.requests], dropped=[r.dropped for r in hub.requests])
{body}
print(json.dumps(out), flush=True)
hub.close()
# The results are out. Skip interpreter teardown: once in a CI run, a native thread pool's
# destructor aborted the finished process ("terminate called without an active exception", -6).
os._exit(0)
"""


def _scenario(built_dataset: Path, body: str) -> dict:
    code = SCENARIO.format(root=str(ROOT), tests=str(ROOT / "tests"), dataset=str(built_dataset),
                           body=textwrap.dedent(body))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_reads_retry_429_5xx_and_dropped_connections(built_dataset):
    out = _scenario(built_dataset, """
        hub.fail_next(2, status=503, path_contains="/data/")
        read("503 twice")
        hub.fail_next(1, status=429, retry_after=1, path_contains="/data/")
        read("429, retry after 1 s")
        hub.drop_after(100, path_contains="/data/")
        read("connection dropped mid-body")
        hub.fail_next(1, status=500, path_contains="/data/")
        read("500 once")
    """)
    assert out["503 twice"]["ok"] and out["503 twice"]["statuses"] == [503, 503, 206]
    assert out["503 twice"]["seconds"] < 4   # waits of 0.25 s and 0.5 s (a loaded machine adds some)
    assert out["429, retry after 1 s"]["ok"] and out["429, retry after 1 s"]["statuses"] == [429, 206]
    assert out["429, retry after 1 s"]["seconds"] >= 1.0   # Retry-After honoured
    assert out["connection dropped mid-body"]["ok"] and out["connection dropped mid-body"]["dropped"] == [True, False]
    assert out["500 once"]["ok"] and out["500 once"]["statuses"] == [500, 206]


def test_a_hub_that_stays_down_gets_one_line_quickly(built_dataset):
    out = _scenario(built_dataset, """
        hub.fail_next(TRIES, status=503, path_contains="/data/")
        read("down")
        hub.fail_next(1, status=429, retry_after=120, path_contains="/data/")
        read("rate limited for two minutes")
        hub.close()
        read("gone")
    """)
    down = out["down"]
    assert not down["ok"] and down["statuses"] == [503] * TRIES and down["seconds"] < 6   # a few tries, seconds
    assert "could not be reached" in down["message"] and "\n" not in down["message"]
    limited = out["rate limited for two minutes"]
    assert not limited["ok"] and limited["statuses"] == [429] and limited["seconds"] < 3   # not waited for
    assert "120 s" in limited["message"]
    gone = out["gone"]
    assert not gone["ok"] and "could not be reached" in gone["message"] and gone["seconds"] < 6


def test_the_page_says_in_one_line_when_the_hub_is_down(built_dataset):
    out = _scenario(built_dataset, """
        from viewer_app import access as gate
        from viewer_app.access import Access, Guard
        from viewer_app.viewer import Viewer
        from viewer_app.data import Filter

        def page(guard):
            return guard(None, lambda message: ([], 1, message), lambda viewer: viewer.browse(Filter(), 1))

        hub.fail_next(TRIES, status=503, path_contains="/api/")
        down_at_start = Guard(Access("hf://datasets/org/ds"), Viewer)
        out["down at start-up"] = page(down_at_start)[2]
        gate.REPROBE_AFTER_S = 0.0   # (30 s in the Space) the Hub is back: the next visitor gets the data
        out["back"] = page(down_at_start)[2]
        guard = Guard(Access("hf://datasets/org/ds"), Viewer)
        hub.fail_next(TRIES, status=502, path_contains="/data/")
        out["down while browsing"] = page(guard)[2]
    """)
    for case in ("down at start-up", "down while browsing"):
        assert out[case].startswith("⚠️ The Hub could not be reached") and "\n" not in out[case], out[case]
    assert "images match" in out["back"]
