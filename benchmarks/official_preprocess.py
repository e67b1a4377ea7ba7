"""Check: imagenet3d_exp's own ``scripts/preprocess_data.py``, run unchanged, accepts a synthetic release.

The official preprocessing (imagenet3d_exp, scripts/preprocess_data.py) crops every
object it deems usable: ``object_status`` present and not ``status_bad`` (lines
32-33), then ``distance > 0`` (line 35; it reads ``distance`` without a default,
so an object without a pose must not have a usable status). This copies the script
out of a checkout of imagenet3d_exp byte for byte, runs it with a side Python that
has what it imports (numpy 1.x, as in 2024), and compares, for every category and
split, its counts (total, processed) with the project's: the objects in the listed
files, and those :func:`imagenet3d.read_annotations` marks ``usable``.

Side environment (Python 3.11; an OpenCV wheel built for numpy 1.x)::

    python3 -m venv /tmp/numpy126-venv
    /tmp/numpy126-venv/bin/pip install numpy==1.26.4 pillow tqdm opencv-python-headless==4.9.0.80

Run (exit status 0 when the script succeeds and every count agrees)::

    git clone https://github.com/wufeim/imagenet3d_exp /tmp/imagenet3d_exp
    .venv/bin/python -m synthetic_release write /tmp/release --categories 4 --images-per-category 10 \\
        --seed 0 --format both
    .venv/bin/python -m benchmarks.official_preprocess /tmp/release \\
        --python /tmp/numpy126-venv/bin/python --out /tmp/official-out \\
        --official-repo /tmp/imagenet3d_exp

``--out`` then holds the official preprocessed files (``<split>/images|annotations|lists/<cat>/``,
512 x 512 crops with ``--center_and_resize``), e.g. to compare crops with ours.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import imagenet3d

SCRIPT = "scripts/preprocess_data.py"
# The script's last lines: "<cate> <split>: t=<total> p=<processed> s=<skipped>".
_COUNTS = re.compile(r"^(\S+) (train|val): t=(\d+) p=(\d+) s=(\d+)$", re.MULTILINE)


def official_script(repo: Path | None, script: Path | None) -> tuple[bytes, str]:
    """The script's bytes and where they come from (the checkout's commit)."""
    if script is not None:
        return script.read_bytes(), str(script)
    shown = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{SCRIPT}"], capture_output=True, check=True)
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    return shown.stdout, f"imagenet3d_exp@{commit}:{SCRIPT}"


def project_counts(release: Path) -> tuple[dict[tuple[str, str], tuple[int, int]], Counter]:
    """(category, split) -> (objects, usable ones) over the listed files, and why the others are not usable."""
    counts, reasons = {}, Counter()
    for list_path in sorted((release / "lists").glob("*_imagenet_*.txt")):
        category, split = list_path.stem.rsplit("_imagenet_", 1)
        total = usable = 0
        for stem in list_path.read_text().split():
            for obj in imagenet3d.read_annotations(release / imagenet3d.annotation_relpath(category, stem)):
                total += 1
                usable += bool(obj["usable"])
                reasons.update(reason.code.name for reason in obj["unusable_reasons"])
        counts[(category, split)] = (total, usable)
    return counts, reasons


def run_official(python: str, script: bytes, release: Path, out: Path, workers: int) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "preprocess_data.py"
        path.write_bytes(script)
        return subprocess.run([python, str(path), "--data_path", str(release), "--save_path", str(out),
                               "--num_workers", str(workers), "--center_and_resize"], capture_output=True, text=True)


def official_arguments(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The command line both official-script checks take: a release, the side Python, the script."""
    parser = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path,
                        help="a folder holding imagenet3d_v1/ (python -m synthetic_release write)")
    parser.add_argument("--python", required=True, help="a side Python with numpy 1.x, pillow, tqdm and cv2")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--official-repo", type=Path, help="a git checkout of imagenet3d_exp")
    source.add_argument("--official-script", type=Path, help=f"a copy of its {SCRIPT}")
    return parser


def release_folder(args: argparse.Namespace) -> Path | None:
    """The release's imagenet3d_v1/ folder; None (having said why) when it has no lists/."""
    release = args.release / imagenet3d.RELEASE_DIR
    if not (release / "lists").is_dir():
        print(f"error: {release} holds no lists/ (write the release with --format tree or both)", file=sys.stderr)
        return None
    return release


def main(argv: list[str] | None = None) -> int:
    parser = official_arguments("python -m benchmarks.official_preprocess", __doc__)
    parser.add_argument("--out", type=Path, required=True, help="where the official script writes (must not exist)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    release = release_folder(args)
    if release is None:
        return 2
    if args.out.exists():
        print(f"error: {args.out} exists; remove it first (the script only adds files)", file=sys.stderr)
        return 2

    script, origin = official_script(args.official_repo, args.official_script)
    print(f"official script: {origin} (sha256 {hashlib.sha256(script).hexdigest()[:16]}), run unchanged")
    done = run_official(args.python, script, release, args.out, args.workers)
    if done.returncode:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no message"
        print(f"the official script failed (exit status {done.returncode}): {last}")
        return 1
    theirs = {(m[1], m[2]): (int(m[3]), int(m[4])) for m in _COUNTS.finditer(done.stdout)}
    ours, reasons = project_counts(release)
    agree = theirs == ours
    print(f"{'category':<16}{'split':<7}{'objects':>8}{'official processed':>20}{'ours usable':>13}")
    for (category, split), (total, usable) in sorted(ours.items()):
        official = theirs.get((category, split), ("-", "-"))
        mark = "" if official == (total, usable) else "  <- differs"
        print(f"{category:<16}{split:<7}{total:>8}{official[1]:>20}{usable:>13}{mark}")
    total = sum(t for t, _ in ours.values())
    processed = sum(p for _, p in theirs.values())
    written = len(list(args.out.glob("*/annotations/*/*.npz")))
    print(f"all: {total} objects; official processed {processed}, skipped {total - processed}, "
          f"files written {written}; ours usable {sum(u for _, u in ours.values())}")
    print(f"why ours are not usable: {', '.join(f'{k} {v}' for k, v in sorted(reasons.items())) or 'none'}")
    print("counts agree for every category and split" if agree else "COUNTS DIFFER")
    return 0 if agree and written == processed else 1


if __name__ == "__main__":
    sys.exit(main())
