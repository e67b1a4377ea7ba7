"""The pixel bound on every image the project decodes: a decompression bomb is refused from its header.

A 20,000 x 20,000 PNG compresses to a few kilobytes and decodes to 1.2 GB of RGB. Pillow's own check
(``Image.MAX_IMAGE_PIXELS``) raises only above twice its bound, merely warns between 1x and 2x, and
is switched off by the ``Image.MAX_IMAGE_PIXELS = None`` that training scripts often set. So every
decoder of outside bytes here (the converter, the loaders, the viewer) checks the header's width x
height against :data:`MAX_PIXELS` itself, before anything is decoded, and refuses the warning range
too: the bound is on memory per image, and a warning that a ``filterwarnings`` hides bounds nothing.
The check reads at most the JPEG markers before the frame header: no pixel data.

**Header bound.** :func:`sniff` walks at most :data:`MAX_HEADER_BYTES` of a JPEG's markers (to its
start of scan) or a PNG's chunks (to its first IDAT): microseconds to a few milliseconds, memory
nothing beyond the bytes given. A longer header is refused (:class:`ImageHeaderTooLong`), so that
Pillow, whose header parser walks fill bytes one Python step at a time (about 1 s per MB), never
crawls a crafted one; where sniff cannot tell the size, Pillow is shown at most that many bytes.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.reasons import QuarantineReason

if TYPE_CHECKING:
    import PIL.Image

#: Pillow's default ``MAX_IMAGE_PIXELS`` (about 0.25 GB of RGB), fixed here so that a script's
#: ``Image.MAX_IMAGE_PIXELS = None`` cannot lift it. ImageNet photos are below 1% of it.
MAX_PIXELS = 89_478_485

_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}

#: The most bytes of header (JPEG markers before the scan, PNG chunks before the pixels) read for
#: an image's size; a camera's EXIF, ICC profile and XMP take well under 200 KB.
MAX_HEADER_BYTES = 1024 * 1024
_FILL = re.compile(rb"\xff+")


class ImageTooLarge(Imagenet3DError):
    """An image whose header asks for more than :data:`MAX_PIXELS` pixels; it was not decoded.
    ``reason`` is the converter's quarantine reason for it (``QuarantineReason.IMAGE_TOO_LARGE``)."""

    def __init__(self, width: int, height: int, limit: int = MAX_PIXELS) -> None:
        self.reason = QuarantineReason.IMAGE_TOO_LARGE.message(width=width, height=height, pixels=width * height,
                                                               limit=limit)
        super().__init__(str(self.reason))
        self.width, self.height, self.limit = width, height, limit


class ImageHeaderTooLong(Imagenet3DError):
    """A JPEG or PNG whose header runs past :data:`MAX_HEADER_BYTES` before its pixel data; not decoded."""

    def __init__(self, image_format: str) -> None:
        super().__init__(f"{image_format} header longer than {MAX_HEADER_BYTES} bytes: not read")


def sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """Format and (width, height) of a PNG or JPEG from its header alone, 10x cheaper than
    ``Image.open``; ``(None, None)`` for another format, a size of ``None`` for an unusual header
    (:func:`header_prefix` is then what Pillow may judge). Raises :class:`ImageHeaderTooLong` for a
    header over :data:`MAX_HEADER_BYTES`; data that ends inside the header still gives its size."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "PNG", _png_size(data)
    if not data.startswith(b"\xff\xd8"):
        return None, None
    size, position, end = None, 2, min(len(data), MAX_HEADER_BYTES)
    while position + 4 <= end:
        if data[position] != 0xFF:
            return "JPEG", None   # junk between markers: Pillow skips it, within header_prefix
        marker = data[position + 1]
        if marker == 0xFF:  # fill bytes: skipped in one step
            fill = _FILL.match(data, position, end)   # matches: data[position] is 0xFF
            position = fill.end() - 1 if fill else position + 1   # the run's last 0xFF, before its marker
            continue
        if marker == 0xDA:   # start of scan: the header is over
            return "JPEG", size
        if marker == 0xD9 or (marker in _SOF_MARKERS and size is not None):
            return "JPEG", None
        if marker in _SOF_MARKERS:
            if position + 9 > len(data):
                break
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            if not (width and height):
                return "JPEG", None
            size = (width, height)
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
    if end < len(data):
        raise ImageHeaderTooLong("JPEG")
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
    :class:`ImageTooLarge` above :data:`MAX_PIXELS`; JPEG and PNG are checked before Pillow sees them."""
    Image = require("PIL.Image", "hub")
    image_format, size = sniff(data)
    if size is not None:
        check_pixels(*size)
    elif image_format is not None and len(data) > MAX_HEADER_BYTES:
        try:   # Pillow's header walk over the whole of a crafted file could take a minute: first the bounded prefix
            Image.open(io.BytesIO(header_prefix(data))).close()
        except Exception:   # whatever Pillow raises for a header it cannot read
            raise Imagenet3DError(f"{image_format} header unreadable in its first {MAX_HEADER_BYTES} bytes: "
                                  "not decoded") from None
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:  # another format, over twice Pillow's own bound
        raise Imagenet3DError(f"image refused, not decoded: {error}") from None
    check_pixels(*image.size)
    return image
