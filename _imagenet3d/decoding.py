"""Decoded images for training: threaded batch decoding and the DataLoader collate functions."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.pixels import (
    MAX_HEADER_BYTES,
    MAX_IMAGE_BYTES,
    ImageUnreadable,
    check_image,
    check_pixels,
    open_image,
    pillow_open,
    sniff,
)

if TYPE_CHECKING:
    import datasets
    import PIL.Image
    import torch

#: The columns of the default / open_vocabulary configs a pose model trains on.
TRAINING_COLUMNS = ["image", "image_id", "category_id", "objects"]


def _rgb(image: PIL.Image.Image) -> PIL.Image.Image:
    """A decoded RGB PIL image."""
    image.load()
    return image if image.mode == "RGB" else image.convert("RGB")


#: Where ``dct_draft`` notes, on the image, the scale it decoded at and the original size.
_DRAFTED = "imagenet3d_dct_draft"


def original_size(image: PIL.Image.Image) -> tuple[int, int]:
    """The image's size before ``dct_draft`` decoded it smaller (``image.size`` then is 1/k of it)."""
    drafted = image.info.get(_DRAFTED)
    return image.size if drafted is None else drafted[1]


def dct_draft(image: PIL.Image.Image, rate: float) -> int:
    """Make a JPEG not yet loaded decode at 1/k of its size (libjpeg's DCT scaling, ``Image.draft``)
    when it is to be scaled by ``rate <= 1/k``, k = 2, 4 or 8, the largest such; returns k (1 when
    nothing changed: rate > 1/2, not a JPEG, already loaded). The decoded image's coordinates are the
    original's divided by k (its last column and row cover what is left when k does not divide the size);
    ``original_size`` gives the size before. An image drafted by an earlier call (another object of the
    same photo) keeps its k when ``rate`` allows it, else a one-line error says to open it again.

    Why 1/k: decoding at 1/k averages each k x k block, which is what an antialiased resize by
    ``rate <= 1/k`` does first anyway; the output samples at most one of every k input pixels along
    each axis, so nothing it could show is lost. Above 1/k the output would be upsampled from the
    smaller decode and lose detail. Measured tolerance (tests/test_objects.py, tests/test_batches.py):
    within 3/255 in mean and 20/255 at the 99th percentile of the full decode's result.
    """
    drafted = image.info.get(_DRAFTED)
    if drafted is not None:
        if rate > 1.0 / drafted[0]:
            raise Imagenet3DError(f"this JPEG was decoded at 1/{drafted[0]} for an earlier crop; a crop scaling "
                                  f"it by {rate:.3g} needs more pixels: open the image again for it")
        return int(drafted[0])
    if rate > 0.5 or getattr(image, "format", None) != "JPEG":
        return 1
    step = 2 ** min(3, int(math.log2(1.0 / rate)))
    width, height = image.size
    box = image.draft("RGB", (max(1, width // step), max(1, height // step)))
    scale = 1 if box is None else round(width / box[1][2])
    if scale > 1:
        image.info[_DRAFTED] = (scale, (width, height))
    return scale


def resized_size(width: int, height: int, size: int) -> tuple[int, int]:
    """(width, height) with the short side ``size`` and the long side rounded down, as torchvision's
    ``Resize(size)`` (an int) computes it.

        >>> resized_size(500, 375, 224)
        (298, 224)
    """
    if width <= height:
        return size, int(size * height / width)
    return int(size * width / height), size


def _scaled_objects(objects: list[Mapping[str, Any]] | None, scale_x: float, scale_y: float,
                    rate: float) -> list[dict[str, Any]] | None:
    """Object annotations of an image resized by (scale_x, scale_y), as the official preprocessing
    adjusts them (imagenet3d_exp ``preprocess_data.py``: ``new_dist = raw_dist / resize_rate``)."""
    if objects is None:
        return None
    out = []
    for obj in objects:
        new = dict(obj, resize_rate=rate)
        if obj.get("px") is not None and obj.get("py") is not None:
            new["px"], new["py"] = obj["px"] * scale_x, obj["py"] * scale_y
        if obj.get("bbox") is not None:
            x1, y1, x2, y2 = obj["bbox"]
            new["bbox"] = [x1 * scale_x, y1 * scale_y, x2 * scale_x, y2 * scale_y]
        if obj.get("distance") is not None:
            new["distance"] = obj["distance"] / rate
        out.append(new)
    return out


class DecodeImages:
    """A batched ``IterableDataset.map`` function: decodes the batch's images (as datasets' Image
    feature does, then RGB) in ``num_threads`` threads: the calling thread and num_threads - 1
    helpers, all taking the next image of the batch until none is left.

    datasets' ``decode(num_threads=N)`` makes one asyncio task per example and N pool threads
    besides the main one; handing a whole Arrow batch (a row group) to threads that include the
    calling one costs less CPU per image. The helpers are created lazily in each process, so the
    function can go to DataLoader workers.

    With ``size``, see ``decode_images``."""

    def __init__(self, num_threads: int = 1, size: int | None = None) -> None:
        if size is not None and (not isinstance(size, int) or size < 1):
            raise Imagenet3DError(f"size must be a positive int (the short side in pixels) or None, got {size!r}")
        self.num_threads, self.feature = num_threads, require("datasets", "hub").Image()
        self.size = size
        self._pool: ThreadPoolExecutor | None = None
        self._pid: int | None = None

    def _decode(self, value: dict[str, Any]) -> PIL.Image.Image:
        if value.get("bytes") is None and value.get("path") is not None:
            value = checked_image_path(value["path"])   # datasets' decode_example decodes (load()) at once
        if value.get("bytes") is not None:
            check_image(value["bytes"])  # the header only: a decompression bomb is refused before decoding
        try:
            return _rgb(self.feature.decode_example(value))
        except (OSError, SyntaxError, ValueError) as error:   # Pillow's, for a stream it cannot decode
            raise ImageUnreadable(f"{value.get('path') or 'image'}: not decodable "
                                  f"({type(error).__name__}: {error})") from None

    def _decode_resized(self, value: dict[str, Any]) -> tuple[PIL.Image.Image, float, float, float]:
        """The image resized to short side ``size`` (JPEGs decoded smaller first where that loses
        nothing, ``dct_draft``), its scale along x and y, and the short side's (``resize_rate``)."""
        Image = require("PIL.Image", "hub")
        assert self.size is not None
        image = None
        if value.get("bytes") is not None:
            image = open_image(value["bytes"])
            # A tag the converter kept means the annotation was drawn on the displayed (turned) grid
            # (conversion/validate.py): datasets' own decode below turns it, as decode_images() does.
            if image.getexif().get(Image.ExifTags.Base.Orientation, 1) != 1:
                image = None
        if image is None:
            image = self._decode(value)   # decoded already: dct_draft leaves it as it is
        width, height = image.size
        target = resized_size(width, height, self.size)
        scale = dct_draft(image, max(target[0] / width, target[1] / height))
        image = _rgb(image)
        resized = image.resize(target, Image.Resampling.BILINEAR, box=(0, 0, width / scale, height / scale))
        return resized, target[0] / width, target[1] / height, self.size / min(width, height)

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        values = batch["image"]
        decode = self._decode if self.size is None else self._decode_resized
        if self.num_threads <= 1:
            decoded: list[Any] = [decode(v) for v in values]
        else:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(self.num_threads - 1, thread_name_prefix="decode")
                self._pid = os.getpid()
            decoded = [None] * len(values)
            indices = iter(range(len(values)))  # next() on it is atomic

            def work() -> None:
                for i in indices:
                    decoded[i] = decode(values[i])

            pool = self._pool
            helpers = [pool.submit(work) for _ in range(self.num_threads - 1)]
            work()
            for helper in helpers:
                helper.result()
        if self.size is None:
            batch["image"] = decoded
            return batch
        batch["image"] = [image for image, _, _, _ in decoded]
        if "objects" in batch:
            batch["objects"] = [_scaled_objects(objects, sx, sy, rate)
                                for objects, (_, sx, sy, rate) in zip(batch["objects"], decoded)]
        for key, axis in (("width", 0), ("height", 1)):
            if key in batch:
                batch[key] = [image.size[axis] for image, _, _, _ in decoded]
        batch["resize_rate"] = [rate for _, _, _, rate in decoded]
        return batch

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pool": None, "_pid": None}


#: What is read of an image file given by path to check its header: the bound and a few bytes more, so
#: that sniff tells a header running past the bound from one ending at it as it would on the whole file.
_HEADER_READ = MAX_HEADER_BYTES + 16


def checked_image_path(path: str) -> dict[str, Any]:
    """An image value (``{"bytes", "path"}``) for an image given by path, checked as stored bytes are
    (``check_image``: header bound, pixel bound) before anything decodes it. A local file: its first
    ``MAX_HEADER_BYTES`` (and a few more) are read and checked (Pillow reads the header of a format other
    than JPEG and PNG from the file, decoding nothing), and the path is returned to be opened again;
    a remote one (``hf://``, ``https://``, ``zip://...``) is read as datasets would read it, at most
    ``MAX_IMAGE_BYTES`` (past it, one ``Imagenet3DError`` line; nothing decoded), and returned
    as bytes, which the caller checks. A header Pillow cannot read: ``ImageUnreadable``."""
    datasets_utils = require("datasets.utils.file_utils", "hub")
    if not datasets_utils.is_local_path(path):
        download_config = require("datasets.download.download_config", "hub").DownloadConfig()
        with datasets_utils.xopen(path, "rb", download_config=download_config) as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise Imagenet3DError(f"{path}: image file over {MAX_IMAGE_BYTES} bytes: not read")
        return {"bytes": data, "path": path}
    with open(path, "rb") as handle:
        prefix = handle.read(_HEADER_READ)
    image_format, size = sniff(prefix)   # ImageHeaderTooLong over the header bound
    if size is not None:
        check_pixels(*size)
    elif image_format is not None:   # a JPEG header sniff cannot read: Pillow judges the bounded prefix
        open_image(prefix).close()
    else:
        pillow_open(path).close()   # reads the header only
    return {"bytes": None, "path": path}


def decode_images(dataset: datasets.IterableDataset, num_threads: int = 1,
                  batch_size: int = 40, size: int | None = None) -> datasets.IterableDataset:
    """A streaming split with its images decoded to RGB PIL images by ``DecodeImages``: one
    batched map per row group (40 rows), ``num_threads`` decoding threads. Measured at 0.89-0.96
    of a bare Pillow loop over the same bytes, where datasets' ``decode(num_threads=2)`` gives
    0.73-0.75 (BENCHMARKS.md). In DataLoader workers use ``num_threads=1`` and ``collate_images``.

    ``size``: resize each image so that its short side is ``size`` pixels, as torchvision's
    ``Resize(size)`` does (bilinear, antialiased; the long side rounded down, ``resized_size``).
    A JPEG at least twice that is first decoded at 1/2, 1/4 or 1/8 (``dct_draft``), within
    3/255 (mean) of decoding it whole. The annotations follow the image, as the official
    preprocessing moves them (imagenet3d_exp ``preprocess_data.py``): every object's px, bbox
    x-coordinates and py, bbox y-coordinates are scaled by the image's x and y scale, its
    distance divided by the short side's scale, which the row and each object get as
    ``resize_rate``; ``width`` and ``height``, where loaded, are the new size. So the projected
    object centre stays exact and the rest of the model within the official crop's weak-perspective
    approximation. ``collate_images`` takes the rows as they are.

        >>> ds = imagenet3d.load("default", "train", streaming=True, source="demo/imagenet3d",
        ...                      columns=imagenet3d.TRAINING_COLUMNS)                        # doctest: +SKIP
        >>> next(iter(imagenet3d.decode_images(ds)))["image"].mode                           # doctest: +SKIP
        'RGB'
    """
    return dataset.decode(False).map(DecodeImages(num_threads, size), batched=True, batch_size=batch_size)


_PACKED_POSE_KEYS = ("azimuth", "elevation", "theta", "distance")


def _shared_uint8(size: int) -> torch.Tensor:
    """A uint8 tensor; in a DataLoader worker in shared memory, as default_collate makes its batches,
    so that sending it to the main process costs no further copy."""
    torch = require("torch", "torch")
    tensor = torch.empty(size, dtype=torch.uint8)
    return tensor.share_memory_() if torch.utils.data.get_worker_info() is not None else tensor


def collate_images(rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """A batch of decoded rows as 5 tensors: images differ in size, so they are packed into one flat
    uint8 tensor (HWC, RGB) with their shapes, and every object of the batch into one [n, 9] float
    tensor (bbox x1 y1 x2 y2, azimuth, elevation, theta, distance, usable) with per-image counts.
    Unpack image i with ``images[offsets[i]:offsets[i + 1]].view(*shapes[i])``."""
    torch = require("torch", "torch")
    arrays = [np.asarray(_rgb(row["image"])) for row in rows]
    images = _shared_uint8(sum(a.size for a in arrays))
    flat, offset = images.numpy(), 0   # a view of the tensor's memory: numpy copies into it
    for array in arrays:
        flat[offset:offset + array.size] = array.reshape(-1)
        offset += array.size
    nan = float("nan")
    objects = [o for row in rows for o in row["objects"]]
    return {
        "images": images,
        "shapes": torch.tensor([a.shape for a in arrays], dtype=torch.int32),
        "objects": torch.tensor([[*o["bbox"], *(nan if o[k] is None else o[k] for k in _PACKED_POSE_KEYS), o["usable"]]
                                 for o in objects], dtype=torch.float32).reshape(-1, 9),
        "counts": torch.tensor([len(row["objects"]) for row in rows], dtype=torch.int32),
        "category_id": torch.tensor([row["category_id"] for row in rows], dtype=torch.int64),
    }


def collate_objects(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """A DataLoader ``collate_fn`` for object samples (``to_objects``, ``object_stream``).

    torch's default collate cannot batch PIL crops. Here the crops (all of one
    size) become one uint8 tensor ``[B, 3, H, W]``; numbers and booleans become
    tensors as ``default_collate`` makes them (float64, int64, bool), ``bbox``
    a ``[B, 4]`` tensor; strings, and fields where some sample has None (no
    status, say), stay lists.

        >>> loader = torch.utils.data.DataLoader(objects, batch_size=64,
        ...                                      collate_fn=imagenet3d.collate_objects)  # doctest: +SKIP
    """
    torch = require("torch", "torch")
    if not samples:
        raise Imagenet3DError("collate_objects needs at least one sample")
    sizes = {sample["image"].size for sample in samples}
    if len(sizes) > 1:
        raise Imagenet3DError(f"collate_objects needs crops of one size, got {sorted(sizes)}: "
                         "make the objects with size=<pixels> (to_objects / object_stream)")
    images = np.stack([np.asarray(_rgb(sample["image"])) for sample in samples])
    batch: dict[str, Any] = {"image": torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()}
    for key in samples[0]:
        if key == "image":
            continue
        values = [sample[key] for sample in samples]
        numeric = all(isinstance(v, (bool, int, float, np.number, np.bool_)) for v in values)
        boxes = all(isinstance(v, (list, tuple)) and len(v) == 4 for v in values)
        if not (numeric or boxes):
            batch[key] = values
            continue
        floats = any(isinstance(v, (float, np.floating)) for v in (np.ravel(values) if boxes else values))
        batch[key] = torch.tensor(values, dtype=torch.float64 if floats else None)
    return batch


