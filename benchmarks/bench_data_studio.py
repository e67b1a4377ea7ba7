"""Benchmark: what the Hub's Data Studio would send for each config of a converted folder (issue 10).

Per config: the feature types; whether Data Studio converts them all; the first-rows
response (first 100 rows of the first split, before the 200,000-byte budget truncates
cells); and the largest /rows page (100 rows) over every page of every split. Sizes are
JSON bytes, from an emulation of dataset-viewer's get_cell_value (conversion/data_studio.py:
images become signed asset URLs, binary values base64, the rest as is). The old
cad_models design (vertex and face lists plus the GLB, before issue 10) is emulated from
the same models, row by row.

At the real size of the CAD models (all 189 categories, 992 models, up to 37k vertices):

    .venv/bin/python -m synthetic_release write benchmarks/out/data_studio/raw --categories 189 \\
        --images-per-category 1 --seed 0 --format zip
    .venv/bin/python -m benchmarks.bench_data_studio benchmarks/out/data_studio/hub \\
        --build benchmarks/out/data_studio/raw/imagenet3d_v1.zip
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import datasets
import pyarrow.parquet as pq

import imagenet3d
from conversion import data_studio

REPO = Path(__file__).resolve().parents[1]

_FLOAT3 = datasets.List(datasets.Value("float32"), length=3)
OLD_CAD_MODELS = datasets.Features({  # git show 5a3adfa:imagenet3d.py, the Mesh as its storage struct
    "category": datasets.Value("string"), "cad_index": datasets.Value("int32"),
    "num_vertices": datasets.Value("int32"), "num_faces": datasets.Value("int32"),
    "vertices": datasets.List(_FLOAT3), "faces": datasets.List(datasets.List(datasets.Value("int32"), length=3)),
    "mesh": {"bytes": datasets.Value("binary"), "path": datasets.Value("string")},
})


def old_design_pages(folder: Path) -> tuple[int, int, int]:
    """(first page, largest page, rows) of the old cad_models config, in JSON bytes, one row in memory at a time."""
    parquet = pq.ParquetFile(folder / imagenet3d.CAD_MESHES_FILE)
    total = parquet.metadata.num_rows
    def size(rows: list[dict]) -> int:
        return data_studio.rows_response_size(rows, OLD_CAD_MODELS, "cad_models", "train", 0, total)

    empty = size([])
    pages: list[int] = []
    row_number = 0
    for group in range(parquet.metadata.num_row_groups):
        for row in parquet.read_row_group(group).to_pylist():
            vertices, faces = imagenet3d.read_glb(row["glb"])
            old = {**{k: row[k] for k in ("category", "cad_index", "num_vertices", "num_faces")},
                   "vertices": vertices.tolist(), "faces": faces.tolist(),
                   "mesh": {"bytes": row["glb"], "path": f"{row['category']}/{row['cad_index']:02d}.glb"}}
            if row_number % data_studio.ROWS_PER_PAGE == 0:
                pages.append(empty - 1)  # the comma between rows is counted below
            pages[-1] += size([old]) - empty + 1
            row_number += 1
    return pages[0], max(pages), total


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_data_studio", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a converted folder (written first with --build)")
    parser.add_argument("--build", metavar="RELEASE", help="convert this raw release into FOLDER first")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.build:
        from conversion.build import build

        start = time.perf_counter()
        result = build(args.build, args.folder, workers=args.workers, progress=False)
        print(f"built {args.folder} in {time.perf_counter() - start:.1f} s: "
              + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in result.seconds.items()))
    start = time.perf_counter()
    report = data_studio.page_report(args.folder)
    print(f"emulated every page of every config in {time.perf_counter() - start:.1f} s\n")
    print("| config | feature types | Data Studio converts all | first-rows (100 rows) | largest 100-row page |")
    print("|---|---|---|---|---|")
    for config, entry in report.items():
        first = "-" if entry["first_rows"] is None else f"{entry['first_rows'] / 1e3:,.1f} KB"
        size, split, offset = entry["largest_page"]
        page = "-" if split is None else f"{size / 1e6:,.3f} MB ({split}, rows {offset}-{offset + 99})"
        converts = "yes" if not entry["unsupported"] else "no: " + ", ".join(entry["unsupported"])
        print(f"| {config} | {', '.join(entry['types'])} | {converts} | {first} | {page} |")
    first, largest, rows = old_design_pages(args.folder)
    print(f"| cad_models, old design (vertices, faces, Mesh GLB; {rows} rows) | Value, List, Mesh | no: mesh: Mesh | "
          f"{first / 1e6:,.1f} MB | {largest / 1e6:,.1f} MB |")
    meshes = pq.ParquetFile(args.folder / imagenet3d.CAD_MESHES_FILE).metadata
    stored = [sum(meshes.row_group(g).column(c).total_compressed_size for c in range(meshes.num_columns))
              for g in range(meshes.num_row_groups)]
    raw = [meshes.row_group(g).total_byte_size for g in range(meshes.num_row_groups)]
    print(f"\n{imagenet3d.CAD_MESHES_FILE}: {(args.folder / imagenet3d.CAD_MESHES_FILE).stat().st_size / 1e6:.1f} MB "
          f"({sum(raw) / 1e6:.1f} MB before zstd), {meshes.num_rows} models in {meshes.num_row_groups} row groups "
          f"(one per category); a category's read: median {sorted(stored)[len(stored) // 2] / 1e6:.2f} MB, "
          f"largest {max(stored) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
