"""What the viewer holds: the annotation index in memory, images and CAD models on demand.

The index is the small ``annotations`` config (no image bytes) plus, for
every image, where its bytes sit: which shard of the ``default`` config,
which row group, which row. Opening a sample reads one row group of one
column (about 4 MB) and nothing else, from a local folder or lazily from the
Hub through ``hf://datasets/<org>/<name>`` paths.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import imagenet3d

STATUS_BITS = {status: 1 << i for i, status in enumerate(imagenet3d.OBJECT_STATUSES)}
STATUS_BITS[None] = 1 << len(imagenet3d.OBJECT_STATUSES)  # objects without a status
DENSE_BITS = {"dense_yes": 1, "dense_no": 2, None: 4}
SORT_KEYS = ("image_id", "category", "objects (most first)", "width x height (largest first)")


@dataclass(frozen=True)
class Location:
    file: str
    row_group: int
    row: int


@dataclass(frozen=True)
class Filter:
    """A selection of images; None means any."""

    split: str | None = None             # train / validation
    known: bool | None = None            # known (open-vocabulary train) or novel categories
    super_category: str | None = None
    category: str | None = None
    object_status: str | None = None     # at least one object with this status
    dense: str | None = None             # at least one object with this dense value
    num_objects: int | None = None       # exactly this many; 5 means 5 or more
    text: str | None = None              # case-insensitive substring of the caption
    sort: str = "image_id"


class DatasetIndex:
    """The converted dataset, opened for browsing.

    ``root`` is a local folder written by ``python -m conversion build`` or a
    Hub dataset path ``hf://datasets/<org>/<name>``.
    """

    def __init__(self, root: str, filesystem: fsspec.AbstractFileSystem | None = None):
        self.root = root.rstrip("/")
        self.fs = filesystem or fsspec.url_to_fs(self.root)[0]
        annotation_files = sorted(self.fs.glob(f"{self.root}/annotations/*.parquet"))
        if not annotation_files:
            raise ValueError(f"{root} has no annotations/*.parquet: is it a converted ImageNet3D dataset?")
        parts = []
        for path in annotation_files:
            table = pq.read_table(path, filesystem=self.fs)
            partition = path.rsplit("/", 1)[-1].rsplit("-", 3)[0]   # e.g. train-known
            parts.append(table.append_column("split", pa.array([partition.rsplit("-", 1)[0]] * len(table))))
        self.table = pa.concat_tables(parts)
        self.image_ids: list[str] = self.table.column("image_id").to_pylist()
        self.position = {image_id: i for i, image_id in enumerate(self.image_ids)}
        self._columns()
        self.locations = self._locate_images()
        self.cad_locations = self._locate_cad_models()

    # -- the in-memory index -------------------------------------------------

    def _columns(self) -> None:
        column = self.table.column
        self.split = np.array(column("split").to_pylist())
        self.known = np.array(column("known").to_pylist(), dtype=bool)
        self.category = np.array(column("category").to_pylist())
        self.super_category = np.array(column("super_category").to_pylist())
        self.size = np.array(column("width").to_pylist(), dtype=np.int64) * np.array(
            column("height").to_pylist(), dtype=np.int64)
        self.captions = [(c or "").lower() for c in column("caption").to_pylist()]
        self.id_rank = np.empty(len(self.image_ids), dtype=np.int64)
        self.id_rank[np.argsort(np.array(self.image_ids))] = np.arange(len(self.image_ids))
        objects = column("objects").to_pylist()
        self.num_objects = np.array([len(o) for o in objects])
        self.status_bits = np.array([_bits(o, "object_status", STATUS_BITS) for o in objects])
        self.dense_bits = np.array([_bits(o, "dense", DENSE_BITS) for o in objects])
        self.objects = objects

    def select(self, selection: Filter) -> list[int]:
        """Row numbers of the images that pass ``selection``, sorted as asked."""
        keep = np.ones(len(self.image_ids), dtype=bool)
        if selection.split:
            keep &= self.split == selection.split
        if selection.known is not None:
            keep &= self.known == selection.known
        if selection.super_category:
            keep &= self.super_category == selection.super_category
        if selection.category:
            keep &= self.category == selection.category
        if selection.object_status:
            keep &= (self.status_bits & STATUS_BITS[_none(selection.object_status)]) > 0
        if selection.dense:
            keep &= (self.dense_bits & DENSE_BITS[_none(selection.dense)]) > 0
        if selection.num_objects:
            keep &= (self.num_objects >= 5) if selection.num_objects >= 5 else (
                self.num_objects == selection.num_objects)
        rows = np.flatnonzero(keep)
        if selection.text:
            needle = selection.text.lower()
            rows = np.array([r for r in rows if needle in self.captions[r]], dtype=np.int64)
        return self._sorted(rows, selection.sort)

    def _sorted(self, rows: np.ndarray, sort: str) -> list[int]:
        if sort == "category":
            order = np.lexsort((self.id_rank[rows], self.category[rows]))
        elif sort == "objects (most first)":
            order = np.argsort(-self.num_objects[rows], kind="stable")
        elif sort == "width x height (largest first)":
            order = np.argsort(-self.size[rows], kind="stable")
        elif sort == "image_id":
            order = np.argsort(self.id_rank[rows], kind="stable")
        else:
            raise ValueError(f"unknown sort {sort!r}; sorts: {', '.join(SORT_KEYS)}")
        return [int(rows[i]) for i in order]

    def random_image(self, rows: list[int], seed: int | None = None) -> str | None:
        return self.image_ids[random.Random(seed).choice(rows)] if rows else None

    def statistics(self, rows: list[int]) -> dict:
        """Counts per category, super-category and split, and the usable objects' angles."""
        rows = np.asarray(rows, dtype=np.int64)
        azimuth, elevation = [], []
        for row in rows.tolist():
            for obj in self.objects[row]:
                if obj["usable"]:
                    azimuth.append(obj["azimuth"])
                    elevation.append(obj["elevation"])
        return {
            "images": int(len(rows)),
            "objects": int(self.num_objects[rows].sum()) if len(rows) else 0,
            "per_category": _counts(self.category[rows]),
            "per_super_category": _counts(self.super_category[rows]),
            "per_split": _counts(self.split[rows]),
            "azimuth_degrees": np.degrees(np.asarray(azimuth, dtype=np.float64)),
            "elevation_degrees": (np.degrees(np.asarray(elevation, dtype=np.float64)) + 180) % 360 - 180,
        }

    def record(self, image_id: str) -> dict:
        """The annotation row of one image (no bytes). KeyError for an unknown id."""
        row = self.position[image_id]
        return {"image_id": image_id, "split": str(self.split[row]), "category": str(self.category[row]),
                "super_category": str(self.super_category[row]), "known": bool(self.known[row]),
                "caption": self.table.column("caption")[row].as_py(), "objects": self.objects[row],
                "width": self.table.column("width")[row].as_py(), "height": self.table.column("height")[row].as_py()}

    # -- random access to bytes --------------------------------------------

    def _locate_images(self) -> dict[str, Location]:
        locations = {}
        for path in sorted(self.fs.glob(f"{self.root}/data/*.parquet")):
            parquet = self._parquet(path)
            for group in range(parquet.metadata.num_row_groups):
                ids = parquet.read_row_group(group, columns=["image_id"]).column(0).to_pylist()
                for row, image_id in enumerate(ids):
                    locations[image_id] = Location(path, group, row)
        return locations

    def _locate_cad_models(self) -> dict[tuple[str, int], Location]:
        locations = {}
        for path in sorted(self.fs.glob(f"{self.root}/cad_models/*.parquet")):
            parquet = self._parquet(path)
            for group in range(parquet.metadata.num_row_groups):
                table = parquet.read_row_group(group, columns=["category", "cad_index"])
                for row, key in enumerate(zip(table.column(0).to_pylist(), table.column(1).to_pylist())):
                    locations[key] = Location(path, group, row)
        return locations

    @functools.lru_cache(maxsize=None)
    def _parquet(self, path: str) -> pq.ParquetFile:
        return pq.ParquetFile(self.fs.open(path, "rb"))

    def image_bytes(self, image_id: str) -> bytes:
        """The stored image bytes of one image: one row group of one column."""
        location = self.locations[image_id]
        column = self._parquet(location.file).read_row_group(location.row_group, columns=["image"]).column(0)
        return column[location.row].as_py()["bytes"]

    @functools.lru_cache(maxsize=64)
    def mesh(self, category: str, cad_index: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Vertices (V, 3) and faces (F, 3) of a CAD model, or None if it is not in the dataset."""
        location = self.cad_locations.get((category, cad_index))
        if location is None:
            return None
        table = self._parquet(location.file).read_row_group(location.row_group, columns=["vertices", "faces"])
        vertices = _fixed_triples(table.column("vertices").chunk(0), location.row, np.float64)
        faces = _fixed_triples(table.column("faces").chunk(0), location.row, np.int64)
        return vertices, faces

    @functools.lru_cache(maxsize=64)
    def mesh_glb(self, category: str, cad_index: int) -> bytes | None:
        location = self.cad_locations.get((category, cad_index))
        if location is None:
            return None
        table = self._parquet(location.file).read_row_group(location.row_group, columns=["mesh"])
        return table.column(0)[location.row].as_py()["bytes"]


def _fixed_triples(column: pa.ListArray, row: int, dtype) -> np.ndarray:
    """Row ``row`` of a list<fixed_size_list<3>> column as an (N, 3) array, without Python lists."""
    start, stop = column.offsets[row].as_py(), column.offsets[row + 1].as_py()
    values = column.values.flatten().to_numpy(zero_copy_only=False)
    return values[3 * start:3 * stop].reshape(-1, 3).astype(dtype)


def _bits(objects: list[dict], key: str, bits: dict) -> int:
    mask = 0
    for obj in objects:
        mask |= bits.get(obj[key], 0)
    return mask


def _none(value: str) -> str | None:
    return None if value == "missing" else value


def _counts(values: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(values, return_counts=True) if len(values) else ([], [])
    return {str(name): int(count) for name, count in zip(names, counts)}
