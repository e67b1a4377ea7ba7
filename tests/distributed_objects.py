"""Run by tests/test_distributed.py under ``torchrun --nproc_per_node=2`` (CPU, gloo).

Each rank streams its part of the open_vocabulary train split through a
DataLoader with 2 workers for two epochs and records which objects it saw,
and in which worker; rank 0 writes what every rank saw to --out.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
from pathlib import Path

import torch.distributed as dist
from torch.utils.data import DataLoader, get_worker_info

import imagenet3d

WORKERS = 2
# Workers start from a forkserver, not by forking this process: a fork while one of its threads is being
# created or torn down (the last epoch's queue feeders, tqdm's monitor) can leave the child waiting forever on
# CPython 3.11's thread-state lock in PyOS_AfterFork_Child (seen once in a CI run, gdb backtrace in issue 11's
# closing note). The forkserver is single-threaded when it forks.
START_METHOD = "forkserver"


def tag_worker(example: dict) -> dict:
    """Runs inside the DataLoader worker that produced the example."""
    return {"worker": get_worker_info().id}


def summary(batch: list[dict]) -> list[list]:
    return [[example["object_id"], example["is_padding"], example["worker"]] for example in batch]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--remainder", default="pad")
    parser.add_argument("--objects-per-shard", type=int, default=4)
    args = parser.parse_args()
    multiprocessing.set_forkserver_preload(["torch", "datasets", "imagenet3d"])
    dist.init_process_group("gloo")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    stream = imagenet3d.object_stream(source=args.source, rank=rank, world_size=world_size, num_workers=WORKERS,
                                      size=32, remainder=args.remainder, seed=7, buffer_size=16,
                                      objects_per_shard=args.objects_per_shard)
    stream = stream.map(tag_worker)
    epochs = []
    for epoch in range(2):
        stream.set_epoch(epoch)  # on the dataset that is iterated (datasets' map does not copy the epoch)
        loader = DataLoader(stream, batch_size=4, num_workers=WORKERS, collate_fn=summary,
                            multiprocessing_context=START_METHOD)
        seen = [row for batch in loader for row in batch]
        everyone: list = [None] * world_size
        dist.all_gather_object(everyone, seen)
        epochs.append(everyone)
    if rank == 0:
        Path(args.out).write_text(json.dumps({"world_size": world_size, "num_shards": stream.num_shards,
                                              "epochs": epochs}))
    dist.barrier()  # leave together: a rank exiting while rank 0 still writes aborted in gloo
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
