"""What :func:`evaluate` scores: reference objects from dataset rows, and predictions read from a file."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from _imagenet3d.crops import object_id, usable_object_indices
from _imagenet3d.errors import PredictionError
from _imagenet3d.evaluation import _ANGLE_KEYS, _describe


def reference_objects(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The references of :func:`evaluate` from image rows (``annotations`` or
    ``default`` config, or any dicts with image_id and objects).

    A list (so it can be scored any number of times) of one dict per usable
    object: object_id (``object_id(image_id, k)`` with k its position among
    *all* the image's objects, as the official
    object-centric files are named), image_id, category, azimuth, elevation,
    theta. ``usable`` is the official filter of imagenet3d_exp's
    ``preprocess_data.py`` (pose present, ``object_status`` present and not
    ``status_bad``, ``distance > 0``; see :func:`normalize_object`), which
    besides drops an unrecognised ``object_status`` and the older release's
    ``ignore`` flag.
    Iterate the ``annotations`` config rather than ``default``: it has no image bytes.
    """
    return [{"object_id": object_id(row["image_id"], k), "image_id": row["image_id"],
             "category": row["objects"][k]["category"], "azimuth": row["objects"][k]["azimuth"],
             "elevation": row["objects"][k]["elevation"], "theta": row["objects"][k]["theta"]}
            for row in rows for k in usable_object_indices(row["objects"])]


_CSV_COLUMNS = ("object_id", "azimuth", "elevation", "theta")
#: The largest predictions file read: 5x a full-size file (82k predictions with categories, 12 MB).
#: Reading holds about 8 times the file's size (its dicts), in time linear in it.
MAX_PREDICTION_BYTES = 64 * 1024 * 1024


def read_predictions(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Predictions from a file, as a list of dicts for :func:`evaluate`.

    Formats, told apart by content (a ``.csv`` name is always CSV):

    * JSON Lines: one ``{"object_id": ..., "azimuth": ..., "elevation": ...,
      "theta": ...[, "category": ...]}`` per line (blank lines skipped);
    * a JSON list of such objects;
    * CSV with a header ``object_id,azimuth,elevation,theta[,category]``
      (other columns ignored; an empty category counts as none).

    Angles in radians. Raises :class:`PredictionError` with the line number
    for anything that cannot be parsed; the values themselves are checked by
    :func:`evaluate`. A file over :data:`MAX_PREDICTION_BYTES` is refused
    unread, and one that is not UTF-8 with one line (PredictionError).
    """
    name = os.fspath(path)
    size = os.stat(name).st_size
    with open(name, "rb") as handle:
        data = handle.read(MAX_PREDICTION_BYTES + 1)   # at most the bound, whatever stat said (a device, a pipe)
    if len(data) > MAX_PREDICTION_BYTES:
        raise PredictionError(f"{name}: {max(size, len(data))} bytes, over the {MAX_PREDICTION_BYTES}-byte bound "
                              "for a predictions file: not read")
    try:
        text = data.decode("utf-8-sig")   # -sig: tolerate a BOM
    except UnicodeDecodeError as error:
        raise PredictionError(f"{name}: not UTF-8 text (byte {error.start}), so not a predictions file") from None
    del data
    start = text.lstrip()[:1]
    if name.lower().endswith(".csv") or (start and start not in "[{"):
        try:
            return _read_prediction_csv(text, name)
        except csv.Error as error:   # e.g. a field over the csv module's size limit
            raise PredictionError(f"{name}: not readable as CSV ({error})") from None
    if start == "[":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise PredictionError(f"{name} line {error.lineno}: not valid JSON ({error.msg})") from None
        except (ValueError, RecursionError) as error:   # a number too long to convert, nesting too deep
            raise PredictionError(f"{name}: not readable as JSON ({type(error).__name__})") from None
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                raise PredictionError(f"{name}: item {position} of the JSON list is {_describe(item)}, "
                                      "expected an object with an object_id")
        return items
    predictions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise PredictionError(f"{name} line {number}: not valid JSON ({error.msg})") from None
        except (ValueError, RecursionError) as error:   # a number too long to convert, nesting too deep
            raise PredictionError(f"{name} line {number}: not readable as JSON ({type(error).__name__})") from None
        if not isinstance(item, dict):
            raise PredictionError(f"{name} line {number}: {_describe(item)} is not a JSON object")
        predictions.append(item)
    return predictions


def _read_prediction_csv(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in _CSV_COLUMNS if column not in header]
    if missing:
        raise PredictionError(f"{name} line 1: the CSV header {','.join(header)!r} lacks "
                              f"{', '.join(missing)} (expected object_id,azimuth,elevation,theta[,category])")
    predictions = []
    for row in reader:
        if None in row or any(row[column] is None for column in _CSV_COLUMNS):
            raise PredictionError(f"{name} line {reader.line_num}: expected {len(header)} fields")
        prediction: dict[str, Any] = {"object_id": row["object_id"]}
        for key in _ANGLE_KEYS:
            try:
                prediction[key] = float(row[key])
            except ValueError:
                raise PredictionError(f"{name} line {reader.line_num}: {key} {row[key]!r} is not a number") from None
        if row.get("category"):
            prediction["category"] = row["category"]
        predictions.append(prediction)
    return predictions


