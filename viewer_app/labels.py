"""Collision-free placement of object labels ("k: category" chips) over an image.

Coordinates are image pixels, x right and y down. A label of size (w, h) placed
at top-left (x, y) covers the half-open box [x, x + w) x [y, y + h), so two
labels that only share an edge do not overlap. Obstacles (e.g. the x/y/z axis
letters) are corner boxes (x0, y0, x1, y1), also half-open.

Placement is greedy in the given order: label 0 chooses first, so object 0's
label is never the one pushed away (the millwheel case of issue 12, where
object 0's label hid under object 3's). Each label tries, in order of
preference, the spots around its anchor (:func:`_preferred`), then a grid over
the whole image ordered by distance to the anchor; the first spot that
overlaps nothing already placed wins. When no spot is free it takes the
candidate with the least overlapped area (earliest on ties): it never fails.
Everything is deterministic: no randomness, ties broken by candidate order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["GAP", "boxes_overlap", "overlap_area", "place_labels"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (half-open)

#: Pixels between a label and its anchor.
GAP = 1
# Stacked rows and sideways slides tried around the anchor before the grid search.
_RINGS = 4


def boxes_overlap(a: Box, b: Box) -> bool:
    """Whether half-open corner boxes (x0, y0, x1, y1) share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def overlap_area(a: Box, b: Box) -> float:
    """Area shared by two corner boxes (0 when they only touch)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _clamp(x: float, y: float, w: int, h: int, bounds: tuple[int, int]) -> tuple[int, int]:
    """Top-left moved so the label lies inside ``bounds`` (at 0 when it is larger)."""
    x = min(max(int(math.floor(x)), 0), max(bounds[0] - w, 0))
    y = min(max(int(math.floor(y)), 0), max(bounds[1] - h, 0))
    return x, y


def _distance(ax: float, ay: float, x: float, y: float, w: int, h: int) -> float:
    """Distance from the anchor to the label box at (x, y); 0 when it is on the box."""
    return math.hypot(max(x - ax, ax - (x + w), 0.0), max(y - ay, ay - (y + h), 0.0))


def _preferred(ax: float, ay: float, w: int, h: int) -> Iterator[tuple[float, float]]:
    """Spots near anchor (ax, ay), best first: just above it, just below it,
    right and left of it at its height; then rows stacked above / below and
    the rows slid sideways by half label widths, nearest first (so labels of
    coinciding anchors form a tidy block around the shared anchor)."""
    above, below = ay - h - GAP, ay + GAP
    # A generator: the first spot usually is free, and sorting the rest costs.
    yield from [(ax, above), (ax, below), (ax + GAP, ay - h / 2), (ax - w - GAP, ay - h / 2)]
    more = []
    for k in range(1, _RINGS + 1):
        shift, stack = k * (w + GAP) / 2, k * (h + GAP)
        more += [(ax, above - stack), (ax, below + stack)]
        for y in (above, below):
            more += [(ax + shift, y), (ax - shift, y)]
    more.sort(key=lambda spot: _distance(ax, ay, spot[0], spot[1], w, h))  # stable
    yield from more


def _grid(ax: float, ay: float, w: int, h: int, bounds: tuple[int, int]) -> np.ndarray:
    """Top-left corners (N, 2) covering the whole image on a grid through the
    'above' spot, in steps of a quarter label width and half a label height,
    ordered by the distance between the anchor and the label box (stable),
    spots covering the anchor last."""
    sx, sy = max(2, w // 4), max(2, (h + GAP) // 2)
    x0, y0 = ax, ay - h - GAP
    # Grid lines shifted by whole steps so that they span [0, bounds - size].
    xs = x0 + sx * np.arange(math.floor(-x0 / sx), math.ceil((bounds[0] - w - x0) / sx) + 1)
    ys = y0 + sy * np.arange(math.floor(-y0 / sy), math.ceil((bounds[1] - h - y0) / sy) + 1)
    xs = np.clip(np.floor(xs), 0, max(bounds[0] - w, 0))
    ys = np.clip(np.floor(ys), 0, max(bounds[1] - h, 0))
    gx, gy = np.meshgrid(np.unique(xs), np.unique(ys))
    corners = np.stack([gx.ravel(), gy.ravel()], axis=1)
    # Anchor-to-box distance as in _distance: 0 when the anchor is on the box;
    # boxes covering the anchor come after all others.
    x, y = corners[:, 0], corners[:, 1]
    dx = np.maximum(np.maximum(x - ax, ax - (x + w)), 0)
    dy = np.maximum(np.maximum(y - ay, ay - (y + h)), 0)
    covers = (x <= ax) & (ax < x + w) & (y <= ay) & (ay < y + h)
    return corners[np.lexsort((np.hypot(dx, dy), covers))]


def _overlaps(corners: np.ndarray, w: int, h: int, taken: np.ndarray) -> np.ndarray:
    """Total area each candidate (N, 2) shares with the boxes ``taken`` (M, 4)."""
    if not len(taken):
        return np.zeros(len(corners))
    x0, y0 = corners[:, :1], corners[:, 1:]
    ox = np.clip(np.minimum(x0 + w, taken[:, 2]) - np.maximum(x0, taken[:, 0]), 0, None)
    oy = np.clip(np.minimum(y0 + h, taken[:, 3]) - np.maximum(y0, taken[:, 1]), 0, None)
    return (ox * oy).sum(axis=1)


def place_labels(anchors: list[tuple[float, float]], sizes: list[tuple[int, int]],
                 bounds: tuple[int, int], obstacles: Sequence[Box] = ()) -> list[tuple[int, int]]:
    """Top-left corner (x, y) for each label i of size ``sizes[i]`` = (width, height)
    near ``anchors[i]`` (an object's box corner or centre), inside ``bounds`` =
    (image width, height), overlapping neither the labels placed before it
    (greedy, in the given order) nor any of ``obstacles`` (corner boxes). See
    the module docstring for the order of candidates and the fallback.
    """
    if len(anchors) != len(sizes):
        raise ValueError(f"{len(anchors)} anchors but {len(sizes)} sizes")
    taken: list[Box] = [tuple(float(v) for v in box) for box in obstacles]  # type: ignore[misc]
    placed: list[tuple[int, int]] = []
    for (ax, ay), (w, h) in zip(anchors, sizes):
        ax, ay, w, h = float(ax), float(ay), int(w), int(h)
        if not (math.isfinite(ax) and math.isfinite(ay)):
            ax, ay = 0.0, 0.0
        spot = None
        # The common case (few labels, free spots nearby) stays in plain Python.
        for x, y in _preferred(ax, ay, w, h):
            x, y = _clamp(x, y, w, h, bounds)
            # A spot that the border pushed onto the anchor would hide the object's
            # corner: left to the grid search (e.g. no room above -> go below).
            covers = x <= ax < x + w and y <= ay < y + h
            if not covers and not any(boxes_overlap((x, y, x + w, y + h), box) for box in taken):
                spot = (x, y)
                break
        if spot is None:
            corners = _grid(ax, ay, w, h, bounds)
            near = np.array([_clamp(x, y, w, h, bounds) for x, y in _preferred(ax, ay, w, h)], float)
            corners = np.concatenate([near, corners])
            cost = _overlaps(corners, w, h, np.asarray(taken, float).reshape(-1, 4))
            best = int(np.argmin(cost))  # the first zero if any, else the least overlap
            spot = (int(corners[best, 0]), int(corners[best, 1]))
        placed.append(spot)
        taken.append((spot[0], spot[1], spot[0] + w, spot[1] + h))
    return placed
