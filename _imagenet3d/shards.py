"""A split's Parquet shards: which files they are, and opening one for reading."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from _imagenet3d.configs import get_config
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.hub_faults import naming_hub_faults
from _imagenet3d.sources import check_source, hub_failure

if TYPE_CHECKING:
    import pyarrow.parquet as pq

#: Where ``load`` and the streams read from when no source is given: a Hub repo id or a local
#: folder written by ``python -m conversion build``.
DEFAULT_SOURCE = os.environ.get("IMAGENET3D_SOURCE", "imagenet3d")


@contextmanager
def open_parquet(path: str) -> Iterator[pq.ParquetFile]:
    """A ``pyarrow.parquet.ParquetFile`` of a shard: memory-mapped when it is a local file
    (no Python file object between Arrow and the page cache), else through fsspec (hf://...),
    whose reads huggingface_hub retries; a Hub fault that outlasts them, while opening or while
    reading inside the block, is one HubFaultError line (_imagenet3d/hub_faults.py)."""
    parquet = require("pyarrow.parquet", "hub")
    if "://" not in path or path.startswith("file://"):
        yield parquet.ParquetFile(path.removeprefix("file://"), memory_map=True)
        return
    fsspec = require("fsspec", "hub")
    with naming_hub_faults(path), fsspec.open(path, "rb") as file:
        yield parquet.ParquetFile(file)


def split_files(config: str, split: str, source: str | os.PathLike | None = None, **load_kwargs: Any) -> list[str]:
    """The Parquet shards of one split of a config (local paths or hf:// URLs), sorted.

        >>> imagenet3d.split_files("open_vocabulary", "validation_novel", "demo/imagenet3d")  # doctest: +SKIP
        ['.../data/validation-novel-00000-of-00001.parquet']
    """
    get_config(config)  # a one-line error for an unknown config, before datasets is imported
    datasets = require("datasets", "hub")
    source = os.fspath(source or DEFAULT_SOURCE)
    local = check_source(source, config)
    try:
        with naming_hub_faults(source):
            builder = datasets.load_dataset_builder(source, config, **load_kwargs)
    except (datasets.exceptions.DatasetNotFoundError, FileNotFoundError, ConnectionError) as error:
        if local:
            raise
        raise hub_failure(source, error) from None
    if split not in builder.config.data_files:
        splits = ", ".join(builder.config.data_files)
        raise Imagenet3DError(f"config {config!r} has no split {split!r}; splits: {splits}")
    return sorted(builder.config.data_files[split])
