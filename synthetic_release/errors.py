"""The generator's errors: input the user can fix, so the command line prints them in one line."""

from __future__ import annotations

import imagenet3d


class SyntheticReleaseError(imagenet3d.Imagenet3DError):
    """Arguments the generator cannot honour, or a folder that is not a synthetic release."""


class UnknownCategoryError(SyntheticReleaseError):
    """A category name the shape table does not know (a misspelling, or a category without a row)."""

    def __init__(self, category: str) -> None:
        super().__init__(f"no shape for unknown category {category!r}: add it to synthetic_release/shapes/registry.py")
        self.category = category
