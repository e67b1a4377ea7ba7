"""Hostile CAD models (issue 14): NaN and infinite vertices never get past read_off, write_glb or read_glb,
and the converter quarantines such a model and every image whose objects use it, as it does a missing model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import imagenet3d
from _imagenet3d.reasons import QuarantineReason
from conversion import derived_configs, manifest, validate

from releases import FOLDER, TINY

REPO = Path(__file__).resolve().parents[1]
BAD = ("beaker", 1)       # the model the fixture corrupts; TINY's frisbee keeps its good one
GOOD = ("frisbee", 1)
TRIANGLE = "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"


def _with_vertex(value: str, vertex: int = 1, comment: bool = False) -> bytes:
    """TRIANGLE with one coordinate of ``vertex`` replaced; a comment sends it through the token reader."""
    lines = TRIANGLE.splitlines()
    lines[2 + vertex] = f"0 {value} 0"
    return ("\n".join(lines) + ("\n# a comment\n" if comment else "\n")).encode()


# -- read_off ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", [False, True], ids=["plain", "tokenised"])
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999"])
def test_read_off_refuses_a_non_finite_vertex(value, comment):
    with pytest.raises(imagenet3d.OffError, match=r"^OFF vertex 1 of 3 is NaN or infinite \(1 non-finite") as caught:
        imagenet3d.read_off(_with_vertex(value, comment=comment))
    assert "\n" not in str(caught.value)


def test_read_off_names_the_first_bad_vertex_and_counts_them():
    data = b"OFF\n4 1 0\n0 0 0\n1 nan 0\n0 1 0\ninf 0 -inf\n3 0 1 2\n"
    with pytest.raises(imagenet3d.OffError, match=r"vertex 1 of 4 .* \(2 non-finite vertices\)"):
        imagenet3d.read_off(data)


def test_read_off_still_reads_large_finite_values():
    vertices, faces = imagenet3d.read_off(_with_vertex("1e300"))
    assert vertices[1, 1] == 1e300 and faces.tolist() == [[0, 1, 2]]


@pytest.mark.parametrize("data, message", [
    (b"OFF\n-3 1 0\n", "negative count"),
    (b"OFF\n3 -1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "negative count"),
    (b"OFF -3 1 0\n", "negative count"),
    (TRIANGLE.replace("3 0 1 2", "3 0 1 3").encode(), "face index out of range"),
    (TRIANGLE.replace("3 0 1 2", "3 0 -1 2").encode(), "face index out of range"),
    (b"OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n4 0 1 3 2\n", "face index out of range"),   # a polygon, fanned
    (TRIANGLE.replace("3 1 0", "3 2 0").encode(), "malformed OFF faces"),           # fewer faces than declared
    (TRIANGLE.replace("3 0 1 2", "2 0 1").encode(), "malformed OFF faces"),         # not a polygon
    (TRIANGLE.replace("3 1 0", "4 1 0").encode(), "malformed OFF faces"),           # a face read as a vertex
    (b"OFF\n4 0 0\n0 0 0\n1 0 0\n", "4 vertices but holds fewer"),
    (TRIANGLE.replace("0 1 0\n", "0 one 0\n").encode(), "malformed OFF header or vertices"),
    (b"PLY\n", "not an OFF file"),
    (b"", "not an OFF file"),
])
def test_read_off_refuses_what_is_not_a_mesh(data, message):
    with pytest.raises(imagenet3d.OffError, match=message):
        imagenet3d.read_off(data)


def test_read_off_refuses_non_ascii():
    with pytest.raises(ValueError):
        imagenet3d.read_off(TRIANGLE.replace("0 0 0", "0 0 \u00e9").encode("utf-8"))


# -- GLB: the other way vertices reach the dataset, the loaders and the viewer -----------------------------------


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e39])   # 1e39 is finite in float64, not in float32
def test_write_glb_refuses_non_finite_vertices(value):
    vertices = np.eye(3)
    vertices[2, 0] = value
    with pytest.raises(imagenet3d.GlbError, match="vertices must be finite"):
        imagenet3d.write_glb(vertices, np.array([[0, 1, 2]]))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_read_glb_refuses_non_finite_vertices(value):
    data = bytearray(imagenet3d.write_glb(np.eye(3), np.array([[0, 1, 2]])))
    one = np.float32(1.0).tobytes()
    at = data.index(one, len(data) - 3 * 12 - 3 * 4)   # the first 1.0 of the positions in the BIN chunk
    data[at:at + 4] = np.float32(value).tobytes()
    with pytest.raises(imagenet3d.GlbError, match="non-finite vertices"):
        imagenet3d.read_glb(bytes(data))


# -- the converter, one model at a time ----------------------------------------------------------------------------


class _OneFile:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, relpath: str) -> bytes:
        return self.data


@pytest.mark.parametrize("data, message", [
    (_with_vertex("nan"), "unreadable CAD model: OFF vertex 1 of 3 is NaN or infinite"),
    (_with_vertex("1e300"), "unreadable CAD model: vertices must be finite (in float32)"),   # from write_glb
    (b"\xff\xfe", "unreadable CAD model: 'ascii' codec can't decode"),
    (b"OFF\n0 0 0\n", "unreadable CAD model: vertices must be a non-empty"),
])
def test_a_model_that_cannot_go_in_gives_its_reason(data, message):
    before = list(derived_configs._WORKER_SOURCE)
    derived_configs._set_source(_OneFile(data))  # type: ignore[arg-type]
    try:
        reason = derived_configs._cad_row(BAD)
    finally:
        derived_configs._WORKER_SOURCE[:] = before
    assert isinstance(reason, str) and reason.startswith(message)
    assert reason.code is QuarantineReason.BAD_CAD


def test_an_object_using_a_quarantined_model_quarantines_its_image():
    candidate = validate.Candidate("beaker", "n02815834_1", "train")
    obj = {"category": "beaker", "cad_index": 1, "bbox": None, "unusable_reasons": []}
    with pytest.raises(validate.BadInput) as caught:
        validate._check_object(obj, 0, 100, 100, candidate, set(), frozenset({BAD}))
    assert caught.value.reason.code is QuarantineReason.QUARANTINED_CAD
    assert caught.value.path == candidate.annotation_path
    with pytest.raises(validate.BadInput) as caught:
        validate._check_object(obj, 0, 100, 100, candidate, set())
    assert caught.value.reason.code is QuarantineReason.MISSING_CAD   # missing, as before


# -- the converter, a whole build --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_build(tiny_release, tmp_path_factory):
    """TINY with a NaN vertex in CAD/beaker/01.off, built by ``python -m conversion build``."""
    root = tmp_path_factory.mktemp("hostile-cad")
    raw = shutil.copytree(tiny_release / FOLDER, root / FOLDER)
    off = raw / imagenet3d.cad_relpath(*BAD)
    lines = off.read_text().splitlines(keepends=True)
    lines[5] = "0.1 nan 0.2\n"    # vertex 3
    lines[7] = "inf 0 0\n"        # vertex 5
    off.write_text("".join(lines))
    users = {f"annotations/{BAD[0]}/{path.name}" for path in sorted((raw / "annotations" / BAD[0]).glob("*.npz"))
             if any(o["cad_index"] == BAD[1] for o in imagenet3d.read_annotations(path))}
    assert users, "TINY's beaker images use its model 1"
    out = root / "out"
    done = subprocess.run([sys.executable, "-m", "conversion", "build", str(raw), str(out), "--quiet",
                           "--workers", "1"], cwd=REPO, capture_output=True, text=True, timeout=300)
    return out, users, done


def _entries(out: Path) -> dict[str, list[str]]:
    report = json.loads((out / "quarantine.json").read_text())
    assert report["count"] == len(report["entries"])
    by_path: dict[str, list[str]] = {}
    for entry in report["entries"]:
        by_path.setdefault(entry["path"], []).append(entry["reason"])
    return by_path


def test_the_build_finishes(hostile_build):
    out, users, done = hostile_build
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{len(users) + 1} quarantined" in done.stdout


def test_the_model_is_quarantined_with_its_reason(hostile_build):
    out, _, _ = hostile_build
    assert _entries(out)[imagenet3d.cad_relpath(*BAD)] == [
        "unreadable CAD model: OFF vertex 3 of 11488 is NaN or infinite (2 non-finite vertices)"]


def test_every_image_using_it_is_quarantined_as_a_missing_model_would_be(hostile_build):
    out, users, _ = hostile_build
    entries = _entries(out)
    flagged = {path for path, reasons in entries.items() if path.startswith("annotations/")}
    assert flagged == users
    for path in users:
        (reason,) = entries[path]
        assert reason.endswith(f"uses cad_index {BAD[1]} but {imagenet3d.cad_relpath(*BAD)} is quarantined")
    assert set(entries) == users | {imagenet3d.cad_relpath(*BAD)}


def test_the_dataset_holds_neither_the_model_nor_its_images(hostile_build):
    out, users, _ = hostile_build
    models = pq.read_table(out / derived_configs.single_file("cad_models"), columns=["category", "cad_index"])
    assert list(zip(*models.to_pydict().values())) == [GOOD]
    meshes = pq.read_table(out / imagenet3d.CAD_MESHES_FILE, columns=["category", "cad_index"])
    assert list(zip(*meshes.to_pydict().values())) == [GOOD]
    ids = {i for shard in sorted((out / "data").glob("*.parquet"))
           for i in pq.read_table(shard, columns=["image_id"]).column("image_id").to_pylist()}
    stems = {Path(path).stem for path in users}
    assert not {i for i in ids if i.split("/")[1] in stems}
    assert len(ids) == TINY.num_images - len(users)


def test_a_resumed_build_keeps_the_cad_stage_and_its_quarantine(hostile_build, tmp_path):
    # A copy of the finished build with its shards and card gone, as after a kill past the CAD stage.
    built, users, _ = hostile_build
    out = shutil.copytree(built, tmp_path / "out")
    for shard in (out / "data").glob("*.parquet"):
        shard.unlink()
    (out / "quarantine.json").unlink()
    cad_files = [out / derived_configs.single_file("cad_models"), out / imagenet3d.CAD_MESHES_FILE]
    before = [path.stat().st_mtime_ns for path in cad_files]
    raw = built.parent / FOLDER
    done = subprocess.run([sys.executable, "-m", "conversion", "build", str(raw), str(out), "--quiet",
                           "--workers", "1"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [path.stat().st_mtime_ns for path in cad_files] == before   # not converted again
    assert _entries(out) == _entries(built)   # the model and its images are still quarantined, same reasons
    assert manifest.verify(out) == []
