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
The trunk, batches, loop and output are shared with train_classify_pose.py (common.py).
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

import imagenet3d

import common


class PoseNet(nn.Module):
    """A small CNN with 3 x 40 pose logits (category-agnostic, as in the open-vocabulary protocol)."""

    def __init__(self, bins: int = imagenet3d.NUM_BINS):
        super().__init__()
        self.features = common.conv_trunk()
        self.heads = nn.Linear(common.FEATURES, 3 * bins)
        self.bins = bins

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.heads(self.features(images)).view(-1, 3, self.bins)


def decode(logits: torch.Tensor) -> list[dict]:
    return [dict(zip(common.ANGLES, map(float, angles))) for angles in common.decode_pose(logits)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_arguments(parser)
    args = parser.parse_args()

    rank, world_size = common.setup(args)
    model = PoseNet()
    common.train(args, model, "open_vocabulary", lambda logits, batch: common.pose_loss(logits, batch["bins"]),
                 rank, world_size)
    predictions = common.predict(args, model, "open_vocabulary", ("validation_known", "validation_novel"), decode,
                                 rank, world_size)
    if rank == 0:
        references = imagenet3d.reference_objects(imagenet3d.load("annotations", "validation", source=args.source))
        results = imagenet3d.evaluate(predictions, references, task="open_vocabulary")
        print(imagenet3d.format_table(results))
        # What a model that learned only the pose distribution would score: the yardstick for the table.
        train = imagenet3d.reference_objects(imagenet3d.load("annotations", "train", source=args.source))
        prior = common.most_frequent_pose(r for r in train if r["category"] in imagenet3d.KNOWN_CATEGORIES)
        baseline = imagenet3d.evaluate({r["object_id"]: prior for r in references}, references, task="open_vocabulary")
        scores = [f"{block} {baseline['tables'][block]['Avg.']['pi_6_acc']:.1f}" for block in ("known", "novel")]
        print("Baseline, the most frequent training bin of each angle for every object: Acc@pi/6 " + ", ".join(scores))
        if args.predictions:
            common.write_predictions(args.predictions, predictions)
    common.finish(world_size)


if __name__ == "__main__":
    common.run(main)
