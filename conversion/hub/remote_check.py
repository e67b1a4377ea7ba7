"""After a push: does the dataset repo on the Hub hold exactly the files manifest.json describes?

One recursive tree listing (pages of 1000 entries, no file bytes) is compared with the local folder: every file of
the push must be there with its size, and with the manifest's sha256 (files the Hub stores in LFS/Xet report it) or
the local file's git blob sha1 (files stored in git). Files on the Hub that the push does not have are reported
apart: they are not wrong, but datasets would load a stale shard left by an earlier push.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import HfApi
from huggingface_hub.hf_api import RepoFile

from conversion import manifest
from conversion.hub.fetch import file_digest

# The Hub writes .gitattributes into every new repo; it is not part of a push.
HUB_OWN_FILES = frozenset({".gitattributes"})


@dataclass(frozen=True)
class RemoteCheck:
    problems: list[str]  # one line per file missing or different on the Hub
    extra: list[str]  # files on the Hub that the pushed folder does not have


def expected_files(root: Path, files: list[str]) -> dict[str, tuple[int, str]]:
    """relpath -> (size, sha256) for every file pushed: the manifest's entries, manifest.json hashed here."""
    table = json.loads((root / manifest.MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    expected = {}
    for relpath in files:
        entry = table.get(relpath)
        if isinstance(entry, dict) and "sha256" in entry and "size" in entry:
            expected[relpath] = (int(entry["size"]), str(entry["sha256"]))
        else:  # manifest.json itself (and anything check_verified let through unlisted)
            path = root / relpath
            expected[relpath] = (path.stat().st_size, manifest.sha256_file(path))
    return expected


def check_remote(api: HfApi, root: Path, files: list[str], repo_id: str, revision: str | None = None) -> RemoteCheck:
    """Compare the repo's files with the local ones; raises the client's errors (HfHubHTTPError, httpx2's)."""
    remote = {item.path: item for item in api.list_repo_tree(repo_id, repo_type="dataset", revision=revision,
                                                              recursive=True) if isinstance(item, RepoFile)}
    problems = []
    for relpath, (size, sha256) in sorted(expected_files(root, files).items()):
        item = remote.get(relpath)
        if item is None:
            problems.append(f"{relpath}: missing on the Hub")
        elif item.size != size:
            problems.append(f"{relpath}: {item.size:,} bytes on the Hub, {size:,} in {manifest.MANIFEST_NAME}")
        elif item.lfs is not None:
            if item.lfs.sha256 != sha256:
                problems.append(f"{relpath}: sha256 {item.lfs.sha256} on the Hub, {sha256} in "
                                f"{manifest.MANIFEST_NAME}")
        elif item.blob_id != (local := file_digest(root / relpath, "git-sha1", progress=False)[0]):
            problems.append(f"{relpath}: git blob {item.blob_id} on the Hub, {local} here")
    extra = sorted(set(remote) - set(files) - HUB_OWN_FILES)
    return RemoteCheck(problems, extra)
