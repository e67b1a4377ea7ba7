"""The fuzz targets: each reader of outside bytes, fed one input, and the errors it documents.

Not collected by pytest (no ``test_`` prefix); run by benchmarks/fuzz_readers.py through
tests/fuzz/atheris_child.py. A target returns normally for input it accepts; it raises one of its
``expected`` types (the reader's documented one-line error) for input it refuses. Anything else it
raises is a crash, and so is an input that takes longer than the runner's per-input timeout or
allocates more than its memory limit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_SCRATCH: list[Path] = []


def _scratch_file(name: str, data: bytes) -> str:
    """Every reader under test takes a path or bytes: paths go to one scratch folder, the runner's (which
    removes it), made on first use."""
    if not _SCRATCH:
        _SCRATCH.append(Path(os.environ.get("IMAGENET3D_FUZZ_SCRATCH") or tempfile.mkdtemp(prefix="imagenet3d-fuzz-")))
    path = _SCRATCH[0] / name
    path.write_bytes(data)
    return str(path)


def fuzz_annotations(data: bytes) -> None:
    from _imagenet3d.annotations import read_annotations

    objects = read_annotations(data)
    assert isinstance(objects, list) and all(isinstance(obj, dict) for obj in objects)


def fuzz_annotation_npy(data: bytes) -> None:
    """The bytes as the ``annotations.npy`` member of a well-formed .npz (its CRC right), so mutations of
    the npy header and the pickle reach the restricted unpickler instead of failing the zip's CRC check."""
    import io
    import zipfile

    from _imagenet3d.annotations import read_annotations

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo("annotations.npy", date_time=(1980, 1, 1, 0, 0, 0)), data)
    objects = read_annotations(buffer.getvalue())
    assert isinstance(objects, list) and all(isinstance(obj, dict) for obj in objects)


def fuzz_off(data: bytes) -> None:
    import numpy as np

    from _imagenet3d.off import read_off

    vertices, faces = read_off(data)
    # What read_off promises for what it accepts: finite (V, 3) vertices, (F, 3) faces in range.
    assert vertices.dtype == np.float64 and vertices.ndim == 2 and vertices.shape[1] == 3
    assert faces.dtype == np.int64 and faces.ndim == 2 and faces.shape[1] == 3
    assert np.isfinite(vertices).all()
    assert not faces.size or (faces.min() >= 0 and faces.max() < len(vertices))


def fuzz_zip_source(data: bytes) -> None:
    from conversion import validate
    from conversion.source import ReleaseSource

    source = ReleaseSource(_scratch_file("release.zip", data))
    validate.plan_candidates(source)
    validate.cad_models_present(source)
    source.fingerprint()
    for entry in source.entries:
        source.read(entry.relpath)


def fuzz_captions(data: bytes) -> None:
    from conversion import inputs

    path = _scratch_file("image_captions.jsonl", data)
    captions, problems = inputs.load_captions(path)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in captions.items())
    assert all(set(problem) == {"path", "reason"} for problem in problems)
    descriptions = inputs.load_descriptions(path)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in descriptions.items())


def fuzz_predictions(data: bytes) -> None:
    from _imagenet3d.predictions import read_predictions

    # The first byte picks the file's name: a .csv name is always read as CSV, any other by content.
    name = "predictions.csv" if data[:1] == b"," else "predictions.jsonl"
    predictions = read_predictions(_scratch_file(name, data[1:] if name.endswith(".csv") else data))
    assert isinstance(predictions, list) and all(isinstance(item, dict) for item in predictions)


def _expected_annotations() -> tuple[type[BaseException], ...]:
    from _imagenet3d.errors import AnnotationError

    return (AnnotationError,)


def _expected_off() -> tuple[type[BaseException], ...]:
    from _imagenet3d.errors import OffError

    return (OffError,)


def _expected_source() -> tuple[type[BaseException], ...]:
    from _imagenet3d.errors import SourceError

    return (SourceError,)


def _expected_imagenet3d() -> tuple[type[BaseException], ...]:
    from _imagenet3d.errors import Imagenet3DError

    return (Imagenet3DError,)


def _expected_predictions() -> tuple[type[BaseException], ...]:
    from _imagenet3d.errors import PredictionError

    return (PredictionError,)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    expected: Callable[[], tuple[type[BaseException], ...]]
    modules: tuple[str, ...]   # what coverage is measured on (repository-relative files)
    instrument: tuple[str, ...]  # what atheris instruments for its guidance (module names)
    max_len: int  # libFuzzer's -max_len: room for the largest seed and some growth
    functions: tuple[str, ...] = ()  # coverage also reported for these (when the module holds more)
    tokens: tuple[bytes, ...] = ()  # libFuzzer's -dict: what the format compares against in C, unguided


_ZIP_TOKENS = (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08")
_PICKLE_TOKENS = (b"\x93NUMPY", b"'descr': ", b"'|O'", b"'<f8'", b"'fortran_order': ", b"True", b"'shape': ",
                  b"numpy.core.multiarray", b"numpy._core.multiarray", b"_reconstruct", b"scalar", b"ndarray",
                  b"dtype", b"_codecs", b"encode", b"latin1", b"builtins", b"azimuth", b"bbox", b"object_status")
_JSON_TOKENS = (b"NaN", b"Infinity", b"-Infinity", b"1e999", b"null", b"true", b"\\ud800", b"\xef\xbb\xbf", b"[[[[")


# The reading half of annotations.py (the rest writes the release's files).
_ANNOTATION_READER = ("_read_npy_header", "_load_npy", "_load_annotation_array", "read_annotations")

TARGETS = {target.name: target for target in (
    Target("annotations", fuzz_annotations, _expected_annotations,
           ("_imagenet3d/annotations.py", "_imagenet3d/safe_unpickle.py", "_imagenet3d/records.py"),
           ("_imagenet3d", "zipfile"), 16384, _ANNOTATION_READER, _ZIP_TOKENS + (b"annotations.npy",) + _PICKLE_TOKENS),
    Target("annotation_npy", fuzz_annotation_npy, _expected_annotations,
           ("_imagenet3d/annotations.py", "_imagenet3d/safe_unpickle.py", "_imagenet3d/records.py"),
           ("_imagenet3d",), 16384, _ANNOTATION_READER, _PICKLE_TOKENS),
    Target("off", fuzz_off, _expected_off, ("_imagenet3d/off.py",), ("_imagenet3d",), 4096,
           ("read_off", "_read_general_off", "_read_plain_triangle_off", "_fan_triangulate"),
           (b"OFF", b"nan", b"inf", b"-inf", b"1e999", b"#", b"\r\n", b"9223372036854775808", b"-1", b"4 ")),
    Target("zip_source", fuzz_zip_source, _expected_source, ("conversion/source.py",),
           ("conversion", "_imagenet3d", "zipfile"), 32768, (),
           _ZIP_TOKENS + (b"imagenet3d_v1/", b"images/", b"annotations/", b"lists/", b"CAD/", b"_imagenet_train.txt",
                          b"_imagenet_val.txt", b".JPEG", b".npz", b".off", b"../", b"SYNTHETIC_RELEASE.json")),
    Target("captions", fuzz_captions, _expected_imagenet3d, ("conversion/inputs.py",), ("conversion",), 4096,
           ("load_captions", "_caption_record", "load_descriptions", "_check_file_size"),
           (b"image_id", b"caption", *_JSON_TOKENS)),
    Target("predictions", fuzz_predictions, _expected_predictions, ("_imagenet3d/predictions.py",),
           ("_imagenet3d",), 4096, ("read_predictions", "_read_prediction_csv"),
           (b"object_id", b"azimuth", b"elevation", b"theta", b"category", b"\r\n", *_JSON_TOKENS)),
)}
