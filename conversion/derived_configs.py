"""The small configs derived from the image shards and the CAD models: annotations, cad_models
(with the geometry file beside it), categories."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

import imagenet3d
from _imagenet3d.configs import CONFIGS, parse_shard, partition_split, shard_path
from _imagenet3d.parallel import parallel_map
from _imagenet3d.reasons import QuarantineReason, Reason
from conversion.parquet_io import ParquetSink, write_table
from conversion.preview import preview_png
from conversion.source import ReleaseSource
from conversion.validate import cad_models_present

ANNOTATION_ROW_GROUP_ROWS = 2048
CAD_ROW_GROUP_ROWS = 64  # previews of ~4 KB: row groups of ~256 KB


def single_file(config: str) -> str:
    """The one file of a single-file config (cad_models, categories), from the config table."""
    (path,) = CONFIGS[config].data_files["train"]
    return path


def write_annotations(out: Path, shards: list[str], progress: bool) -> pa.Table:
    """annotations/<partition>-00000-of-00001.parquet: the image rows without image bytes.

    Read back from the written shards, so a resumed build gives the same result.
    Returns all rows, with a ``partition`` column, for statistics and the card.
    """
    schema = imagenet3d.features("annotations").arrow_schema
    columns = schema.names
    by_partition: dict[str, list[pa.Table]] = {}
    for relpath in tqdm(shards, desc="collecting annotations", unit="shard", disable=not progress):
        partition = parse_shard(relpath).partition
        table = pq.read_table(out / relpath, columns=columns).cast(schema)
        by_partition.setdefault(partition, []).append(table)
    tables = []
    for partition, parts in sorted(by_partition.items()):
        table = pa.concat_tables(parts)
        write_table(table, out / shard_path(CONFIGS["annotations"].folder, partition), ANNOTATION_ROW_GROUP_ROWS)
        tables.append(table.append_column("partition", pa.array([partition] * len(table), pa.string())))
    if not tables:
        return pa.table({name: pa.array([], schema.field(name).type) for name in columns}
                        | {"partition": pa.array([], pa.string())})
    return pa.concat_tables(tables)


_WORKER_SOURCE: list[ReleaseSource] = []

#: The geometry file (imagenet3d.CAD_MESHES_FILE): one row per CAD model, one row group per category.
CAD_MESHES_SCHEMA = pa.schema([("category", pa.string()), ("cad_index", pa.int32()), ("num_vertices", pa.int32()),
                               ("num_faces", pa.int32()), ("glb", pa.binary())])


def _set_source(source: ReleaseSource) -> None:
    # Workers inherit the source by fork; an open zip handle cannot be pickled.
    _WORKER_SOURCE[:] = [source]


def _cad_row(job: tuple[str, int]) -> dict | Reason:
    """One CAD model: its counts, GLB bytes and preview PNG, or why its .off cannot go in (not
    ASCII, not an OFF mesh, NaN or infinite vertices, beyond float32: read_off's or write_glb's error)."""
    category, cad_index = job
    try:
        vertices, faces = imagenet3d.read_off(_WORKER_SOURCE[0].read(imagenet3d.cad_relpath(category, cad_index)))
        glb = imagenet3d.write_glb(vertices, faces)
    except ValueError as error:  # OffError, GlbError, UnicodeDecodeError
        return QuarantineReason.BAD_CAD.message(error=error)
    return {"category": category, "cad_index": cad_index, "num_vertices": len(vertices), "num_faces": len(faces),
            "glb": glb, "preview": {"bytes": preview_png(vertices, faces), "path": f"{category}/{cad_index:02d}.png"}}


def write_cad_models(out: Path, source: ReleaseSource, progress: bool,
                     workers: int = 1) -> dict[tuple[str, int], Reason]:
    """cad_models/ (counts and a preview per model: what Data Studio shows) and the geometry file
    imagenet3d.CAD_MESHES_FILE (GLB per model, one row group per category: the viewer reads a
    category in one request). Models are converted in parallel and streamed in order, so memory
    holds one category's models whatever the number of models.

    Returns the models left out, (category, cad_index) -> why (a QuarantineReason.BAD_CAD): the
    build quarantines their files and the images whose objects use them."""
    schema = imagenet3d.features("cad_models").arrow_schema
    models = ParquetSink(out / single_file("cad_models"), schema, CAD_ROW_GROUP_ROWS)
    meshes = ParquetSink(out / imagenet3d.CAD_MESHES_FILE, CAD_MESHES_SCHEMA, 1 << 30)
    pending: list[dict] = []   # config rows, written CAD_ROW_GROUP_ROWS at a time
    category_rows: list[dict] = []

    def flush_category() -> None:
        if category_rows:
            meshes.write(pa.Table.from_pylist(category_rows, CAD_MESHES_SCHEMA))  # one write, one row group
            category_rows.clear()

    jobs = sorted(cad_models_present(source))
    rows = parallel_map(_cad_row, jobs, workers, _set_source, (source,), chunksize=1)
    left_out: dict[tuple[str, int], Reason] = {}
    for job, row in zip(jobs, tqdm(rows, total=len(jobs), desc="converting CAD models", unit="mesh",
                                   disable=not progress)):
        if isinstance(row, Reason):
            left_out[job] = row
            continue
        if category_rows and category_rows[-1]["category"] != row["category"]:
            flush_category()
        category_rows.append({name: row[name] for name in CAD_MESHES_SCHEMA.names})
        pending.append({name: row[name] for name in schema.names})
        if len(pending) == CAD_ROW_GROUP_ROWS:
            models.write(pa.Table.from_pylist(pending, schema))
            pending.clear()
    flush_category()
    if pending:
        models.write(pa.Table.from_pylist(pending, schema))
    models.close()
    meshes.close()
    return left_out


def write_categories(out: Path, annotations: pa.Table, descriptions: dict[str, str]) -> None:
    """categories/: one row per category with its counts in this build."""
    images = Counter(annotations.column("category").to_pylist())
    splits = Counter(zip(annotations.column("category").to_pylist(),
                         annotations.column("partition").to_pylist()))
    synsets: dict[str, set] = {}
    objects, usable = Counter(), Counter()
    for category, synset, objs in zip(annotations.column("category").to_pylist(),
                                      annotations.column("synset").to_pylist(),
                                      annotations.column("objects").to_pylist()):
        synsets.setdefault(category, set()).add(synset)
        objects[category] += len(objs)
        usable[category] += sum(o["usable"] for o in objs)
    rows = []
    for name, info in imagenet3d.CATEGORY_INFO.items():
        rows.append({
            "category": name, "category_id": info.index, "super_category": info.super_category,
            "known": info.known, "synsets": sorted(synsets.get(name, set()) or set(info.example_wnids)),
            "num_cad_models": info.num_cad_models, "description": descriptions.get(name),
            "num_images": images[name], "num_objects": objects[name], "num_usable_objects": usable[name],
            "num_train_images": sum(n for (c, p), n in splits.items() if c == name and partition_split(p) == "train"),
            "num_validation_images": sum(n for (c, p), n in splits.items()
                                         if c == name and partition_split(p) == "validation"),
        })
    table = pa.Table.from_pylist(rows, schema=imagenet3d.features("categories").arrow_schema)
    write_table(table, out / single_file("categories"), 256)
