"""The paper's evaluation: pose accuracies at pi/6 and pi/18 and median error, per super-category.

Protocol of ImageNet3D (Ma et al. 2024, arXiv:2406.09613, Sec. 5) as its experiment
code implements it; :func:`evaluate` cites the exact scripts.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from _imagenet3d.camera import pose_error, rotation_matrix
from _imagenet3d.categories import (
    KNOWN_CATEGORIES,
    SUPER_CATEGORIES,
    SUPER_CATEGORY_ABBREVIATIONS,
    SUPER_CATEGORY_NAMES,
    SUPER_CATEGORY_NOTE,
)
from _imagenet3d.errors import Imagenet3DError, PredictionError

#: Tasks of :func:`evaluate`: pose estimation, open-vocabulary pose estimation
#: (known and novel categories apart) and 3D-aware classification.
EVALUATION_TASKS: tuple[str, ...] = ("pose", "open_vocabulary", "classification")

#: Columns of the paper's tables: every object, then each super-category.
EVALUATION_COLUMNS: tuple[str, ...] = ("Avg.",) + tuple(
    SUPER_CATEGORY_ABBREVIATIONS[name] for name in SUPER_CATEGORY_NAMES)

_ANGLE_KEYS = ("azimuth", "elevation", "theta")
_KNOWN_SET = frozenset(KNOWN_CATEGORIES)




def _describe(value: Any) -> str:
    return f"{type(value).__name__} {reprlib.repr(value)}"


def finite_number(value: Any, what: str, error: type[ValueError]) -> float:
    """``value`` as a finite float; ``error`` naming ``what`` for anything else
    (lists, strings, bools, None, NaN, inf)."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        value = value.item()
    # bool is an int to Python, but True as an angle is a bug, not a number.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(f"{what} is {_describe(value)}, expected a number (radians)")
    number = float(value)
    if not math.isfinite(number):
        raise error(f"{what} is {number}, expected a finite number (radians)")
    return number


def _read_references(references: Iterable[Mapping]) -> tuple[list[str], list[str], np.ndarray]:
    """Reference ids, categories and (N, 3) angles; ValueError for bad references."""
    if isinstance(references, (str, bytes, Mapping)):
        raise Imagenet3DError("references must be an iterable of dicts (object_id, category, "
                         f"azimuth, elevation, theta), not a {type(references).__name__}")
    ids: list[str] = []
    categories: list[str] = []
    angles: list[list[float]] = []
    seen: set[str] = set()
    for position, ref in enumerate(references):
        if not isinstance(ref, Mapping):
            raise Imagenet3DError(f"reference {position} is a {type(ref).__name__}, expected a dict")
        if "object_id" not in ref:
            hint = (" (these look like image rows: pass them through imagenet3d.reference_objects)"
                    if "objects" in ref else "")
            raise Imagenet3DError(f"reference {position} has no object_id{hint}")
        oid = ref["object_id"]
        if not isinstance(oid, str):
            raise Imagenet3DError(f"reference {position}: object_id is {_describe(oid)}, expected a string")
        if oid in seen:
            raise Imagenet3DError(f"reference object_id {oid!r} appears twice")
        seen.add(oid)
        category = ref.get("category")
        if category not in SUPER_CATEGORIES:
            raise Imagenet3DError(f"reference {oid!r}: category {category!r} is not one of the 189 categories")
        row = []
        for key in _ANGLE_KEYS:
            if key not in ref:
                raise Imagenet3DError(f"reference {oid!r} has no {key}")
            row.append(finite_number(ref[key], f"reference {oid!r}: {key}", ValueError))
        ids.append(oid)
        categories.append(category)
        angles.append(row)
    if not ids:
        if isinstance(references, Iterator):
            raise Imagenet3DError("no references to evaluate against: the iterator of references is empty; "
                             "an iterator can be read once, so pass a list (imagenet3d.reference_objects "
                             "returns one) to evaluate more than once")
        raise Imagenet3DError("no references to evaluate against: the reference set is empty "
                         "(wrong split, or no usable objects?)")
    return ids, categories, np.array(angles, dtype=np.float64)


def _prediction_items(predictions: Any) -> Iterator[tuple[Any, Any]]:
    """(object_id, prediction) pairs in the order given, from a mapping or a list of dicts."""
    if isinstance(predictions, Mapping):
        yield from predictions.items()
        return
    if isinstance(predictions, (str, bytes)) or not isinstance(predictions, Iterable):
        raise PredictionError("predictions must be a mapping object_id -> {azimuth, elevation, theta} "
                              f"or a list of dicts with an object_id key, not a {type(predictions).__name__}")
    for position, prediction in enumerate(predictions):
        if not isinstance(prediction, Mapping):
            raise PredictionError(f"prediction {position} is {_describe(prediction)}, "
                                  "expected a dict with an object_id key")
        if "object_id" not in prediction:
            raise PredictionError(f"prediction {position} has no object_id")
        yield prediction["object_id"], prediction


#: Units ``evaluate`` accepts for predicted angles.
ANGLE_UNITS = ("radians", "degrees")


#: Below this many predictions, azimuths in degrees may all be small by chance.
_MIN_PREDICTIONS_FOR_RADIANS_CHECK = 20


def check_unit(angles: np.ndarray, ids: list[str], angle_unit: str) -> None:
    """Refuse predictions whose values contradict ``angle_unit``. Any angle is valid (rotations are
    periodic), but azimuths in radians rarely leave [-2pi, 2pi] while azimuths in degrees, spread
    over the circle, almost all do: more than half beyond 2pi means degrees, and none of 20 or more
    beyond it means radians."""
    beyond = np.abs(angles[:, 0]) > 2 * math.pi + 1e-9
    if angle_unit == "radians" and beyond.sum() * 2 > len(beyond):
        row = int(np.argmax(beyond))
        raise PredictionError(
            f"{int(beyond.sum())} of {len(beyond)} predicted azimuths are beyond 2pi (first: {ids[row]!r} "
            f"at {angles[row, 0]:g}): these look like degrees. Pass angle_unit='degrees' (CLI: --degrees)")
    if angle_unit == "degrees" and len(beyond) >= _MIN_PREDICTIONS_FOR_RADIANS_CHECK and not beyond.any():
        raise PredictionError(
            f"angle_unit is degrees, but none of the {len(beyond)} predicted azimuths is beyond 2pi: "
            "these look like radians. Leave out angle_unit='degrees' (CLI: --degrees)")


def _read_predictions(predictions: Any, ids: list[str], need_category: bool
                      ) -> tuple[np.ndarray, list[str | None]]:
    """Predicted (N, 3) angles and categories aligned with the references.

    One pass in the order given: the first bad prediction (unknown or repeated
    id, missing key, wrong type, non-finite angle) raises; then the first
    reference without a prediction does.
    """
    row_of = {oid: row for row, oid in enumerate(ids)}
    angles = np.full((len(ids), 3), np.nan)
    categories: list[str | None] = [None] * len(ids)
    predicted = np.zeros(len(ids), dtype=bool)
    for oid, prediction in _prediction_items(predictions):
        if not isinstance(oid, str):
            raise PredictionError(f"prediction object_id {_describe(oid)} is not a string")
        row = row_of.get(oid)
        if row is None:
            raise PredictionError(
                f"prediction {oid!r} is not a reference object id (ids are "
                "imagenet3d.object_id(image_id, k) of the evaluated split's usable objects)")
        if predicted[row]:
            raise PredictionError(f"prediction {oid!r} appears twice")
        if not isinstance(prediction, Mapping):
            raise PredictionError(f"prediction {oid!r} is {_describe(prediction)}, "
                                  "expected a dict with azimuth, elevation, theta")
        for column, key in enumerate(_ANGLE_KEYS):
            if key not in prediction:
                raise PredictionError(f"prediction {oid!r} has no {key}")
            angles[row, column] = finite_number(prediction[key], f"prediction {oid!r}: {key}", PredictionError)
        if need_category:
            category = prediction.get("category")
            if category is None:
                raise PredictionError(f"prediction {oid!r} has no category (the classification task needs one)")
            if not isinstance(category, str) or category not in SUPER_CATEGORIES:
                raise PredictionError(f"prediction {oid!r}: category {_describe(category)} "
                                      "is not one of the 189 category names")
            categories[row] = category
        predicted[row] = True
    missing = np.flatnonzero(~predicted)
    if missing.size:
        more = f" (and {missing.size - 1} more)" if missing.size > 1 else ""
        raise PredictionError(f"no prediction for reference object {ids[missing[0]]!r}{more}")
    return angles, categories


def _metrics(errors: np.ndarray, correct: np.ndarray | None) -> dict[str, float | int | None]:
    """The official numbers of one column; None (not NaN, to stay JSON) when empty."""
    cell: dict[str, float | int | None]
    if errors.size == 0:
        cell = {"pi_6_acc": None, "pi_18_acc": None, "median_err": None, "mean_err": None}
    else:
        degrees = np.degrees(errors)
        cell = {
            "pi_6_acc": float(np.mean(errors < math.pi / 6) * 100.0),
            "pi_18_acc": float(np.mean(errors < math.pi / 18) * 100.0),
            "median_err": float(np.median(degrees)),
            "mean_err": float(np.mean(degrees)),
        }
    if correct is not None:
        cell["cls_acc"] = float(np.mean(correct) * 100.0) if correct.size else None
    cell["count"] = int(errors.size)
    return cell


def _table(errors: np.ndarray, super_categories: np.ndarray, selected: np.ndarray,
           correct: np.ndarray | None) -> dict[str, dict]:
    """"Avg." and one column per super-category, each a per-object micro-average."""
    def cell(mask: np.ndarray) -> dict:
        return _metrics(errors[mask], None if correct is None else correct[mask])

    table = {"Avg.": cell(selected)}
    for name in SUPER_CATEGORY_NAMES:
        table[SUPER_CATEGORY_ABBREVIATIONS[name]] = cell(selected & (super_categories == name))
    return table


def evaluate(predictions: Mapping[str, Mapping] | Iterable[Mapping], references: Iterable[Mapping],
             task: str = "pose", angle_unit: str = "radians") -> dict[str, Any]:
    """Score predicted poses against references with the paper's protocol.

    Protocol of ImageNet3D (Ma et al., "ImageNet3D: Towards General-Purpose
    Object-Level 3D Understanding", arXiv:2406.09613, 2024, Sec. 5), as
    implemented in github.com/wufeim/imagenet3d_exp (HEAD 91e46e5):
    ``imagenet3d/utils/pose_utils.py`` (``pose_error``),
    ``scripts/linear_probing.py``, ``scripts/open_vocab_pose_estimation.py``,
    ``scripts/pose_estimation_classification.py`` and
    ``scripts/compute_accuracy_{linear_probing,open_vocab,pose_cls}.py``.

    * error = ``pose_error(rotation_matrix(pred), rotation_matrix(gt))``, the
      geodesic angle in radians (only the three angles are evaluated);
    * ``pi_6_acc`` / ``pi_18_acc`` = percentage with error < pi/6 / < pi/18
      (strict), ``median_err`` / ``mean_err`` in degrees, ``count`` objects;
    * columns: ``"Avg."`` over every object, then each super-category
      (Elec., Furn., ...) over its objects: micro-averages, not means of
      per-category scores. The super-categories are our grouping
      (:data:`SUPER_CATEGORY_NOTE`), so these columns are not comparable
      with the paper's; "Avg." is;
    * ``task="open_vocabulary"``: the same table for known categories
      (:data:`KNOWN_CATEGORIES`) and for novel ones apart;
    * ``task="classification"`` (3D-aware classification): every prediction
      carries a ``category``; a wrong one adds pi to the error, so an object
      counts at a threshold only if classified correctly *and* posed within
      it; ``cls_acc`` is the plain classification accuracy.

    ``references``: dicts (or a ``datasets.Dataset``) with object_id,
    category, azimuth, elevation, theta in radians; see
    :func:`reference_objects`. ``predictions``: a mapping object_id ->
    {azimuth, elevation, theta[, category]}, or a list of such dicts with an
    ``object_id`` key. Exactly one prediction per reference: otherwise
    :class:`PredictionError` names the first offender (unknown, repeated or
    missing id, missing key, non-number or non-finite angle, missing category).
    Predicted angles are radians; ``angle_unit="degrees"`` converts them.
    Radians where more than half of the azimuths are beyond 2pi raise
    :class:`PredictionError`: they are almost surely degrees, which would
    otherwise be scored silently as radians; so do "degrees" of which none
    of 20 or more azimuths is beyond 2pi (radians, almost surely).

    Returns plain Python values: ``{"task", "num_objects", "super_category_note",
    "tables": {block: {column: {metric: value}}}}`` with block ``"all"``, or
    ``"known"`` and ``"novel"`` for open_vocabulary; empty columns have None
    metrics and count 0. :func:`format_table` prints it as the paper does.

        >>> refs = [{"object_id": "chair/n03001627_1_00", "category": "chair",
        ...          "azimuth": 0.5, "elevation": 0.1, "theta": 0.0}]
        >>> preds = {"chair/n03001627_1_00": {"azimuth": 0.5 + np.radians(20),
        ...                                   "elevation": 0.1, "theta": 0.0}}
        >>> cell = evaluate(preds, refs)["tables"]["all"]["Furn."]
        >>> cell["pi_6_acc"], cell["pi_18_acc"], round(cell["median_err"], 6), cell["count"]
        (100.0, 0.0, 20.0, 1)
    """
    if task not in EVALUATION_TASKS:
        raise Imagenet3DError(f"unknown task {task!r}; tasks: {', '.join(EVALUATION_TASKS)}")
    if angle_unit not in ANGLE_UNITS:
        raise Imagenet3DError(f"unknown angle_unit {angle_unit!r}; units: {', '.join(ANGLE_UNITS)}")
    ids, categories, gt_angles = _read_references(references)
    pred_angles, pred_categories = _read_predictions(predictions, ids, need_category=task == "classification")
    check_unit(pred_angles, ids, angle_unit)
    if angle_unit == "degrees":
        pred_angles = np.radians(pred_angles)

    errors = pose_error(rotation_matrix(*pred_angles.T), rotation_matrix(*gt_angles.T))
    correct = None
    if task == "classification":
        correct = np.array([p == g for p, g in zip(pred_categories, categories)], dtype=bool)
    return score_errors(errors, categories, task, correct)


def score_errors(errors: np.ndarray, categories: Sequence[str], task: str = "pose",
                 correct: np.ndarray | None = None) -> dict[str, Any]:
    """:func:`evaluate`'s results from pose errors already computed: ``errors[i]`` the geodesic error
    in radians of an object of category ``categories[i]``; for ``task="classification"``,
    ``correct[i]`` whether it was classified correctly (a wrong one adds pi). The one place the
    paper's table is assembled, so callers that hold errors (the viewer) score exactly as evaluate.
    """
    if task not in EVALUATION_TASKS:
        raise Imagenet3DError(f"unknown task {task!r}; tasks: {', '.join(EVALUATION_TASKS)}")
    errors = np.asarray(errors, dtype=np.float64)
    if task == "classification":
        if correct is None:
            raise Imagenet3DError("3D-aware classification needs whether each object was classified correctly")
        errors = errors + np.where(correct, 0.0, math.pi)
    else:
        correct = None
    super_categories = np.array([SUPER_CATEGORIES[c] for c in categories])
    if task == "open_vocabulary":
        known = np.array([c in _KNOWN_SET for c in categories], dtype=bool)
        # The published compute_accuracy_open_vocab.py builds its unknown_<meta>
        # columns from the known-category list (a copy-paste bug); the novel
        # block here selects the novel objects.
        tables = {"known": _table(errors, super_categories, known, correct),
                  "novel": _table(errors, super_categories, ~known, correct)}
    else:
        tables = {"all": _table(errors, super_categories, np.ones(len(errors), dtype=bool), correct)}
    return {"task": task, "num_objects": len(errors), "super_category_note": SUPER_CATEGORY_NOTE,
            "tables": tables}


_TASK_TITLES = {
    "pose": "Pose estimation",
    "open_vocabulary": "Open-vocabulary pose estimation",
    "classification": "3D-aware classification",
}
_BLOCK_TITLES = {"all": "", "known": ": known categories", "novel": ": novel categories"}


def _metric_rows(task: str) -> list[tuple[str, str]]:
    accuracy = "3D-Aware Pose Accuracy" if task == "classification" else "Pose Accuracy"
    rows = [("pi_6_acc", f"{accuracy} @ pi/6 (%)"), ("pi_18_acc", f"{accuracy} @ pi/18 (%)"),
            ("median_err", "Median error (deg)"), ("mean_err", "Mean error (deg)")]
    if task == "classification":
        rows.append(("cls_acc", "Classification accuracy (%)"))
    return rows + [("count", "Objects")]


def format_table(results: Mapping[str, Any]) -> str:
    """The results of :func:`evaluate` as markdown, in the paper's layout.

    Columns Avg. and the seven super-categories, one row per metric, one
    block per table (known and novel apart for open_vocabulary), numbers to
    one decimal as in the paper, "–" where a column has no objects, and a
    footnote saying the super-category grouping is ours. Also accepts the
    results read back from JSON.
    """
    task = results["task"]
    lines: list[str] = []
    for block, table in results["tables"].items():
        count = table["Avg."]["count"]
        lines += [f"**{_TASK_TITLES.get(task, task)}{_BLOCK_TITLES.get(block, ': ' + block)}** "
                  f"({count} object{'s' if count != 1 else ''})", ""]
        lines.append("| Metric | " + " | ".join(EVALUATION_COLUMNS) + " |")
        lines.append("|---|" + "---:|" * len(EVALUATION_COLUMNS))
        for key, label in _metric_rows(task):
            cells = []
            for column in EVALUATION_COLUMNS:
                value = table[column].get(key)
                if key == "count":
                    cells.append(str(value))
                else:
                    cells.append("–" if value is None else f"{value:.1f}")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(f"Note: {results.get('super_category_note', SUPER_CATEGORY_NOTE)}")
    return "\n".join(lines)


