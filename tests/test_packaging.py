"""The library as users install it: numpy alone at import, every public name kept, one-line errors
naming the extra to install, and a wheel that carries the private package and its category table."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import imagenet3d

REPO = Path(__file__).resolve().parents[1]

# Every public name `import imagenet3d` had before the split into _imagenet3d/ (commit 75de467),
# less the typing and standard-library helpers it happened to import.
NAMES_BEFORE_THE_SPLIT = """
ANGLE_UNITS AnnotationError ArrowBatches CAD_MESHES_FILE CATEGORIES CATEGORY_INFO CONFIG_SPLITS CROP_DISTANCE
CROP_SIZE CategoryInfo DEFAULT_FOCAL DEFAULT_SOURCE DEFAULT_VIEWPORT DENSE_VALUES DecodeImages EVALUATION_COLUMNS
EVALUATION_TASKS GlbError KNOWN_CATEGORIES NOVEL_CATEGORIES NUM_BINS OBJECT_STATUSES PROJECT_URL PathOrBytes
PredictionError RELEASE_FOLDERS RELEASE_SPLITS REMAINDER_MODES SUPER_CATEGORIES SUPER_CATEGORY_ABBREVIATIONS
SUPER_CATEGORY_NAMES SUPER_CATEGORY_NOTE SourceError TRAINING_COLUMNS UnsafePickleError angle_to_bin arrow_batches
bin_to_angle cad_mesh_rows cad_relpath camera_matrices center_and_resize collate_images collate_objects
decode_images evaluate features format_table load main normalize_object object_id object_sample object_stream
plan_object_shards pose_error project read_annotations read_glb read_off read_predictions reference_objects
release_root rotation_matrix split_files to_objects usable_object_indices usable_objects wrap_angle write_glb
""".split()

HEAVY = ("datasets", "pyarrow", "PIL", "torch", "huggingface_hub", "fsspec", "gradio")

# Makes the named top-level modules unimportable, as in an environment without them.
BLOCKER = """
import sys
class Blocker:
    def __init__(self, names): self.names = names
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Blocker(BLOCKED))
"""


def run_python(code: str, blocked: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER.replace("BLOCKED", repr(set(blocked))) + code], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)


def test_every_public_name_is_kept_and_listed():
    missing = [name for name in NAMES_BEFORE_THE_SPLIT if not hasattr(imagenet3d, name)]
    assert not missing
    assert [name for name in imagenet3d.__all__ if not hasattr(imagenet3d, name)] == []
    assert len(set(imagenet3d.__all__)) == len(imagenet3d.__all__)


def test_all_lists_every_name_the_repository_uses():
    used = set()
    for path in REPO.rglob("*"):
        if path.suffix in (".py", ".md") and not {".venv", "build", "demo"} & set(path.relative_to(REPO).parts):
            used |= set(re.findall(r"(?<![\w.])imagenet3d\.([A-Za-z]\w*)", path.read_text(errors="replace")))
    assert sorted(used - set(imagenet3d.__all__) - {"py", "github"}) == []  # imagenet3d.py, imagenet3d.github.io


def test_import_needs_numpy_only():
    done = run_python(f"import sys, imagenet3d; print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_the_hub_extra_the_definition_works_and_load_names_the_extra():
    done = run_python("""
import numpy as np, imagenet3d
R = imagenet3d.rotation_matrix(0.1, 0.2, 0.3)
uv = imagenet3d.project(np.zeros((1, 3)), 0.1, 0.2, 0.3, 5.0, 100.0, 50.0)
ref = [{"object_id": "a_00", "category": "chair", "azimuth": 0.1, "elevation": 0.2, "theta": 0.3}]
scores = imagenet3d.evaluate(ref, ref)["tables"]["all"]["Avg."]
print(len(imagenet3d.CATEGORIES), uv.round(3).tolist(), scores["pi_6_acc"])
try:
    imagenet3d.load(source="org/name")
except imagenet3d.MissingExtraError as error:
    print(type(error).__mro__[1].__name__, isinstance(error, ImportError), error)
""", blocked=("datasets", "pyarrow", "huggingface_hub", "PIL", "torch"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "189 [[100.0, 50.0]] 100.0"
    assert lines[1] == 'Imagenet3DError True datasets is not installed: pip install "imagenet3d[hub]" adds it'


def test_each_toolkit_names_its_own_extra():
    done = run_python("""
import imagenet3d
for call in (lambda: imagenet3d.collate_objects([{}]), lambda: imagenet3d.object_sample(b"", {}, 0),
             lambda: imagenet3d.ArrowBatches(["x.parquet"])):
    try:
        call()
    except imagenet3d.MissingExtraError as error:
        print(error)
""", blocked=("torch", "PIL", "pyarrow"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        'torch is not installed: pip install "imagenet3d[torch]" adds it',
        'PIL is not installed: pip install "imagenet3d[hub]" adds it',
        'pyarrow is not installed: pip install "imagenet3d[hub]" adds it']


def test_the_wheel_carries_the_private_package_and_its_category_table(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(REPO / "pyproject.toml", source)
    shutil.copy(REPO / "imagenet3d.py", source)
    shutil.copytree(REPO / "_imagenet3d", source / "_imagenet3d", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(tmp_path / "wheel")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "wheel").glob("imagenet3d-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = {f"_imagenet3d/{path.name}" for path in (REPO / "_imagenet3d").iterdir()
               if path.suffix in (".py", ".csv")}
    assert {"imagenet3d.py", "_imagenet3d/categories.csv"} | package <= names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: numpy>=2.0\n" in metadata
    # The one unconditional requirement is numpy; everything else comes with an extra.
    assert [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line] == [
        "Requires-Dist: numpy>=2.0"]
