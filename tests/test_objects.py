"""Object-centric samples: the official crop, to_objects map-style and streaming, and the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import imagenet3d
from _imagenet3d.render import rasterize

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(raw_release, built_dataset) -> tuple[Path, Path]:
    return raw_release / "imagenet3d_v1", built_dataset


def projected_mask(vertices, faces, obj: dict, width: int, height: int) -> np.ndarray:
    """Pixels whose centre the posed CAD model covers (parts outside the image clipped)."""
    uv, depth = imagenet3d.project(vertices, obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                   obj["px"], obj["py"], obj["viewport"], obj["focal"], return_depth=True)
    mask = np.zeros(height * width, dtype=bool)
    mask[rasterize(uv, depth, faces, width, height).pixel] = True
    return mask.reshape(height, width)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def test_crop_puts_the_object_where_its_adjusted_annotation_projects(release):
    """The CAD silhouette cropped like the image matches the silhouette projected
    from the adjusted annotation (the official crop moves the object to distance 4,
    which keeps the pose and changes the perspective only slightly)."""
    folder, out = release
    rows = imagenet3d.load("annotations", "train", source=out)
    checked, ious = 0, []
    for row in rows:
        for k in imagenet3d.usable_object_indices(row["objects"]):
            obj = row["objects"][k]
            vertices, faces = imagenet3d.read_off(folder / imagenet3d.cad_relpath(obj["category"], obj["cad_index"]))
            before = projected_mask(vertices, faces, obj, row["width"], row["height"])
            picture = Image.fromarray(before.astype(np.uint8) * 255).convert("RGB")
            cropped, adjusted = imagenet3d.center_and_resize(picture, obj, size=512)
            moved = np.asarray(cropped)[..., 0] > 127
            projected = projected_mask(vertices, faces, adjusted, 512, 512)
            if before[[0, -1]].any() or before[:, [0, -1]].any():
                continue  # cut by the image border: the crop cannot show what is not there
            ious.append(iou(moved, projected))
            assert ious[-1] > 0.85, (row["image_id"], k)
            turned = projected_mask(vertices, faces, dict(adjusted, azimuth=adjusted["azimuth"] + 0.5), 512, 512)
            assert iou(moved, turned) < iou(moved, projected)     # the check can fail
            checked += 1
            if checked == 8:
                return
    pytest.fail(f"only {checked} objects checked")


def test_crop_geometry_is_the_official_one():
    obj = {"azimuth": 1.0, "elevation": 0.3, "theta": 0.1, "distance": 2.0, "px": 30.0, "py": 40.0,
           "bbox": [10.0, 20.0, 50.0, 60.0]}
    image = Image.new("RGB", (64, 80), (200, 10, 10))
    crop, adjusted = imagenet3d.center_and_resize(image, obj)
    assert crop.size == (512, 512) and adjusted["resize_rate"] == 0.5 and adjusted["distance"] == 4.0
    assert (adjusted["px"], adjusted["py"]) == (256, 256) and adjusted["bbox"] == [246.0, 246.0, 266.0, 266.0]
    pixels = np.asarray(crop)
    assert tuple(pixels[256, 256]) == (200, 10, 10)   # the centre is the object's centre
    assert tuple(pixels[2, 2]) == (0, 0, 0)           # outside the scaled image: black padding
    assert {k: adjusted[k] for k in ("azimuth", "elevation", "theta")} == {
        "azimuth": 1.0, "elevation": 0.3, "theta": 0.1}
    with pytest.raises(ValueError):
        imagenet3d.center_and_resize(image, dict(obj, distance=0.0))


def test_a_smaller_crop_is_the_official_crop_resized(release):
    folder, out = release
    row = next(r for r in imagenet3d.load("default", "train", source=out)
               if imagenet3d.usable_object_indices(r["objects"]))
    obj = row["objects"][imagenet3d.usable_object_indices(row["objects"])[0]]
    jpeg = (folder / "images" / f"{row['image_id']}.JPEG").read_bytes()
    import io

    full, at_512 = imagenet3d.center_and_resize(Image.open(io.BytesIO(jpeg)), obj)
    small, at_64 = imagenet3d.center_and_resize(Image.open(io.BytesIO(jpeg)), obj, size=64)   # JPEG draft path
    assert at_64["distance"] == 32.0 and np.allclose(np.array(at_64["bbox"]) * 8, at_512["bbox"])
    difference = np.abs(np.asarray(full.resize((64, 64), Image.Resampling.BOX), dtype=float)
                        - np.asarray(small, dtype=float))
    assert difference.mean() < 12, difference.mean()


def expected_ids(rows) -> list[str]:
    return [imagenet3d.object_id(row["image_id"], k) for row in rows
            for k in imagenet3d.usable_object_indices(row["objects"])]


def test_to_objects_map_style_and_streaming_agree(release):
    _, out = release
    images = imagenet3d.load("open_vocabulary", "validation_novel", source=out)
    objects = imagenet3d.to_objects(images, size=128)
    assert len(objects) == len(expected_ids(images)) > 0
    first = objects[0]
    assert first["image"].size == (128, 128) and (first["px"], first["py"], first["distance"]) == (64, 64, 16.0)
    for name in ("azimuth", "elevation", "theta"):
        assert first[f"{name}_bin"] == int(imagenet3d.angle_to_bin(first[name]))
    assert first["known"] is False and first["category_id"] == imagenet3d.CATEGORY_INFO[first["category"]].index
    streamed = imagenet3d.to_objects(imagenet3d.load("open_vocabulary", "validation_novel", source=out,
                                                     streaming=True), size=128)
    streamed_ids = [sample["object_id"] for sample in streamed]
    assert streamed_ids == objects["object_id"] == expected_ids(images)


def test_to_objects_in_dataloader_workers(release):
    torch = pytest.importorskip("torch")
    _, out = release
    objects = imagenet3d.to_objects(imagenet3d.load("default", "train", source=out), size=64)
    loader = torch.utils.data.DataLoader(objects, batch_size=5, num_workers=2,
                                         collate_fn=lambda batch: [(s["object_id"], s["image"].size) for s in batch])
    seen = [item for batch in loader for item in batch]
    assert sorted(oid for oid, _ in seen) == sorted(objects["object_id"])
    assert {size for _, size in seen} == {(64, 64)}


def test_pip_install_ships_only_the_dataset_module(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("imagenet3d-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "imagenet3d.py" in names
    assert not [n for n in names if n.startswith(("conversion/", "viewer_app/", "tests/", "benchmarks/"))], names


def test_decode_images_and_collate_images(release):
    torch = pytest.importorskip("torch")
    _, out = release
    plain = imagenet3d.load("default", "train", streaming=True, source=out)
    fast = imagenet3d.decode_images(imagenet3d.load("default", "train", streaming=True, source=out,
                                                    columns=imagenet3d.TRAINING_COLUMNS), num_threads=2)
    rows = list(fast)
    expected = [(row["image_id"], np.asarray(row["image"].convert("RGB"))) for row in plain]
    assert [row["image_id"] for row in rows] == [image_id for image_id, _ in expected]
    assert all(np.array_equal(np.asarray(row["image"]), pixels) for row, (_, pixels) in zip(rows, expected))
    batch = imagenet3d.collate_images(rows[:3])
    offsets = np.concatenate([[0], np.cumsum([int(torch.prod(s)) for s in batch["shapes"]])])
    first = batch["images"][offsets[0]:offsets[1]].view(*batch["shapes"][0].tolist())
    assert np.array_equal(first.numpy(), np.asarray(rows[0]["image"]))
    assert batch["counts"].tolist() == [len(row["objects"]) for row in rows[:3]]
    assert batch["objects"].shape == (sum(batch["counts"].tolist()), 9)


def test_collate_objects_batches_object_samples_for_a_dataloader(release):
    torch = pytest.importorskip("torch")
    _, out = release
    objects = imagenet3d.to_objects(imagenet3d.load("default", "train", source=out), size=64)
    loader = torch.utils.data.DataLoader(objects, batch_size=4, num_workers=0, collate_fn=imagenet3d.collate_objects)
    batch = next(iter(loader))
    assert batch["image"].shape == (4, 3, 64, 64) and batch["image"].dtype == torch.uint8
    assert batch["azimuth"].dtype == torch.float64 and batch["azimuth_bin"].dtype == torch.int64
    assert batch["bbox"].shape == (4, 4) and batch["is_padding"].dtype == torch.bool
    assert batch["object_id"] == objects["object_id"][:4]
    first = objects[0]
    assert torch.equal(batch["image"][0], torch.from_numpy(np.array(first["image"])).permute(2, 0, 1))
    assert batch["azimuth"][0].item() == first["azimuth"]


def test_collate_objects_works_on_the_object_stream_and_refuses_mixed_sizes(release):
    torch = pytest.importorskip("torch")
    _, out = release
    stream = imagenet3d.object_stream("default", "train", source=str(out), size=32, shuffle=False)
    batch = next(iter(torch.utils.data.DataLoader(stream, batch_size=3, collate_fn=imagenet3d.collate_objects)))
    assert batch["image"].shape == (3, 3, 32, 32) and len(batch["object_id"]) == 3
    whole = imagenet3d.to_objects(imagenet3d.load("default", "train", source=out), size=None)
    mixed = [whole[k] for k in range(len(whole))]
    if len({s["image"].size for s in mixed}) > 1:
        with pytest.raises(ValueError, match="size="):
            imagenet3d.collate_objects(mixed)
