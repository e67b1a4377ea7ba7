"""Writing Parquet the way the Hub viewer and datasets streaming want it.

* The datasets Features travel in the schema metadata, so ``Image()`` decodes
  to PIL and ``objects`` comes back as a list of dicts.
* Image bytes are stored as they came (PLAIN, uncompressed, no statistics:
  min/max of 100 KB blobs would bloat the footer).
* The small annotation columns are Snappy-compressed without dictionaries:
  with zstd and dictionaries, decoding their ~5,000 column chunks per GB cost
  more than reading the image bytes (a warm read of every column went from
  0.28 to 0.55 of ``cat``; the files are the same size). CAD geometry (the
  ``glb`` column), large and read one category at a time, is zstd.
* A page index is written, so readers fetch single pages and the viewer can
  serve random rows without scanning a whole row group.
* Files appear under their final name only when complete.
"""

from __future__ import annotations

import io
import os
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from _imagenet3d.files import temporary_name

_BLOB_COLUMNS = ("image.bytes", "preview.bytes")  # already compressed (JPEG, PNG)
_ZSTD_COLUMNS = ("glb",)  # float32/uint32 arrays: compress; no statistics of megabyte blobs


@cache
def _leaf_columns(schema: pa.Schema) -> tuple[str, ...]:
    """Parquet leaf column paths of an Arrow schema (e.g. objects.list.element.azimuth)."""
    buffer = io.BytesIO()
    pq.write_table(schema.empty_table(), buffer)
    parquet_schema = pq.ParquetFile(io.BytesIO(buffer.getvalue())).schema
    return tuple(parquet_schema.column(i).path for i in range(len(parquet_schema)))


def writer_options(schema: pa.Schema) -> dict:
    leaves = _leaf_columns(schema)
    blobs = [c for c in leaves if c in _BLOB_COLUMNS]
    meshes = [c for c in leaves if c in _ZSTD_COLUMNS]
    others = [c for c in leaves if c not in _BLOB_COLUMNS + _ZSTD_COLUMNS]
    return {
        "compression": {**{c: "NONE" for c in blobs}, **{c: "SNAPPY" for c in others},
                        **{c: "ZSTD" for c in meshes}},
        "use_dictionary": False,
        "write_statistics": others,
        "write_page_index": True,
        "column_encoding": {c: "PLAIN" for c in blobs} or None,
    }


class ParquetSink:
    """Write a Parquet file in pieces; it appears under ``path`` only on close."""

    def __init__(self, path: str | os.PathLike, schema: pa.Schema, row_group_rows: int):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = temporary_name(self.path)
        self.row_group_rows = max(1, row_group_rows)
        self.writer = pq.ParquetWriter(self.temporary, schema, **writer_options(schema))

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table, row_group_size=self.row_group_rows)

    def close(self) -> None:
        self.writer.close()
        os.replace(self.temporary, self.path)


def write_table(table: pa.Table, path: str | os.PathLike, row_group_rows: int) -> None:
    """Write ``table`` to ``path`` atomically with the layout above."""
    sink = ParquetSink(path, table.schema, row_group_rows)
    sink.write(table)
    sink.close()
