"""One way to fan work out over processes, shared by every command."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def parallel_map(function: Callable[[Any], Any], jobs: Iterable[Any], workers: int,
                 initializer: Callable[..., None] | None = None, initargs: tuple = (),
                 ordered: bool = True, chunksize: int = 4) -> Iterator[Any]:
    """``map(function, jobs)`` over ``workers`` forked processes, in this process for 1.

    Workers are forked so they inherit open state (a release source, imported
    modules) instead of receiving it pickled; ``initializer(*initargs)`` runs
    in each of them, or here when ``workers`` is 1. Results come in job order
    unless ``ordered`` is false. The pool is closed when the iterator is done.
    """
    if workers <= 1:
        if initializer:
            initializer(*initargs)
        yield from map(function, jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers, initializer, initargs) as pool:
        mapper = pool.imap if ordered else pool.imap_unordered
        yield from mapper(function, jobs, chunksize=chunksize)
        pool.close()
        pool.join()
