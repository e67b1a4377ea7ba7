"""The viewer's text: the statistics tab and the caption with its pose chips."""

from __future__ import annotations

import html
import math

import numpy as np

from viewer_app.overlay import OBJECT_COLOURS


def statistics_markdown(stats: dict) -> str:
    """The Statistics tab: counts per split, super-category and category, and angle histograms."""
    if not stats["images"]:
        return "No image matches these filters."
    lines = [f"**{stats['images']:,} images, {stats['objects']:,} objects**",
             "", "| split | images |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in stats["per_split"].items()]
    lines += ["", "| super-category (our grouping) | images |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in sorted(stats["per_super_category"].items())]
    lines += ["", "| category | images |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in sorted(stats["per_category"].items(), key=lambda kv: -kv[1])]
    for name, low in (("azimuth", 0), ("elevation", -180)):
        values = stats[f"{name}_degrees"]
        if values.size:
            lines.append(f"\n{name} of usable objects (degrees): median {np.median(values):.1f}, "
                         f"5-95% {np.percentile(values, 5):.1f} to {np.percentile(values, 95):.1f}")
            lines += ["", *angle_histogram(values, low)]
    return "\n".join(lines)


def angle_histogram(degrees: np.ndarray, low: float, width: float = 30.0) -> list[str]:
    """A markdown table of the angles in ``width``-degree bins over [low, low + 360), with bars;
    empty bins at either end are left out."""
    counts, edges = np.histogram(degrees, bins=int(360 / width), range=(low, low + 360))
    filled = np.flatnonzero(counts)
    shown = range(filled[0], filled[-1] + 1) if filled.size else range(0)
    longest = max(int(counts.max()), 1)
    return ["| degrees | objects | |", "|---|---:|---|"] + [
        f"| {edges[k]:.0f} to {edges[k + 1]:.0f} | {counts[k]:,} | {'█' * round(20 * counts[k] / longest)} |"
        for k in shown]


def _degrees(value):
    return None if value is None or not math.isfinite(value) else round(math.degrees(value), 1)


def _round(value):
    return None if value is None else round(value, 3)


def caption_html(caption: str | None, objects: list[dict]) -> str:
    """The caption with each <pose6D> token as a chip in its object's overlay colour."""
    if not caption:
        return "<p><em>No caption for this image.</em></p>"
    parts = html.escape(caption).split(html.escape("<pose6D>"))
    out = [parts[0]]
    for k, text in enumerate(parts[1:]):
        obj = objects[k] if k < len(objects) else None
        red, green, blue = OBJECT_COLOURS[k % len(OBJECT_COLOURS)]
        colour = f"#{red:02x}{green:02x}{blue:02x}"
        if obj is not None and obj["azimuth"] is not None:
            label = (f"{k}: az {_degrees(obj['azimuth'])}° el {_degrees(obj['elevation'])}° "
                     f"θ {_degrees(obj['theta'])}° d {_round(obj['distance'])}")
        else:
            label = f"{k}: no pose"
        out.append(f'<span style="background:{colour};color:#fff;border-radius:8px;padding:1px 6px;'
                   f'font-size:0.85em">{html.escape(label)}</span>{text}')
    return "<p>" + "".join(out) + "</p>"
