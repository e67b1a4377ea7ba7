"""Open-vocabulary pose estimation, end to end, on the CPU.

Streams the object-centric samples of the ``open_vocabulary`` train split
(known categories only), trains a small category-agnostic CNN with three
40-bin heads (azimuth, elevation, theta: the paper's 3 x 40 logits and
cross-entropy), then evaluates ``validation_known`` and ``validation_novel``
with ``imagenet3d.evaluate`` and prints the table in the paper's layout.

    python examples/train_pose.py --source demo/imagenet3d --minutes 3
    torchrun --nproc_per_node=2 examples/train_pose.py --source demo/imagenet3d --minutes 3

Under torchrun every rank streams its own equal part (``imagenet3d.object_stream``),
gradients are averaged by DistributedDataParallel over gloo, and the
validation objects are split over the ranks and gathered for the table.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader

import imagenet3d

ANGLES = ("azimuth", "elevation", "theta")
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)   # ImageNet normalisation, as the paper's configs
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


class PoseNet(nn.Module):
    """A small CNN with 3 x 40 pose logits (category-agnostic, as in the open-vocabulary protocol)."""

    def __init__(self, bins: int = imagenet3d.NUM_BINS):
        super().__init__()

        def block(inputs: int, outputs: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs),
                                 nn.ReLU(inplace=True), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(3, 32), block(32, 64), block(64, 128), block(128, 128),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.heads = nn.Linear(128, 3 * bins)
        self.bins = bins

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.heads(self.features(images)).view(-1, 3, self.bins)


def collate(samples: list[dict]) -> dict:
    """imagenet3d.collate_objects, then normalised float images and the three bin labels."""
    batch = imagenet3d.collate_objects(samples)
    images = batch["image"].float().div_(255)
    batch["image"] = (images - MEAN) / STD
    batch["bins"] = torch.stack([batch[f"{a}_bin"] for a in ANGLES], dim=1)
    return batch


def setup() -> tuple[int, int]:
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size > 1:
        dist.init_process_group("gloo")
        return dist.get_rank(), world_size
    return 0, 1


def stream(args, split: str, rank: int, world_size: int, train: bool):
    return imagenet3d.object_stream("open_vocabulary", split, source=args.source, rank=rank,
                                    world_size=world_size, num_workers=args.workers, size=args.size,
                                    shuffle=train, seed=args.seed, buffer_size=256, remainder="pad",
                                    objects_per_shard=args.objects_per_shard)


def loader(objects, args) -> DataLoader:
    return DataLoader(objects, batch_size=args.batch_size, num_workers=args.workers, collate_fn=collate)


def train(args, model: nn.Module, rank: int, world_size: int) -> None:
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    deadline = time.monotonic() + 60 * args.minutes
    objects = stream(args, "train", rank, world_size, train=True)
    seen, epoch, started = 0, 0, time.monotonic()
    while epoch < args.epochs and time.monotonic() < deadline:
        model.train()
        objects.set_epoch(epoch)  # the same new order on every rank
        for batch in loader(objects, args):
            logits = model(batch["image"])
            loss = sum(loss_fn(logits[:, k], batch["bins"][:, k]) for k in range(3))
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
def predict(args, model: nn.Module, split: str, rank: int, world_size: int) -> dict[str, dict]:
    """Arg-max bins decoded to their centre angles, for this rank's objects (padding dropped)."""
    model.eval()
    predictions = {}
    for batch in loader(stream(args, split, rank, world_size, train=False), args):
        angles = imagenet3d.bin_to_angle(model(batch["image"]).argmax(-1).numpy())
        for oid, padding, (azimuth, elevation, theta) in zip(batch["object_id"], batch["is_padding"], angles):
            if not padding:
                predictions[oid] = {"azimuth": float(azimuth), "elevation": float(elevation), "theta": float(theta)}
    return predictions


def most_frequent_pose(source: str) -> dict[str, float]:
    """The centre of the most frequent bin of each angle over the open_vocabulary train objects."""
    counts = {angle: np.zeros(imagenet3d.NUM_BINS, dtype=np.int64) for angle in ANGLES}
    for row in imagenet3d.reference_objects(imagenet3d.load("annotations", "train", source=source)):
        if row["category"] in imagenet3d.KNOWN_CATEGORIES:
            for angle in ANGLES:
                counts[angle][int(imagenet3d.angle_to_bin(row[angle]))] += 1
    return {angle: float(imagenet3d.bin_to_angle(int(np.argmax(counts[angle])))) for angle in ANGLES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="demo/imagenet3d", help="a converted folder or a Hub repo id")
    parser.add_argument("--minutes", type=float, default=3.0, help="training time budget")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64, help="crop size (the official crop is 512; small for the CPU)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers per process")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--objects-per-shard", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--predictions", help="also write the predictions here (JSON Lines)")
    args = parser.parse_args()

    rank, world_size = setup()
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world_size))
    model = PoseNet()
    trained = DistributedDataParallel(model) if world_size > 1 else model
    train(args, trained, rank, world_size)

    predictions = {}
    for split in ("validation_known", "validation_novel"):
        predictions.update(predict(args, model, split, rank, world_size))
    if world_size > 1:
        gathered: list = [None] * world_size
        dist.all_gather_object(gathered, predictions)
        predictions = {k: v for part in gathered for k, v in part.items()}
    if rank == 0:
        references = list(imagenet3d.reference_objects(imagenet3d.load("annotations", "validation",
                                                                        source=args.source)))
        results = imagenet3d.evaluate(predictions, references, task="open_vocabulary")
        print(imagenet3d.format_table(results))
        # What a model that learned only the pose distribution would score: the yardstick for the table.
        prior = most_frequent_pose(args.source)
        baseline = imagenet3d.evaluate({r["object_id"]: prior for r in references}, references, task="open_vocabulary")
        scores = [f"{block} {baseline['tables'][block]['Avg.']['pi_6_acc']:.1f}" for block in ("known", "novel")]
        print("Baseline, the most frequent training bin of each angle for every object: Acc@pi/6 " + ", ".join(scores))
        if args.predictions:
            with open(args.predictions, "w") as out:
                for oid, angles in sorted(predictions.items()):
                    out.write(json.dumps({"object_id": oid, **angles}) + "\n")
    if world_size > 1:
        dist.barrier()  # leave together: a rank exiting while rank 0 still evaluates aborted in gloo
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
