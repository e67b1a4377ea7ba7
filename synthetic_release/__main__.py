"""Command line: ``python -m synthetic_release write OUT ...`` and ``python -m synthetic_release check RELEASE``."""

from __future__ import annotations

import argparse
import os
import sys

import imagenet3d
from synthetic_release import scenes
from synthetic_release.check import check_release
from synthetic_release.writer import write_release


def _write(args: argparse.Namespace) -> int:
    if args.category_list:
        categories = [c.strip() for c in args.category_list.split(",") if c.strip()]
        unknown = [c for c in categories if c not in imagenet3d.CATEGORY_INFO]
        if unknown:
            print(f"error: unknown categories: {', '.join(unknown)}", file=sys.stderr)
            return 2
    else:
        categories = scenes.choose_categories(args.categories)
    summary = write_release(
        args.out, categories, args.images_per_category, seed=args.seed,
        workers=args.workers, tree=args.format in ("tree", "both"),
        zip_=args.format in ("zip", "both"), progress=not args.quiet)
    print(summary.as_text())
    return 0


def _check(args: argparse.Namespace) -> int:
    report = check_release(args.release, progress=not args.quiet, workers=args.workers)
    print(report.as_text())
    return 0 if report.passed(args.min_iou) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m synthetic_release", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser(
        "write", help="write a synthetic release in the exact imagenet3d_v1 format",
        description="Render a synthetic ImageNet3D release (images from CAD meshes at the "
                    "annotated poses) in the exact v1 layout. The same seed gives the same bytes. "
                    "Rerun after an interruption, it resumes (images already written are kept).")
    write.add_argument("out", help="output folder (gets imagenet3d_v1/ and/or imagenet3d_v1.zip, captions/)")
    write.add_argument("--categories", type=int, default=189, help="how many categories, spread over the list")
    write.add_argument("--category-list", help="comma-separated category names instead of --categories")
    write.add_argument("--images-per-category", type=int, default=10)
    write.add_argument("--seed", type=int, default=0)
    write.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    write.add_argument("--format", choices=("tree", "zip", "both"), default="tree",
                       help="unpacked folder, the .zip like the real download, or both")
    write.add_argument("--quiet", action="store_true", help="no progress bars")
    write.set_defaults(run=_write)

    check = commands.add_parser(
        "check", help="measure how well projected CAD models cover the rendered objects",
        description="Re-render every image from the release's recorded seed (it must equal the "
                    "stored bytes), then for every fully visible object report the IoU between its "
                    "CAD model projected from the files on disk and its rendered silhouette.")
    check.add_argument("release", help="a synthetic release folder (the one given to write)")
    check.add_argument("--min-iou", type=float, default=0.95)
    check.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    check.add_argument("--quiet", action="store_true")
    check.set_defaults(run=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The library's errors and OSError (a folder missing or unwritable) print one line; a bug shows its traceback.
    try:
        return args.run(args)
    except (imagenet3d.Imagenet3DError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
