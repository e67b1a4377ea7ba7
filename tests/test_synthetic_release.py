"""The synthetic release: exact v1 layout, true poses, every quirk, reproducible bytes."""

from __future__ import annotations

import io
import json
import math
import pickletools
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import imagenet3d
from _imagenet3d import annotations
from synthetic_release import scenes as synthetic
from synthetic_release.__main__ import main
from synthetic_release.captions import POSE6D_TOKEN
from synthetic_release.check import check_release
from synthetic_release.progress import JOURNAL_NAME
from synthetic_release.writer import write_release

REPO = Path(__file__).resolve().parents[1]

# Small but varied: known and novel, several shape families, one large mesh.
CATEGORIES = ["bed", "car", "cup", "fork"]
IMAGES_PER_CATEGORY = 12
SEED = 3


def tree_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    write_release(out, CATEGORIES, IMAGES_PER_CATEGORY, seed=SEED, workers=1, tree=True, zip_=True,
                  progress=False)
    return out


def test_layout_is_the_v1_release(release):
    root = release / "imagenet3d_v1"
    # The real release has only these four folders; the marker file says this one is synthetic.
    assert sorted(p.name for p in root.iterdir()) == [
        "CAD", imagenet3d.SYNTHETIC_MARKER, "annotations", "images", "lists"]
    marker = json.loads((root / imagenet3d.SYNTHETIC_MARKER).read_text())
    assert marker["seed"] == SEED and marker["categories"] == CATEGORIES
    stems = {}
    for category in CATEGORIES:
        images = {p.stem for p in (root / "images" / category).iterdir()}
        annotations = {p.stem for p in (root / "annotations" / category).iterdir()}
        assert images == annotations and len(images) == IMAGES_PER_CATEGORY
        assert all(p.suffix == ".JPEG" for p in (root / "images" / category).iterdir())
        assert all(p.suffix == ".npz" for p in (root / "annotations" / category).iterdir())
        train = (root / "lists" / f"{category}_imagenet_train.txt").read_text().split()
        val = (root / "lists" / f"{category}_imagenet_val.txt").read_text().split()
        assert sorted(train + val) == sorted(images) and not set(train) & set(val) and val
        for stem in images:
            wnid, number = stem.split("_")
            assert len(wnid) == 9 and wnid.startswith("n") and number.isdigit()
        stems[category] = images
        cad = sorted(p.name for p in (root / "CAD" / category).iterdir())
        expected = [f"{i:02d}.off" for i in range(1, imagenet3d.CATEGORY_INFO[category].num_cad_models + 1)]
        assert cad == expected
    assert "n02818832" in {s.split("_")[0] for s in stems["bed"]}  # the real WNID where one is known


def test_cad_models_follow_the_release_conventions(release):
    sizes = []
    for path in sorted((release / "imagenet3d_v1" / "CAD").glob("*/*.off")):
        vertices, faces = imagenet3d.read_off(path)
        assert path.read_bytes().startswith(b"OFF\n")
        lo, hi = vertices.min(0), vertices.max(0)
        np.testing.assert_allclose((lo + hi) / 2, 0, atol=1e-5)
        assert abs(np.linalg.norm(hi - lo) - 1.0) < 1e-5
        assert faces.min() >= 0 and faces.max() < len(vertices)
        sizes.append(len(vertices))
    assert max(sizes) >= 30_000  # a large, Objaverse-like mesh is among them


def test_annotations_have_every_documented_key_and_dtype(release):
    raw_objects = []
    for path in sorted((release / "imagenet3d_v1" / "annotations").glob("*/*.npz")):
        array = annotations._load_annotation_array(path.read_bytes())
        assert array.dtype == object and array.ndim == 1 and len(array) >= 1
        raw_objects.extend(array.tolist())
    full = [o for o in raw_objects if "azimuth" in o and "object_status" in o]
    assert full
    for obj in full:
        assert set(obj) == {"azimuth", "elevation", "theta", "distance", "viewport", "focal", "px", "py",
                            "principal", "height", "width", "bbox", "class", "cad_index", "object_status",
                            "dense"}
        assert isinstance(obj["height"], np.uint16) and isinstance(obj["width"], np.uint16)
        assert isinstance(obj["bbox"], np.ndarray) and obj["bbox"].shape == (4,)
        assert isinstance(obj["principal"], np.ndarray) and obj["principal"].shape == (2,)
        assert isinstance(obj["class"], str) and isinstance(obj["cad_index"], int)
        assert isinstance(obj["viewport"], int) and obj["viewport"] == 3000


def test_every_quirk_of_the_real_data_is_present(release):
    manifest = json.loads((release / "synthetic_release.json").read_text())
    assert set(manifest["quirks"]) == set(synthetic.IMAGE_QUIRKS) | set(synthetic.OBJECT_QUIRKS)
    root = release / "imagenet3d_v1"
    formats, modes, orientations = Counter(), Counter(), Counter()
    raw, normalised, objects_per_image = [], [], Counter()
    for path in sorted((root / "images").glob("*/*.JPEG")):
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))
        formats[image.format] += 1
        modes[image.mode] += 1
        orientations[image.getexif().get(0x0112)] += 1
        npz = root / "annotations" / path.parent.name / f"{path.stem}.npz"
        objects = imagenet3d.read_annotations(npz)
        for obj in objects:
            if obj["width"] is not None:
                # Annotations refer to the stored pixel grid.
                assert (obj["width"], obj["height"]) == image.size
        objects_per_image[len(objects)] += 1
        normalised.extend(objects)
        raw.extend(annotations._load_annotation_array(npz.read_bytes()).tolist())
    assert formats["PNG"] >= 1 and formats["JPEG"] >= 1
    assert modes["L"] >= 1 and modes["CMYK"] >= 1
    assert sum(n for value, n in orientations.items() if value) >= 1
    assert max(objects_per_image) >= 2
    assert any("azimuth" not in o for o in raw)
    # As in the real release (the official preprocessing reads `distance` of every object with a usable status).
    assert all(o.get("object_status", "status_bad") == "status_bad" for o in raw if "azimuth" not in o)
    assert any("object_status" not in o for o in raw)
    assert any("distance" in o and o["distance"] <= 0 for o in raw)
    assert any("azimuth" in o and min(o["azimuth"], o["elevation"], o["theta"]) < 0 for o in raw)
    assert any(o["bbox"].dtype.kind == "i" for o in raw)
    statuses = Counter(o["object_status"] for o in normalised)
    assert {"status_good", "status_partially", None} <= set(statuses)
    assert {"status_barely", "status_bad"} & set(statuses)
    assert {o["dense"] for o in normalised} == {"dense_yes", "dense_no"}
    assert any(o["usable"] for o in normalised) and any(not o["usable"] for o in normalised)


def test_an_object_without_a_pose_has_no_usable_status():
    """Either no object_status or status_bad, from the image's random stream: both happen, the same each time."""
    def quirked(seed: int) -> dict:
        record = {"azimuth": 1.0, "distance": 9.0, "px": 1.0, "py": 2.0, "object_status": "status_good"}
        synthetic.apply_object_quirks(record, {"missing_pose_keys"}, np.random.default_rng(seed))
        return record

    records = [quirked(seed) for seed in range(40)]
    assert all("azimuth" not in r and "distance" not in r for r in records)
    statuses = Counter(r.get("object_status") for r in records)
    assert set(statuses) == {None, "status_bad"} and min(statuses.values()) >= 10
    assert [quirked(seed) for seed in range(40)] == records


def test_annotation_pickles_are_numpy1s(release):
    """Protocol 3, reconstructors named numpy.core (never numpy._core): what numpy 1.x writes and reads."""
    for path in sorted((release / "imagenet3d_v1" / "annotations").glob("*/*.npz")):
        stream = io.BytesIO(zipfile.ZipFile(path).read("annotations.npy"))
        np.lib.format.read_magic(stream)
        np.lib.format.read_array_header_1_0(stream)
        ops = list(pickletools.genops(stream))
        assert (ops[0][0].name, ops[0][1]) == ("PROTO", 3)
        modules = {arg.split(" ")[0] for op, arg, _ in ops if op.name == "GLOBAL"}
        assert "numpy.core.multiarray" in modules and not any(m.startswith("numpy._core") for m in modules)
        assert not any(op.name == "STACK_GLOBAL" for op, _, _ in ops)


def test_projected_cad_models_cover_the_rendered_silhouettes(release):
    report = check_release(release, progress=False)
    assert len(report.ious) >= 30
    assert min(report.ious.values()) >= 0.95, report.as_text()


def test_silhouette_check_can_fail(release, tmp_path):
    """A wrong pose gives a low IoU, and an edited file is caught."""
    import shutil

    from synthetic_release.check import object_iou, release_plan

    specs, seed = release_plan(release)
    root = release / "imagenet3d_v1"
    checked, turned_caught = 0, 0
    for spec in specs:
        generated = synthetic.generate_image(spec, seed, keep_rendering=True)
        rendering = generated.rendering
        objects = imagenet3d.read_annotations(root / "annotations" / spec.category / f"{spec.stem}.npz")
        obj = objects[0]
        if not obj["usable"] or rendering.visible_area[0] != rendering.full_area[0]:
            continue
        rendered = rendering.object_id == 0
        assert object_iou(root, obj, rendered) >= 0.95
        shifted = dict(obj, px=obj["px"] + 0.1 * (obj["bbox"][2] - obj["bbox"][0]))
        assert object_iou(root, shifted, rendered) < 0.95
        turned = dict(obj, azimuth=obj["azimuth"] + math.radians(30), elevation=obj["elevation"] + math.radians(30))
        turned_caught += object_iou(root, turned, rendered) < 0.95
        checked += 1
    assert checked >= 10
    # Not all: a cup turned about its axis keeps its silhouette.
    assert turned_caught >= 0.75 * checked

    edited = tmp_path / "edited"
    shutil.copytree(release / "imagenet3d_v1", edited / "imagenet3d_v1")
    shutil.copy(release / "synthetic_release.json", edited)
    victim = sorted((edited / "imagenet3d_v1" / "annotations").glob("*/*.npz"))[0]
    raw = annotations._load_annotation_array(victim.read_bytes()).tolist()
    raw[0]["px"] = float(raw[0].get("px", 0.0)) + 3.0
    victim.write_bytes(imagenet3d.annotation_bytes(raw))
    report = check_release(edited, progress=False, limit=len(CATEGORIES) * IMAGES_PER_CATEGORY)
    assert report.mismatched == [f"{victim.parent.name}/{victim.stem}"] and not report.passed(0.95)


def test_captions_have_one_pose_token_per_object(release):
    lines = (release / "captions" / "image_captions.jsonl").read_text().splitlines()
    captions = dict((r["image_id"], r["caption"]) for r in map(json.loads, lines))
    assert len(captions) == len(CATEGORIES) * IMAGES_PER_CATEGORY
    for image_id, caption in captions.items():
        category, stem = image_id.split("/")
        objects = imagenet3d.read_annotations(release / "imagenet3d_v1" / "annotations" / category / f"{stem}.npz")
        assert caption.count(POSE6D_TOKEN) == len(objects)
        assert category.replace("_", " ") in caption
    descriptions = json.loads((release / "captions" / "category_descriptions.json").read_text())
    assert sorted(descriptions) == sorted(CATEGORIES) and all(descriptions.values())


def test_zip_holds_the_same_tree(release):
    tree = tree_files(release / "imagenet3d_v1")
    with zipfile.ZipFile(release / "imagenet3d_v1.zip") as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        assert all(n.startswith("imagenet3d_v1/") for n in names)
        zipped = {n.removeprefix("imagenet3d_v1/"): archive.read(n) for n in names}
    assert zipped == tree


def test_same_seed_same_bytes_whatever_the_workers(release, tmp_path):
    again = tmp_path / "again"
    write_release(again, CATEGORIES, IMAGES_PER_CATEGORY, seed=SEED, workers=2, tree=True, zip_=True,
                  progress=False)
    assert tree_files(again) == tree_files(release)


def test_another_seed_gives_another_release(release, tmp_path):
    other = tmp_path / "other"
    write_release(other, CATEGORIES[:1], 3, seed=SEED + 1, workers=1, progress=False)
    ours = tree_files(release / "imagenet3d_v1" / "images" / CATEGORIES[0])
    theirs = tree_files(other / "imagenet3d_v1" / "images" / CATEGORIES[0])
    assert not set(ours.values()) & set(theirs.values())


def test_no_temporary_file_is_left_behind(release):
    assert not [p for p in release.rglob("*") if ".tmp-" in p.name]


def test_resume_after_a_kill(release, tmp_path, monkeypatch):
    out = tmp_path / "killed"
    script = (
        "import sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from synthetic_release import scenes\n"
        "from synthetic_release.__main__ import main\n"
        "slow = scenes.generate_image\n"
        "def generate_image(*a, **k):\n"
        "    time.sleep(0.05)\n"
        "    return slow(*a, **k)\n"
        "scenes.generate_image = generate_image\n"
        "sys.exit(main(sys.argv[2:]))\n"
    )
    args = ["write", str(out), "--category-list", ",".join(CATEGORIES), "--images-per-category",
            str(IMAGES_PER_CATEGORY), "--seed", str(SEED), "--workers", "1", "--format", "both", "--quiet"]
    process = subprocess.Popen([sys.executable, "-c", script, str(REPO), *args])
    journal = out / JOURNAL_NAME
    deadline = time.time() + 60
    while time.time() < deadline and (not journal.exists() or journal.read_bytes().count(b"\n") < 6):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = journal.read_bytes().count(b"\n") - 1  # the header line
    total = len(CATEGORIES) * IMAGES_PER_CATEGORY
    assert 5 <= finished < total, "the kill should land mid-run"
    assert not (out / "synthetic_release.json").exists() and not (out / "imagenet3d_v1.zip").exists()
    # what a kill can leave: a temp file of the dead writer, a torn journal line
    stale = out / "imagenet3d_v1" / "images" / CATEGORIES[0] / f".x.JPEG.tmp-{process.pid}-1"
    stale.write_bytes(b"half")
    with open(journal, "ab") as handle:
        handle.write(b'{"id": "torn')
    rendered = []

    def counting(spec, seed, keep_rendering=False):
        rendered.append(spec.image_id)
        return generate(spec, seed, keep_rendering)

    generate = synthetic.generate_image
    monkeypatch.setattr(synthetic, "generate_image", counting)
    write_release(out, CATEGORIES, IMAGES_PER_CATEGORY, seed=SEED, workers=1, tree=True, zip_=True,
                  progress=False)
    assert len(rendered) == total - finished  # finished images were not rendered again
    assert tree_files(out) == tree_files(release)  # same bytes; no journal or temp file left


def test_resume_keeps_the_cad_models_written(tmp_path, monkeypatch):
    make = synthetic.cad_file
    calls = []

    def dies_after_three(category, cad_index, seed):
        if len(calls) == 3:
            raise KeyboardInterrupt  # stands for a kill: nothing after this point runs
        calls.append((category, cad_index))
        return make(category, cad_index, seed)

    monkeypatch.setattr(synthetic, "cad_file", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        write_release(tmp_path / "out", ["car", "cup"], 2, seed=SEED, workers=1, progress=False)
    monkeypatch.setattr(synthetic, "cad_file", lambda *job: calls.append(job) or make(*job))
    write_release(tmp_path / "out", ["car", "cup"], 2, seed=SEED, workers=1, progress=False)
    models = len(synthetic.cad_models(["car", "cup"]))
    assert len(calls) == models  # 3 before the "kill", the rest after: none made twice
    write_release(tmp_path / "again", ["car", "cup"], 2, seed=SEED, workers=1, progress=False)
    assert tree_files(tmp_path / "out") == tree_files(tmp_path / "again")


def test_categories_are_spread_and_synsets_are_stand_ins_only_where_unknown():
    chosen = synthetic.choose_categories(12)
    assert len(set(chosen)) == 12
    assert set(chosen) & set(imagenet3d.KNOWN_CATEGORIES) and set(chosen) - set(imagenet3d.KNOWN_CATEGORIES)
    assert synthetic.synsets_of("bed") == ("n02818832",)
    assert synthetic.synsets_of("chair")[0].startswith("n9")
    with pytest.raises(ValueError):
        synthetic.choose_categories(0)


def test_cli_writes_a_release_and_rejects_bad_arguments(tmp_path, capsys):
    assert main(["write", str(tmp_path / "cli"), "--category-list", "cup", "--images-per-category", "2",
                 "--workers", "1", "--format", "zip", "--quiet"]) == 0
    assert "wrote 2 images" in capsys.readouterr().out
    assert (tmp_path / "cli" / "imagenet3d_v1.zip").is_file()
    assert not (tmp_path / "cli" / "imagenet3d_v1").exists()
    assert main(["write", str(tmp_path / "bad"), "--category-list", "cup,unicorn", "--quiet"]) == 2
    assert "unknown categories: unicorn" in capsys.readouterr().err
    assert main(["write", str(tmp_path / "bad"), "--categories", "500", "--quiet"]) == 2
    assert "--categories must be between" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "cli"), "--quiet"]) == 2
    assert "no imagenet3d_v1/" in capsys.readouterr().err


def test_a_zip_only_write_leaves_a_killed_tree_runs_journal(tmp_path, monkeypatch):
    make = synthetic.cad_file

    def dies(category, cad_index, seed):
        raise KeyboardInterrupt  # a kill during the tree run's CAD models: its images are journaled

    monkeypatch.setattr(synthetic, "cad_file", dies)
    with pytest.raises(KeyboardInterrupt):
        write_release(tmp_path / "out", ["cup"], 2, seed=SEED, workers=1, progress=False)
    journal = (tmp_path / "out" / JOURNAL_NAME).read_bytes()
    monkeypatch.setattr(synthetic, "cad_file", make)
    write_release(tmp_path / "out", ["cup"], 2, seed=SEED, workers=1, tree=False, zip_=True, progress=False)
    assert (tmp_path / "out" / JOURNAL_NAME).read_bytes() == journal  # the tree run can still resume
