"""What the viewer holds: the annotation index in memory, images and CAD models on demand.

The index is the small ``annotations`` config (no image bytes) plus, for
every image, where its bytes sit: which shard of the ``default`` config,
which row group, which row. Opening a sample reads one row group of two
adjacent columns (image and image_id, about 4 MB) and nothing else, from a
local folder or lazily from the Hub through ``hf://datasets/<org>/<name>``.

Requests (viewer_app/hub_io.py reads byte ranges; BENCHMARKS.md counts
them): opening the index reads the dataset's info (on the Hub), each
annotations file whole, and each Parquet footer of data/ and the CAD
geometry file; images are located from the footers' row counts, because
the annotations of a partition are its data shards' rows in order
(conversion/derived_configs.py, write_annotations), which every image read checks.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import imagenet3d
from _imagenet3d.configs import CONFIGS, parse_shard, partition_split
from _imagenet3d.errors import Imagenet3DError
from viewer_app.hub_io import Files, HubFiles, LocalFiles, hub_repo
from viewer_app.ranged import FooterReader, parse_footer, read_row_groups
from viewer_app.statistics import count_statistics

IMAGES, ANNOTATIONS = CONFIGS["default"].folder, CONFIGS["annotations"].folder
STATUS_BITS = {status: 1 << i for i, status in enumerate(imagenet3d.OBJECT_STATUSES)}
STATUS_BITS[None] = 1 << len(imagenet3d.OBJECT_STATUSES)  # objects without a status
DENSE_BITS = {"dense_yes": 1, "dense_no": 2, None: 4}
ERROR_SORT = "pose error (worst first)"   # needs predictions (select's errors)
#: Row groups of images read at once (each about 4 MB at the real size).
GROUPS_PER_READ = 4
SORT_KEYS = ("image_id", "category", "objects (most first)", "width x height (largest first)", ERROR_SORT)


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
    min_error_degrees: float | None = None   # at least one object with pose error >= this (needs predictions)
    sort: str = "image_id"


class DatasetIndex:
    """The converted dataset, opened for browsing.

    ``root`` is a local folder written by ``python -m conversion build`` or a
    Hub dataset path ``hf://datasets/<org>/<name>``. Everything held is
    columnar (Arrow and numpy): at the real size (about 80,000 images) a
    Python dict per object alone would take hundreds of MB.

    On the Hub, ``token`` reads the listing and the index (None: the locally
    saved token; False: anonymous) and is the default for later reads, which
    take the token of their context instead where one is set
    (``hub_io.reading_as``: the viewer reads as each visitor).
    """

    def __init__(self, root: str, token: str | bool | None = None, files: Files | None = None):
        self.root = root.rstrip("/")
        if files is None:
            files = HubFiles(self.root, token) if hub_repo(self.root) else LocalFiles(self.root)
        self.fs = files   # glob / exists / size answer from the listing; read(path, start, stop) is a request
        self._footer = FooterReader(self.fs)
        self._footers: dict[str, bytes] = {}
        annotation_files = self.fs.glob(f"{self.root}/{ANNOTATIONS}/*.parquet")
        if not annotation_files:
            raise Imagenet3DError(f"{root} has no {ANNOTATIONS}/*.parquet: is it a converted ImageNet3D dataset?")
        parts, self._partition_rows = [], {}
        for path in annotation_files:
            # The whole file in one request, not kept in the range cache (it is parsed once).
            data = self.fs.read(path, 0, self.fs.size(path), keep=False)
            table = pq.read_table(pa.BufferReader(data))
            partition = parse_shard(path).partition   # e.g. train-known
            self._partition_rows[partition] = (sum(len(p) for p in parts), len(table))
            parts.append(table.append_column("split", pa.array([partition_split(partition)] * len(table))))
        self.table = pa.concat_tables(parts).combine_chunks()
        self.image_ids: list[str] = self.table.column("image_id").to_pylist()
        self.position = {image_id: i for i, image_id in enumerate(self.image_ids)}
        self._columns()
        self._images = self._locate_images()
        self.cad_locations = self._locate_cad_models()
        pa.default_memory_pool().release_unused()  # the reads' buffers; only the index stays

    # -- the in-memory index -------------------------------------------------

    def _columns(self) -> None:
        column = self.table.column
        self.split = column("split").to_numpy(zero_copy_only=False).astype(str)
        self.known = column("known").to_numpy(zero_copy_only=False).astype(bool)
        self.category = column("category").to_numpy(zero_copy_only=False).astype(str)
        self.super_category = column("super_category").to_numpy(zero_copy_only=False).astype(str)
        self.size = (column("width").to_numpy().astype(np.int64) * column("height").to_numpy().astype(np.int64))
        self.id_rank = np.empty(len(self.image_ids), dtype=np.int64)
        self.id_rank[np.argsort(np.array(self.image_ids))] = np.arange(len(self.image_ids))
        objects = column("objects").chunk(0)
        self.num_objects = np.diff(objects.offsets.to_numpy())
        # One entry per object: the row of its image and the fields filters and statistics need.
        self.object_row = pc.list_parent_indices(objects).to_numpy()
        fields = objects.flatten()
        self.object_usable = _filled(fields.field("usable"), False).astype(bool)
        self.object_azimuth = _filled(fields.field("azimuth"), np.nan)
        self.object_elevation = _filled(fields.field("elevation"), np.nan)
        self.status_bits = self._row_bits(fields.field("object_status"), STATUS_BITS)
        self.dense_bits = self._row_bits(fields.field("dense"), DENSE_BITS)
        # Per object, small integer codes for the statistics (bincount, not string compares: a
        # filter change at 95k objects counts in about a millisecond). An object's category is
        # its image's (conversion quarantines any other), as the card counts it.
        self.category_names, first, self.image_category = np.unique(self.category, return_index=True,
                                                                   return_inverse=True)
        self.category_super = self.super_category[first]   # per category name, as the index stores it
        self.split_names, self.image_split = np.unique(self.split, return_inverse=True)
        self.object_category = self.image_category[self.object_row].astype(np.int32)
        self.object_split = self.image_split[self.object_row].astype(np.int8)
        self.object_known = self.known[self.object_row]
        self.object_status, self.status_names = _status_codes(fields.field("object_status"))

    def _row_bits(self, values: pa.Array, bits: dict) -> np.ndarray:
        """Per image, the OR of its objects' bits for ``values`` (None counts as its own value)."""
        names = values.to_pylist()
        object_bits = np.array([bits.get(name, 0) for name in names], dtype=np.int64)
        row_bits = np.zeros(len(self.image_ids), dtype=np.int64)
        np.bitwise_or.at(row_bits, self.object_row, object_bits)
        return row_bits

    def select(self, selection: Filter, errors: np.ndarray | None = None) -> list[int]:
        """Row numbers of the images that pass ``selection``, sorted as asked.

        ``errors``: per image row, its worst pose error in degrees, NaN where none is scored
        (viewer_app/predictions.py, ``PredictionSet.row_worst_error()``). ``min_error_degrees`` and the
        sort by error need it: without it they raise Imagenet3DError (one line, for the page)."""
        keep = np.ones(len(self.image_ids), dtype=bool)
        if errors is not None and np.shape(errors) != (len(self.image_ids),):
            raise ValueError(f"errors has shape {np.shape(errors)}; expected one per image ({len(self.image_ids)},)")
        if selection.min_error_degrees is not None:
            if errors is None:
                raise Imagenet3DError("filtering by pose error needs predictions: load a predictions file first")
            with np.errstate(invalid="ignore"):   # NaN (no scored object) never passes
                keep &= errors >= selection.min_error_degrees
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
        if selection.text:
            found = pc.match_substring(self.table.column("caption"), selection.text, ignore_case=True)
            keep &= found.to_numpy(zero_copy_only=False).astype(bool, copy=False) & ~pc.is_null(
                self.table.column("caption")).to_numpy(zero_copy_only=False)
        return self._sorted(np.flatnonzero(keep), selection.sort, errors)

    def _sorted(self, rows: np.ndarray, sort: str, errors: np.ndarray | None = None) -> list[int]:
        if sort == ERROR_SORT:
            if errors is None:
                raise Imagenet3DError("sorting by pose error needs predictions: load a predictions file first")
            worst_first = np.nan_to_num(-np.asarray(errors, dtype=np.float64)[rows], nan=np.inf)  # unscored last
            order = np.lexsort((self.id_rank[rows], worst_first))
        elif sort == "category":
            order = np.lexsort((self.id_rank[rows], self.category[rows]))
        elif sort == "objects (most first)":
            order = np.argsort(-self.num_objects[rows], kind="stable")
        elif sort == "width x height (largest first)":
            order = np.argsort(-self.size[rows], kind="stable")
        elif sort == "image_id":
            order = np.argsort(self.id_rank[rows], kind="stable")
        else:
            raise ValueError(f"unknown sort {sort!r}; sorts: {', '.join(SORT_KEYS)}")
        return rows[order].tolist()

    def random_image(self, rows: list[int] | np.ndarray, seed: int | None = None) -> str | None:
        return self.image_ids[int(random.Random(seed).choice(rows))] if len(rows) else None

    def statistics(self, rows: list[int]) -> dict:
        """What the Statistics tab shows for the images in ``rows``: see viewer_app/statistics.py."""
        return count_statistics(self, rows)

    def objects(self, row: int) -> list[dict]:
        """The objects of the image in row ``row``, as plain dicts."""
        return self.table.column("objects")[row].as_py()

    def caption(self, row: int) -> str | None:
        return self.table.column("caption")[row].as_py()

    def record(self, image_id: str) -> dict:
        """The annotation row of one image (no bytes). KeyError for an unknown id."""
        row = self.position[image_id]
        return {"image_id": image_id, "split": str(self.split[row]), "category": str(self.category[row]),
                "super_category": str(self.super_category[row]), "known": bool(self.known[row]),
                "caption": self.caption(row), "objects": self.objects(row),
                "width": self.table.column("width")[row].as_py(), "height": self.table.column("height")[row].as_py()}

    # -- random access to bytes --------------------------------------------

    def _locate_images(self) -> np.ndarray:
        """Per annotation row: (file number, row group, row) of its image in the default config,
        from the data shards' footers alone: a partition's annotations are its shards' rows in order."""
        self.image_files = self.fs.glob(f"{self.root}/{IMAGES}/*.parquet")
        located = np.full((len(self.image_ids), 3), -1, dtype=np.int32)
        shards: dict[str, list[int]] = {}
        for number, path in enumerate(self.image_files):
            shards.setdefault(parse_shard(path).partition, []).append(number)
        for partition, (first, count) in self._partition_rows.items():
            rows = []
            for number in shards.get(partition, []):
                metadata = self._metadata(self.image_files[number])
                for group in range(metadata.num_row_groups):
                    n = metadata.row_group(group).num_rows
                    rows.append(np.column_stack([np.full(n, number), np.full(n, group), np.arange(n)]))
            held = sum(len(r) for r in rows)
            if held != count:
                raise Imagenet3DError(f"{self.root}: {IMAGES}/{partition}-* hold {held} images but "
                                 f"{ANNOTATIONS}/{partition} {count}: the folder mixes two builds; build it again")
            if rows:
                located[first:first + count] = np.concatenate(rows)
        return located

    def image_location(self, image_id: str) -> Location:
        """Where an image's bytes are. KeyError for an unknown id or one without stored bytes."""
        number, group, row = self._images[self.position[image_id]].tolist()
        if number < 0:
            raise KeyError(f"{image_id} has no image in {self.root}/data")
        return Location(self.image_files[number], group, row)

    def _locate_cad_models(self) -> dict[tuple[str, int], Location]:
        """(category, cad_index) -> its row in the geometry file (one row group per category)."""
        path = f"{self.root}/{imagenet3d.CAD_MESHES_FILE}"
        try:  # no exists() first: on hf:// that would be one more request
            places = imagenet3d.cad_mesh_rows(self._metadata(path))  # from the footer: no key columns read
        except FileNotFoundError:
            return {}  # a dataset without CAD geometry: the viewer shows no models
        if places is None:
            places = {key: (group, row) for group, row, key in self._keys(path, ["category", "cad_index"])}
        return {key: Location(path, group, row) for key, (group, row) in places.items()}

    def _keys(self, path: str, columns: list[str]):
        """(row group, row within it, values of ``columns``) for every row of a file: one request
        per run of nearby column chunks (ranged.MERGE_GAP)."""
        metadata = self._metadata(path)
        table = read_row_groups(self.fs, path, metadata, list(range(metadata.num_row_groups)), columns)
        groups = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
        positions = [(group, row) for group, rows in enumerate(groups) for row in range(rows)]
        return [(group, row, values) for (group, row), values in
                zip(positions, zip(*(table.column(name).to_pylist() for name in columns)))]

    def _metadata(self, path: str) -> pq.FileMetaData:
        """A file's footer: read once (one request) and kept as bytes; the parsed form of the
        recent ones is kept too (parsed footers are ~7x their size on disk)."""
        if path not in self._footers:
            self._footers[path] = self._footer(path)
        return self._parsed(path)

    @functools.lru_cache(maxsize=16)
    def _parsed(self, path: str) -> pq.FileMetaData:
        return parse_footer(self._footers[path])

    def _read(self, location: Location, columns: list[str]) -> pa.Table:
        """One row group of some columns: one request (nearby column chunks are read together),
        none when the range cache holds them."""
        return read_row_groups(self.fs, location.file, self._metadata(location.file), [location.row_group],
                               columns)

    def image_bytes(self, image_id: str) -> bytes:
        """The stored image bytes of one image: one row group of one column."""
        return self.images_bytes([image_id])[image_id]

    def images_bytes(self, image_ids: list[str]) -> dict[str, bytes]:
        """The stored bytes of several images, reading each row group they share once."""
        by_group: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for image_id in image_ids:
            location = self.image_location(image_id)
            by_group.setdefault((location.file, location.row_group), []).append((image_id, location.row))
        found = {}
        for file in dict.fromkeys(file for file, _ in by_group):
            groups = sorted(group for f, group in by_group if f == file)
            metadata = self._metadata(file)
            # A few row groups per read: nearby ones still come in one request, and a page whose
            # images are scattered over 24 groups holds ~16 MB of them at a time, not ~100 MB.
            for first in range(0, len(groups), GROUPS_PER_READ):
                batch = groups[first:first + GROUPS_PER_READ]
                table = read_row_groups(self.fs, file, metadata, batch, ["image", "image_id"])
                starts = np.cumsum([0] + [metadata.row_group(g).num_rows for g in batch])
                images, ids = table.column("image"), table.column("image_id")
                for group, start in zip(batch, starts):
                    for image_id, row in by_group[(file, group)]:
                        if ids[start + row].as_py() != image_id:  # the footers' row counts placed it
                            raise LookupError(f"{file} holds {ids[start + row].as_py()} where the index expects "
                                              f"{image_id}: the folder mixes two builds; build it again")
                        found[image_id] = images[start + row].as_py()["bytes"]
                del table, images, ids
        return found

    @functools.lru_cache(maxsize=8)
    def mesh(self, category: str, cad_index: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Vertices (V, 3) float64 and faces (F, 3) int64 of a CAD model, or None if it is not in the dataset."""
        data = self.mesh_glb(category, cad_index)
        if data is None:
            return None
        vertices, faces = imagenet3d.read_glb(data)
        return vertices.astype(np.float64), faces.astype(np.int64)

    def mesh_glb(self, category: str, cad_index: int) -> bytes | None:
        """The GLB bytes of a CAD model, or None if it is not in the dataset."""
        location = self.cad_locations.get((category, cad_index))
        if location is None:
            return None
        return self._category_glbs(location.file, location.row_group)[location.row].as_py()

    @functools.lru_cache(maxsize=8)  # the last 8 categories: a few MB each at the real size
    def _category_glbs(self, file: str, row_group: int) -> pa.BinaryArray:
        """Every model of one category: one ranged read of one row group's ``glb`` column."""
        return self._read(Location(file, row_group, 0), ["glb"]).column(0).combine_chunks()


def _filled(values: pa.Array, fill) -> np.ndarray:
    return values.fill_null(fill).to_numpy(zero_copy_only=False)


def _none(value: str) -> str | None:
    return None if value == "missing" else value


def _status_codes(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per object, its object_status as a code into names: the statuses of
    imagenet3d.OBJECT_STATUSES in that order, "missing" (no status), then any other value the
    data holds, sorted (a release outside the v1 vocabulary is shown as it is, not hidden)."""
    encoded = values.dictionary_encode()   # nulls stay null in the indices
    present = encoded.dictionary.to_pylist()
    names = [*imagenet3d.OBJECT_STATUSES, "missing"]
    names += sorted(set(present) - set(names))
    code_of = {name: code for code, name in enumerate(names)}
    missing = code_of["missing"]
    # The dictionary's codes, then "missing" at the end for the null indices (filled as its position).
    codes = np.array([code_of[v] for v in present] + [missing], dtype=np.int8)
    return codes[_filled(encoded.indices, len(present)).astype(np.int64)], np.array(names)
