"""Optional dependencies: import one, or say which ``pip install "imagenet3d[<extra>]"`` adds it.

``pip install imagenet3d`` brings numpy only: the dataset's definition (categories,
camera, file formats, evaluation). Each extra of pyproject.toml adds the libraries
of one part (``hub``: datasets, pyarrow, huggingface_hub, Pillow; ``torch``), and
:func:`require` is how that part imports them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from _imagenet3d.errors import MissingExtraError


def require(module: str, extra: str) -> ModuleType:
    """``importlib.import_module(module)``, or :class:`MissingExtraError` (one line) naming
    ``pip install "imagenet3d[<extra>]"`` when it, or a module it needs, is not installed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        missing = error.name or module
        needed = "" if missing == module.partition(".")[0] or missing == module else f" (needed by {module})"
        missing_extra = MissingExtraError(
            f"{missing}{needed} is not installed: pip install \"imagenet3d[{extra}]\" adds it")
        missing_extra.name = missing
        raise missing_extra from None
