"""examples/train_classify_pose.py (3D-aware classification, the paper's Task 3), run briefly end to end on the
SMALL build: it prints the paper's table, its predictions file names a category for every validation object,
evaluate(task="classification") on that file gives the printed numbers, and the viewer opens it. Also the scoring
rule the example relies on: a wrong category adds pi to the pose error."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import imagenet3d

pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def references(built_dataset) -> list[dict]:
    return imagenet3d.reference_objects(imagenet3d.load("annotations", "validation", source=built_dataset))


@pytest.fixture(scope="module")
def run(built_dataset, tmp_path_factory) -> tuple[str, Path]:
    """One brief run (one short epoch, 32-px crops): its stdout and its predictions file."""
    path = tmp_path_factory.mktemp("classify_pose") / "predictions.jsonl"
    done = subprocess.run([sys.executable, "examples/train_classify_pose.py", "--source", str(built_dataset),
                           "--minutes", "0.02", "--epochs", "1", "--workers", "0", "--size", "32",
                           "--predictions", str(path)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, path


def test_the_example_prints_the_3d_aware_classification_table(run):
    stdout, _ = run
    assert "**3D-aware classification**" in stdout
    assert "| Metric | Avg. | Elec. | Furn. | Hou. | Mus. | Spo. | Veh. | Work |" in stdout
    assert "| 3D-Aware Pose Accuracy @ pi/6 (%) |" in stdout and "| Classification accuracy (%) |" in stdout
    assert "Classification accuracy: " in stdout and "Baseline, the most frequent training category" in stdout


def test_its_predictions_name_a_category_for_every_validation_object_and_reproduce_the_table(run, references):
    stdout, path = run
    predictions = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(p["object_id"] for p in predictions) == sorted(r["object_id"] for r in references)
    assert all(p["category"] in imagenet3d.CATEGORIES for p in predictions)
    results = imagenet3d.evaluate(imagenet3d.read_predictions(str(path)), references, task="classification")
    assert imagenet3d.format_table(results) in stdout
    assert f"Classification accuracy: {results['tables']['all']['Avg.']['cls_acc']:.1f}%" in stdout


def test_the_viewer_opens_its_predictions_as_3d_aware_classification(run, built_dataset):
    from viewer_app.data import DatasetIndex, Filter
    from viewer_app.predictions import load_predictions

    stdout, path = run
    index = DatasetIndex(str(built_dataset))
    loaded = load_predictions(str(path), index)
    validation = np.array([split == "validation" for split in index.split])
    assert np.array_equal(loaded.scored, index.object_usable & validation[index.object_row])
    assert loaded.default_task == "classification"
    assert loaded.table(index.select(Filter(split="validation")), "classification") in stdout


def test_a_wrong_category_adds_pi(references):
    """A perfect pose counts only with the right category: with a wrong one its error is pi, beyond pi/6."""
    perfect = {r["object_id"]: {**{a: r[a] for a in ("azimuth", "elevation", "theta")}, "category": r["category"]}
               for r in references}
    wrong = dict(perfect)
    first = references[0]
    wrong[first["object_id"]] = {**perfect[first["object_id"]],
                                 "category": next(c for c in imagenet3d.CATEGORIES if c != first["category"])}
    right = imagenet3d.evaluate(perfect, references, task="classification")["tables"]["all"]["Avg."]
    assert right["pi_6_acc"] == 100.0 and right["cls_acc"] == 100.0 and right["mean_err"] < 1e-5
    cell = imagenet3d.evaluate(wrong, references, task="classification")["tables"]["all"]["Avg."]
    n = len(references)
    assert cell["pi_6_acc"] == pytest.approx(100.0 * (n - 1) / n)
    assert cell["cls_acc"] == pytest.approx(100.0 * (n - 1) / n)
    assert cell["mean_err"] == pytest.approx(180.0 / n, abs=1e-5)   # that object's error is pi (180 degrees)
    assert imagenet3d.evaluate(wrong, references, task="pose")["tables"]["all"]["Avg."]["pi_6_acc"] == 100.0
    assert math.isclose(cell["count"], n)
