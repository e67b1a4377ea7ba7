"""Features of the object crops under a frozen backbone, streamed from the shards and cached on disk.

Linear probing (ImageNet3D, Ma et al. 2024, Sec. 5; imagenet3d_exp ``scripts/linear_probing.py``)
trains many probes over one frozen backbone. Its features are computed once per split and
kept in one ``.npz`` file per (source shards, config, split, backbone weights, crop and centre
size, normalisation, flip), written under a temporary name and renamed, so that probes with other
learning rates reuse them. A cached file is used only when its key matches and its object ids
are exactly the split's usable objects; anything else is extracted again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from _imagenet3d import backbones, crops, decoding
from _imagenet3d.backbones import Backbone
from _imagenet3d.crops import object_id
from _imagenet3d.decoding import collate_objects
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.files import temporary_name
from _imagenet3d.shards import open_parquet, split_files
from _imagenet3d.streams import object_stream, usable_objects

try:
    import torch
except ModuleNotFoundError:
    require("torch", "torch")   # says which extra adds it, in one line
    raise

#: The official probes' choices of layers (``use_n_blocks_list``, imagenet3d_exp
#: ``imagenet3d/models/linear_classifier.py``): the last layer, the last four, four spread evenly.
PROBE_BLOCKS: tuple[str, ...] = ("1_last", "4_last", "4_uniform")
_FORMAT = 1            # bump when the file's layout or meaning changes
_TAIL = 1 << 16        # bytes of each shard hashed: the Parquet footer (row groups, sizes, statistics)


def select_layers(blocks: str, num_layers: int) -> list[int]:
    """The layers (0-based, of ``num_layers``) whose CLS tokens a probe concatenates: imagenet3d_exp's
    ``select_layers``. ``4_*`` needs at least 4 layers (a plain module has one).

        >>> select_layers("1_last", 12), select_layers("4_last", 12), select_layers("4_uniform", 12)
        ([11], [8, 9, 10, 11], [2, 5, 8, 11])
    """
    if blocks not in PROBE_BLOCKS:
        raise Imagenet3DError(f"unknown blocks {blocks!r}; choose from {', '.join(PROBE_BLOCKS)}")
    if blocks == "1_last":
        return [num_layers - 1]
    if num_layers < 4:
        raise Imagenet3DError(f"blocks {blocks} needs a backbone with at least 4 layers; this one has {num_layers}")
    if blocks == "4_last":
        return list(range(num_layers - 4, num_layers))
    return [num_layers // 4 - 1, num_layers // 2 - 1, num_layers // 4 * 3 - 1, num_layers - 1]


def cached_layers(num_layers: int) -> list[int]:
    """Every layer some official probe reads (so one cache serves all blocks choices)."""
    usable = PROBE_BLOCKS if num_layers >= 4 else PROBE_BLOCKS[:1]
    return sorted({layer for blocks in usable for layer in select_layers(blocks, num_layers)})


@dataclass
class ProbeFeatures:
    """The features of one split's usable objects: ``layers[l]`` the ``[N, D_l]`` CLS vectors of
    layer ``l`` (of ``num_layers``), ``patch_mean`` the average-pooled patch tokens of the last
    layer (None without tokens), ``angles`` the ``[N, 3]`` azimuth, elevation, theta (radians).
    ``flipped``: the same objects mirrored, with the angles the official ``hflip`` gives
    (azimuth 2pi - a, theta -t), for the training augmentation. ``note`` says where they came from."""

    ids: list[str]
    categories: list[str]
    angles: np.ndarray
    num_layers: int
    layers: dict[int, np.ndarray]
    patch_mean: np.ndarray | None = None
    flipped: ProbeFeatures | None = None
    path: str | None = None
    from_cache: bool = False
    note: str = field(default="", repr=False)

    def __len__(self) -> int:
        return len(self.ids)


def mirrored_angles(angles: np.ndarray) -> np.ndarray:
    """The pose of a horizontally flipped crop: imagenet3d_exp ``imagenet3d/datasets/__init__.py`` ``hflip``."""
    flipped = np.array(angles, dtype=np.float64, copy=True)
    flipped[:, 0] = 2 * np.pi - flipped[:, 0]
    flipped[:, 2] = -flipped[:, 2]
    return flipped


def split_object_ids(files: Sequence[str]) -> list[str]:
    """The ids (``object_id``) of the usable objects of a split's shards, in file order."""
    places = usable_objects(list(files))
    image_ids: dict[str, list] = {}
    starts: dict[str, np.ndarray] = {}
    for path in files:
        with open_parquet(path) as parquet:
            image_ids[path] = parquet.read(columns=["image_id"]).column(0).to_pylist()
            rows = [parquet.metadata.row_group(g).num_rows for g in range(parquet.metadata.num_row_groups)]
            starts[path] = np.concatenate([[0], np.cumsum(rows)])
    return [object_id(image_ids[path][int(starts[path][group]) + row], index) for path, group, row, index in places]


def source_fingerprint(files: Sequence[str]) -> list[list]:
    """[name, size, sha256 of the last 64 KiB] of every shard: the Parquet footer, which holds every
    row group's offsets, sizes and statistics, so re-converted shards give another fingerprint."""
    fingerprint = []
    for path in files:
        if "://" in path and not path.startswith("file://"):
            opened: Any = require("fsspec", "hub").open(path, "rb")
        else:
            opened = open(path.removeprefix("file://"), "rb")
        with opened as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - _TAIL))
            fingerprint.append([path.rsplit("/", 1)[-1], size, hashlib.sha256(handle.read()).hexdigest()])
    return fingerprint


def cache_key(backbone: Backbone, config: str, split: str, files: Sequence[str], flip: bool) -> dict[str, Any]:
    """Everything the features depend on. The source of the crop, decoding, backbone and extraction
    code is part of it, so features of changed code are never reused."""
    return {"format": _FORMAT, "config": config, "split": split, "source": source_fingerprint(files),
            "backbone": backbone.identity, "hidden_states": backbone.hidden_states,
            "crop_size": backbone.crop_size, "input_size": backbone.input_size,
            "mean": [float(v) for v in backbone.mean], "std": [float(v) for v in backbone.std], "flip": flip,
            "code": hashlib.sha256("".join(map(inspect.getsource, (crops, decoding, backbones, sys.modules[__name__])))
                               .encode()).hexdigest()}


def default_cache_dir() -> Path:
    """``$IMAGENET3D_CACHE/probe-features``, else ``$XDG_CACHE_HOME/imagenet3d/probe-features``
    (``~/.cache`` without XDG_CACHE_HOME)."""
    root = os.environ.get("IMAGENET3D_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "imagenet3d")
    return Path(root) / "probe-features"


def _cache_path(cache_dir: Path, key: dict, backbone: Backbone) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    label = re.sub(r"[^A-Za-z0-9_.-]+", "-", type(backbone.module).__name__)[:40]
    return cache_dir / f"{key['config']}-{key['split']}-{label}-{backbone.crop_size}px-{digest}.npz"


def _arrays(features: ProbeFeatures, prefix: str = "") -> dict[str, np.ndarray]:
    arrays = {f"{prefix}layer_{layer}": values for layer, values in features.layers.items()}
    if features.patch_mean is not None:
        arrays[f"{prefix}patch_mean"] = features.patch_mean
    return arrays


def _save(path: Path, key: dict, features: ProbeFeatures) -> None:
    """Written to a temporary file in the same folder, then renamed: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"key": key, "num_layers": features.num_layers, "layers": sorted(features.layers)}
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta, sort_keys=True)), "ids": np.array(features.ids),
              "categories": np.array(features.categories), "angles": features.angles, **_arrays(features)}
    if features.flipped is not None:
        arrays.update(_arrays(features.flipped, "flipped_"))
    temporary = temporary_name(path)   # streamed, not atomic_write's bytes: a cache can be gigabytes
    try:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _load(path: Path, key: dict, expected_ids: set[str]) -> tuple[ProbeFeatures | None, str]:
    """(features, "") from a valid cache file, else (None, why it was not used)."""
    if not path.is_file():
        return None, "no cache"
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        meta = json.loads(str(arrays.pop("meta")))
        if not isinstance(meta, dict) or not {"angles", "categories", "ids"} <= set(arrays) \
                or not isinstance(meta.get("layers"), list):
            return None, "its contents are incomplete"
    # A file cut short or damaged by another tool (a killed copy, a full disk): extract again.
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        return None, f"unreadable ({type(error).__name__})"
    if meta.get("key") != key:
        return None, "its key differs"
    ids = [str(i) for i in arrays.pop("ids")]
    rows = len(ids)
    if len(set(ids)) != rows or set(ids) != expected_ids:
        return None, "its object ids are not the split's usable objects"
    layers = [int(layer) for layer in meta["layers"]]
    prefixes = ("", "flipped_") if key["flip"] else ("",)
    needed = {f"{p}layer_{layer}" for p in prefixes for layer in layers}
    features = [values for name, values in arrays.items() if name not in ("angles", "categories")]
    if (not needed <= set(arrays) or any(values.ndim != 2 or len(values) != rows for values in features)
            or arrays["angles"].shape != (rows, 3) or len(arrays["categories"]) != rows):
        return None, "its arrays are inconsistent"

    def part(prefix: str, angles: np.ndarray) -> ProbeFeatures:
        return ProbeFeatures(ids, [str(c) for c in arrays["categories"]], angles, int(meta["num_layers"]),
                             {layer: arrays[f"{prefix}layer_{layer}"] for layer in layers},
                             arrays.get(f"{prefix}patch_mean"), path=str(path), from_cache=True)

    loaded = part("", arrays["angles"])
    if key["flip"]:
        loaded.flipped = part("flipped_", mirrored_angles(arrays["angles"]))
    return loaded, ""


def _collate(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """``collate_objects`` of what a probe needs (the crop, id, category, angles, padding flag)."""
    keep = ("image", "object_id", "category", "azimuth", "elevation", "theta", "is_padding")
    return collate_objects([{key: sample[key] for key in keep} for sample in samples])


def _extract(backbone: Backbone, stream: Any, total: int, batch_size: int, num_workers: int, flip: bool,
             device: str, progress: str | None) -> ProbeFeatures:
    tqdm = require("tqdm", "hub").tqdm
    loader = torch.utils.data.DataLoader(stream, batch_size=batch_size, num_workers=num_workers, collate_fn=_collate)
    backbone.module.to(device)
    ids: list[str] = []
    categories: list[str] = []
    angles: list[np.ndarray] = []
    parts: dict[str, list[list[np.ndarray]]] = {"": [], "flipped_": []}
    keep: list[int] = []
    num_layers = 0
    with tqdm(total=total, unit="obj", desc=progress, disable=progress is None) as bar:
        for batch in loader:
            real = ~batch["is_padding"]
            images = backbone.prepare(batch["image"][real].to(device))
            if not len(images):
                continue
            views = {"": images, "flipped_": images.flip(-1)} if flip else {"": images}
            for prefix, view in views.items():
                layers, patch_mean = backbone.layers(view)
                if not keep:
                    num_layers, keep = len(layers), cached_layers(len(layers))
                arrays = [layers[layer].cpu().numpy() for layer in keep]
                parts[prefix].append(arrays + ([patch_mean.cpu().numpy()] if patch_mean is not None else []))
            ids += [oid for oid, pad in zip(batch["object_id"], batch["is_padding"].tolist()) if not pad]
            categories += [c for c, pad in zip(batch["category"], batch["is_padding"].tolist()) if not pad]
            angles.append(torch.stack([batch[k][real] for k in ("azimuth", "elevation", "theta")], 1).numpy())
            bar.update(len(images))
    if not ids:
        raise Imagenet3DError("the split has no usable objects to extract features of")
    all_angles = np.concatenate(angles).astype(np.float64)

    def assemble(prefix: str, values: np.ndarray) -> ProbeFeatures:
        columns = [np.concatenate(column).astype(np.float32) for column in zip(*parts[prefix])]
        patch_mean = columns[len(keep)] if len(columns) > len(keep) else None
        return ProbeFeatures(ids, categories, values, num_layers, dict(zip(keep, columns[:len(keep)])), patch_mean)

    features = assemble("", all_angles)
    if flip:
        features.flipped = assemble("flipped_", mirrored_angles(all_angles))
    return features


def extract_features(backbone: Backbone, split: str = "train", *, source: str | os.PathLike | None = None,
                     config: str = "default", cache_dir: str | os.PathLike | None = None, flip: bool = False,
                     batch_size: int = 64, num_workers: int = 0, device: str = "cpu", progress: bool = True,
                     **load_kwargs: Any) -> ProbeFeatures:
    """The frozen backbone's features of every usable object of one split, cached on disk.

    The objects are streamed from the split's Parquet shards with ``object_stream`` (the official
    object-centric crop, ``center_and_resize`` at ``backbone.crop_size``), and read in eval mode
    under ``torch.no_grad`` in batches of ``batch_size`` (``num_workers`` DataLoader workers).
    ``flip`` also keeps the features of the mirrored crops (the official training augmentation,
    ``RandomHorizontalFlip``). The result is cached in ``cache_dir`` (default
    :func:`default_cache_dir`) keyed by :func:`cache_key`; a cached file whose ids are not the
    split's usable objects is never used. ``.note`` says whether it was reused or extracted.
    """
    files = split_files(config, split, source, **load_kwargs)
    expected = split_object_ids(files)
    if len(set(expected)) != len(expected):
        raise Imagenet3DError(f"split {split!r} has repeated object ids; cannot key its features")
    key = cache_key(backbone, config, split, files, flip)
    path = _cache_path(Path(cache_dir) if cache_dir is not None else default_cache_dir(), key, backbone)
    cached, why = _load(path, key, set(expected))
    if cached is not None:
        cached.note = f"reused the cached features of {split} ({len(cached)} objects): {path}"
        return cached
    stream = object_stream(config, split, source=source, num_workers=num_workers, size=backbone.crop_size,
                           shuffle=False, buffer_size=None, remainder="pad", **load_kwargs)
    features = _extract(backbone, stream, len(expected), batch_size, num_workers, flip, device,
                        f"features of {split}" if progress else None)
    if sorted(features.ids) != sorted(expected):
        raise Imagenet3DError(f"the stream of {split!r} gave {len(features)} objects, not its {len(expected)} "
                              "usable objects")
    stale = "" if why == "no cache" else f" (the cached file was not used: {why})"
    try:
        _save(path, key, features)
    except OSError as error:   # an unwritable cache costs the next run, not this one's features
        features.note = (f"extracted the features of {split} ({len(features)} objects); NOT cached, "
                         f"{path.parent}: {error.strerror or error}{stale}")
        return features
    features.path = str(path)
    features.note = f"extracted the features of {split} ({len(features)} objects), cached in {path}{stale}"
    return features
