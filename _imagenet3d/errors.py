"""The library's errors: one base, :class:`Imagenet3DError`, that every tool catches.

An ``Imagenet3DError`` is a failure the user can fix (bad input, a missing extra, a refused
upload); its message is one line that says what to do. The command-line tools print it and
exit; anything else they let through with its traceback, because it is a bug.
It subclasses ``ValueError`` so that code written against the older, separate
``ValueError`` subclasses keeps catching them.
"""

from __future__ import annotations


class Imagenet3DError(ValueError):
    """Base of every error this project raises on purpose; the message is one line."""


class MissingExtraError(Imagenet3DError, ModuleNotFoundError):
    """A part of the library needs an optional dependency that is not installed; the message
    names the ``pip install "imagenet3d[<extra>]"`` that adds it. A ``ModuleNotFoundError``
    too (``.name`` is the missing module), as the plain import failure it replaces was."""


class AnnotationError(Imagenet3DError):
    """An annotation file that cannot be read as the release's format."""


class UnsafePickleError(AnnotationError):
    """An annotation pickle that asks for anything but numpy data and builtins."""


class OffError(Imagenet3DError):
    """Text that is not an ASCII OFF triangle mesh as the release stores its CAD models (one-line reason)."""


class GlbError(Imagenet3DError):
    """Bytes that are not a GLB triangle mesh as :func:`write_glb` writes it (one-line reason)."""


class SourceError(Imagenet3DError):
    """A source that cannot be read: for :func:`load`, one that is not a converted ImageNet3D
    dataset (a raw release, a folder without the dataset's configs, or neither a local folder nor a
    Hub dataset); for the converter, one that is not a readable raw release."""


class PredictionError(Imagenet3DError):
    """Predictions that cannot be scored; the message names the first offender."""
