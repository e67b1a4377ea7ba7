"""The viewer's text: the statistics tab and the caption with its pose chips."""

from __future__ import annotations

import html
import math

import numpy as np

import imagenet3d
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


def _elevation_degrees(value):
    """Elevation as people read it, signed in (-180, 180] (stored wrapped: 354 degrees is -6)."""
    return None if value is None or not math.isfinite(value) else _degrees(float(imagenet3d.signed_angle(value)))


def _luminance(colour: tuple[int, int, int]) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1, section 1.4.3)."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 to 21 (4.5 is the bar for normal text)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def chip_text_colour(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on ``background``."""
    return max(((17, 17, 17), (255, 255, 255)), key=lambda text: contrast_ratio(text, background))


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
        background = OBJECT_COLOURS[k % len(OBJECT_COLOURS)]
        colour, text_colour = ("#{:02x}{:02x}{:02x}".format(*c) for c in (background, chip_text_colour(background)))
        if obj is not None and obj["azimuth"] is not None:
            label = (f"{k}: az {_degrees(obj['azimuth'])}° el {_elevation_degrees(obj['elevation'])}° "
                     f"θ {_degrees(obj['theta'])}° d {_round(obj['distance'])}")
        else:
            label = f"{k}: no pose"
        out.append(f'<span style="background:{colour};color:{text_colour};border-radius:8px;padding:1px 6px;'
                   f'font-size:0.85em">{html.escape(label)}</span>{text}')
    return "<p>" + "".join(out) + "</p>"
