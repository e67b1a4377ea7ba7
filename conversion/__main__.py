"""Command line: ``python -m conversion <command> ...``."""

from __future__ import annotations

import argparse
import os
import sys

import imagenet3d


def _synth(args: argparse.Namespace) -> int:
    from conversion import synthetic
    from conversion.synthetic_writer import write_release

    if args.category_list:
        categories = [c.strip() for c in args.category_list.split(",") if c.strip()]
        unknown = [c for c in categories if c not in imagenet3d.CATEGORY_INFO]
        if unknown:
            print(f"error: unknown categories: {', '.join(unknown)}", file=sys.stderr)
            return 2
    else:
        categories = synthetic.choose_categories(args.categories)
    summary = write_release(
        args.out, categories, args.images_per_category, seed=args.seed,
        workers=args.workers, tree=args.format in ("tree", "both"),
        zip_=args.format in ("zip", "both"), progress=not args.quiet)
    print(summary.as_text())
    return 0


def _check_synthetic(args: argparse.Namespace) -> int:
    from conversion.silhouettes import check_release

    report = check_release(args.release, progress=not args.quiet, workers=args.workers)
    print(report.as_text())
    return 0 if report.passed(args.min_iou) else 1


def _build(args: argparse.Namespace) -> int:
    from conversion.build import build
    from conversion.records import BadInput
    from conversion.source import SourceError

    # With --from-hub, the one positional given (which argparse puts in src) is OUT.
    paths = [p for p in (args.src, args.out) if p is not None]
    if len(paths) != (1 if args.from_hub else 2):
        print("error: give either SRC OUT, or --from-hub REPO_ID OUT (exactly one source)", file=sys.stderr)
        return 2
    if not args.from_hub and (args.revision or args.filename):
        print("error: --revision and --filename go with --from-hub", file=sys.stderr)
        return 2
    src, out = (None, paths[0]) if args.from_hub else paths
    origin = None
    try:
        if args.from_hub:
            from conversion.hub_release import RELEASE_FILENAME, HubReleaseError, fetch_release

            try:
                release = fetch_release(args.from_hub, args.filename or RELEASE_FILENAME, args.revision,
                                        progress=not args.quiet)
            except HubReleaseError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            src, origin = release.path, release.origin()
        result = build(src, out, captions_path=args.captions, descriptions_path=args.descriptions,
                       workers=args.workers, strict=args.strict, progress=not args.quiet, origin=origin)
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    from conversion import hub_release, manifest, push, space

    parser = argparse.ArgumentParser(prog="python -m conversion", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser(
        "build", help="convert a raw release (.zip or folder) into a Hub dataset repository folder",
        description="Convert a raw ImageNet3D release into OUT, a folder that is a Hugging Face dataset "
                    "repository: Parquet shards for every config, README.md with the YAML configs, "
                    "figures, quarantine.json and manifest.json. Resumable; byte-identical for any --workers.")
    build.add_argument("src", nargs="?", help="imagenet3d_v1.zip (read in place) or the unpacked release folder; "
                       "leave out with --from-hub")
    build.add_argument("out", nargs="?", help="output folder (the dataset repository)")
    build.add_argument("--from-hub", metavar="REPO_ID",
                       help=f"download the release from this Hub dataset instead (e.g. "
                            f"{hub_release.RELEASE_REPO_ID}; gated: log in with `hf auth login` and accept its "
                            "conditions first) into HF_HOME/imagenet3d/releases/ (a broken, interrupted or killed "
                            "download resumes on the next run) and verify its sha256; then OUT is the only "
                            "positional argument")
    build.add_argument("--revision", help="with --from-hub: branch, tag or commit (default: main)")
    build.add_argument("--filename", help=f"with --from-hub: the release file in the repo "
                                          f"(default: {hub_release.RELEASE_FILENAME})")
    build.add_argument("--captions", help="image captions, JSON Lines {image_id, caption}")
    build.add_argument("--descriptions", help="category descriptions, one JSON object")
    build.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    build.add_argument("--strict", action="store_true", help="fail on any bad input instead of quarantining it")
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    build.set_defaults(run=_build)
    manifest.register(commands)
    push.register(commands)
    space.register(commands)

    synth = commands.add_parser(
        "synth", help="write a synthetic release in the exact imagenet3d_v1 format",
        description="Render a synthetic ImageNet3D release (images from CAD meshes at the "
                    "annotated poses) in the exact v1 layout. The same seed gives the same bytes.")
    synth.add_argument("out", help="output folder (gets imagenet3d_v1/ and/or imagenet3d_v1.zip, captions/)")
    synth.add_argument("--categories", type=int, default=189, help="how many categories, spread over the list")
    synth.add_argument("--category-list", help="comma-separated category names instead of --categories")
    synth.add_argument("--images-per-category", type=int, default=10)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    synth.add_argument("--format", choices=("tree", "zip", "both"), default="tree",
                       help="unpacked folder, the .zip like the real download, or both")
    synth.add_argument("--quiet", action="store_true", help="no progress bars")
    synth.set_defaults(run=_synth)

    check = commands.add_parser(
        "check-synthetic", help="measure how well projected CAD models cover the rendered objects",
        description="Re-render every image from the release's recorded seed (it must equal the "
                    "stored bytes), then for every fully visible object report the IoU between its "
                    "CAD model projected from the files on disk and its rendered silhouette.")
    check.add_argument("release", help="a synthetic release folder (the one given to synth)")
    check.add_argument("--min-iou", type=float, default=0.95)
    check.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    check.add_argument("--quiet", action="store_true")
    check.set_defaults(run=_check_synthetic)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
