"""Object-centric samples: the official centre-and-resize crop, object ids and ``to_objects``."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from _imagenet3d.camera import angle_to_bin
from _imagenet3d.categories import CATEGORY_INFO, KNOWN_CATEGORIES, SUPER_CATEGORIES
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require

if TYPE_CHECKING:
    import datasets
    import PIL.Image

#: The official object-centric crop: imagenet3d_exp ``preprocess_data.py
#: --center_and_resize`` (512 x 512, objects brought to distance 4).
CROP_SIZE = 512
CROP_DISTANCE = 4.0


def object_id(image_id: str, index: int) -> str:
    """The id of the ``index``-th object of an image, as the official object-centric
    files name it (``<stem>_<obj:02d>``): ``"chair/n03001627_123_00"``.

        >>> object_id("chair/n03001627_123", 1)
        'chair/n03001627_123_01'
    """
    return f"{image_id}_{index:02d}"


def center_and_resize(image: PIL.Image.Image, obj: Mapping[str, Any], size: int = CROP_SIZE,
                      distance: float | None = None) -> tuple[PIL.Image.Image, dict[str, Any]]:
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

        >>> from PIL import Image
        >>> obj = {"azimuth": 0.1, "elevation": 0.2, "theta": 0.0, "distance": 8.0,
        ...        "px": 100.0, "py": 50.0, "bbox": [80.0, 30.0, 120.0, 70.0]}
        >>> crop, adjusted = center_and_resize(Image.new("RGB", (200, 100)), obj)
        >>> crop.size, adjusted["px"], adjusted["distance"], adjusted["resize_rate"], adjusted["bbox"]
        ((512, 512), 256.0, 4.0, 2.0, [216.0, 216.0, 296.0, 296.0])
        >>> center_and_resize(Image.new("RGB", (200, 100)), obj, size=128)[1]["bbox"]
        [54.0, 54.0, 74.0, 74.0]
    """
    Image = require("PIL.Image", "hub")
    if not obj.get("distance") or obj["distance"] <= 0 or obj.get("px") is None or obj.get("py") is None:
        raise Imagenet3DError("center_and_resize needs a usable object (distance > 0, px and py)")
    distance = CROP_DISTANCE * CROP_SIZE / size if distance is None else distance
    full_rate = rate = obj["distance"] / distance
    px, py = obj["px"], obj["py"]
    if rate < 0.5 and getattr(image, "format", None) == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale (DCT scaling) when the crop is that much smaller.
        width = image.width
        step = 2 ** min(3, int(math.log2(1.0 / rate)))
        image.draft("RGB", (width // step, image.height // step))
        step = round(width / image.width)   # what the decoder chose (1, 2, 4 or 8)
        px, py, rate = px / step, py / step, rate * step
    image = image.convert("RGB")
    if rate < 0.5:  # shrinking a lot: average pixels first instead of skipping them
        factor = int(1.0 / rate)
        image = image.reduce(factor)
        px, py, rate = px / factor, py / factor, rate * factor
    # Output pixel (u, v) samples the input at ((u - size/2) / rate + px, (v - size/2) / rate + py).
    inverse = 1.0 / rate
    crop = image.transform((size, size), Image.Transform.AFFINE,
                           (inverse, 0.0, px - size / 2 * inverse, 0.0, inverse, py - size / 2 * inverse),
                           resample=Image.Resampling.BILINEAR, fillcolor=(0, 0, 0))
    centre = size / 2
    adjusted = dict(obj, px=float(centre), py=float(centre), distance=float(distance), resize_rate=float(full_rate))
    if obj.get("bbox") is not None:
        x1, y1, x2, y2 = obj["bbox"]
        adjusted["bbox"] = [float((x1 - obj["px"]) * full_rate + centre), float((y1 - obj["py"]) * full_rate + centre),
                            float((x2 - obj["px"]) * full_rate + centre), float((y2 - obj["py"]) * full_rate + centre)]
    return crop, adjusted


def object_sample(image_bytes: bytes, row: Mapping[str, Any], index: int, size: int | None = CROP_SIZE,
                  is_padding: bool = False) -> dict[str, Any]:
    """One object-centric training sample: the crop, the adjusted pose and the three 40-bin labels.

    ``row`` is an image row of the ``default`` / ``open_vocabulary`` config
    (without its image), ``index`` the object's position in ``row["objects"]``.
    ``size=None`` keeps the whole image and the original annotation.
    """
    Image = require("PIL.Image", "hub")
    obj = row["objects"][index]
    image = Image.open(io.BytesIO(image_bytes))
    if size is None:
        picture, adjusted = image.convert("RGB"), dict(obj, resize_rate=1.0)
    else:
        picture, adjusted = center_and_resize(image, obj, size)
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

    def __init__(self, images: datasets.Dataset, size: int | None) -> None:
        self.images = images
        self.size = size

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        rows = self.images[batch["row"]]
        out: dict[str, list] = {}
        for n, index in enumerate(batch["object_index"]):
            row = {key: values[n] for key, values in rows.items()}  # one image row, bytes undecoded
            sample = object_sample(row["image"]["bytes"], row, index, self.size)
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


def _crop_example(example: dict[str, Any], size: int | None) -> dict[str, Any]:
    row = {key: value for key, value in example.items() if key not in ("image", "object_index")}
    return object_sample(example["image"]["bytes"], row, example["object_index"], size)


def to_objects(dataset: datasets.Dataset | datasets.IterableDataset,
               size: int | None = CROP_SIZE) -> datasets.Dataset | datasets.IterableDataset:
    """One sample per usable object of a ``default`` / ``open_vocabulary`` split,
    with the official crop (``center_and_resize``) and the three 40-bin labels.

    A ``datasets.Dataset`` gives a ``Dataset`` of objects (a small table of row
    numbers; each object's image is read and cropped when it is accessed, so
    it also works inside DataLoader workers). A ``datasets.IterableDataset``
    (streaming) gives an ``IterableDataset`` that crops as it goes.

        >>> ds = imagenet3d.load("open_vocabulary", "validation_novel", source="demo/imagenet3d")  # doctest: +SKIP
        >>> objects = imagenet3d.to_objects(ds)                                                 # doctest: +SKIP
        >>> objects[0]["image"].size, objects[0]["azimuth_bin"]                                 # doctest: +SKIP
        ((512, 512), 17)
    """
    datasets = require("datasets", "hub")
    if isinstance(dataset, datasets.IterableDataset):
        raw = dataset.cast_column("image", datasets.Image(decode=False))
        exploded = raw.map(_explode_objects, batched=True, batch_size=64)
        # No features on the result: with them datasets would re-encode every crop.
        return exploded.map(_crop_example, fn_kwargs={"size": size}, remove_columns=list(raw.column_names))
    rows, indices, ids = [], [], []
    for row, (image_id, objects) in enumerate(zip(dataset["image_id"], dataset["objects"])):
        for index in usable_object_indices(objects):
            rows.append(row)
            indices.append(index)
            ids.append(object_id(image_id, index))
    table = datasets.Dataset.from_dict({"row": rows, "object_index": indices, "object_id": ids})
    return table.with_transform(_ObjectCrops(dataset.cast_column("image", datasets.Image(decode=False)), size))


