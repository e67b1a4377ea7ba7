"""torch where it is installed, a stand-in where it is not: ``ArrowBatches``' base class.

With torch installed, :class:`IterableDataset` is torch's, so a DataLoader runs
``ArrowBatches`` in its workers; without it, a plain base, so pyarrow-only
pipelines need no torch. Importing this module imports torch when it is
installed, which is why ``imagenet3d`` resolves the names that use it lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch.utils.data import IterableDataset
else:
    try:
        from torch.utils.data import IterableDataset
    except ImportError:
        class IterableDataset:
            """Stands in for ``torch.utils.data.IterableDataset`` when torch is not installed."""

__all__ = ["IterableDataset"]
