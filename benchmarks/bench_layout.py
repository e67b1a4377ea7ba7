"""Benchmark: how the annotation columns' Parquet encoding changes read speed.

The train shards of a converted folder are rewritten with the same row groups
and the image bytes as they are (PLAIN, uncompressed), the other columns with
each codec, with and without dictionary encoding; then every column of every
row group is read with pyarrow (memory-mapped, page cache warm), side by side
with ``cat`` of the same files, best of --repeat rounds.

    .venv/bin/python -m benchmarks.bench_layout benchmarks/out/convert/full-hub
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.bench_training import cat_files as cat
from conversion.parquet_io import writer_options

REPO = Path(__file__).resolve().parents[1]

VARIANTS = {  # name: (codec of the non-image columns, dictionary encoding)
    "zstd + dictionary (the layout before)": ("ZSTD", True),
    "zstd": ("ZSTD", False),
    "snappy + dictionary": ("SNAPPY", True),
    "snappy (the layout now)": ("SNAPPY", False),
    "lz4": ("LZ4_RAW", False),
    "uncompressed": ("NONE", False),
}


def rewrite(files: list[Path], out: Path, codec: str, dictionary: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in files:
        source = pq.ParquetFile(path)
        options = writer_options(source.schema_arrow)
        options["compression"] = {c: v if v == "NONE" else codec for c, v in options["compression"].items()}
        options["use_dictionary"] = [c for c in options["compression"] if options["compression"][c] != "NONE"
                                     ] if dictionary else False
        written.append(out / path.name)
        with pq.ParquetWriter(written[-1], source.schema_arrow, **options) as writer:
            for group in range(source.num_row_groups):
                writer.write_table(source.read_row_group(group))
    return written


def read_all(files: list[Path], columns: list[str] | None = None) -> None:
    for path in files:
        parquet = pq.ParquetFile(path, memory_map=True)
        for group in range(parquet.num_row_groups):
            parquet.read_row_group(group, columns=columns, use_threads=False)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_layout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="a converted folder")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/out/layout")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(args.dataset.glob("data/train-*.parquet"))
    shutil.rmtree(args.out, ignore_errors=True)
    sets = {name: rewrite(files, args.out / str(k), *variant) for k, (name, variant) in enumerate(VARIANTS.items())}
    others = [name for name in pq.ParquetFile(files[0]).schema_arrow.names if name != "image"]
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.repeat):
        for name, written in sets.items():
            for reader, run in (("cat", lambda: cat(written)), ("all", lambda: read_all(written)),
                                ("annotations", lambda: read_all(written, others))):
                cat(written)   # page cache warm for every run
                started = time.perf_counter()
                run()
                elapsed = time.perf_counter() - started
                best[name, reader] = min(best.get((name, reader), elapsed), elapsed)
    print(f"{len(files)} train shards, every row group read with pyarrow (memory-mapped, 1 thread), "
          f"best of {args.repeat}\n")
    print("| annotation columns | size | cat | all columns | all columns / cat | annotation columns alone |")
    print("|---|---|---|---|---|---|")
    for name, written in sets.items():
        size = sum(f.stat().st_size for f in written) / 1e6
        print(f"| {name} | {size:,.1f} MB | {best[name, 'cat'] * 1e3:.0f} ms | {best[name, 'all'] * 1e3:.0f} ms | "
              f"{best[name, 'cat'] / best[name, 'all']:.2f} | {best[name, 'annotations'] * 1e3:.0f} ms |")
    shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
