"""The Statistics tab for the images the current filter selects: a summary and six plots, as SVG.

Input: the dict of ``DatasetIndex.statistics(rows)`` (viewer_app/data.py). Output:
``statistics_html(stats)``, one HTML string for a ``gr.HTML`` (the summary, a split legend and
six inline SVG plots: objects per category, per super-category, per object_status, known vs
novel, a polar azimuth histogram, a signed elevation histogram), or the NO_MATCH message for an
empty selection; ``summary_markdown(stats)`` is the summary alone; ``chart_data(stats)`` is
exactly what the plots draw (the tests compare it, and the SVG's data-* attributes, with counts
taken from the annotations themselves).

Why SVG written here and not matplotlib or altair: altair is not installed, and matplotlib
(one Figure, six axes, Agg, saved as gr.Plot saves it) took 1.3-1.8 s for these panels and 0.7 s
for six empty axes (2 busy cores), against a 300 ms budget for a whole filter change; this
module takes about 17 ms at 95k objects (statistics() 14 ms more). The browser draws the
vectors at any size, dark mode included (text is ``currentColor``), and every bar and sector
carries a tooltip with its count (an SVG <title>).

Conventions, as the dataset card's figures (conversion/plots.py) keep them: objects are counted,
not images; bars are stacked by split in the card's colours; angles are those of usable objects
only, in the PASCAL3D+ convention (imagenet3d's camera); elevation is signed, -90..90 degrees
(imagenet3d.signed_angle: a stored 354 degrees is shown as -6). The azimuth rose shows where the
camera stands around the object, seen from above: 0 degrees (the camera in front of the object)
at the top, increasing counter-clockwise (90 degrees: the camera on the object's +x side, drawn
on the left), each sector's radius proportional to its count. Deterministic: same stats, same
string.
"""

from __future__ import annotations

import html
import math

import numpy as np

import imagenet3d

NO_MATCH = "No image matches these filters."
#: Categories drawn one bar each; the rest are summed into one bar (the index has 189).
TOP_CATEGORIES = 25
#: The card's split colours (conversion/plots.py SPLIT_COLORS; viewer_app does not import conversion).
SPLIT_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3")
SPLIT_ORDER = ("train", "validation")
NEUTRAL = "#8c8c8c"    # single-series bars (status, known/novel): no split colour to confuse
AZIMUTH_BIN = 10.0     # degrees
ELEVATION_BIN = 5.0    # degrees
_FONT = 11             # SVG user units; the plots scale with the page


# -- what is drawn ----------------------------------------------------------------------------

def chart_data(stats: dict) -> dict:
    """The numbers each panel draws. Bars: ``labels`` top to bottom and ``counts`` (per label, a
    list per series); series are ``splits`` for category and super_category, ["objects"] for
    status and known. Histograms: ``edges`` (degrees) and ``counts`` (per bin, a list per split).
    ``category`` keeps the TOP_CATEGORIES largest and sums the rest into one last bar
    ("N other categories"); ``other_categories`` lists those summed."""
    splits = _split_order(stats["split_names"])
    per_category = stats["objects_per_category_split"]      # largest first, ties by name
    names = list(per_category)
    shown, rest = names[:TOP_CATEGORIES], names[TOP_CATEGORIES:]
    category_counts = [[per_category[name].get(s, 0) for s in splits] for name in shown]
    labels = list(shown)
    if rest:
        labels.append(f"{len(rest)} other categories")
        category_counts.append([sum(per_category[name].get(s, 0) for name in rest) for s in splits])
    per_super = stats["objects_per_super_category_split"]
    known = stats["objects_known"]
    return {
        "splits": splits,
        "category": {"labels": labels, "counts": category_counts, "series": splits, "other_categories": rest},
        "super_category": {"labels": list(per_super), "series": splits,
                           "counts": [[per_super[name].get(s, 0) for s in splits] for name in per_super]},
        "status": {"labels": list(stats["objects_per_status"]), "series": ["objects"],
                   "counts": [[n] for n in stats["objects_per_status"].values()]},
        "known": {"labels": ["known", "novel"], "series": ["objects"],
                  "counts": [[known["known"]], [known["novel"]]]},
        "azimuth": _histogram(stats["azimuth_degrees"], stats["usable_split"], splits,
                              np.arange(0.0, 360.0 + AZIMUTH_BIN / 2, AZIMUTH_BIN)),
        "elevation": _histogram(stats["elevation_degrees"], stats["usable_split"], splits,
                                _elevation_edges(stats["elevation_degrees"])),
    }


def _histogram(degrees: np.ndarray, owner: np.ndarray, splits: list[str], edges: np.ndarray) -> dict:
    per_split = [np.histogram(degrees[owner == split], bins=edges)[0] for split in splits]
    counts = np.stack(per_split, axis=1) if per_split else np.zeros((len(edges) - 1, 0), dtype=np.int64)
    return {"edges": edges.tolist(), "counts": counts.tolist(), "series": splits}


def _elevation_edges(degrees: np.ndarray) -> np.ndarray:
    """ELEVATION_BIN-degree bins over -90..90, widened to the data if any lies outside (signed
    angles lie in (-180, 180]; none is hidden)."""
    lo, hi = -90.0, 90.0
    if degrees.size:
        lo = min(lo, ELEVATION_BIN * math.floor(degrees.min() / ELEVATION_BIN))
        hi = max(hi, ELEVATION_BIN * (math.floor(degrees.max() / ELEVATION_BIN) + 1))
    return np.arange(lo, hi + ELEVATION_BIN / 2, ELEVATION_BIN)


# -- the tab ----------------------------------------------------------------------------------

def summary_markdown(stats: dict) -> str:
    """One paragraph: images, objects (per split), usable objects, the elevation's median and
    5-95% range and the azimuth's circular mean; NO_MATCH for an empty selection."""
    return _summary(stats, "**{}**")


def statistics_html(stats: dict) -> str:
    """The whole tab as one HTML string: the summary, the split legend and the six plots in a grid
    that wraps on narrow screens; for an empty selection, NO_MATCH in a paragraph and no plot."""
    if not stats["images"]:
        return f'<div class="i3d-stats"><p><strong>{NO_MATCH}</strong></p></div>'
    data = chart_data(stats)
    splits = data["splits"]
    colours = dict(zip(splits, SPLIT_COLOURS * len(splits)))
    legend = " ".join(f'<span style="display:inline-block;width:.8em;height:.8em;background:{colours[s]};'
                      f'margin:0 .25em 0 .75em;vertical-align:middle"></span>{html.escape(s)}' for s in splits)
    n_categories = len(stats["objects_per_category"])
    top = f", the {TOP_CATEGORIES} largest and the rest summed" if data["category"]["other_categories"] else ""
    usable = stats["usable_objects"]
    panels = [
        ("category", f"Objects per category ({n_categories} categories{top})",
         _bars(data["category"], "category", [colours[s] for s in splits])
         + _others(data["category"]["other_categories"], stats["objects_per_category"])),
        ("super_category", "Objects per super-category (this project's grouping, not the paper's)",
         _bars(data["super_category"], "super_category", [colours[s] for s in splits])),
        ("status", "Objects per object_status (missing: no status given)",
         _bars(data["status"], "status", [NEUTRAL])),
        ("known", "Objects in known / novel categories (open-vocabulary protocol: "
                  f"{len(imagenet3d.KNOWN_CATEGORIES)} known)",
         _bars(data["known"], "known", [NEUTRAL])),
        ("azimuth", f"Azimuth of usable objects (n = {usable:,}): where the camera stands, seen from "
                    "above; PASCAL3D+ convention, 0° = front at the top, counter-clockwise",
         _rose(data["azimuth"], [colours[s] for s in splits])),
        ("elevation", f"Elevation of usable objects (n = {usable:,}), signed: below the horizon < 0°",
         _columns(data["elevation"], [colours[s] for s in splits])),
    ]
    figures = "".join(
        f'<figure data-panel="{name}" style="margin:0;min-width:0"><figcaption style="font-weight:600;'
        f'margin-bottom:.3em">{html.escape(title)}</figcaption>{body}</figure>' for name, title, body in panels)
    return (f'<div class="i3d-stats"><p>{_summary(stats, "<strong>{}</strong>", escape=True)}</p>'
            f'<p>Colour: split{legend}</p><div style="display:grid;gap:1.2em 2em;'
            f'grid-template-columns:repeat(auto-fit,minmax(340px,1fr))">{figures}</div></div>')


def _summary(stats: dict, bold: str, escape: bool = False) -> str:
    if not stats["images"]:
        return NO_MATCH
    objects, usable = stats["objects"], stats["usable_objects"]
    splits = ", ".join(f"{stats['objects_per_split'][s]:,} {s}"
                       for s in _split_order(list(stats["objects_per_split"])))
    head = f"{stats['images']:,} images, {objects:,} objects"
    text = (f" ({splits}) in {len(stats['objects_per_category'])} categories; {usable:,} usable objects "
            f"({100.0 * usable / objects:.0f}%) have a pose and are the ones the angle plots show."
            if objects else "; no objects.")
    elevation, azimuth = stats["elevation_degrees"], stats["azimuth_degrees"]
    if elevation.size:
        text += (f" Elevation (signed): median {np.median(elevation):.1f}°, 5-95% "
                 f"{np.percentile(elevation, 5):.1f}° to {np.percentile(elevation, 95):.1f}°; azimuth: "
                 f"circular mean {_circular_mean(azimuth):.1f}° (0° = seen from the front).")
    return bold.format(head) + (html.escape(text) if escape else text)


# -- drawing ----------------------------------------------------------------------------------

def _bars(panel: dict, name: str, colours: list[str]) -> str:
    """Horizontal bars, first label at the top, stacked in series order, the total at each end."""
    labels, counts, series = panel["labels"], panel["counts"], panel["series"]
    row, label_w, width, top = 17, 140, 400, 6
    plot_w = width - label_w - 60                  # room on the right for the totals
    totals = [sum(c) for c in counts]
    scale = plot_w / max(max(totals, default=0), 1)
    ticks = _ticks(max(totals, default=0))
    height = top + row * len(labels) + 22
    parts = [_svg_open(width, height)]
    for t in ticks:                                # grid and count axis at the bottom
        x = label_w + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" stroke="currentColor" '
                     f'stroke-opacity=".15"/><text x="{x:.1f}" y="{height - 6}" text-anchor="middle" '
                     f'font-size="{_FONT - 1}" fill="currentColor">{_count_label(t)}</text>')
    for i, (label, per_series, total) in enumerate(zip(labels, counts, totals)):
        y = top + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + row * 0.7:.1f}" text-anchor="end" font-size="{_FONT}" '
                     f'fill="currentColor">{html.escape(label)}</text>')
        x = float(label_w)
        for s, count in zip(series, per_series):
            if count:
                w = count * scale
                parts.append(f'<rect x="{x:.2f}" y="{y + 2}" width="{w:.2f}" height="{row - 4}" '
                             f'fill="{colours[series.index(s) % len(colours)]}" data-panel="{name}" '
                             f'data-label="{html.escape(label)}" data-series="{html.escape(s)}" '
                             f'data-count="{count}"><title>{html.escape(label)}'
                             f'{"" if s == "objects" else ", " + html.escape(s)}: {count:,} objects</title></rect>')
                x += w
        parts.append(f'<text x="{x + 4:.2f}" y="{y + row * 0.7:.1f}" font-size="{_FONT - 1}" '
                     f'fill="currentColor">{total:,}</text>')
    return "".join(parts) + "</svg>"


def _others(names: list[str], per_category: dict[str, int]) -> str:
    """The categories summed into the last bar, listed with their counts (largest first)."""
    if not names:
        return ""
    items = ", ".join(f"{html.escape(name)} {per_category[name]:,}" for name in names)
    return (f'<details style="font-size:.85em"><summary>The {len(names)} other categories</summary>'
            f"{items}</details>")


def _rose(panel: dict, colours: list[str]) -> str:
    """Polar histogram: one sector per bin, stacked outwards by split; radius proportional to count."""
    edges, counts, series = panel["edges"], panel["counts"], panel["series"]
    size, radius = 360, 140
    cx, cy = size / 2, size / 2
    totals = [sum(c) for c in counts]
    ticks = _ticks(max(totals, default=0), 3)
    scale = radius / max(max(totals, default=0), ticks[-1], 1)
    parts = [_svg_open(size, size)]
    for degrees in range(0, 360, 45):               # spokes and angle labels
        x, y = _polar(cx, cy, radius, degrees)
        lx, ly = _polar(cx, cy, radius + 16, degrees)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="currentColor" '
                     f'stroke-opacity=".15"/><text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" '
                     f'font-size="{_FONT}" fill="currentColor">{degrees}°</text>')
    for (a0, a1), per_series in zip(zip(edges, edges[1:]), counts):
        inner = 0.0
        for i, (s, count) in enumerate(zip(series, per_series)):
            if count:
                outer = inner + count * scale
                parts.append(f'<path d="{_sector(cx, cy, inner, outer, a0, a1)}" fill="{colours[i % len(colours)]}" '
                             f'stroke="white" stroke-width=".5" data-panel="azimuth" data-bin="{a0:g},{a1:g}" '
                             f'data-series="{html.escape(s)}" data-count="{count}"><title>azimuth {a0:g}° to '
                             f'{a1:g}°, {html.escape(s)}: {count:,} objects</title></path>')
                inner = outer
    for t in ticks[1:]:       # rings with their counts, over the sectors (a halo keeps them legible)
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{t * scale:.1f}" fill="none" stroke="currentColor" '
                     f'stroke-opacity=".3"/><text x="{cx + 3}" y="{cy - t * scale - 2:.1f}" font-size="{_FONT - 1}" '
                     f'fill="currentColor" style="stroke:var(--background-fill-primary, white);stroke-width:3px;'
                     f'paint-order:stroke">{_count_label(t)}</text>')
    if not any(totals):
        parts.append(_no_data(cx, cy - 20))
    return "".join(parts) + "</svg>"


def _columns(panel: dict, colours: list[str]) -> str:
    """Vertical histogram bars stacked by split, with the horizon (0°) dashed."""
    edges, counts, series = panel["edges"], panel["counts"], panel["series"]
    width, height, left, right, top, bottom = 400, 240, 40, 10, 8, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(c) for c in counts]
    ticks = _ticks(max(totals, default=0))
    y_scale = plot_h / max(max(totals, default=0), ticks[-1], 1)
    lo, hi = edges[0], edges[-1]

    def x_of(degrees: float) -> float:
        return left + (degrees - lo) / (hi - lo) * plot_w

    parts = [_svg_open(width, height)]
    for t in ticks:
        y = top + plot_h - t * y_scale
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="currentColor" '
                     f'stroke-opacity=".15"/><text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="{_FONT - 1}" fill="currentColor">{_count_label(t)}</text>')
    for degrees in range(int(math.ceil(lo / 30) * 30), int(hi) + 1, 30):
        parts.append(f'<text x="{x_of(degrees):.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                     f'font-size="{_FONT - 1}" fill="currentColor">{degrees}°</text>')
    for (a0, a1), per_series in zip(zip(edges, edges[1:]), counts):
        base = 0.0
        for i, (s, count) in enumerate(zip(series, per_series)):
            if count:
                h = count * y_scale
                parts.append(f'<rect x="{x_of(a0):.2f}" y="{top + plot_h - base - h:.2f}" '
                             f'width="{x_of(a1) - x_of(a0):.2f}" height="{h:.2f}" fill="{colours[i % len(colours)]}" '
                             f'stroke="white" stroke-width=".5" data-panel="elevation" data-bin="{a0:g},{a1:g}" '
                             f'data-series="{html.escape(s)}" data-count="{count}"><title>elevation {a0:g}° to '
                             f'{a1:g}°, {html.escape(s)}: {count:,} objects</title></rect>')
                base += h
    parts.append(f'<line x1="{x_of(0.0):.1f}" y1="{top}" x2="{x_of(0.0):.1f}" y2="{top + plot_h}" '
                 f'stroke="currentColor" stroke-opacity=".6" stroke-dasharray="4 3"/>'
                 f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
                 f'stroke="currentColor" stroke-opacity=".5"/>'
                 f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle" font-size="{_FONT - 1}" '
                 f'fill="currentColor">elevation (degrees)</text>')
    if not any(totals):
        parts.append(_no_data(left + plot_w / 2, top + plot_h / 2))
    return "".join(parts) + "</svg>"


# -- helpers ----------------------------------------------------------------------------------

def _svg_open(width: float, height: float) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'style="max-width:{width * 1.4:.0f}px;height:auto;display:block" role="img">')


def _polar(cx: float, cy: float, r: float, degrees: float) -> tuple[float, float]:
    """Screen point of an azimuth: 0 at the top, counter-clockwise (SVG's y points down)."""
    a = math.radians(degrees)
    return cx - r * math.sin(a), cy - r * math.cos(a)


def _sector(cx: float, cy: float, r0: float, r1: float, a0: float, a1: float) -> str:
    """An annular sector between radii r0 < r1 and azimuths a0 < a1 (a wedge when r0 is 0)."""
    (x0, y0), (x1, y1) = _polar(cx, cy, r1, a0), _polar(cx, cy, r1, a1)
    outer = f"M{x0:.2f},{y0:.2f}A{r1:.2f},{r1:.2f} 0 0 0 {x1:.2f},{y1:.2f}"   # sweep 0: counter-clockwise
    if r0 <= 0:
        return f"{outer}L{cx:.2f},{cy:.2f}Z"
    (x2, y2), (x3, y3) = _polar(cx, cy, r0, a1), _polar(cx, cy, r0, a0)
    return f"{outer}L{x2:.2f},{y2:.2f}A{r0:.2f},{r0:.2f} 0 0 1 {x3:.2f},{y3:.2f}Z"


def _ticks(top: float, count: int = 4) -> list[float]:
    """0 and steps of 1, 2 or 5 x 10^k up to ``top``: about ``count`` grid lines."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)                              # counts: no fractional grid lines
    return [i * step for i in range(int(top // step) + 1)]


def _count_label(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 1000 and value % 1000 == 0 else f"{value:,.0f}"


def _no_data(x: float, y: float) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{_FONT + 1}" fill="currentColor" '
            f'fill-opacity=".6">no usable object</text>')


def _split_order(names: list[str]) -> list[str]:
    """train, validation, then any other split alphabetically (as the card orders them)."""
    return [s for s in SPLIT_ORDER if s in names] + sorted(set(names) - set(SPLIT_ORDER))


def _circular_mean(degrees: np.ndarray) -> float:
    """The mean direction in [0, 360): a median of angles on a circle depends on where it is cut."""
    angles = np.radians(degrees)
    return float(np.degrees(math.atan2(np.sin(angles).mean(), np.cos(angles).mean())) % 360.0)
