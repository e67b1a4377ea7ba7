"""TODO docstring."""

from __future__ import annotations




def cad_relpath(category: str, cad_index: int) -> str:
    """Path of a CAD model inside the release: ``CAD/<category>/<NN>.off``.

    ``cad_index`` is 1-based, as in the release.
    """
    return f"CAD/{category}/{int(cad_index):02d}.off"


