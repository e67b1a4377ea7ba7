"""The distributed object stream: usable objects in exactly equal shards per rank and worker."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from _imagenet3d.crops import CROP_SIZE, _check_box, object_sample
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.partition import REMAINDER_MODES, check_rank, run
from _imagenet3d.shards import open_parquet, split_files

if TYPE_CHECKING:
    import datasets

#: One object's place: (file, row group, row, object index within the row's objects).
ObjectPlace = tuple[str, int, int, int]


def _usable_positions(path: str) -> list[tuple[int, int, int]]:
    """(row group, row, object index) of every usable object of one Parquet file, in order."""
    pc = require("pyarrow.compute", "hub")
    found = []
    with open_parquet(path) as parquet:
        for group in range(parquet.metadata.num_row_groups):
            objects = parquet.read_row_group(group, columns=["objects"]).column(0).combine_chunks()
            rows = pc.list_parent_indices(objects).to_numpy()
            usable = objects.flatten().field("usable").fill_null(False).to_numpy(zero_copy_only=False)
            starts = objects.offsets.to_numpy()[rows]
            position = np.arange(len(rows)) - starts   # index of each object within its image
            found += [(group, int(r), int(k)) for r, k in zip(rows[usable], position[usable])]
    return found


def usable_objects(files: list[str]) -> list[ObjectPlace]:
    """(file, row group, row, object index) of every usable object, in file order."""
    return [(path, *position) for path in files for position in _usable_positions(path)]


def plan_object_shards(objects: list[ObjectPlace], num_shards: int, remainder: str = "pad") -> list[list]:
    """Split ``objects`` (from ``usable_objects``) into ``num_shards`` shards of exactly equal size.

    Objects keep their file, row-group, row, object order. With N objects and
    S shards, ``"pad"`` makes every shard ceil(N / S) long by repeating objects
    from the start (flagged ``is_padding``, as torch's DistributedSampler pads),
    so every object is seen once and a few (fewer than S) twice; ``"drop"``
    makes them floor(N / S) long and leaves out the last N mod S objects
    (:func:`_imagenet3d.partition.run`).
    Each shard is a list of pieces ``[file, row_group, [[row, object_index, is_padding], ...]]``
    so that one row group is read once per piece.
    """
    if remainder not in REMAINDER_MODES:
        raise Imagenet3DError(f"remainder must be one of {REMAINDER_MODES}, got {remainder!r}")
    total = len(objects)
    if total == 0 or not run(total, 0, num_shards, remainder):
        raise Imagenet3DError(f"{total} usable objects cannot fill {num_shards} equal shards")
    shards = []
    for shard in range(num_shards):
        pieces: list[list] = []
        for position in run(total, shard, num_shards, remainder):
            path, group, row, index = objects[position % total]
            if not pieces or pieces[-1][0] != path or pieces[-1][1] != group:
                pieces.append([path, group, []])
            pieces[-1][2].append([row, index, position >= total])
        shards.append(pieces)
    return shards


def _generate_object_stream(shards: list[list], size: int | None, box: str = "exact") -> Iterator[dict[str, Any]]:
    """The generator behind ``object_stream``: reads each piece's row group once."""
    for pieces in shards:
        for path, pieces_of_file in itertools.groupby(pieces, key=lambda piece: piece[0]):
            with open_parquet(path) as parquet:
                for _, group, wanted in pieces_of_file:
                    rows = parquet.read_row_group(group).take([row for row, _, _ in wanted]).to_pylist()
                    for (_, index, is_padding), row in zip(wanted, rows):
                        yield object_sample(row.pop("image")["bytes"], row, index, size, is_padding, box)


def object_stream(config: str = "open_vocabulary", split: str = "train", *,
                  source: str | os.PathLike | None = None, rank: int = 0, world_size: int = 1,
                  num_workers: int = 0, size: int | None = CROP_SIZE, remainder: str = "pad",
                  shuffle: bool = True, seed: int = 0, buffer_size: int | None = 1000,
                  objects_per_shard: int = 512, box: str = "exact", **load_kwargs: Any) -> datasets.IterableDataset:
    """Object-centric samples streamed from the Parquet shards, for training on many GPUs.

    Returns a ``datasets.IterableDataset`` holding this ``rank``'s part. The
    usable objects are split into ``world_size x max(num_workers, 1) x k``
    shards of *exactly equal size* (``plan_object_shards``; about
    ``objects_per_shard`` objects each), the shard order is shuffled with
    ``seed`` (the same on every rank; call ``set_epoch`` on the result for a
    new order each epoch), then ``datasets.distributed.split_dataset_by_node``
    hands each rank whole shards and the DataLoader hands each of its
    ``num_workers`` workers whole shards. So every rank and every worker gets
    disjoint data in equal amounts, and all of it: with ``remainder="pad"``
    (default) fewer than ``world_size x workers x k`` objects are repeated,
    flagged ``is_padding`` (drop them when evaluating); with ``"drop"`` as many
    are left out. Each rank reads only its own row groups.

    ``buffer_size`` objects are shuffled in a buffer. Resuming with torchdata's
    ``StatefulDataLoader`` restarts the current shards where they were, but
    datasets does not save the shuffle buffer's content: with a buffer, up to
    ``buffer_size`` objects per worker are lost from the resumed epoch. With
    ``buffer_size=None`` only the shard order is shuffled, by ``seed`` (pass
    ``seed + epoch`` for a new order each epoch; ``set_epoch`` then changes
    nothing), and a resumed epoch is exact. ``size`` and ``box`` are those of
    ``center_and_resize``.

        >>> train = imagenet3d.object_stream(source="demo/imagenet3d", rank=rank, world_size=world,
        ...                                  num_workers=2, size=224)                 # doctest: +SKIP
        >>> loader = torch.utils.data.DataLoader(train, batch_size=64, num_workers=2,
        ...                                      collate_fn=...)                       # doctest: +SKIP
    """
    datasets = require("datasets", "hub")
    from datasets.distributed import split_dataset_by_node

    check_rank(rank, world_size)
    _check_box(box)
    objects = usable_objects(split_files(config, split, source, **load_kwargs))
    slots = world_size * max(num_workers, 1)
    shards_per_slot = max(1, len(objects) // (slots * max(objects_per_shard, 1)))
    shards = plan_object_shards(objects, slots * shards_per_slot, remainder)
    if shuffle and not buffer_size:
        # No buffer: the shard order alone is shuffled, here, so that a resumed epoch is exact.
        shards = [shards[k] for k in np.random.default_rng(seed).permutation(len(shards))]
    stream = datasets.IterableDataset.from_generator(
        _generate_object_stream, gen_kwargs={"shards": shards, "size": size, "box": box})
    if shuffle and buffer_size:
        stream = stream.shuffle(seed=seed, buffer_size=buffer_size)
    return split_dataset_by_node(stream, rank=rank, world_size=world_size)
