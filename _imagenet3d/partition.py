"""The one partitioner of work over ranks x DataLoader workers, used by every stream.

One layout, the one mosaic streaming's ``partition`` package and torch's
``DistributedSampler`` use: the ``world_size x num_workers`` slots are numbered
rank-major (slot = rank * num_workers + worker) and each slot takes a contiguous
run of the items. ``ArrowBatches`` assigns its row groups to slots this way;
``object_stream`` cuts its objects into equal shards with :func:`run` and leaves
handing whole shards to ranks and workers to ``datasets``. How a remainder that
does not divide equally is handled is the only choice:

* ``"uneven"``: runs differ by at most one item (``ArrowBatches``' row groups);
* ``"pad"``: every run is ceil(N / S) long, the last positions wrap around to
  the start, as ``DistributedSampler`` pads (``object_stream``'s default);
* ``"drop"``: every run is floor(N / S) long, the last N mod S items are left out.
"""

from __future__ import annotations

import sys

from _imagenet3d.errors import Imagenet3DError

#: What ``object_stream`` does with the objects left over when they do not
#: split equally over ranks x workers (see ``object_stream``).
REMAINDER_MODES = ("pad", "drop")


def check_rank(rank: int, world_size: int) -> None:
    """An :class:`Imagenet3DError` unless ``rank`` is one of ``range(world_size)``."""
    if not 0 <= rank < world_size:
        raise Imagenet3DError(f"rank {rank} is not in range(world_size={world_size})")


def slot(rank: int, world_size: int, worker: int = 0, num_workers: int = 1) -> tuple[int, int]:
    """(this slot, number of slots) of ``worker`` of ``num_workers`` on ``rank`` of ``world_size``."""
    return rank * num_workers + worker, world_size * num_workers


def run(total: int, index: int, parts: int, remainder: str = "uneven") -> range:
    """Positions of part ``index`` of ``parts`` over ``total`` items (see the module's docstring).

    With ``"pad"`` positions reach past ``total``: position p means item
    ``p % total`` and is padding when ``p >= total``.

        >>> [list(run(5, k, 2)) for k in range(2)], [list(run(5, k, 2, "pad")) for k in range(2)]
        ([[0, 1], [2, 3, 4]], [[0, 1, 2], [3, 4, 5]])
    """
    if remainder == "uneven":
        return range(total * index // parts, total * (index + 1) // parts)
    if remainder not in REMAINDER_MODES:
        raise Imagenet3DError(f"remainder must be one of {REMAINDER_MODES}, got {remainder!r}")
    size = -(-total // parts) if remainder == "pad" else total // parts
    return range(index * size, (index + 1) * size)


def dataloader_worker() -> tuple[int, int]:
    """(worker id, number of workers) inside a torch DataLoader worker, else (0, 1).

    torch is looked up, not imported: outside a DataLoader nothing needs it.
    """
    torch = sys.modules.get("torch")
    info = torch.utils.data.get_worker_info() if torch is not None else None
    return (info.id, info.num_workers) if info is not None else (0, 1)
