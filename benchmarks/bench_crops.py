"""Benchmark: 224-px object crops, ours against the official way, side by side in one run (issue 13).

The paper trains on object-centric crops at 224 px: imagenet3d_exp crops every
usable object to 512 x 512 (``preprocess_data.py --center_and_resize``) and its
data loader resizes those to 224 (torchvision ``Resize``). Over the usable
objects of the first --shards train shards of a converted folder (and the same
objects' JPEG files in its raw release):

  1. ours: ``imagenet3d.object_stream(..., size=224, shuffle=False)``, as a
     training loop reads it: iterated in one process at 1 core; at 2, a torch
     DataLoader with 2 workers, batches of 64 by ``imagenet3d.collate_objects``
     (as in the README; ``object_stream(num_workers=2)`` gives each worker its
     own objects); and ``imagenet3d.to_objects(<streaming split>, size=224)``
     at 1 core;
  2. the official way: for each object, Pillow opens and fully decodes the JPEG
     file (``np.array(Image.open(path).convert('RGB'))``, as the script does),
     cv2 resizes the whole image by distance / 4 with ``INTER_CUBIC`` to
     ``int()`` sizes, pads and crops to 512 as the script does, and the 512 crop
     is resized to 224 with Pillow's antialiased bilinear (what torchvision's
     ``Resize(antialias=True)`` computes); 1 process, or a process pool of 2
     (``multiprocessing.Pool``, as the script runs; chunks of 16 objects).
     cv2 runs single-threaded (``cv2.setNumThreads(1)``), so both sides use
     equal cores. The annotations are read before the clock starts and the
     512 crop is not saved to JPEG and read back: both favour the official way.

Every reader ends with a 224 x 224 RGB crop per object. Readers run --repeat
interleaved rounds, each reader's input files read right before its run (page
cache warm); each row reports its best and median objects/s and the ratio to
the official way at the same number of cores. The pixels of ours are compared
with the official way's 224 crops (mean and 99th percentile of the absolute
difference, in 1/255); the share of objects decoded at 1/2-1/8 (JPEG DCT
scaling: where the crop shrinks the image by 2 or more) is printed. With
--images, also whole images: ``decode_images(size=224)`` against
``decode_images()`` and torchvision's ``Resize(224)``.

cv2 is not a dependency of this project: the benchmark imports it if it can,
else from --cv2-site (the site-packages of a venv that has
opencv-python-headless, e.g. /tmp/official-venv, whose wheel works with
this numpy too); with neither it uses Pillow's bicubic resize instead and says so.

    .venv/bin/python -m benchmarks.bench_crops benchmarks/out/fullsize-hub \\
        --raw benchmarks/out/fullsize/imagenet3d_v1 \\
        --cv2-site /tmp/official-venv/lib/python3.11/site-packages --repeat 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import imagenet3d

SPLIT = "train"
SIZE = 224
OFFICIAL = 512


def official_crop(job: tuple[str, dict]) -> object:
    """imagenet3d_exp preprocess_data.py lines 38-93 (the image only), then the 512 crop resized to 224."""
    from PIL import Image

    path, obj = job
    img = np.array(Image.open(path).convert("RGB"))
    rate = obj["distance"] / 4.0
    dsize = (int(img.shape[1] * rate), int(img.shape[0] * rate))
    if _cv2 is not None:
        img = _cv2.resize(img, dsize=dsize, interpolation=_cv2.INTER_CUBIC)
    else:
        img = np.asarray(Image.fromarray(img).resize(dsize, Image.Resampling.BICUBIC))
    half = OFFICIAL // 2
    cx, cy = int(obj["px"] * rate), int(obj["py"] * rate)
    padding = ((max(half - cy, 0), max(half + cy - img.shape[0], 0)),
               (max(half - cx, 0), max(half + cx - img.shape[1], 0)), (0, 0))
    img = np.pad(img, padding, mode="constant")
    top, left = max(cy - half, 0), max(cx - half, 0)
    img = img[top:top + OFFICIAL, left:left + OFFICIAL, :]
    return Image.fromarray(img).resize((SIZE, SIZE), Image.Resampling.BILINEAR)


_cv2 = None


def _init_worker(site: str | None) -> None:
    global _cv2
    if site and site not in sys.path:
        sys.path.append(site)   # after this venv's own packages: its numpy stays
    try:
        import cv2
    except ImportError:
        return
    cv2.setNumThreads(1)
    _cv2 = cv2


def warm(paths: list[Path]) -> None:
    """Read the files once, so that every run starts with them in the page cache."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 22):
                pass


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_crops", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hub_folder", type=Path, help="a converted dataset folder")
    parser.add_argument("--raw", type=Path, required=True, help="its raw release (imagenet3d_v1 folder)")
    parser.add_argument("--shards", type=int, default=1, help="how many train shards (default 1)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cv2-site", help="a site-packages folder to import cv2 from")
    parser.add_argument("--compare", type=int, default=200, help="objects whose pixels are compared")
    parser.add_argument("--images", action="store_true",
                        help="also whole images: decode_images(size=224) vs full decode + Resize(224)")
    args = parser.parse_args()

    import pyarrow.parquet as pq
    import torch
    from PIL import Image

    from _imagenet3d.decoding import dct_draft

    _init_worker(args.cv2_site)
    resize_name = f"cv2 {_cv2.__version__} INTER_CUBIC" if _cv2 else "Pillow BICUBIC (cv2 not found)"
    hub = args.hub_folder
    files = sorted((hub / "data").glob(f"{SPLIT}-*.parquet"))[:args.shards]
    data_files = {SPLIT: [str(f.relative_to(hub)) for f in files]}
    table = pq.read_table(files, columns=["image_id", "objects"]).to_pylist()
    jobs = [(str(args.raw / "images" / f"{row['image_id']}.JPEG"), row["objects"][k]) for row in table
            for k in imagenet3d.usable_object_indices(row["objects"])]
    raw_files = sorted({Path(path) for path, _ in jobs})
    scaled = sum(dct_draft(Image.open(path), obj["distance"] / (4 * OFFICIAL / SIZE)) > 1 for path, obj in jobs)
    print(f"{len(jobs)} usable objects of {len(table)} images ({len(files)} shard(s)); official resize: {resize_name}; "
          f"decoded at 1/2-1/8 (DCT scaling) at {SIZE} px: {scaled} ({scaled / len(jobs):.0%})")

    def stream(workers: int):
        return imagenet3d.object_stream("default", SPLIT, source=hub, size=SIZE, shuffle=False,
                                        num_workers=workers, data_files=data_files)

    def ours_stream_1() -> int:
        return sum(1 for _ in stream(0))

    def ours_stream_2() -> int:
        loader = torch.utils.data.DataLoader(stream(2), batch_size=64, num_workers=2,
                                             collate_fn=imagenet3d.collate_objects)
        return sum(len(batch["object_id"]) for batch in loader)

    def ours_to_objects_1() -> int:
        split = imagenet3d.load("default", SPLIT, streaming=True, source=hub, data_files=data_files)
        return sum(1 for _ in imagenet3d.to_objects(split, size=SIZE))

    def official_1() -> int:
        return sum(1 for _ in map(official_crop, jobs))

    def official_2() -> int:
        with multiprocessing.get_context("fork").Pool(2, _init_worker, (args.cv2_site,)) as pool:
            return sum(1 for _ in pool.imap(official_crop, jobs, chunksize=16))

    readers: list[tuple[str, int, Callable[[], int], list[Path]]] = [
        ("official way (decode file, cv2 512 crop, resize 224)", 1, official_1, raw_files),
        ("ours: object_stream(size=224)", 1, ours_stream_1, files),
        ("ours: to_objects(streaming split, size=224)", 1, ours_to_objects_1, files),
        ("official way, process pool of 2", 2, official_2, raw_files),
        ("ours: object_stream, DataLoader(num_workers=2)", 2, ours_stream_2, files),
    ]
    seconds: dict[str, list[float]] = {name: [] for name, *_ in readers}
    for round_ in range(args.repeat):
        for name, _, run, inputs in readers:
            warm(inputs)
            start = time.perf_counter()
            count = run()
            seconds[name].append(time.perf_counter() - start)
            assert len(jobs) <= count < len(jobs) + 2, (name, count)   # object_stream pads to equal shards
        print(f"round {round_ + 1}/{args.repeat} done", file=sys.stderr)

    print(f"\n{'reader':<52}{'cores':>6}{'best obj/s':>12}{'median':>10}{'x official (best, median)':>28}")
    for name, cores, _, _ in readers:
        base = next(n for n, c, *_ in readers if c == cores and n.startswith("official"))
        best, median = len(jobs) / min(seconds[name]), len(jobs) / float(np.median(seconds[name]))
        base_best, base_median = len(jobs) / min(seconds[base]), len(jobs) / float(np.median(seconds[base]))
        print(f"{name:<52}{cores:>6}{best:>12.1f}{median:>10.1f}{best / base_best:>14.2f}{median / base_median:>14.2f}")

    means, p99s = [], []
    rows = {row["image_id"]: row for row in pq.read_table(files).slice(0, args.compare).to_pylist()}
    for path, obj in jobs[:args.compare]:
        image_id = str(Path(path).relative_to(args.raw / "images").with_suffix(""))
        row = rows.get(image_id)
        if row is None:
            continue
        index = next(k for k, o in enumerate(row["objects"]) if o == obj)
        ours = imagenet3d.object_sample(row["image"]["bytes"], row, index, SIZE)["image"]
        difference = np.abs(np.asarray(ours, dtype=float) - np.asarray(official_crop((path, obj)), dtype=float))
        means.append(difference.mean())
        p99s.append(np.percentile(difference, 99))
    print(f"\npixels, ours vs the official way at {SIZE} px ({len(means)} objects), in 1/255: mean abs "
          f"{np.mean(means):.2f} (worst object {max(means):.2f}), p99 {np.median(p99s):.0f} (median over objects; "
          f"worst {max(p99s):.0f})")
    if args.images:
        bench_images(hub, data_files, args.repeat)
    return 0


def bench_images(hub: Path, data_files: dict, repeat: int) -> None:
    """Whole images at short side 224: ``decode_images(size=224)`` against ``decode_images()`` then
    torchvision's ``Resize(224)`` (Pillow bilinear), 1 decoding thread, interleaved rounds."""
    from PIL import Image

    from _imagenet3d.decoding import resized_size

    def split():
        return imagenet3d.load("default", SPLIT, streaming=True, source=hub, data_files=data_files,
                               columns=imagenet3d.TRAINING_COLUMNS)

    def full_then_resize():
        for row in imagenet3d.decode_images(split()):
            image = row["image"]
            yield row, image.resize(resized_size(*image.size, SIZE), Image.Resampling.BILINEAR)

    def sized():
        for row in imagenet3d.decode_images(split(), size=SIZE):
            yield row, row["image"]

    seconds: dict[str, list[float]] = {"decode_images() + Resize(224)": [], "decode_images(size=224)": []}
    count = 0
    for _ in range(repeat):
        for name, run in zip(seconds, (full_then_resize, sized)):
            start = time.perf_counter()
            count = sum(1 for _ in run())
            seconds[name].append(time.perf_counter() - start)
    base = count / min(seconds["decode_images() + Resize(224)"])
    print(f"\n{'whole images, short side 224, 1 thread':<52}{'images/s':>12}{'x':>8}")
    for name, values in seconds.items():
        print(f"{name:<52}{count / min(values):>12.1f}{count / min(values) / base:>8.2f}")
    means, p99s, drafted = [], [], 0
    for (_, reference), (row, ours) in zip(full_then_resize(), sized()):
        if row["resize_rate"] > 0.5:
            continue
        drafted += 1
        difference = np.abs(np.asarray(reference, dtype=float) - np.asarray(ours, dtype=float))
        means.append(difference.mean())
        p99s.append(np.percentile(difference, 99))
    print(f"{drafted} of {count} images decoded at 1/2-1/8; their pixels vs the full decode, in 1/255: "
          f"mean abs {np.mean(means) if means else 0:.2f}, p99 {np.median(p99s) if p99s else 0:.0f} "
          f"(median over images; worst {max(p99s) if p99s else 0:.0f})")


if __name__ == "__main__":
    sys.exit(main())
