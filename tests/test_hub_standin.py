"""The stand-in Hub answers the REAL huggingface_hub / datasets clients the way the Hub does, over real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import HfApi, HfFileSystem, hf_hub_download
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from hub_standin import HubStandIn

README = """---
license: cc-by-nc-4.0
tags: [3d]
configs:
- config_name: main
  data_files:
  - split: train
    path: data/main-*.parquet
- config_name: small
  data_files:
  - split: train
    path: data/small-*.parquet
---
# A tiny dataset
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A dataset folder: README with configs, two parquet configs (main: 3 row groups of 160 KB), a blob."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "README.md").write_text(README)
    rng = np.random.default_rng(0)
    main = pa.table({"i": np.arange(30_000, dtype=np.int64), "v": rng.random(30_000)})  # > pyarrow's 64 KiB footer read
    pq.write_table(main, root / "data" / "main-00000-of-00001.parquet", row_group_size=10_000, compression="none")
    pq.write_table(pa.table({"i": [7], "v": [0.5]}), root / "data" / "small-00000-of-00001.parquet")
    (root / "blob.bin").write_bytes(rng.bytes(200_000))
    return root


def _api(hub: HubStandIn, token: str | bool = False) -> HfApi:
    return HfApi(endpoint=hub.endpoint, token=token)


def _download(hub: HubStandIn, repo_id: str, name: str, cache: Path, token: str | bool = False) -> Path:
    return Path(hf_hub_download(repo_id, name, repo_type="dataset", endpoint=hub.endpoint, cache_dir=cache,
                                token=token))


def test_download_serves_the_bytes_with_hub_headers(hub, folder, tmp_path):
    sha = hub.add_repo("org/ds", folder)
    path = _download(hub, "org/ds", "blob.bin", tmp_path / "cache")
    assert path.read_bytes() == (folder / "blob.bin").read_bytes()
    assert sha in str(path)  # the snapshot is filed under the commit the stand-in reported (X-Repo-Commit)
    assert [(r.method, r.status, r.kind) for r in hub.requests] == [("HEAD", 200, "resolve"), ("GET", 200, "resolve")]
    # a second call is answered from the cache after one HEAD
    hub.reset_counts()
    assert _download(hub, "org/ds", "blob.bin", tmp_path / "cache") == path
    assert hub.count("resolve", "GET") == 0 and hub.count("resolve", "HEAD") == 1


def test_model_and_space_repos_and_request_kinds(hub, folder, tmp_path):
    hub.add_repo("org/model", folder, repo_type="model")
    hub.add_repo("org/space", folder, repo_type="space")
    for repo_type in ("model", "space"):
        path = hf_hub_download(f"org/{repo_type}", "README.md", repo_type=repo_type, endpoint=hub.endpoint,
                               cache_dir=tmp_path, token=False)
        assert Path(path).read_text() == README
        assert _api(hub).repo_info(f"org/{repo_type}", repo_type=repo_type).sha
    assert [r.path for r in hub.requests if r.method == "GET" and r.kind == "resolve"] == [
        "/org/model/resolve/main/README.md", "/spaces/org/space/resolve/main/README.md"]
    assert (hub.count("resolve"), hub.count("resolve", "HEAD"), hub.count("info"), hub.count()) == (4, 2, 2, 6)
    with pytest.raises(RepositoryNotFoundError):  # a dataset of that name does not exist
        _api(hub).dataset_info("org/model")
    with pytest.raises(ValueError):
        hub.count("downloads")


def test_download_resumes_with_range_after_a_dropped_connection(hub, folder, tmp_path):
    # http_get keeps only whole DOWNLOAD_CHUNK_SIZE (10 MiB) chunks of a cut body, so cut after the first one
    chunk = 10 * 1024 * 1024
    (folder / "big.bin").write_bytes(np.random.default_rng(1).bytes(chunk + 100_000))
    hub.add_repo("org/ds", folder)
    hub.drop_after(chunk + 5_000, path_contains="big.bin")
    path = _download(hub, "org/ds", "big.bin", tmp_path / "cache")  # one call: http_get retries with Range
    assert path.read_bytes() == (folder / "big.bin").read_bytes()
    gets = [r for r in hub.requests if r.method == "GET"]
    assert [(r.status, r.range, r.dropped) for r in gets] == [(200, None, True), (206, f"bytes={chunk}-", False)]


def test_a_cut_inside_the_first_chunk_restarts_the_download(hub, folder, tmp_path):
    hub.add_repo("org/ds", folder)
    hub.drop_after(50_000, path_contains="blob.bin")
    path = _download(hub, "org/ds", "blob.bin", tmp_path / "cache")
    assert path.read_bytes() == (folder / "blob.bin").read_bytes()
    gets = [r for r in hub.requests if r.method == "GET"]
    assert [(r.status, r.range, r.dropped) for r in gets] == [(200, None, True), (200, None, False)]


def test_dataset_info_is_public_and_reports_the_gate(hub, folder):
    sha = hub.add_repo("org/gated", folder, gated="manual")
    info = _api(hub).dataset_info("org/gated", files_metadata=True)
    assert (info.id, info.sha, info.gated, info.private) == ("org/gated", sha, "manual", False)
    assert info.card_data["license"] == "cc-by-nc-4.0"
    sizes = {s.rfilename: (s.size, s.lfs is not None) for s in info.siblings}
    assert sizes["README.md"] == (len(README.encode()), False)
    assert sizes["blob.bin"] == (200_000, True)
    assert _api(hub).dataset_info("org/gated", revision=sha).sha == sha
    with pytest.raises(RevisionNotFoundError):
        _api(hub).dataset_info("org/gated", revision="v2")


def test_gate_anonymous_not_accepted_and_accepted(hub, folder, tmp_path):
    hub.add_repo("org/gated", folder, gated="auto")
    hub.add_user("tok-alice", "alice", accepted={"org/gated"})
    hub.add_user("tok-bob", "bob")
    with pytest.raises(GatedRepoError) as anonymous:
        _download(hub, "org/gated", "README.md", tmp_path / "c1")
    with pytest.raises(GatedRepoError) as refused:
        _download(hub, "org/gated", "README.md", tmp_path / "c2", token="tok-bob")
    assert (anonymous.value.response.status_code, refused.value.response.status_code) == (401, 403)
    assert "org/gated" in refused.value.response.headers["X-Error-Message"]
    assert _download(hub, "org/gated", "README.md", tmp_path / "c3", token="tok-alice").read_text() == README
    with pytest.raises(GatedRepoError):
        _api(hub, "tok-bob").auth_check("org/gated", repo_type="dataset")
    _api(hub, "tok-alice").auth_check("org/gated", repo_type="dataset")
    # listings stay public, as on the Hub; reading bytes through HfFileSystem hits the gate
    fs = HfFileSystem(endpoint=hub.endpoint, token=False, skip_instance_cache=True)
    assert "datasets/org/gated/blob.bin" in fs.ls("datasets/org/gated", detail=False)
    with pytest.raises(GatedRepoError):
        fs.cat_file("datasets/org/gated/blob.bin", start=0, end=10)


def test_missing_repo_revision_file_and_bad_token(hub, folder, tmp_path):
    hub.add_repo("org/ds", folder)
    hub.add_user("tok", "alice")
    with pytest.raises(RepositoryNotFoundError) as anonymous:
        _api(hub).dataset_info("org/nope")
    with pytest.raises(RepositoryNotFoundError) as known:
        _api(hub, "tok").dataset_info("org/nope")
    assert (anonymous.value.response.status_code, known.value.response.status_code) == (401, 404)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download("org/ds", "README.md", repo_type="dataset", revision="v9", endpoint=hub.endpoint,
                        cache_dir=tmp_path, token=False)
    with pytest.raises(RemoteEntryNotFoundError):
        _download(hub, "org/ds", "nope.txt", tmp_path)
    with pytest.raises(HfHubHTTPError) as bad:
        _api(hub, "tok-unknown").dataset_info("org/ds")
    assert not isinstance(bad.value, RepositoryNotFoundError) and bad.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError, match="Invalid user token"):
        _api(hub).whoami(token="tok-unknown")


def test_whoami_has_the_fields_gradio_mocked_oauth_reads(hub):
    hub.add_user("tok", "alice")
    me = _api(hub).whoami(token="tok")
    assert (me["name"], me["type"], me["orgs"]) == ("alice", "user", [])
    assert me["fullname"] and me["avatarUrl"] and me["auth"]["accessToken"]["role"] == "read"
    assert hub.count("whoami") == 1 and hub.requests[0].token == "tok"


def test_listing_paths_info_and_tree_pagination(hub, folder, monkeypatch):
    hub.add_repo("org/ds", folder)
    api = _api(hub)
    infos = api.get_paths_info("org/ds", ["data", "blob.bin", "missing"], repo_type="dataset", expand=True)
    assert [(type(i).__name__, i.path) for i in infos] == [("RepoFolder", "data"), ("RepoFile", "blob.bin")]
    assert infos[1].lfs.sha256 and infos[1].last_commit is not None
    monkeypatch.setattr("hub_standin.TREE_PAGE", 2)  # force several pages of the Link-header pagination
    files = api.list_repo_files("org/ds", repo_type="dataset")
    assert sorted(files) == ["README.md", "blob.bin", "data/main-00000-of-00001.parquet",
                             "data/small-00000-of-00001.parquet"]
    assert hub.count("tree") == 3


def test_hf_file_system_glob_ls_and_parquet_row_group_by_ranges(hub, folder):
    hub.add_repo("org/ds", folder)
    fs = HfFileSystem(endpoint=hub.endpoint, token=False, skip_instance_cache=True)
    assert fs.glob("datasets/org/ds/data/*.parquet") == ["datasets/org/ds/data/main-00000-of-00001.parquet",
                                                        "datasets/org/ds/data/small-00000-of-00001.parquet"]
    name = "datasets/org/ds/data/main-00000-of-00001.parquet"
    local = folder / "data" / "main-00000-of-00001.parquet"
    assert fs.cat_file(name, start=100, end=110) == local.read_bytes()[100:110]
    hub.reset_counts()
    with fs.open(name, "rb", block_size=4096) as f:
        parquet = pq.ParquetFile(f)
        group = parquet.read_row_group(1)
    assert group.column("i").to_pylist() == list(range(10_000, 20_000))
    reads = [r for r in hub.requests if r.kind == "resolve"]
    assert reads and all(r.status == 206 and r.range.startswith("bytes=") for r in reads)
    fetched = sum(int(r.range[6:].split("-")[1]) - int(r.range[6:].split("-")[0]) + 1 for r in reads)
    assert fetched < local.stat().st_size  # the footer and one row group, not the whole file


def test_rate_limit_is_retried_by_downloads_and_surfaced_by_api_calls(hub, folder, tmp_path):
    hub.add_repo("org/ds", folder)
    # hf_hub_download: the first 429 on HEAD is retried at once, the next after Retry-After + 1 s (http_backoff)
    hub.fail_next(2, status=429, retry_after=0, path_contains="/resolve/")
    started = time.monotonic()
    path = _download(hub, "org/ds", "README.md", tmp_path)
    assert path.read_text() == README and time.monotonic() - started >= 1
    assert [(r.method, r.status) for r in hub.requests] == [("HEAD", 429), ("HEAD", 429), ("HEAD", 200), ("GET", 200)]
    # HfApi.dataset_info does not retry: the 429 reaches the caller with the Hub's rate-limit wording
    hub.fail_next(1, status=429, retry_after=30, path_contains="/api/")
    with pytest.raises(HfHubHTTPError, match="rate limit") as limited:
        _api(hub).dataset_info("org/ds")
    assert limited.value.response.headers["Retry-After"] == "30"


def test_ranges_and_keep_alive_at_the_http_level(hub, folder):
    hub.add_repo("org/ds", folder)
    data = (folder / "blob.bin").read_bytes()
    conn = http.client.HTTPConnection("127.0.0.1", int(hub.endpoint.rsplit(":", 1)[1]), timeout=5)
    url = "/datasets/org/ds/resolve/main/blob.bin"
    answers = []
    for wanted in ("bytes=10-19", "bytes=-5", "bytes=199990-300000", "bytes=200000-"):
        conn.request("GET", url, headers={"Range": wanted})  # same connection every time: keep-alive
        response = conn.getresponse()
        answers.append((response.status, response.getheader("Content-Range"), response.read()))
    conn.close()
    assert answers == [(206, "bytes 10-19/200000", data[10:20]), (206, "bytes 199995-199999/200000", data[-5:]),
                       (206, "bytes 199990-199999/200000", data[-10:]),
                       (416, "bytes */200000", json.dumps({"error": "Requested range not satisfiable"}).encode())]


def test_concurrent_ranged_reads_are_all_served_and_logged(hub, folder):
    hub.add_repo("org/ds", folder)
    fs = HfFileSystem(endpoint=hub.endpoint, token=False, skip_instance_cache=True)
    data = (folder / "blob.bin").read_bytes()
    starts = list(range(0, 160_000, 4_000))
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda s: fs.cat_file("datasets/org/ds/blob.bin", start=s, end=s + 3_000), starts))
    assert got == [data[s:s + 3_000] for s in starts]
    assert hub.count("resolve", "GET") == len(starts)


LOAD = ("import datasets, huggingface_hub, json\n"
        "rows = datasets.load_dataset('org/ds', 'small', split='train').to_list()\n"
        "print(json.dumps([huggingface_hub.whoami()['name'], rows]))\n")


def test_subprocess_env_drives_hf_endpoint_and_load_dataset(hub, folder, tmp_path):
    hub.add_repo("org/ds", folder, gated="auto")
    hub.add_user("tok", "alice", accepted={"org/ds"})
    done = subprocess.run([sys.executable, "-c", LOAD], env=hub.env(tmp_path, token="tok"), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == ["alice", [{"i": 7, "v": 0.5}]]
    assert {r.token for r in hub.requests} == {"tok"}
    assert not any(r.path.endswith("main-00000-of-00001.parquet") for r in hub.requests)  # only the asked config
    assert os.environ.get("HF_ENDPOINT") != hub.endpoint  # the test process itself was left alone


def test_load_dataset_of_a_gated_repo_without_token_says_so(hub, folder, tmp_path):
    hub.add_repo("org/ds", folder, gated="auto")
    done = subprocess.run([sys.executable, "-c", LOAD], env=hub.env(tmp_path), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and "is a gated dataset on the Hub" in done.stderr
    assert {r.token for r in hub.requests} == {None}


def test_a_slow_answer_is_held_and_cleared_faults_are_forgotten(hub, folder, tmp_path):
    hub.add_repo("org/ds", folder)
    hub.slow_next(1, 0.5, path_contains="/api/")
    started = time.monotonic()
    assert _api(hub).dataset_info("org/ds").id == "org/ds"
    assert time.monotonic() - started >= 0.5
    hub.fail_next(100, status=503)
    with pytest.raises(HfHubHTTPError):
        _api(hub).dataset_info("org/ds")
    hub.clear_faults()
    assert _api(hub).dataset_info("org/ds").id == "org/ds"
