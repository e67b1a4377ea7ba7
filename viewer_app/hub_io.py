"""The viewer's reads: byte ranges of a converted dataset's files, from a folder or from the Hub.

On the Hub every read is one HTTP GET of one byte range of one file, at the
commit pinned when the dataset was listed (so the index and the bytes never
come from two versions of the dataset). Nothing goes through HfFileSystem:
it asks for the repo's info and a listing of the folder before a first read
(again in every thread: it keeps one instance per thread) and reads whole
blocks around what is asked (BENCHMARKS.md, "Hub requests per viewer action").

The Hub allows 3,000 file requests per 5 minutes to an anonymous client and
5,000 to a free account, so a request that meets 429, 5xx, a timeout or a
dropped connection is retried a few times with exponential backoff, honouring
Retry-After (up to LONGEST_WAIT_S), for PATIENCE_S at most; when the Hub stays
unreachable the caller gets HubUnavailable, whose message is one line for the
page naming the cause (_imagenet3d/hub_faults.py). Every request has a timeout
(huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT for file bytes, HF_HUB_ETAG_TIMEOUT
for the dataset's info and the gate; 10 s each by default): the shared client
has none, and a Hub that holds a request would otherwise hold the page's spinner.
Nothing here keeps a failure: the next request asks the Hub again.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

import httpx2
from huggingface_hub import HfApi, constants, hf_hub_url
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.hub_faults import RETRY_STATUSES, hub_fault, status_of

T = TypeVar("T")
HUB_PREFIX = "hf://datasets/"
TRIES = 4                 # the first request and three retries
FIRST_WAIT_S = 0.25       # doubled after each failed try: 0.25 + 0.5 + 1 s in all
LONGEST_WAIT_S = 5.0      # a longer Retry-After is reported rather than waited for
PATIENCE_S = 20.0         # no retry starts (or is waited for) past this since the first try
ACCESS_STATUSES = frozenset({401, 403, 404})
# Recently read Hub ranges (about 8 row groups), so a page and the samples opened from it share their
# reads; a local folder keeps none (the page cache does it). Bounded: the viewer's memory target is 500 MB.
HUB_CACHE_BYTES = 32 * 1024**2


class HubUnavailable(Imagenet3DError, RuntimeError):
    """The Hub could not be reached, or kept answering 429 / 5xx. The message is one line."""


class AccessDenied(Imagenet3DError, PermissionError):
    """The token in use may not read the dataset (gated and not accepted, private, or gone)."""


# The token the Hub reads of this request use: the visitor's, set by the app around each handler
# (ContextVar: every Gradio worker thread sees its own).
_READ_TOKEN: ContextVar[str | bool | None] = ContextVar("imagenet3d_read_token")


def current_token() -> str | bool | None:
    """The token that Hub reads use here: the innermost :func:`reading_as`, else None (the default)."""
    return _READ_TOKEN.get(None)


@contextmanager
def reading_as(token: str | bool | None) -> Iterator[None]:
    """Hub reads inside the block use ``token`` (False: anonymous)."""
    mark = _READ_TOKEN.set(token)
    try:
        yield
    finally:
        _READ_TOKEN.reset(mark)


def retrying(action: Callable[[], T], what: str) -> T:
    """``action()``, retried on 429 / 5xx / timeouts / network errors with exponential backoff: TRIES
    tries within PATIENCE_S at most, then one HubUnavailable line naming the cause. Any other error
    (401, 403, 404, ...) is raised as it is, at once."""
    started = time.monotonic()
    for attempt in range(1, TRIES + 1):
        try:
            return action()
        except (HfHubHTTPError, httpx2.TransportError) as error:
            if isinstance(error, HfHubHTTPError) and status_of(error) not in RETRY_STATUSES:
                raise
            found = hub_fault(error)
            if found is None:
                raise
            reason, _, asked = found
        # Retry-After (or the RateLimit reset) is the least wait; never less than the backoff.
        wait = max(asked or 0.0, FIRST_WAIT_S * 2 ** (attempt - 1) * random.uniform(1.0, 1.2))
        if asked is not None and asked > LONGEST_WAIT_S:
            raise HubUnavailable(f"the Hub could not be reached for {what}: {reason}; try again in {asked:.0f} s")
        if attempt == TRIES or time.monotonic() - started + wait > PATIENCE_S:
            break
        time.sleep(wait)
    raise HubUnavailable(f"the Hub could not be reached for {what}: {reason} ({attempt} tries in "
                         f"{time.monotonic() - started:.0f} s); try again in a minute")


def hub_repo(root: str) -> str | None:
    """``ORG/NAME`` for ``hf://datasets/ORG/NAME``; None for a local folder."""
    if not root.startswith(HUB_PREFIX):
        return None
    repo = root[len(HUB_PREFIX):].strip("/")
    if repo.count("/") != 1 or "@" in repo:
        raise Imagenet3DError(f"expected hf://datasets/ORG/NAME, got {root!r}")
    return repo


class RangeCache:
    """The most recently read byte ranges, bounded in bytes; a read inside a kept range costs nothing."""

    def __init__(self, budget: int):
        self.budget = budget
        self._ranges: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: str, start: int, stop: int) -> bytes | None:
        with self._lock:
            for key in self._ranges:
                kept_path, kept_start, kept_stop = key
                if kept_path == path and kept_start <= start and stop <= kept_stop:
                    self._ranges.move_to_end(key)
                    data = self._ranges[key]
                    return data[start - kept_start:stop - kept_start]
        return None

    def put(self, path: str, start: int, data: bytes) -> None:
        if len(data) > self.budget:
            return
        with self._lock:
            key = (path, start, start + len(data))
            if key not in self._ranges:
                self._ranges[key] = data
                self._size += len(data)
            while self._size > self.budget:
                self._size -= len(self._ranges.popitem(last=False)[1])


class Files:
    """The files of a converted dataset: ``sizes`` (relative POSIX path -> bytes) and ranged reads.

    ``glob`` and ``exists`` answer from the listing, so they cost no request.
    """

    root: str
    sizes: dict[str, int]

    def __init__(self, cache_bytes: int = 0) -> None:
        self.cache = RangeCache(cache_bytes)
        self.requests = 0   # reads that went to the disk or the network (the cache answers the rest)

    def relative(self, path: str) -> str:
        return path[len(self.root) + 1:] if path.startswith(self.root + "/") else path

    def glob(self, pattern: str) -> list[str]:
        wanted = self.relative(pattern)
        return sorted(f"{self.root}/{name}" for name in self.sizes if fnmatch.fnmatchcase(name, wanted))

    def exists(self, path: str) -> bool:
        return self.relative(path) in self.sizes

    def size(self, path: str) -> int:
        try:
            return self.sizes[self.relative(path)]
        except KeyError:
            raise FileNotFoundError(f"{path} is not in {self.root}") from None

    def read(self, path: str, start: int, stop: int, keep: bool = True) -> bytes:
        """Bytes [start, stop) of a file: from the cache, or one request (kept for later if ``keep``)."""
        name = self.relative(path)
        self.size(path)  # FileNotFoundError for a file the listing lacks
        data = self.cache.get(name, start, stop)
        if data is None:
            data = self._fetch(name, start, stop)
            if len(data) != stop - start:
                raise OSError(f"{name}: asked for {stop - start} bytes at {start}, got {len(data)}")
            self.requests += 1
            if keep:
                self.cache.put(name, start, data)
        return data

    def _fetch(self, name: str, start: int, stop: int) -> bytes:
        raise NotImplementedError


class LocalFiles(Files):
    """A converted dataset in a local folder."""

    def __init__(self, root: str):
        super().__init__()
        self.root = root.rstrip("/")
        folder = Path(self.root)
        self.sizes = {p.relative_to(folder).as_posix(): p.stat().st_size
                      for p in folder.rglob("*.parquet") if p.is_file() and not p.name.startswith(".")}

    def _fetch(self, name: str, start: int, stop: int) -> bytes:
        with open(Path(self.root) / name, "rb") as file:
            file.seek(start)
            return file.read(stop - start)


class HubFiles(Files):
    """A converted dataset on the Hub, ``hf://datasets/ORG/NAME``, pinned to one commit.

    Listing it is one request (the dataset's info with file sizes) made with
    ``token`` (False: anonymous); each read then uses the token of the
    context (:func:`reading_as`), or ``token`` outside any.
    """

    def __init__(self, root: str, token: str | bool | None = None, info=None):
        super().__init__(HUB_CACHE_BYTES)
        self.root = root.rstrip("/")
        self.repo_id = hub_repo(self.root)
        self.token = token
        if info is None:
            info = dataset_info(self.repo_id, token)
        self.revision = info.sha
        self.sizes = {s.rfilename: s.size for s in info.siblings or [] if s.size is not None}

    def _fetch(self, name: str, start: int, stop: int) -> bytes:
        token = _READ_TOKEN.get(self.token)
        url = hf_hub_url(self.repo_id, name, repo_type="dataset", revision=self.revision)
        headers = {**build_hf_headers(token=token), "range": f"bytes={start}-{stop - 1}"}

        def get() -> bytes:
            response = get_session().get(url, headers=headers, follow_redirects=True,
                                         timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT)
            _raise_for_access(response, self.repo_id)
            return response.content

        return retrying(get, f"{self.repo_id}/{name}")


def dataset_info(repo_id: str, token: str | bool | None):
    """The dataset's info with file sizes (one request): sha, gated, private, siblings."""
    api = HfApi(token=token)

    def get():
        try:
            return api.dataset_info(repo_id, files_metadata=True, timeout=constants.HF_HUB_ETAG_TIMEOUT)
        except HfHubHTTPError as error:
            if error.response is not None and error.response.status_code in ACCESS_STATUSES:
                raise AccessDenied(f"{repo_id}: {error.response.status_code}") from error
            raise

    return retrying(get, f"the dataset {repo_id}")


def auth_check(repo_id: str, token: str) -> None:
    """``HfApi.auth_check`` for a dataset (GatedRepoError, RepositoryNotFoundError, HfHubHTTPError), with
    a timeout, which huggingface_hub's has not (hf_api.py: a Hub holding it would hold the page)."""
    url = f"{constants.ENDPOINT}/api/datasets/{repo_id}/auth-check"
    hf_raise_for_status(get_session().get(url, headers=build_hf_headers(token=token),
                                          timeout=constants.HF_HUB_ETAG_TIMEOUT))


def _raise_for_access(response, repo_id: str) -> None:
    if response.status_code in ACCESS_STATUSES:
        raise AccessDenied(f"{repo_id}: HTTP {response.status_code}")
    hf_raise_for_status(response)
