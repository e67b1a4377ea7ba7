"""The config table of the Hub dataset: names, splits, data files, shard names, features.

One :class:`Config` per config in :data:`CONFIGS`; :data:`CONFIG_SPLITS`, :func:`features`,
the converter's file names and the card's ``configs:``/``dataset_info`` YAML, the loaders and
the viewer all read it. Shards are named ``<folder>/<partition>-<NNNNN>-of-<NNNNN>.parquet``
(:func:`shard_path`, parsed back by :func:`parse_shard`); image partitions are
``<split>-known`` and ``<split>-novel`` (:func:`partition_name`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require

# ---------------------------------------------------------------------------
# Shard and partition names
# ---------------------------------------------------------------------------

_SHARD = re.compile(r"(?P<partition>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.parquet")


@dataclass(frozen=True)
class Shard:
    """What a shard's file name says: ``train-known-00003-of-00024.parquet``."""

    partition: str
    index: int
    count: int


def shard_name(partition: str, index: int = 0, count: int = 1) -> str:
    """``<partition>-<index:05d>-of-<count:05d>.parquet``."""
    return f"{partition}-{index:05d}-of-{count:05d}.parquet"


def shard_path(folder: str, partition: str, index: int = 0, count: int = 1) -> str:
    """``<folder>/`` + :func:`shard_name`; a single-file config is ``shard_path(config, config)``."""
    return f"{folder}/{shard_name(partition, index, count)}"


def parse_shard(path: str) -> Shard:
    """The :class:`Shard` a path's file name spells (any folder, local or URL); a one-line
    error for a file that is not named as a shard."""
    name = path.rsplit("/", 1)[-1]
    match = _SHARD.fullmatch(name)
    if match is None:
        raise Imagenet3DError(f"{path}: {name!r} is not a shard name <partition>-NNNNN-of-NNNNN.parquet")
    return Shard(match["partition"], int(match["index"]), int(match["count"]))


#: The two groups of categories of the open-vocabulary protocol; an image partition is split x group.
PARTITION_GROUPS = ("known", "novel")


def partition_name(split: str, known: bool) -> str:
    """The partition of an image: ``train-known``, ``validation-novel``, ..."""
    return f"{split}-{PARTITION_GROUPS[0] if known else PARTITION_GROUPS[1]}"


def partition_split(partition: str) -> str:
    """The Hub split of a partition: ``train`` for ``train-known``."""
    split, _, group = partition.rpartition("-")
    if group not in PARTITION_GROUPS:
        raise Imagenet3DError(f"{partition!r} is not a partition <split>-{{{','.join(PARTITION_GROUPS)}}}")
    return split


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def _image_row(datasets: Any) -> dict:
    string, f64, i32 = datasets.Value("string"), datasets.Value("float64"), datasets.Value("int32")
    obj = {
        "category": string,
        "bbox": datasets.List(f64, length=4),
        "azimuth": f64, "elevation": f64, "theta": f64, "distance": f64,
        "viewport": i32, "focal": f64, "px": f64, "py": f64,
        "cad_index": i32, "object_status": string, "dense": string,
        "usable": datasets.Value("bool"),
    }
    return {
        "image_id": string, "category": string, "category_id": i32, "super_category": string,
        "known": datasets.Value("bool"), "synset": string, "width": i32, "height": i32,
        "caption": string, "objects": datasets.List(obj),
    }


def _images(datasets: Any) -> dict:
    return {"image": datasets.Image(), **_image_row(datasets)}


def _cad_models(datasets: Any) -> dict:
    # Only types Data Studio can show: the geometry is in CAD_MESHES_FILE; load() joins it in.
    i32 = datasets.Value("int32")
    return {"category": datasets.Value("string"), "cad_index": i32, "num_vertices": i32,
            "num_faces": i32, "preview": datasets.Image()}


def _categories(datasets: Any) -> dict:
    string, i32 = datasets.Value("string"), datasets.Value("int32")
    return {
        "category": string, "category_id": i32, "super_category": string,
        "known": datasets.Value("bool"), "synsets": datasets.List(string),
        "num_cad_models": i32, "description": string,
        "num_images": i32, "num_objects": i32, "num_usable_objects": i32,
        "num_train_images": i32, "num_validation_images": i32,
    }


@dataclass(frozen=True)
class Config:
    """One config of the Hub dataset."""

    name: str
    folder: str                              # where its Parquet files are, from the repo root
    data_files: dict[str, tuple[str, ...]]   # split -> file globs from the repo root (the card's YAML)
    description: str                         # what a row is (the card's table of configs)
    columns: Callable[[Any], dict] = field(repr=False)  # datasets module -> its features as a dict

    @property
    def splits(self) -> tuple[str, ...]:
        return tuple(self.data_files)

    def features(self) -> Any:
        """Its ``datasets.Features`` (datasets is imported only now; without it, the [hub] extra is named)."""
        datasets = require("datasets", "hub")
        return datasets.Features(self.columns(datasets))


def _globs(folder: str, prefix: str) -> tuple[str, ...]:
    return (f"{folder}/{prefix}-*.parquet",)


def _single_file(name: str, description: str, columns: Callable[[Any], dict]) -> Config:
    return Config(name, name, {"train": (shard_path(name, name),)}, description, columns)


#: Every config, in the card's order; ``default`` first.
CONFIGS: dict[str, Config] = {config.name: config for config in (
    Config("default", "data",
           {"train": _globs("data", "train"), "validation": _globs("data", "validation")},
           "an image with all its objects", _images),
    Config("open_vocabulary", "data",
           {"train": _globs("data", partition_name("train", True)),
            "validation_known": _globs("data", partition_name("validation", True)),
            "validation_novel": _globs("data", partition_name("validation", False))},
           "the same rows, split by the paper's open-vocabulary protocol (train on the 63 known categories)",
           _images),
    Config("annotations", "annotations",
           {"train": _globs("annotations", "train"), "validation": _globs("annotations", "validation")},
           "an image row without the image bytes (small: analysis, filtering)", _image_row),
    _single_file("cad_models", "one CAD model: its counts and a rendered preview (geometry: see CAD models)",
                 _cad_models),
    _single_file("categories", "one category", _categories),
)}

#: Configs of the Hub dataset and their splits.
CONFIG_SPLITS: dict[str, tuple[str, ...]] = {name: config.splits for name, config in CONFIGS.items()}


def get_config(name: str) -> Config:
    """The :class:`Config` called ``name``; a one-line error naming the configs otherwise."""
    if name not in CONFIGS:
        raise Imagenet3DError(f"unknown config {name!r}; configs: {', '.join(CONFIGS)}")
    return CONFIGS[name]


def features(config: str = "default") -> Any:
    """The ``datasets.Features`` of a config of the Hub dataset.

    ``default`` and ``open_vocabulary`` rows are images with their objects;
    ``annotations`` are the same rows without the image bytes; ``cad_models``
    has one row per CAD model (counts and a rendered preview; :func:`load` adds
    the geometry) and ``categories`` one per category.
    """
    return get_config(config).features()
