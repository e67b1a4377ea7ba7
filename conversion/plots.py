"""Figures for the dataset card, drawn from the per-object table.

Uses matplotlib's object-oriented API with the Agg canvas, so importing this
module never touches pyplot's global state or the user's backend.  Every PNG
is byte-deterministic for the same table (no timestamp or version stamped in
the metadata), stored as a 256-colour palette PNG to stay small, and written
atomically (temporary file, then os.replace).
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

import imagenet3d
from _imagenet3d.files import atomic_write

if TYPE_CHECKING:
    import pyarrow as pa

REQUIRED_COLUMNS = ("category", "super_category", "split", "azimuth", "elevation", "usable")
SPLIT_ORDER = ("train", "validation")
SPLIT_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3")
MISSING = "(missing)"
DPI = 100
# matplotlib stamps its version as "Software" in PNGs; drop it.  (The palette
# re-encode in _png_bytes would discard it anyway, but keep savefig's output clean.)
PNG_METADATA = {"Software": None}

CATEGORY_PNG = "objects_per_category.png"
SUPER_CATEGORY_PNG = "objects_per_super_category.png"
AZIMUTH_PNG = "azimuth_distribution.png"
ELEVATION_PNG = "elevation_distribution.png"


# ----------------------------------------------------------------------------
# Table access
# ----------------------------------------------------------------------------

def _check_table(objects: pa.Table) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in objects.column_names]
    if missing:
        raise ValueError(f"objects table lacks required column(s): {', '.join(missing)}")
    if objects.num_rows == 0:
        raise ValueError("objects table is empty: there is nothing to plot")


def _strings(objects: pa.Table, name: str) -> list[str]:
    return [MISSING if s is None else str(s) for s in objects.column(name).to_pylist()]


def _usable_degrees(objects: pa.Table, name: str) -> tuple[np.ndarray, list[str]]:
    """Angles in degrees of usable objects that have one, with their splits."""
    angles = objects.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
    usable = objects.column("usable").fill_null(False).to_numpy(zero_copy_only=False)
    keep = np.asarray(usable, dtype=bool) & np.isfinite(angles)  # nulls arrive as NaN
    splits = [s for s, k in zip(_strings(objects, "split"), keep) if k]
    return np.degrees(angles[keep]), splits


def _split_order(splits: Sequence[str]) -> list[str]:
    """Known splits first in their usual order, then any others alphabetically."""
    present = set(splits)
    return [s for s in SPLIT_ORDER if s in present] + sorted(present - set(SPLIT_ORDER))


def _counts_by_split(groups: Sequence[str], splits: Sequence[str]
                     ) -> tuple[list[str], list[str], np.ndarray]:
    """Group labels sorted by total (largest first, ties by name), split order, count matrix."""
    pairs = Counter(zip(groups, splits))
    totals = Counter(groups)
    labels = sorted(totals, key=lambda g: (-totals[g], g))
    order = _split_order(splits)
    counts = np.array([[pairs[(g, s)] for s in order] for g in labels], dtype=np.int64)
    return labels, order, counts


# ----------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------

def _stacked_barh(fig: Figure, rect: tuple[float, float, float, float], labels: list[str],
                  order: list[str], counts: np.ndarray, label_size: float, title: str) -> None:
    """Horizontal bars stacked by split, largest group at the top, total at each bar's end."""
    ax = fig.add_subplot()
    y = np.arange(len(labels))
    left = np.zeros(len(labels))
    for i, split in enumerate(order):
        ax.barh(y, counts[:, i], left=left, height=0.8, label=split,
                color=SPLIT_COLORS[i % len(SPLIT_COLORS)])
        left += counts[:, i]
    for yi, total in zip(y, left):
        ax.text(total, yi, f" {int(total)}", va="center", ha="left", fontsize=label_size)
    ax.set_yticks(y, labels, fontsize=label_size)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # largest first, at the top
    ax.set_xlim(0, left.max() * 1.12)  # room for the totals
    ax.margins(y=0)
    ax.set_xlabel("objects")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if len(labels) > 60:  # tall chart: repeat the count axis at the top
        ax.tick_params(axis="x", top=True, labeltop=True)
    ax.legend(title="split", fontsize="small", loc="lower right")
    fig.tight_layout(rect=rect)


def _category_figure(objects: pa.Table) -> Figure:
    labels, order, counts = _counts_by_split(_strings(objects, "category"),
                                             _strings(objects, "split"))
    # ~0.14 in per bar keeps 189 categories legible at 7 pt without a huge file.
    fig = Figure(figsize=(7.5, max(3.5, 1.2 + 0.14 * len(labels))), dpi=DPI)
    _stacked_barh(fig, (0, 0, 1, 1), labels, order, counts, 7,
                  f"Objects per category ({len(labels)} categories, {objects.num_rows} objects)")
    return fig


def _super_category_figure(objects: pa.Table, note: str) -> Figure:
    labels, order, counts = _counts_by_split(_strings(objects, "super_category"),
                                             _strings(objects, "split"))
    caption = textwrap.fill(" ".join(note.split()), width=110)
    lines = caption.count("\n") + 1 if caption else 0
    height = max(3.5, 1.6 + 0.28 * len(labels)) + 0.14 * lines
    fig = Figure(figsize=(7.5, height), dpi=DPI)
    bottom = (0.08 + 0.14 * lines) / height  # strip reserved for the caption
    _stacked_barh(fig, (0, bottom, 1, 1), labels, order, counts, 8,
                  f"Objects per super-category ({len(labels)} groups)")
    fig.text(0.5, 0.06 / height, caption, ha="center", va="bottom", fontsize=7,
             style="italic", color="0.25")
    return fig


def _stacked_hist(fig: Figure, degrees: np.ndarray, splits: list[str], bins: np.ndarray,
                  xlabel: str, title: str) -> None:
    ax = fig.add_subplot()
    order = _split_order(splits)
    split_arr = np.array(splits, dtype=object)
    if degrees.size:
        data = [degrees[split_arr == s] for s in order]
        colors = [SPLIT_COLORS[i % len(SPLIT_COLORS)] for i in range(len(order))]
        heights, _, _ = ax.hist(data, bins=bins, stacked=True, label=order, color=colors,
                                edgecolor="white", linewidth=0.5)
        # Headroom above the tallest bar so the legend never covers data.
        ax.set_ylim(0, np.max(heights) * 1.25)
        ax.legend(fontsize="small", loc="upper right", ncols=len(order))
    else:
        ax.text(0.5, 0.5, "no usable objects with a pose", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("objects")
    ax.set_title(f"{title} (usable objects, n = {degrees.size})")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.tight_layout()


def _azimuth_figure(objects: pa.Table) -> Figure:
    degrees, splits = _usable_degrees(objects, "azimuth")
    fig = Figure(figsize=(7, 3.8), dpi=DPI)
    _stacked_hist(fig, degrees, splits, np.linspace(0.0, 360.0, 37), "azimuth (degrees)",
                  "Azimuth distribution")
    ax = fig.axes[0]
    ax.set_xticks(np.arange(0, 361, 45))
    return fig


def _elevation_bins(degrees: np.ndarray) -> np.ndarray:
    """5-degree bins over the data's range rounded out to tens: elevations span far
    less than 360 degrees, so fixed full-circle bins would squash them into a few bars."""
    if degrees.size == 0:
        return np.arange(-90.0, 90.1, 5.0)
    lo = max(-180.0, 10.0 * math.floor(degrees.min() / 10.0))
    hi = min(180.0, 10.0 * math.floor(degrees.max() / 10.0) + 10.0)
    return np.arange(lo, hi + 0.1, 5.0)


def _elevation_figure(objects: pa.Table) -> Figure:
    degrees, splits = _usable_degrees(objects, "elevation")
    degrees = imagenet3d.signed_angle(degrees, period=360.0)
    fig = Figure(figsize=(7, 3.8), dpi=DPI)
    bins = _elevation_bins(degrees)
    _stacked_hist(fig, degrees, splits, bins, "elevation (degrees)", "Elevation distribution")
    if bins[0] < 0.0 < bins[-1]:
        fig.axes[0].axvline(0.0, color="0.3", linewidth=0.8, linestyle="--")  # horizon
    return fig


# ----------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------

def _png_bytes(fig: Figure) -> bytes:
    """Render with Agg, then store as a 256-colour palette PNG.

    The figures use only a few hundred distinct colours (flat fills plus
    anti-aliased text), so the palette is visually lossless yet cuts the
    189-category chart to about a third of its RGBA size.
    """
    FigureCanvasAgg(fig)  # attach an Agg canvas explicitly; no pyplot involved
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata=PNG_METADATA)
    with Image.open(buf) as rgba:
        image = rgba.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT,
                                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True, dpi=(DPI, DPI))  # Pillow stamps no text chunks
    return out.getvalue()


def _write_atomic(path: str, data: bytes) -> None:
    atomic_write(path, data)


def write_figures(objects: pa.Table, out_dir: str | os.PathLike,
                  super_category_note: str) -> list[str]:
    """Write the dataset card's PNG figures into out_dir; return their names, sorted.

    `objects` has one row per object with at least the columns category,
    super_category, split (str), azimuth and elevation (float64 radians in
    [0, 2*pi), null without a pose) and usable (bool).  Raises ValueError for
    an empty table or missing columns.
    """
    _check_table(objects)
    out = os.fspath(out_dir)
    os.makedirs(out, exist_ok=True)
    builders: dict[str, Callable[[], Figure]] = {
        CATEGORY_PNG: lambda: _category_figure(objects),
        SUPER_CATEGORY_PNG: lambda: _super_category_figure(objects, super_category_note),
        AZIMUTH_PNG: lambda: _azimuth_figure(objects),
        ELEVATION_PNG: lambda: _elevation_figure(objects),
    }
    for name, build in builders.items():
        _write_atomic(os.path.join(out, name), _png_bytes(build()))
    return sorted(builders)
