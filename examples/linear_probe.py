"""Linear probing of 3D awareness (the paper's Task 1), end to end, on the CPU or a GPU.

Extracts the features of every usable object crop of the ``default`` train and validation splits
with a frozen backbone (cached on disk: a second run, with other learning rates, reuses them),
trains the grid of probes (three 40-bin linear heads each: azimuth, elevation, theta), chooses
the one with the best validation Acc@pi/6 as imagenet3d_exp's
``scripts/compute_accuracy_linear_probing.py`` does, and prints the paper's table of it.

    python examples/linear_probe.py --source demo/imagenet3d --backbone small-cnn
    python examples/linear_probe.py --source demo/imagenet3d --backbone facebook/dinov2-small \\
        --blocks 1_last 4_last 4_uniform --lrs official --flip
    python examples/linear_probe.py --source demo/imagenet3d --backbone torchvision.models:resnet18 --size 224

--backbone is ``small-cnn`` (random init, --seed; --weights a state dict), ``package.module:factory``
(any torch.nn.Module), or a transformers model id or folder (``pip install "imagenet3d[probe]"``).
The official protocol (configs/linear_probing_*.yaml) is --blocks 1_last 4_last 4_uniform
--avgpool true false --lrs official --epochs 5 --batch-size 128 --flip.
"""

from __future__ import annotations

import argparse
import time

import torch

import imagenet3d

import common

#: A CPU-sized subset of the official 13 learning rates (one per decade from 1e-4).
DEFAULT_LRS = (1e-4, 1e-3, 1e-2, 1e-1)


def learning_rates(values: list[str]) -> list[float]:
    if values == ["official"]:
        return list(imagenet3d.PROBE_LEARNING_RATES)
    try:
        return [float(value) for value in values]
    except ValueError:
        raise SystemExit(f"error: --lrs takes numbers or 'official', got {' '.join(values)}") from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="demo/imagenet3d", help="a converted folder or a Hub repo id")
    parser.add_argument("--backbone", default="small-cnn",
                        help="small-cnn | package.module:factory | a transformers model id or folder")
    parser.add_argument("--weights", help="a state dict loaded into the backbone (small-cnn or a factory's module)")
    parser.add_argument("--size", type=int, help="object crop size (default: the backbone's; small-cnn 64)")
    parser.add_argument("--input-size", type=int, help="centre crop fed to the backbone (default: the backbone's)")
    parser.add_argument("--lrs", nargs="+", default=[str(lr) for lr in DEFAULT_LRS],
                        help=f"learning rates, or 'official' for all 13 (default: {' '.join(map(str, DEFAULT_LRS))})")
    parser.add_argument("--blocks", nargs="+", default=["1_last"], choices=imagenet3d.PROBE_BLOCKS,
                        help="layers whose CLS tokens a probe reads (4_* need a transformer of >= 4 layers)")
    parser.add_argument("--avgpool", nargs="+", default=None, choices=["true", "false"],
                        help="also concatenate the mean patch token (default: true false where the backbone has "
                             "patch tokens, else false)")
    parser.add_argument("--flip", action="store_true", help="the official horizontal-flip augmentation (extracts "
                                                            "the train features twice)")
    parser.add_argument("--epochs", type=int, default=5, help="probe training epochs (official: 5)")
    parser.add_argument("--batch-size", type=int, default=128, help="probe batch size (official: 128)")
    parser.add_argument("--extract-batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers streaming the crops")
    parser.add_argument("--cache-dir", help="feature cache (default: $IMAGENET3D_CACHE or ~/.cache/imagenet3d)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--predictions", help="also write the chosen probe's predictions here (JSON Lines)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    lrs = learning_rates(args.lrs)
    started = time.monotonic()
    backbone = imagenet3d.load_backbone(args.backbone, weights=args.weights, seed=args.seed, size=args.size,
                                        input_size=args.input_size)
    print(f"backbone {backbone.name}: crops {backbone.crop_size} px, centre {backbone.input_size} px fed to it",
          flush=True)
    extraction = dict(source=args.source, cache_dir=args.cache_dir, batch_size=args.extract_batch_size,
                      num_workers=args.workers, device=args.device)
    train = imagenet3d.extract_features(backbone, "train", flip=args.flip, **extraction)
    print(train.note, flush=True)
    validation = imagenet3d.extract_features(backbone, "validation", **extraction)
    print(validation.note, flush=True)
    extracted = time.monotonic()

    has_patches = train.patch_mean is not None
    avgpool = [a == "true" for a in args.avgpool] if args.avgpool else ([True, False] if has_patches else [False])
    results = imagenet3d.train_probes(train, validation, learning_rates=lrs, blocks=args.blocks, avgpool=avgpool,
                                      epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                                      device=args.device)
    print(f"\n{len(results.accuracy)} probes trained on {len(train)} train objects ({args.epochs} epochs) in "
          f"{time.monotonic() - extracted:.1f} s; features in {extracted - started:.1f} s")
    print("Validation Acc@pi/6 of every probe (the best is chosen on the validation split and the table below "
          "reports that same split, as compute_accuracy_linear_probing.py does):")
    for name, accuracy in results.accuracy.items():
        print(f"  {name:<52} {accuracy:5.1f}{'  <- chosen' if name == results.best else ''}")
    print(f"Chosen probe: {results.best} (validation Acc@pi/6 {results.accuracy[results.best]:.1f}%)\n")

    predictions = results.predictions()
    references = imagenet3d.reference_objects(imagenet3d.load("annotations", "validation", source=args.source))
    table = imagenet3d.evaluate(predictions, references, task="pose")
    print(f"Linear probe of {backbone.name}, {results.best}:")
    print(imagenet3d.format_table(table))
    prior = common.most_frequent_pose(imagenet3d.reference_objects(imagenet3d.load("annotations", "train",
                                                                                    source=args.source)))
    baseline = imagenet3d.evaluate({r["object_id"]: prior for r in references}, references, task="pose")
    print("Baseline, the most frequent training bin of each angle for every object: Acc@pi/6 "
          f"{baseline['tables']['all']['Avg.']['pi_6_acc']:.1f}")
    if args.predictions:
        common.write_predictions(args.predictions, predictions)
    print(f"done in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    common.run(main)
