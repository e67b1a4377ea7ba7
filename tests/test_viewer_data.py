"""The viewer's index: filters, statistics and random access to images and CAD models."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from datasets import load_dataset
from PIL import Image

import imagenet3d
from viewer_app.data import DatasetIndex, Filter

from releases import LARGE

CATEGORIES = list(LARGE.categories)


@pytest.fixture(scope="module")
def index(large_dataset) -> DatasetIndex:
    return DatasetIndex(str(large_dataset))


def test_image_bytes_and_records_match_load_dataset(index):
    ds = load_dataset(index.root)
    for split in ("train", "validation"):
        for row in ds[split].select(range(3)):
            data = index.image_bytes(row["image_id"])
            assert Image.open(io.BytesIO(data)).size == row["image"].size
            record = index.record(row["image_id"])
            assert record["objects"] == row["objects"] and record["split"] == split


def test_meshes_come_back_as_in_the_release(index):
    record = index.record(index.image_ids[0])
    obj = record["objects"][0]
    vertices, faces = index.mesh(obj["category"], obj["cad_index"])
    assert vertices.shape[1] == 3 and faces.shape[1] == 3 and faces.max() < len(vertices)
    np.testing.assert_allclose(np.linalg.norm(vertices.max(0) - vertices.min(0)), 1.0, atol=1e-5)
    assert index.mesh("chair", 999) is None
    assert index.mesh_glb(obj["category"], obj["cad_index"])[:4] == b"glTF"


def test_filters(index):
    everything = index.select(Filter())
    assert len(everything) == len(CATEGORIES) * 12
    validation = index.select(Filter(split="validation"))
    assert 0 < len(validation) < len(everything)
    novel = index.select(Filter(known=False))
    assert {index.category[r] for r in novel} == {c for c in CATEGORIES if c in imagenet3d.NOVEL_CATEGORIES}
    chairs = index.select(Filter(category="chair", super_category="Furniture"))
    assert chairs and all(index.category[r] == "chair" for r in chairs)
    assert index.select(Filter(category="chair", super_category="Vehicles")) == []
    multi = index.select(Filter(num_objects=2))
    assert all(index.num_objects[r] == 2 for r in multi)
    for status in imagenet3d.OBJECT_STATUSES:
        for r in index.select(Filter(object_status=status)):
            assert any(o["object_status"] == status for o in index.objects(r))
    texted = index.select(Filter(text="FROM THE FRONT"))
    assert texted and all("from the front" in index.caption(r).lower() for r in texted)
    assert len(texted) == sum("from the front" in (index.caption(r) or "").lower() for r in everything)
    by_objects = index.select(Filter(sort="objects (most first)"))
    assert list(index.num_objects[by_objects]) == sorted(index.num_objects, reverse=True)
    by_id = index.select(Filter(sort="image_id"))
    assert [index.image_ids[r] for r in by_id] == sorted(index.image_ids)
    with pytest.raises(ValueError):
        index.select(Filter(sort="nonsense"))


def test_statistics_and_random_sample(index):
    rows = index.select(Filter(split="train"))
    stats = index.statistics(rows)
    assert stats["images"] == len(rows) and sum(stats["per_category"].values()) == len(rows)
    assert stats["per_split"] == {"train": len(rows)}
    assert ((stats["elevation_degrees"] > -180) & (stats["elevation_degrees"] <= 180)).all()
    assert index.random_image(rows, seed=1) == index.random_image(rows, seed=1)
    assert index.random_image([], seed=1) is None
    assert index.statistics([])["images"] == 0


def test_unknown_ids_and_folders(index, tmp_path):
    with pytest.raises(KeyError):
        index.record("chair/nope")
    with pytest.raises(KeyError):
        index.image_bytes("chair/nope")
    with pytest.raises(ValueError, match="annotations"):
        DatasetIndex(str(tmp_path))


def test_images_bytes_reads_shared_row_groups_once(index):
    ids = index.image_ids[:10]
    assert index.images_bytes(ids) == {i: index.image_bytes(i) for i in ids}
    with pytest.raises(KeyError):
        index.images_bytes(["chair/nope"])


def test_viewer_file_cache_is_bounded(index):
    from viewer_app.viewer import Viewer

    viewer = Viewer(index, max_files=5)
    for page in (1, 2):
        items, _, _ = viewer.browse(Filter(), page)
    files = list(viewer.files.folder.iterdir())
    assert len(files) == 5
    assert all(Path(path).exists() for path, _ in items[-5:])   # the newest stay
    again, _, _ = viewer.browse(Filter(), 1)                     # evicted ones are drawn again
    assert all(Path(path).exists() for path, _ in again[-5:])
