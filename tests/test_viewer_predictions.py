"""Predictions beside ground truth (viewer_app/predictions.py): a predictions file read against the viewer's index,
errors per object, filtering and sorting by error, and the paper's table for a filter, equal to imagenet3d.evaluate's.

Predictions are made from the SMALL build's own annotations, each usable object turned by a known rotation: its
azimuth by 40 degrees (a turn about the object's vertical axis: exactly 40 degrees of error), its theta by 5 degrees
(in-plane), or not at all. The expected errors are computed here again with imagenet3d.pose_error.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import imagenet3d
from _imagenet3d.errors import Imagenet3DError
from viewer_app import predictions as module
from viewer_app.data import ERROR_SORT, DatasetIndex, Filter
from viewer_app.predictions import load_predictions

ROOT = Path(__file__).resolve().parents[1]
ANGLES = ("azimuth", "elevation", "theta")
TURNS = ((0, 40.0), (2, 5.0), (None, 0.0))   # (angle turned, degrees), by reference number modulo 3


@pytest.fixture(scope="module")
def index(built_dataset) -> DatasetIndex:
    return DatasetIndex(str(built_dataset))


@pytest.fixture(scope="module")
def references(index) -> list[dict]:
    return imagenet3d.reference_objects(index.record(image_id) for image_id in index.image_ids)


def perturbed(references: list[dict], categories: bool = False) -> list[dict]:
    """One prediction per reference: turned as TURNS says; with categories, every fourth one wrong (every eighth
    a category the dataset does not have)."""
    out = []
    for n, ref in enumerate(references):
        angles = [ref[key] for key in ANGLES]
        column, degrees = TURNS[n % 3]
        if column is not None:
            angles[column] += math.radians(degrees)
        prediction = {"object_id": ref["object_id"], **dict(zip(ANGLES, angles))}
        if categories:
            wrong = "sofa" if n % 8 == 0 else ("cup" if ref["category"] != "cup" else "bed")
            prediction["category"] = ref["category"] if n % 4 else wrong
        out.append(prediction)
    return out


def write_jsonl(path: Path, predictions: list[dict]) -> str:
    path.write_text("".join(json.dumps(p) + "\n" for p in predictions))
    return str(path)


def write_csv(path: Path, predictions: list[dict]) -> str:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["object_id", *ANGLES, "category"])
        writer.writeheader()
        writer.writerows(predictions)
    return str(path)


def flat_position(index: DatasetIndex) -> dict[str, int]:
    """object_id -> position in the index's per-object arrays, built the plain way."""
    found, position = {}, 0
    for image_id, count in zip(index.image_ids, index.num_objects.tolist()):
        for k in range(count):
            found[imagenet3d.object_id(image_id, k)] = position
            position += 1
    return found


def expected_errors(predictions: list[dict], references: list[dict]) -> np.ndarray:
    by_id = {ref["object_id"]: ref for ref in references}
    pred = np.array([[p[key] for key in ANGLES] for p in predictions])
    true = np.array([[by_id[p["object_id"]][key] for key in ANGLES] for p in predictions])
    return imagenet3d.pose_error(imagenet3d.rotation_matrix(*pred.T), imagenet3d.rotation_matrix(*true.T))


def test_errors_per_object_are_the_pose_error_from_jsonl_and_csv(index, references, tmp_path):
    predictions = perturbed(references, categories=True)
    from_jsonl = load_predictions(write_jsonl(tmp_path / "p.jsonl", predictions), index)
    from_csv = load_predictions(write_csv(tmp_path / "p.csv", predictions), index)
    position = flat_position(index)
    at = np.array([position[p["object_id"]] for p in predictions])
    expected = expected_errors(predictions, references)
    assert np.degrees(expected) == pytest.approx([TURNS[n % 3][1] for n in range(len(expected))], abs=1e-9)
    for loaded in (from_jsonl, from_csv):
        assert loaded.num_predictions == len(predictions) and loaded.predicted.sum() == len(predictions)
        np.testing.assert_allclose(loaded.error[at], expected, rtol=0, atol=1e-12)
        assert np.isnan(np.delete(loaded.error, at)).all()          # no prediction: no error
        for key in ANGLES:
            np.testing.assert_array_equal(getattr(loaded, key)[at], [p[key] for p in predictions])
        assert list(loaded.category[at]) == [p["category"] for p in predictions]
    np.testing.assert_array_equal(from_jsonl.error, from_csv.error)

    # Per image, as the overlay and the pose table take them.
    worst = from_jsonl.row_worst_error()
    for row, image_id in enumerate(index.image_ids):
        errors = from_jsonl.image_errors(row)
        poses = from_jsonl.image_predictions(row)
        assert len(errors) == index.num_objects[row]
        for k, error in enumerate(errors):
            oid = imagenet3d.object_id(image_id, k)
            mine = [p for p in predictions if p["object_id"] == oid]
            assert (error is None) == (not mine)
            if mine:
                assert error == pytest.approx(math.degrees(expected[predictions.index(mine[0])]), abs=1e-9)
                assert poses[k] == tuple(mine[0][key] for key in ANGLES)
            else:
                assert k not in poses
        scored = [e for e in errors if e is not None]
        assert worst[row] == (max(scored) if scored else pytest.approx(np.nan, nan_ok=True))


def test_a_subset_reports_its_coverage_and_unusable_objects_are_shown_not_scored(index, references, tmp_path):
    validation = {image_id for image_id, split in zip(index.image_ids, index.split) if split == "validation"}
    subset = [p for p in perturbed(references) if p["object_id"].rsplit("_", 1)[0] in validation]
    position = flat_position(index)
    unusable = [(row, k) for row in range(len(index.image_ids)) for k, obj in enumerate(index.objects(row))
                if not obj["usable"] and index.image_ids[row] in validation]
    assert subset and unusable   # the SMALL build has both
    row, k = unusable[0]
    extra = {"object_id": imagenet3d.object_id(index.image_ids[row], k), "azimuth": 1.0, "elevation": 0.2, "theta": 0.1}
    loaded = load_predictions(write_jsonl(tmp_path / "validation.jsonl", subset + [extra]), index)

    n = len(subset) + 1
    assert loaded.coverage.startswith(f"{n} predictions for {n} of {len(index.object_row)} objects; "
                                      f"{len(subset)} of the {int(index.object_usable.sum())} usable objects scored")
    assert loaded.image_predictions(row)[k] == (1.0, 0.2, 0.1)    # drawn beside the ground truth ...
    assert loaded.image_errors(row)[k] is None                    # ... but not scored (evaluate would not)
    assert int(loaded.scored.sum()) == len(subset)
    assert {position[p["object_id"]] for p in subset} == set(np.flatnonzero(loaded.scored).tolist())
    train = index.select(Filter(split="train"))
    assert np.isnan(loaded.row_worst_error()[train]).all()
    message = loaded.table(train)
    assert message.startswith("Nothing to score: none of the") and "\n" not in message
    assert loaded.table([]).startswith("Nothing to score: no images match this filter")


def test_sort_worst_first_and_filter_by_error(index, references, tmp_path):
    loaded = load_predictions(write_jsonl(tmp_path / "p.jsonl", perturbed(references)), index)
    errors = loaded.row_worst_error()
    rows = index.select(Filter(sort=ERROR_SORT), errors)
    assert sorted(rows) == list(range(len(index.image_ids)))
    # Worst first, ties by image_id, images without a scored object last (also by image_id).
    scored = [r for r in range(len(errors)) if not np.isnan(errors[r])]
    unscored = [r for r in range(len(errors)) if np.isnan(errors[r])]
    assert scored and unscored
    expected = (sorted(scored, key=lambda r: (-errors[r], index.image_ids[r]))
                + sorted(unscored, key=lambda r: index.image_ids[r]))
    assert rows == expected
    assert errors[rows[0]] == pytest.approx(40.0)

    turned = {p["object_id"].rsplit("_", 1)[0] for n, p in enumerate(references) if TURNS[n % 3][1] == 40.0}
    at_least_30 = index.select(Filter(min_error_degrees=30.0), errors)
    assert {index.image_ids[r] for r in at_least_30} == turned
    assert at_least_30 == sorted(at_least_30, key=lambda r: index.image_ids[r])   # the default sort
    assert set(index.select(Filter(min_error_degrees=0.0), errors)) == set(scored)
    chairs = index.select(Filter(category="chair", min_error_degrees=30.0, sort=ERROR_SORT), errors)
    assert chairs and {index.category[r] for r in chairs} == {"chair"} and set(chairs) <= set(at_least_30)

    for needs_errors in (Filter(min_error_degrees=10.0), Filter(sort=ERROR_SORT)):
        with pytest.raises(Imagenet3DError, match="needs predictions: load a predictions file first"):
            index.select(needs_errors)
    with pytest.raises(ValueError, match="one per image"):
        index.select(Filter(), errors[:-1])


FILTERS = [Filter(), Filter(split="validation"), Filter(category="chair"), Filter(known=False, split="train")]


@pytest.mark.parametrize("task", [None, *imagenet3d.EVALUATION_TASKS])
def test_table_for_a_filter_equals_evaluate(index, references, tmp_path, task):
    predictions = perturbed(references, categories=True)
    loaded = load_predictions(write_jsonl(tmp_path / "p.jsonl", predictions), index)
    assert loaded.default_task == "classification"     # every prediction carries a category
    by_id = {p["object_id"]: p for p in predictions}
    for selection in FILTERS:
        rows = index.select(selection)
        chosen = [ref for ref in imagenet3d.reference_objects(index.record(index.image_ids[r]) for r in rows)]
        assert chosen, selection
        expected = imagenet3d.evaluate({ref["object_id"]: by_id[ref["object_id"]] for ref in chosen}, chosen,
                                       task=task or "classification")
        got = loaded.evaluation(rows, task)
        assert got == _approx(expected), (selection, task)
        assert loaded.table(rows, task) == imagenet3d.format_table(expected)


def _approx(results: dict):
    """evaluate's results, floats compared to 1e-9 (the same errors, computed in one batch instead of per subset)."""
    if isinstance(results, dict):
        return {key: _approx(value) for key, value in results.items()}
    return pytest.approx(results, abs=1e-9) if isinstance(results, float) else results


def test_the_task_without_categories_is_pose_and_classification_needs_them(index, references, tmp_path):
    loaded = load_predictions(write_jsonl(tmp_path / "p.jsonl", perturbed(references)), index)
    assert loaded.default_task == "pose"
    assert loaded.table(list(range(len(index.image_ids)))).startswith("**Pose estimation** (")
    with pytest.raises(Imagenet3DError, match="needs a predicted category"):
        loaded.table([0, 1, 2], task="classification")
    with pytest.raises(Imagenet3DError, match="unknown task"):
        loaded.table([0], task="depth")


def test_degrees_are_refused_or_read_when_asked(index, references, tmp_path):
    predictions = perturbed(references)
    in_degrees = [{**p, **{key: math.degrees(p[key]) for key in ANGLES}} for p in predictions]
    path = write_jsonl(tmp_path / "degrees.jsonl", in_degrees)
    with pytest.raises(Imagenet3DError, match="look like degrees") as refused:
        load_predictions(path, index)
    assert str(refused.value).startswith(path) and "\n" not in str(refused.value)
    read = load_predictions(path, index, angle_unit="degrees")
    radians = load_predictions(write_jsonl(tmp_path / "radians.jsonl", predictions), index)
    np.testing.assert_allclose(read.error, radians.error, rtol=0, atol=1e-9)


def _bad_files(references: list[dict]) -> list[tuple[str, str, str]]:
    """(file name, content, what the one-line message must say)."""
    first = references[0]["object_id"]
    good = [json.dumps(p) for p in perturbed(references)]
    return [
        ("broken.jsonl", good[0] + "\n{not json\n", "line 2: not valid JSON"),
        ("nan.jsonl", good[0] + "\n" + good[1].replace('"theta": ', '"theta": NaN, "x": '),
         "expected a finite number"),
        ("text.jsonl", json.dumps({"object_id": first, "azimuth": "north", "elevation": 0.1, "theta": 0.0}),
         "azimuth is str 'north', expected a number"),
        ("no_theta.jsonl", json.dumps({"object_id": first, "azimuth": 0.1, "elevation": 0.1}), "has no theta"),
        ("twice.jsonl", good[0] + "\n" + good[0], f"prediction {first!r} appears twice"),
        ("unknown.jsonl", good[0] + "\n" + good[1].replace(references[1]["object_id"], "chair/n00000000_1_00"),
         "1 of 2 predictions name objects this dataset does not have (first: 'chair/n00000000_1_00'"),
        ("header.csv", "id,azimuth,elevation,theta\nx,1,2,3\n", "lacks object_id"),
        ("empty.jsonl", "\n", "no predictions in the file"),
        ("binary.jsonl", "\udcff", "not UTF-8 text"),
    ]


def test_bad_files_get_one_line_errors(index, references, tmp_path, monkeypatch):
    for name, content, says in _bad_files(references):
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
        with pytest.raises(Imagenet3DError) as error:
            load_predictions(str(path), index)
        message = str(error.value)
        assert says in message and str(path) in message and "\n" not in message, (name, message)
    for source, says in ((str(tmp_path / "missing.jsonl"), "no such file"), (str(tmp_path), "is a folder"),
                         ("hf://datasets/org", "expected hf://datasets/ORG/NAME/path"),
                         ("hf://org/name/p.jsonl", "expected hf://datasets/ORG/NAME/path")):
        with pytest.raises(Imagenet3DError, match=says):
            load_predictions(source, index)
    with pytest.raises(Imagenet3DError, match="or upload the file"):   # a typed path never reads the server's files
        load_predictions("/proc/self/environ", index, allow_local=False)
    big = write_jsonl(tmp_path / "big.jsonl", perturbed(references))
    monkeypatch.setattr(module, "MAX_BYTES", 1024)
    with pytest.raises(Imagenet3DError, match=r"more than the viewer reads \(0 MB\)"):
        load_predictions(big, index)


HUB_SCENARIO = """
import json, os, sys, tempfile
sys.path[:0] = [{root!r}, {tests!r}]
from hub_standin import HubStandIn
hub = HubStandIn()
hub.add_repo("org/preds", {folder!r})
hub.add_repo("org/gated-preds", {folder!r}, gated="manual")
hub.add_user("hf_alice", "alice", accepted={{"org/gated-preds"}})
hub.add_user("hf_bob", "bob")
os.environ.update(hub.env(tempfile.mkdtemp()))
from viewer_app import predictions as module
from viewer_app.data import DatasetIndex
from viewer_app.hub_io import reading_as
from viewer_app.predictions import load_predictions
index = DatasetIndex({dataset!r})
out = {{}}

def attempt(name, source, token=None, context=None):
    hub.reset_counts()
    try:
        if context is None:
            loaded = load_predictions(source, index, token=token, allow_local=False)
        else:
            with reading_as(context):
                loaded = load_predictions(source, index, allow_local=False)
        out[name] = dict(error=None, errors=[None if e != e else e for e in loaded.error.tolist()])
    except Exception as error:
        out[name] = dict(error=str(error), kind=type(error).__name__)
    out[name]["tokens"] = sorted({{str(r.token) for r in hub.requests}})
    out[name]["kinds"] = [r.kind for r in hub.requests]

attempt("public jsonl", "hf://datasets/org/preds/runs/p.jsonl", token=False)
attempt("public csv", "hf://datasets/org/preds/runs/p.csv", token=False)
attempt("gated, anonymous", "hf://datasets/org/gated-preds/runs/p.jsonl", token=False)
attempt("gated, not accepted", "hf://datasets/org/gated-preds/runs/p.jsonl", token="hf_bob")
attempt("gated, accepted", "hf://datasets/org/gated-preds/runs/p.jsonl", token="hf_alice")
attempt("gated, the visitor's context", "hf://datasets/org/gated-preds/runs/p.jsonl", context="hf_alice")
attempt("missing file", "hf://datasets/org/preds/runs/nothing.jsonl", token=False)
attempt("no such repo", "hf://datasets/org/nothing/p.jsonl", token=False)
attempt("malformed", "hf://datasets/org/preds/runs/broken.jsonl", token=False)
module.MAX_BYTES = 100
attempt("too large", "hf://datasets/org/preds/runs/p.jsonl", token=False)
print(json.dumps(out))
"""


def test_predictions_from_the_hub_with_the_visitors_token(index, references, built_dataset, tmp_path):
    folder = tmp_path / "repo"
    (folder / "runs").mkdir(parents=True)
    predictions = perturbed(references)
    write_jsonl(folder / "runs" / "p.jsonl", predictions)
    write_csv(folder / "runs" / "p.csv", predictions)
    (folder / "runs" / "broken.jsonl").write_text("{oops\n")
    local = load_predictions(str(folder / "runs" / "p.jsonl"), index)
    code = HUB_SCENARIO.format(root=str(ROOT), tests=str(ROOT / "tests"), folder=str(folder),
                               dataset=str(built_dataset))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    expected = [None if np.isnan(e) else pytest.approx(e, abs=1e-12) for e in local.error]
    for case in ("public jsonl", "public csv", "gated, accepted", "gated, the visitor's context"):
        assert out[case]["error"] is None and out[case]["errors"] == expected, (case, out[case])
        assert out[case]["kinds"] == ["info", "resolve"]   # the listing (size), then one read of the file
    assert out["gated, accepted"]["tokens"] == out["gated, the visitor's context"]["tokens"] == ["hf_alice"]
    assert out["public jsonl"]["tokens"] == ["None"]        # anonymous
    for case, says in (("gated, anonymous", "does not let an anonymous visitor read it"),
                       ("gated, not accepted", "does not let this account read it"),
                       ("missing file", "no such file in org/preds"),
                       ("no such repo", "does not let an anonymous visitor read it"),
                       ("malformed", "hf://datasets/org/preds/runs/broken.jsonl line 1: not valid JSON"),
                       ("too large", "more than the viewer reads")):
        message = out[case]["error"]
        assert message and says in message and "\n" not in message, (case, message)
        assert out[case]["kind"] not in ("AccessDenied", "HubUnavailable"), case   # not the viewer's own gate
    assert "tmp" not in out["malformed"]["error"]             # names the source, not the temporary copy
    assert out["too large"]["kinds"] == ["info"]              # refused from the listing, before any read


def test_the_example_trainings_predictions_load(built_dataset, index, tmp_path):
    """examples/train_pose.py --predictions: its file loads, covers the validation split's usable objects, and
    the open-vocabulary table of the validation images is the one the example printed."""
    path = tmp_path / "predictions.jsonl"
    done = subprocess.run([sys.executable, "examples/train_pose.py", "--source", str(built_dataset),
                           "--minutes", "0.02", "--epochs", "1", "--workers", "0", "--size", "32",
                           "--predictions", str(path)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = load_predictions(str(path), index)
    validation = np.array([split == "validation" for split in index.split])
    assert np.array_equal(loaded.scored, index.object_usable & validation[index.object_row])
    assert loaded.default_task == "pose"
    assert loaded.table(index.select(Filter(split="validation")), "open_vocabulary") in done.stdout
