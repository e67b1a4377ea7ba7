"""``python -m imagenet3d evaluate``: score a predictions file against a split, print the paper's table."""

from __future__ import annotations

import argparse
import json
import sys

from _imagenet3d.configs import CONFIG_SPLITS
from _imagenet3d.errors import Imagenet3DError, PredictionError
from _imagenet3d.evaluation import EVALUATION_TASKS, evaluate, format_table
from _imagenet3d.loading import load
from _imagenet3d.predictions import read_predictions, reference_objects
from _imagenet3d.shards import DEFAULT_SOURCE


def main(argv: list[str] | None = None) -> int:
    """``python -m imagenet3d evaluate PREDICTIONS --source DIR_OR_REPO --split validation``."""
    parser = argparse.ArgumentParser(prog="python -m imagenet3d",
                                     description="ImageNet3D tools from the dataset's definition.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "evaluate", help="score predicted poses with the paper's protocol",
        description="Score predictions against the usable objects of a split of the "
                    "'annotations' config and print the paper's table.")
    command.add_argument("predictions", help="JSON Lines, JSON list or CSV of "
                         "object_id, azimuth, elevation, theta[, category]; radians")
    command.add_argument("--source", default=DEFAULT_SOURCE,
                         help=f"converted folder or Hub repo id (default: {DEFAULT_SOURCE})")
    command.add_argument("--split", default="validation", choices=CONFIG_SPLITS["annotations"])
    command.add_argument("--task", default="pose", choices=EVALUATION_TASKS)
    command.add_argument("--degrees", action="store_true", help="the predicted angles are in degrees")
    command.add_argument("--json", dest="json_out", metavar="OUT", help="also write the numbers as JSON to OUT")
    args = parser.parse_args(argv)

    # Predictions first: a malformed file fails before the dataset is loaded.
    try:
        predictions = read_predictions(args.predictions)
    except (PredictionError, OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read predictions: {error}", file=sys.stderr)
        return 2
    try:
        references = reference_objects(load("annotations", split=args.split, source=args.source))
    except Imagenet3DError as error:  # a source that is not a dataset, or the [hub] extra missing
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        results = evaluate(predictions, references, task=args.task,
                           angle_unit="degrees" if args.degrees else "radians")
    except PredictionError as error:
        print(f"error: malformed predictions: {error}", file=sys.stderr)
        return 2
    print(format_table(results))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, allow_nan=False)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
