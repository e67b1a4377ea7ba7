"""``load``: one config of the converted dataset, from a local folder or the Hub, through ``datasets``."""

from __future__ import annotations

import difflib
import os
import re
import zipfile
from typing import Any

from _imagenet3d.cad_geometry import with_cad_geometry
from _imagenet3d.configs import CONFIG_SPLITS, get_config
from _imagenet3d.errors import Imagenet3DError, SourceError
from _imagenet3d.extras import require
from _imagenet3d.release import release_root
from _imagenet3d.shards import DEFAULT_SOURCE


def _check_local_source(path: str, config: str) -> None:
    """One-line errors for a local folder that ``load_dataset`` would misread."""
    convert = "convert it first with python -m conversion build"
    if release_root(path) is not None:
        raise SourceError(f"{path} is a raw ImageNet3D release, not a converted dataset: {convert} {path} OUT")
    readme = os.path.join(path, "README.md")
    if not os.path.isfile(readme):
        raise SourceError(f"{path} is not a converted ImageNet3D dataset (no README.md with its configs): "
                          f"{convert} RELEASE {path}")
    card = require("huggingface_hub", "hub").DatasetCard.load(readme)
    configs = [entry.get("config_name") for entry in card.data.get("configs") or []]
    if config not in configs:
        raise SourceError(f"{path} is not a converted ImageNet3D dataset: its README.md declares no config "
                          f"{config!r} (it has: {', '.join(map(str, configs)) or 'none'}); {convert} RELEASE {path}")


def _missing_source(source: str, hub: str) -> SourceError:
    """Neither a local folder nor a Hub dataset: say both, with the nearest local folder name."""
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
         source: str | os.PathLike | None = None, **kwargs: Any) -> Any:
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
    nor a Hub dataset; :class:`MissingExtraError` without ``imagenet3d[hub]``.

        >>> ds = imagenet3d.load(source="demo/imagenet3d")                  # doctest: +SKIP
        >>> ov = imagenet3d.load("open_vocabulary", "validation_novel", streaming=True,
        ...                      source="org/imagenet3d")                   # doctest: +SKIP
    """
    get_config(config)  # a one-line error for an unknown config
    if split is not None and split not in CONFIG_SPLITS[config]:
        raise Imagenet3DError(f"config {config!r} has no split {split!r}; splits: {', '.join(CONFIG_SPLITS[config])}")
    datasets = require("datasets", "hub")
    source = os.fspath(source or DEFAULT_SOURCE)
    local = _check_source(source, config)
    try:
        dataset = datasets.load_dataset(source, config, split=split, streaming=streaming, **kwargs)
    except (datasets.exceptions.DatasetNotFoundError, FileNotFoundError, ConnectionError) as error:
        if local:
            raise
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise _missing_source(source, f"no Hub dataset {source!r} could be loaded ({reason})") from None
    return with_cad_geometry(dataset, source, local, kwargs) if config == "cad_models" else dataset
