"""The release's per-image annotation files (``.npz``): a safe reader and the writer."""

from __future__ import annotations

import io
import pickle
import pickletools
import re
import zipfile
from tokenize import TokenError

import numpy as np

from _imagenet3d.errors import AnnotationError
from _imagenet3d.files import PathOrBytes, read_bytes
from _imagenet3d.records import ObjectRecord, normalize_object
from _imagenet3d.safe_unpickle import allocation_budget, load_pickle
from _imagenet3d.zip_errors import ZIP_ERRORS

# An honest annotation file is a few KB, stored uncompressed; these bound decompression bombs:
# the member may inflate to at most 64 MiB and to at most allocation_budget(archive size).
_MAX_MEMBER_BYTES = 64 * 1024 * 1024


# The header numpy writes for a 1-D object array; numpy's own parser goes
# through ast.literal_eval, a tenth of the cost of reading a whole file.
_OBJECT_HEADER = re.compile(rb"\{'descr': '\|O', 'fortran_order': False, 'shape': \((\d+),\), \} *\n")


def _read_npy_header(stream: io.BytesIO) -> tuple[tuple[int, ...], bool, np.dtype]:
    start = stream.tell()
    magic = stream.read(10)
    if magic[:8] == b"\x93NUMPY\x01\x00":
        length = int.from_bytes(magic[8:10], "little")
        match = _OBJECT_HEADER.fullmatch(stream.read(length))
        if match:
            return (int(match[1]),), False, np.dtype(object)
    stream.seek(start)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    return np.lib.format.read_array_header_2_0(stream)


def _load_npy(data: bytes) -> np.ndarray:
    stream = io.BytesIO(data)
    try:
        shape, _, dtype = _read_npy_header(stream)
    # numpy's header parser lets more than ValueError through (found by fuzzing): tokenize's TokenError,
    # SyntaxError from a dtype string, TypeError from a descr that is no dtype.
    except (ValueError, TypeError, SyntaxError, TokenError, RecursionError) as error:
        raise AnnotationError(f"malformed .npy header: {type(error).__name__}: {error}") from None
    if not all(type(n) is int and n >= 0 for n in shape):   # numpy's check admits True (found by fuzzing)
        raise AnnotationError(f"malformed .npy header: shape {shape!r:.80}")
    # The release's is an object array of dicts. Any other dtype is refused before anything is counted
    # or allocated: read_annotations' object view of a numeric array would hold one 8-byte pointer (and
    # for most dtypes one Python number) per element, 8 to 40 times the array's bytes.
    if dtype != np.dtype(object):
        raise AnnotationError(f"'annotations' is a {dtype.str} array, not an object array of dicts")
    try:
        array = load_pickle(stream.read())
    except AnnotationError:
        raise
    except Exception as error:  # any malformed pickle is a format error
        raise AnnotationError(f"malformed annotation pickle: {error!r}") from None
    if not isinstance(array, np.ndarray):
        raise AnnotationError("annotation pickle does not hold an array")
    if array.dtype != np.dtype(object):   # the header said object; the pickle holds numbers (same cost)
        raise AnnotationError(f"the annotation pickle holds a {array.dtype.str} array, not an object array of dicts")
    return array


def _load_annotation_array(data: bytes) -> np.ndarray:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as error:   # damaged or crafted: zipfile raises more than BadZipFile
        raise AnnotationError(f"not an .npz archive (bad zip: {type(error).__name__}: {error})") from None
    with archive:
        try:
            member = archive.getinfo("annotations.npy")
        except KeyError:
            raise AnnotationError(
                f"no 'annotations' array in the .npz (keys: {archive.namelist()})") from None
        limit = min(_MAX_MEMBER_BYTES, allocation_budget(len(data)))
        if member.file_size > limit:
            raise AnnotationError(f"'annotations' array is too large ({member.file_size} bytes inflated from a "
                                  f"{len(data)}-byte file; the bound is {limit})")
        try:
            # Read at most limit + 1 bytes: zipfile inflates a whole compressed chunk at once when asked
            # for everything, whatever size the (possibly lying) directory declares.
            with archive.open(member) as stream:
                payload = stream.read(limit + 1)
        except ZIP_ERRORS as error:
            raise AnnotationError(f"corrupt .npz member: {type(error).__name__}: {error}") from None
        if len(payload) > limit:
            raise AnnotationError(f"'annotations' array inflates past its bound of {limit} bytes "
                                  f"(its declared size is {member.file_size})")
    return _load_npy(payload)


def read_annotations(source: PathOrBytes) -> list[ObjectRecord]:
    """Read one release ``.npz`` into normalised per-object dicts.

    The file holds ``annotations``, a numpy object array of dicts, one per
    object. It is read with a restricted unpickler that admits only numpy
    arrays/scalars and builtin values: a pickle that names anything else (the
    way a crafted file would run code) raises :class:`UnsafePickleError`
    before anything runs. What a file can make the reader allocate is bounded by its size: the
    zip member may inflate to at most ``64 * size + 1 MiB`` bytes (and 64 MiB), and the pickle's
    constructors may allocate at most ``64 * pickle size + 1 MiB`` bytes
    (:mod:`_imagenet3d.safe_unpickle`); a file over either bound raises :class:`UnsafePickleError`
    or :class:`AnnotationError` naming the request; an array that is not of dtype object (numbers, however
    few bytes they take) is refused before anything is allocated for it. Each dict goes through
    :func:`normalize_object`. Peak memory: at most three times the member's bound (its inflated bytes,
    the copy the unpickler reads and what the pickle builds; zipfile also joins its chunks in a copy).

    Raises :class:`AnnotationError` with the reason for any file that is not
    in the release's format.
    """
    array = _load_annotation_array(read_bytes(source))
    objects = []
    for position, raw in enumerate(np.asarray(array, dtype=object).reshape(-1)):
        if not isinstance(raw, dict):
            raise AnnotationError(
                f"object {position} is a {type(raw).__name__}, not a dict")
        objects.append(normalize_object(raw))
    return objects


# What numpy 1.x's np.save writes for an object array, as the release (2024) has it: a protocol-3
# pickle whose reconstructors are named numpy.core.*. numpy 2 writes protocol 4 and numpy._core.*,
# a module numpy <= 1.25 cannot import.
_NPY_PICKLE_PROTOCOL = 3
_NUMPY2_CORE, _NUMPY1_CORE = "numpy._core", "numpy.core"


def _numpy1_pickle(array: np.ndarray) -> bytes:
    """``array`` pickled as numpy 1.x pickles it: numpy._core.* globals renamed to numpy.core.*.

    The rename is made opcode by opcode (GLOBAL is ``c<module>\\n<name>\\n``); a protocol-3
    pickle has no frames or offsets, so nothing else moves.
    """
    payload = pickle.dumps(array, protocol=_NPY_PICKLE_PROTOCOL)
    ops = list(pickletools.genops(payload))
    parts, copied = [], 0
    for (opcode, arg, start), (_, _, end) in zip(ops, ops[1:]):
        module, _, name = str(arg).partition(" ")
        if opcode.name == "GLOBAL" and (module == _NUMPY2_CORE or module.startswith(_NUMPY2_CORE + ".")):
            module = _NUMPY1_CORE + module.removeprefix(_NUMPY2_CORE)
            assert start is not None and end is not None  # genops gives positions in a bytes payload
            parts += [payload[copied:start], f"c{module}\n{name}\n".encode("ascii")]
            copied = end
    parts.append(payload[copied:])
    return b"".join(parts)


def annotation_bytes(annotations: list[dict]) -> bytes:
    """The release's .npz: 'annotations' = object array of dicts, as numpy 1.x writes it.

    The bytes are those of numpy 1.x's ``np.savez(path, annotations=array)`` (the release was
    written in 2024, with numpy 1.x), whatever numpy runs here: numpy's format header, then
    :func:`_numpy1_pickle`. So numpy 1.24 loads the file as it loads the real release.
    benchmarks/check_numpy1_pickles.py compares them with numpy 1.24's and 1.26's own.
    """
    array = np.empty(len(annotations), dtype=object)
    array[:] = annotations
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        info = zipfile.ZipInfo("annotations.npy", date_time=(1980, 1, 1, 0, 0, 0))
        with archive.open(info, "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, np.lib.format.header_data_from_array_1_0(array))
            member.write(_numpy1_pickle(array))
    return buffer.getvalue()
