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


# --------------------------------------------------------------------------- the official box (issue 13)


def test_official_box_is_the_scripts_box_with_its_y2_bug():
    """Hand-computed from preprocess_data.py lines 42-97: rate 2.5, dsize (750, 1000), centre int(253.25),
    int(751.75) = (253, 751); padding top 0, bottom 256 + 751 - 1000 = 7, left 3; cropping top 495, left 0."""
    from _imagenet3d.crops import official_box

    bbox, px, py = [50.0, 250.0, 150.0, 350.0], 101.3, 300.7
    assert official_box(bbox, px, py, 2.5, 300, 400) == [128.0, 130.0, 378.0, 387.0]   # y2: + bottom (7), not top (0)
    obj = {"azimuth": 0.0, "elevation": 0.0, "theta": 0.0, "distance": 10.0, "px": px, "py": py, "bbox": bbox}
    _, exact = imagenet3d.center_and_resize(Image.new("RGB", (300, 400)), obj)
    assert exact["bbox"] == pytest.approx([127.75, 129.25, 377.75, 379.25], abs=1e-9)   # (bbox - (px, py)) * 2.5 + 256
    _, official = imagenet3d.center_and_resize(Image.new("RGB", (300, 400)), obj, box="official")
    assert official["bbox"] == [128.0, 130.0, 378.0, 387.0]
    assert {k: v for k, v in official.items() if k != "bbox"} == {k: v for k, v in exact.items() if k != "bbox"}
    # Top padding 156, bottom 0: y2 gets 0 instead of 156.
    assert official_box([80, 30, 120, 70], 100.0, 50.0, 2.0, 200, 400) == [216.0, 216.0, 296.0, 140.0]
    # Another size: the 512 box scaled.
    _, small = imagenet3d.center_and_resize(Image.new("RGB", (300, 400)), obj, size=224, box="official")
    assert small["bbox"] == pytest.approx([v * 224 / 512 for v in official["bbox"]], abs=1e-12)
    with pytest.raises(ValueError, match="box must be one of"):
        imagenet3d.center_and_resize(Image.new("RGB", (300, 400)), obj, box="bottom")


def test_official_box_uses_the_size_before_dct_scaling(release):
    """A close object shrinks the image by more than 2, so the JPEG is decoded at 1/k: the official box must
    still come from the original size (it depends on int(height * rate))."""
    from _imagenet3d.crops import official_box

    folder, out = release
    row = next(r for r in imagenet3d.load("default", "train", source=out)
               if imagenet3d.usable_object_indices(r["objects"]))
    obj = dict(row["objects"][imagenet3d.usable_object_indices(row["objects"])[0]], distance=1.5)
    jpeg = Image.open(folder / "images" / f"{row['image_id']}.JPEG")
    width, height = jpeg.size
    _, adjusted = imagenet3d.center_and_resize(jpeg, obj, box="official", size=128)
    assert jpeg.size != (width, height)     # decoded at 1/k
    expected = official_box(obj["bbox"], obj["px"], obj["py"], 1.5 / 4, width, height)
    assert adjusted["bbox"] == pytest.approx([v / 4 for v in expected], abs=1e-12)


def test_the_exact_box_follows_the_projection(release):
    """Take the box of the projected CAD model as the object's box: after the crop, the exact box is the box
    of the model projected with the adjusted annotation (to within the official crop's weak-perspective
    approximation), and the official box is not where top and bottom padding differ."""
    folder, out = release
    checked = 0
    for row in imagenet3d.load("annotations", "train", source=out):
        for k in imagenet3d.usable_object_indices(row["objects"]):
            obj = row["objects"][k]
            vertices, _ = imagenet3d.read_off(folder / imagenet3d.cad_relpath(obj["category"], obj["cad_index"]))
            pose = [obj[key] for key in ("azimuth", "elevation", "theta", "distance", "px", "py", "viewport", "focal")]
            uv = imagenet3d.project(vertices, *pose)
            obj = dict(obj, bbox=[*uv.min(0), *uv.max(0)])
            image = Image.new("RGB", (row["width"], row["height"]))
            _, exact = imagenet3d.center_and_resize(image, obj, size=224)
            moved = imagenet3d.project(vertices, *[exact[key] for key in ("azimuth", "elevation", "theta", "distance",
                                                                           "px", "py", "viewport", "focal")])
            width = exact["bbox"][2] - exact["bbox"][0]
            assert np.allclose(exact["bbox"], [*moved.min(0), *moved.max(0)], atol=0.05 * width), row["image_id"]
            _, official = imagenet3d.center_and_resize(image, obj, size=224, box="official")
            rate = obj["distance"] / 4
            top = max(256 - int(obj["py"] * rate), 0)
            bottom = max(256 + int(obj["py"] * rate) - int(row["height"] * rate), 0)
            y2_error = official["bbox"][3] - exact["bbox"][3]
            assert abs(y2_error - (bottom - top) * 224 / 512) <= 224 / 512 + 1e-9   # + the int() shift
            checked += 1
    assert checked >= 8


# --------------------------------------------------------------------------- JPEG DCT scaling (issue 13)


def pixel_difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """Mean and 99th percentile of the absolute difference, in 1/255."""
    difference = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
    return float(difference.mean()), float(np.percentile(difference, 99))


def test_dct_scaled_crops_are_within_tolerance_of_the_full_decode(release):
    """Crops that shrink the image by 2, 4 or 8 are decoded at 1/k: within 3/255 (mean), 20/255 (p99) of the
    same crop from the fully decoded JPEG."""
    from _imagenet3d.decoding import dct_draft

    folder, out = release
    rows = [r for r in imagenet3d.load("default", "train", source=out)
            if imagenet3d.usable_object_indices(r["objects"])]
    seen = set()
    for row, distance, size in zip(rows, [2.0, 3.0, 4.5, 1.0, 2.5, 6.0], [224, 224, 224, 224, 128, 64]):
        obj = dict(row["objects"][imagenet3d.usable_object_indices(row["objects"])[0]], distance=distance)
        path = folder / "images" / f"{row['image_id']}.JPEG"
        full = Image.open(path)
        full.load()                                  # loaded: no DCT scaling
        reference, _ = imagenet3d.center_and_resize(full, obj, size=size)
        probe = Image.open(path)
        seen.add(dct_draft(probe, distance / (4 * 512 / size)))
        crop, _ = imagenet3d.center_and_resize(Image.open(path), obj, size=size)
        mean, p99 = pixel_difference(crop, reference)
        assert mean < 3 and p99 < 20, (row["image_id"], distance, size, mean, p99)
    assert {2, 4}.issubset(seen), seen


def test_one_opened_photo_serves_each_of_its_objects(release):
    """center_and_resize drafts the JPEG it is given; a second object of the same opened photo gets the
    same crop as from a fresh open when it needs no more pixels, and a one-line error when it does."""
    folder, out = release
    row = next(r for r in imagenet3d.load("default", "train", source=out)
               if imagenet3d.usable_object_indices(r["objects"]))
    obj = row["objects"][imagenet3d.usable_object_indices(row["objects"])[0]]
    path = folder / "images" / f"{row['image_id']}.JPEG"
    near, nearer = dict(obj, distance=2.0), dict(obj, distance=1.0)   # 1/4 and 1/8 at 224 px
    shared = Image.open(path)
    imagenet3d.center_and_resize(shared, near, size=224)              # decodes it at 1/4
    for other in (near, nearer):
        crop, adjusted = imagenet3d.center_and_resize(shared, other, size=224)
        fresh, expected = imagenet3d.center_and_resize(Image.open(path), other, size=224)
        mean, p99 = pixel_difference(crop, fresh)
        assert mean < 3 and p99 < 20 and adjusted == expected
    with pytest.raises(imagenet3d.Imagenet3DError, match="open the image again") as raised:
        imagenet3d.center_and_resize(shared, dict(obj, distance=20.0), size=224)
    assert "\n" not in str(raised.value)


def test_the_224_object_paths_use_dct_scaling(release, monkeypatch):
    """object_sample, to_objects and object_stream all go through the draft, which scales where it may."""
    import _imagenet3d.crops as crops

    _, out = release
    scales: list[int] = []
    draft = crops.dct_draft

    def spy(image, rate):
        scales.append(draft(image, rate))
        return scales[-1]

    monkeypatch.setattr(crops, "dct_draft", spy)
    images = imagenet3d.load("default", "train", source=out)
    row = next(r for r in images if imagenet3d.usable_object_indices(r["objects"]))
    k = imagenet3d.usable_object_indices(row["objects"])[0]
    close = dict(row, objects=[dict(o, distance=2.0) for o in row["objects"]])
    sample = imagenet3d.object_sample(_jpeg_bytes(release, row), close, k, 224)
    assert sample["image"].size == (224, 224) and scales == [4]      # rate 2 / (4 * 512 / 224) = 0.22
    scales.clear()
    objects = imagenet3d.to_objects(images, size=64)
    rates = [(o["distance"] / (4 * 512 / 64), row["image"].format) for row in images
             for o in row["objects"] if o["usable"]]
    _ = [objects[i]["image"] for i in range(len(objects))]
    expected = [2 ** min(3, int(np.log2(1 / r))) if r <= 0.5 and kind == "JPEG" else 1 for r, kind in rates]
    assert scales == expected and max(scales) > 1     # a PNG (some release files are) is not scaled
    scales.clear()
    list(imagenet3d.object_stream("default", "train", source=str(out), size=48, shuffle=False))
    assert len(scales) == len(rates) and max(scales) > 1


def _jpeg_bytes(release, row) -> bytes:
    folder, _ = release
    return (folder / "images" / f"{row['image_id']}.JPEG").read_bytes()
