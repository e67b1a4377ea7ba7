"""TODO docstring."""

from __future__ import annotations




# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class AnnotationError(ValueError):
    """An annotation file that cannot be read as the release's format."""


class UnsafePickleError(AnnotationError):
    """An annotation pickle that asks for anything but numpy data and builtins."""




class GlbError(ValueError):
    """Bytes that are not a GLB triangle mesh as :func:`write_glb` writes it (one-line reason)."""


class SourceError(ValueError):
    """A ``source`` that is not a converted ImageNet3D dataset: a raw release,
    a folder without the dataset's configs, or neither a local folder nor a Hub dataset."""


class PredictionError(ValueError):
    """Predictions that cannot be scored; the message names the first offender."""
