"""imagenet3d.evaluate and friends: the paper's protocol on hand-computed cases,
malformed predictions, prediction files, and the CLI on a tiny converted dataset."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import datasets
import numpy as np
import pytest

import imagenet3d
from imagenet3d import PredictionError, evaluate, format_table, read_predictions, reference_objects

ROOT = Path(__file__).resolve().parents[1]
DEG20 = math.radians(20)


def ref(object_id: str, category: str, azimuth: float = 0.4, elevation: float = 0.2,
        theta: float = 0.1) -> dict:
    return {"object_id": object_id, "category": category,
            "azimuth": azimuth, "elevation": elevation, "theta": theta}


def perfect(references: list[dict]) -> dict[str, dict]:
    return {r["object_id"]: {k: r[k] for k in ("azimuth", "elevation", "theta", "category")}
            for r in references}


REFS = [ref("chair/n1_00", "chair", 0.3), ref("chair/n1_01", "chair", 2.0, 0.5, 6.0),
        ref("car/n2_00", "car", 5.9, -0.2, 0.2), ref("cup/n3_00", "cup", 1.0, 1.2, 3.0)]


def cell(results: dict, column: str = "Avg.", block: str = "all") -> dict:
    return results["tables"][block][column]


# ---------------------------------------------------------------------------
# The metric on hand-computed cases
# ---------------------------------------------------------------------------


def test_perfect_predictions_score_100_100_0_0_and_list_form_agrees():
    results = evaluate(perfect(REFS), REFS)
    assert results["task"] == "pose" and results["num_objects"] == 4
    for column in ("Avg.", "Furn.", "Veh.", "Hou."):
        c = cell(results, column)
        assert (c["pi_6_acc"], c["pi_18_acc"]) == (100.0, 100.0)
        assert c["median_err"] == pytest.approx(0, abs=1e-6) and c["mean_err"] == pytest.approx(0, abs=1e-6)
    assert [cell(results, c)["count"] for c in imagenet3d.EVALUATION_COLUMNS] == [4, 0, 2, 1, 0, 0, 1, 0]
    assert cell(results, "Elec.") == {"pi_6_acc": None, "pi_18_acc": None, "median_err": None,
                                      "mean_err": None, "count": 0}
    as_list = [dict(p, object_id=oid) for oid, p in perfect(REFS).items()]
    assert evaluate(as_list[::-1], REFS) == results
    assert evaluate(as_list, datasets.Dataset.from_list(REFS)) == results  # rows of a Dataset
    json.dumps(results, allow_nan=False)  # plain Python numbers, no NaN


@pytest.mark.parametrize("angle", ["azimuth", "elevation", "theta"])
def test_a_20_degree_offset_of_one_angle_is_a_20_degree_error(angle):
    predictions = perfect(REFS)
    for p in predictions.values():
        p[angle] += DEG20
    c = cell(evaluate(predictions, REFS))
    assert c["pi_6_acc"] == 100.0 and c["pi_18_acc"] == 0.0
    assert c["median_err"] == pytest.approx(20, abs=1e-9) and c["mean_err"] == pytest.approx(20, abs=1e-9)


def test_angles_are_periodic():
    references = [ref("chair/n1_00", "chair", azimuth=math.radians(10), theta=math.radians(5))]
    prediction = {"chair/n1_00": {"azimuth": math.radians(350), "elevation": 0.2,
                                  "theta": math.radians(5) + 4 * math.pi}}
    assert cell(evaluate(prediction, references))["median_err"] == pytest.approx(20, abs=1e-9)


def test_super_category_columns_are_micro_averages_over_objects():
    # Furniture: errors 0, 0, 20 deg; Vehicles: one object at 40 deg.
    references = [ref("chair/a_00", "chair"), ref("bed/b_00", "bed"), ref("sofa/c_00", "sofa"),
                  ref("car/d_00", "car")]
    predictions = perfect(references)
    predictions["sofa/c_00"]["azimuth"] += DEG20
    predictions["car/d_00"]["theta"] += math.radians(40)
    results = evaluate(predictions, references)
    avg, furniture, vehicles = cell(results), cell(results, "Furn."), cell(results, "Veh.")
    # Avg. over the 4 objects, not the mean of the two columns (which would give 50).
    assert (avg["pi_6_acc"], avg["pi_18_acc"], avg["count"]) == (75.0, 50.0, 4)
    assert avg["median_err"] == pytest.approx(10) and avg["mean_err"] == pytest.approx(15)
    assert furniture["pi_6_acc"] == 100.0 and furniture["pi_18_acc"] == pytest.approx(200 / 3)
    assert furniture["median_err"] == pytest.approx(0, abs=1e-6) and furniture["mean_err"] == pytest.approx(20 / 3)
    assert (vehicles["pi_6_acc"], vehicles["pi_18_acc"], vehicles["count"]) == (0.0, 0.0, 1)
    assert vehicles["median_err"] == pytest.approx(40) and vehicles["mean_err"] == pytest.approx(40)


def test_thresholds_are_strict():
    references = [ref("chair/a_00", "chair", azimuth=0.0, elevation=0.0, theta=0.0)]
    # theta alone moves the rotation by exactly its change; just above pi/6 is out
    for theta, expected in ((math.pi / 6 * (1 - 1e-9), 100.0), (math.pi / 6 * (1 + 1e-9), 0.0)):
        prediction = {"chair/a_00": {"azimuth": 0.0, "elevation": 0.0, "theta": theta}}
        assert cell(evaluate(prediction, references))["pi_6_acc"] == expected


def test_classification_adds_pi_for_a_wrong_category():
    references = [ref("chair/a_00", "chair"), ref("car/b_00", "car"), ref("bed/c_00", "bed")]
    predictions = perfect(references)
    predictions["chair/a_00"]["azimuth"] += DEG20          # right class, 20 deg  -> 20
    predictions["car/b_00"]["category"] = "bus"            # wrong class, 0 deg   -> 180
    predictions["bed/c_00"].update(category="chair", elevation=0.2 + DEG20)  # wrong, 20 -> 200
    results = evaluate(predictions, references, task="classification")
    avg = cell(results)
    assert avg["pi_6_acc"] == pytest.approx(100 / 3) and avg["pi_18_acc"] == 0.0
    assert avg["median_err"] == pytest.approx(180) and avg["mean_err"] == pytest.approx(400 / 3)
    assert avg["cls_acc"] == pytest.approx(100 / 3)
    furniture = cell(results, "Furn.")  # chair and bed: by the reference's category
    assert furniture["count"] == 2 and furniture["cls_acc"] == 50.0 and furniture["median_err"] == pytest.approx(110)
    assert cell(results, "Elec.")["cls_acc"] is None
    # The pose task ignores categories: the same predictions score on pose alone.
    assert cell(evaluate(predictions, references))["pi_6_acc"] == 100.0


def test_open_vocabulary_reports_known_and_novel_apart():
    # bed and car are known (open-vocabulary training) categories; chair, sofa, cup novel.
    references = [ref("bed/a_00", "bed"), ref("chair/b_00", "chair"), ref("sofa/c_00", "sofa"),
                  ref("car/d_00", "car"), ref("cup/e_00", "cup")]
    predictions = perfect(references)
    predictions["chair/b_00"]["azimuth"] += DEG20
    predictions["sofa/c_00"]["azimuth"] += math.radians(40)
    results = evaluate(predictions, references, task="open_vocabulary")
    assert set(results["tables"]) == {"known", "novel"}
    known, novel = results["tables"]["known"], results["tables"]["novel"]
    assert (known["Avg."]["count"], known["Avg."]["pi_6_acc"]) == (2, 100.0)
    assert (known["Furn."]["count"], known["Veh."]["count"]) == (1, 1)
    assert (novel["Avg."]["count"], novel["Avg."]["pi_6_acc"]) == (3, pytest.approx(200 / 3))
    # Novel furniture is chair and sofa, not the known bed (the published script's bug).
    assert novel["Furn."]["count"] == 2 and novel["Furn."]["pi_6_acc"] == 50.0
    assert novel["Veh."]["count"] == 0 and novel["Veh."]["pi_6_acc"] is None
    assert novel["Hou."]["count"] == 1


# ---------------------------------------------------------------------------
# Malformed predictions name the first offender
# ---------------------------------------------------------------------------


def _list_predictions() -> list[dict]:
    return [dict(p, object_id=oid) for oid, p in perfect(REFS).items()]


def _with(position: int, **changes) -> list[dict]:
    predictions = _list_predictions()
    predictions[position].update(changes)
    predictions.append({"object_id": "late/offender_00", "azimuth": 0.0, "elevation": 0.0, "theta": 0.0})
    return predictions


def _without(position: int, key: str) -> list[dict]:
    predictions = _with(position)
    del predictions[position][key]
    return predictions


MALFORMED = {
    "missing ids": ([p for p in _list_predictions() if p["object_id"] not in ("chair/n1_01", "cup/n3_00")],
                    "no prediction for reference object 'chair/n1_01' (and 1 more)"),
    "duplicate id": (_list_predictions()[:2] + _list_predictions()[1:], "'chair/n1_01' appears twice"),
    "unknown id": (_list_predictions()[:1] + [dict(_list_predictions()[0], object_id="chair/nope_00")]
                   + _list_predictions()[1:] + [{"object_id": "late/offender_00"}],
                   "'chair/nope_00' is not a reference object id"),
    "NaN angle": (_with(1, azimuth=float("nan")), "'chair/n1_01': azimuth is nan"),
    "inf angle": (_with(2, theta=float("-inf")), "'car/n2_00': theta is -inf"),
    "list for a number": (_with(1, elevation=[0.2]), "'chair/n1_01': elevation is list [0.2]"),
    "array for a number": (_with(1, elevation=np.array([0.2])), "'chair/n1_01': elevation is ndarray"),
    "string for a number": (_with(0, azimuth="0.3"), "'chair/n1_00': azimuth is str '0.3'"),
    "None for a number": (_with(3, theta=None), "'cup/n3_00': theta is NoneType None"),
    "bool for a number": (_with(3, theta=True), "'cup/n3_00': theta is bool True"),
    "missing angle": (_without(2, "elevation"), "prediction 'car/n2_00' has no elevation"),
    "not a dict": (_list_predictions()[:1] + [[1, 2, 3]] + [{"object_id": 5}],
                   "prediction 1 is list [1, 2, 3]"),
    "no object_id": (_list_predictions()[:2] + [{"azimuth": 0.0}] + [{"object_id": 5}],
                     "prediction 2 has no object_id"),
    "non-string id": (_list_predictions()[:1] + [dict(_list_predictions()[1], object_id=7)],
                      "object_id int 7 is not a string"),
    "not a collection": (42, "predictions must be a mapping"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_predictions_name_the_first_offender(case):
    predictions, message = MALFORMED[case]
    with pytest.raises(PredictionError) as raised:
        evaluate(predictions, REFS)
    assert message in str(raised.value)
    assert "late/offender" not in str(raised.value) and "\n" not in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_mapping_predictions_with_a_non_dict_value():
    predictions = perfect(REFS)
    predictions["car/n2_00"] = [5.9, -0.2, 0.2]
    with pytest.raises(PredictionError, match="prediction 'car/n2_00' is list"):
        evaluate(predictions, REFS)


def test_classification_needs_a_category_name():
    predictions = _list_predictions()
    del predictions[1]["category"]
    predictions[2]["category"] = 3
    with pytest.raises(PredictionError, match="'chair/n1_01' has no category"):
        evaluate(predictions, REFS, task="classification")
    predictions[1]["category"] = "chair"
    with pytest.raises(PredictionError, match=r"'car/n2_00': category int 3 is not one of the 189"):
        evaluate(predictions, REFS, task="classification")
    predictions[2]["category"] = "Car"
    with pytest.raises(PredictionError, match="category str 'Car'"):
        evaluate(predictions, REFS, task="classification")


def test_bad_references_and_tasks_are_value_errors():
    with pytest.raises(ValueError, match="reference set is empty"):
        evaluate({}, [])
    with pytest.raises(ValueError, match="reference_objects"):
        evaluate({}, [{"image_id": "chair/n1", "objects": []}])
    with pytest.raises(ValueError, match="'chair/n1_00' appears twice") as raised:
        evaluate({}, REFS[:1] + REFS[:1])
    assert not isinstance(raised.value, PredictionError)
    with pytest.raises(ValueError, match="category 'chairs'"):
        evaluate({}, [ref("chair/n1_00", "chairs")])
    with pytest.raises(ValueError, match="unknown task"):
        evaluate(perfect(REFS), REFS, task="detection")


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def test_format_table_has_the_papers_layout():
    text = format_table(evaluate(perfect(REFS), REFS))
    lines = text.splitlines()
    assert lines[0] == "**Pose estimation** (4 objects)"
    assert "| Metric | Avg. | Elec. | Furn. | Hou. | Mus. | Spo. | Veh. | Work |" in lines
    assert "| Pose Accuracy @ pi/6 (%) | 100.0 | – | 100.0 | 100.0 | – | – | 100.0 | – |" in lines
    assert "| Objects | 4 | 0 | 2 | 1 | 0 | 0 | 1 | 0 |" in lines
    assert lines[-1] == "Note: " + imagenet3d.SUPER_CATEGORY_NOTE


def test_format_table_blocks_per_task_and_from_json():
    open_vocab = evaluate(perfect(REFS), REFS, task="open_vocabulary")
    text = format_table(open_vocab)
    assert "**Open-vocabulary pose estimation: known categories** (1 object)" in text
    assert "**Open-vocabulary pose estimation: novel categories** (3 objects)" in text
    assert text.count("| Metric | Avg. |") == 2
    assert format_table(json.loads(json.dumps(open_vocab))) == text
    classification = format_table(evaluate(perfect(REFS), REFS, task="classification"))
    assert "| 3D-Aware Pose Accuracy @ pi/6 (%) | 100.0 |" in classification
    assert "| Classification accuracy (%) | 100.0 |" in classification


# ---------------------------------------------------------------------------
# References from image rows
# ---------------------------------------------------------------------------


def test_reference_objects_keeps_usable_objects_with_their_original_index():
    def obj(category, usable, azimuth=0.5):
        return {"category": category, "azimuth": azimuth, "elevation": 0.1, "theta": 0.2,
                "distance": 5.0, "usable": usable}

    rows = [{"image_id": "chair/n03001627_7", "objects": [obj("chair", True, 0.1), obj("chair", False),
                                                          obj("chair", True, 0.3)]},
            {"image_id": "car/n02958343_2", "objects": [obj("car", False)]},
            {"image_id": "cup/n03147509_1", "objects": []}]
    references = list(reference_objects(rows))
    assert [r["object_id"] for r in references] == ["chair/n03001627_7_00", "chair/n03001627_7_02"]
    assert references[1] == {"object_id": "chair/n03001627_7_02", "image_id": "chair/n03001627_7",
                             "category": "chair", "azimuth": 0.3, "elevation": 0.1, "theta": 0.2}


def test_usable_is_the_official_filter():
    # imagenet3d_exp keeps an object with a pose, object_status present and not
    # status_bad, and distance > 0.
    pose = {"azimuth": 0.1, "elevation": 0.2, "theta": 0.3, "distance": 5.0, "px": 10.0, "py": 10.0,
            "class": "chair", "object_status": "status_good"}
    cases = [pose, dict(pose, object_status="status_partially"), dict(pose, object_status="status_barely"),
             dict(pose, object_status="status_bad"), {k: v for k, v in pose.items() if k != "object_status"},
             dict(pose, distance=0.0), dict(pose, distance=-1.0),
             {k: v for k, v in pose.items() if k not in ("azimuth", "elevation", "theta")}]
    for raw in cases:
        official = ("azimuth" in raw and raw.get("object_status") not in (None, "status_bad")
                    and raw["distance"] > 0)
        assert imagenet3d.normalize_object(raw)["usable"] == official, raw


# ---------------------------------------------------------------------------
# Prediction files
# ---------------------------------------------------------------------------

FILE_PREDICTIONS = [
    {"object_id": "chair/n1_00", "azimuth": 0.5, "elevation": 0.25, "theta": -0.125, "category": "chair"},
    {"object_id": "car/n2_00", "azimuth": 6.0, "elevation": 0.0, "theta": 1.5, "category": "bus"},
]


def test_read_predictions_in_three_formats(tmp_path):
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text("\n".join(json.dumps(p) for p in FILE_PREDICTIONS) + "\n\n")
    listed = tmp_path / "p.json"
    listed.write_text(json.dumps(FILE_PREDICTIONS, indent=2))
    table = tmp_path / "p.csv"
    table.write_text("object_id,azimuth,elevation,theta,category\n"
                     + "".join(f"{p['object_id']},{p['azimuth']},{p['elevation']},{p['theta']},{p['category']}\n"
                               for p in FILE_PREDICTIONS))
    for path in (jsonl, listed, table):
        assert read_predictions(path) == FILE_PREDICTIONS, path
    # CSV without the category column, with an extra one, told apart by content alone.
    bare = tmp_path / "predictions.txt"
    bare.write_text("object_id,score,azimuth,elevation,theta\nchair/n1_00,0.9,0.5,0.25,-0.125\n")
    assert read_predictions(bare) == [{"object_id": "chair/n1_00", "azimuth": 0.5, "elevation": 0.25,
                                       "theta": -0.125}]


@pytest.mark.parametrize("name, text, message", [
    ("p.jsonl", '{"object_id": "a", "azimuth": 1}\n\n{"object_id": "b", azimuth}\n', "line 3: not valid JSON"),
    ("p.jsonl", '{"object_id": "a"}\n[1, 2]\n', "line 2: list [1, 2] is not a JSON object"),
    ("p.json", '[\n{"object_id": "a"},\n{"object_id": }\n]', "line 3: not valid JSON"),
    ("p.json", '[{"object_id": "a"}, 3]', "item 1 of the JSON list is int 3"),
    ("p.csv", "object_id,azimuth,elevation,theta\na,1,2,3\nb,1,x,3\n", "line 3: elevation 'x' is not a number"),
    ("p.csv", "object_id,azimuth,elevation\na,1,2\n", "line 1: the CSV header"),
    ("p.csv", "object_id,azimuth,elevation,theta\na,1,2,3\nb,1,2\n", "line 3: expected 4 fields"),
    ("p.csv", "object_id,azimuth,elevation,theta\na,1,2,3,4\n", "line 2: expected 4 fields"),
])
def test_read_predictions_errors_give_the_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(PredictionError, match=re.escape(message)):
        read_predictions(path)


# ---------------------------------------------------------------------------
# The CLI end to end on a tiny converted dataset
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub(large_dataset, tmp_path_factory) -> dict:
    out = large_dataset
    cache = tmp_path_factory.mktemp("hf_cache")
    rows = imagenet3d.load("annotations", split="validation", source=str(out), cache_dir=str(cache))
    return {"source": str(out), "cache": str(cache), "rows": list(rows),
            "references": list(reference_objects(rows))}


def run_cli(hub: dict, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_DATASETS_CACHE=hub["cache"], HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "imagenet3d", "evaluate", *args, "--source", hub["source"]],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def noisy_predictions(references: list[dict]) -> list[dict]:
    rng = np.random.default_rng(0)
    predictions = []
    for n, r in enumerate(references):
        sigma = 0.02 if n % 3 else 0.4  # most close, every third far off
        predictions.append({"object_id": r["object_id"], "category": "cup" if n % 4 == 0 else r["category"],
                            **{k: float(r[k] + rng.normal(0, sigma)) for k in ("azimuth", "elevation", "theta")}})
    return predictions


def test_cli_scores_a_predictions_file(hub, tmp_path):
    references = hub["references"]
    all_objects = sum(len(row["objects"]) for row in hub["rows"])
    assert 4 <= len(references) < all_objects  # the split has unusable objects, which are left out
    predictions = noisy_predictions(references)
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in predictions))

    out = tmp_path / "results.json"
    done = run_cli(hub, str(path), "--split", "validation", "--json", str(out))
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert results == evaluate(predictions, references)

    # The numbers by hand, straight from the pose error.
    pred = np.array([[p[k] for k in ("azimuth", "elevation", "theta")] for p in predictions])
    gt = np.array([[r[k] for k in ("azimuth", "elevation", "theta")] for r in references])
    errors = imagenet3d.pose_error(imagenet3d.rotation_matrix(*pred.T), imagenet3d.rotation_matrix(*gt.T))
    avg = results["tables"]["all"]["Avg."]
    assert avg["count"] == len(references)
    assert avg["pi_6_acc"] == pytest.approx(100 * np.mean(errors < np.pi / 6))
    assert avg["median_err"] == pytest.approx(np.degrees(np.median(errors)))
    assert 0 < avg["pi_18_acc"] < 100

    assert done.stdout == format_table(results) + "\n"
    assert f"| Pose Accuracy @ pi/6 (%) | {avg['pi_6_acc']:.1f} |" in done.stdout
    assert "Note: " + imagenet3d.SUPER_CATEGORY_NOTE in done.stdout


def test_cli_classification_from_csv(hub, tmp_path):
    predictions = noisy_predictions(hub["references"])
    path = tmp_path / "predictions.csv"
    path.write_text("object_id,azimuth,elevation,theta,category\n" + "".join(
        f"{p['object_id']},{p['azimuth']!r},{p['elevation']!r},{p['theta']!r},{p['category']}\n"
        for p in predictions))
    out = tmp_path / "results.json"
    done = run_cli(hub, str(path), "--task", "classification", "--json", str(out))
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert results == evaluate(predictions, hub["references"], task="classification")
    assert "| Classification accuracy (%) |" in done.stdout


def test_cli_malformed_predictions_exit_2_with_one_line(hub, tmp_path):
    predictions = noisy_predictions(hub["references"])
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in predictions[1:]))
    done = run_cli(hub, str(path))
    assert done.returncode == 2 and done.stdout == ""
    message = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert message == [f"error: malformed predictions: no prediction for reference object "
                       f"{predictions[0]['object_id']!r}"]
    assert "Traceback" not in done.stderr

    path.write_text(json.dumps(predictions[0]) + "\n{oops\n")
    done = run_cli(hub, str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"error: cannot read predictions: {path} line 2: not valid JSON "
                                                "(Expecting property name enclosed in double quotes)"]


def test_references_can_be_scored_twice(hub):
    refs = reference_objects(hub["rows"])
    predictions = [{**ref, "azimuth": ref["azimuth"] + 0.1} for ref in refs]
    first = imagenet3d.evaluate(predictions, refs)
    assert imagenet3d.evaluate(predictions, refs) == first


def test_an_exhausted_iterator_of_references_is_named_as_such(hub):
    refs = iter(hub["references"])
    list(refs)
    with pytest.raises(ValueError, match="iterator"):
        imagenet3d.evaluate({}, refs)


def test_predictions_in_degrees_are_refused_unless_declared(hub):
    refs = hub["references"]
    radians = [{"object_id": r["object_id"], "azimuth": r["azimuth"] + 0.2, "elevation": r["elevation"],
                "theta": r["theta"]} for r in refs]
    degrees = [{"object_id": p["object_id"], **{k: float(np.degrees(p[k])) for k in ("azimuth", "elevation", "theta")}}
               for p in radians]
    with pytest.raises(PredictionError, match="angle_unit='degrees'"):
        imagenet3d.evaluate(degrees, refs)
    expected = imagenet3d.evaluate(radians, refs)["tables"]["all"]["Avg."]
    scored = imagenet3d.evaluate(degrees, refs, angle_unit="degrees")["tables"]["all"]["Avg."]
    assert scored["count"] == expected["count"]
    assert scored["median_err"] == pytest.approx(expected["median_err"], abs=1e-9)
    with pytest.raises(ValueError, match="angle_unit"):
        imagenet3d.evaluate(radians, refs, angle_unit="grads")


def test_cli_takes_degrees(hub, tmp_path):
    refs = hub["references"]
    path = tmp_path / "degrees.jsonl"
    path.write_text("".join(json.dumps({"object_id": r["object_id"], **{k: float(np.degrees(r[k]))
                                        for k in ("azimuth", "elevation", "theta")}}) + "\n" for r in refs))
    refused = run_cli(hub, str(path))
    assert refused.returncode == 2 and "--degrees" in refused.stderr and "Traceback" not in refused.stderr
    accepted = run_cli(hub, str(path), "--degrees")
    assert accepted.returncode == 0, accepted.stderr


def test_degrees_declared_for_radians_are_refused():
    references = [ref(f"chair/n{k}_00", "chair", azimuth=0.1 * k) for k in range(25)]
    radians = perfect(references)
    with pytest.raises(PredictionError, match="look like radians"):
        evaluate(radians, references, angle_unit="degrees")
    few = references[:5]   # too few to tell: scored as told
    assert cell(evaluate(perfect(few), few, angle_unit="degrees"))["count"] == 5


@pytest.mark.parametrize("content, suffix", [
    ("[" * 100_000 + "]" * 100_000, ".json"),                                          # nesting too deep
    ('{"object_id": "a", "azimuth": ' + "9" * 5000 + ', "elevation": 0, "theta": 0}\n', ".jsonl"),  # huge int
    ("[" + '{"object_id": "a", "azimuth": ' + "9" * 5000 + "}]", ".json"),
    ("object_id,azimuth,elevation,theta\n" + "x" * 200_000 + ",0,0,0\n", ".csv"),      # field over csv's limit
])
def test_hostile_predictions_files_get_a_one_line_error(tmp_path, content, suffix):
    path = tmp_path / f"predictions{suffix}"
    path.write_text(content)
    with pytest.raises(imagenet3d.PredictionError) as raised:
        imagenet3d.read_predictions(path)
    assert "\n" not in str(raised.value) and str(path) in str(raised.value)
