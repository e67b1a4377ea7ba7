"""What a stand-in Hub repo looks like in the Hub's JSON: file ids, tree / paths-info entries, repo info.

Shapes follow huggingface_hub 2.4.0's parsers: RepoFile / RepoFolder (tree, paths-info), DatasetInfo and
RepoSibling (repo info) in hf_api.py. A file is "LFS" (sha256 ETag, `lfs` block) when its suffix is one the Hub's
default .gitattributes sends to LFS, or when it is 10 MiB or more.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Gate = Literal[False, "auto", "manual"]
LFS_SUFFIXES = {".parquet", ".arrow", ".zip", ".gz", ".tar", ".png", ".jpg", ".jpeg", ".glb", ".npz", ".npy",
                ".bin", ".safetensors", ".pt", ".pkl", ".mp4", ".pdf"}
LFS_MIN_SIZE = 10 * 1024 * 1024
POINTER_SIZE = 134  # bytes of a git-lfs pointer file, as the Hub reports it
DATE = "2026-01-01T00:00:00.000Z"


@dataclass
class Repo:
    repo_id: str
    repo_type: str  # "model", "dataset" or "space"
    folder: Path
    gated: Gate
    sha: str

    def path(self, rel: str) -> Path | None:
        """The file or folder `rel` inside the repo folder; None when `rel` points outside it."""
        root = self.folder.resolve()
        path = (root / rel).resolve()
        return path if path == root or root in path.parents else None

    def files(self) -> list[str]:
        """Every file, relative and sorted, read from disk now (tests may add files while the server runs)."""
        if not self.folder.is_dir():
            return []
        rels = (p.relative_to(self.folder) for p in self.folder.rglob("*") if p.is_file())
        return sorted(r.as_posix() for r in rels if ".git" not in r.parts)

    def listing(self, sub: Path, recursive: bool) -> list[str]:
        """Entries below folder `sub`, folders first then files, as the Hub lists a tree."""
        items = sub.rglob("*") if recursive else sub.iterdir()
        root = self.folder.resolve()
        rels = [p.relative_to(root).as_posix() for p in items if ".git" not in p.relative_to(root).parts]
        return sorted(rels, key=lambda r: (not (root / r).is_dir(), r))


class FileIds:
    """(git blob sha1, sha256) of files, cached on (path, size, mtime) so each file is hashed once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, int], tuple[str, str]] = {}
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> tuple[str, str]:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        blob, sha256 = hashlib.sha1(b"blob %d\0" % st.st_size), hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                blob.update(chunk)
                sha256.update(chunk)
        ids = (blob.hexdigest(), sha256.hexdigest())
        with self._lock:
            self._cache[key] = ids
        return ids

    def seed(self, path: Path, ids: tuple[str, str]) -> None:
        """Record ids known without reading the file (a commit hashed the bytes as they arrived)."""
        st = path.stat()
        with self._lock:
            self._cache[(str(path), st.st_size, st.st_mtime_ns)] = ids


def is_lfs(path: Path, size: int) -> bool:
    return path.suffix.lower() in LFS_SUFFIXES or size >= LFS_MIN_SIZE


def file_headers(path: Path, ids: FileIds, sha: str) -> dict[str, str]:
    """The metadata headers of a resolve answer (file_download.get_hf_file_metadata reads them)."""
    size = path.stat().st_size
    blob, sha256 = ids(path)
    headers = {"X-Repo-Commit": sha, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream",
               "ETag": f'"{blob}"'}
    if is_lfs(path, size):
        headers.update({"ETag": f'"{sha256}"', "X-Linked-Etag": f'"{sha256}"', "X-Linked-Size": str(size)})
    return headers


def entry(repo: Repo, rel: str, ids: FileIds, expand: bool) -> dict[str, Any]:
    """One tree / paths-info entry (RepoFile or RepoFolder)."""
    path = repo.folder / rel
    if path.is_dir():
        item: dict[str, Any] = {"type": "directory", "oid": hashlib.sha1(rel.encode()).hexdigest(), "path": rel}
    else:
        size = path.stat().st_size
        blob, sha256 = ids(path)
        item = {"type": "file", "oid": blob, "size": size, "path": rel}
        if is_lfs(path, size):
            item["lfs"] = {"oid": sha256, "size": size, "pointerSize": POINTER_SIZE}
    if expand:
        item["lastCommit"] = {"id": repo.sha, "title": "Upload folder", "date": DATE}
    return item


def info(repo: Repo, ids: FileIds, blobs: bool) -> dict[str, Any]:
    """GET /api/{type}s/{repo}: siblings carry size, blobId and lfs only with ?blobs=true, as on the Hub."""
    siblings = []
    for rel in repo.files():
        sibling: dict[str, Any] = {"rfilename": rel}
        if blobs:
            item = entry(repo, rel, ids, expand=False)
            sibling.update(size=item["size"], blobId=item["oid"])
            if "lfs" in item:
                sibling["lfs"] = {"sha256": item["lfs"]["oid"], "size": item["size"], "pointerSize": POINTER_SIZE}
        siblings.append(sibling)
    card = card_data(repo.folder / "README.md")
    return {"_id": repo.sha[:24], "id": repo.repo_id, "author": repo.repo_id.split("/")[0], "sha": repo.sha,
            "lastModified": DATE, "createdAt": DATE, "private": False, "gated": repo.gated, "disabled": False,
            "downloads": 0, "likes": 0, "tags": list(card.get("tags") or []), "cardData": card, "siblings": siblings}


def card_data(readme: Path) -> dict[str, Any]:
    """The README's YAML front matter, as the Hub's cardData (empty when absent or unreadable)."""
    try:
        text = readme.read_text(encoding="utf-8")
        import yaml  # PyYAML comes with datasets; only the card needs it
    except (OSError, UnicodeDecodeError, ImportError):
        return {}
    m = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, re.DOTALL)
    try:
        data = yaml.safe_load(m.group(1)) if m else None
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
