"""Files appear under their final name only when complete: write beside, then rename."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def temporary_name(path: str | os.PathLike) -> Path:
    """A hidden name beside ``path`` that no other process or thread uses.

    Hidden, so manifests and uploads skip it; beside the target, so the rename
    stays on one filesystem and is atomic.
    """
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


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
