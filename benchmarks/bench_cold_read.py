r"""Benchmark: decode-free streaming vs cat with the page cache dropped before each reader.

bench_training.py compares readers with the page cache warm, where ``cat``
runs at memory speed and any reader that keeps the bytes (one copy into RAM
reaches about 0.7 of cat) falls short. Training reads shards that are not in
memory; this compares the readers from disk, alternating rounds: cat,
imagenet3d.ArrowBatches and datasets' own ``with_format("arrow")`` batches.
Needs root (writes /proc/sys/vm/drop_caches).

With ``--raw``, decoded readers too, from disk: our recommended pipeline
(training columns, ``decode_images``) against the raw release read as the
official scripts read it (Pillow on each JPEG file, ``np.load(allow_pickle=True)``
on each .npz), the same number of decoding threads each: one sequential
stream of shards against two small files per image.

    .venv/bin/python -m benchmarks.bench_cold_read benchmarks/out/convert/full-hub --rounds 3
    .venv/bin/python -m benchmarks.bench_cold_read benchmarks/out/convert/full-hub --rounds 3 \
        --raw benchmarks/out/synthetic/full/imagenet3d_v1 --threads 2
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

import imagenet3d
from benchmarks.bench_training import TRAIN_COLUMNS, cat_files, ours_recommended, raw_pairs, raw_release

REPO = Path(__file__).resolve().parents[1]


def drop_page_cache() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def timed(run) -> float:
    drop_page_cache()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def compare_decoded(dataset: str, raw: Path, threads: int, rounds: int) -> None:
    import pyarrow.parquet as pq

    files = sorted(Path(dataset).glob("data/train-*.parquet"))
    ids = pq.read_table(files, columns=["image_id"]).column(0).to_pylist()
    pairs = raw_pairs(raw, ids)
    stream = imagenet3d.load("default", "train", streaming=True, source=dataset, columns=TRAIN_COLUMNS)
    batch = pq.ParquetFile(files[0]).metadata.row_group(0).num_rows
    print(f"{len(ids):,} images decoded, {threads} threads each, page cache dropped before every reader")
    ratios = []
    for round_ in range(rounds):
        raw_s = timed(lambda: raw_release(pairs, threads))
        ours_s = timed(lambda: ours_recommended(stream, threads, batch))
        ratios.append(raw_s / ours_s)
        print(f"round {round_ + 1}: raw release {raw_s:.1f} s ({len(ids) / raw_s:.0f} images/s), ours recommended "
              f"{ours_s:.1f} s ({len(ids) / ours_s:.0f} images/s): ours / raw = {ratios[-1]:.2f}")
    print(f"ours / raw release from disk: best {max(ratios):.2f}, median {sorted(ratios)[len(ratios) // 2]:.2f}, "
          f"worst {min(ratios):.2f} (target >= 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_cold_read", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="a converted folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--raw", type=Path, help="the raw release it was converted from: also compare decoded")
    parser.add_argument("--threads", type=int, default=2, help="decoding threads of each decoded reader")
    args = parser.parse_args()
    if args.raw:
        compare_decoded(args.dataset, args.raw, args.threads, args.rounds)
        return
    files = sorted(Path(args.dataset).glob("data/train-*.parquet"))
    size = sum(f.stat().st_size for f in files)
    stream = imagenet3d.load("default", "train", streaming=True, source=args.dataset)

    def datasets_batches() -> None:
        rows = sum(t.num_rows for t in stream.decode(False).with_format("arrow").iter(batch_size=40))
        assert rows > 0

    def ours() -> None:
        assert sum(b.num_rows for b in imagenet3d.ArrowBatches(list(map(str, files)), batch_size=40)) > 0

    def cat() -> None:
        cat_files(files)

    print(f"{len(files)} shards, {size / 1e9:.2f} GB, page cache dropped before every reader")
    ratios: dict[str, list[float]] = {"ArrowBatches": [], "datasets' arrow batches": []}
    for round_ in range(args.rounds):
        cat_s, ours_s, datasets_s = timed(cat), timed(ours), timed(datasets_batches)
        ratios["ArrowBatches"].append(cat_s / ours_s)
        ratios["datasets' arrow batches"].append(cat_s / datasets_s)
        print(f"round {round_ + 1}: cat {cat_s:.2f} s ({size / cat_s / 1e6:.0f} MB/s), "
              f"ArrowBatches {ours_s:.2f} s ({size / ours_s / 1e6:.0f} MB/s), "
              f"datasets' arrow batches {datasets_s:.2f} s ({size / datasets_s / 1e6:.0f} MB/s): "
              f"/ cat = {cat_s / ours_s:.2f}, {cat_s / datasets_s:.2f}")
    for name, values in ratios.items():
        print(f"{name} / cat: best {max(values):.2f}, median {sorted(values)[len(values) // 2]:.2f}, "
              f"worst {min(values):.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
