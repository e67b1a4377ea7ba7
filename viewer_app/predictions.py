"""Predictions beside ground truth: a predictions file read against the viewer's index.

The file is what :func:`imagenet3d.evaluate` scores, read by
:func:`imagenet3d.read_predictions` itself (JSON Lines, a JSON list, or CSV
with ``object_id,azimuth,elevation,theta[,category]``; angles in radians),
from a local path or ``hf://datasets/ORG/NAME/path/to/file.jsonl``.
``object_id`` is ``imagenet3d.object_id(image_id, k)``, k the object's
position among all its image's objects. A file may cover a subset (the
validation split, say); every id must name an object of the dataset shown.

Everything is held per object, aligned with the index's flattened object
order (``index.object_row``): predicted angles (NaN where none), predicted
category (None where none) and the paper's error, ``pose_error`` of the two
rotation matrices (radians; NaN where there is no prediction or the object is
not ``usable``, the objects ``evaluate`` scores). :meth:`PredictionSet.table`
computes ``evaluate``'s numbers from these arrays with its own per-column
code (``_table``), so the table of a filter over 95k objects takes
milliseconds; tests/test_viewer_predictions.py checks that it equals
``format_table(evaluate(...))``.
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import imagenet3d
from _imagenet3d.errors import Imagenet3DError, PredictionError
from _imagenet3d.evaluation import check_unit, finite_number, score_errors
from viewer_app.hub_io import HUB_PREFIX, AccessDenied, HubFiles, current_token

if TYPE_CHECKING:
    from viewer_app.data import DatasetIndex

# The viewer's memory target is 500 MB, and read_predictions' dicts take about 8 times their file's size while
# a file is read (100 MB for a full-size file: 82k predictions with categories, 12 MB). Twice that size is read;
# one file at a time, so that visitors loading at once do not add up.
MAX_BYTES = 16 * 1024**2
_LOADING = threading.Lock()
ANGLES = ("azimuth", "elevation", "theta")


class PredictionSet:
    """Predictions aligned with a :class:`viewer_app.data.DatasetIndex`'s objects.

    Arrays, one entry per object of the index (``index.object_row[i]`` is
    object i's image row; objects of an image are consecutive, in order):
    ``azimuth``, ``elevation``, ``theta`` (radians, NaN: no prediction),
    ``category`` (object array, None: none predicted), ``predicted`` (bool),
    ``scored`` (predicted and usable), ``error`` (radians, NaN unless scored).

    ``default_task``: "classification" when every prediction carries one of
    the 189 category names (3D-aware classification: a wrong category adds
    pi), else "pose" (one "all" block); "open_vocabulary" (known and novel
    categories apart) only when asked, since a file does not say whether its
    model was trained on the known categories only.
    """

    def __init__(self, source: str, index: DatasetIndex, angles: np.ndarray, category_names: list[str],
                 category_code: np.ndarray, predicted: np.ndarray):
        """Use :func:`load_predictions`. ``angles`` (objects, 3) radians; ``category_code`` per object
        into ``category_names`` (-1: none); ``category_names`` starts with the index's own (its objects'
        categories, in the order of their codes)."""
        self.source = source
        self.index = index
        self.azimuth, self.elevation, self.theta = (np.ascontiguousarray(a) for a in angles.T)
        self.category_names = category_names
        self.category_code = category_code
        # Shared name objects, None where none: ~1 MB at the real size, where one str per object would be ~6.
        self.category = np.array([*category_names, None], dtype=object)[category_code]
        self.predicted = predicted
        self.num_predictions = int(predicted.sum())
        fields = index.table.column("objects").chunk(0).flatten()
        truth = np.column_stack([_filled(fields.field(name), np.nan) for name in ANGLES])
        self._true_names, self.true_code = _category_codes(index)   # category_names starts with these
        self.scored = predicted & index.object_usable & np.isfinite(truth).all(axis=1)
        self.error = np.full(len(predicted), np.nan)
        self.error[self.scored] = imagenet3d.pose_error(imagenet3d.rotation_matrix(*angles[self.scored].T),
                                                        imagenet3d.rotation_matrix(*truth[self.scored].T))
        worst = np.full(len(index.image_ids), -np.inf)
        np.maximum.at(worst, index.object_row[self.scored], np.degrees(self.error[self.scored]))
        self._worst = np.where(np.isneginf(worst), np.nan, worst)
        self._first = np.concatenate([[0], np.cumsum(index.num_objects)[:-1]]).astype(np.int64)
        named = np.unique(category_code[predicted])
        self.default_task = ("classification" if named.size and named.min() >= 0 and all(
            category_names[code] in imagenet3d.SUPER_CATEGORIES for code in named.tolist()) else "pose")

    # -- per image ------------------------------------------------------------

    def objects_of(self, row: int) -> slice:
        """The positions of image ``row``'s objects in the per-object arrays."""
        start = int(self._first[row])
        return slice(start, start + int(self.index.num_objects[row]))

    def image_predictions(self, row: int) -> dict[int, tuple[float, float, float]]:
        """Object index -> predicted (azimuth, elevation, theta) in radians, for the predicted objects of an image."""
        span = self.objects_of(row)
        return {k: (float(self.azimuth[i]), float(self.elevation[i]), float(self.theta[i]))
                for k, i in enumerate(range(span.start, span.stop)) if self.predicted[i]}

    def image_errors(self, row: int) -> list[float | None]:
        """Per object of an image: its error in degrees, or None (no prediction, or not usable)."""
        return [None if math.isnan(e) else e for e in np.degrees(self.error[self.objects_of(row)]).tolist()]

    def row_worst_error(self) -> np.ndarray:
        """Per image row: the largest error of its objects in degrees, NaN where none is scored
        (``DatasetIndex.select(..., errors=)`` takes it to filter and sort by error)."""
        return self._worst

    # -- summaries ------------------------------------------------------------

    @property
    def coverage(self) -> str:
        """One line: how much of the dataset the predictions cover and how much of it is scored."""
        index = self.index
        usable = int(index.object_usable.sum())
        images = int(np.isfinite(self._worst).sum())
        return (f"{self.num_predictions} predictions for {self.num_predictions} of {len(self.predicted)} objects; "
                f"{int(self.scored.sum())} of the {usable} usable objects scored, in {images} of "
                f"{len(index.image_ids)} images")

    def evaluation(self, rows: Sequence[int] | np.ndarray, task: str | None = None) -> dict | None:
        """``imagenet3d.evaluate``'s results for the scored objects of image ``rows`` (None: nothing to score).

        ``task`` None: :attr:`default_task`. Raises Imagenet3DError for an
        unknown task, or "classification" where a scored object has no
        predicted category."""
        task = self.default_task if task is None else task
        if task not in imagenet3d.EVALUATION_TASKS:
            raise Imagenet3DError(f"unknown task {task!r}; tasks: {', '.join(imagenet3d.EVALUATION_TASKS)}")
        chosen = np.zeros(len(self.index.image_ids), dtype=bool)
        chosen[np.asarray(rows, dtype=np.int64)] = True
        mask = self.scored & chosen[self.index.object_row]
        if not mask.any():
            return None
        truth = self.true_code[mask]
        correct = None
        if task == "classification":
            predicted = self.category_code[mask]
            if (predicted < 0).any():
                raise Imagenet3DError("3D-aware classification needs a predicted category for every object; "
                                      "these predictions lack some: choose the pose task")
            correct = predicted == truth
        return score_errors(self.error[mask], np.asarray(self._true_names, dtype=object)[truth], task, correct)

    def table(self, rows: Sequence[int] | np.ndarray, task: str | None = None) -> str:
        """The paper's table (``imagenet3d.format_table``, markdown) for the scored objects of image ``rows``,
        or a one-line message when there is nothing to score."""
        results = self.evaluation(rows, task)
        if results is None:
            where = "no images match this filter" if len(rows) == 0 else (
                f"none of the {len(rows)} images of this filter has a usable object with a prediction")
            return f"Nothing to score: {where} ({self.coverage})."
        return imagenet3d.format_table(results)


def load_predictions(source: str, index: DatasetIndex, token: str | bool | None = None,
                     angle_unit: str = "radians", allow_local: bool = True) -> PredictionSet:
    """Read a predictions file (a local path or ``hf://datasets/ORG/NAME/path``) against ``index``.

    On the Hub, ``token`` reads the file (False: anonymous); None means the
    token of the reading context (``hub_io.reading_as``: the visitor's, in the
    viewer), or outside any the locally saved one. Every failure is an
    Imagenet3DError with a one-line message naming the source and the cause:
    not found, not readable, too large (:data:`MAX_BYTES`), malformed (the
    first offending line or prediction), degrees where radians are read (as
    ``evaluate`` detects them; ``angle_unit="degrees"`` reads degrees), or
    object ids this dataset does not have.

    ``allow_local=False`` refuses local paths: a path a visitor types must
    not read the server's files (the messages quote a file's first line or
    ids). The viewer passes local paths only for files the visitor uploaded.

    Bound: a file over :data:`MAX_BYTES` is refused from its size (stat, or the Hub's listing) before
    a byte is read; memory about 8 times the file's size, time linear in it, one file at a time.
    """
    if not allow_local and not source.strip().startswith("hf://"):
        raise Imagenet3DError("give predictions as hf://datasets/ORG/NAME/path/to/file.jsonl, or upload the file")
    if angle_unit not in imagenet3d.ANGLE_UNITS:
        raise Imagenet3DError(f"unknown angle_unit {angle_unit!r}; units: {', '.join(imagenet3d.ANGLE_UNITS)}")
    with _LOADING:
        return _load(source.strip(), index, token, angle_unit)


def _load(source: str, index: DatasetIndex, token: str | bool | None, angle_unit: str) -> PredictionSet:
    items = _read_hub(source, token) if source.startswith("hf://") else _read_local(source)
    if not items:
        raise PredictionError(f"{source}: no predictions in the file")
    object_ids = [imagenet3d.object_id(image_id, k) for image_id, count in
                  zip(index.image_ids, index.num_objects.tolist()) for k in range(count)]
    at, values, named = _align(items, object_ids, source)
    try:
        check_unit(values, [object_ids[a] for a in at.tolist()], angle_unit)
    except PredictionError as error:
        raise PredictionError(f"{source}: {error}") from None
    angles = np.full((len(object_ids), 3), np.nan)
    angles[at] = np.radians(values) if angle_unit == "degrees" else values
    names = list(_category_codes(index)[0])
    code_of = {name: code for code, name in enumerate(names)}
    codes = np.full(len(object_ids), -1, dtype=np.int32)
    codes[at] = [-1 if name is None else code_of.setdefault(name, len(code_of)) for name in named]
    names += list(code_of)[len(names):]   # categories predicted that no object of the index has
    predicted = np.zeros(len(object_ids), dtype=bool)
    predicted[at] = True
    return PredictionSet(source, index, angles, names, codes, predicted)


def _category_codes(index: DatasetIndex) -> tuple[list[str], np.ndarray]:
    """The index's objects' own categories (what reference_objects scores against) as names and an int32 code
    per object ("" for a missing one); dictionary-encoded by Arrow, without one str per object."""
    fields = index.table.column("objects").chunk(0).flatten()
    encoded = pc.dictionary_encode(fields.field("category").fill_null(""))
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)


def _align(items: list[dict], object_ids: list[str], source: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Each prediction's object position, its (N, 3) angles and its category (None where none), in file
    order. One pass; the checks evaluate makes, with the first offender named: no object_id, an id this
    dataset lacks (all of them counted), a missing angle or one that is not a finite number, a repeated id."""
    lookup = {oid: at for at, oid in enumerate(object_ids)}
    at, values, named, unknown = [], [], [], []
    for position, item in enumerate(items):
        oid = item.get("object_id")
        if not isinstance(oid, str):
            raise PredictionError(f"{source}: prediction {position} has no object_id string")
        where = lookup.get(oid)
        if where is None:
            unknown.append(oid)
            continue
        try:
            angles = (item["azimuth"], item["elevation"], item["theta"])
        except KeyError as missing:
            raise PredictionError(f"{source}: prediction {oid!r} has no {missing.args[0]}") from None
        if not all(type(a) is float for a in angles):   # the usual case is checked below, all at once
            angles = tuple(finite_number(a, f"{source}: prediction {oid!r}: {key}", PredictionError)
                           for a, key in zip(angles, ANGLES))
        category = item.get("category")
        at.append(where)
        values.append(angles)
        named.append(category if isinstance(category, str) and category else None)
    if unknown:
        raise PredictionError(
            f"{source}: {len(unknown)} of {len(items)} predictions name objects this dataset does not have "
            f"(first: {unknown[0]!r}; ids are imagenet3d.object_id(image_id, k)): predictions for another dataset?")
    positions, array = np.array(at, dtype=np.int64), np.array(values, dtype=np.float64).reshape(-1, 3)
    bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if bad.size:   # NaN or inf, from JSON's NaN / Infinity or CSV's "nan"
        row, column = int(bad[0]), int(np.flatnonzero(~np.isfinite(array[bad[0]]))[0])
        finite_number(array[row, column], f"{source}: prediction {object_ids[at[row]]!r}: {ANGLES[column]}",
                       PredictionError)
    order = np.argsort(positions, kind="stable")
    repeated = np.flatnonzero(np.diff(positions[order]) == 0)
    if repeated.size:
        raise PredictionError(f"{source}: prediction {object_ids[positions[order[repeated[0]]]]!r} appears twice")
    return positions, array, named


def _read_local(source: str) -> list[dict]:
    path = Path(source).expanduser()
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise Imagenet3DError(f"{source}: no such file") from None
    except OSError as error:
        raise Imagenet3DError(f"{source}: not readable ({error.strerror})") from None
    if path.is_dir():
        raise Imagenet3DError(f"{source} is a folder: give the predictions file (.jsonl, .json or .csv)")
    _check_size(source, size)
    return _parse(path, source)


def _read_hub(source: str, token: str | bool | None) -> list[dict]:
    """The file's bytes through hub_io (one info request for the listing and size, one ranged read)."""
    parts = source[len(HUB_PREFIX):].split("/", 2) if source.startswith(HUB_PREFIX) else []
    if len(parts) != 3 or not all(parts) or "@" in parts[0] + parts[1]:
        raise Imagenet3DError(f"expected hf://datasets/ORG/NAME/path/to/predictions.jsonl, got {source!r}")
    repo, name = f"{parts[0]}/{parts[1]}", parts[2]
    root = f"{HUB_PREFIX}{repo}"
    token = current_token() if token is None else token   # the visitor's, inside the viewer
    try:
        files = HubFiles(root, token)
        size = files.size(f"{root}/{name}")
        _check_size(source, size)
        data = files.read(f"{root}/{name}", 0, size, keep=False) if size else b""
    except FileNotFoundError:
        raise Imagenet3DError(f"{source}: no such file in {repo}") from None
    except AccessDenied as error:   # not AccessDenied itself: that would read as the viewer's own gate
        who = "an anonymous visitor" if token is False else "this account"
        raise Imagenet3DError(f"{source}: the Hub does not let {who} read it (private, gated and not accepted, "
                              f"or no such dataset; {str(error).rsplit(': ', 1)[-1]})") from None
    with tempfile.TemporaryDirectory(prefix="imagenet3d-predictions-") as folder:
        path = Path(folder) / Path(name).name   # the same name: read_predictions tells CSV by its .csv suffix
        path.write_bytes(data)
        del data
        try:
            return _parse(path, source)
        except PredictionError as error:
            raise PredictionError(str(error).replace(str(path), source)) from None


def _check_size(source: str, size: int) -> None:
    if size > MAX_BYTES:
        raise Imagenet3DError(f"{source}: {size / 2**20:.0f} MB is more than the viewer reads "
                              f"({MAX_BYTES // 2**20} MB); keep object_id, the angles and category only")


def _parse(path: Path, source: str) -> list[dict]:
    try:
        return imagenet3d.read_predictions(path)   # not UTF-8, too large, malformed: PredictionError, one line
    except OSError as error:
        raise Imagenet3DError(f"{source}: not readable ({error.strerror or error})") from None


def _filled(values: pa.Array, fill) -> np.ndarray:
    return values.fill_null(fill).to_numpy(zero_copy_only=False)
