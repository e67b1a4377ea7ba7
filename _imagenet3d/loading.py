"""TODO docstring."""

from __future__ import annotations

import os
import re
import zipfile


from _imagenet3d.glb import CAD_MESHES_FILE
from _imagenet3d.configs import CONFIG_SPLITS
from _imagenet3d.errors import SourceError
from _imagenet3d.glb import cad_mesh_rows
from _imagenet3d.glb import read_glb


# ---------------------------------------------------------------------------
# Loading (datasets is imported only when asked for)
# ---------------------------------------------------------------------------

#: Where ``load`` reads from when no source is given: a Hub repo id or a local
#: folder written by ``python -m conversion build``.
DEFAULT_SOURCE = os.environ.get("IMAGENET3D_SOURCE", "imagenet3d")


def _require_config(config: str) -> None:
    if config not in CONFIG_SPLITS:
        raise ValueError(f"unknown config {config!r}; configs: {', '.join(CONFIG_SPLITS)}")


def _require_rank(rank: int, world_size: int) -> None:
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is not in range(world_size={world_size})")


#: The folders every raw release has at its root (``imagenet3d_v1/``).
RELEASE_FOLDERS = ("images", "annotations", "lists")




def release_root(path: str | os.PathLike) -> str | None:
    """The raw release folder (holding :data:`RELEASE_FOLDERS`) at ``path`` or in its
    ``imagenet3d_v1/`` folder, if either is one; else None."""
    for root in (os.fspath(path), os.path.join(path, "imagenet3d_v1")):
        if all(os.path.isdir(os.path.join(root, folder)) for folder in RELEASE_FOLDERS):
            return root
    return None


def _check_local_source(path: str, config: str) -> None:
    """One-line errors for a local folder that ``load_dataset`` would misread."""
    convert = "convert it first with python -m conversion build"
    if release_root(path) is not None:
        raise SourceError(f"{path} is a raw ImageNet3D release, not a converted dataset: {convert} {path} OUT")
    readme = os.path.join(path, "README.md")
    if not os.path.isfile(readme):
        raise SourceError(f"{path} is not a converted ImageNet3D dataset (no README.md with its configs): "
                          f"{convert} RELEASE {path}")
    from huggingface_hub import DatasetCard

    configs = [entry.get("config_name") for entry in DatasetCard.load(readme).data.get("configs") or []]
    if config not in configs:
        raise SourceError(f"{path} is not a converted ImageNet3D dataset: its README.md declares no config "
                          f"{config!r} (it has: {', '.join(map(str, configs)) or 'none'}); {convert} RELEASE {path}")


def _missing_source(source: str, hub: str) -> SourceError:
    """Neither a local folder nor a Hub dataset: say both, with the nearest local folder name."""
    import difflib

    parent = os.path.dirname(os.path.normpath(source)) or "."
    nearby = ([os.path.join(parent, name) if parent != "." else name for name in os.listdir(parent)]
              if os.path.isdir(parent) else [])
    close = difflib.get_close_matches(source, [name for name in nearby if name != source], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return SourceError(f"no local folder {source!r} under {os.getcwd()}{hint}, and {hub}")


_HUB_REPO_ID = re.compile(r"[\w.-]+/[\w.-]+")


def _check_source(source: str, config: str) -> bool:
    """Whether ``source`` is a local folder (checked to be a converted dataset); a one-line
    SourceError for anything that can be neither that nor a Hub dataset, before any Hub request."""
    if os.path.isdir(source):
        _check_local_source(source, config)
        return True
    if os.path.isfile(source):
        if zipfile.is_zipfile(source):
            raise SourceError(f"{source} is a raw ImageNet3D release zip, not a converted dataset: convert it "
                              f"first with python -m conversion build {source} OUT")
        raise SourceError(f"{source} is a file, not a converted ImageNet3D dataset folder")
    if not (source.startswith("hf://") or _HUB_REPO_ID.fullmatch(source)):
        raise _missing_source(source, f"{source!r} is not a Hub dataset id (ORG/NAME): pass source= a folder "
                                      "written by python -m conversion build, or a Hub dataset ORG/NAME")
    return False


def load(config: str = "default", split: str | None = None, streaming: bool = False,
         source: str | os.PathLike | None = None, **kwargs):
    """One config of the Hub dataset, through ``datasets.load_dataset``.

    ``source`` is a local converted folder or a Hub repo id (default:
    ``$IMAGENET3D_SOURCE``, else ``"imagenet3d"``). Other keyword arguments go
    to ``load_dataset`` unchanged (``revision``, ``cache_dir``, ...).
    ``cad_models`` rows also get ``vertices`` float32 (V, 3), ``faces`` int32
    (F, 3) and ``glb`` (bytes) from :data:`CAD_MESHES_FILE`, read when a row is
    accessed (they are not in ``features``; ``load_dataset`` alone gives the
    counts and preview images only).
    :class:`SourceError` (one line) for a raw release folder, a folder that
    is not a converted dataset, or a name that is neither a local folder
    nor a Hub dataset.

        >>> ds = imagenet3d.load(source="demo/imagenet3d")                  # doctest: +SKIP
        >>> ov = imagenet3d.load("open_vocabulary", "validation_novel", streaming=True,
        ...                      source="org/imagenet3d")                   # doctest: +SKIP
    """
    _require_config(config)
    if split is not None and split not in CONFIG_SPLITS[config]:
        raise ValueError(f"config {config!r} has no split {split!r}; splits: {', '.join(CONFIG_SPLITS[config])}")
    import datasets

    source = os.fspath(source or DEFAULT_SOURCE)
    local = _check_source(source, config)
    try:
        dataset = datasets.load_dataset(source, config, split=split, streaming=streaming, **kwargs)
    except (datasets.exceptions.DatasetNotFoundError, FileNotFoundError, ConnectionError) as error:
        if local:
            raise
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise _missing_source(source, f"no Hub dataset {source!r} could be loaded ({reason})") from None
    return _with_cad_geometry(dataset, source, local, kwargs) if config == "cad_models" else dataset


class _CadGeometry:
    """Adds ``vertices`` float32 (V, 3), ``faces`` int32 (F, 3) and ``glb`` (bytes) to batches of
    cad_models rows, from :data:`CAD_MESHES_FILE` (local or hf://), decoded on access. Its footer
    locates every model; then one ranged read per category (its row group's ``glb`` column), and
    the last two categories are kept: bounded memory, few requests."""

    def __init__(self, path: str, storage_options: dict):
        self.path, self.storage_options = path, storage_options
        self._metadata, self._where, self._groups = None, None, {}

    def __getstate__(self) -> dict:  # to DataLoader workers without the caches
        return {"path": self.path, "storage_options": self.storage_options}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def _read(self, columns: list[str], group: int | None = None):
        """Some columns of one row group (None: of the whole file); the footer is read once."""
        import fsspec
        import pyarrow.parquet as pq

        if "://" in self.path:  # no read-ahead cache: a column chunk is one request of its own size, not 5 MB
            filesystem, path = fsspec.core.url_to_fs(self.path, **self.storage_options)
            opened = filesystem.open(path, "rb", cache_type="none")
        else:
            opened = open(self.path, "rb")
        with opened as file:
            # No pyarrow threads: with them, a process that read over HTTPS may abort at exit.
            parquet = pq.ParquetFile(file, metadata=self._metadata, pre_buffer=False)
            self._metadata = parquet.metadata
            if group is None:
                return parquet.read(columns, use_threads=False)
            return parquet.read_row_group(group, columns, use_threads=False)

    def _locate(self) -> dict[tuple[str, int], tuple[int, int]]:
        if self._where is None:
            if self._metadata is None:
                self._read([])  # the footer only
            self._where = cad_mesh_rows(self._metadata) or self._read_keys()
        return self._where

    def _read_keys(self) -> dict[tuple[str, int], tuple[int, int]]:
        """Where each model is, from the key columns (when the footer's statistics cannot tell)."""
        table = self._read(["category", "cad_index"])
        sizes = [self._metadata.row_group(g).num_rows for g in range(self._metadata.num_row_groups)]
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

    def __call__(self, batch: dict) -> dict:
        if "category" not in batch or "cad_index" not in batch:
            return batch  # one column asked for: nothing to join
        glbs = [self.glb(c, i) for c, i in zip(batch["category"], batch["cad_index"])]
        meshes = [read_glb(data) for data in glbs]
        return {**batch, "vertices": [v for v, _ in meshes], "faces": [f for _, f in meshes], "glb": glbs}


def _with_cad_geometry(dataset, source: str, local: bool, kwargs: dict):
    """cad_models rows with their geometry joined in, lazily (see :class:`_CadGeometry`)."""
    import datasets
    from urllib.parse import quote

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

    def join(part):
        if isinstance(part, datasets.IterableDataset):
            return part.map(geometry, batched=True, batch_size=16)
        return part.with_transform(geometry)

    if isinstance(dataset, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        return type(dataset)({name: join(part) for name, part in dataset.items()})
    return join(dataset)


def object_id(image_id: str, index: int) -> str:
    """The id of the ``index``-th object of an image, as the official object-centric
    files name it (``<stem>_<obj:02d>``): ``"chair/n03001627_123_00"``.

        >>> object_id("chair/n03001627_123", 1)
        'chair/n03001627_123_01'
    """
    return f"{image_id}_{index:02d}"


