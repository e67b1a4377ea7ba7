"""Benchmark: converting a raw release to the Hub dataset, side by side in one run.

Over a synthetic release written by bench_synthetic.py (default: 10,017 images):

  1. reading every source byte with cat (page cache warm, as for the others);
  2. ``python -m conversion build`` (all configs) with --workers, per stage;
  3. the naive path for the image configs: ``datasets.Dataset.from_generator``
     over the raw files (np.load with allow_pickle, as the official scripts),
     then ``.to_parquet``;
  4. peak memory of the build on a 2% subset and on the whole release.

    .venv/bin/python -m benchmarks.bench_convert benchmarks/out/synthetic/full
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import imagenet3d
from _imagenet3d.release import LISTS, parse_list_relpath
from conversion.build import build
from conversion.source import ReleaseSource
from conversion.validate import plan_candidates

REPO = Path(__file__).resolve().parents[1]


def drop_caches() -> bool:
    """Empty the page cache (root only), so that the next run reads from disk."""
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def cat_seconds(files: list[Path]) -> float:
    started = time.perf_counter()
    for start in range(0, len(files), 500):
        subprocess.run(["cat", *map(str, files[start:start + 500])], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def naive_seconds(release: Path, out: Path) -> float:
    """The path a user would write: a generator over the raw files, then to_parquet."""
    import datasets

    source = ReleaseSource(release)
    candidates, _ = plan_candidates(source)
    features = imagenet3d.features("default")

    def rows():
        for c in candidates:
            raw = np.load(io.BytesIO(source.read(c.annotation_path)), allow_pickle=True)["annotations"]
            objects = [imagenet3d.normalize_object(o) for o in raw]
            yield {"image": {"bytes": source.read(c.image_path), "path": f"{c.stem}.JPEG"},
                   "image_id": c.image_id, "category": c.category,
                   "category_id": imagenet3d.CATEGORY_INFO[c.category].index,
                   "super_category": imagenet3d.SUPER_CATEGORIES[c.category], "known": c.known,
                   "synset": c.stem.split("_")[0], "width": objects[0]["width"] or 0,
                   "height": objects[0]["height"] or 0, "caption": None,
                   "objects": [{k: o[k] for k in features["objects"].feature} for o in objects]}

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        dataset = datasets.Dataset.from_generator(rows, features=features, cache_dir=cache)
        dataset.to_parquet(str(out / "naive.parquet"))
    return time.perf_counter() - started


def peak_rss_mb(release: Path, out: Path, workers: int) -> tuple[float, float]:
    """Peak resident memory (largest process) and wall time of a build run in a child."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "conversion", "build", str(release),
                             str(out), "--workers", str(workers), "--quiet"],
                            cwd=REPO, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return peak / 1024, seconds


def subset_release(release: Path, out: Path, fraction: float) -> Path:
    """A copy of the release with every category's lists cut to a fraction (CAD models kept)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(release / "CAD", out / "CAD")
    for folder in imagenet3d.RELEASE_FOLDERS:
        (out / folder).mkdir(parents=True)
    for listing in sorted((release / LISTS).iterdir()):
        stems = listing.read_text().split()
        kept = stems[: max(1, int(len(stems) * fraction))] if stems else []
        (out / LISTS / listing.name).write_text("".join(f"{s}\n" for s in kept))
        category, _ = parse_list_relpath(f"{LISTS}/{listing.name}")
        for stem in kept:
            for relpath in (imagenet3d.image_relpath(category, stem), imagenet3d.annotation_relpath(category, stem)):
                (out / relpath).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(release / relpath, out / relpath)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_convert", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release_folder", type=Path, help="a folder written by `python -m synthetic_release write`")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/out/convert")
    args = parser.parse_args()
    release = args.release_folder / "imagenet3d_v1"
    args.out.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in release.rglob("*") if p.is_file())
    image_files = [p for p in files if p.parts[-3] in ("images", "annotations")]
    total = sum(p.stat().st_size for p in files)
    image_bytes = sum(p.stat().st_size for p in image_files)
    cat_seconds(files)  # warm the page cache for everyone
    cat_all, cat_images = cat_seconds(files), cat_seconds(image_files)
    print(f"source: {len(files)} files, {total / 1e9:.2f} GB ({image_bytes / 1e9:.2f} GB images+annotations)")
    print(f"cat of every source byte: {cat_all:.2f} s; of the image and annotation files: {cat_images:.2f} s")

    shutil.rmtree(args.out / "hub", ignore_errors=True)
    started = time.perf_counter()
    result = build(release, args.out / "hub", workers=args.workers, progress=False)
    ours = time.perf_counter() - started
    if drop_caches():  # the same, reading from disk
        cold_cat = cat_seconds(files)
        drop_caches()
        cold_cat_images = cat_seconds(image_files)
        shutil.rmtree(args.out / "hub", ignore_errors=True)
        drop_caches()
        started = time.perf_counter()
        cold = build(release, args.out / "hub", workers=args.workers, progress=False)
        cold_build = time.perf_counter() - started
        print(f"cold page cache: cat of every source byte {cold_cat:.2f} s, of the image and annotation files "
              f"{cold_cat_images:.2f} s; whole build {cold_build:.1f} s ({cold_build / cold_cat:.2f}x), "
              f"image stage {cold.seconds['images']:.1f} s ({cold.seconds['images'] / cold_cat_images:.2f}x)")
        cat_seconds(files)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    print(f"conversion, all configs, {args.workers} workers: {ours:.1f} s ({stages})")
    naive = naive_seconds(release, args.out)
    print(f"naive from_generator + to_parquet, image rows only: {naive:.1f} s")
    images_stage = result.seconds["images"]
    print(f"ratios: image stage / cat of its files = {images_stage / cat_images:.1f}x; "
          f"whole build / cat of all files = {ours / cat_all:.1f}x; "
          f"naive / image stage = {naive / images_stage:.2f}x; naive / whole build = {naive / ours:.2f}x")

    small = subset_release(release, args.out / "subset/imagenet3d_v1", 0.02)
    small_rss, small_s = peak_rss_mb(small, args.out / "subset-hub", args.workers)
    full_rss, full_s = peak_rss_mb(release, args.out / "full-hub", args.workers)
    print(f"peak RSS (largest process): 2% subset {small_rss:.0f} MB ({small_s:.1f} s), "
          f"full {full_rss:.0f} MB ({full_s:.1f} s), ratio {full_rss / small_rss:.2f}")


if __name__ == "__main__":
    main()
