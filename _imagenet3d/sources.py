"""Where a dataset comes from: a local converted folder or a Hub dataset, checked before ``datasets``
reads it, with one-line errors for what can be neither (``load``, ``split_files`` and what builds on them)."""

from __future__ import annotations

import difflib
import os
import re
import zipfile

from _imagenet3d.errors import SourceError
from _imagenet3d.extras import require
from _imagenet3d.release import release_root


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


def missing_source(source: str, hub: str) -> SourceError:
    """Neither a local folder nor a Hub dataset: say both, with the nearest local folder name."""
    parent = os.path.dirname(os.path.normpath(source)) or "."
    nearby = ([os.path.join(parent, name) if parent != "." else name for name in os.listdir(parent)]
              if os.path.isdir(parent) else [])
    close = difflib.get_close_matches(source, [name for name in nearby if name != source], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return SourceError(f"no local folder {source!r} under {os.getcwd()}{hint}, and {hub}")


HUB_REPO_ID = re.compile(r"[\w.-]+/[\w.-]+")


def check_source(source: str, config: str) -> bool:
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
    if not (source.startswith("hf://") or HUB_REPO_ID.fullmatch(source)):
        raise missing_source(source, f"{source!r} is not a Hub dataset id (ORG/NAME): pass source= a folder "
                                      "written by python -m conversion build, or a Hub dataset ORG/NAME")
    return False




def hub_failure(source: str, error: Exception) -> SourceError:
    """A Hub source ``datasets`` could not load (not found, no connection), as one line."""
    reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return missing_source(source, f"no Hub dataset {source!r} could be loaded ({reason})")
