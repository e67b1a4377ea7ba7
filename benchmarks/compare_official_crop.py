"""Check: ``center_and_resize`` against imagenet3d_exp's ``preprocess_data.py --center_and_resize``, run unchanged.

The official script (imagenet3d_exp ``scripts/preprocess_data.py``, lines 27-130)
writes, for every usable object, a 512 x 512 crop (JPEG) and a flat .npz with
``bbox, px, py, distance, resize_rate, ...``. This copies the script out of a
checkout byte for byte, runs it with a side Python that has what it imports
(numpy 1.x, OpenCV, Pillow, tqdm) over a synthetic release
(``benchmarks/official_preprocess.py``, which also checks its counts), and
compares object by object:

  * px, py, distance and resize_rate with ``center_and_resize`` (expected: equal);
  * the .npz ``bbox`` with ``box="official"`` (expected: equal to float precision)
    and with the default ``box="exact"`` (the script adds the bottom padding to y2,
    line 77, and shifts everything by its ``int()`` truncation of the centre);
  * the crops' pixels: mean and 99th percentile of the absolute difference, in
    1/255, of the official JPEG and our crop; for scale, what saving our own
    crop as the script does (Pillow's default JPEG quality) changes by itself.

Side environment (Python 3.11)::

    python3.11 -m venv /tmp/official-venv
    /tmp/official-venv/bin/pip install numpy==1.26.4 opencv-python-headless==4.10.0.84 pillow tqdm

Run (not a CI test: it needs the side environment)::

    git clone https://github.com/wufeim/imagenet3d_exp /tmp/imagenet3d_exp
    .venv/bin/python -m synthetic_release write /tmp/release --categories 8 --images-per-category 30 \\
        --seed 0 --format tree
    .venv/bin/python -m benchmarks.compare_official_crop /tmp/release \\
        --python /tmp/official-venv/bin/python --official-repo /tmp/imagenet3d_exp

``--closer K`` runs both on a scratch copy of the release whose distances are divided by K (the side
numpy rewrites the annotation files; images and lists as they are): the 512 crop then shrinks the photo,
the padding above and below the object differs, and the script's y2 bug shows.

Exit status 0 when px, py, distance, resize_rate and the official box agree.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

import imagenet3d
from benchmarks.official_preprocess import official_arguments, official_script, release_folder, run_official

# Run by the side Python on the scratch copy: every distance divided by argv[3].
_CLOSER = r"""
import os, sys
import numpy as np
src, dst, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
for category in sorted(os.listdir(src)):
    os.makedirs(os.path.join(dst, category))
    for name in sorted(os.listdir(os.path.join(src, category))):
        annotations = np.load(os.path.join(src, category, name), allow_pickle=True)["annotations"]
        for obj in annotations:
            if "distance" in obj:
                obj["distance"] = obj["distance"] / factor
        np.savez(os.path.join(dst, category, name), annotations=annotations)
"""


def closer_copy(python: str, release: Path, work: Path, factor: float) -> Path:
    """A scratch copy of the release with every object ``factor`` times closer."""
    scratch = work / "closer" / imagenet3d.RELEASE_DIR
    scratch.mkdir(parents=True)
    (scratch / "images").symlink_to((release / "images").resolve())
    shutil.copytree(release / "lists", scratch / "lists")
    subprocess.run([python, "-c", _CLOSER, str(release / "annotations"), str(scratch / "annotations"), str(factor)],
                   check=True)
    return scratch


def compare(release: Path, official: Path) -> dict[str, list[float]]:
    """Per object: the differences listed in the module docstring."""
    found: dict[str, list[float]] = {}
    for path in sorted(official.glob("*/annotations/*/*.npz")):
        category, (stem, index) = path.parent.name, path.stem.rsplit("_", 1)
        theirs = dict(np.load(path, allow_pickle=True))
        obj = imagenet3d.read_annotations(release / imagenet3d.annotation_relpath(category, stem))[int(index)]
        image_path = release / imagenet3d.image_relpath(category, stem)
        crop, exact = imagenet3d.center_and_resize(Image.open(image_path), obj)
        _, official_box = imagenet3d.center_and_resize(Image.open(image_path), obj, box="official")
        for key in ("px", "py", "distance", "resize_rate"):
            found.setdefault(key, []).append(abs(float(theirs[key]) - exact[key]))
        box = np.asarray(theirs["bbox"], dtype=np.float64)
        found.setdefault("official box", []).append(float(np.abs(box - official_box["bbox"]).max()))
        found.setdefault("exact box x1 y1 x2", []).append(float(np.abs(box[:3] - exact["bbox"][:3]).max()))
        found.setdefault("exact box y2", []).append(float(abs(box[3] - exact["bbox"][3])))
        pixels = np.asarray(Image.open(official / path.parts[-4] / "images" / category / f"{path.stem}.JPEG")
                            .convert("RGB"), dtype=np.float64)
        ours = np.asarray(crop, dtype=np.float64)
        saved = io.BytesIO()
        crop.save(saved, "JPEG")    # as the script saves its crop: Pillow's default quality
        resaved = np.asarray(Image.open(saved).convert("RGB"), dtype=np.float64)
        for name, difference in (("pixels", np.abs(pixels - ours)),
                                 ("pixels: our JPEG re-save", np.abs(resaved - ours))):
            found.setdefault(f"{name} mean", []).append(float(difference.mean()))
            found.setdefault(f"{name} p99", []).append(float(np.percentile(difference, 99)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = official_arguments("python -m benchmarks.compare_official_crop", __doc__)
    parser.add_argument("--closer", type=float, help="divide every distance by this first (the y2 bug shows)")
    args = parser.parse_args(argv)
    release = release_folder(args)
    if release is None:
        return 2
    script, origin = official_script(args.official_repo, args.official_script)
    print(f"official script: {origin} (sha256 {hashlib.sha256(script).hexdigest()[:16]}), run unchanged")
    with tempfile.TemporaryDirectory() as folder:
        if args.closer:
            release = closer_copy(args.python, release, Path(folder), args.closer)
        official = Path(folder) / "official"
        done = run_official(args.python, script, release, official, workers=2)
        if done.returncode:
            print(f"the official script failed (exit status {done.returncode}): {done.stderr.strip()[-300:]}")
            return 1
        found = compare(release, official)
    if not found:
        print("the official script wrote no objects")
        return 1
    print(f"objects compared: {len(found['px'])}")
    print(f"{'difference (official - ours)':<34}{'max':>12}{'mean':>12}{'median':>12}")
    for name, values in found.items():
        print(f"{name:<34}{max(values):>12.3g}{np.mean(values):>12.3g}{np.median(values):>12.3g}")
    y2 = np.asarray(found["exact box y2"])
    print(f"exact box y2 off by > 1 px (top and bottom padding differ): {int((y2 > 1).sum())} of {len(y2)}, "
          f"by up to {y2.max():.1f} px")
    agree = max(max(found[k]) for k in ("px", "py", "distance", "resize_rate", "official box")) < 1e-4
    print("px, py, distance, resize_rate and the official box agree" if agree else "DIFFERENCES")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
