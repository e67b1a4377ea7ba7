"""Follow-ups to tests/test_reader_bounds.py: a caption given twice, symbolic links in a folder release,
and an image given by path (not bytes) to the training decoder, which gets the checks bytes get."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from _imagenet3d.decoding import DecodeImages, checked_image_path
from _imagenet3d.errors import SourceError
from _imagenet3d.pixels import MAX_HEADER_BYTES, ImageHeaderTooLong, ImageTooLarge
from _imagenet3d.reasons import QuarantineReason
from conversion import validate
from conversion.source import ReleaseSource, UnreadableEntry

IMAGE = "images/bed/n1_1.JPEG"
ANNOTATION = "annotations/bed/n1_1.npz"
LIST = "lists/bed_imagenet_train.txt"


def _release_folder(root: Path) -> Path:
    for relpath, data in {LIST: b"n1_1\n", ANNOTATION: b"x", IMAGE: b"\xff\xd8"}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    return root


# -- a caption given twice (conversion/validate.py load_captions) ----------------------------------


def test_a_caption_given_again_replaces_the_earlier_one_which_is_quarantined_with_its_line(tmp_path):
    path = tmp_path / "captions.jsonl"
    records = [("bed/n1_1", "first"), ("bed/n1_2", "other"), ("bed/n1_1", "second"), ("bed/n1_1", "third")]
    path.write_text("\n".join(json.dumps({"image_id": i, "caption": c}) for i, c in records)
                    + '\n{"image_id": "bed/n1_1"}\n')   # a malformed line replaces nothing
    captions, problems = validate.load_captions(str(path))
    assert captions == {"bed/n1_1": "third", "bed/n1_2": "other"}   # the last, as for zip entries
    assert [(p["path"], p["reason"].code) for p in problems] == [
        ("captions.jsonl:1", QuarantineReason.DUPLICATE_CAPTION),
        ("captions.jsonl:3", QuarantineReason.DUPLICATE_CAPTION),
        ("captions.jsonl:5", QuarantineReason.MALFORMED_CAPTION)]
    assert problems[0]["reason"] == "caption of 'bed/n1_1' given again on line 3: only the last is used"


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
