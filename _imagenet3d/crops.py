"""Object-centric samples: the official centre-and-resize crop, object ids and ``to_objects``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from _imagenet3d.camera import angle_to_bin
from _imagenet3d.categories import CATEGORY_INFO, KNOWN_CATEGORIES, SUPER_CATEGORIES
from _imagenet3d.decoding import _rgb as rgb
from _imagenet3d.decoding import dct_draft, original_size
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.pixels import open_image

if TYPE_CHECKING:
    import datasets
    import PIL.Image

#: The official object-centric crop: imagenet3d_exp ``preprocess_data.py
#: --center_and_resize`` (512 x 512, objects brought to distance 4).
CROP_SIZE = 512
CROP_DISTANCE = 4.0
#: ``box=`` of ``center_and_resize``: the box exactly where the object is, or as the official files have it.
BOX_MODES = ("exact", "official")


def object_id(image_id: str, index: int) -> str:
    """The id of the ``index``-th object of an image, as the official object-centric
    files name it (``<stem>_<obj:02d>``): ``"chair/n03001627_123_00"``.

        >>> object_id("chair/n03001627_123", 1)
        'chair/n03001627_123_01'
    """
    return f"{image_id}_{index:02d}"


def official_box(bbox: Sequence[float], px: float, py: float, rate: float, width: int, height: int,
                 size: int = CROP_SIZE) -> list[float]:
    """The box as imagenet3d_exp ``preprocess_data.py --center_and_resize`` writes it (lines 42-97),
    bug included, for an image of ``width`` x ``height`` scaled by ``rate`` and cropped to ``size``.

    The script resizes to ``(int(width * rate), int(height * rate))``, centres
    on ``(int(px * rate), int(py * rate))``, pads and crops; at line 77 it adds
    the *bottom* padding to y2 (``bbox_new[3] += padding[0][1]``) where the top
    padding belongs, so y2 is wrong whenever the two differ. The same float
    operations in the same order give its values exactly.

        >>> official_box([80, 30, 120, 70], 100.0, 50.0, 2.0, 200, 400)   # 156 px of padding on top, 0 below
        [216.0, 216.0, 296.0, 140.0]
    """
    scaled_h = int(height * rate)   # the script's dsize; the box does not depend on the scaled width
    centre_x, centre_y = int(px * rate), int(py * rate)
    half = size // 2
    pad_top, pad_bottom, pad_left = max(half - centre_y, 0), max(half + centre_y - scaled_h, 0), max(half - centre_x, 0)
    crop_top, crop_left = max(centre_y - half, 0), max(centre_x - half, 0)
    x1, y1, x2, y2 = (float(v) * rate for v in bbox)
    return [x1 + pad_left - crop_left, y1 + pad_top - crop_top, x2 + pad_left - crop_left,
            y2 + pad_bottom - crop_top]


def _check_box(box: str) -> None:
    if box not in BOX_MODES:
        raise Imagenet3DError(f"box must be one of {BOX_MODES}, got {box!r}")


def _crop(image: PIL.Image.Image, px: float, py: float, rate: float, size: int,
          extent: tuple[float, float]) -> PIL.Image.Image:
    """The ``size`` x ``size`` view of ``image`` scaled by ``rate`` about (px, py), black outside it.
    ``extent``: the image's width and height in its pixels (fractional after DCT scaling).

    Output pixel (u, v) shows the input at ``((u - size/2) / rate + px, (v - size/2) / rate + py)``.
    The output pixels that lie wholly inside the scaled image are one Pillow ``resize`` of the
    matching input box (separable, antialiased when shrinking, and it reads only that box), pasted
    on black; an affine ``transform`` of the same map costs as much as decoding the JPEG.
    """
    Image = require("PIL.Image", "hub")
    width, height = extent
    half, inverse = size / 2, 1.0 / rate
    u0, v0 = (min(max(math.ceil(half - p * rate), 0), size) for p in (px, py))
    u1 = max(min(math.floor(half + (width - px) * rate), size), u0)
    v1 = max(min(math.floor(half + (height - py) * rate), size), v0)
    crop = Image.new("RGB", (size, size))
    if u1 > u0 and v1 > v0:
        # min/max only absorb float rounding: the box is inside the image by construction.
        box = (max((u0 - half) * inverse + px, 0.0), max((v0 - half) * inverse + py, 0.0),
               min((u1 - half) * inverse + px, width), min((v1 - half) * inverse + py, height))
        crop.paste(image.resize((u1 - u0, v1 - v0), Image.Resampling.BILINEAR, box=box), (u0, v0))
    return crop


def center_and_resize(image: PIL.Image.Image, obj: Mapping[str, Any], size: int = CROP_SIZE,
                      distance: float | None = None, box: str = "exact") -> tuple[PIL.Image.Image, dict[str, Any]]:
    """The official centre-and-resize crop of one object, and its annotation adjusted to it.

    As imagenet3d_exp's ``preprocess_data.py --center_and_resize`` does for
    512 x 512: the image is scaled by ``resize_rate = obj["distance"] / 4``
    (so the object sits at distance 4), then padded or cropped so that
    (px, py) lands at the centre. Angles are unchanged; px, py become
    size / 2, the box is scaled and shifted, padding is black. Another
    ``size`` gives the same view at another resolution (the 512 crop resized),
    with the object at ``distance = 4 * 512 / size`` so that the adjusted
    annotation still projects the CAD model onto the crop. Returns
    ``(crop, adjusted)``; ``adjusted`` keeps every key of ``obj`` and adds
    ``resize_rate``. The object must be usable (a pose and distance > 0).

    px, py, distance and resize_rate are the official script's exactly. The
    pixels differ slightly: the script truncates the resized size and the
    centre with ``int()`` (up to a pixel of shift) and resizes the whole
    image with bicubic interpolation (cv2 ``INTER_CUBIC``), where this is an
    exact bilinear crop; the crops differ by about 4/255 in mean pixel value
    (benchmarks/compare_official_crop.py), which is fine for training.

    ``box``: ``"exact"`` (default) is the object's box in the crop,
    ``(bbox - (px, py)) * resize_rate + size / 2``. ``"official"`` is the box
    the official files hold (``official_box``): the script adds the *bottom*
    padding to y2 (``preprocess_data.py`` line 77), so its y2 is off by the
    bottom minus the top padding wherever they differ (up to about 100 px),
    and all its coordinates carry the ``int()`` shift (< 1 px). Use it to
    compare with the official preprocessed files. For ``size`` other than 512 it is the official 512 box
    scaled by ``size / 512``. Pass the image as opened (not yet loaded):
    ``center_and_resize`` calls ``draft`` itself, and the same image serves
    another object of the photo when that crop needs no more pixels.

    JPEG DCT scaling: where the crop shrinks the image by 2, 4 or 8 or more
    (``resize_rate <= 1/k``) the JPEG is decoded at 1/k (``dct_draft``), for a
    fraction of the cost; tests/test_objects.py holds such crops within 3/255
    (mean) of the full-decode crop.

        >>> from PIL import Image
        >>> obj = {"azimuth": 0.1, "elevation": 0.2, "theta": 0.0, "distance": 8.0,
        ...        "px": 100.0, "py": 50.0, "bbox": [80.0, 30.0, 120.0, 70.0]}
        >>> crop, adjusted = center_and_resize(Image.new("RGB", (200, 400)), obj)
        >>> crop.size, adjusted["px"], adjusted["distance"], adjusted["resize_rate"], adjusted["bbox"]
        ((512, 512), 256.0, 4.0, 2.0, [216.0, 216.0, 296.0, 296.0])
        >>> center_and_resize(Image.new("RGB", (200, 400)), obj, size=128)[1]["bbox"]
        [54.0, 54.0, 74.0, 74.0]
        >>> center_and_resize(Image.new("RGB", (200, 400)), obj, box="official")[1]["bbox"]
        [216.0, 216.0, 296.0, 140.0]
    """
    _check_box(box)
    if not obj.get("distance") or obj["distance"] <= 0 or obj.get("px") is None or obj.get("py") is None:
        raise Imagenet3DError("center_and_resize needs a usable object (distance > 0, px and py)")
    distance = CROP_DISTANCE * CROP_SIZE / size if distance is None else distance
    full_rate = obj["distance"] / distance
    width, height = original_size(image)   # dct_draft changes image.size
    scale = dct_draft(image, full_rate)
    crop = _crop(rgb(image), obj["px"] / scale, obj["py"] / scale, full_rate * scale, size,
                 (width / scale, height / scale))
    centre = size / 2
    adjusted = dict(obj, px=float(centre), py=float(centre), distance=float(distance), resize_rate=float(full_rate))
    if obj.get("bbox") is not None and box == "official":
        # The same view at 512 px has rate full_rate * 512 / size (equal to full_rate at 512).
        at_512 = official_box(obj["bbox"], obj["px"], obj["py"], full_rate * CROP_SIZE / size, width, height)
        adjusted["bbox"] = at_512 if size == CROP_SIZE else [float(v * size / CROP_SIZE) for v in at_512]
    elif obj.get("bbox") is not None:
        x1, y1, x2, y2 = obj["bbox"]
        adjusted["bbox"] = [float((x1 - obj["px"]) * full_rate + centre), float((y1 - obj["py"]) * full_rate + centre),
                            float((x2 - obj["px"]) * full_rate + centre), float((y2 - obj["py"]) * full_rate + centre)]
    return crop, adjusted


def object_sample(image_bytes: bytes, row: Mapping[str, Any], index: int, size: int | None = CROP_SIZE,
                  is_padding: bool = False, box: str = "exact") -> dict[str, Any]:
    """One object-centric training sample: the crop, the adjusted pose and the three 40-bin labels.

    ``row`` is an image row of the ``default`` / ``open_vocabulary`` config
    (without its image), ``index`` the object's position in ``row["objects"]``.
    ``size=None`` keeps the whole image and the original annotation; ``box``
    as in ``center_and_resize``.
    """
    require("PIL.Image", "hub")   # without Pillow: name the extra before reading anything
    obj = row["objects"][index]
    image = open_image(image_bytes)  # refused above MAX_PIXELS before anything is decoded
    if size is None:
        picture, adjusted = rgb(image), dict(obj, resize_rate=1.0)
    else:
        picture, adjusted = center_and_resize(image, obj, size, box=box)
    sample = {"image": picture, "object_id": object_id(row["image_id"], index), "image_id": row["image_id"],
              "object_index": index, "category_id": CATEGORY_INFO[obj["category"]].index,
              "super_category": SUPER_CATEGORIES[obj["category"]],
              "known": obj["category"] in KNOWN_CATEGORIES, **adjusted, "is_padding": is_padding}
    for name in ("azimuth", "elevation", "theta"):
        sample[f"{name}_bin"] = int(angle_to_bin(obj[name]))
    return sample


def usable_object_indices(objects: Sequence[Mapping[str, Any]] | None) -> list[int]:
    """Positions of the objects the official scripts keep (``usable``)."""
    return [k for k, obj in enumerate(objects or []) if obj.get("usable")]


class _ObjectCrops:
    """``with_transform`` of ``to_objects``: reads each object's image from the
    image dataset by row number and crops it (in the DataLoader's workers)."""

    def __init__(self, images: datasets.Dataset, size: int | None, box: str = "exact") -> None:
        self.images = images
        self.size = size
        self.box = box

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        rows = self.images[batch["row"]]
        out: dict[str, list] = {}
        for n, index in enumerate(batch["object_index"]):
            row = {key: values[n] for key, values in rows.items()}  # one image row, bytes undecoded
            sample = object_sample(row["image"]["bytes"], row, index, self.size, box=self.box)
            for key, value in sample.items():
                out.setdefault(key, []).append(value)
        return out


def _explode_objects(batch: dict[str, list]) -> dict[str, list]:
    """Batched map: one row per usable object (image bytes stay undecoded)."""
    out: dict[str, list] = {key: [] for key in (*batch, "object_index")}
    for n, objects in enumerate(batch["objects"]):
        for index in usable_object_indices(objects):
            for key, values in batch.items():
                out[key].append(values[n])
            out["object_index"].append(index)
    return out


def _crop_example(example: dict[str, Any], size: int | None, box: str = "exact") -> dict[str, Any]:
    row = {key: value for key, value in example.items() if key not in ("image", "object_index")}
    return object_sample(example["image"]["bytes"], row, example["object_index"], size, box=box)


def to_objects(dataset: datasets.Dataset | datasets.IterableDataset,
               size: int | None = CROP_SIZE, box: str = "exact") -> datasets.Dataset | datasets.IterableDataset:
    """One sample per usable object of a ``default`` / ``open_vocabulary`` split,
    with the official crop (``center_and_resize``) and the three 40-bin labels.

    A ``datasets.Dataset`` gives a ``Dataset`` of objects (a small table of row
    numbers; each object's image is read and cropped when it is accessed, so
    it also works inside DataLoader workers). A ``datasets.IterableDataset``
    (streaming) gives an ``IterableDataset`` that crops as it goes. ``box``:
    ``"exact"`` or ``"official"`` (the official files' box, ``center_and_resize``).

        >>> ds = imagenet3d.load("open_vocabulary", "validation_novel", source="demo/imagenet3d")  # doctest: +SKIP
        >>> objects = imagenet3d.to_objects(ds)                                                 # doctest: +SKIP
        >>> objects[0]["image"].size, objects[0]["azimuth_bin"]                                 # doctest: +SKIP
        ((512, 512), 17)
    """
    datasets = require("datasets", "hub")
    _check_box(box)
    if isinstance(dataset, datasets.IterableDataset):
        raw = dataset.cast_column("image", datasets.Image(decode=False))
        exploded = raw.map(_explode_objects, batched=True, batch_size=64)
        # No features on the result: with them datasets would re-encode every crop.
        return exploded.map(_crop_example, fn_kwargs={"size": size, "box": box}, remove_columns=list(raw.column_names))
    rows, indices, ids = [], [], []
    for row, (image_id, objects) in enumerate(zip(dataset["image_id"], dataset["objects"])):
        for index in usable_object_indices(objects):
            rows.append(row)
            indices.append(index)
            ids.append(object_id(image_id, index))
    table = datasets.Dataset.from_dict({"row": rows, "object_index": indices, "object_id": ids})
    return table.with_transform(_ObjectCrops(dataset.cast_column("image", datasets.Image(decode=False)), size, box))


