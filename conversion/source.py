"""Read a raw ImageNet3D release in place: the .zip (never extracted) or its folder.

Paths are given relative to the release root (the folder holding images/,
annotations/, lists/ and CAD/). Zip entries that would escape a folder when
extracted (absolute paths, ``..``) are never read; they are reported as unsafe
so the build can quarantine them.

A release made by this project's generator carries ``imagenet3d.SYNTHETIC_MARKER``
at its root; :attr:`ReleaseSource.synthetic` reads it, so the card can say so.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from _imagenet3d.errors import SourceError
from _imagenet3d.release import RELEASE_FOLDERS, SYNTHETIC_MARKER, folder_of, release_root


@dataclass(frozen=True)
class Entry:
    relpath: str   # POSIX path relative to the release root
    size: int
    crc: int       # zip CRC-32, or 0 for folders (fingerprinted by size only)


class ReleaseSource:
    """A release folder or zip. Safe to use from forked workers: handles open lazily."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.unsafe: list[str] = []
        self._zip: zipfile.ZipFile | None = None
        self._zip_pid: int | None = None
        if not self.path.exists():
            raise SourceError(f"{self.path} does not exist")
        if self.path.is_dir():
            self.kind = "folder"
            self.root = self._find_folder_root(self.path)
            self.entries = self._list_folder()
        elif zipfile.is_zipfile(self.path):
            self.kind = "zip"
            self.entries = self._list_zip()
        else:
            raise SourceError(f"{self.path} is neither a folder nor a .zip archive")
        self.by_path = {entry.relpath: entry for entry in self.entries}
        missing = [part for part in RELEASE_FOLDERS
                   if not any(folder_of(e.relpath) == part for e in self.entries)]
        if missing:
            raise SourceError(f"{self.path} is not an ImageNet3D release: no {', '.join(missing)}/ folder")

    # -- listing ------------------------------------------------------------

    @staticmethod
    def _find_folder_root(path: Path) -> Path:
        root = release_root(path)
        if root is not None:
            return Path(root)
        raise SourceError(f"{path} is not an ImageNet3D release: expected images/, annotations/ "
                          "and lists/ in it or in its imagenet3d_v1/ folder")

    def _list_folder(self) -> list[Entry]:
        entries = []
        for directory, _, files in os.walk(self.root):
            for name in files:
                full = Path(directory) / name
                stat = full.stat()
                entries.append(Entry(full.relative_to(self.root).as_posix(), stat.st_size, 0))
        return sorted(entries, key=lambda e: e.relpath)

    def _list_zip(self) -> list[Entry]:
        with zipfile.ZipFile(self.path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
        prefix = _common_release_prefix([info.filename for info in infos])
        entries = []
        self._names: dict[str, str] = {}
        for info in infos:
            name = info.filename
            if not _is_safe(name):
                self.unsafe.append(name)
                continue
            if not name.startswith(prefix):
                continue
            relpath = name[len(prefix):]
            entries.append(Entry(relpath, info.file_size, info.CRC))
            self._names[relpath] = name
        return sorted(entries, key=lambda e: e.relpath)

    # -- reading ------------------------------------------------------------

    def read(self, relpath: str) -> bytes:
        if self.kind == "folder":
            return (self.root / relpath).read_bytes()
        return self._archive().read(self._names[relpath])

    def _archive(self) -> zipfile.ZipFile:
        # One handle per process: a zip handle shared across fork is not safe.
        if self._zip is None or self._zip_pid != os.getpid():
            self._zip = zipfile.ZipFile(self.path)
            self._zip_pid = os.getpid()
        return self._zip

    @property
    def synthetic(self) -> dict | None:
        """The generator's record if this is a synthetic release, else None."""
        if SYNTHETIC_MARKER not in self.by_path:
            return None
        try:
            record = json.loads(self.read(SYNTHETIC_MARKER))
        except (ValueError, OSError):
            record = None  # still marked: the file's presence is what counts
        return record if isinstance(record, dict) else {}

    def fingerprint(self) -> dict:
        """What identifies this source: its name and its listing with sizes and CRCs (zip) or sizes
        (folder). Never its absolute path: the manifest must not carry the build machine's paths,
        and a release moved elsewhere with the same content resumes its build."""
        digest = hashlib.sha256()
        for entry in self.entries:
            digest.update(f"{entry.relpath}\t{entry.size}\t{entry.crc}\n".encode())
        # abspath, not resolve: a Hub cache link must keep its file name, not its blob's hash.
        return {"name": Path(os.path.abspath(self.path)).name, "kind": self.kind, "files": len(self.entries),
                "bytes": sum(e.size for e in self.entries), "listing_sha256": digest.hexdigest(),
                "synthetic": self.synthetic is not None}


def _is_safe(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return False
    parts = name.replace("\\", "/").split("/")
    return ".." not in parts


def _common_release_prefix(names: list[str]) -> str:
    """The folder above images/, annotations/ and lists/ inside the zip ('imagenet3d_v1/')."""
    for name in names:
        parts = name.split("/")
        for depth, part in enumerate(parts[:-1]):
            if part in RELEASE_FOLDERS:
                return "".join(f"{p}/" for p in parts[:depth])
    return ""
