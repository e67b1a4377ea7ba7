"""Keeping a long-running viewer's resident memory near what it holds.

Drawing a sample allocates tens of MB for a moment (the photo decoded and upscaled, the mesh's
z-buffers, Arrow buffers of the row group read). Freed, that memory stays with the allocators:
glibc keeps fragmented heap pages and its per-thread arenas, Arrow's mimalloc pool keeps its
pages. At the real size that took the viewer from 290 to 430 MB after 120 samples, against
350 MB when each drawing request gives it back (3-6 ms, plus the page faults it causes).
"""

from __future__ import annotations

import ctypes
import functools
import os

import pyarrow as pa

_M_ARENA_MAX = -8   # malloc.h


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:   # not glibc
        return None


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX does) before the server starts its threads.

    Gradio runs handlers on a pool of threads and glibc gives each its own
    arena; under 20 concurrent clients the fragmented arenas took the server
    from 400 to over 600 MB (measured, BENCHMARKS.md). Returns False where
    there is no glibc.
    """
    libc = _libc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, arenas))


#: Above this resident size, memory freed by a request is given back to the system. Below it the
#: allocators keep it: giving it back costs the next request its page faults (sample p95 at the real
#: size: 105 ms never, 108 ms from 440 MB, 158 ms from 380 MB; BENCHMARKS.md).
RESIDENT_BUDGET_MB = 420


def resident_mb() -> float:
    """This process's resident memory (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def release_memory(budget_mb: float = RESIDENT_BUDGET_MB) -> bool:
    """When resident memory exceeds ``budget_mb``, return what is free to the system: Arrow's unused
    pool pages, then glibc's free heap pages (malloc_trim). Call it after a request that drew
    something; True when it released."""
    if resident_mb() <= budget_mb:
        return False
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
    return True
