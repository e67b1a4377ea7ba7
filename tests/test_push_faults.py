"""push under a failing Hub: the real HfApi.upload_folder over HTTP against the stand-in (tests/hub_standin.py).

The folder is big enough in files (290) for upload_folder to commit it in two batches (250 files, then the rest),
so "resumes without sending again what is done" is visible: hub.uploads lists every file a commit wrote, and each
must appear exactly once however often the push was interrupted. Every push ends with the Hub's file list checked
against manifest.json (conversion/hub/remote_check.py).
"""

from __future__ import annotations

import collections
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from _imagenet3d.reasons import HubFault
from conversion import manifest
from conversion.hub import push, remote_check

REPO_ID = "someone/faults"
TOKEN = "hf_writer"
ROOT = Path(__file__).resolve().parents[1]
N_BIN, N_JSON = 260, 30  # .bin: LFS on the Hub (sha256 compared); .json: git (blob sha1 compared)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared and never written: tests that change files copy it first."""
    root = tmp_path_factory.mktemp("push-faults") / "out"
    (root / "data").mkdir(parents=True)
    (root / "meta").mkdir()
    (root / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# Faults\n")
    for i in range(N_BIN):
        (root / "data" / f"part-{i:04d}.bin").write_bytes(bytes([i % 251]) * (200 + i))
    for i in range(N_JSON):
        (root / "meta" / f"m-{i:03d}.json").write_text(f'{{"i": {i}}}\n')
    manifest.write_manifest(root, {"name": "faults"}, {})
    return root


@pytest.fixture
def api(hub) -> HfApi:
    hub.add_user(TOKEN, REPO_ID.split("/")[0])
    return HfApi(endpoint=hub.endpoint, token=TOKEN)


def sent_once(hub, folder: Path) -> None:
    """Every file of the folder was written by a commit exactly once, with its size; nothing else."""
    counts = collections.Counter(u.path for u in hub.uploads)
    assert counts == collections.Counter(manifest.repo_files(folder)), counts.most_common(3)
    assert all(u.size == (folder / u.path).stat().st_size for u in hub.uploads)


def verified(api: HfApi, folder: Path) -> None:
    check = remote_check.check_remote(api, folder, manifest.repo_files(folder), REPO_ID)
    assert check.problems == [] and check.extra == []


def test_push_verifies_and_a_rerun_sends_nothing(folder, hub, api):
    files = push.push(folder, REPO_ID, api=api)
    assert len(files) == N_BIN + N_JSON + 2
    sent_once(hub, folder)
    assert [r.status for r in hub.requests if r.kind == "commit"] == [200, 200]  # two batches
    verified(api, folder)
    hub.reset_counts()
    assert push.push(folder, REPO_ID, api=api) == files
    assert hub.count("commit") == 0 and len(hub.uploads) == len(files)  # nothing sent again


def test_rate_limit_with_retry_after_resumes_after_the_client_gives_up(folder, hub, api):
    # The second commit is refused 6 times: the client's own 5 retries (Retry-After 0 -> 1 s each) run out, push
    # starts attempt 2, which finds the first batch on the Hub and sends only the second.
    hub.fail_next(6, status=429, retry_after=0, path_contains="/commit/", after=1)
    push.push(folder, REPO_ID, api=api, backoff=0)
    commits = [r.status for r in hub.requests if r.kind == "commit"]
    assert commits == [200, *[429] * 6, 200]
    sent_once(hub, folder)
    verified(api, folder)


def test_server_errors_are_retried_without_sending_done_files_again(folder, hub, api):
    hub.fail_next(1, status=503, path_contains="/commit/", after=1)
    hub.fail_next(1, status=500, path_contains="/preupload/", after=1)
    push.push(folder, REPO_ID, api=api, backoff=0)
    assert [r.status for r in hub.requests if r.kind == "commit"] == [200, 503, 200]
    assert 500 in [r.status for r in hub.requests if r.kind == "preupload"]
    sent_once(hub, folder)
    verified(api, folder)


def test_connection_dropped_mid_upload(folder, hub, api):
    hub.drop_upload_after(2000, times=1, path_contains="/commit/", after=1)
    push.push(folder, REPO_ID, api=api, backoff=0)
    cut = [r for r in hub.requests if r.kind == "commit" and r.dropped]
    assert len(cut) == 1 and cut[0].body_bytes == 2000
    sent_once(hub, folder)  # the cut commit wrote nothing; its retry wrote the batch once
    verified(api, folder)


def test_slow_answers_only_make_it_slower(folder, hub, api):
    hub.slow_next(1, 1.0, path_contains="/preupload/")
    hub.slow_next(2, 1.0, path_contains="/commit/")
    push.push(folder, REPO_ID, api=api, backoff=0)
    sent_once(hub, folder)
    verified(api, folder)


def test_sigkilled_push_rerun_resumes(folder, hub, api, tmp_path):
    """`python -m conversion push` killed after its first commit, while the Hub holds its next request."""
    hub.slow_next(1, 30.0, path_contains="/preupload/", after=1)
    argv = [sys.executable, "-m", "conversion", "push", str(folder), "--repo-id", REPO_ID]
    env = hub.env(tmp_path / "home", TOKEN)
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(hub.uploads) < 250 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None and len(hub.uploads) == 250  # the first batch, and not done yet
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    hub.clear_faults()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("pushed and verified"), done.stderr
    sent_once(hub, folder)  # the first 250 files were not sent again
    verified(api, folder)


@pytest.mark.parametrize("fault, code", [
    ("429", HubFault.RATE_LIMITED),
    ("503", HubFault.SERVER_ERROR),
    ("drop", HubFault.DROPPED),
])
def test_giving_up_names_the_cause_in_one_line(folder, hub, api, fault, code):
    # create_repo is one request the client does not retry itself: push's attempts are all there is.
    if fault == "drop":
        hub.drop_upload_after(10, times=100, path_contains="/api/repos/create")
    else:
        hub.fail_next(100, status=int(fault), retry_after=0, path_contains="/api/repos/create")
    with pytest.raises(push.HubWriteError) as caught:
        push.push(folder, REPO_ID, api=api, attempts=2, backoff=0)
    assert caught.value.reason.code is code and caught.value.reason in str(caught.value)
    assert "\n" not in str(caught.value)
    assert hub.count("create-repo") == 2 and hub.count("commit") == 0


def test_cli_gives_up_with_one_error_line(folder, hub, api, tmp_path):
    hub.fail_next(100, status=429, retry_after=0, path_contains="/api/repos/create")
    done = subprocess.run([sys.executable, "-m", "conversion", "push", str(folder), "--repo-id", REPO_ID,
                           "--attempts", "1"], env=hub.env(tmp_path / "home", TOKEN), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    rate_limited = HubFault.RATE_LIMITED.message(detail=", retry after 0 s")   # Retry-After: 0
    assert done.returncode == 2 and len(errors) == 1 and rate_limited in errors[0], done.stderr
    assert done.stderr.strip().splitlines()[-1] == errors[0]


def test_cli_bounds_a_slow_answer_and_names_the_timeout(folder, hub, api, tmp_path):
    hub.slow_next(10, 3.0, path_contains="/api/repos/create")  # create_repo: not retried by the client itself
    done = subprocess.run([sys.executable, "-m", "conversion", "push", str(folder), "--repo-id", REPO_ID,
                           "--attempts", "1", "--timeout", "0.5"], env=hub.env(tmp_path / "home", TOKEN),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    timed_out = HubFault.TIMED_OUT.message(error="ReadTimeout")
    assert done.returncode == 2 and len(errors) == 1 and timed_out in errors[0], done.stderr


def test_remote_check_says_what_is_missing_or_different(folder, hub, api, tmp_path):
    remote = tmp_path / "remote"
    shutil.copytree(folder, remote)
    (remote / "data" / "part-0000.bin").write_bytes(b"\xff" * 200)  # same size, other bytes (LFS: sha256)
    (remote / "meta" / "m-001.json").write_text('{"i": 9}\n')  # same size, other bytes (git: blob sha1)
    (remote / "meta" / "m-002.json").write_text("{}\n")  # other size
    (remote / "data" / "part-0001.bin").unlink()
    (remote / "data" / "stale-old-shard.bin").write_bytes(b"old")
    hub.add_repo("someone/tampered", remote)
    check = remote_check.check_remote(api, folder, manifest.repo_files(folder), "someone/tampered")
    assert [line.split(":")[0] for line in check.problems] == [
        "data/part-0000.bin", "data/part-0001.bin", "meta/m-001.json", "meta/m-002.json"]
    assert "sha256" in check.problems[0] and check.problems[1].endswith("missing on the Hub")
    assert "git blob" in check.problems[2] and "bytes on the Hub" in check.problems[3]
    assert check.extra == ["data/stale-old-shard.bin"]
    gave_up = push.give_up(push.RemoteMismatch(check.problems * 2), REPO_ID, 3)
    assert gave_up.reason.code is HubFault.FILES_DIFFER
    lines = str(gave_up).splitlines()
    assert len(lines) == 1 + push.MAX_PROBLEMS_SHOWN + 1 and lines[-1].strip() == "... and 3 more"


def _http_error(status: int, headers: dict[str, str] | None = None) -> HfHubHTTPError:
    response = httpx2.Response(status, headers=headers, request=httpx2.Request("POST", "http://hub.invalid/x"))
    return HfHubHTTPError(f"{status} Client Error", response=response)


@pytest.mark.parametrize("status, code", [(429, HubFault.RATE_LIMITED), (502, HubFault.SERVER_ERROR),
                                          (401, None), (403, None), (404, None)])
def test_a_refused_write_carries_the_hub_fault_code_or_none(status, code):
    # conversion/hub/space.py words every HfHubHTTPError with refusal: a 429 or 5xx is a Hub fault, coded as push's.
    refused = push.refusal(_http_error(status, {"Retry-After": "3"}), "the Space someone/viewer")
    assert (refused.reason.code if refused.reason is not None else None) is code
    assert "\n" not in str(refused)
    if code is HubFault.RATE_LIMITED:
        assert HubFault.RATE_LIMITED.message(detail=", retry after 3 s") in str(refused)
