"""The pixel bound on every image the project decodes: a decompression bomb is refused from its header.

A 20,000 x 20,000 PNG compresses to a few kilobytes and decodes to 1.2 GB of RGB. Pillow's own check
(``Image.MAX_IMAGE_PIXELS``) raises only above twice its bound, merely warns between 1x and 2x, and
is switched off by the ``Image.MAX_IMAGE_PIXELS = None`` that training scripts often set. So every
decoder of outside bytes here (the converter, the loaders, the viewer) checks the header's width x
height against :data:`MAX_PIXELS` itself, before anything is decoded, and refuses the warning range
too: the bound is on memory per image, and a warning that a ``filterwarnings`` hides bounds nothing.
The check reads at most the JPEG markers before the frame header: no pixel data.
"""

from __future__ import annotations

import io
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


class ImageTooLarge(Imagenet3DError):
    """An image whose header asks for more than :data:`MAX_PIXELS` pixels; it was not decoded.
    ``reason`` is the converter's quarantine reason for it (``QuarantineReason.IMAGE_TOO_LARGE``)."""

    def __init__(self, width: int, height: int, limit: int = MAX_PIXELS) -> None:
        self.reason = QuarantineReason.IMAGE_TOO_LARGE.message(width=width, height=height, pixels=width * height,
                                                               limit=limit)
        super().__init__(str(self.reason))
        self.width, self.height, self.limit = width, height, limit


def sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """Format and (width, height) of a PNG or JPEG from its header alone, 10x cheaper than
    ``Image.open``; ``(None, None)`` for another format, a size of ``None`` for an unusual header."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "PNG", (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
    if not data.startswith(b"\xff\xd8"):
        return None, None
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return "JPEG", None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _SOF_MARKERS:
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            return "JPEG", ((width, height) if width and height else None)
        if marker == 0xD9 or marker == 0xDA:
            return "JPEG", None
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
    return "JPEG", None


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
    size = sniff(data)[1]
    if size is not None:
        check_pixels(*size)
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:  # another format, over twice Pillow's own bound
        raise Imagenet3DError(f"image refused, not decoded: {error}") from None
    check_pixels(*image.size)
    return image
