"""What the training examples share: the small CNN trunk, the batches, torchrun, the training loop and the output.

``train_pose.py`` (open-vocabulary pose estimation) and ``train_classify_pose.py`` (3D-aware
classification) differ only in their heads, their loss and what they predict; everything else is here.
``python examples/<script>.py`` puts this folder on ``sys.path``, so they ``import common``.

The pose heads follow imagenet3d_exp (Ma et al. 2024): 3 x 40 bins over [0, 2pi) for azimuth,
elevation and theta, cross-entropy over the 3 x B angle labels (``scripts/open_vocab_pose_estimation.py``,
``scripts/pose_estimation_classification.py``), arg-max decoded to the bin centre.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader

import imagenet3d

ANGLES = ("azimuth", "elevation", "theta")
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)   # ImageNet normalisation, as the paper's configs
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
#: Width of :func:`conv_trunk`'s features.
FEATURES = 128

#: A loss of the model's outputs and the batch.
Loss = Callable[[Any, dict], torch.Tensor]
#: The predictions (``evaluate``'s dicts, without object_id) of a batch, from the model's outputs.
Decode = Callable[[Any], list[dict]]


def conv_trunk() -> nn.Module:
    """Four conv blocks and global average pooling, ``imagenet3d.SmallCNN``: images (B, 3, H, W) ->
    features (B, FEATURES). Small enough to train on a CPU in minutes; the paper's networks are ResNet-50
    and Swin-T."""
    return imagenet3d.SmallCNN()


def collate(samples: list[dict]) -> dict:
    """imagenet3d.collate_objects, then normalised float images and the three bin labels (B, 3)."""
    batch = imagenet3d.collate_objects(samples)
    images = batch["image"].float().div_(255)
    batch["image"] = (images - MEAN) / STD
    batch["bins"] = torch.stack([batch[f"{a}_bin"] for a in ANGLES], dim=1)
    return batch


def pose_loss(logits: torch.Tensor, bins: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of (B, 3, NUM_BINS) logits against (B, 3) bins, averaged over the 3 x B angle labels,
    as imagenet3d_exp flattens them (``pose_out.view(-1, num_bins)``)."""
    return functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), bins.reshape(-1))


def decode_pose(logits: torch.Tensor) -> np.ndarray:
    """(B, 3, NUM_BINS) logits -> (B, 3) angles in radians: the centre of each arg-max bin."""
    return imagenet3d.bin_to_angle(logits.argmax(-1).numpy())


def add_arguments(parser: argparse.ArgumentParser, lr: float = 2e-3) -> None:
    """The command-line options both examples take."""
    parser.add_argument("--source", default="demo/imagenet3d", help="a converted folder or a Hub repo id")
    parser.add_argument("--minutes", type=float, default=3.0, help="training time budget")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64, help="crop size (the official crop is 512; small for the CPU)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers per process")
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--objects-per-shard", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--predictions", help="also write the predictions here (JSON Lines)")


def setup(args: argparse.Namespace) -> tuple[int, int]:
    """(rank, world_size): one process, or torchrun's (gloo, CPU); seeds torch and shares the cores out."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = 0
    if world_size > 1:
        dist.init_process_group("gloo")
        rank = dist.get_rank()
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world_size))
    return rank, world_size


def finish(world_size: int) -> None:
    if world_size > 1:
        dist.barrier()  # leave together: a rank exiting while rank 0 still evaluates aborted in gloo
        dist.destroy_process_group()


def stream(args: argparse.Namespace, config: str, split: str, rank: int, world_size: int, train: bool):
    """This rank's object samples of ``config``'s ``split`` (imagenet3d.object_stream)."""
    return imagenet3d.object_stream(config, split, source=args.source, rank=rank, world_size=world_size,
                                    num_workers=args.workers, size=args.size, shuffle=train, seed=args.seed,
                                    buffer_size=256, remainder="pad", objects_per_shard=args.objects_per_shard)


def loader(objects, args: argparse.Namespace) -> DataLoader:
    return DataLoader(objects, batch_size=args.batch_size, num_workers=args.workers, collate_fn=collate)


def train(args: argparse.Namespace, model: nn.Module, config: str, loss_of: Loss, rank: int,
          world_size: int) -> None:
    """AdamW on ``loss_of(model(images), batch)`` over ``config``'s train split, until ``args.epochs``
    or ``args.minutes``; under torchrun, DistributedDataParallel averages the gradients."""
    trained = DistributedDataParallel(model) if world_size > 1 else model
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    deadline = time.monotonic() + 60 * args.minutes
    objects = stream(args, config, "train", rank, world_size, train=True)
    seen, epoch, started = 0, 0, time.monotonic()
    while epoch < args.epochs and time.monotonic() < deadline:
        trained.train()
        objects.set_epoch(epoch)  # the same new order on every rank
        for batch in loader(objects, args):
            loss = loss_of(trained(batch["image"]), batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            seen += len(batch["object_id"])
            # Every rank stops at the same step: equal shards, and the deadline agreed on by all.
            if _any_rank(time.monotonic() > deadline, world_size):
                break
        epoch += 1
        if rank == 0:
            print(f"epoch {epoch}: loss {loss.item():.3f}, {seen * world_size / (time.monotonic() - started):.0f} "
                  f"objects/s over {world_size} process(es)", flush=True)


def _any_rank(flag: bool, world_size: int) -> bool:
    if world_size == 1:
        return flag
    value = torch.tensor([int(flag)])
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


@torch.no_grad()
def predict(args: argparse.Namespace, model: nn.Module, config: str, splits: Sequence[str], decode: Decode,
            rank: int, world_size: int) -> dict[str, dict]:
    """object_id -> ``decode``'s prediction for every object of ``splits``, padding dropped; under torchrun
    each rank predicts its part and every rank gets all of them."""
    model.eval()
    predictions: dict[str, dict] = {}
    for split in splits:
        for batch in loader(stream(args, config, split, rank, world_size, train=False), args):
            for oid, padding, prediction in zip(batch["object_id"], batch["is_padding"],
                                                decode(model(batch["image"]))):
                if not padding:
                    predictions[oid] = prediction
    if world_size > 1:
        gathered: list = [None] * world_size
        dist.all_gather_object(gathered, predictions)
        predictions = {k: v for part in gathered for k, v in part.items()}
    return predictions


def most_frequent_pose(references: Iterable[Mapping]) -> dict[str, float]:
    """The centre of the most frequent bin of each angle over ``references`` (training objects):
    what a model that learned only the pose distribution predicts."""
    counts = {angle: np.zeros(imagenet3d.NUM_BINS, dtype=np.int64) for angle in ANGLES}
    for row in references:
        for angle in ANGLES:
            counts[angle][int(imagenet3d.angle_to_bin(row[angle]))] += 1
    return {angle: float(imagenet3d.bin_to_angle(int(np.argmax(counts[angle])))) for angle in ANGLES}


def run(main: Callable[[], None]) -> None:
    """Run an example's ``main``; bad input (an imagenet3d error: a mistyped source, a bad option) ends it
    with one line and exit status 1, not a traceback."""
    try:
        main()
    except imagenet3d.Imagenet3DError as error:
        raise SystemExit(f"error: {error}") from None


def write_predictions(path: str, predictions: Mapping[str, Mapping]) -> None:
    """JSON Lines, one ``{"object_id", "azimuth", "elevation", "theta"[, "category"]}`` per object (radians):
    what ``imagenet3d.read_predictions`` and the viewer read."""
    with open(path, "w") as out:
        for oid, prediction in sorted(predictions.items()):
            out.write(json.dumps({"object_id": oid, **prediction}) + "\n")
