"""Fetch the raw release from the Hub for ``build --from-hub``, and verify it.

The release is one gated zip (``imagenet3d_v1.zip`` of ``ccvl/ImageNet3D``), fetched with the user's
token (``HF_TOKEN`` or ``hf auth login``) into :func:`release_folder`, under ``HF_HOME``
(``~/.cache/huggingface/imagenet3d/releases/``), one folder per file content (the Hub's sha256):

* the download goes to ``<filename>.part`` and every request asks for the bytes after its size
  (:mod:`conversion.hub.download`), so a dropped connection, a Ctrl-C or a killed process costs
  only what never reached the disk: the next run resumes;
* the complete file's sha256 is compared with the one the Hub lists for it (LFS), then it is renamed
  to ``<filename>``: a file under that name was verified whole, and is verified again when reused;
  a mismatch deletes it, so the next run downloads afresh;
* keyed by content, a new commit that does not change the zip reuses it, and a partial file is
  only ever resumed with bytes of the same file (partials of other versions are deleted);
* a copy already in the Hub cache at that commit (``hf download``) is verified and used in place.

A lock per file lets concurrent builds share one download. Before any byte, ``auth_check`` asks the
Hub whether the token may read the gated files, so a cached copy is not a way around the gate.

Every failure the user can fix (no token, gate not accepted, unknown repo, missing file, Hub
unreachable, broken download, corrupt download, full disk) is a :class:`HubReleaseError` whose
message is one line saying what to do. The failures are told apart by huggingface_hub's exception
classes and HTTP status codes, never by wording.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2  # huggingface_hub's HTTP client: its transport errors mean "unreachable"
from filelock import FileLock, Timeout
from huggingface_hub import HfApi, constants, get_token, hf_hub_url, scan_cache_dir, try_to_load_from_cache
from huggingface_hub.errors import (
    CacheNotFound,
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    LocalTokenNotFoundError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import RepoFile
from huggingface_hub.utils import build_hf_headers
from tqdm import tqdm

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.hub_faults import hub_fault
from conversion.hub.download import DownloadStopped, download, partial_size

#: The original release on the Hub.
RELEASE_REPO_ID = "ccvl/ImageNet3D"
RELEASE_FILENAME = "imagenet3d_v1.zip"
PUBLIC_HUB = "https://huggingface.co"
_CHUNK = 8 * 1024**2


class HubReleaseError(Imagenet3DError):
    """The release could not be fetched or verified; the message is one line for the user."""


@dataclass(frozen=True)
class HubRelease:
    path: Path        # the verified zip: in release_folder(), or in the Hub cache
    repo_id: str
    filename: str
    commit: str       # the revision, resolved to a commit
    algorithm: str    # "sha256" (an LFS file, as the release is) or "git-sha1" (a file stored in git)
    digest: str       # verified against the Hub's listing
    size: int

    def origin(self) -> dict:
        """What manifest.json records about where the zip came from (no local paths)."""
        return {"hub_repo": self.repo_id, "filename": self.filename, "commit": self.commit,
                self.algorithm: self.digest, "size": self.size}


def dataset_url(repo_id: str, endpoint: str | None = None) -> str:
    """The dataset's page: where the user accepts its conditions."""
    return f"{(endpoint or constants.ENDPOINT).rstrip('/')}/datasets/{repo_id}"


def fetch_release(repo_id: str = RELEASE_REPO_ID, filename: str = RELEASE_FILENAME,
                  revision: str | None = None, progress: bool = True) -> HubRelease:
    """Download (or reuse from the cache) ``filename`` of the dataset ``repo_id`` and verify its sha256.

    Raises :class:`HubReleaseError` with a one-line message for every failure the user can fix.
    """
    try:
        return _fetch(repo_id, filename, revision, progress)
    except HubReleaseError:
        raise
    except Exception as error:  # noqa: BLE001 - translated by class below, or re-raised
        message = explain(error, repo_id, filename, revision)
        if message is None:
            raise
        raise HubReleaseError(message) from None


def release_folder(repo_id: str, digest: str | None = None, hf_home: str | os.PathLike | None = None) -> Path:
    """Where ``build --from-hub`` keeps the files of ``repo_id`` (with ``digest``: one file content's folder).

    Under HF_HOME, as the Hub cache, datasets' and Xet's caches are: set HF_HOME to move it to a larger disk.
    A complete file there is named as on the Hub; a partial one has ``.part`` appended."""
    home = Path(constants.HF_HOME if hf_home is None else hf_home)
    repo = home / "imagenet3d" / "releases" / f"datasets--{repo_id.replace('/', '--')}"
    return repo / digest if digest else repo


def _fetch(repo_id: str, filename: str, revision: str | None, progress: bool) -> HubRelease:
    api = HfApi()
    # One commit for the listing and the download, even if the branch moves meanwhile.
    commit = api.dataset_info(repo_id, revision=revision).sha
    listed = [e for e in api.get_paths_info(repo_id, [filename], repo_type="dataset", revision=commit)
              if isinstance(e, RepoFile)]
    if not listed:
        raise HubReleaseError(_missing_file(repo_id, filename, revision))
    entry = listed[0]
    api.auth_check(repo_id, repo_type="dataset")  # the gate, also for a copy that is already here
    algorithm, expected = ("sha256", entry.lfs.sha256) if entry.lfs else ("git-sha1", entry.blob_id)
    folder = release_folder(repo_id, expected)
    final, part = folder / filename, folder / f"{filename}.part"
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / ".lock", f"{filename} of {repo_id}", progress):
        path = final
        if not final.exists():
            cached = try_to_load_from_cache(repo_id, filename, revision=commit, repo_type="dataset")
            if isinstance(cached, str) and file_digest(Path(cached), algorithm, progress) == (expected, entry.size):
                return HubRelease(Path(cached), repo_id, filename, commit, algorithm, expected, entry.size)
            _drop_other_partials(repo_id, filename, keep=part)
            _download(repo_id, filename, commit, part, entry.size, progress)
            path = part
        actual, size = file_digest(path, algorithm, progress)
        if actual != expected or size != entry.size:
            path.unlink()
            raise HubReleaseError(
                f"the download of {filename} from {repo_id} is corrupt ({algorithm} {actual[:12]}..., "
                f"{size:,} bytes; the Hub lists {expected[:12]}..., {entry.size:,} bytes): it was deleted "
                "from the cache; run the command again to download it afresh")
        if path == part:
            os.replace(part, final)  # only now, verified, under the name builds read
    return HubRelease(final, repo_id, filename, commit, algorithm, actual, size)


def _download(repo_id: str, filename: str, commit: str, part: Path, size: int, progress: bool) -> None:
    """Resume (or start) the download of the file into ``part``; a one-line error says how far it got."""
    missing = size - partial_size(part, size)
    free = shutil.disk_usage(part.parent).free
    if missing > free:
        raise HubReleaseError(
            f"not enough disk space for {filename}: {missing / 1e9:.1f} GB more are needed in {part.parent} "
            f"({free / 1e9:.1f} GB free); free some, or set HF_HOME to a folder on a larger disk")
    url = hf_hub_url(repo_id, filename, repo_type="dataset", revision=commit)
    try:
        download(url, part, size, build_hf_headers(), progress, desc=f"downloading {filename}")
    except DownloadStopped as stopped:
        raise HubReleaseError(
            f"the download of {filename} from {repo_id} stopped at {stopped.done:,} of {size:,} bytes (the "
            f"connection kept breaking): run the command again to resume from there ({part})") from None
    except KeyboardInterrupt:
        raise HubReleaseError(
            f"interrupted: {_kept(part):,} of {size:,} bytes of {filename} are kept in {part}; run the command "
            "again to resume from there") from None
    except Exception as error:  # noqa: BLE001 - a Hub error: say it, and that the bytes are kept
        message = explain(error, repo_id, filename, commit)
        if message is None:
            raise
        if _kept(part):
            message += f"; the {_kept(part):,} bytes downloaded are kept, and the next run resumes after them"
        raise HubReleaseError(message) from None


def _kept(part: Path) -> int:
    return part.stat().st_size if part.exists() else 0


@contextmanager
def _locked(lock: Path, what: str, progress: bool) -> Iterator[None]:
    """One process at a time per file: a second build waits for the first's download, then reuses it."""
    guard = FileLock(lock)
    try:
        guard.acquire(timeout=0)
    except Timeout:
        if progress:
            print(f"waiting for another process that is fetching {what} (lock: {lock})", file=sys.stderr)
        guard.acquire()
    try:
        yield
    finally:
        guard.release()


def _drop_other_partials(repo_id: str, filename: str, keep: Path) -> None:
    """A partial download of another version of the file can never be resumed: free its space."""
    for folder in release_folder(repo_id).iterdir():
        stale = folder / f"{filename}.part"
        if stale == keep or not stale.exists():
            continue
        guard = FileLock(folder / ".lock")
        try:
            guard.acquire(timeout=0)
        except Timeout:  # another build is downloading that version right now
            continue
        try:
            stale.unlink(missing_ok=True)
        finally:
            guard.release()


def file_digest(path: Path, algorithm: str, progress: bool) -> tuple[str, int]:
    """(id, size): sha256 of the file (``algorithm`` "sha256", as LFS ids it), or else its git blob id
    (sha1 of "blob <size>\\0" + bytes, as the Hub ids a file stored in git itself)."""
    size = path.stat().st_size
    digest = hashlib.sha256() if algorithm == "sha256" else hashlib.sha1(f"blob {size}\0".encode())
    with open(path, "rb") as handle, tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024,
                                          disable=not progress, desc=f"verifying {path.name}") as bar:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest(), size


def _missing_file(repo_id: str, filename: str, revision: str | None) -> str:
    return (f"{repo_id} has no file {filename} at revision {revision or 'main'}: "
            f"see its files at {dataset_url(repo_id)}/tree/{revision or 'main'} and pass --filename")


def explain(error: BaseException, repo_id: str, filename: str, revision: str | None) -> str | None:
    """The one line to show for a huggingface_hub or network error, or None if it is not one of ours."""
    url = dataset_url(repo_id)
    login = "log in with `hf auth login` (or set HF_TOKEN)"
    if isinstance(error, GatedRepoError):  # before RepositoryNotFoundError: it is a subclass
        if get_token() is None:
            return f"{repo_id} is gated: {login} and accept its conditions at {url}"
        return (f"{repo_id} is gated and your account has not been granted access: accept its conditions "
                f"at {url} (while logged in as the owner of your token), then run this again")
    if isinstance(error, RevisionNotFoundError):
        return f"{repo_id} has no revision {revision!r}: see its branches and commits at {url}"
    if isinstance(error, RepositoryNotFoundError):
        private = "" if get_token() else f", or {login} if it is private"
        return f"no dataset {repo_id} on the Hub, or your token cannot read it: check the name{private} ({url})"
    if isinstance(error, LocalTokenNotFoundError):
        return f"no Hugging Face token found: {login}, then accept the conditions at {url}"
    if isinstance(error, EntryNotFoundError) and not isinstance(error, LocalEntryNotFoundError):
        return _missing_file(repo_id, filename, revision)
    if isinstance(error, (LocalEntryNotFoundError, OfflineModeIsEnabled, httpx2.TransportError)):
        return _unreachable(repo_id, filename)
    if isinstance(error, HfHubHTTPError) and error.response is not None:
        status = error.response.status_code
        if status == 401:
            return f"the Hub refused your token for {repo_id}: {login} again, then accept the conditions at {url}"
        found = hub_fault(error)   # 408, 429, 5xx: told apart (and worded) in _imagenet3d/hub_faults.py
        if found is not None:
            reason, _, wait = found
            later = f"in {wait:.0f} s" if wait else "in a few minutes"
            return f"could not read {repo_id}: {reason}; run this again {later} ({url})"
        return f"the Hub answered HTTP {status} for {repo_id}/{filename}: see {url}"
    return None


def _unreachable(repo_id: str, filename: str) -> str:
    if constants.HF_HUB_OFFLINE:
        reason, fix = (f"offline mode is on (HF_HUB_OFFLINE), so {dataset_url(repo_id)} cannot be read",
                       "unset HF_HUB_OFFLINE and run this again")
    else:
        reason, fix = (f"the Hub cannot be reached for {dataset_url(repo_id)}",
                       "check your connection (and HF_ENDPOINT, if set) and run this again")
    ours = _downloaded_copy(repo_id, filename)
    if ours is not None:
        return (f"{reason}; a copy of {filename} was downloaded and verified before: build from it with "
                f"`python -m conversion build {ours} OUT`")
    theirs = _hub_cache_copy(repo_id, filename)
    if theirs is not None:
        return (f"{reason}; a copy of {filename} is in the Hub cache: build from it with "
                f"`python -m conversion build {theirs} OUT`")
    return f"{reason}: {fix}"


def _downloaded_copy(repo_id: str, filename: str) -> Path | None:
    """The newest complete (so verified) download of the file in release_folder(), from any revision."""
    repo = release_folder(repo_id)
    copies = [path for folder in (repo.iterdir() if repo.is_dir() else ()) if (path := folder / filename).is_file()]
    return max(copies, key=lambda path: path.stat().st_mtime, default=None)


def _hub_cache_copy(repo_id: str, filename: str) -> Path | None:
    """The newest copy of the file in the Hub cache (``hf download``), from any revision."""
    try:
        cache = scan_cache_dir()
    except (CacheNotFound, OSError):
        return None
    copies = [file for repo in cache.repos if repo.repo_type == "dataset" and repo.repo_id == repo_id
              for revision in repo.revisions for file in revision.files if file.file_name == filename]
    newest = max(copies, key=lambda file: file.blob_last_modified, default=None)
    return newest.file_path if newest is not None else None
