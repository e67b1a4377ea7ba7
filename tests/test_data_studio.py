"""The Hub's Data Studio can show every config, in small pages; CAD geometry lives beside the configs
(imagenet3d.CAD_MESHES_FILE) and comes back through imagenet3d.load, read_glb and the viewer."""

from __future__ import annotations

import io
import json
import shutil
import struct
import time
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import load_dataset
from PIL import Image

import imagenet3d
from conversion import data_studio, preview
from synthetic_release import meshes
from viewer_app.data import DatasetIndex

from releases import SMALL

CATEGORIES = list(SMALL.categories)


@pytest.fixture(scope="module")
def release(raw_release, built_dataset):
    return raw_release / "imagenet3d_v1", built_dataset


@pytest.fixture(scope="module")
def built(built_dataset):
    return built_dataset


# -- feature types -------------------------------------------------------------


@pytest.mark.parametrize("config", list(imagenet3d.CONFIG_SPLITS))
def test_every_config_declares_only_types_data_studio_converts(config):
    assert data_studio.unsupported_features(imagenet3d.features(config)) == []


def test_the_type_check_catches_what_data_studio_cannot_show():
    old_cad_models = datasets.Features({  # the design before issue 10
        "category": datasets.Value("string"),
        "vertices": datasets.List(datasets.List(datasets.Value("float32"), length=3)),
        "mesh": datasets.Mesh(),
    })
    assert data_studio.unsupported_features(old_cad_models) == ["mesh: Mesh"]
    nested = datasets.Features({"a": datasets.List({"b": datasets.Nifti()}), "c": [datasets.Mesh()]})
    assert data_studio.unsupported_features(nested) == ["a[].b: Nifti", "c[]: Mesh"]
    with pytest.raises(TypeError, match="could not determine the type"):
        data_studio.cell_json({"bytes": b"glTF", "path": None}, datasets.Mesh(), {})


def test_the_hub_sees_the_same_features_in_the_card_and_the_files(built):
    declared = data_studio.declared_configs(built)
    assert set(declared) == set(imagenet3d.CONFIG_SPLITS)
    for config, (features, splits) in declared.items():
        assert features == imagenet3d.features(config), config
        assert set(splits) == set(imagenet3d.CONFIG_SPLITS[config])
        for files in splits.values():
            assert files and all(data_studio.schema_features(path) == features for path in files), config
            assert not any(imagenet3d.CAD_MESHES_FILE in path for path in files)  # geometry is no config


def test_every_page_of_every_config_is_small(built):
    report = data_studio.page_report(built)
    assert set(report) == set(imagenet3d.CONFIG_SPLITS)
    for config, entry in report.items():
        assert entry["unsupported"] == [], config
        assert entry["first_rows"] <= data_studio.FIRST_ROWS_BUDGET, (config, entry)
        assert entry["largest_page"][0] < data_studio.PAGE_LIMIT, (config, entry)
    assert "Image" in report["cad_models"]["types"]


def test_the_old_design_fails_the_page_check(built):
    """cad_models as it was (vertex and face lists and the GLB as a struct), built from the same models."""
    table = pq.read_table(built / imagenet3d.CAD_MESHES_FILE)
    float3 = datasets.List(datasets.Value("float32"), length=3)
    old = datasets.Features({"category": datasets.Value("string"), "vertices": datasets.List(float3),
                             "faces": datasets.List(datasets.List(datasets.Value("int32"), length=3)),
                             "mesh": {"bytes": datasets.Value("binary"), "path": datasets.Value("string")}})
    rows = []
    for category, glb in zip(table.column("category").to_pylist(), table.column("glb").to_pylist()):
        vertices, faces = imagenet3d.read_glb(glb)
        rows.append({"category": category, "vertices": vertices.tolist(), "faces": faces.tolist(),
                     "mesh": {"bytes": glb, "path": None}})
    assert len(rows) < data_studio.ROWS_PER_PAGE  # fewer models than a page, and still too big
    assert data_studio.rows_response_size(rows, old, "cad_models", "train", 0, len(rows)) > data_studio.PAGE_LIMIT


# -- GLB -----------------------------------------------------------------------


def _tetra():
    return (np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]),
            np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]]))


@pytest.mark.parametrize("mesh", [_tetra(), meshes.make_mesh("chair", 0, num_vertices=400),
                                  meshes.make_mesh("car", 1, num_vertices=37000)], ids=["tetra", "chair", "car"])
def test_read_glb_gives_back_what_write_glb_wrote(mesh):
    vertices, faces = mesh
    got_vertices, got_faces = imagenet3d.read_glb(imagenet3d.write_glb(vertices, faces))
    assert got_vertices.dtype == np.float32 and got_faces.dtype == np.int32
    np.testing.assert_array_equal(got_vertices, vertices.astype(np.float32))  # z-up, not rotated
    np.testing.assert_array_equal(got_faces, faces)
    got_vertices[0] = 7  # a copy the caller owns, not a view of the bytes


def _glb(doc: dict, blob: bytes) -> bytes:
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(blob), b"BIN\x00") + blob
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def _parts() -> tuple[dict, bytes]:
    data = imagenet3d.write_glb(*_tetra())
    json_len = struct.unpack_from("<I", data, 12)[0]
    return json.loads(data[20:20 + json_len]), data[28 + json_len:]


def _edited(change) -> bytes:
    doc, blob = _parts()
    changed = change(doc, blob)  # edits doc in place, or returns new BIN bytes
    return _glb(doc, changed if isinstance(changed, bytes) else blob)


GOOD = imagenet3d.write_glb(*_tetra())
JSON_LEN = struct.unpack_from("<I", GOOD, 12)[0]
MALFORMED = {
    "empty": b"",
    "truncated header": GOOD[:15],
    "truncated body": GOOD[:-4],
    "truncated in the JSON": GOOD[:40],
    "trailing bytes": GOOD + b"\0\0\0\0",
    "wrong magic": b"gltf" + GOOD[4:],
    "version 1": GOOD[:4] + struct.pack("<I", 1) + GOOD[8:],
    "total length lies": GOOD[:8] + struct.pack("<I", len(GOOD) + 4) + GOOD[12:],
    "JSON length lies": GOOD[:12] + struct.pack("<I", 1 << 30) + GOOD[16:],
    "JSON length off by 4": GOOD[:12] + struct.pack("<I", JSON_LEN + 4) + GOOD[16:],
    "BIN length lies": GOOD[:20 + JSON_LEN] + struct.pack("<I", len(GOOD) - JSON_LEN - 24) + GOOD[24 + JSON_LEN:],
    "not JSON": GOOD[:20] + b"x" * JSON_LEN + GOOD[20 + JSON_LEN:],
    "no meshes": _edited(lambda doc, blob: doc.pop("meshes")),
    "points, not triangles": _edited(lambda doc, blob: doc["meshes"][0]["primitives"][0].update(mode=0)),
    "count past the buffer": _edited(lambda doc, blob: doc["accessors"][0].update(count=10**9)),
    "negative offset": _edited(lambda doc, blob: doc["bufferViews"][1].update(byteOffset=-4)),
    "view past the BIN chunk": _edited(lambda doc, blob: doc["bufferViews"][1].update(byteLength=10**6)),
    "uint16 positions": _edited(lambda doc, blob: doc["accessors"][0].update(componentType=5123)),
    "strided positions": _edited(lambda doc, blob: doc["bufferViews"][0].update(byteStride=16)),
    "index out of range": _edited(lambda doc, blob: blob[:-4] + struct.pack("<I", 4)),
    "partial triangle": _edited(lambda doc, blob: doc["accessors"][1].update(count=11)),
    "NaN vertex": _edited(lambda doc, blob: struct.pack("<f", float("nan")) + blob[4:]),
    "string count": _edited(lambda doc, blob: doc["accessors"][0].update(count="many")),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_read_glb_refuses_malformed_input_in_one_line(name):
    with pytest.raises(imagenet3d.GlbError) as caught:
        imagenet3d.read_glb(MALFORMED[name])
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value) and str(caught.value)


# -- loading -------------------------------------------------------------------


def test_load_joins_the_release_geometry(release):
    raw, built = release
    models = imagenet3d.load("cad_models", "train", source=built)
    assert len(models) == sum(imagenet3d.CATEGORY_INFO[c].num_cad_models for c in CATEGORIES)
    for row in models:
        vertices, faces = imagenet3d.read_off(raw / imagenet3d.cad_relpath(row["category"], row["cad_index"]))
        np.testing.assert_array_equal(row["vertices"], vertices.astype(np.float32))
        np.testing.assert_array_equal(row["faces"], faces)
        assert (row["num_vertices"], row["num_faces"]) == (len(vertices), len(faces))
        assert imagenet3d.read_glb(row["glb"])[0].shape == vertices.shape
        assert row["preview"].size == (preview.PREVIEW_SIZE, preview.PREVIEW_SIZE)
    streamed = imagenet3d.load("cad_models", "train", streaming=True, source=built)
    for row, first in zip(streamed, models.select(range(12))):
        np.testing.assert_array_equal(row["vertices"], first["vertices"])
        assert row["glb"] == first["glb"] and row["cad_index"] == first["cad_index"]
    everything = imagenet3d.load("cad_models", source=built)
    assert everything["train"][3]["glb"] == models[3]["glb"]


HUB_SCRIPT = """
import hashlib, json, sys, imagenet3d
models = imagenet3d.load("cad_models", "train", streaming=sys.argv[1] == "stream", source="org/imagenet3d")
print(json.dumps([[row["category"], row["cad_index"], hashlib.sha1(row["vertices"].tobytes()).hexdigest(),
                   hashlib.sha1(row["faces"].tobytes()).hexdigest()] for row in models]))
"""


@pytest.mark.parametrize("mode", ["map", "stream"])
def test_load_joins_the_geometry_from_the_hub(release, hub, tmp_path, mode):
    """The same through the real huggingface_hub client over HTTP: the footer, then one read per category."""
    import hashlib
    import subprocess
    import sys

    raw, built = release
    hub.add_repo("org/imagenet3d", built)
    result = subprocess.run([sys.executable, "-c", HUB_SCRIPT, mode], env=hub.env(tmp_path), capture_output=True,
                            text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(rows) == sum(imagenet3d.CATEGORY_INFO[c].num_cad_models for c in CATEGORIES)
    for category, cad_index, vertices_sha, faces_sha in rows:
        vertices, faces = imagenet3d.read_off(raw / imagenet3d.cad_relpath(category, cad_index))
        assert hashlib.sha1(vertices.astype(np.float32).tobytes()).hexdigest() == vertices_sha
        assert hashlib.sha1(faces.astype(np.int32).tobytes()).hexdigest() == faces_sha
    geometry_reads = [r for r in hub.requests if r.kind == "resolve" and r.path.endswith(imagenet3d.CAD_MESHES_FILE)]
    assert len(geometry_reads) == 1 + len(CATEGORIES) and all(r.range for r in geometry_reads)


def test_the_cards_cad_snippets_run_against_the_hub(release, hub, tmp_path):
    import re
    import subprocess
    import sys

    raw, built = release
    hub.add_repo("org/imagenet3d", built)
    section = (built / "README.md").read_text().split("## CAD models", 1)[1].split("\n## ", 1)[0]
    assert "datasets.Mesh" in section and imagenet3d.CAD_MESHES_FILE in section
    code = "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S)).replace("<org>/imagenet3d",
                                                                                     "org/imagenet3d")
    code += "\nprint(row['category'], row['cad_index'], len(chairs), vertices.shape[0], faces.shape[0])\n"
    result = subprocess.run([sys.executable, "-c", code], env=hub.env(tmp_path), capture_output=True, text=True,
                            timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    category, cad_index, chairs, num_vertices, num_faces = result.stdout.split()
    first = min((c, i) for c in CATEGORIES for i in range(1, imagenet3d.CATEGORY_INFO[c].num_cad_models + 1))
    assert (category, int(cad_index)) == first
    assert int(chairs) == imagenet3d.CATEGORY_INFO["chair"].num_cad_models
    vertices, faces = imagenet3d.read_off(raw / imagenet3d.cad_relpath("chair", 1))
    assert (int(num_vertices), int(num_faces)) == (len(vertices), len(faces))


def test_load_dataset_gives_previews_and_counts(built):
    models = load_dataset(str(built), "cad_models", split="train")
    assert set(models.features) == {"category", "cad_index", "num_vertices", "num_faces", "preview"}
    image = models[0]["preview"]
    assert image.size == (preview.PREVIEW_SIZE, preview.PREVIEW_SIZE)
    assert np.asarray(image.convert("L")).std() > 10  # a drawing, not a blank square


def test_load_without_the_geometry_file_says_so(built, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / imagenet3d.CAD_MESHES_FILE).unlink()
    with pytest.raises(imagenet3d.SourceError, match="cad_meshes"):
        imagenet3d.load("cad_models", source=copy)
    index = DatasetIndex(str(copy))  # the viewer opens it, without models
    assert index.cad_locations == {} and index.mesh("car", 1) is None


def test_geometry_file_has_one_row_group_per_category(built):
    parquet = pq.ParquetFile(built / imagenet3d.CAD_MESHES_FILE)
    table = parquet.read(["category", "cad_index"])
    keys = list(zip(table.column(0).to_pylist(), table.column(1).to_pylist()))
    assert keys == sorted(keys)
    assert parquet.metadata.num_row_groups == len(CATEGORIES)
    for group in range(parquet.metadata.num_row_groups):
        assert len(set(parquet.read_row_group(group, ["category"]).column(0).to_pylist())) == 1
    glb = parquet.metadata.row_group(0).column(table.num_columns + 2)
    assert glb.path_in_schema == "glb" and glb.compression == "ZSTD" and not glb.is_stats_set


def test_the_footer_locates_every_model_or_says_it_cannot(built, tmp_path):
    parquet = pq.ParquetFile(built / imagenet3d.CAD_MESHES_FILE)
    keys = parquet.read(["category", "cad_index"])
    sizes = [parquet.metadata.row_group(g).num_rows for g in range(parquet.metadata.num_row_groups)]
    read = dict(zip(zip(keys.column(0).to_pylist(), keys.column(1).to_pylist()),
                    [(group, row) for group, rows in enumerate(sizes) for row in range(rows)]))
    assert imagenet3d.cad_mesh_rows(parquet.metadata) == read
    # Without statistics, or with a model missing (a gap in cad_index), the footer cannot tell ...
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    table = parquet.read()
    pq.write_table(table, copy / imagenet3d.CAD_MESHES_FILE, row_group_size=len(table), write_statistics=False)
    assert imagenet3d.cad_mesh_rows(pq.ParquetFile(copy / imagenet3d.CAD_MESHES_FILE).metadata) is None
    gap = pa.table({"category": ["car", "car"], "cad_index": pa.array([1, 3], pa.int32())})
    pq.write_table(gap, tmp_path / "gap.parquet")
    assert imagenet3d.cad_mesh_rows(pq.ParquetFile(tmp_path / "gap.parquet").metadata) is None
    # ... and the readers fall back to the key columns.
    models = imagenet3d.load("cad_models", "train", source=copy)
    assert models[len(models) - 1]["glb"] == table.column("glb")[len(table) - 1].as_py()
    index = DatasetIndex(str(copy))
    assert {key: (loc.row_group, loc.row) for key, loc in index.cad_locations.items()} == {
        key: (0, row) for row, key in enumerate(read)}


# -- preview -------------------------------------------------------------------


def test_preview_is_a_centred_shaded_render():
    vertices, faces = meshes.make_mesh("chair", 0, num_vertices=2000)
    data = preview.preview_png(vertices, faces)
    assert data == preview.preview_png(vertices.copy(), faces.copy())  # deterministic bytes
    image = np.asarray(Image.open(io.BytesIO(data)))
    assert image.shape == (preview.PREVIEW_SIZE, preview.PREVIEW_SIZE)
    model = image < 250  # the background is white
    assert 0.05 < model.mean() < 0.8
    rows, cols = np.nonzero(model)
    side = preview.PREVIEW_SIZE
    assert abs((rows.min() + rows.max()) / 2 - side / 2) < 0.05 * side
    assert abs((cols.min() + cols.max()) / 2 - side / 2) < 0.05 * side
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) > 0.8 * side  # fitted
    assert len(np.unique(image[model])) > 10  # shaded, not a flat silhouette


def test_preview_time_is_bounded_for_pathological_meshes():
    # 5,000 copies of a triangle as large as the model: 5,000 x 512^2 pixel tests without the bound.
    corners = np.array([[0.0, 0, 0], [1, 0, 0], [0, 0, 1]])
    vertices = np.concatenate([corners + [0, 0.001 * i, 0] for i in range(5000)])
    faces = np.arange(len(vertices)).reshape(-1, 3)
    start = time.perf_counter()
    image = preview.render_preview(vertices, faces)
    assert time.perf_counter() - start < 10
    assert image.shape == (preview.PREVIEW_SIZE, preview.PREVIEW_SIZE) and (image < 250).mean() > 0.1


# -- the viewer ----------------------------------------------------------------


def test_viewer_reads_a_category_once(release):
    raw, built = release
    index = DatasetIndex(str(built))
    reads = []
    original = index._read

    def counting(location, columns):
        reads.append((location.row_group, tuple(columns)))
        return original(location, columns)

    index._read = counting
    chairs = sorted(key for key in index.cad_locations if key[0] == "chair")
    assert len(chairs) == imagenet3d.CATEGORY_INFO["chair"].num_cad_models
    for category, cad_index in chairs:
        vertices, faces = index.mesh(category, cad_index)
        expected = imagenet3d.read_off(raw / imagenet3d.cad_relpath(category, cad_index))
        np.testing.assert_array_equal(vertices, expected[0].astype(np.float32).astype(np.float64))
        np.testing.assert_array_equal(faces, expected[1])
        assert vertices.dtype == np.float64 and faces.dtype == np.int64
    assert len(reads) == 1 and reads[0][1] == ("glb",)
    index.mesh_glb("car", 1)
    index.mesh("chair", chairs[0][1])
    assert len(reads) == 2
    assert index.mesh("chair", 999) is None and index.mesh_glb("chair", 999) is None
