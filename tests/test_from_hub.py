"""``python -m conversion build --from-hub``: the real huggingface_hub client, over real HTTP, against the stand-in.

huggingface_hub reads HF_ENDPOINT at import, so every build runs as a subprocess with the stand-in's
environment (its own HF_HOME and cache under tmp, the token given or none). Downloads that break, stop
or are killed are cut at byte offsets that are no multiple of any chunk size, so a resume that starts
exactly there shows that every byte that reached the disk was kept.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from huggingface_hub import hf_hub_download
from huggingface_hub.constants import DOWNLOAD_CHUNK_SIZE

from _imagenet3d.reasons import HubFault
from conversion.build import build
from conversion.hub.download import RETRIES
from conversion.hub.fetch import release_folder
from conversion.source import SYNTHETIC_MARKER

from hub_standin import HubStandIn

REPO = Path(__file__).resolve().parents[1]
REPO_ID = "ccvl/ImageNet3D"
ZIP = "imagenet3d_v1.zip"
USER, OTHER = "hf_user_accepted", "hf_user_not_accepted"


@pytest.fixture(scope="module")
def release(tiny_release, tmp_path_factory) -> dict[str, Path]:
    """A tiny release zip served as the gated repo's only file, and the build of the same zip read locally.

    The zip is a synthetic release without its synthetic marker, so it builds as the real one does. It gets
    an incompressible entry outside imagenet3d_v1/, which the build never reads, so that it is larger than
    huggingface_hub's DOWNLOAD_CHUNK_SIZE (10 MiB): a resume from a whole chunk would show.
    """
    raw = tiny_release
    served = tmp_path_factory.mktemp("served")
    with zipfile.ZipFile(raw / ZIP) as source, zipfile.ZipFile(served / ZIP, "w") as archive:
        for info in source.infolist():
            if not info.filename.endswith(SYNTHETIC_MARKER):
                archive.writestr(info, source.read(info))
        archive.writestr(zipfile.ZipInfo("padding.bin", date_time=(1980, 1, 1, 0, 0, 0)),
                         np.random.default_rng(0).bytes(DOWNLOAD_CHUNK_SIZE + 2 * 1024**2))
    local = tmp_path_factory.mktemp("local") / "imagenet3d"
    build(served / ZIP, local, workers=1, progress=False)
    return {"zip": served / ZIP, "served": served, "local": local}


@pytest.fixture
def gated(hub, release):
    sha = hub.add_repo(REPO_ID, release["served"], gated="manual")
    hub.add_user(USER, "alice", accepted={REPO_ID})
    hub.add_user(OTHER, "bob")
    return sha


def build_command(out: Path, *args: str, quiet: bool = True) -> list[str]:
    return [sys.executable, "-m", "conversion", "build", *(["--quiet"] if quiet else []), "--workers", "1",
            "--from-hub", REPO_ID, str(out), *args]


def run_build(hub, home: Path, token: str | None, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "conversion", "build", "--quiet", "--workers", "1", *args]
    return subprocess.run(command, cwd=REPO, env=hub.env(home, token), capture_output=True, text=True, timeout=300)


def start_build(hub, home: Path, out: Path, quiet: bool = True) -> subprocess.Popen:
    return subprocess.Popen(build_command(out, quiet=quiet), cwd=REPO, env=hub.env(home, USER),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored(home: Path, release: dict[str, Path]) -> tuple[Path, Path]:
    """(complete file, partial file) of the served zip where --from-hub keeps it, for the subprocess's HF_HOME."""
    folder = release_folder(REPO_ID, hashlib.sha256(release["zip"].read_bytes()).hexdigest(), home / "hf_home")
    return folder / ZIP, folder / f"{ZIP}.part"


def wait_for(condition, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, (what, process.communicate())
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The command failed with exit code 2 and exactly one line on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def dataset_url(hub) -> str:
    return f"{hub.endpoint}/datasets/{REPO_ID}"


def downloads(hub) -> list:
    return [r for r in hub.requests if r.kind == "resolve" and r.method == "GET" and r.status in (200, 206)]


def resolves(hub) -> list:
    """Every request for file bytes (or their headers), whatever its answer."""
    return [r for r in hub.requests if r.kind == "resolve"]


def assert_same_build(out: Path, local: Path) -> dict:
    """Every file of the Hub build equals the local build's (manifest sha256s) but the card, which adds where the
    zip came from; returns the Hub build's origin as manifest.json records it."""
    ours, theirs = (json.loads((folder / "manifest.json").read_text()) for folder in (out, local))
    card = ours["files"].pop("README.md")
    assert card != theirs["files"].pop("README.md")
    assert ours["files"] == theirs["files"] and [f for f in ours["files"] if f.startswith("data/")]
    origin = ours["source"].pop("origin")
    assert ours["source"] == theirs["source"] and ours["source"]["synthetic"] is False
    text = (out / "README.md").read_text()
    assert f"commit `{origin['commit']}`" in text and f"sha256 `{origin['sha256']}` verified" in text
    return origin


def test_anonymous_on_the_gated_release_is_told_to_log_in(hub, gated, tmp_path):
    line = one_line_error(run_build(hub, tmp_path, None, "--from-hub", REPO_ID, str(tmp_path / "out")))
    assert "gated" in line and "hf auth login" in line and "HF_TOKEN" in line and dataset_url(hub) in line
    assert not downloads(hub) and not (tmp_path / "out").exists()


def test_a_user_who_has_not_accepted_is_told_to_accept(hub, gated, tmp_path):
    line = one_line_error(run_build(hub, tmp_path, OTHER, "--from-hub", REPO_ID, str(tmp_path / "out")))
    assert "accept its conditions" in line and dataset_url(hub) in line and "hf auth login" not in line
    assert not downloads(hub)


def test_an_accepted_user_builds_what_the_local_zip_builds(hub, gated, release, tmp_path):
    out = tmp_path / "out"
    result = run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(out))
    assert result.returncode == 0, result.stderr
    origin = assert_same_build(out, release["local"])
    assert origin == {"hub_repo": REPO_ID, "filename": ZIP, "commit": gated, "size": release["zip"].stat().st_size,
                      "sha256": hashlib.sha256(release["zip"].read_bytes()).hexdigest()}
    assert [(r.range, r.status) for r in resolves(hub)] == [(None, 200)]
    complete, partial = stored(tmp_path, release)
    assert complete.read_bytes() == release["zip"].read_bytes() and not partial.exists()
    # Built again (another folder): the stored zip is verified and reused; no request for its bytes at all.
    hub.reset_counts()
    again = run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "again"), "--revision", gated)
    assert again.returncode == 0, again.stderr
    assert not resolves(hub) and hub.count("auth-check") == 1  # the gate is still asked
    assert_same_build(tmp_path / "again", release["local"])
    # No Hub at all: the line points at the stored copy, which a plain build can read.
    line = one_line_error(build_without_hub(hub, tmp_path))
    cached = Path(line.split("`python -m conversion build ", 1)[1].split(" OUT`")[0])
    assert "cannot be reached" in line and "verified" in line and cached == complete


def test_a_dropped_connection_resumes_at_the_byte_it_stopped(hub, gated, release, tmp_path):
    cut = DOWNLOAD_CHUNK_SIZE + 1024**2 + 4321  # no chunk boundary
    hub.drop_after(cut, path_contains=ZIP)
    out = tmp_path / "out"
    result = run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(out))
    assert result.returncode == 0, result.stderr
    gets = downloads(hub)
    assert gets[0].dropped and gets[0].range is None
    # The second request asks for exactly what is not on disk yet.
    assert [(r.range, r.status) for r in gets[1:]] == [(f"bytes={cut}-", 206)]
    assert_same_build(out, release["local"])


def test_a_download_that_keeps_breaking_stops_and_the_next_run_resumes_it(hub, gated, release, tmp_path):
    """The first run gives up after its retries (one line, exit 2) and keeps the bytes it got. A second run,
    started meanwhile, waits for the first to let go of the file, then asks only for the rest."""
    cut = 3 * 1024**2 + 777
    hub.drop_after(cut, path_contains=ZIP)
    hub.drop_after(0, times=RETRIES + 1, path_contains=ZIP)  # then every reconnection brings nothing
    complete, partial = stored(tmp_path, release)
    first = start_build(hub, tmp_path, tmp_path / "first")
    wait_for(lambda: len(resolves(hub)) >= 2, first, "the first run's reconnection")
    second = start_build(hub, tmp_path, tmp_path / "second", quiet=False)
    _, stderr = first.communicate(timeout=120)
    line = one_line_error(subprocess.CompletedProcess(first.args, first.returncode, "", stderr))
    assert f"stopped at {cut:,} of {release['zip'].stat().st_size:,} bytes" in line and "resume" in line
    assert str(partial) in line and not (tmp_path / "first").exists()
    _, stderr = second.communicate(timeout=300)
    assert second.returncode == 0, stderr
    assert "waiting for another process" in stderr
    tries = RETRIES + 2  # the first request and every retry, all cut; then the second run's one request
    first_run = [(r.range, r.dropped) for r in resolves(hub)[:tries]]
    assert first_run == [(None, True)] + [(f"bytes={cut}-", True)] * (tries - 1)
    assert [(r.range, r.status, r.dropped) for r in resolves(hub)[tries:]] == [(f"bytes={cut}-", 206, False)]
    assert complete.read_bytes() == release["zip"].read_bytes() and not partial.exists()
    assert_same_build(tmp_path / "second", release["local"])


def test_a_killed_download_is_resumed_by_the_next_run(hub, gated, release, tmp_path):
    cut = 5 * 1024**2 + 12345
    hub.drop_after(cut, path_contains=ZIP)
    hub.drop_after(0, times=RETRIES + 1, path_contains=ZIP)  # keeps the first run retrying until it is killed
    complete, partial = stored(tmp_path, release)
    first = start_build(hub, tmp_path, tmp_path / "first")
    wait_for(lambda: partial.exists() and partial.stat().st_size == cut, first, "the partial file")
    first.kill()  # SIGKILL: nothing of the process runs after this
    first.communicate()
    assert partial.read_bytes() == release["zip"].read_bytes()[:cut]
    # The next run, against a stand-in with the same repo and commit but none of the faults left over.
    with HubStandIn() as fresh:
        fresh.add_repo(REPO_ID, release["served"], gated="manual")
        fresh.add_user(USER, "alice", accepted={REPO_ID})
        result = run_build(fresh, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "out"))
        assert result.returncode == 0, result.stderr
        assert [(r.range, r.status) for r in resolves(fresh)] == [(f"bytes={cut}-", 206)]
    assert complete.read_bytes() == release["zip"].read_bytes() and not partial.exists()
    assert_same_build(tmp_path / "out", release["local"])


def test_a_partial_of_another_version_or_longer_than_the_file_starts_over(hub, gated, release, tmp_path):
    data = release["zip"].read_bytes()
    complete, partial = stored(tmp_path, release)
    # Another version of the file (another sha256), even one whose bytes would fit, is never resumed here.
    other = release_folder(REPO_ID, hashlib.sha256(b"an earlier release").hexdigest(), tmp_path / "hf_home")
    other.mkdir(parents=True)
    (other / f"{ZIP}.part").write_bytes(data[:1000])
    partial.parent.mkdir(parents=True)
    partial.write_bytes(data + b"more than the Hub lists")
    result = run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert [(r.range, r.status) for r in resolves(hub)] == [(None, 200)]  # from the first byte
    assert not (other / f"{ZIP}.part").exists() and not partial.exists() and complete.read_bytes() == data
    assert_same_build(tmp_path / "out", release["local"])


def test_a_copy_in_the_hub_cache_is_verified_and_used_in_place(hub, gated, release, tmp_path):
    """A user who already has the zip from `hf download` (the Hub cache) does not download it again."""
    cached = hf_hub_download(REPO_ID, ZIP, repo_type="dataset", revision=gated, cache_dir=tmp_path / "hub_cache",
                             endpoint=hub.endpoint, token=USER)
    hub.reset_counts()
    result = run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert not resolves(hub)
    assert not any(stored(tmp_path, release)[0].parent.glob(f"{ZIP}*"))  # no second copy
    assert Path(cached).read_bytes() == release["zip"].read_bytes()
    assert_same_build(tmp_path / "out", release["local"])


def test_a_corrupt_download_is_deleted_and_reported(hub, gated, release, tmp_path):
    assert run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "first")).returncode == 0
    complete, _ = stored(tmp_path, release)
    data = bytearray(complete.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the checksum can tell
    complete.write_bytes(bytes(data))
    line = one_line_error(run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "second")))
    assert "corrupt" in line and "sha256" in line and "deleted" in line
    assert not complete.exists() and not (tmp_path / "second").exists()
    # A partial download with a wrong byte (a power cut, a bad disk) is resumed, found corrupt and deleted.
    _, partial = stored(tmp_path, release)
    partial.write_bytes(bytes(data[:len(data) // 2 + 1000]))
    hub.reset_counts()
    line = one_line_error(run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "second")))
    assert "corrupt" in line and "deleted" in line and not partial.exists() and not complete.exists()
    assert [r.range for r in resolves(hub)] == [f"bytes={len(data) // 2 + 1000}-"]
    # Run again: downloaded afresh, verified, built.
    hub.reset_counts()
    assert run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, str(tmp_path / "third")).returncode == 0
    assert [(r.range, r.status) for r in resolves(hub)] == [(None, 200)]
    assert_same_build(tmp_path / "third", release["local"])


def test_unknown_repo_missing_file_bad_token_and_no_hub_each_get_one_line(hub, gated, tmp_path):
    out = str(tmp_path / "out")
    for token in (None, USER):
        line = one_line_error(run_build(hub, tmp_path, token, "--from-hub", "ccvl/ImageNet3X", out))
        assert "no dataset ccvl/ImageNet3X" in line and f"{hub.endpoint}/datasets/ccvl/ImageNet3X" in line
    line = one_line_error(run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, out, "--filename", "v2.zip"))
    assert "no file v2.zip" in line and f"{dataset_url(hub)}/tree/main" in line
    line = one_line_error(run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, out, "--revision", "v9"))
    assert "no revision 'v9'" in line
    line = one_line_error(run_build(hub, tmp_path, "hf_not_a_token", "--from-hub", REPO_ID, out))
    assert "refused your token" in line and "hf auth login" in line
    hub.fail_next(3, status=503)
    line = one_line_error(run_build(hub, tmp_path, USER, "--from-hub", REPO_ID, out))
    assert "HTTP 503" in line
    assert not downloads(hub) and not Path(out).exists()


def build_without_hub(hub, home: Path) -> subprocess.CompletedProcess:
    """build --from-hub with HF_ENDPOINT on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    env = hub.env(home, USER) | {"HF_ENDPOINT": closed}
    return subprocess.run([sys.executable, "-m", "conversion", "build", "--quiet", "--from-hub", REPO_ID,
                           str(home / "unreached")], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_an_unreachable_hub_gets_one_line(hub, tmp_path):
    line = one_line_error(build_without_hub(hub, tmp_path))
    assert "cannot be reached" in line and f"/datasets/{REPO_ID}" in line and "check your connection" in line


def test_exactly_one_source(tmp_path, release):
    for args in (["--from-hub", REPO_ID, str(release["zip"]), str(tmp_path / "out")], [str(tmp_path / "out")],
                 [str(release["zip"]), str(tmp_path / "out"), "--revision", "main"]):
        result = subprocess.run([sys.executable, "-m", "conversion", "build", "--quiet", *args], cwd=REPO,
                                capture_output=True, text=True, timeout=120)
        one_line_error(result)


@pytest.mark.parametrize("status, headers, reason", [
    (429, {"Retry-After": "7"}, HubFault.RATE_LIMITED.message(detail=", retry after 7 s")),
    (503, {}, HubFault.SERVER_ERROR.message(status=503)),
    (408, {}, HubFault.TIMED_OUT.message(error="HTTP 408")),
])
def test_a_hub_fault_is_worded_as_hub_faults_words_it(status, headers, reason):
    """explain() leaves 408 / 429 / 5xx to _imagenet3d/hub_faults.py: the same reason as load and push give."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    from conversion.hub.fetch import explain

    response = httpx2.Response(status, headers=headers, request=httpx2.Request("GET", "http://hub.invalid/x"))
    line = explain(HfHubHTTPError(f"{status} error", response=response), REPO_ID, "v1.zip", None)
    assert line is not None and reason in line and "\n" not in line
