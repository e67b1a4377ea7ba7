"""Command line: ``python -m conversion <command> ...``."""

from __future__ import annotations

import argparse
import os
import sys

from _imagenet3d.errors import Imagenet3DError, SourceError


def _build(args: argparse.Namespace) -> int:
    from conversion.build import build
    from conversion.validate import BadInput

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
            from conversion.hub.fetch import RELEASE_FILENAME, fetch_release

            release = fetch_release(args.from_hub, args.filename or RELEASE_FILENAME, args.revision,
                                    progress=not args.quiet)   # HubReleaseError: one line, exit 2 (main)
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
    from conversion import manifest
    from conversion.hub import fetch as hub_release
    from conversion.hub import push, space

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

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # What the user can fix prints one line: the library's errors, and OSError for the files named on the
    # command line (missing, unwritable, a full disk), whose message names the file. Anything else is a bug:
    # its traceback shows.
    try:
        return args.run(args)
    except (Imagenet3DError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
