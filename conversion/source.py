"""Read a raw ImageNet3D release in place: the .zip (never extracted) or its folder.

Paths are given relative to the release root (the folder holding images/,
annotations/, lists/ and CAD/). Zip entries that would escape a folder when
extracted (absolute paths, ``..``) are never read; they are reported as unsafe
so the build can quarantine them, as are names given to several entries (the
last is read, as zipfile does).

A release made by this project's generator carries ``imagenet3d.SYNTHETIC_MARKER``
at its root; :attr:`ReleaseSource.synthetic` reads it, so the card can say so.

**Bounds.** Listing a zip reads its central directory only: at most
:data:`MAX_CENTRAL_DIRECTORY_BYTES` and :data:`MAX_ENTRIES` entries (counted header by header
before :mod:`zipfile` parses it; about 0.7 KB each), else :class:`SourceError`; a folder stops
at :data:`MAX_ENTRIES` files too. Reading one file holds at most its folder's bound
(:data:`MAX_ENTRY_BYTES`) in memory, in time linear in it: a zip entry declaring more, or
compressed into more than twice that, is refused before inflating; one inflating past what it
declares is cut at its declared size (its CRC then fails); only stored and deflated entries are
read. A refusal is an :class:`UnreadableEntry` whose ``reason`` the build quarantines.

**The disk's own errors** (EIO, EMFILE, ENOMEM, ...) are not the input's fault: they are raised as
the OSError they are, never quarantined. Only the errors a file of the release can cause by itself
(:data:`INPUT_ERRNOS`: missing, a link loop, no permission, not a file, ...) make an UnreadableEntry.

**Symbolic links** (a folder release). A link to a file inside the release is read as that file; one
resolving outside it, and any link to a folder (os.walk does not follow them, so a loop cannot hang the
listing), is listed in :attr:`ReleaseSource.refused_links` for the build to quarantine, never read. A
broken link or a loop of links is listed and refused when read (:class:`UnreadableEntry`). Where a link
points is judged when the release is listed.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from _imagenet3d.errors import SourceError
from _imagenet3d.pixels import MAX_IMAGE_BYTES
from _imagenet3d.reasons import QuarantineReason, Reason
from _imagenet3d.release import (
    ANNOTATIONS,
    CAD,
    IMAGES,
    LISTS,
    RELEASE_FOLDERS,
    SYNTHETIC_MARKER,
    folder_of,
    release_root,
)
from _imagenet3d.zip_errors import ZIP_ERRORS

_MiB = 1024 * 1024
#: Files (zip entries) per release: the real one has about 175,000 (images, annotations, CAD, lists).
MAX_ENTRIES = 500_000
#: The zip's central directory, read whole by zipfile: the real release's is about 25 MB.
MAX_CENTRAL_DIRECTORY_BYTES = 64 * _MiB
#: Bytes one file may have, by top folder ("" for files at the release root). The real release's
#: largest are a few MB (photos; CAD meshes up to about 3 MB), annotations a few KB. CAD's bound
#: also bounds read_off, whose general path holds about 22 times its input (16 MiB: ~370 MB); a
#: list's, the stems it names (a category's list is tens of KB).
MAX_ENTRY_BYTES: dict[str, int] = {IMAGES: MAX_IMAGE_BYTES, ANNOTATIONS: 16 * _MiB, LISTS: 1 * _MiB,
                                   CAD: 16 * _MiB, "": 1 * _MiB}
#: Any other folder's files.
DEFAULT_ENTRY_BYTES = 16 * _MiB

_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
#: The OSErrors a file of the release causes by itself (quarantined); any other is the machine's, raised.
INPUT_ERRNOS = frozenset({errno.ENOENT, errno.ELOOP, errno.EACCES, errno.EISDIR, errno.ENXIO, errno.ENOTDIR,
                          errno.ENAMETOOLONG})


def entry_limit(relpath: str) -> int:
    """The most bytes :meth:`ReleaseSource.read` reads for ``relpath`` (its folder's bound)."""
    return MAX_ENTRY_BYTES.get(folder_of(relpath), DEFAULT_ENTRY_BYTES)


class NotRegularFile(Exception):
    """A path that names a FIFO, a device, a socket or a folder, not a file: never read."""


def open_regular_file(path: str | os.PathLike) -> io.FileIO:
    """``path`` opened for reading, unbuffered, or :class:`NotRegularFile`; OSError as ``open`` raises it.
    Opening never waits (O_NONBLOCK: a FIFO without a writer does not hang) and nothing is read from
    what is not a regular file. The one way this project opens an input file it did not write."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):   # before FileIO, which raises its own for a folder
            raise NotRegularFile(f"{path}: not a regular file")
        return open(descriptor, "rb", buffering=0)
    except BaseException:
        os.close(descriptor)
        raise


class UnreadableEntry(SourceError):
    """One file of the release that is not read: over its size bound, damaged, or not a regular
    file. ``reason`` is its QuarantineReason message; ``path`` the file's path in the release."""

    def __init__(self, path: str, reason: Reason) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


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
        self.duplicates: dict[str, int] = {}   # zip names given to several entries -> how many; the last is read
        self.refused_links: list[tuple[str, Reason]] = []   # folder release: (relpath, why), never read
        self._zip: zipfile.ZipFile | None = None
        self._zip_pid: int | None = None
        if not self.path.exists():
            raise SourceError(f"{self.path} does not exist")
        if self.path.is_dir():
            self.kind = "folder"
            self.root = self._find_folder_root(self.path)
            self.entries = self._list_folder()
        elif _is_zipfile(self.path):
            self.kind = "zip"
            _check_central_directory(self.path)
            try:
                self.entries = self._list_zip()
            except ZIP_ERRORS as error:
                raise SourceError(f"{self.path}: unreadable zip ({type(error).__name__}: {error})") from None
        else:
            raise SourceError(f"{self.path} is neither a folder nor a .zip archive")
        self.by_path = {entry.relpath: entry for entry in self.entries}
        missing = [part for part in RELEASE_FOLDERS
                   if not any(folder_of(e.relpath) == part for e in self.entries)]
        if missing:
            linked = [part for part in missing if self.kind == "folder" and os.path.islink(self.root / part)]
            raise SourceError(f"{self.path} is not an ImageNet3D release: no {', '.join(missing)}/ folder"
                              + (f" ({', '.join(linked)}/ is a symbolic link: not followed)" if linked else ""))

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
        inside = os.path.realpath(self.root)
        for directory, folders, files in os.walk(self.root):   # never into a folder link
            for name in folders:
                if os.path.islink(os.path.join(directory, name)):
                    self._refuse_link(directory, name, "to a folder")
            for name in files:
                if len(entries) + len(self.refused_links) >= MAX_ENTRIES:   # refused links count too
                    raise SourceError(f"{self.path} holds more than {MAX_ENTRIES} files: not an ImageNet3D release")
                full = os.path.join(directory, name)
                try:
                    info = os.lstat(full)
                    if stat.S_ISLNK(info.st_mode):
                        if not _within(os.path.realpath(full), inside):   # realpath stops at a loop
                            self._refuse_link(directory, name, "pointing outside the release")
                            continue
                        info = os.stat(full)
                    size = info.st_size
                except OSError:   # a broken link or a loop: listed, so that reading it quarantines it
                    size = 0
                entries.append(Entry(self._relpath(directory, name), size, 0))
        self.refused_links.sort()
        return sorted(entries, key=lambda e: e.relpath)

    def _relpath(self, directory: str, name: str) -> str:
        return Path(directory, name).relative_to(self.root).as_posix()

    def _refuse_link(self, directory: str, name: str, what: str) -> None:
        self.refused_links.append((self._relpath(directory, name),
                                   QuarantineReason.LINK_NOT_FOLLOWED.message(what=what)))

    def _list_zip(self) -> list[Entry]:
        with zipfile.ZipFile(self.path) as archive:
            # endswith, not is_dir(): zipfile's is_dir raises IndexError for an empty name (found by fuzzing)
            infos = [info for info in archive.infolist() if not info.filename.endswith("/")]
        prefix = _common_release_prefix([info.filename for info in infos])
        entries: dict[str, Entry] = {}
        self._names: dict[str, str] = {}
        for info in infos:
            name = info.filename
            if not _is_safe(name):
                self.unsafe.append(name)
                continue
            if not name.startswith(prefix):
                continue
            relpath = name[len(prefix):]
            if relpath in entries:   # zipfile reads the last entry of a name: so do the listing and the build
                self.duplicates[relpath] = self.duplicates.get(relpath, 1) + 1
            entries[relpath] = Entry(relpath, info.file_size, info.CRC)
            self._names[relpath] = name
        return sorted(entries.values(), key=lambda e: e.relpath)

    # -- reading ------------------------------------------------------------

    def read(self, relpath: str) -> bytes:
        """The bytes of one listed file, or :class:`UnreadableEntry` (one line, with a quarantine reason):
        over :func:`entry_limit`, damaged (bad CRC, truncated), encrypted, an unsupported compression or
        not a regular file. Memory: at most the bound (plus as much compressed); time linear in it."""
        limit = entry_limit(relpath)
        if self.kind == "folder":
            return self._read_file(relpath, limit)
        try:
            info = self._archive().getinfo(self._names[relpath])
        except ZIP_ERRORS as error:   # the zip changed or broke since it was listed
            _raise_if_the_machines(error)
            raise _unreadable(relpath, f"{type(error).__name__}: {error}") from None
        if info.file_size > limit:
            raise _too_large(relpath, "declared", info.file_size, limit)
        if info.compress_size > 2 * limit:
            raise _too_large(relpath, "compressed", info.compress_size, 2 * limit)
        if info.compress_type not in _READABLE_METHODS or info.flag_bits & 0x1:
            what = "encrypted" if info.flag_bits & 0x1 else f"compression method {info.compress_type}"
            raise _unreadable(relpath, f"{what} is not read (only stored and deflated entries)")
        try:
            # read(n) inflates at most n bytes; a plain read() would inflate the whole compressed
            # stream at once, whatever the entry declares.
            with self._archive().open(info) as stream:
                return stream.read(info.file_size + 1)   # never more than declared: zipfile stops there
        except ZIP_ERRORS as error:
            _raise_if_the_machines(error)
            raise _unreadable(relpath, f"{type(error).__name__}: {error}") from None

    def _read_file(self, relpath: str, limit: int) -> bytes:
        path = self.root / relpath
        try:
            with open_regular_file(path) as handle:
                data = _read_at_most(handle, limit + 1)
        except NotRegularFile:
            raise _unreadable(relpath, "not a regular file") from None
        except OSError as error:
            if error.errno not in INPUT_ERRNOS:   # EIO, EMFILE, ENOMEM...: the machine's, not the release's
                raise
            raise _unreadable(relpath, error.strerror or type(error).__name__) from None
        if len(data) > limit:
            raise _too_large(relpath, "file", os.path.getsize(path), limit)
        return data

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
        except (ValueError, RecursionError):   # Imagenet3DError (unreadable) and JSON errors included
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


def _read_at_most(handle: io.RawIOBase, size: int) -> bytes:
    """Up to ``size`` bytes of a raw file, however many a single read returns."""
    chunks, left = [], size
    while left > 0 and (chunk := handle.read(min(left, 16 * _MiB))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _raise_if_the_machines(error: Exception) -> None:
    """Re-raise an OSError of the disk or the machine met while reading the zip. zipfile's own OSErrors
    carry no errno; a seek before the file's start (a lying offset in the zip) is EINVAL: the input's."""
    if isinstance(error, OSError) and error.errno is not None and error.errno != errno.EINVAL:
        raise error


def _too_large(relpath: str, what: str, size: int, limit: int) -> UnreadableEntry:
    folder = folder_of(relpath)
    return UnreadableEntry(relpath, QuarantineReason.ENTRY_TOO_LARGE.message(
        what=what, size=size, limit=limit, folder=f"{folder}/" if folder else "the release root"))


def _unreadable(relpath: str, error: str) -> UnreadableEntry:
    return UnreadableEntry(relpath, QuarantineReason.UNREADABLE_ENTRY.message(error=error))


_EOCD = struct.Struct("<4s4H2LH")          # end of central directory record
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_HEADER = struct.Struct("<4s4B4HL2L5H2L")  # one central directory header


def _check_central_directory(path: Path) -> None:
    """Refuse, before zipfile reads it whole, a central directory over MAX_CENTRAL_DIRECTORY_BYTES or
    holding over MAX_ENTRIES entries (counted header by header: the declared count may lie). Finds it as
    zipfile does (Python 3.11 _EndRecData); a zip it cannot find it in is left to zipfile to refuse."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        tail_start = max(0, size - _EOCD.size - 0xFFFF)
        handle.seek(tail_start)
        tail = handle.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _EOCD.size > len(tail):
            return
        _, _, _, _, count, cd_size, _, _ = _EOCD.unpack_from(tail, at)
        end = tail_start + at   # where the central directory (and any zip64 records) ends
        if end >= _EOCD64_LOCATOR.size + _EOCD64.size:
            handle.seek(end - _EOCD64_LOCATOR.size - _EOCD64.size)
            records = handle.read(_EOCD64.size + _EOCD64_LOCATOR.size)
            if records[_EOCD64.size:_EOCD64.size + 4] == b"PK\x06\x07" and records[:4] == b"PK\x06\x06":
                count, cd_size = _EOCD64.unpack_from(records)[7:9]
                end -= _EOCD64.size + _EOCD64_LOCATOR.size
        if cd_size > MAX_CENTRAL_DIRECTORY_BYTES or count > MAX_ENTRIES:
            raise SourceError(f"{path}: the zip's central directory holds {count} entries in {cd_size} bytes, "
                              f"over the bound of {MAX_ENTRIES} entries in {MAX_CENTRAL_DIRECTORY_BYTES} bytes")
        if end < cd_size:
            return   # zipfile says "Bad offset for central directory"
        handle.seek(end - cd_size)
        directory = handle.read(cd_size)
    position, entries, lengths = 0, 0, struct.Struct("<3H").unpack_from   # name, extra and comment lengths
    while position + _HEADER.size <= len(directory) and directory.startswith(b"PK\x01\x02", position):
        name, extra, comment = lengths(directory, position + 28)
        position += _HEADER.size + name + extra + comment
        entries += 1
        if entries > MAX_ENTRIES:
            raise SourceError(f"{path}: the zip holds more than {MAX_ENTRIES} entries (it declares {count}): "
                              "not an ImageNet3D release")


def _is_zipfile(path: Path) -> bool:
    """zipfile.is_zipfile, except that an end record zipfile refuses (it raises BadZipFile for "spans
    multiple disks", found by fuzzing) counts as a zip, so that listing it says why it is unreadable."""
    try:
        return zipfile.is_zipfile(path)
    except ZIP_ERRORS:
        return True


def _within(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _is_safe(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
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
