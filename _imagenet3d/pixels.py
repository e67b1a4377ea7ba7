"""The pixel bound on every image the project decodes: a decompression bomb is refused from its header.

A 20,000 x 20,000 PNG compresses to a few kilobytes and decodes to 1.2 GB of RGB. Pillow's own check
(``Image.MAX_IMAGE_PIXELS``) raises only above twice its bound, merely warns between 1x and 2x, and
is switched off by the ``Image.MAX_IMAGE_PIXELS = None`` that training scripts often set. So every
decoder of outside bytes here (the converter, the loaders, the viewer) checks the header's width x
height against :data:`MAX_PIXELS` itself, before anything is decoded, and refuses the warning range
too: the bound is on memory per image, and a warning that a ``filterwarnings`` hides bounds nothing.
The check reads at most the JPEG markers before the frame header: no pixel data. The markers are
walked as Pillow's parser walks them (:func:`jpeg_markers`: standalone RST0-7/SOI/EOI take two bytes,
no length), so the size read is the one Pillow decodes at; where the walk would differ from Pillow's
(junk between markers, an unknown marker), Pillow judges. Pillow's own errors come out as one line:
:class:`ImageTooLarge` (its decompression bomb error too) and :class:`ImageUnreadable`.

**Header bound.** :func:`sniff` walks at most :data:`MAX_HEADER_BYTES` of a JPEG's markers (to its
start of scan) or a PNG's chunks (to its first IDAT): microseconds to a few milliseconds, memory
nothing beyond the bytes given. A longer header is refused (:class:`ImageHeaderTooLong`), so that
Pillow, whose header parser walks fill bytes one Python step at a time (about 1 s per MB), never
crawls a crafted one; where sniff cannot tell the size, Pillow is shown at most that many bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.reasons import QuarantineReason

if TYPE_CHECKING:
    import PIL.Image

#: Pillow's default ``MAX_IMAGE_PIXELS`` (about 0.25 GB of RGB), fixed here so that a script's
#: ``Image.MAX_IMAGE_PIXELS = None`` cannot lift it. ImageNet photos are below 1% of it.
MAX_PIXELS = 89_478_485

#: Markers as Pillow's JPEG header parser reads them (its ``MARKER`` table, FFC0-FFFE): those it reads
#: as two bytes alone, with no length (RST0-7, SOI, EOI, JPG, JPG0-13; libjpeg reads RST0-7 alone
#: too and refuses the rest), and those whose segment it reads as a frame header (SOFn, DHP).
_STANDALONE = frozenset(range(0xD0, 0xDA)) | {0xC8} | frozenset(range(0xF0, 0xFE))
_SOF_MARKERS = (frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}) | {0xDE}
_KNOWN = frozenset(range(0xC0, 0xFF))
#: What :func:`jpeg_markers` yields where Pillow would not read the header as the walk does.
UNREADABLE = -1

#: The most bytes of header (JPEG markers before the scan, PNG chunks before the pixels) read for
#: an image's size; a camera's EXIF, ICC profile and XMP take well under 200 KB.
MAX_HEADER_BYTES = 1024 * 1024
#: The most bytes one image file may have (the release's photos are a few MB): the converter's bound on
#: an images/ entry (conversion/source.py) and the most read of a remote image (decoding.py).
MAX_IMAGE_BYTES = 64 * 1024 * 1024
_FILL = re.compile(rb"\xff+")


class ImageTooLarge(Imagenet3DError):
    """An image whose header asks for more than :data:`MAX_PIXELS` pixels; it was not decoded.
    ``reason`` is the converter's quarantine reason for it (``QuarantineReason.IMAGE_TOO_LARGE``, or
    ``DECOMPRESSION_BOMB`` when Pillow refused it before telling its size: ``width`` and ``height`` None)."""

    def __init__(self, width: int | None, height: int | None, limit: int = MAX_PIXELS) -> None:
        if width is None or height is None:
            self.reason = QuarantineReason.DECOMPRESSION_BOMB.message(limit=limit)
        else:
            self.reason = QuarantineReason.IMAGE_TOO_LARGE.message(width=width, height=height,
                                                                   pixels=width * height, limit=limit)
        super().__init__(str(self.reason))
        self.width, self.height, self.limit = width, height, limit


class ImageUnreadable(Imagenet3DError):
    """Bytes whose header Pillow cannot read (not an image, a broken or unknown header); not decoded."""


class ImageHeaderTooLong(Imagenet3DError):
    """A JPEG or PNG whose header runs past :data:`MAX_HEADER_BYTES` before its pixel data; not decoded."""

    def __init__(self, image_format: str) -> None:
        super().__init__(f"{image_format} header longer than {MAX_HEADER_BYTES} bytes: not read")


def jpeg_markers(data: bytes) -> Iterator[tuple[int, int]]:
    """``(marker, position)`` of each marker of a JPEG's header (``data[position]`` is its 0xFF; a
    segment's length, when it has one, follows at ``position + 2``), walked as Pillow's parser walks
    it: fill bytes skipped, standalone markers (RST0-7, SOI, EOI...) two bytes long, the others as
    long as their length says. The one walk for :func:`sniff` and the converter's EXIF reader.

    Ends after yielding SOS (start of scan: the header is over), at the end of ``data``, or after
    yielding ``(UNREADABLE, position)`` where Pillow would read the bytes otherwise (junk between
    markers, which Pillow skips byte by byte; a marker Pillow does not know, which it refuses).
    Raises :class:`ImageHeaderTooLong` when the header runs past :data:`MAX_HEADER_BYTES` bytes."""
    position, end = 2, min(len(data), MAX_HEADER_BYTES)
    while position + 4 <= end:
        if data[position] != 0xFF:
            yield UNREADABLE, position
            return
        marker = data[position + 1]
        if marker == 0xFF:  # fill bytes: skipped in one step
            fill = _FILL.match(data, position, end)   # matches: data[position] is 0xFF
            position = fill.end() - 1 if fill else position + 1   # the run's last 0xFF, before its marker
            continue
        if marker not in _KNOWN:
            yield UNREADABLE, position
            return
        yield marker, position
        if marker == 0xDA:
            return
        position += 2 if marker in _STANDALONE else 2 + int.from_bytes(data[position + 2:position + 4], "big")
    if end < len(data):
        raise ImageHeaderTooLong("JPEG")


def sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """Format and (width, height) of a PNG or JPEG from its header alone, 10x cheaper than
    ``Image.open``; ``(None, None)`` for another format, a size of ``None`` for an unusual header
    (:func:`header_prefix` is then what Pillow may judge). Raises :class:`ImageHeaderTooLong` for a
    header over :data:`MAX_HEADER_BYTES`; data that ends inside the header still gives its size."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "PNG", _png_size(data)
    if not data.startswith(b"\xff\xd8"):
        return None, None
    size = None
    for marker, position in jpeg_markers(data):
        if marker == 0xDA:   # start of scan: the header is over
            return "JPEG", size
        if marker == UNREADABLE or (marker in _SOF_MARKERS and size is not None):
            return "JPEG", None   # Pillow judges it, within header_prefix
        if marker in _SOF_MARKERS:
            if position + 9 > len(data):   # the data ends inside the frame header
                if len(data) > MAX_HEADER_BYTES:
                    raise ImageHeaderTooLong("JPEG")
                return "JPEG", None
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            if not (width and height):
                return "JPEG", None
            size = (width, height)
    return "JPEG", size


def _png_size(data: bytes) -> tuple[int, int]:
    """IHDR's size, after walking the chunks to the first IDAT within MAX_HEADER_BYTES."""
    position = 8
    while position + 8 <= len(data):
        if data[position + 4:position + 8] == b"IDAT":
            break
        position += 12 + int.from_bytes(data[position:position + 4], "big")
        if position > MAX_HEADER_BYTES:
            raise ImageHeaderTooLong("PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def header_prefix(data: bytes) -> bytes:
    """What Pillow is shown to judge a header :func:`sniff` could not read: its first
    :data:`MAX_HEADER_BYTES` (Pillow's header parser stops at the pixels, so they hold the header)."""
    return data[:MAX_HEADER_BYTES]


def check_pixels(width: int, height: int, limit: int = MAX_PIXELS) -> None:
    """Raise :class:`ImageTooLarge` when ``width x height`` is over ``limit``."""
    if width * height > limit:
        raise ImageTooLarge(width, height, limit)


def check_image(data: bytes) -> None:
    """Raise :class:`ImageTooLarge` for stored bytes over :data:`MAX_PIXELS`, from the header alone: a
    microsecond for JPEG and PNG, ``Image.open`` (still no decoding) for another format."""
    size = sniff(data)[1]
    if size is None:
        open_image(data).close()
    else:
        check_pixels(*size)


def open_image(data: bytes) -> PIL.Image.Image:
    """``Image.open`` of stored bytes (the header only, nothing decoded), refused with a one-line
    :class:`ImageTooLarge` above :data:`MAX_PIXELS` and :class:`ImageUnreadable` for a header Pillow
    cannot read; JPEG and PNG are checked before Pillow sees them."""
    image_format, size = sniff(data)
    if size is not None:
        check_pixels(*size)
    elif image_format is not None and len(data) > MAX_HEADER_BYTES:
        # Pillow's header walk over the whole of a crafted file could take a minute: first the bounded prefix
        pillow_open(io.BytesIO(header_prefix(data)), f"{image_format} header, in its first {MAX_HEADER_BYTES} "
                                                     "bytes,").close()
    return pillow_open(io.BytesIO(data))


def pillow_open(file: str | IO[bytes], what: str = "image header") -> PIL.Image.Image:
    """``Image.open`` (the header only, nothing decoded) with :func:`check_pixels` applied to its size
    whatever ``Image.MAX_IMAGE_PIXELS`` is, and Pillow's errors made one line: its decompression bomb
    error :class:`ImageTooLarge`, a header it cannot read :class:`ImageUnreadable`. ``file``: a path or a
    binary file object, read from its start."""
    Image = require("PIL.Image", "hub")
    try:
        image = Image.open(file)
    except Image.DecompressionBombError:   # over twice Pillow's own bound, before it says the size
        raise ImageTooLarge(None, None, Image.MAX_IMAGE_PIXELS or MAX_PIXELS) from None
    except (OSError, SyntaxError, ValueError) as error:   # UnidentifiedImageError is an OSError
        # Its text holds the stream's repr, a memory address: named by type, the line is the same each run.
        detail = error if isinstance(file, str) else type(error).__name__
        raise ImageUnreadable(f"{what} unreadable ({detail}): not decoded") from None
    try:
        check_pixels(*image.size)
    except ImageTooLarge:
        image.close()
        raise
    return image
