"""Seed inputs in the release's real formats, from a tiny synthetic release (synthetic_release's writer).

Each seed is small enough for its target's ``max_len``: the release's own annotation files, lists,
marker and captions as written; its JPEGs and CAD model (hundreds of KB) replaced by a tiny JPEG and
a tiny OFF of the same format, so the fuzzer mutates structure rather than pixels.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import numpy as np

RELEASE_SPEC = (["beaker"], 3, 11)   # categories, images per category, seed


def _tiny_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 30, 200)).save(buffer, "JPEG", quality=50)
    return buffer.getvalue()


def _tiny_off() -> bytes:
    from _imagenet3d.off import off_bytes

    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float64)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]], dtype=np.int64)
    return off_bytes(vertices, faces)


def write_release(folder: Path) -> Path:
    """The tiny release's folder (written once): ``imagenet3d_v1/`` and ``captions/``."""
    from synthetic_release.writer import write_release as write

    if not (folder / "synthetic_release.json").exists():
        categories, per_category, seed = RELEASE_SPEC
        write(folder, categories, per_category, seed=seed, workers=1, tree=True, zip_=False, progress=False)
    return folder


def _release_files(release: Path) -> dict[str, bytes]:
    root = release / "imagenet3d_v1"
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            relpath = path.relative_to(root).as_posix()
            data = path.read_bytes()
            if relpath.endswith(".JPEG"):
                data = _tiny_jpeg()
            elif relpath.endswith(".off"):
                data = _tiny_off()
            files[relpath] = data
    return files


def _zip(files: dict[str, bytes], prefix: str, compression: int, directories: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        seen: set[str] = set()
        for relpath, data in files.items():
            parts = (prefix + relpath).split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth]) + "/"
                if directories and directory not in seen:
                    seen.add(directory)
                    archive.writestr(zipfile.ZipInfo(directory, date_time=(1980, 1, 1, 0, 0, 0)), b"")
            info = zipfile.ZipInfo(prefix + relpath, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def annotation_seeds(release: Path) -> list[bytes]:
    from _imagenet3d.annotations import annotation_bytes

    files = sorted((release / "imagenet3d_v1" / "annotations").rglob("*.npz"))
    seeds = [path.read_bytes() for path in files]
    seeds.append(annotation_bytes([]))
    # numpy 2's own writer (protocol 3 pickle, numpy._core names), stored and compressed; the array is
    # the generator's own (this process wrote the file), so numpy's unrestricted loader may read it.
    array = np.load(io.BytesIO(seeds[0]), allow_pickle=True)["annotations"]
    for save in (np.savez, np.savez_compressed):
        buffer = io.BytesIO()
        save(buffer, annotations=array)
        seeds.append(buffer.getvalue())
    return seeds


def annotation_npy_seeds(release: Path) -> list[bytes]:
    """The ``annotations.npy`` members of the annotation seeds (numpy 1.x's protocol-3 pickles, numpy 2's)."""
    return [zipfile.ZipFile(io.BytesIO(data)).read("annotations.npy") for data in annotation_seeds(release)]


def off_seeds(release: Path) -> list[bytes]:
    plain = _tiny_off()
    general = (b"OFF 5 2 0\n# a square pyramid, a quad and a triangle\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n"
               b"0.5 0.5 1e0  # apex\n4 0 1 2 3\n3 0 1 4\n")
    return [plain, general, b"OFF\n0 0 0\n", plain.replace(b"\n", b"\r\n")]


def zip_seeds(release: Path) -> list[bytes]:
    files = _release_files(release)
    return [_zip(files, "imagenet3d_v1/", zipfile.ZIP_DEFLATED, True),
            _zip(files, "imagenet3d_v1/", zipfile.ZIP_STORED, False),
            _zip(files, "", zipfile.ZIP_DEFLATED, False)]


def caption_seeds(release: Path) -> list[bytes]:
    captions = (release / "captions" / "image_captions.jsonl").read_bytes()
    descriptions = (release / "captions" / "category_descriptions.json").read_bytes()
    return [captions, descriptions, b"\n" + captions.splitlines()[0] + b"\n\n"]


def prediction_seeds(release: Path) -> list[bytes]:
    from _imagenet3d.annotations import read_annotations
    from _imagenet3d.crops import object_id

    predictions = []
    for path in sorted((release / "imagenet3d_v1" / "annotations").rglob("*.npz")):
        image_id = f"{path.parent.name}/{path.stem}"
        for k, obj in enumerate(read_annotations(path.read_bytes())):
            predictions.append({"object_id": object_id(image_id, k), "azimuth": obj["azimuth"] or 0.0,
                                "elevation": obj["elevation"] or 0.0, "theta": obj["theta"] or 0.0,
                                "category": obj["category"]})
    jsonl = "".join(json.dumps(item) + "\n" for item in predictions).encode()
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=["object_id", "azimuth", "elevation", "theta", "category"])
    writer.writeheader()
    writer.writerows(predictions)
    # A leading "," asks fuzz_predictions for a .csv name; CSV content under another name is read by content too.
    return [jsonl, json.dumps(predictions).encode(), b"," + text.getvalue().encode(), text.getvalue().encode()]


SEEDS = {"annotations": annotation_seeds, "annotation_npy": annotation_npy_seeds, "off": off_seeds,
         "zip_source": zip_seeds, "captions": caption_seeds, "predictions": prediction_seeds}
