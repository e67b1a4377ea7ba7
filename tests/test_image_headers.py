"""JPEG / PNG headers (_imagenet3d/pixels.py, conversion/exif.py, decoding.checked_image_path): the header
bound tested at the bound and one byte past it, the marker walk read as Pillow reads it (a walk that
disagrees lets a small size stand for a large image), and Pillow's errors made one typed line.
"""

from __future__ import annotations

import io
import struct
import zlib

import fsspec
import pytest
from PIL import Image

from _imagenet3d import decoding, pixels
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.pixels import (
    MAX_HEADER_BYTES,
    ImageHeaderTooLong,
    ImageTooLarge,
    ImageUnreadable,
    check_image,
    open_image,
    sniff,
)
from _imagenet3d.reasons import QuarantineReason
from conversion import exif, validate
from conversion.source import MAX_ENTRY_BYTES

IMAGE = "images/bed/n1_1.JPEG"
BIG = (10_000, 10_000)   # over MAX_PIXELS, under twice Pillow's own bound: only our check refuses it


def _jpeg(width: int = 64, height: int = 48, declared: tuple[int, int] | None = None) -> bytes:
    """A real JPEG; with ``declared``, its frame header says that size instead (the header is all it is)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 20, 200)).save(buffer, "JPEG", quality=50)
    data = bytearray(buffer.getvalue())
    if declared:
        sof = data.index(b"\xff\xc0")
        data[sof + 5:sof + 9] = struct.pack(">HH", declared[1], declared[0])
    return bytes(data)


def _after_standalone(marker: int, real: bytes) -> bytes:
    """SOI, a standalone marker, then an APP1 holding a fake 40x30 SOF + SOS exactly where a walk that
    reads a length after the marker lands (its next two bytes, FF E1, as a length), then ``real``'s header."""
    land = 2 + 2 + 0xFFE1
    fake = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 30, 40) + bytes(10) + b"\xff\xda\x00\x08" + bytes(6)
    payload = bytearray(0xFFFF - 2)
    payload[land - 8:land - 8 + len(fake)] = fake   # the APP1's payload starts at offset 8
    return b"\xff\xd8" + bytes([0xFF, marker]) + b"\xff\xe1\xff\xff" + bytes(payload) + real[2:]


def test_a_restart_marker_after_soi_stands_alone_as_in_pillow_and_libjpeg():
    real = _jpeg()
    data = _after_standalone(0xD0, real)
    with Image.open(io.BytesIO(data)) as image:
        image.load()   # libjpeg decodes it too: RST0 is standalone for it as well
        assert image.size == (64, 48)
    assert sniff(data) == ("JPEG", (64, 48))
    assert validate.inspect_image(data, IMAGE) == (64, 48)
    assert open_image(data).size == (64, 48)


@pytest.mark.parametrize("pillow_limit", [Image.MAX_IMAGE_PIXELS, None], ids=["pillow-default", "pillow-off"])
def test_a_large_frame_behind_a_restart_marker_is_refused_everywhere(monkeypatch, pillow_limit):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)
    data = _after_standalone(0xD0, _jpeg(declared=BIG))
    assert sniff(data) == ("JPEG", BIG)
    with pytest.raises(ImageTooLarge):
        check_image(data)
    with pytest.raises(ImageTooLarge):
        open_image(data)
    with pytest.raises(validate.BadInput) as refused:
        validate.inspect_image(data, IMAGE)
    assert refused.value.reason.code is QuarantineReason.IMAGE_TOO_LARGE


@pytest.mark.parametrize("marker", [0xD0, 0xD7, 0xD8, 0xD9, 0xC8, 0xF0, 0xFD])
def test_every_marker_pillow_reads_alone_is_walked_alone(marker):
    data = _after_standalone(marker, _jpeg(declared=(321, 123)))
    with Image.open(io.BytesIO(data)) as image:
        assert sniff(data) == ("JPEG", image.size) == ("JPEG", (321, 123))


def test_a_marker_pillow_does_not_know_is_left_to_pillow_which_refuses_it():
    data = _after_standalone(0x01, _jpeg())   # TEM: libjpeg reads it alone, Pillow finds "no marker"
    assert sniff(data) == ("JPEG", None)
    with pytest.raises(ImageUnreadable):
        open_image(data)
    with pytest.raises(validate.BadInput) as refused:
        validate.inspect_image(data, IMAGE)
    assert refused.value.reason.code is QuarantineReason.CORRUPT_IMAGE


def _with_exif_at(position: int, orientation: int = 6) -> bytes:
    """A JPEG header whose Exif APP1 (Orientation ``orientation``) starts ``position`` bytes in."""
    tags = Image.Exif()
    tags[0x0112] = orientation
    payload = tags.tobytes()   # "Exif\0\0" and the TIFF structure
    padding = b"\xff\xe0" + struct.pack(">H", position - 4) + bytes(position - 6)
    return b"\xff\xd8" + padding + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + _jpeg()[2:]


def test_the_exif_walk_stops_at_the_header_bound(monkeypatch):
    monkeypatch.setattr(pixels, "MAX_HEADER_BYTES", 4096)
    inside = _with_exif_at(4096 - 4)   # its marker and length end at the bound: read
    assert inside.index(b"\xff\xe1") == 4096 - 4
    assert exif.orientation(inside) == 6
    assert exif.orientation(exif.neutralise_orientation(inside)) == 1
    past = _with_exif_at(4096 - 3)     # one byte further: past the bound, not read
    assert exif.orientation(past) == 1 and exif.neutralise_orientation(past) is past


def test_the_exif_walk_skips_standalone_markers_as_pillow_does():
    data = _with_exif_at(100)
    data = data[:2] + b"\xff\xd0" + data[2:]   # RST0 after SOI: the Exif APP1 still follows, as Pillow reads it
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif().get(0x0112) == 6 == exif.orientation(data)
    assert exif.orientation(exif.neutralise_orientation(data)) == 1


def test_the_exif_walk_over_a_whole_entry_of_tiny_segments_is_bounded():
    tiny_segments = b"\xff\xd8" + b"\xff\xe0\x00\x02" * (MAX_ENTRY_BYTES["images"] // 4 - 1)   # 16M steps unbounded
    assert exif.orientation(tiny_segments) == 1 and exif.neutralise_orientation(tiny_segments) is tiny_segments


def _jpeg_header(header_bytes: int) -> bytes:
    """SOI, APP1 segments, SOF (40x30) and SOS, the SOS marker starting ``header_bytes`` in."""
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 30, 40) + bytes(10)
    room = header_bytes - 2 - len(sof)
    segments = []
    while room:
        body = min(room - 4, 65533) if room - 4 - 65533 >= 4 or room <= 65537 else room - 8
        segments.append(b"\xff\xe1" + struct.pack(">H", body + 2) + bytes(body))
        room -= body + 4
    return b"\xff\xd8" + b"".join(segments) + sof + b"\xff\xda\x00\x08" + bytes(6) + bytes(1000) + b"\xff\xd9"


def test_a_jpeg_header_ending_at_the_bound_is_read_and_one_byte_longer_is_refused():
    at = _jpeg_header(MAX_HEADER_BYTES - 4)   # the last marker (SOS) read starts 4 bytes before the bound
    assert at.index(b"\xff\xda") == MAX_HEADER_BYTES - 4
    assert sniff(at) == ("JPEG", (40, 30))
    with pytest.raises(ImageHeaderTooLong):
        sniff(_jpeg_header(MAX_HEADER_BYTES - 3))
    with pytest.raises(validate.BadInput) as refused:
        validate.inspect_image(_jpeg_header(MAX_HEADER_BYTES - 3), IMAGE)
    assert refused.value.reason.code is QuarantineReason.CORRUPT_IMAGE


def test_fill_bytes_the_size_of_a_whole_entry_are_refused_in_one_step():
    # Pillow's own parser walks fill bytes a Python step at a time: about 50 s for these 64 MiB.
    fill = b"\xff\xd8" + b"\xff" * (MAX_ENTRY_BYTES["images"] - 2)
    with pytest.raises(ImageHeaderTooLong):
        sniff(fill)
    with pytest.raises(ImageHeaderTooLong):
        open_image(fill)


def test_junk_sniff_cannot_read_is_judged_by_pillow_from_the_bounded_prefix_only():
    junk = b"\xff\xd8" + b"\x00" * (MAX_ENTRY_BYTES["images"] - 4) + b"\xff\xd9"
    assert sniff(junk) == ("JPEG", None)
    with pytest.raises(validate.BadInput) as refused:
        validate.inspect_image(junk, IMAGE)
    assert refused.value.reason.code is QuarantineReason.CORRUPT_IMAGE
    with pytest.raises(ImageUnreadable):
        open_image(junk)


def _junk_then_frame(size: tuple[int, int], total: int) -> bytes:
    """SOI, an empty APP0, one junk byte (sniff leaves it to Pillow, which skips it), a frame header of ``size``, SOS,
    padded to ``total`` bytes."""
    components = b"\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00"   # 3, each sampled 1x1 with table 0
    head = (b"\xff\xd8\xff\xe0\x00\x02\x00\xff\xc0\x00\x11\x08" + struct.pack(">HH", size[1], size[0]) + components
            + b"\xff\xda\x00\x08" + bytes(6))
    return head + bytes(total - len(head) - 2) + b"\xff\xd9"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")   # Pillow's, before our refusal
@pytest.mark.parametrize("total", [4096, MAX_HEADER_BYTES + 4096], ids=["small", "over-the-header-bound"])
def test_what_pillow_judges_raises_the_same_types_whatever_the_size(total):
    assert sniff(_junk_then_frame((65_535, 65_535), total)) == ("JPEG", None)
    with pytest.raises(ImageTooLarge) as refused:   # Pillow's DecompressionBombError, typed
        open_image(_junk_then_frame((65_535, 65_535), total))
    assert refused.value.reason.code is QuarantineReason.DECOMPRESSION_BOMB
    with pytest.raises(ImageTooLarge) as refused:   # under twice Pillow's bound: our own check
        open_image(_junk_then_frame(BIG, total))
    assert refused.value.reason.code is QuarantineReason.IMAGE_TOO_LARGE
    unknown = _junk_then_frame((40, 30), total).replace(b"\xff\xc0", b"\xff\x02", 1)
    with pytest.raises(ImageUnreadable):
        open_image(unknown)
    with pytest.raises(ImageUnreadable):
        check_image(unknown)
    assert open_image(_junk_then_frame((40, 30), total)).size == (40, 30)


def test_bytes_of_no_image_format_are_unreadable_not_a_raw_pillow_error():
    for data in (b"hello", b"", b"\x89PNG\r\n\x1a\n" + bytes(8)):
        with pytest.raises(ImageUnreadable):
            open_image(data)
    assert issubclass(ImageUnreadable, Imagenet3DError)   # one line wherever errors are reported


def test_checked_image_path_raises_the_same_types(tmp_path):
    path = tmp_path / "a.gif"
    path.write_bytes(b"GIF89a" + bytes(10))   # a GIF header Pillow cannot read
    with pytest.raises(ImageUnreadable):
        decoding.checked_image_path(str(path))
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    gif = bytearray(buffer.getvalue())
    gif[6:10] = struct.pack("<HH", 65_535, 65_535)   # over twice Pillow's bound: Pillow refuses it
    path.write_bytes(bytes(gif))
    with pytest.raises(ImageTooLarge):
        decoding.checked_image_path(str(path))
    path.write_bytes(_after_standalone(0xD0, _jpeg(declared=BIG)))
    with pytest.raises(ImageTooLarge):
        decoding.checked_image_path(str(path))


def test_a_remote_image_is_read_at_most_to_the_image_bound(monkeypatch):
    monkeypatch.setattr(decoding, "MAX_IMAGE_BYTES", 1000)
    at, over = "memory://r1-image-bound/at.jpg", "memory://r1-image-bound/over.jpg"
    try:
        for url, size in ((at, 1000), (over, 1001)):
            with fsspec.open(url, "wb") as handle:
                handle.write(b"\xff\xd8" + bytes(size - 2))
        assert len(decoding.checked_image_path(at)["bytes"]) == 1000
        with pytest.raises(Imagenet3DError, match="over 1000 bytes"):
            decoding.checked_image_path(over)
    finally:
        fsspec.filesystem("memory").rm("/r1-image-bound", recursive=True)


def test_the_entry_bound_and_the_remote_image_bound_are_one_number():
    assert MAX_ENTRY_BYTES["images"] == pixels.MAX_IMAGE_BYTES == decoding.MAX_IMAGE_BYTES


def _png_with_chunks_before_idat(idat_at: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", 40, 30, 8, 0, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    body = idat_at - len(head) - 12
    text = struct.pack(">I", body) + b"tEXt" + bytes(body) + b"\0\0\0\0"
    pixels_ = zlib.compress(bytes(30 * 41))
    return head + text + struct.pack(">I", len(pixels_)) + b"IDAT" + pixels_ + b"\0\0\0\0" + b"\0\0\0\0IEND\xaeB`\x82"


def test_a_png_whose_first_idat_starts_at_the_bound_is_read_and_one_byte_later_is_refused():
    assert sniff(_png_with_chunks_before_idat(MAX_HEADER_BYTES)) == ("PNG", (40, 30))
    with pytest.raises(ImageHeaderTooLong):
        sniff(_png_with_chunks_before_idat(MAX_HEADER_BYTES + 1))



def test_decode_images_says_in_one_typed_line_what_pillow_cannot_decode():
    truncated = _jpeg(640, 480)[:2000]   # its header whole, its scan cut short
    assert sniff(truncated) == ("JPEG", (640, 480))
    for value in ({"bytes": truncated, "path": "a.jpg"}, {"bytes": b"not an image", "path": None}):
        with pytest.raises(ImageUnreadable):
            decoding.DecodeImages()({"image": [value]})
