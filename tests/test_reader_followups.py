"""Follow-ups to tests/test_reader_bounds.py: a caption given twice, symbolic links in a folder release,
an image given by path (not bytes) to the training decoder, which gets the checks bytes get; a file of
bad lines (captions, a split list) quarantined in bounded memory; a numeric annotation array refused
before it is expanded; the disk's own errors raised, not quarantined; captions or descriptions that
are a folder or a FIFO refused in one line."""

from __future__ import annotations

import errno
import io
import json
import os
import pickle
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from _imagenet3d.annotations import read_annotations
from _imagenet3d.decoding import DecodeImages, checked_image_path
from _imagenet3d.errors import AnnotationError, Imagenet3DError, SourceError
from _imagenet3d.pixels import MAX_HEADER_BYTES, ImageHeaderTooLong, ImageTooLarge
from _imagenet3d.reasons import QuarantineReason
from conversion import inputs, validate
from conversion import source as source_module
from conversion.source import ReleaseSource, UnreadableEntry

IMAGE = "images/bed/n1_1.JPEG"
ANNOTATION = "annotations/bed/n1_1.npz"
LIST = "lists/bed_imagenet_train.txt"


def _release_folder(root: Path) -> Path:
    for relpath, data in {LIST: b"n1_1\n", ANNOTATION: b"x", IMAGE: b"\xff\xd8"}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    return root


# -- a caption given twice (conversion/inputs.py load_captions) ----------------------------------


def test_a_caption_given_again_replaces_the_earlier_one_which_is_quarantined_with_its_line(tmp_path):
    path = tmp_path / "captions.jsonl"
    records = [("bed/n1_1", "first"), ("bed/n1_2", "other"), ("bed/n1_1", "second"), ("bed/n1_1", "third")]
    path.write_text("\n".join(json.dumps({"image_id": i, "caption": c}) for i, c in records)
                    + '\n{"image_id": "bed/n1_1"}\n')   # a malformed line replaces nothing
    captions, problems = inputs.load_captions(str(path))
    assert captions == {"bed/n1_1": "third", "bed/n1_2": "other"}   # the last, as for zip entries
    assert [(p["path"], p["reason"].code) for p in problems] == [
        ("captions.jsonl:1", QuarantineReason.DUPLICATE_CAPTION),
        ("captions.jsonl:3", QuarantineReason.DUPLICATE_CAPTION),
        ("captions.jsonl:5", QuarantineReason.MALFORMED_CAPTION)]
    assert problems[0]["reason"] == QuarantineReason.DUPLICATE_CAPTION.message(image_id="bed/n1_1", line=3)


# -- symbolic links in a folder release (conversion/source.py) -------------------------------------


def test_links_out_of_the_release_or_to_folders_are_quarantined_unread_and_loops_do_not_hang(tmp_path):
    root = _release_folder(tmp_path / "release")
    secret = tmp_path / "secret.JPEG"
    secret.write_bytes(b"\xff\xd8 not for the dataset")
    (root / "images/bed/n1_2.JPEG").symlink_to(secret)                         # outside: refused
    (root / "images/bed/n1_3.JPEG").symlink_to("../../../secret.JPEG")          # outside, relative
    (root / "images/bed/n1_4.JPEG").symlink_to("n1_1.JPEG")                     # inside: read as that file
    (root / "images/loop").symlink_to(root / "images")                          # a folder link that loops
    (root / "images/car").symlink_to(tmp_path)                                  # a folder outside
    (root / "images/bed/n1_5.JPEG").symlink_to("n1_6.JPEG")                     # a loop of two links
    (root / "images/bed/n1_6.JPEG").symlink_to("n1_5.JPEG")
    source = ReleaseSource(root)
    assert [(path, reason.code) for path, reason in source.refused_links] == [
        ("images/bed/n1_2.JPEG", QuarantineReason.LINK_NOT_FOLLOWED),
        ("images/bed/n1_3.JPEG", QuarantineReason.LINK_NOT_FOLLOWED),
        ("images/car", QuarantineReason.LINK_NOT_FOLLOWED),
        ("images/loop", QuarantineReason.LINK_NOT_FOLLOWED)]
    assert "outside the release" in source.refused_links[0][1] and "to a folder" in source.refused_links[2][1]
    assert sorted(source.by_path) == [ANNOTATION, IMAGE, "images/bed/n1_4.JPEG", "images/bed/n1_5.JPEG",
                                      "images/bed/n1_6.JPEG", LIST]
    assert source.read("images/bed/n1_4.JPEG") == b"\xff\xd8"
    with pytest.raises(UnreadableEntry, match="Too many levels of symbolic links"):
        source.read("images/bed/n1_5.JPEG")
    problems = validate.plan_candidates(source)[1]
    quarantined = {p["path"]: p["reason"].code for p in problems}
    assert all(quarantined[path] is QuarantineReason.LINK_NOT_FOLLOWED for path, _ in source.refused_links)
    assert str(tmp_path) not in json.dumps(problems)   # no build machine paths in quarantine.json


def test_a_release_folder_that_is_a_link_is_not_followed_and_says_so(tmp_path):
    real = _release_folder(tmp_path / "real")
    root = tmp_path / "release"
    root.mkdir()
    for folder in ("annotations", "lists"):
        os.rename(real / folder, root / folder)
    (root / "images").symlink_to(real / "images")
    with pytest.raises(SourceError, match=r"no images/ folder \(images/ is a symbolic link: not followed\)"):
        ReleaseSource(root)
    linked_root = tmp_path / "linked"   # the release's own path may be a link: inside is judged from its target
    linked_root.symlink_to(_release_folder(tmp_path / "plain"))
    (tmp_path / "plain/images/bed/n1_2.JPEG").symlink_to(tmp_path / "plain/images/bed/n1_1.JPEG")
    source = ReleaseSource(linked_root)
    assert source.refused_links == [] and source.read("images/bed/n1_2.JPEG") == b"\xff\xd8"


# -- an image given by path (_imagenet3d/decoding.py) ----------------------------------------------


def _png(width: int, height: int) -> bytes:
    """A grey PNG header declaring ``width`` x ``height`` with a few bytes of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, body: (struct.pack(">I", len(body)) + kind + body   # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + body)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(width + 1))) \
        + chunk(b"IEND", b"")


def test_an_image_given_by_path_is_checked_from_its_header_before_datasets_decodes_it(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)   # as training scripts set it: our bound still holds
    decode = DecodeImages()._decode
    bomb = tmp_path / "bomb.png"   # 10,000 x 10,000: 100 MB of grey if decoded
    bomb.write_bytes(_png(10_000, 10_000))
    with pytest.raises(ImageTooLarge):
        decode({"bytes": None, "path": str(bomb)})
    fill = tmp_path / "fill.jpg"   # Pillow's header walk would crawl these 4 MiB a step at a time (seconds)
    fill.write_bytes(b"\xff\xd8" + b"\xff" * (4 * MAX_HEADER_BYTES))
    with pytest.raises(ImageHeaderTooLong):
        decode({"bytes": None, "path": str(fill)})
    good = tmp_path / "good.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "JPEG")
    good.write_bytes(buffer.getvalue())
    image = decode({"bytes": None, "path": str(good)})
    assert image.size == (40, 30) and image.mode == "RGB"
    assert DecodeImages(size=15)._decode_resized({"bytes": None, "path": str(good)})[0].size == (20, 15)
    gif = tmp_path / "bomb.gif"   # another format: Pillow reads its header, nothing is decoded
    Image.new("L", (1, 1)).save(gif, "GIF")
    data = bytearray(gif.read_bytes())
    struct.pack_into("<HH", data, 6, 10_000, 10_000)
    gif.write_bytes(bytes(data))
    with pytest.raises(ImageTooLarge):
        decode({"bytes": None, "path": str(gif)})
    with zipfile.ZipFile(tmp_path / "images.zip", "w") as archive:
        archive.write(bomb, "bomb.png")
    url = f"zip://bomb.png::{tmp_path / 'images.zip'}"   # a URL (as datasets streams an image folder's archive)
    assert checked_image_path(url)["bytes"] == bomb.read_bytes()   # read as datasets reads it, checked as bytes
    with pytest.raises(ImageTooLarge):
        decode({"bytes": None, "path": url})


# -- a file of bad lines: its first problems listed, the rest counted (conversion/validate.py) --------

_MiB = 1024 * 1024


def _peak(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("line", [b"x\n", b'{"image_id": "bed/n1_1", "caption": "c"}\n'], ids=["malformed", "repeated"])
def test_a_captions_file_of_bad_lines_lists_the_first_problems_then_counts_the_rest(tmp_path, line):
    path = tmp_path / "captions.jsonl"
    size = _MiB // 8 if line == b"x\n" else _MiB   # 65,536 malformed lines (tracemalloc slows them), 26,214 repeats
    path.write_bytes(line * (size // len(line)))
    bad = size // len(line) - (line != b"x\n")     # the last of the repeats is kept, not quarantined
    (_, problems), peak = _peak(lambda: inputs.load_captions(str(path)))
    assert len(problems) == validate.MAX_PROBLEMS_PER_FILE + 1
    assert problems[-1] == {"path": "captions.jsonl", "reason": QuarantineReason.MORE_PROBLEMS.message(
        count=bad - validate.MAX_PROBLEMS_PER_FILE, shown=validate.MAX_PROBLEMS_PER_FILE)}
    assert problems[-1]["reason"].code is QuarantineReason.MORE_PROBLEMS
    assert peak < 2 * _MiB, peak   # was 50 MiB for these malformed lines (one entry each: 398 MiB per MiB)


def test_a_captions_file_at_the_problem_cap_lists_them_all(tmp_path):
    path = tmp_path / "captions.jsonl"
    path.write_bytes(b"x\n" * validate.MAX_PROBLEMS_PER_FILE)
    problems = inputs.load_captions(str(path))[1]
    assert len(problems) == validate.MAX_PROBLEMS_PER_FILE
    assert {p["reason"].code for p in problems} == {QuarantineReason.MALFORMED_CAPTION}
    path.write_bytes(b"x\n" * (validate.MAX_PROBLEMS_PER_FILE + 1))
    problems = inputs.load_captions(str(path))[1]
    assert [p["reason"].code for p in problems[-2:]] == [QuarantineReason.MALFORMED_CAPTION,
                                                         QuarantineReason.MORE_PROBLEMS]


def test_a_list_naming_many_stems_twice_lists_the_first_repeats_then_counts_the_rest(tmp_path):
    root = _release_folder(tmp_path / "release")
    stems = [f"n1_{k}" for k in range(validate.MAX_PROBLEMS_PER_FILE + 500)]
    (root / LIST).write_text("\n".join(stems + stems))
    problems = validate.plan_candidates(ReleaseSource(root))[1]
    in_list = [p["reason"].code for p in problems if p["path"] == LIST]
    assert in_list == [QuarantineReason.LISTED_TWICE] * validate.MAX_PROBLEMS_PER_FILE + [
        QuarantineReason.MORE_PROBLEMS]
    assert problems[[p["path"] for p in problems].index(LIST) + validate.MAX_PROBLEMS_PER_FILE]["reason"] \
        == QuarantineReason.MORE_PROBLEMS.message(count=500, shown=validate.MAX_PROBLEMS_PER_FILE)


# -- a numeric annotation array (_imagenet3d/annotations.py) ----------------------------------------


def _npz(npy: bytes, padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("annotations.npy", npy)
        if padding:   # stored noise, to bring the file (and its allocation bound) to a chosen size
            archive.writestr(zipfile.ZipInfo("padding"), np.random.default_rng(0).bytes(padding))
    return buffer.getvalue()


def _refused_peak(data: bytes) -> int:
    """The memory read_annotations peaks at while refusing ``data``."""
    def refuse() -> None:
        with pytest.raises(AnnotationError):
            read_annotations(data)
    return _peak(refuse)[1]


def test_a_numeric_annotation_array_is_refused_before_it_is_expanded():
    npy = io.BytesIO()
    np.save(npy, np.zeros(15 * _MiB, np.uint8))
    data = _npz(npy.getvalue(), padding=220 * 1024)   # about 256 KiB: the zeros inflate within 64 x size
    assert len(data) <= 256 * 1024 and 15 * _MiB + 128 < 64 * len(data) + _MiB
    peak = _refused_peak(data)
    # The docstring's bound: three times the member's (64 x size + 1 MiB). Was 141 MB (a pointer per byte).
    assert peak < 3 * (64 * len(data) + _MiB), peak


def test_an_object_header_over_a_pickled_numeric_array_is_refused():
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "|O", "fortran_order": False, "shape": (15 * _MiB,)})
    npy.write(pickle.dumps(np.zeros(15 * _MiB, np.uint8), protocol=3))
    data = _npz(npy.getvalue(), padding=220 * 1024)
    peak = _refused_peak(data)
    assert peak < 3 * (64 * len(data) + _MiB), peak   # the pickle's array, never its object view (was 157 MB)


# -- the disk's own errors are raised, the input's quarantined (conversion/source.py) ---------------


def _raising(number):
    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number)) if number is not None else OSError("zipfile's own")
    return fail


@pytest.mark.parametrize("number, quarantined", [(errno.EIO, False), (errno.EMFILE, False), (errno.ENOMEM, False),
                                                 (errno.ENOENT, True), (errno.EACCES, True), (errno.ELOOP, True)],
                         ids=lambda value: errno.errorcode.get(value, "") if not isinstance(value, bool) else "")
def test_a_disk_error_reading_a_folder_release_is_raised_an_input_error_quarantined(tmp_path, monkeypatch, number,
                                                                                     quarantined):
    source = ReleaseSource(_release_folder(tmp_path / "release"))
    monkeypatch.setattr(source_module, "_read_at_most", _raising(number))
    _check_raised_or_quarantined(lambda: source.read(IMAGE), number, quarantined)


def _check_raised_or_quarantined(read, number, quarantined) -> None:
    if quarantined:
        with pytest.raises(UnreadableEntry) as raised:
            read()
        assert raised.value.reason.code is QuarantineReason.UNREADABLE_ENTRY
    else:
        with pytest.raises(OSError) as raised:
            read()
        assert raised.value.errno == number


@pytest.mark.parametrize("number, quarantined", [(errno.EIO, False), (errno.ENOMEM, False), (None, True),
                                                 (errno.EINVAL, True)],
                         ids=["EIO", "ENOMEM", "zipfile-own", "seek-before-start"])
def test_a_disk_error_reading_a_zip_release_is_raised_not_quarantined(tmp_path, monkeypatch, number, quarantined):
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for relpath in (IMAGE, ANNOTATION, LIST):
            archive.writestr(f"imagenet3d_v1/{relpath}", b"a")
    source = ReleaseSource(path)
    monkeypatch.setattr(zipfile.ZipFile, "open", _raising(number))
    _check_raised_or_quarantined(lambda: source.read(IMAGE), number, quarantined)


# -- captions or descriptions that are not a regular file (conversion/inputs.py) ------------------


@pytest.mark.parametrize("read", [inputs.load_captions, inputs.load_descriptions],
                         ids=["captions", "descriptions"])
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_captions_or_descriptions_that_are_not_a_file_are_refused_in_one_line(tmp_path, read, kind):
    path = tmp_path / "input.json"
    if kind == "folder":
        path.mkdir()        # open() raised a raw IsADirectoryError
    else:
        os.mkfifo(path)     # open() waited for a writer forever
    with pytest.raises(Imagenet3DError) as raised:
        read(str(path))
    assert "\n" not in str(raised.value)
