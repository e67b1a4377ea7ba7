"""Benchmark: reading the Hub dataset for training, side by side in one run.

Over the same samples (the train split of the default config of a converted
folder, or its first shards with --limit), page cache warm for every reader:
each reader's files are read with cat right before each of its runs (this VM
pages out page-cache pages left idle for about a minute), and each run's reads
from storage (/proc/self/io) are recorded; runs that read over 16 MB are left
out of the best.

  1. decode-free streaming (image bytes not decoded: ``decode(False)`` rows, or
     ``with_format("arrow")`` batches) in MB/s and images/s, vs ``cat`` of the
     same shard files > /dev/null; for reference, one copy of each shard into
     RAM (a lower bound on the cost of any reader that keeps the bytes) and
     pyarrow alone;
  2. decoded samples/s through the datasets pipeline (streaming, PIL images):
     datasets as it is (decoding in the main thread, and ``decode(num_threads=N)``)
     and our recommended configuration (training columns, one batched ``map``
     that decodes each row group's images in 1 or N threads), vs a bare Pillow
     loop over the same JPEG bytes held in memory, with 1 and N threads;
  3. the raw-release way, as the official scripts read it: for each image
     Pillow opens and decodes the JPEG file and ``np.load(..., allow_pickle=True)``
     reads its .npz, with 1 and N threads;
  4. WebDataset: tar shards of the same samples (jpg = the stored bytes, json =
     every other column; one tar per Parquet shard) written first and timed
     apart, then read with ``.decode("pil")`` (and with our decode step);
  5. a torch DataLoader over our streaming dataset (decoded, converted to
     tensors by one collate function) with num_workers=1 and 2, and over the
     WebDataset shards with 2.

Every decoded reader ends with an RGB PIL image (or tensors) and, but for the
bare Pillow loops, the annotations. The readers run --repeat interleaved
rounds; each row reports its best round, its median and its CPU time (this
machine is shared: "CPU / wall" shows how much of the cores the process got).

    .venv/bin/python -m benchmarks.bench_training                       # full train split (about 10 min)
    .venv/bin/python -m benchmarks.bench_training --limit 1000 --repeat 1   # a quick look
    .venv/bin/python -m benchmarks.bench_training benchmarks/out/convert/full-hub \\
        --raw benchmarks/out/synthetic/full/imagenet3d_v1 --threads 2 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import imagenet3d
from _imagenet3d.decoding import _rgb as rgb  # the library's own last step, which every decoded reader here ends with

REPO = Path(__file__).resolve().parents[1]

SPLIT = "train"
# What a pose / detection training loop reads (imagenet3d.TRAINING_COLUMNS): the image, its id, its
# class and the objects. The other columns (category name, super-category, known, synset, width,
# height, caption) are derived or metadata.
TRAIN_COLUMNS = imagenet3d.TRAINING_COLUMNS
# A run that read more than this from storage (not the page cache) is left out of the best: the page
# cache was not warm for it. Smaller reads are library pages (imports, forked workers).
COLD_RUN_BYTES = 16 << 20


# --------------------------------------------------------------------------- helpers


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (DataLoader workers, cat)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def disk_read_bytes() -> int:
    """Bytes this process and its reaped children (cat, DataLoader workers) had read from storage,
    not from the page cache (/proc/self/io read_bytes; 0 where it is missing)."""
    try:
        with open("/proc/self/io") as io_stats:
            return next(int(line.split()[1]) for line in io_stats if line.startswith("read_bytes:"))
    except (OSError, StopIteration):
        return 0


def raw_pairs(raw: Path, image_ids: list[str]) -> list[tuple[Path, Path]]:
    """(JPEG, .npz) of each image in the raw release, as the official scripts find them."""
    return [(raw / "images" / c / f"{s}.JPEG", raw / "annotations" / c / f"{s}.npz")
            for c, s in (i.split("/", 1) for i in image_ids)]


def cat_files(files: list[Path]) -> None:
    """``cat`` the files > /dev/null (in groups of 500 names)."""
    for start in range(0, len(files), 500):
        subprocess.run(["cat", *map(str, files[start:start + 500])], stdout=subprocess.DEVNULL, check=True)


def cached_fraction(files: list[Path]) -> float | None:
    """The fraction of the files' bytes in the page cache (util-linux fincore), or None without it."""
    if not shutil.which("fincore"):
        return None
    resident = size = 0
    for start in range(0, len(files), 500):
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--raw", "--output", "RES,SIZE",
                              *map(str, files[start:start + 500])], capture_output=True, text=True, check=True)
        for line in out.stdout.split("\n"):
            if line.strip():
                r, s = line.split()
                resident, size = resident + min(int(r), int(s)), size + int(s)  # RES counts whole pages
    return resident / size if size else None


@dataclass
class Method:
    section: str
    name: str
    threads: str
    run: Callable[[], int]          # returns the number of samples it yielded
    nbytes: int = 0                 # bytes the rate in MB/s is computed on (0: no MB/s)
    inner: int = 1                  # runs per round (for the sub-second readers)
    files: list[Path] = field(default_factory=list)  # read with cat right before each run
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    disk: list[int] = field(default_factory=list)  # bytes read from storage during each run
    samples: int = 0

    def measure(self) -> None:
        for _ in range(self.inner):
            cat_files(self.files)  # this machine pages out file pages left idle for a minute: warm them now
            cpu0, disk0, t0 = cpu_seconds(), disk_read_bytes(), time.perf_counter()
            self.samples = self.run()
            wall = time.perf_counter() - t0
            self.seconds.append(wall)
            self.cpu.append(cpu_seconds() - cpu0)
            self.disk.append(disk_read_bytes() - disk0)

    def _warm_runs(self) -> list[int]:
        """Runs that read under COLD_RUN_BYTES from storage, i.e. from a warm page cache; all if none did."""
        warm = [i for i, d in enumerate(self.disk) if d < COLD_RUN_BYTES]
        return warm or list(range(len(self.seconds)))

    @property
    def cold_runs(self) -> int:
        return sum(d >= COLD_RUN_BYTES for d in self.disk)

    @property
    def best_run(self) -> int:
        return min(self._warm_runs(), key=self.seconds.__getitem__)

    @property
    def best(self) -> float:
        return self.seconds[self.best_run]

    @property
    def cpu_share(self) -> float:
        """CPU time over wall time in the best run: 1.0 = one core all along."""
        return self.cpu[self.best_run] / self.best

    @property
    def cpu_ms(self) -> float:
        """Least CPU time per sample over the warm runs (this process and its workers)."""
        return min(self.cpu[i] for i in self._warm_runs()) / self.samples * 1e3

    def rate(self) -> float:
        return self.samples / self.best

    def median_rate(self) -> float:
        seconds = sorted(self.seconds[i] for i in self._warm_runs())
        return self.samples / seconds[len(seconds) // 2]

    def mbps(self) -> float:
        return self.nbytes / self.best / 1e6


# --------------------------------------------------------------------------- our pipeline

def load_ours(hub: Path, files: list[Path], columns: list[str] | None = None):
    """The train split of the default config, streaming (only ``files`` when --limit cuts it)."""
    kwargs = {"columns": columns} if columns else {}
    if files != sorted((hub / "data").glob(f"{SPLIT}-*.parquet")):
        kwargs["data_files"] = {SPLIT: [str(f.relative_to(hub)) for f in files]}
    return imagenet3d.load("default", SPLIT, streaming=True, source=hub, **kwargs)


def ours_decode_free_rows(ds) -> int:
    n = 0
    for row in ds.decode(False):
        n += len(row["image"]["bytes"]) > 0
    return n


def ours_decode_free_arrow(ds, batch_size: int) -> int:
    n = 0
    for table in ds.decode(False).with_format("arrow").iter(batch_size=batch_size):
        n += table.num_rows
    return n


def ours_decoded(ds, threads: int) -> int:
    """datasets as it is: rows decoded by the Image feature, in the main thread or decode(num_threads=...)."""
    n = 0
    for row in ds.decode(num_threads=threads):
        rgb(row["image"])
        n += len(row["objects"]) >= 0
    return n


def recommended(ds, threads: int, batch_size: int):
    """Our recommended decoded pipeline over a streaming dataset (see BENCHMARKS.md)."""
    return imagenet3d.decode_images(ds, threads, batch_size)


def ours_recommended(ds, threads: int, batch_size: int) -> int:
    n = 0
    for row in recommended(ds, threads, batch_size):
        n += row["image"].width > 0 and len(row["objects"]) >= 0
    return n


def collate_webdataset(samples: list[dict]) -> dict:
    return imagenet3d.collate_images([{"image": s["jpg"], **s["json"]} for s in samples])


def dataloader_count(dataset, workers: int, batch_size: int, collate) -> int:
    from torch.utils.data import DataLoader

    loader = DataLoader(dataset, batch_size=batch_size, num_workers=workers, collate_fn=collate)
    return sum(len(batch["shapes"]) for batch in loader)


# --------------------------------------------------------------------------- WebDataset

def write_webdataset(files: list[Path], out: Path) -> tuple[list[Path], float, int]:
    """One tar per Parquet shard: <image_id>.jpg (the stored bytes) and <image_id>.json (every other column)."""
    import pyarrow.parquet as pq
    import webdataset as wds

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tars = []
    started = time.perf_counter()
    for i, path in enumerate(files):
        tar = out / f"{SPLIT}-{i:05d}-of-{len(files):05d}.tar"
        with wds.TarWriter(str(tar)) as writer:
            for batch in pq.ParquetFile(path).iter_batches():
                for row in batch.to_pylist():
                    image = row.pop("image")
                    writer.write({"__key__": row["image_id"], "jpg": image["bytes"], "json": row})
        tars.append(tar)
    seconds = time.perf_counter() - started
    return tars, seconds, sum(t.stat().st_size for t in tars)


def webdataset_pipeline(tars: list[Path]):
    import webdataset as wds

    return wds.WebDataset([str(t) for t in tars], shardshuffle=False, empty_check=False).decode("pil")


def webdataset_same_decode(tars: list[Path]):
    """WebDataset with our decode step instead of its "pil" handler (which converts to RGB twice)."""
    import webdataset as wds
    from PIL import Image

    def jpg(data: bytes):
        return rgb(Image.open(io.BytesIO(data)))

    return wds.WebDataset([str(t) for t in tars], shardshuffle=False, empty_check=False).decode(
        wds.handle_extension("jpg", jpg))


def webdataset_decoded(tars: list[Path], pipeline=webdataset_pipeline) -> int:
    n = 0
    for sample in pipeline(tars):
        rgb(sample["jpg"])
        n += len(sample["json"]["objects"]) >= 0
    return n


# --------------------------------------------------------------------------- baselines

def bare_pillow(blobs: list[bytes], threads: int) -> int:
    def decode(blob: bytes):
        return rgb(Image.open(io.BytesIO(blob)))

    from PIL import Image

    if threads <= 1:
        return sum(decode(b).width > 0 for b in blobs)
    with ThreadPoolExecutor(threads) as pool:
        return sum(image.width > 0 for image in pool.map(decode, blobs))


def raw_release(pairs: list[tuple[Path, Path]], threads: int) -> int:
    """As the official scripts: Pillow on the JPEG file, np.load(allow_pickle=True) on the .npz."""
    from PIL import Image

    def read(pair):
        image_path, annotation_path = pair
        image = rgb(Image.open(image_path))
        annotations = dict(np.load(annotation_path, allow_pickle=True))["annotations"]
        return image, annotations

    if threads <= 1:
        return sum(len(read(p)[1]) >= 0 for p in pairs)
    with ThreadPoolExecutor(threads) as pool:
        return sum(len(a) >= 0 for _, a in pool.map(read, pairs))


def copy_into_ram(files: list[Path]) -> int:
    """Each shard read through one reused, pre-faulted 4 MB buffer (a row group's size): one copy of
    every byte out of the page cache, nothing else; what a reader that hands on each row group's bytes
    cannot avoid. (cat's 128 KB buffer stays in the CPU's L2 cache.)"""
    buffer = copy_into_ram.buffer
    for path in files:
        with open(path, "rb", buffering=0) as f:
            view = memoryview(buffer)
            while f.readinto(view):
                pass
    return 0


def pyarrow_alone(files: list[Path], batch_size: int) -> int:
    import pyarrow.parquet as pq

    n = 0
    for path in files:
        for batch in pq.ParquetFile(path, memory_map=True).iter_batches(batch_size=batch_size):
            n += batch.num_rows
    return n


# --------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_training", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hub_folder", type=Path, nargs="?", default=REPO / "benchmarks/out/convert/full-hub",
                        help="a folder written by `python -m conversion build`")
    parser.add_argument("--raw", type=Path, default=REPO / "benchmarks/out/synthetic/full/imagenet3d_v1",
                        help="the raw release folder it was converted from (imagenet3d_v1)")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first train shards holding at least this many rows (whole shards, "
                             "so that cat and the WebDataset shards cover exactly the same samples)")
    parser.add_argument("--threads", type=int, default=2, help="decode threads for the threaded rows")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds of the decoded readers")
    parser.add_argument("--fast-repeat", type=int, default=5, help="runs per round of the decode-free readers")
    parser.add_argument("--batch-size", type=int, default=32, help="DataLoader batch size")
    parser.add_argument("--skip", nargs="*", default=[], choices=["decode-free", "decoded", "raw", "webdataset",
                                                                   "dataloader"])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/out/training")
    args = parser.parse_args()

    import pyarrow.parquet as pq

    hub, threads = args.hub_folder, args.threads
    all_files = sorted((hub / "data").glob(f"{SPLIT}-*.parquet"))
    files, rows = [], 0
    for path in all_files:
        if args.limit is not None and rows >= args.limit:
            break
        files.append(path)
        rows += pq.ParquetFile(path).metadata.num_rows
    shard_bytes = sum(f.stat().st_size for f in files)
    row_group = pq.ParquetFile(files[0]).metadata.row_group(0).num_rows
    ds = load_ours(hub, files)
    assert ds.num_shards == len(files), (ds.num_shards, len(files))

    table = pq.read_table(files, columns=["image", "image_id"])
    image_ids = table.column("image_id").to_pylist()
    blobs = [image["bytes"] for image in table.column("image").to_pylist()]
    del table
    jpeg_bytes = sum(map(len, blobs))
    pairs = raw_pairs(args.raw, image_ids)

    print(f"samples: {rows:,} rows of the {SPLIT} split in {len(files)} shards, {shard_bytes / 1e6:,.0f} MB "
          f"({jpeg_bytes / 1e6:,.0f} MB of image bytes, {jpeg_bytes / rows / 1e3:.0f} KB each), "
          f"row groups of {row_group} rows; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

    methods: dict[str, Method] = {}

    raw_files = [p for pair in pairs for p in pair]
    tars: list[Path] = []

    def add(key, section, name, thread_label, run, nbytes=0, inner=1, reads=files):
        """A reader; the files it ``reads`` are warmed with cat right before each of its runs."""
        methods[key] = Method(section, name, thread_label, run, nbytes, inner, reads)

    n = threads
    ours_train = load_ours(hub, files, TRAIN_COLUMNS)
    train_label = "training columns (" + ", ".join(TRAIN_COLUMNS) + ")"
    warm = [*files]
    if "decode-free" not in args.skip:
        copy_into_ram.buffer = bytearray(4 * 1024**2)
        copy_into_ram.buffer[:] = b"\x01" * len(copy_into_ram.buffer)  # fault the pages in once
        fr = args.fast_repeat
        add("cat", "1", "cat shards > /dev/null", "1 process", lambda: cat_files(files) or rows, shard_bytes, fr)
        add("copy", "1", "one copy of every byte into RAM (readinto a reused 4 MB buffer)", "1",
            lambda: copy_into_ram(files) or rows, shard_bytes, fr)
        arrow = "1 + Arrow's pool"
        add("pyarrow", "1", f"pyarrow alone: ParquetFile(memory_map).iter_batches({row_group})", arrow,
            lambda: pyarrow_alone(files, row_group), shard_bytes, fr)
        add("batches", "1", f"**ours: imagenet3d.ArrowBatches(batch_size={row_group})**, all columns", arrow,
            lambda: sum(b.num_rows for b in imagenet3d.ArrowBatches(files, batch_size=row_group)), shard_bytes, fr)
        add("free-rows", "1", "ours: decode(False), rows as dicts, all columns", arrow,
            lambda: ours_decode_free_rows(ds), shard_bytes, fr)
        add("free-rows-train", "1", f"ours: decode(False), rows as dicts, {train_label}", arrow,
            lambda: ours_decode_free_rows(ours_train), shard_bytes, fr)
        add("free-arrow", "1", f"ours: decode(False).with_format('arrow').iter({row_group}), all columns", arrow,
            lambda: ours_decode_free_arrow(ds, row_group), shard_bytes, fr)
    if not {"decoded", "raw", "webdataset"} <= set(args.skip):
        add("bare-1", "2", "bare Pillow over the JPEG bytes in memory", "1", lambda: bare_pillow(blobs, 1), reads=[])
        add("bare-n", "2", "bare Pillow over the JPEG bytes in memory", str(n), lambda: bare_pillow(blobs, n),
            reads=[])
        add("default-1", "2", "ours, datasets as is: rows, all columns, decoded in the main thread", "1",
            lambda: ours_decoded(ds, 0))
        add("default-n", "2", f"ours, datasets as is: rows, all columns, decode(num_threads={n})", str(n),
            lambda: ours_decoded(ds, n))
        add("rec-1", "2", f"**ours, recommended**: {train_label}, decode(False).map(DecodeImages(1), "
            f"batched=True, batch_size={row_group})", "1", lambda: ours_recommended(ours_train, 1, row_group))
        add("rec-n", "2", f"**ours, recommended**: {train_label}, decode(False).map(DecodeImages({n}), "
            f"batched=True, batch_size={row_group})", f"{n} (main + {n - 1})",
            lambda: ours_recommended(ours_train, n, row_group))
    if "raw" not in args.skip:
        warm += raw_files
        add("raw-1", "3", "raw release: Pillow(JPEG file) + np.load(npz, allow_pickle=True)", "1",
            lambda: raw_release(pairs, 1), reads=raw_files)
        add("raw-n", "3", "raw release: Pillow(JPEG file) + np.load(npz, allow_pickle=True)", str(n),
            lambda: raw_release(pairs, n), reads=raw_files)
    if not {"webdataset", "dataloader"} <= set(args.skip):
        written, write_seconds, tar_bytes = write_webdataset(files, args.out / "webdataset")
        tars.extend(written)
        warm += tars
        print(f"WebDataset: wrote {len(tars)} tar shards (jpg + json of every other column), "
              f"{tar_bytes / 1e6:,.0f} MB, in {write_seconds:.1f} s ({rows / write_seconds:,.0f} samples/s; "
              f"not part of the read comparison)")
    if "webdataset" not in args.skip:
        add("wds-1", "4", "WebDataset(tars).decode('pil')", "1", lambda: webdataset_decoded(tars), reads=tars)
        add("wds-same-1", "4", "WebDataset(tars).decode(our decode step for jpg)", "1",
            lambda: webdataset_decoded(tars, webdataset_same_decode), reads=tars)
    if "dataloader" not in args.skip:
        bs = args.batch_size
        decoded_in_worker = recommended(ours_train, 1, row_group)
        for workers in (1, 2):
            add(f"dl-{workers}", "5", f"ours, recommended (1 thread per worker) -> DataLoader(num_workers={workers}, "
                f"batch_size={bs}, collate_fn=imagenet3d.collate_images)", f"{workers} proc",
                lambda w=workers: dataloader_count(decoded_in_worker, w, bs, imagenet3d.collate_images))
        add("wds-dl-2", "5", f"WebDataset(tars).decode('pil') -> DataLoader(num_workers=2, batch_size={bs}, "
            "same collate)", "2 proc",
            lambda: dataloader_count(webdataset_pipeline(tars), 2, bs, collate_webdataset), reads=tars)

    def page_cache() -> str:
        fraction = cached_fraction(warm)
        share = "not measured (no fincore)" if fraction is None else f"{fraction:.1%} of their bytes resident"
        return f"{len(warm):,} files, {sum(f.stat().st_size for f in warm) / 1e9:.2f} GB, {share}"

    cat_files(warm)
    print(f"page cache after reading every file with cat: {page_cache()}; each reader's own files are read "
          "with cat again right before each of its runs", flush=True)
    rounds = args.repeat
    for r in range(rounds):
        for method in methods.values():
            method.measure()
            if method.samples != rows:
                raise SystemExit(f"{method.name} yielded {method.samples} samples, expected {rows}")
            print(f"  round {r + 1}/{rounds}: {method.section} {method.name} [{method.threads}] "
                  f"{method.seconds[-1]:.3f} s, CPU {method.cpu[-1] / method.seconds[-1]:.0%}, "
                  f"read from storage {method.disk[-1] / 1e6:.1f} MB", flush=True)

    print(f"page cache after the rounds: {page_cache()}")
    cold = sum(m.cold_runs for m in methods.values())
    print(f"\nbest of {rounds} rounds (section 1: of {rounds} x {args.fast_repeat} runs), page cache warm "
          f"(runs that read over {COLD_RUN_BYTES >> 20} MB from storage, left out: {cold}); "
          f"load average now {os.getloadavg()[0]:.2f}\n")
    print("| # | reader | threads | best s | MB/s | images/s | (median images/s) | CPU / wall | CPU ms / image "
          "| MB from storage |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for m in methods.values():
        mb = f"{m.mbps():,.0f}" if m.nbytes else "-"
        print(f"| {m.section} | {m.name} | {m.threads} | {m.best:.3f} | {mb} | {m.rate():,.0f} | "
              f"{m.median_rate():,.0f} | {m.cpu_share:.0%} | {m.cpu_ms:.3f} | {m.disk[m.best_run] / 1e6:.1f} |")

    print("\nratios (best against best):")

    def ratio(label, ours_key, base_key, target=None, rate=Method.rate):
        ours, base = methods.get(ours_key), methods.get(base_key)
        if ours is None or base is None:
            return
        value = rate(ours) / rate(base)
        verdict = "" if target is None else f" (target >= {target:g}: {'met' if value >= target else 'NOT met'})"
        print(f"  {label}: {value:.2f}{verdict}")

    mb = Method.mbps
    ratio("1. decode-free, imagenet3d.ArrowBatches / cat, MB/s", "batches", "cat", 0.8, mb)
    ratio("1. decode-free, datasets' arrow batches / cat, MB/s", "free-arrow", "cat", 0.8, mb)
    ratio("1. decode-free, rows (all columns) / cat, MB/s", "free-rows", "cat", 0.8, mb)
    ratio("1. decode-free, rows (training columns) / cat, MB/s", "free-rows-train", "cat", 0.8, mb)
    ratio("1. (one copy into RAM through a 4 MB buffer / cat)", "copy", "cat", None, mb)
    ratio("1. (pyarrow alone / cat)", "pyarrow", "cat", None, mb)
    ratio("1. (ArrowBatches / pyarrow alone)", "batches", "pyarrow", None, mb)
    ratio("1. (datasets' arrow batches / pyarrow alone)", "free-arrow", "pyarrow", None, mb)
    ratio("2. decoded, ours recommended / bare Pillow, 1 thread each", "rec-1", "bare-1", 0.85)
    ratio(f"2. decoded, ours recommended / bare Pillow, {n} decoding threads each", "rec-n", "bare-n", 0.85)
    ratio("2. (decoded, datasets as is / bare Pillow, 1 thread each)", "default-1", "bare-1", 0.85)
    ratio(f"2. (decoded, datasets as is with decode(num_threads={n}) / bare Pillow, {n} threads each)",
          "default-n", "bare-n", 0.85)
    ratio("3. ours recommended / raw release, 1 thread each", "rec-1", "raw-1", 1.5)
    ratio(f"3. ours recommended / raw release, {n} decoding threads each", "rec-n", "raw-n", 1.5)
    ratio(f"3. ours recommended ({n} threads) / raw release as the official single loop (1 thread)",
          "rec-n", "raw-1", 1.5)
    ratio("4. ours recommended / WebDataset .decode('pil'), 1 thread each", "rec-1", "wds-1", 1.0)
    ratio("4. ours recommended / WebDataset with our decode step, 1 thread each", "rec-1", "wds-same-1", 1.0)
    ratio("4. ours / WebDataset, DataLoader with 2 workers each", "dl-2", "wds-dl-2", 1.0)
    ratio("5. DataLoader num_workers=2 / num_workers=1", "dl-2", "dl-1")
    print("one-thread pairs by CPU time per image (what they would give on a core of their own):")

    def cpu_ratio(label, ours_key, base_key, target):
        ours, base = methods.get(ours_key), methods.get(base_key)
        if ours is not None and base is not None:
            value = base.cpu_ms / ours.cpu_ms
            print(f"  {label}: {value:.2f} (target >= {target:g}: {'met' if value >= target else 'NOT met'})")

    cpu_ratio("2. ours recommended / bare Pillow", "rec-1", "bare-1", 0.85)
    cpu_ratio("3. ours recommended / raw release", "rec-1", "raw-1", 1.5)
    cpu_ratio("4. ours recommended / WebDataset .decode('pil')", "rec-1", "wds-1", 1.0)
    cpu_ratio("4. ours recommended / WebDataset with our decode step", "rec-1", "wds-same-1", 1.0)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
