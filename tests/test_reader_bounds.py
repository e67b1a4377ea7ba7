"""Every reader of outside bytes is bounded in memory and time per input: each bound tested AT the bound
(read) and one unit past it (refused with one line, or a quarantine entry with its reason code), with
crafted inputs built sparsely (``truncate``) or from repeated pieces, so the whole module takes seconds.

The annotation (.npz) and OFF readers' own bounds are tested in tests/test_read_annotations.py and
tests/test_hostile_cad.py; here, the release files that hold them are bounded by their folder's size.
"""

from __future__ import annotations

import json
import os
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

import imagenet3d
from _imagenet3d.errors import Imagenet3DError, PredictionError, SourceError
from _imagenet3d.reasons import QuarantineReason
from conversion import inputs, validate
from conversion import source as source_module
from conversion.source import MAX_ENTRY_BYTES, ReleaseSource, UnreadableEntry
from viewer_app import predictions as viewer_predictions

MiB = 1024 * 1024
IMAGE = "images/bed/n1_1.JPEG"
ANNOTATION = "annotations/bed/n1_1.npz"
LIST = "lists/bed_imagenet_train.txt"


def _release_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in {LIST: b"n1_1\n", ANNOTATION: b"x", **members}.items():
            archive.writestr(f"imagenet3d_v1/{name}", data, compresslevel=1)
    return path


def _release_folder(root: Path) -> Path:
    for relpath, data in {LIST: b"n1_1\n", ANNOTATION: b"x", IMAGE: b"\xff\xd8"}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    return root


def _sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


# -- zip entries (conversion/source.py) --------------------------------------------------------------


def _zeros_stream(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros in about a KB per MiB: one flushed MiB block repeated."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeeze.compress(bytes(MiB)) + squeeze.flush(zlib.Z_FULL_FLUSH)
    return block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def _zip_with_stream(path: Path, stream: bytes, declared: int, crc: int) -> Path:
    """A release zip whose IMAGE entry holds the deflate ``stream``, declaring ``declared`` bytes and ``crc``."""
    release = _release_zip(path, {IMAGE: b"placeholder"}, zipfile.ZIP_DEFLATED)
    data = bytearray(release.read_bytes())
    name = f"imagenet3d_v1/{IMAGE}".encode()
    local = data.find(name) - 30   # the member is the last one written
    old_size = struct.unpack_from("<L", data, local + 18)[0]
    data[local + 30 + len(name):local + 30 + len(name) + old_size] = stream
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    for header in (local + 14, central + 16):   # CRC, compressed and uncompressed sizes, in both headers
        struct.pack_into("<LLL", data, header, crc, len(stream), declared)
    end = data.rfind(b"PK\x05\x06")   # the central directory moved by the member's growth
    struct.pack_into("<L", data, end + 16, struct.unpack_from("<L", data, end + 16)[0] + len(stream) - old_size)
    release.write_bytes(bytes(data))
    return release


def test_a_zip_entry_at_its_folders_bound_is_read_and_one_byte_over_is_refused_before_inflating(tmp_path):
    limit = MAX_ENTRY_BYTES["images"]
    at = _zip_with_stream(tmp_path / "at.zip", _zeros_stream(limit // MiB), limit, zlib.crc32(bytes(limit)))
    assert ReleaseSource(at).read(IMAGE) == bytes(limit)
    over = _zip_with_stream(tmp_path / "over.zip", _zeros_stream(limit // MiB), limit + 1, 0)
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableEntry) as refused:
            ReleaseSource(over).read(IMAGE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.reason.code is QuarantineReason.ENTRY_TOO_LARGE
    assert f"declared size {limit + 1} bytes" in str(refused.value) and "\n" not in str(refused.value)
    assert peak < 4 * MiB, peak   # refused from the directory: nothing inflated


def test_an_entry_inflating_past_what_it_declares_is_cut_at_its_declared_size(tmp_path):
    release = _zip_with_stream(tmp_path / "r.zip", _zeros_stream(1024), 102, zlib.crc32(bytes(102)) ^ 1)
    source = ReleaseSource(release)   # 1 GiB inflated, declared as 102 bytes (with a CRC that fails)
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableEntry) as refused:
            source.read(IMAGE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.reason.code is QuarantineReason.UNREADABLE_ENTRY and "CRC" in str(refused.value)
    assert peak < 4 * MiB, peak   # a plain ZipFile.read inflates the whole GiB before checking
    honest = _zip_with_stream(tmp_path / "h.zip", _zeros_stream(1024), 102, zlib.crc32(bytes(102)))
    assert ReleaseSource(honest).read(IMAGE) == bytes(102)   # the first 102 bytes, never more


def test_a_central_directory_over_its_bound_is_refused_before_zipfile_reads_it(tmp_path):
    limit = source_module.MAX_CENTRAL_DIRECTORY_BYTES
    # Exactly at the bound: 1024 headers whose comments fill it to the byte.
    header = struct.Struct("<4s4B4HL2L5H2L")
    comment = (limit - 1024 * (header.size + 1)) // 1024
    last = limit - 1023 * (header.size + 1 + comment) - header.size - 1

    def entry(length: int) -> bytes:
        return header.pack(b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, length, 0, 0, 0, 0) + b"a" + (
            b" " * length)

    directory = entry(comment) * 1023 + entry(last)
    assert len(directory) == limit
    at_bound = tmp_path / "at.zip"
    at_bound.write_bytes(directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1024, 1024, limit, 0, 0))
    source_module._check_central_directory(at_bound)   # passes; zipfile may then parse it
    over = tmp_path / "over.zip"   # 22 bytes declaring one byte more: refused unread
    over.write_bytes(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, limit + 1, 0, 0))
    with pytest.raises(SourceError, match=f"over the bound of .* in {limit} bytes"):
        ReleaseSource(over)
    zip64 = tmp_path / "zip64.zip"   # the zip64 record's size is the one read
    zip64.write_bytes(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, 2**40, 0)
                      + struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)
                      + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    with pytest.raises(SourceError, match="1099511627776 bytes"):
        ReleaseSource(zip64)


def test_entries_are_counted_header_by_header_whatever_the_zip_declares(tmp_path):
    limit = source_module.MAX_ENTRIES
    header = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
                         0) + b"a"
    for count, refused in ((limit, False), (limit + 1, True)):
        path = tmp_path / f"{count}.zip"   # declares one entry, holds `count`
        path.write_bytes(header * count + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(header) * count,
                                                      0, 0))
        if refused:
            with pytest.raises(SourceError, match=f"more than {limit} entries \\(it declares 1\\)"):
                source_module._check_central_directory(path)
        else:
            source_module._check_central_directory(path)


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")   # zipfile warns while writing the crafted zip
def test_a_name_given_to_several_zip_entries_is_read_once_and_quarantined(tmp_path):
    path = tmp_path / "r.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in ((LIST, b"n1_1\n"), (ANNOTATION, b"x"), (IMAGE, b"first"), (IMAGE, b"second")):
            archive.writestr(f"imagenet3d_v1/{name}", data)
    source = ReleaseSource(path)
    assert [e.relpath for e in source.entries].count(IMAGE) == 1 and source.read(IMAGE) == b"second"
    problems = validate.plan_candidates(source)[1]
    assert [(p["path"], p["reason"].code) for p in problems] == [(IMAGE, QuarantineReason.DUPLICATE_ZIP_ENTRY)]
    assert problems[0]["reason"] == QuarantineReason.DUPLICATE_ZIP_ENTRY.message(count=2)


def test_a_release_folder_stops_listing_past_the_entry_bound(tmp_path, monkeypatch):
    root = _release_folder(tmp_path / "release")
    monkeypatch.setattr(source_module, "MAX_ENTRIES", 3)   # the walk counts as it goes: 3 files pass
    ReleaseSource(root)
    (root / "lists" / "extra.txt").write_bytes(b"")
    with pytest.raises(SourceError, match="more than 3 files"):
        ReleaseSource(root)


def test_damaged_encrypted_or_exotic_zip_entries_are_one_line_refusals(tmp_path):
    release = _release_zip(tmp_path / "r.zip", {IMAGE: b"\xff\xd8" + bytes(64)})
    data = bytearray(release.read_bytes())
    data[data.find(b"\xff\xd8") + 10] = 1   # a flipped byte: bad CRC
    release.write_bytes(bytes(data))
    with pytest.raises(UnreadableEntry, match="Bad CRC-32"):
        ReleaseSource(release).read(IMAGE)
    for flag, method, says in ((1, 0, "encrypted"), (0, 12, "compression method 12")):
        path = _release_zip(tmp_path / f"{method}.zip", {IMAGE: b"\xff\xd8"})
        data = bytearray(path.read_bytes())
        central = data.rfind(b"PK\x01\x02", 0, data.rfind(f"imagenet3d_v1/{IMAGE}".encode()))
        struct.pack_into("<HH", data, central + 8, flag, method)
        path.write_bytes(bytes(data))
        with pytest.raises(UnreadableEntry, match=says) as refused:
            ReleaseSource(path).read(IMAGE)
        assert refused.value.reason.code is QuarantineReason.UNREADABLE_ENTRY


def test_a_folder_file_at_its_bound_is_read_and_one_byte_over_is_refused_unread(tmp_path):
    root = _release_folder(tmp_path / "release")
    limit = MAX_ENTRY_BYTES["CAD"]   # bounds read_off's input: its memory and time are linear in it
    _sparse(root / "CAD/bed/01.off", limit)
    _sparse(root / "CAD/bed/02.off", limit + 1)
    source = ReleaseSource(root)
    assert len(source.read("CAD/bed/01.off")) == limit
    with pytest.raises(UnreadableEntry, match=f"file size {limit + 1} bytes is over the {limit}-byte bound "
                                              "for a file in CAD/"):
        source.read("CAD/bed/02.off")


def test_a_cad_model_over_its_bound_is_quarantined_by_the_converter_unread(tmp_path):
    from conversion import derived_configs

    root = _release_folder(tmp_path / "release")
    _sparse(root / "CAD/bed/01.off", MAX_ENTRY_BYTES["CAD"] + 1)
    before = list(derived_configs._WORKER_SOURCE)
    derived_configs._set_source(ReleaseSource(root))
    try:
        reason = derived_configs._cad_row(("bed", 1))
    finally:
        derived_configs._WORKER_SOURCE[:] = before
    assert reason.code is QuarantineReason.BAD_CAD and "over the" in reason and "\n" not in reason


def test_a_fifo_or_a_broken_link_in_a_folder_is_refused_without_waiting(tmp_path):
    root = _release_folder(tmp_path / "release")
    os.mkfifo(root / "images/bed/n1_2.JPEG")   # opening it for reading would wait for a writer
    (root / "images/bed/n1_3.JPEG").symlink_to(root / "nowhere")
    source = ReleaseSource(root)
    with pytest.raises(UnreadableEntry, match="not a regular file"):
        source.read("images/bed/n1_2.JPEG")
    with pytest.raises(UnreadableEntry, match="No such file") as refused:
        source.read("images/bed/n1_3.JPEG")
    assert refused.value.reason.code is QuarantineReason.UNREADABLE_ENTRY


def test_the_converter_quarantines_what_the_source_refuses(tmp_path):
    root = _release_folder(tmp_path / "release")
    _sparse(root / LIST, MAX_ENTRY_BYTES["lists"] + 1)
    _sparse(root / "lists/car_imagenet_val.txt", 0)
    source = ReleaseSource(root)
    problems = validate.plan_candidates(source)[1]
    assert [(p["path"], p["reason"].code) for p in problems] == [(LIST, QuarantineReason.ENTRY_TOO_LARGE),
                                                                 (ANNOTATION, QuarantineReason.NOT_LISTED),
                                                                 (IMAGE, QuarantineReason.NOT_LISTED)]
    _sparse(root / IMAGE, MAX_ENTRY_BYTES["images"] + 1)
    candidate = validate.Candidate("bed", "n1_1", "train")
    with pytest.raises(validate.BadInput) as refused:
        validate.build_record(source, candidate, set(), {})
    assert refused.value.path == IMAGE and refused.value.reason.code is QuarantineReason.ENTRY_TOO_LARGE


def test_a_list_at_its_bound_is_read_and_the_lists_together_name_at_most_max_entries_images(tmp_path, monkeypatch):
    root = _release_folder(tmp_path / "release")
    (root / LIST).write_bytes(b"n1_1\n".ljust(MAX_ENTRY_BYTES["lists"], b" "))
    candidates, problems = validate.plan_candidates(ReleaseSource(root))
    assert [c.image_id for c in candidates] == ["bed/n1_1"] and problems == []
    monkeypatch.setattr(source_module, "MAX_ENTRIES", 4)   # a release holds twice as many files as it lists images
    (root / LIST).write_bytes(b"n1_1 n1_2 n1_3\n")
    (root / "lists/car_imagenet_val.txt").write_bytes(b"n1_4\n")
    validate.plan_candidates(ReleaseSource(root))   # 4 images named: at the bound
    (root / "lists/car_imagenet_val.txt").write_bytes(b"n1_4 n1_5\n")
    with pytest.raises(SourceError, match="the split lists name more than 4 images"):
        validate.plan_candidates(ReleaseSource(root))


def test_a_synthetic_marker_nested_past_the_recursion_limit_still_marks_the_release(tmp_path):
    root = _release_folder(tmp_path / "release")
    (root / "SYNTHETIC_RELEASE.json").write_bytes(b"[" * MAX_ENTRY_BYTES[""])
    assert ReleaseSource(root).synthetic == {}
    (root / "SYNTHETIC_RELEASE.json").write_bytes(b"{}".ljust(MAX_ENTRY_BYTES[""] + 1))
    assert ReleaseSource(root).synthetic == {}   # over its bound: unread, still marked


# -- JPEG / PNG headers: tests/test_image_headers.py --------------------------------------------------


# -- captions and category descriptions (conversion/inputs.py) --------------------------------------


def _padded_line(record: dict, length: int) -> bytes:
    text = json.dumps(record).encode()
    return b" " * (length - len(text)) + text


def test_a_caption_line_at_the_bound_is_read_and_one_byte_longer_is_quarantined_unread(tmp_path):
    limit = inputs.MAX_CAPTION_LINE_BYTES
    path = tmp_path / "captions.jsonl"
    path.write_bytes(b"\n".join([
        _padded_line({"image_id": "bed/n1_1", "caption": "at"}, limit),
        _padded_line({"image_id": "bed/n1_2", "caption": "over"}, limit + 1),
        _padded_line({"image_id": "bed/n1_3", "caption": "far over"}, 3 * limit),
        json.dumps({"image_id": "bed/n1_4", "caption": "after"}).encode()]))
    captions, problems = inputs.load_captions(str(path))
    assert captions == {"bed/n1_1": "at", "bed/n1_4": "after"}
    assert [(p["path"], p["reason"].code) for p in problems] == [
        ("captions.jsonl:2", QuarantineReason.CAPTION_LINE_TOO_LONG),
        ("captions.jsonl:3", QuarantineReason.CAPTION_LINE_TOO_LONG)]


def test_caption_lines_that_are_deep_huge_mistyped_or_not_utf8_are_quarantined(tmp_path):
    path = tmp_path / "captions.jsonl"
    lines = [b"[" * inputs.MAX_CAPTION_LINE_BYTES, b"1" * 5000, b'"just a string"', b'{"image_id": "a"}',
             b'{"image_id": "a", "caption": {"nested": 1}}', b'{"image_id": 7, "caption": "x"}', b'{"\xff": 1}',
             b'{"image_id": "bed/n1_1", "caption": "kept"}']
    path.write_bytes(b"\n".join(lines))
    captions, problems = inputs.load_captions(str(path))
    assert captions == {"bed/n1_1": "kept"}
    assert [p["reason"].code for p in problems] == [QuarantineReason.MALFORMED_CAPTION] * 7
    assert "nesting too deep" in problems[0]["reason"] and "expected a string" in problems[4]["reason"]


def test_a_captions_file_over_its_bound_is_refused_before_reading(tmp_path):
    limit = inputs.MAX_CAPTIONS_BYTES
    at = _sparse(tmp_path / "at.jsonl", limit)   # NUL bytes, one line: read and skipped a line-bound at a time
    captions, problems = inputs.load_captions(str(at))
    assert captions == {} and [p["reason"].code for p in problems] == [QuarantineReason.CAPTION_LINE_TOO_LONG]
    over = _sparse(tmp_path / "over.jsonl", limit + 1)
    with pytest.raises(Imagenet3DError, match=f"captions file is {limit + 1} bytes, over the bound"):
        inputs.load_captions(str(over))


def test_category_descriptions_are_bounded_in_size_and_depth_and_must_be_strings(tmp_path):
    limit = inputs.MAX_DESCRIPTIONS_BYTES
    at = tmp_path / "at.json"
    at.write_bytes(_padded_line({"bed": "a bed"}, limit))
    assert inputs.load_descriptions(str(at)) == {"bed": "a bed"}
    over = _sparse(tmp_path / "over.json", limit + 1)
    with pytest.raises(Imagenet3DError, match="over the bound"):
        inputs.load_descriptions(str(over))
    for name, content, says in (("deep.json", b"[" * 100_000, "nesting too deep"),
                                ("number.json", b"1" * 5000, "not JSON"),
                                ("typed.json", b'{"bed": ["a", "list"]}', "'bed' is a JSON list, expected a string"),
                                ("binary.json", b'{"bed": "\xff"}', "not JSON")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(Imagenet3DError, match=says) as refused:
            inputs.load_descriptions(str(tmp_path / name))
        assert "\n" not in str(refused.value)


# -- predictions files (_imagenet3d/predictions.py, viewer_app/predictions.py) ----------------------


PREDICTION = {"object_id": "bed/n1_1_00", "azimuth": 0.5, "elevation": 0.25, "theta": 0.0}


def test_a_predictions_file_at_the_bound_is_read_and_one_byte_over_is_refused_unread(tmp_path):
    from _imagenet3d.predictions import MAX_PREDICTION_BYTES

    at = tmp_path / "at.jsonl"
    at.write_bytes(_padded_line(PREDICTION, MAX_PREDICTION_BYTES))
    assert imagenet3d.read_predictions(at) == [PREDICTION]
    over = _sparse(tmp_path / "over.jsonl", MAX_PREDICTION_BYTES + 1)
    with pytest.raises(PredictionError, match=f"over the {MAX_PREDICTION_BYTES}-byte bound"):
        imagenet3d.read_predictions(over)


def test_predictions_that_are_deep_or_not_utf8_are_one_line_errors(tmp_path):
    for name, content, says in (("deep.json", b"[" * 200_000, "not readable as JSON"),
                                ("deep.jsonl", b"{}\n" + b"[" * 200_000, "line 2: not readable as JSON"),
                                ("binary.jsonl", b"\xff\xfe{}", "not UTF-8 text")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(PredictionError, match=says) as refused:
            imagenet3d.read_predictions(tmp_path / name)
        assert "\n" not in str(refused.value)


def test_the_viewer_reads_a_predictions_file_at_its_bound_and_refuses_one_byte_more_from_its_size(tmp_path):
    at = tmp_path / "at.jsonl"
    at.write_bytes(_padded_line(PREDICTION, viewer_predictions.MAX_BYTES))
    assert viewer_predictions._read_local(str(at)) == [PREDICTION]
    over = _sparse(tmp_path / "over.jsonl", viewer_predictions.MAX_BYTES + 1)
    with pytest.raises(Imagenet3DError, match="more than the viewer reads"):
        viewer_predictions._read_local(str(over))
