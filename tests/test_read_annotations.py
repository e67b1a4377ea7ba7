"""The restricted .npz reader: refuses code, reads every quirk of the release."""

import base64
import io
import math
import os
import pickletools
import warnings
import zipfile

import numpy as np
import pytest

import imagenet3d
from _imagenet3d import annotations
from imagenet3d import AnnotationError, UnsafePickleError


def npz(objects, **extra) -> bytes:
    """An .npz like the release's: 'annotations' = object array of dicts."""
    array = np.empty(len(objects), dtype=object)
    array[:] = objects
    buffer = io.BytesIO()
    np.savez(buffer, annotations=array, **extra)
    return buffer.getvalue()


def good_object(**changes):
    obj = {
        "azimuth": 1.0, "elevation": 0.2, "theta": 0.05, "distance": 9.5, "viewport": 3000,
        "focal": 1.0, "px": 210.0, "py": 170.5, "principal": np.array([210.0, 170.5]),
        "height": np.uint16(350), "width": np.uint16(420), "bbox": np.array([10.0, 20.0, 300.0, 310.0]),
        "class": "chair", "cad_index": 3, "object_status": "status_good", "dense": "dense_no",
    }
    obj.update(changes)
    return obj


class Evil:
    """Unpickling this creates a directory: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    data = npz([good_object(azimuth=Evil(str(marker)))])
    with pytest.raises(UnsafePickleError, match="mkdir"):
        imagenet3d.read_annotations(data)
    assert not marker.exists()
    # Control: the plain numpy way does run it, so the file really is malicious.
    np.load(io.BytesIO(data), allow_pickle=True)["annotations"]
    assert marker.exists()


def test_codecs_encode_is_admitted_only_for_latin1():
    import pickle
    import pickletools

    payload = pickle.dumps(np.array([{"a": b"\x00\xff"}], dtype=object), protocol=2)
    assert b"_codecs" in payload  # protocol 2 stores bytes through _codecs.encode
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    array = annotations._load_npy(header.getvalue() + payload)
    assert array[0]["a"] == b"\x00\xff"
    evil = payload.replace(b"latin1", b"rot_13")
    assert any(op.name == "BINUNICODE" or op.name == "SHORT_BINUNICODE" for op, _, _ in pickletools.genops(evil))
    with pytest.raises(UnsafePickleError):
        annotations._load_npy(header.getvalue() + evil)


def test_reads_a_clean_file():
    objects = imagenet3d.read_annotations(npz([good_object()]))
    assert len(objects) == 1
    obj = objects[0]
    assert obj["usable"] and obj["unusable_reasons"] == []
    assert obj["category"] == "chair" and obj["cad_index"] == 3
    assert obj["height"] == 350 and type(obj["height"]) is int
    assert obj["bbox"] == [10.0, 20.0, 300.0, 310.0] and all(type(v) is float for v in obj["bbox"])
    assert obj["azimuth"] == 1.0 and obj["viewport"] == 3000 and obj["focal"] == 1.0


def test_reads_from_path_and_file_object(tmp_path):
    path = tmp_path / "n03001627_1.npz"
    path.write_bytes(npz([good_object(), good_object(cad_index=1)]))
    assert len(imagenet3d.read_annotations(path)) == 2
    assert len(imagenet3d.read_annotations(str(path))) == 2
    with path.open("rb") as handle:
        assert len(imagenet3d.read_annotations(handle)) == 2


def test_numpy1_style_pickles_are_read():
    import pickle

    # numpy 1.x names its reconstructors numpy.core.multiarray; protocol 2 spells globals as text.
    array = np.empty(1, dtype=object)
    array[0] = good_object()
    payload = pickle.dumps(array, protocol=2)
    old = payload.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    assert old != payload
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    loaded = annotations._load_npy(header.getvalue() + old)
    assert loaded[0]["class"] == "chair" and loaded[0]["height"] == 350


def npy_pickle(npz_bytes: bytes) -> bytes:
    """The pickle inside an .npz's annotations.npy, after numpy's header."""
    stream = io.BytesIO(zipfile.ZipFile(io.BytesIO(npz_bytes)).read("annotations.npy"))
    assert np.lib.format.read_magic(stream) == (1, 0)
    np.lib.format.read_array_header_1_0(stream)
    return stream.read()


def pickle_modules(payload: bytes) -> tuple[int, set[str]]:
    """The pickle's protocol and the modules its GLOBAL opcodes name (protocols <= 3 name them so)."""
    ops = list(pickletools.genops(payload))
    assert ops[0][0].name == "PROTO"
    return ops[0][1], {arg.split(" ")[0] for op, arg, _ in ops if op.name == "GLOBAL"}


def numpy1_objects():
    """Two objects; numpy 1.26.4 and 1.24.4 wrote them as NUMPY1_NPZ (np.savez, the same code there)."""
    def one(cad_index, bbox):
        return {"azimuth": 1.0, "elevation": np.float64(0.2), "distance": 9.5, "principal": np.array([210.0, 170.5]),
                "height": np.uint16(350), "bbox": bbox, "class": "chair", "cad_index": cad_index,
                "object_status": "status_good"}
    return [one(3, np.array([10.0, 20.0, 300.0, 310.0])), one(1, np.array([1, 2, 3, 4], dtype=np.int32))]


NUMPY1_NPZ = base64.b64decode(
    "UEsDBC0AAAAAAAAAIQBrkZC3//////////8PABQAYW5ub3RhdGlvbnMubnB5AQAQANADAAAAAAAA0AMAAAAAAACTTlVNUFkBAHYA"
    "eydkZXNjcic6ICd8TycsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAg"
    "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCoADY251bXB5LmNvcmUubXVsdGlhcnJheQpfcmVjb25z"
    "dHJ1Y3QKcQBjbnVtcHkKbmRhcnJheQpxAUsAhXECQwFicQOHcQRScQUoSwFLAoVxBmNudW1weQpkdHlwZQpxB1gCAAAATzhxCImI"
    "h3EJUnEKKEsDWAEAAAB8cQtOTk5K/////0r/////Sz90cQxiiV1xDSh9cQ4oWAcAAABhemltdXRocQ9HP/AAAAAAAABYCQAAAGVs"
    "ZXZhdGlvbnEQY251bXB5LmNvcmUubXVsdGlhcnJheQpzY2FsYXIKcRFoB1gCAAAAZjhxEomIh3ETUnEUKEsDWAEAAAA8cRVOTk5K"
    "/////0r/////SwB0cRZiQwiamZmZmZnJP3EXhnEYUnEZWAgAAABkaXN0YW5jZXEaR0AjAAAAAAAAWAkAAABwcmluY2lwYWxxG2gA"
    "aAFLAIVxHGgDh3EdUnEeKEsBSwKFcR9oFIlDEAAAAAAAQGpAAAAAAABQZUBxIHRxIWJYBgAAAGhlaWdodHEiaBFoB1gCAAAAdTJx"
    "I4mIh3EkUnElKEsDaBVOTk5K/////0r/////SwB0cSZiQwJeAXEnhnEoUnEpWAQAAABiYm94cSpoAGgBSwCFcStoA4dxLFJxLShL"
    "AUsEhXEuaBSJQyAAAAAAAAAkQAAAAAAAADRAAAAAAADAckAAAAAAAGBzQHEvdHEwYlgFAAAAY2xhc3NxMVgFAAAAY2hhaXJxMlgJ"
    "AAAAY2FkX2luZGV4cTNLA1gNAAAAb2JqZWN0X3N0YXR1c3E0WAsAAABzdGF0dXNfZ29vZHE1dX1xNihoD0c/8AAAAAAAAGgQaBFo"
    "FEMImpmZmZmZyT9xN4ZxOFJxOWgaR0AjAAAAAAAAaBtoAGgBSwCFcTpoA4dxO1JxPChLAUsChXE9aBSJQxAAAAAAAEBqQAAAAAAA"
    "UGVAcT50cT9iaCJoEWglQwJeAXFAhnFBUnFCaCpoAGgBSwCFcUNoA4dxRFJxRShLAUsEhXFGaAdYAgAAAGk0cUeJiIdxSFJxSShL"
    "A2gVTk5OSv////9K/////0sAdHFKYolDEAEAAAACAAAAAwAAAAQAAABxS3RxTGJoMWgyaDNLAWg0aDV1ZXRxTWIuUEsBAi0DLQAA"
    "AAAAAAAhAGuRkLfQAwAA0AMAAA8AAAAAAAAAAAAAAIABAAAAAGFubm90YXRpb25zLm5weVBLBQYAAAAAAQABAD0AAAARBAAAAAA=")


def test_the_writer_writes_what_numpy1_writes():
    data = imagenet3d.annotation_bytes(numpy1_objects())
    assert npy_pickle(data) == npy_pickle(NUMPY1_NPZ)   # header and pickle, byte for byte
    protocol, modules = pickle_modules(npy_pickle(data))
    assert protocol == 3 and modules == {"numpy", "numpy.core.multiarray"}
    (ours,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    (theirs,) = zipfile.ZipFile(io.BytesIO(NUMPY1_NPZ)).infolist()
    assert (ours.filename, ours.compress_type, ours.date_time) == (theirs.filename, theirs.compress_type,
                                                                     theirs.date_time)


def test_both_numpy_flavours_read_the_same(tmp_path):
    """numpy 1.x files (the release's, and the writer's) and numpy 2.x files (np.savez here) read alike."""
    objects = [good_object(), good_object(cad_index=1, object_status="status_bad", bbox=np.array([1, 2, 3, 4]))]
    old, new = tmp_path / "numpy1.npz", tmp_path / "numpy2.npz"
    old.write_bytes(imagenet3d.annotation_bytes(objects))
    new.write_bytes(npz(objects))
    assert pickle_modules(npy_pickle(old.read_bytes()))[1] == {"numpy", "numpy.core.multiarray"}
    new_pickle = npy_pickle(new.read_bytes())
    assert pickle_modules(new_pickle)[0] >= 4 and b"numpy._core" in new_pickle and b"numpy.core" not in new_pickle
    assert imagenet3d.read_annotations(old) == imagenet3d.read_annotations(new)
    assert imagenet3d.read_annotations(NUMPY1_NPZ)[1]["bbox"] == [1.0, 2.0, 3.0, 4.0]
    # numpy 2 itself loads numpy 1.x pickles without a warning (numpy.core keeps the names pickles use).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = np.load(old, allow_pickle=True)["annotations"]
    assert [obj["cad_index"] for obj in loaded] == [3, 1] and loaded[1]["bbox"].dtype.kind == "i"


def test_only_global_opcodes_are_renamed():
    """The writer renames numpy._core in GLOBAL opcodes only: a value that spells it stays as it is."""
    text = "numpy._core.multiarray\n_reconstruct\n"
    data = imagenet3d.annotation_bytes([good_object(note=text, extra=np.array([text]))])
    (raw,) = annotations._load_annotation_array(data)
    assert raw["note"] == text and raw["extra"][0] == text
    assert "numpy._core.multiarray" not in pickle_modules(npy_pickle(data))[1]


def test_every_quirk_is_normalised_and_nothing_is_dropped():
    no_pose = good_object()
    for key in ("azimuth", "elevation", "theta", "distance", "px", "py", "principal"):
        del no_pose[key]
    no_status = good_object()
    del no_status["object_status"]
    no_viewport = good_object()
    del no_viewport["viewport"], no_viewport["focal"]
    objects = imagenet3d.read_annotations(npz([
        no_pose,
        no_status,
        good_object(distance=0.0),
        good_object(distance=-1.0),
        good_object(azimuth=-0.5, elevation=-0.1, theta=-3.0),
        good_object(azimuth=7.0),
        good_object(bbox=np.array([1, 2, 3, 4], dtype=np.int32)),
        good_object(object_status="status_bad", dense="dense_yes"),
        good_object(object_status="status_barely"),
        good_object(ignore=1),
        good_object(azimuth=float("nan")),
        good_object(height=350, width=np.int64(420), annotator="someone"),
        no_viewport,
        good_object(bbox=np.array([1.0, 2.0])),
    ]))
    assert len(objects) == 14
    usable = [o["usable"] for o in objects]
    assert usable == [False, False, False, False, True, True, True, False, True, False, False, True, True, False]
    assert "missing pose keys" in objects[0]["unusable_reasons"][0] and objects[0]["azimuth"] is None
    assert objects[0]["bbox"] == [10.0, 20.0, 300.0, 310.0]  # what survives is kept
    assert objects[1]["unusable_reasons"] == ["missing object_status"] and objects[1]["object_status"] is None
    assert objects[2]["unusable_reasons"] == ["distance <= 0"]
    assert objects[3]["distance"] == -1.0
    signed = objects[4]
    assert signed["azimuth"] == pytest.approx(2 * math.pi - 0.5)
    assert signed["elevation"] == pytest.approx(2 * math.pi - 0.1)
    assert signed["theta"] == pytest.approx(2 * math.pi - 3.0)
    assert objects[5]["azimuth"] == pytest.approx(7.0 - 2 * math.pi)
    assert objects[6]["bbox"] == [1.0, 2.0, 3.0, 4.0] and type(objects[6]["bbox"][0]) is float
    assert objects[7]["unusable_reasons"] == ["object_status is status_bad"] and objects[7]["dense"] == "dense_yes"
    assert objects[9]["unusable_reasons"] == ["ignore flag set"]
    assert objects[10]["unusable_reasons"] == ["non-finite pose value"]
    assert objects[11]["width"] == 420 and type(objects[11]["width"]) is int
    assert objects[12]["viewport"] == 3000 and objects[12]["focal"] == 1.0
    assert objects[13]["unusable_reasons"] == ["malformed bbox"] and objects[13]["bbox"] is None
    for obj in objects:
        for key in ("azimuth", "elevation", "theta"):
            assert obj[key] is None or math.isnan(obj[key]) or 0 <= obj[key] < 2 * math.pi


@pytest.mark.parametrize("data, message", [
    (b"", "bad zip"),
    (b"not a zip at all", "bad zip"),
    (npz([good_object()])[:100], "bad zip"),
    (npz([], other=np.zeros(2)), "annotations"),  # zero objects is legal, see below
])
def test_malformed_files_get_a_clear_error(data, message):
    if message == "annotations":
        assert imagenet3d.read_annotations(data) == []
        return
    with pytest.raises(AnnotationError, match=message):
        imagenet3d.read_annotations(data)


def test_structural_errors():
    buffer = io.BytesIO()
    np.savez(buffer, boxes=np.zeros(4))
    with pytest.raises(AnnotationError, match="no 'annotations' array"):
        imagenet3d.read_annotations(buffer.getvalue())
    with pytest.raises(AnnotationError, match="not a dict"):
        imagenet3d.read_annotations(npz(["a string"]))
    buffer = io.BytesIO()
    np.savez(buffer, annotations=np.zeros(3))   # numbers, not an object array: refused before it is expanded
    with pytest.raises(AnnotationError):
        annotations._load_annotation_array(buffer.getvalue())
    # A corrupt pickle inside a valid zip.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
        archive.writestr("annotations.npy", header.getvalue() + b"\x80\x03garbage")
    with pytest.raises(AnnotationError, match="malformed annotation pickle"):
        imagenet3d.read_annotations(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("annotations.npy", b"\x93NUMPY garbage header")
    with pytest.raises(AnnotationError, match="header"):
        imagenet3d.read_annotations(buffer.getvalue())


# --- What a file can make the reader allocate (issue 14): bounded by its size -----------------------------

import pickle  # noqa: E402
import struct  # noqa: E402
import tracemalloc  # noqa: E402

from _imagenet3d import safe_unpickle  # noqa: E402

MiB = 1024 * 1024


def npz_of_pickle(payload: bytes, compression: int = zipfile.ZIP_STORED) -> bytes:
    """An .npz whose annotations.npy is numpy's object-array header followed by ``payload``."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("annotations.npy", header.getvalue() + payload)
    return buffer.getvalue()


def refused_within(data: bytes, match: str, limit: int = 50 * MiB) -> None:
    """``data`` is refused with an AnnotationError naming ``match``, allocating under ``limit`` on the way."""
    tracemalloc.start()
    try:
        with pytest.raises(AnnotationError, match=match):
            imagenet3d.read_annotations(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"allocated {peak} bytes before refusing a {len(data)}-byte file"


def long1(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "little")
    return b"\x8a" + bytes([len(raw)]) + raw


def with_shape(payload: bytes, old: tuple[int, ...], new_shape: bytes) -> bytes:
    """``payload`` (a numpy array pickle) with its state's shape ``old`` replaced by ``new_shape`` opcodes."""
    spelled = b"K\x01" + b"".join(b"K" + bytes([n]) for n in old) + b"\x85"
    assert payload.count(spelled) == 1
    return payload.replace(spelled, b"K\x01" + new_shape + b"\x85")


@pytest.mark.parametrize("size", [2**31, 2**40])
def test_a_200_byte_file_asking_for_a_huge_bytearray_is_refused_without_allocating(size):
    payload = b"\x80\x02cbuiltins\nbytearray\n" + long1(size) + b"\x85R."
    data = npz_of_pickle(payload)
    assert len(data) < 300
    refused_within(data, "builtins.bytearray")


@pytest.mark.parametrize("name", ["bytearray", "set", "frozenset", "complex", "eval", "getattr"])
def test_only_the_globals_honest_pickles_name_are_admitted(name):
    with pytest.raises(UnsafePickleError, match=f"builtins.{name}"):
        imagenet3d.read_annotations(npz_of_pickle(f"\x80\x02cbuiltins\n{name}\n)R.".encode("latin1")))
    for module, attr in [("collections", "OrderedDict"), ("numpy.dtypes", "Float64DType"), ("numpy", "zeros")]:
        with pytest.raises(UnsafePickleError, match=f"{module}.{attr}"):
            imagenet3d.read_annotations(npz_of_pickle(f"\x80\x02c{module}\n{attr}\n)R.".encode("latin1")))


@pytest.mark.parametrize("size", [2**31, 2**40])
def test_an_array_with_a_huge_shape_is_refused_without_allocating(size):
    payload = with_shape(pickle.dumps(np.zeros(1), protocol=3), (1,), long1(size))
    refused_within(npz_of_pickle(payload), "allocation bound")
    objects = with_shape(pickle.dumps(np.array([None], dtype=object), protocol=3), (1,), long1(size))
    refused_within(npz_of_pickle(objects), "allocation bound")


def test_array_states_numpy_does_not_write_are_refused():
    # numpy itself crashes (segfault) on an object array whose list is shorter than its shape.
    short = with_shape(pickle.dumps(np.array([None], dtype=object), protocol=3), (1,), b"K\x03")
    refused_within(npz_of_pickle(short), "without 3 items")
    truncated = with_shape(pickle.dumps(np.zeros(1), protocol=3), (1,), b"K\x02")
    refused_within(npz_of_pickle(truncated), "without its 16 bytes")
    big_reconstruct = pickle.dumps(np.zeros(1), protocol=3).replace(b"K\x00\x85", long1(2**40) + b"\x85", 1)
    refused_within(npz_of_pickle(big_reconstruct), "reconstruction that numpy does not write")
    direct = b"\x80\x02cnumpy\nndarray\n" + long1(2**40) + b"\x85\x85R."
    refused_within(npz_of_pickle(direct), "numpy.ndarray directly")
    void = pickle.dumps(np.zeros(1), protocol=3).replace(b"X\x02\x00\x00\x00f8", b"X\x0b\x00\x00\x00V2147483647")
    refused_within(npz_of_pickle(void), "dtype 'V2147483647'")
    odd_state = pickle.dumps(np.zeros(1), protocol=3).replace(b"J\xff\xff\xff\xffJ\xff\xff\xff\xff",
                                                              b"J\xff\xff\xff\x7fJ\xff\xff\xff\xff")
    refused_within(npz_of_pickle(odd_state), "unexpected state for dtype")


def test_pickle_machinery_cannot_be_made_to_allocate():
    # CPython sizes its memo by the largest index and allocates a declared BINBYTES length before reading.
    refused_within(npz_of_pickle(b"\x80\x02Nr\x00\x00\x00\x40."), "memo index")
    refused_within(npz_of_pickle(b"\x80\x03B" + struct.pack("<I", 2**31 - 1) + b"ab."), "malformed annotation pickle")
    refused_within(npz_of_pickle(b"\x80\x04\x8e" + struct.pack("<Q", 2**40) + b"ab."), "malformed annotation pickle")


def test_a_deflate_bomb_member_is_refused_before_inflating():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("annotations.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            for _ in range(256):
                member.write(bytes(MiB))
    data = buffer.getvalue()
    assert len(data) < 512 * 1024
    refused_within(data, "too large")


def padded_npz(member_size: int) -> bytes:
    """A deflated honest file whose member is padded with zeros (after the pickle's STOP) to ``member_size``."""
    honest = zipfile.ZipFile(io.BytesIO(npz([good_object()]))).read("annotations.npy")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("annotations.npy", honest + bytes(member_size - len(honest)))
    return buffer.getvalue()


def test_a_member_exactly_at_the_inflation_bound_is_read_and_one_byte_over_is_refused():
    size = 2 * MiB
    for _ in range(20):  # the bound depends on the compressed size, which depends on the member's size
        data = padded_npz(size)
        if safe_unpickle.allocation_budget(len(data)) == size:
            break
        size = safe_unpickle.allocation_budget(len(data))
    assert safe_unpickle.allocation_budget(len(data)) == size
    assert len(imagenet3d.read_annotations(data)) == 1
    over = padded_npz(size + 1)
    assert safe_unpickle.allocation_budget(len(over)) == size  # same archive size, one byte more inflated
    with pytest.raises(AnnotationError, match="too large"):
        imagenet3d.read_annotations(over)


@pytest.mark.parametrize("flavour", ["numpy1", "numpy2"])
def test_an_honest_file_exactly_at_the_allocation_bound_is_read_and_one_byte_less_refuses_it(flavour, monkeypatch):
    objects = [good_object(), good_object(bbox=np.array([1, 2, 3, 4]), extra=np.array(["text"]))]
    data = imagenet3d.annotation_bytes(objects) if flavour == "numpy1" else npz(objects)
    payload = npy_pickle(data)
    budget = safe_unpickle._Budget(10**9)
    safe_unpickle._RestrictedUnpickler(io.BytesIO(payload), budget).load()
    assert 0 < budget.used < len(payload)  # honest files ask for less than their own size
    monkeypatch.setattr(safe_unpickle, "allocation_budget", lambda n: budget.used)
    assert len(imagenet3d.read_annotations(data)) == 2
    monkeypatch.setattr(safe_unpickle, "allocation_budget", lambda n: budget.used - 1)
    with pytest.raises(UnsafePickleError, match="allocation bound"):
        imagenet3d.read_annotations(data)


def test_arrays_read_back_as_plain_numpy_arrays():
    (raw,) = annotations._load_annotation_array(npz([good_object(extra=[np.zeros(2), (np.ones(1),)])]))
    assert type(raw["bbox"]) is np.ndarray and type(raw["principal"]) is np.ndarray
    assert type(raw["extra"][0]) is np.ndarray and type(raw["extra"][1][0]) is np.ndarray
    assert type(raw["height"]) is np.uint16 and raw["height"] == 350


@pytest.mark.parametrize("declared", [100, 4 * MiB])
def test_a_deflate_bomb_with_a_lying_size_is_refused_before_inflating(declared):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("annotations.npy", bytes(200 * MiB))
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, 22, declared)  # the local header's uncompressed size
    struct.pack_into("<I", data, data.rfind(b"PK\x01\x02") + 24, declared)  # and the central directory's
    assert safe_unpickle.allocation_budget(len(data)) > declared
    refused_within(bytes(data), "corrupt .npz member|inflates past")
