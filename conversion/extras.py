"""The small configs derived from the image shards: annotations, cad_models, categories."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

import imagenet3d
from conversion.glb import glb_bytes
from conversion.parallel import parallel_map
from conversion.parquet_io import ParquetSink, write_table
from conversion.records import cad_models_present
from conversion.source import ReleaseSource

ANNOTATION_ROW_GROUP_ROWS = 2048
CAD_ROW_GROUP_ROWS = 16


def single_file(config: str) -> str:
    return f"{config}/{config}-00000-of-00001.parquet"


def write_annotations(out: Path, shards: list[str], progress: bool) -> pa.Table:
    """annotations/<partition>-00000-of-00001.parquet: the image rows without image bytes.

    Read back from the written shards, so a resumed build gives the same result.
    Returns all rows, with a ``partition`` column, for statistics and the card.
    """
    schema = imagenet3d.features("annotations").arrow_schema
    columns = schema.names
    by_partition: dict[str, list[pa.Table]] = {}
    for relpath in tqdm(shards, desc="collecting annotations", unit="shard", disable=not progress):
        partition = Path(relpath).name.rsplit("-", 3)[0]
        table = pq.read_table(out / relpath, columns=columns).cast(schema)
        by_partition.setdefault(partition, []).append(table)
    tables = []
    for partition, parts in sorted(by_partition.items()):
        table = pa.concat_tables(parts)
        write_table(table, out / f"annotations/{partition}-00000-of-00001.parquet", ANNOTATION_ROW_GROUP_ROWS)
        tables.append(table.append_column("partition", pa.array([partition] * len(table), pa.string())))
    if not tables:
        return pa.table({name: pa.array([], schema.field(name).type) for name in columns}
                        | {"partition": pa.array([], pa.string())})
    return pa.concat_tables(tables)


_WORKER_SOURCE: list[ReleaseSource] = []


def _set_source(source: ReleaseSource) -> None:
    # Workers inherit the source by fork; an open zip handle cannot be pickled.
    _WORKER_SOURCE[:] = [source]


def _cad_row(job: tuple[str, int]) -> pa.Table | None:
    """One CAD model as a one-row table, built from numpy without Python lists."""
    category, cad_index = job
    try:
        vertices, faces = imagenet3d.read_off(_WORKER_SOURCE[0].read(imagenet3d.cad_relpath(category, cad_index)))
    except (ValueError, UnicodeDecodeError):
        return None  # images that use it are quarantined as missing their CAD model
    schema = imagenet3d.features("cad_models").arrow_schema

    def nested(values: np.ndarray, dtype: pa.DataType) -> pa.Array:
        triples = pa.FixedSizeListArray.from_arrays(pa.array(values.reshape(-1), dtype), 3)
        return pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), triples)

    columns = {
        "category": pa.array([category]), "cad_index": pa.array([cad_index], pa.int32()),
        "num_vertices": pa.array([len(vertices)], pa.int32()), "num_faces": pa.array([len(faces)], pa.int32()),
        "vertices": nested(vertices.astype(np.float32), pa.float32()),
        "faces": nested(faces.astype(np.int32), pa.int32()),
        "mesh": pa.array([{"bytes": glb_bytes(vertices, faces), "path": f"{category}/{cad_index:02d}.glb"}]),
    }
    return pa.table([columns[name].cast(schema.field(name).type) for name in schema.names], schema=schema)


def write_cad_models(out: Path, source: ReleaseSource, progress: bool, workers: int = 1) -> int:
    """cad_models/: one row per CAD model, with its mesh as GLB for viewers.

    Models are parsed in parallel and streamed to the file, so memory stays at
    a few models whatever the number of models.
    """
    jobs = sorted(cad_models_present(source))
    schema = imagenet3d.features("cad_models").arrow_schema
    sink = ParquetSink(out / single_file("cad_models"), schema, CAD_ROW_GROUP_ROWS)
    written = 0
    tables = parallel_map(_cad_row, jobs, workers, _set_source, (source,))
    for table in tqdm(tables, total=len(jobs), desc="converting CAD models", unit="mesh", disable=not progress):
        if table is not None:
            sink.write(table)
            written += 1
    sink.close()
    return written


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
            "num_train_images": sum(n for (c, p), n in splits.items() if c == name and p.startswith("train")),
            "num_validation_images": sum(n for (c, p), n in splits.items()
                                         if c == name and p.startswith("validation")),
        })
    table = pa.Table.from_pylist(rows, schema=imagenet3d.features("categories").arrow_schema)
    write_table(table, out / single_file("categories"), 256)
