"""One test per crash the fuzz campaign (benchmarks/fuzz_readers.py) found in a reader of outside bytes.

A crash is an exception other than the reader's documented one-line error. Each test feeds the crashing
input (the fuzzer's own bytes, or the same defect made on a real-format file) and checks the reader now
raises its documented error; where the cause is a library's own exception, the test shows that too.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from _imagenet3d.annotations import annotation_bytes, read_annotations
from _imagenet3d.errors import AnnotationError, OffError, PredictionError, SourceError
from _imagenet3d.off import read_off
from _imagenet3d.predictions import read_predictions
from _imagenet3d.reasons import QuarantineReason as Q
from conversion.source import ReleaseSource
from conversion.validate import plan_candidates

# -- read_annotations: zipfile raises more than BadZipFile for a crafted .npz ---------------------------

# Fuzzer inputs, as found: a central directory entry asking for "zip file version 24.9"; one whose
# offset makes zipfile seek before the start ("negative seek value"); one whose name is flagged UTF-8
# but is not.
ZIP_VERSION_24_9 = bytes.fromhex(
    "50450034020d635dd59f504b01023c95f99e4ff6237505763c51d3404d787a5a6fc3b2bc10713fc47ea416a841cd7a3234f72b"
    "1763000000616e504b060769616f6e732e5b7079504b050600000000010001003d0000004d025f00000000")
NEGATIVE_SEEK = bytes.fromhex(
    "507a6e6f74615f41622e504b01022d032d000000000000002100bc3260a981030000810300000f00000000000000000000008001"
    "00000000616e6e6f746174696f6e732e6e7079504b050600000000010001003d000000c20302000000")
NAME_NOT_UTF8 = bytes.fromhex(
    "504b03fe808f00d2ffff00622e504b01022d002d002108000000000000bc3960a9812020202020202020202020202020202020"
    "203001000000000000202020f67ffc9e6e756d706e709d504b050600000000fffffef83d0000000000000000000080000000")


@pytest.mark.parametrize("data, raw_error", [(ZIP_VERSION_24_9, NotImplementedError), (NEGATIVE_SEEK, ValueError),
                                             (NAME_NOT_UTF8, UnicodeDecodeError)],
                         ids=["zip-version", "negative-seek", "name-not-utf8"])
def test_a_zip_that_zipfile_cannot_open_is_an_annotation_error(data, raw_error):
    with pytest.raises(raw_error):   # what zipfile itself raises: the reader used to let it through
        zipfile.ZipFile(io.BytesIO(data)).open("annotations.npy").read()
    with pytest.raises(AnnotationError):
        read_annotations(data)


def _central_flags(data: bytes, set_bits: int) -> bytes:
    """``data`` with ``set_bits`` set in the general purpose flags of its (only) central directory entry."""
    at = data.rindex(b"PK\x01\x02") + 8
    (flags,) = struct.unpack_from("<H", data, at)
    return data[:at] + struct.pack("<H", flags | set_bits) + data[at + 2:]


def _deflated_npz() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("annotations.npy", zipfile.ZipFile(io.BytesIO(annotation_bytes([]))).read("annotations.npy"))
    return buffer.getvalue()


def _member_damaged(data: bytes) -> bytes:
    """The deflated member's compressed bytes replaced by ones no inflater accepts (a reserved block type)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("annotations.npy")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return data[:start] + b"\xff" * info.compress_size + data[start + info.compress_size:]


def _local_name_not_utf8(data: bytes) -> bytes:
    """Both headers flagged UTF-8, the central name ASCII and the local header's copy of it made invalid."""
    data = _central_flags(data, 0x800)
    (flags,) = struct.unpack_from("<H", data, 6)   # the first local header's flags, then its name at 30
    return data[:6] + struct.pack("<H", flags | 0x800) + data[8:30] + b"\xff" + data[31:]


@pytest.mark.parametrize("make, raw_error", [
    (lambda: _central_flags(annotation_bytes([]), 0x20), NotImplementedError),   # "compressed patched data"
    (lambda: _local_name_not_utf8(annotation_bytes([])), UnicodeDecodeError),
    (lambda: _member_damaged(_deflated_npz()), zlib.error),
], ids=["patched-data-flag", "local-name-not-utf8", "damaged-deflate"])
def test_a_member_that_zipfile_cannot_read_is_an_annotation_error(make, raw_error):
    data = make()
    with pytest.raises(raw_error):
        zipfile.ZipFile(io.BytesIO(data)).open("annotations.npy").read()
    with pytest.raises(AnnotationError):
        read_annotations(data)


def _npz(npy: bytes) -> bytes:
    """``npy`` as the annotations.npy member of a well-formed .npz (what the annotation_npy target does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("annotations.npy", npy)
    return buffer.getvalue()


def _npy(header: str, body: bytes = b"") -> bytes:
    """A version 1.0 .npy: magic, header padded to 64 bytes, ``body``."""
    padding = 63 - (10 + len(header)) % 64
    text = (header + " " * padding + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + body


@pytest.mark.parametrize("npy", [
    # The fuzzer's input: a header numpy's tokenize-based filter cannot tokenize (was tokenize.TokenError).
    b"\x93NUMPY\x01\x00\r\x00\x00\x00\x00\x00\x00\x00v\x00}" + b" " * 43 + b"\n\x80\x03cnumu\x01\x00\x00Ab.",
    # The fuzzer's defect in a header of its own: a descr numpy parses as a comma string (was SyntaxError).
    _npy("{'descr': ',|O', 'fortran_order': False, 'shape': (1,), }"),
    # Found next to them (by hand): a zero-size dtype, which numpy's frombuffer refuses (was ValueError) ...
    _npy("{'descr': '|V0', 'fortran_order': False, 'shape': (5,), }"),
    # ... and, structured, makes any count fit in no bytes: 10**12 objects asked of 200 bytes (was MemoryError).
    _npy("{'descr': [('a', '|V0')], 'fortran_order': False, 'shape': (1000000000000,), }"),
    # The fuzzer's input: numpy's header check admits a bool as a dimension (was TypeError from reshape).
    b"\x93NUMPY\x01\x00v\x00{'descr': '|M', 'fortran_order': False, 'shape': (1,True), }" + b" " * 61
    + b"\n\x80\x04\x95\x8c\x02\x00\x00\x00\x00\x00\x00nub\x94\x94b.",
], ids=["header-token-error", "descr-syntax-error", "zero-size-dtype", "zero-size-structured-dtype", "bool-dimension"])
def test_a_malformed_npy_header_is_an_annotation_error(npy):
    with pytest.raises(AnnotationError):
        read_annotations(_npz(npy))


# -- read_off ---------------------------------------------------------------------------------------------

TRIANGLE = b"OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n"


@pytest.mark.parametrize("data", [
    b"\xc0",                                          # not ASCII: was UnicodeDecodeError
    TRIANGLE + b'3 0 1 1"2\n',                        # a face index that is not a number: was ValueError
    TRIANGLE + b"3 0 1 99999999999999999999\n",       # one beyond int64 (triangles): was OverflowError
    TRIANGLE + b"4 0 1 2 99999999999999999999\n",     # and in a polygon (fan-triangulated): was OverflowError
], ids=["not-ascii", "face-not-a-number", "index-beyond-int64", "polygon-index-beyond-int64"])
def test_read_off_refuses_with_its_own_error(data):
    with pytest.raises(OffError):
        read_off(data)


# -- the release's zip (conversion/source.py) ---------------------------------------------------------------

# The fuzzer's input: an end record whose zip64 locator says the archive spans disks. zipfile.is_zipfile
# itself raises BadZipFile for it (instead of answering False).
SPANS_DISKS = bytes.fromhex("506561504b0607696d6167656e65745f76616c2e747874"
                            "504b05060000000012001200bc050000ec1200000000")


def test_a_zip_spanning_disks_is_a_source_error(tmp_path):
    path = tmp_path / "release.zip"
    path.write_bytes(SPANS_DISKS)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.is_zipfile(path)
    with pytest.raises(SourceError):
        ReleaseSource(path)


def test_an_entry_with_an_empty_name_is_quarantined_as_unsafe(tmp_path):
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for relpath in ("images/bed/a.JPEG", "annotations/bed/a.npz", "lists/bed_imagenet_train.txt"):
            archive.writestr(f"imagenet3d_v1/{relpath}", b"a")
        with archive.open(zipfile.ZipInfo(""), "w") as member:   # zipfile's own is_dir() fails on this name
            member.write(b"nameless")
    source = ReleaseSource(path)
    assert "" not in source.by_path and source.unsafe == [""]
    _, problems = plan_candidates(source)
    assert [problem["reason"].code for problem in problems if problem["path"] == ""] == [Q.UNSAFE_ZIP_ENTRY]


# -- found in review, beside the fuzzer's findings: a zip64 offset past 2**63 ---------------------------------


def _huge_header_offset(zip_bytes: bytes) -> bytes:
    """The zip with its first member's local-header offset moved (through a zip64 extra) to 2**63 + 5:
    zipfile's seek there raised OverflowError, which is no ValueError."""
    data = bytearray(zip_bytes)
    directory, end = data.find(b"PK\x01\x02"), data.find(b"PK\x05\x06")
    name_length, extra_length = struct.unpack_from("<HH", data, directory + 28)
    extra = struct.pack("<HHQ", 1, 8, 2**63 + 5)
    struct.pack_into("<H", data, directory + 30, extra_length + len(extra))
    struct.pack_into("<I", data, directory + 42, 0xFFFFFFFF)
    at = directory + 46 + name_length + extra_length
    data[at:at] = extra
    end += len(extra)
    struct.pack_into("<I", data, end + 12, struct.unpack_from("<I", data, end + 12)[0] + len(extra))
    return bytes(data)


def test_a_member_offset_past_what_a_seek_takes_is_an_annotation_error():
    with pytest.raises(AnnotationError):
        read_annotations(_huge_header_offset(annotation_bytes([])))


def test_a_release_member_offset_past_what_a_seek_takes_is_quarantined(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imagenet3d_v1/lists/bed_imagenet_train.txt", b"a\n")   # the member made unreadable
        for relpath in ("images/bed/a.JPEG", "annotations/bed/a.npz"):
            archive.writestr(f"imagenet3d_v1/{relpath}", b"a")
    path = tmp_path / "release.zip"
    path.write_bytes(_huge_header_offset(buffer.getvalue()))
    _, problems = plan_candidates(ReleaseSource(path))
    assert [problem["reason"].code for problem in problems
            if problem["path"] == "lists/bed_imagenet_train.txt"] == [Q.UNREADABLE_ENTRY]


# -- read_predictions ------------------------------------------------------------------------------------------


def test_predictions_that_are_not_utf8_are_a_prediction_error(tmp_path):
    path = tmp_path / "predictions.jsonl"
    path.write_bytes(b"\xb0")   # the fuzzer's input: was UnicodeDecodeError
    with pytest.raises(PredictionError):
        read_predictions(path)
