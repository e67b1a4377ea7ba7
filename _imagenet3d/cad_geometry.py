"""CAD geometry joined into ``cad_models`` rows: ``vertices``, ``faces`` and ``glb`` from the meshes file.

The ``cad_models`` config holds counts and previews only (Data Studio cannot show
meshes); every model's GLB lies in :data:`CAD_MESHES_FILE`, one Parquet row group per
category. :func:`with_cad_geometry` adds the geometry to rows as they are read.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from _imagenet3d.configs import shard_path
from _imagenet3d.errors import SourceError
from _imagenet3d.extras import require
from _imagenet3d.glb import read_glb
from _imagenet3d.hub_faults import naming_hub_faults

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

#: Where the dataset keeps every CAD model's geometry (not a config: Data Studio cannot show meshes).
CAD_MESHES_FILE = shard_path("cad_meshes", "cad_meshes")

#: (category, cad_index) -> (row group, row) in :data:`CAD_MESHES_FILE`.
_Places = dict[tuple[str, int], tuple[int, int]]


def cad_mesh_rows(metadata: pq.FileMetaData) -> _Places | None:
    """(category, cad_index) -> (row group, row) in :data:`CAD_MESHES_FILE`, from its Parquet footer
    alone (no request beyond it): each row group holds one category's models with consecutive
    cad_index from its minimum, as the converter writes them. None when the statistics do not show
    that; then read the ``category`` and ``cad_index`` columns instead."""
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    places: _Places = {}
    for number in range(metadata.num_row_groups):
        group = metadata.row_group(number)
        category, index = (group.column(names.index(name)).statistics for name in ("category", "cad_index"))
        if not (category is not None and index is not None and category.has_min_max and index.has_min_max
                and category.min == category.max and index.max - index.min + 1 == group.num_rows):
            return None
        places.update(((category.min, index.min + row), (number, row)) for row in range(group.num_rows))
    return places


class _CadGeometry:
    """Adds ``vertices`` float32 (V, 3), ``faces`` int32 (F, 3) and ``glb`` (bytes) to batches of
    cad_models rows, from :data:`CAD_MESHES_FILE` (local or hf://), decoded on access. Its footer
    locates every model; then one ranged read per category (its row group's ``glb`` column), and
    the last two categories are kept: bounded memory, few requests."""

    def __init__(self, path: str, storage_options: dict[str, Any]) -> None:
        self.path, self.storage_options = path, storage_options
        self._metadata: pq.FileMetaData | None = None
        self._where: _Places | None = None
        self._groups: dict[int, pa.ChunkedArray] = {}

    def __getstate__(self) -> dict[str, Any]:  # to DataLoader workers without the caches
        return {"path": self.path, "storage_options": self.storage_options}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]  # re-running __init__ is how the caches restart

    def _read(self, columns: list[str], group: int | None = None) -> pa.Table:
        """Some columns of one row group (None: of the whole file); the footer is read once. A Hub
        fault that outlasts huggingface_hub's retries is one HubFaultError line."""
        with naming_hub_faults(self.path):
            return self._read_from(columns, group)

    def _read_from(self, columns: list[str], group: int | None) -> pa.Table:
        parquet_module = require("pyarrow.parquet", "hub")
        if "://" in self.path:  # no read-ahead cache: a column chunk is one request of its own size, not 5 MB
            fsspec = require("fsspec", "hub")
            filesystem, path = fsspec.core.url_to_fs(self.path, **self.storage_options)
            opened = filesystem.open(path, "rb", cache_type="none")
        else:
            opened = open(self.path, "rb")
        with opened as file:
            # No pyarrow threads: with them, a process that read over HTTPS may abort at exit.
            parquet = parquet_module.ParquetFile(file, metadata=self._metadata, pre_buffer=False)
            self._metadata = parquet.metadata
            if group is None:
                return parquet.read(columns, use_threads=False)
            return parquet.read_row_group(group, columns, use_threads=False)

    def _locate(self) -> _Places:
        if self._where is None:
            if self._metadata is None:
                self._read([])  # the footer only
            self._where = cad_mesh_rows(self._metadata) or self._read_keys()
        return self._where

    def _read_keys(self) -> _Places:
        """Where each model is, from the key columns (when the footer's statistics cannot tell)."""
        table = self._read(["category", "cad_index"])
        metadata = self._metadata
        assert metadata is not None  # _read has read the footer
        sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
        places = [(group, row) for group, rows in enumerate(sizes) for row in range(rows)]
        return dict(zip(zip(table.column(0).to_pylist(), table.column(1).to_pylist()), places))

    def glb(self, category: str, cad_index: int) -> bytes:
        place = self._locate().get((category, cad_index))
        if place is None:
            raise KeyError(f"CAD model {category}/{cad_index:02d} is not in {self.path}")
        group, row = place
        if group not in self._groups:
            if len(self._groups) >= 2:
                del self._groups[next(iter(self._groups))]  # the older category
            self._groups[group] = self._read(["glb"], group).column(0)
        return self._groups[group][row].as_py()

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        if "category" not in batch or "cad_index" not in batch:
            return batch  # one column asked for: nothing to join
        glbs = [self.glb(c, i) for c, i in zip(batch["category"], batch["cad_index"])]
        meshes = [read_glb(data) for data in glbs]
        return {**batch, "vertices": [v for v, _ in meshes], "faces": [f for _, f in meshes], "glb": glbs}


def with_cad_geometry(dataset: Any, source: str, local: bool, kwargs: dict[str, Any]) -> Any:
    """cad_models rows with their geometry joined in, lazily (see :class:`_CadGeometry`).

    ``dataset`` is what ``load_dataset`` returned for ``source`` (a folder when ``local``, else a
    Hub repo id) with ``kwargs`` (its ``revision`` and ``token`` reach the meshes file too).
    """
    datasets = require("datasets", "hub")
    if local:
        path = os.path.join(source, CAD_MESHES_FILE)
        if not os.path.isfile(path):
            raise SourceError(f"{source} has no {CAD_MESHES_FILE}: rebuild it with python -m conversion build")
    else:
        revision = kwargs.get("revision")
        repo = source.removeprefix("hf://datasets/")
        path = f"hf://datasets/{repo}{'@' + quote(revision, safe='') if revision else ''}/{CAD_MESHES_FILE}"
    token = kwargs.get("token")
    geometry = _CadGeometry(path, {"token": token} if token is not None else {})

    def join(part: Any) -> Any:
        if isinstance(part, datasets.IterableDataset):
            return part.map(geometry, batched=True, batch_size=16)
        return part.with_transform(geometry)

    if isinstance(dataset, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        return type(dataset)({name: join(part) for name, part in dataset.items()})
    return join(dataset)
