"""3D-aware classification (the paper's Task 3), end to end, on the CPU.

Streams the object-centric samples of the ``default`` config's train split
(all categories), trains a small CNN with two heads together, as imagenet3d_exp's
``ResNetPoseCls`` (``scripts/pose_estimation_classification.py``,
``configs/pose_estimation_classification_resnet50.yaml``): a 189-way category head
(``imagenet3d.CATEGORIES``, the objects' ``category_id``) and 3 x 40 pose bins,
loss = CE_pose + CE_cls (weights 1 and 1). Then it predicts a category and a pose
for every validation object and scores them with
``imagenet3d.evaluate(..., task="classification")``: a wrong category adds pi to the
pose error, so an object counts at pi/6 only if it is classified correctly *and*
posed within pi/6. Prints the paper's table, the plain classification accuracy and
a yardstick (the most frequent training category and bins for every object).

    python examples/train_classify_pose.py --source demo/imagenet3d --minutes 3
    python examples/train_classify_pose.py --source demo/imagenet3d --predictions predictions.jsonl
    torchrun --nproc_per_node=2 examples/train_classify_pose.py --source demo/imagenet3d --minutes 3

``--predictions`` writes ``evaluate``'s format (JSON Lines with a category), which the
viewer opens beside the ground truth. Trunk, batches, torchrun, loop and output are
shared with train_pose.py (common.py).
"""

from __future__ import annotations

import argparse
from collections import Counter

import torch
from torch import nn
from torch.nn import functional

import imagenet3d

import common


class PoseClassifier(nn.Module):
    """The small trunk with ResNetPoseCls's two heads: 189 category logits and 3 x 40 pose logits."""

    def __init__(self, categories: int = len(imagenet3d.CATEGORIES), bins: int = imagenet3d.NUM_BINS):
        super().__init__()
        self.features = common.conv_trunk()
        self.cls_head = nn.Linear(common.FEATURES, categories)
        self.pose_head = nn.Linear(common.FEATURES, 3 * bins)
        for head in (self.cls_head, self.pose_head):   # as ResNetPoseCls initialises its heads
            nn.init.normal_(head.weight, std=0.01)
            nn.init.zeros_(head.bias)
        self.bins = bins

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.features(images)
        return self.cls_head(features), self.pose_head(features).view(-1, 3, self.bins)


def decode(outputs: tuple[torch.Tensor, torch.Tensor]) -> list[dict]:
    """The arg-max category's name and the arg-max bins' centres, per object."""
    cls_logits, pose_logits = outputs
    names = [imagenet3d.CATEGORIES[k] for k in cls_logits.argmax(-1).tolist()]
    return [{**dict(zip(common.ANGLES, map(float, angles))), "category": name}
            for name, angles in zip(names, common.decode_pose(pose_logits))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_arguments(parser)
    parser.add_argument("--pose-loss-weight", type=float, default=1.0)
    parser.add_argument("--cls-loss-weight", type=float, default=1.0)
    args = parser.parse_args()

    def loss_of(outputs: tuple[torch.Tensor, torch.Tensor], batch: dict) -> torch.Tensor:
        cls_logits, pose_logits = outputs
        return (args.pose_loss_weight * common.pose_loss(pose_logits, batch["bins"])
                + args.cls_loss_weight * functional.cross_entropy(cls_logits, batch["category_id"]))

    rank, world_size = common.setup(args)
    model = PoseClassifier()
    common.train(args, model, "default", loss_of, rank, world_size)
    predictions = common.predict(args, model, "default", ("validation",), decode, rank, world_size)
    if rank == 0:
        references = imagenet3d.reference_objects(imagenet3d.load("annotations", "validation", source=args.source))
        results = imagenet3d.evaluate(predictions, references, task="classification")
        print(imagenet3d.format_table(results))
        average = results["tables"]["all"]["Avg."]
        pose_alone = imagenet3d.evaluate(predictions, references, task="pose")["tables"]["all"]["Avg."]
        print(f"Classification accuracy: {average['cls_acc']:.1f}% of {average['count']} objects; "
              f"pose alone (category ignored): Acc@pi/6 {pose_alone['pi_6_acc']:.1f}%")
        # What a model that learned only the category and pose distributions would score: the table's yardstick.
        train = imagenet3d.reference_objects(imagenet3d.load("annotations", "train", source=args.source))
        prior = {**common.most_frequent_pose(train),
                 "category": Counter(r["category"] for r in train).most_common(1)[0][0]}
        constant = {r["object_id"]: prior for r in references}
        baseline = imagenet3d.evaluate(constant, references, task="classification")["tables"]["all"]["Avg."]
        baseline_pose = imagenet3d.evaluate(constant, references, task="pose")["tables"]["all"]["Avg."]
        print(f"Baseline, the most frequent training category ({prior['category']}) and bin of each angle for "
              f"every object: 3D-aware Acc@pi/6 {baseline['pi_6_acc']:.1f}, classification accuracy "
              f"{baseline['cls_acc']:.1f}%, pose alone Acc@pi/6 {baseline_pose['pi_6_acc']:.1f}%")
        if args.predictions:
            common.write_predictions(args.predictions, predictions)
    common.finish(world_size)


if __name__ == "__main__":
    common.run(main)
