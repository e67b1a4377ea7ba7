"""Benchmark: generating a synthetic release of about 10,000 images.

Runs, in one process tree and one run:
  1. a subset with 1 worker and with 2 workers (the parallel speed-up),
  2. the full release with --workers (the figure the issue asks for: < 5 min),
  3. the silhouette IoU check over the full release.

    .venv/bin/python -m benchmarks.bench_synthetic --categories 189 --images-per-category 53

Results go to stdout; copy them into BENCHMARKS.md with the command.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import time
from pathlib import Path

import numpy as np
from PIL import Image

from synthetic_release import scenes
from synthetic_release.check import check_release
from synthetic_release.writer import write_release


def timed_release(out: Path, categories, per_category: int, workers: int, zip_: bool = False) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    write_release(out, categories, per_category, seed=0, workers=workers, tree=True, zip_=zip_, progress=False)
    return time.perf_counter() - started


def image_stats(root: Path) -> str:
    sizes, dims = [], []
    for path in sorted(root.glob("imagenet3d_v1/images/*/*.JPEG")):
        sizes.append(path.stat().st_size)
        with Image.open(path) as image:
            dims.append(image.size)
    dims = np.array(dims)
    return (f"{len(sizes)} images, JPEG size mean {np.mean(sizes) / 1024:.0f} KB "
            f"(median {np.median(sizes) / 1024:.0f} KB), mean {dims[:, 0].mean():.0f} x {dims[:, 1].mean():.0f} px")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_synthetic", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--categories", type=int, default=189)
    parser.add_argument("--images-per-category", type=int, default=53)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--subset-categories", type=int, default=20)
    parser.add_argument("--subset-images", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/synthetic"))
    parser.add_argument("--skip-iou", action="store_true")
    args = parser.parse_args()

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    subset = scenes.choose_categories(args.subset_categories)
    n_subset = len(subset) * args.subset_images
    one = timed_release(args.out / "subset1", subset, args.subset_images, workers=1)
    two = timed_release(args.out / "subset2", subset, args.subset_images, workers=args.workers)
    print(f"subset of {n_subset} images: 1 worker {one:.1f} s ({n_subset / one:.1f} img/s), "
          f"{args.workers} workers {two:.1f} s ({n_subset / two:.1f} img/s), speed-up {one / two:.2f}x")

    categories = scenes.choose_categories(args.categories)
    n_full = len(categories) * args.images_per_category
    full = timed_release(args.out / "full", categories, args.images_per_category, workers=args.workers)
    print(f"full release of {n_full} images with {args.workers} workers: {full:.1f} s "
          f"({full / 60:.2f} min, {n_full / full:.1f} img/s); target < 300 s for 10,000: "
          f"{'met' if full * 10_000 / n_full < 300 else 'NOT met'}")
    print(image_stats(args.out / "full"))
    if not args.skip_iou:
        started = time.perf_counter()
        report = check_release(args.out / "full", progress=False, workers=args.workers)
        print(report.as_text())
        print(f"(check took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
