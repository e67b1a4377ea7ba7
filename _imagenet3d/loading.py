"""``load``: one config of the converted dataset, from a local folder or the Hub, through ``datasets``."""

from __future__ import annotations

import os
from typing import Any

from _imagenet3d.cad_geometry import with_cad_geometry
from _imagenet3d.configs import CONFIG_SPLITS, get_config
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.hub_faults import naming_hub_faults
from _imagenet3d.shards import DEFAULT_SOURCE
from _imagenet3d.sources import check_source, hub_failure


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
    When the Hub keeps failing (429, 5xx, a dropped connection, a timeout) after
    the retries huggingface_hub and datasets make, one ``HubFaultError`` line
    (a SourceError) names the cause; reads while iterating a streamed dataset
    are retried and reported by datasets itself.

        >>> ds = imagenet3d.load(source="demo/imagenet3d")                  # doctest: +SKIP
        >>> ov = imagenet3d.load("open_vocabulary", "validation_novel", streaming=True,
        ...                      source="org/imagenet3d")                   # doctest: +SKIP
    """
    get_config(config)  # a one-line error for an unknown config
    if split is not None and split not in CONFIG_SPLITS[config]:
        raise Imagenet3DError(f"config {config!r} has no split {split!r}; splits: {', '.join(CONFIG_SPLITS[config])}")
    datasets = require("datasets", "hub")
    source = os.fspath(source or DEFAULT_SOURCE)
    local = check_source(source, config)
    try:
        with naming_hub_faults(source):
            dataset = datasets.load_dataset(source, config, split=split, streaming=streaming, **kwargs)
    except (datasets.exceptions.DatasetNotFoundError, FileNotFoundError, ConnectionError) as error:
        if local:
            raise
        raise hub_failure(source, error) from None
    return with_cad_geometry(dataset, source, local, kwargs) if config == "cad_models" else dataset
