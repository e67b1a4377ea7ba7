"""Decoded images for training: threaded batch decoding and the DataLoader collate functions."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require

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


class DecodeImages:
    """A batched ``IterableDataset.map`` function: decodes the batch's images (as datasets' Image
    feature does, then RGB) in ``num_threads`` threads: the calling thread and num_threads - 1
    helpers, all taking the next image of the batch until none is left.

    datasets' ``decode(num_threads=N)`` makes one asyncio task per example and N pool threads
    besides the main one; handing a whole Arrow batch (a row group) to threads that include the
    calling one costs less CPU per image. The helpers are created lazily in each process, so the
    function can go to DataLoader workers."""

    def __init__(self, num_threads: int = 1) -> None:
        self.num_threads, self.feature = num_threads, require("datasets", "hub").Image()
        self._pool: ThreadPoolExecutor | None = None
        self._pid: int | None = None

    def _decode(self, value: dict[str, Any]) -> PIL.Image.Image:
        return _rgb(self.feature.decode_example(value))

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        values = batch["image"]
        if self.num_threads <= 1:
            batch["image"] = [self._decode(v) for v in values]
            return batch
        if self._pool is None or self._pid != os.getpid():
            self._pool = ThreadPoolExecutor(self.num_threads - 1, thread_name_prefix="decode")
            self._pid = os.getpid()
        decoded: list[PIL.Image.Image | None] = [None] * len(values)
        indices = iter(range(len(values)))  # next() on it is atomic

        def work() -> None:
            for i in indices:
                decoded[i] = self._decode(values[i])

        pool = self._pool
        helpers = [pool.submit(work) for _ in range(self.num_threads - 1)]
        work()
        for helper in helpers:
            helper.result()
        batch["image"] = decoded
        return batch

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pool": None, "_pid": None}


def decode_images(dataset: datasets.IterableDataset, num_threads: int = 1,
                  batch_size: int = 40) -> datasets.IterableDataset:
    """A streaming split with its images decoded to RGB PIL images by ``DecodeImages``: one
    batched map per row group (40 rows), ``num_threads`` decoding threads. Measured at 0.89-0.96
    of a bare Pillow loop over the same bytes, where datasets' ``decode(num_threads=2)`` gives
    0.73-0.75 (BENCHMARKS.md). In DataLoader workers use ``num_threads=1`` and ``collate_images``.

        >>> ds = imagenet3d.load("default", "train", streaming=True, source="demo/imagenet3d",
        ...                      columns=imagenet3d.TRAINING_COLUMNS)                        # doctest: +SKIP
        >>> next(iter(imagenet3d.decode_images(ds)))["image"].mode                           # doctest: +SKIP
        'RGB'
    """
    return dataset.decode(False).map(DecodeImages(num_threads), batched=True, batch_size=batch_size)


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


