"""Bytes in and out: read a path, bytes or a stream whole; write so a file appears only when complete."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import BinaryIO

#: What the release readers accept: a path, the bytes themselves, or an open binary stream.
PathOrBytes = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO


def temporary_name(path: str | os.PathLike) -> Path:
    """A hidden name beside ``path`` that no other process or thread uses.

    Hidden, so manifests and uploads skip it; beside the target, so the rename
    stays on one filesystem and is atomic.
    """
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


_TEMPORARY = re.compile(r"^\..+\.tmp-(\d+)-\d+$")  # what temporary_name makes


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep_temporaries(root: str | os.PathLike[str]) -> int:
    """Remove the temp files (``temporary_name``) under ``root`` of writers that are gone (killed); how many.

    "Gone" is judged by process id on this machine: do not share an output folder with a writer running
    on another machine or in another PID namespace (its temp files would look dead)."""
    removed = 0
    for directory, _, files in os.walk(os.fspath(root)):
        for name in files:
            match = _TEMPORARY.match(name)
            if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
                Path(directory, name).unlink(missing_ok=True)
                removed += 1
    return removed


def atomic_write(path: str | os.PathLike, data: bytes, fsync: bool = False) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_bytes(source: PathOrBytes) -> bytes:
    """All bytes of ``source``: a path, a bytes-like object or a binary stream."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        return source.read()
    with open(source, "rb") as handle:
        return handle.read()
