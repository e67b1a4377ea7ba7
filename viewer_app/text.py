"""The viewer's text: the pose table's rows, object labels, and the caption with its pose chips."""

from __future__ import annotations

import html
import math

import imagenet3d
from viewer_app.colours import chip_text_colour, object_colour


def _degrees(value):
    return None if value is None or not math.isfinite(value) else round(math.degrees(value), 1)


def _wrapped_degrees(value):
    """A predicted angle as the annotations store theirs, in [0, 360) (a model may predict 435 for 75)."""
    return None if value is None or not math.isfinite(value) else _degrees(float(imagenet3d.wrap_angle(value)))


def _elevation_degrees(value):
    """Elevation as people read it, signed in (-180, 180] (stored wrapped: 354 degrees is -6)."""
    return None if value is None or not math.isfinite(value) else _degrees(float(imagenet3d.signed_angle(value)))


def _round(value):
    return None if value is None else round(value, 3)


POSE_COLUMNS = ["#", "category", "azimuth", "elevation", "theta", "distance", "viewport", "cad_index",
                "object_status", "dense", "usable", "why unusable"]
PREDICTION_COLUMNS = ["predicted azimuth", "predicted elevation", "predicted theta", "error (°)"]


def pose_table_headers(with_predictions: bool) -> list[str]:
    return POSE_COLUMNS + (PREDICTION_COLUMNS if with_predictions else [])


def pose_row(k: int, obj: dict, with_predictions: bool = False, error: float | None = None,
             predicted: tuple | None = None) -> list:
    """Object ``k``'s row of the pose table (angles in degrees, elevation signed); with predictions
    loaded, its predicted angles and the geodesic error in degrees (None where it has none), so
    that every row has :func:`pose_table_headers`' columns."""
    row = [k, obj["category"], _degrees(obj["azimuth"]), _elevation_degrees(obj["elevation"]), _degrees(obj["theta"]),
           _round(obj["distance"]), obj["viewport"], obj["cad_index"], obj["object_status"], obj["dense"],
           obj["usable"], "; ".join(imagenet3d.unusable_reasons(obj))]
    if with_predictions:
        azimuth, elevation, theta = predicted if predicted is not None else (None, None, None)
        error = None if error is None or not math.isfinite(error) else round(error, 1)
        row += [_wrapped_degrees(azimuth), _elevation_degrees(elevation), _wrapped_degrees(theta), error]
    return row


def object_label(k: int, obj: dict) -> str:
    """How the viewer names object ``k`` in its choices and in the picture."""
    return f"{k}: {obj['category']}" + ("" if obj["usable"] else " (unusable)")


def _chip(k: int, obj: dict | None, selected: int | None) -> str:
    background = object_colour(k)
    colour, text_colour = ("#{:02x}{:02x}{:02x}".format(*c) for c in (background, chip_text_colour(background)))
    if obj is not None and imagenet3d.has_pose(obj):
        label = (f"{k}: az {_degrees(obj['azimuth'])}° el {_elevation_degrees(obj['elevation'])}° "
                 f"θ {_degrees(obj['theta'])}° d {_round(obj['distance'])}")
    else:
        label = f"{k}: no pose"
    state = ""
    if selected is not None:
        state = "outline:3px solid #111;outline-offset:1px;" if k == selected else "opacity:0.55;"
    title = "click to select this object" if obj is not None else "no such object in the annotations"
    return (f'<span class="pose-chip" data-object="{k}" role="button" tabindex="0" title="{title}" '
            f'style="background:{colour};color:{text_colour};border-radius:8px;padding:1px 6px;cursor:pointer;'
            f'font-size:0.85em;{state}">{html.escape(label)}</span>')


def caption_html(caption: str | None, objects: list[dict], selected: int | None = None) -> str:
    """The caption with each <pose6D> token as a chip in its object's overlay colour; a chip carries
    its object's number (``data-object``) so that clicking it selects the object."""
    if not caption:
        chips = " ".join(_chip(k, o, selected) for k, o in enumerate(objects))
        return f"<p><em>No caption for this image.</em> Objects: {chips}</p>"
    parts = html.escape(caption).split(html.escape("<pose6D>"))
    out = [parts[0]]
    for k, text in enumerate(parts[1:]):
        out.append(_chip(k, objects[k] if k < len(objects) else None, selected) + text)
    return "<p>" + "".join(out) + "</p>"
