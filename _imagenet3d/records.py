"""The normalised object record: one release object dict -> typed, checked values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypedDict

import numpy as np

from _imagenet3d.camera import DEFAULT_FOCAL, DEFAULT_VIEWPORT, wrap_angle
from _imagenet3d.categories import OBJECT_STATUSES
from _imagenet3d.reasons import Reason, UnusableReason

_POSE_KEYS = ("azimuth", "elevation", "theta", "distance", "px", "py")


class ObjectRecord(TypedDict):
    """One object as :func:`normalize_object` returns it; missing values are None."""

    category: str | None
    bbox: list[float] | None      # [x1, y1, x2, y2] in pixels
    azimuth: float | None         # radians, wrapped to [0, 2 pi)
    elevation: float | None
    theta: float | None
    distance: float | None
    px: float | None
    py: float | None
    viewport: int | None
    focal: float | None
    height: int | None
    width: int | None
    cad_index: int | None
    object_status: str | None
    dense: str | None
    usable: bool
    unusable_reasons: list[Reason]  # messages; each one's ``.code`` is an UnusableReason


def _as_float(value: Any) -> float | None:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array) if array.size == 1 else None


def _as_int(value: Any) -> int | None:
    number = _as_float(value)
    return int(number) if number is not None and math.isfinite(number) else None


def _as_str(value: Any) -> str | None:
    if isinstance(value, (bytes, np.bytes_)):
        value = value.decode("utf-8", errors="replace")
    return str(value) if value is not None else None


def _pose_and_status_reasons(pose: Mapping[str, float | None], status: str | None) -> list[Reason]:
    """The checks of the official preprocessing on pose and status (one home for both readers)."""
    reasons: list[Reason] = []
    missing = [key for key in _POSE_KEYS if pose.get(key) is None]
    if missing:
        reasons.append(UnusableReason.MISSING_POSE.message(keys=", ".join(missing)))
    elif not all(math.isfinite(float(pose[key])) for key in _POSE_KEYS):  # type: ignore[arg-type]
        reasons.append(UnusableReason.NON_FINITE_POSE.message())
    distance = pose.get("distance")
    if distance is not None and not distance > 0:
        reasons.append(UnusableReason.DISTANCE_NOT_POSITIVE.message())
    if status is None:
        reasons.append(UnusableReason.MISSING_STATUS.message())
    elif status == "status_bad":
        reasons.append(UnusableReason.STATUS_BAD.message())
    elif status not in OBJECT_STATUSES:
        reasons.append(UnusableReason.UNKNOWN_STATUS.message(status=status))
    return reasons


def unusable_reasons(obj: Mapping[str, Any]) -> list[Reason]:
    """Why an object of the converted dataset (an item of a row's ``objects``) is unusable; [] if usable.

    The dataset stores ``usable`` but not its reasons; they follow from the stored pose and
    ``object_status`` by the same checks :func:`normalize_object` makes. Two causes leave no trace
    in the stored fields (an ``ignore`` flag, a malformed bbox): an object marked unusable for one
    of them gets :attr:`UnusableReason.NOT_STORED`.

        >>> [str(r) for r in unusable_reasons({"azimuth": 0.1, "elevation": 0.2, "theta": 0.0, "distance": 0.0,
        ...     "px": 10.0, "py": 10.0, "object_status": "status_bad", "usable": False})]
        ['distance <= 0', 'object_status is status_bad']
    """
    reasons = _pose_and_status_reasons({key: obj.get(key) for key in _POSE_KEYS}, obj.get("object_status"))
    if not reasons and obj.get("usable") is False:
        reasons.append(UnusableReason.NOT_STORED.message())
    return reasons


_NO_POSE = frozenset({UnusableReason.MISSING_POSE, UnusableReason.NON_FINITE_POSE,
                      UnusableReason.DISTANCE_NOT_POSITIVE})


def has_pose(obj: Mapping[str, Any]) -> bool:
    """Whether a stored object has a pose to draw: every pose value present and finite, distance > 0.
    It may still be unusable (``object_status`` ``status_bad``, say): :func:`unusable_reasons` tells.

        >>> has_pose({"azimuth": 0.1, "elevation": 0.2, "theta": 0.0, "distance": 0.0, "px": 1.0, "py": 1.0})
        False
    """
    return not any(reason.code in _NO_POSE for reason in unusable_reasons(obj))


def normalize_object(raw: dict) -> ObjectRecord:
    """One release object dict -> a normalised record.

    Normalises the real data's quirks: angles wrapped to [0, 2 pi), height and
    width as int, bbox as 4 floats, viewport/focal defaulting to the PASCAL3D+
    3000/1.0 when absent. Objects are never dropped: ``usable`` says whether the
    official preprocessing would keep the object (pose keys present, finite,
    ``distance > 0``, ``object_status`` present and not ``status_bad``, no
    ``ignore`` flag) and ``unusable_reasons`` says why not: messages that carry
    their :class:`UnusableReason` as ``.code``, which code should test.

    Returned keys: category, bbox, azimuth, elevation, theta, distance,
    viewport, focal, px, py, height, width, cad_index, object_status, dense,
    usable, unusable_reasons. Missing values are None.
    """
    pose = {key: _as_float(raw[key]) if key in raw else None for key in _POSE_KEYS}
    status = _as_str(raw.get("object_status"))
    reasons = _pose_and_status_reasons(pose, status)
    for key in ("azimuth", "elevation", "theta"):
        angle = pose[key]
        if angle is not None and math.isfinite(angle):
            pose[key] = float(wrap_angle(angle))
    ignore = _as_int(raw.get("ignore", 0))
    if ignore:
        reasons.append(UnusableReason.IGNORED.message())

    bbox = None
    if "bbox" in raw:
        try:
            values = np.asarray(raw["bbox"], dtype=np.float64).reshape(-1)
            bbox = [float(v) for v in values] if values.size == 4 else None
        except (TypeError, ValueError):
            bbox = None
        if bbox is None:
            reasons.append(UnusableReason.MALFORMED_BBOX.message())

    viewport = _as_int(raw["viewport"]) if "viewport" in raw else DEFAULT_VIEWPORT
    focal = _as_float(raw["focal"]) if "focal" in raw else DEFAULT_FOCAL
    return {
        "category": _as_str(raw.get("class")),
        "bbox": bbox,
        "azimuth": pose["azimuth"], "elevation": pose["elevation"], "theta": pose["theta"],
        "distance": pose["distance"], "px": pose["px"], "py": pose["py"],
        "viewport": viewport,
        "focal": focal,
        "height": _as_int(raw.get("height")),
        "width": _as_int(raw.get("width")),
        "cad_index": _as_int(raw.get("cad_index")),
        "object_status": status,
        "dense": _as_str(raw.get("dense")),
        "usable": not reasons,
        "unusable_reasons": reasons,
    }


