"""Find and neutralise a JPEG's EXIF Orientation tag without touching its pixels.

``datasets``' Image feature applies the EXIF orientation when it decodes, but
ImageNet3D's annotations refer to the stored pixel grid (the official scripts
read images with Pillow and never transpose). Setting the tag's value to 1 in
place (same length, nothing else moved) makes every decoder show the grid
the boxes and poses were drawn on, while the compressed image data stays
byte-identical.
"""

from __future__ import annotations

import struct

from _imagenet3d.pixels import ImageHeaderTooLong, jpeg_markers

_ORIENTATION_TAG = 0x0112


def _orientation_offset(data: bytes) -> tuple[int, str] | None:
    """Byte offset of the Orientation value in IFD0, and the TIFF byte order: in the first Exif APP1
    segment of the header, found by the marker walk ``sniff`` uses (Pillow's, within its header bound)."""
    if data[:2] != b"\xff\xd8":
        return None
    try:
        for marker, position in jpeg_markers(data):
            segment = position + 4
            if marker == 0xE1 and data[segment:segment + 6] == b"Exif\x00\x00":
                length = struct.unpack(">H", data[position + 2:position + 4])[0]
                return _find_in_tiff(data, segment + 6, segment + length - 2)
    except ImageHeaderTooLong:   # no Exif within the header bound
        return None
    return None   # start of scan, end of the data, or bytes Pillow would read otherwise: no more metadata


def _find_in_tiff(data: bytes, tiff: int, end: int) -> tuple[int, str] | None:
    order = {b"II": "<", b"MM": ">"}.get(data[tiff:tiff + 2])
    if order is None or tiff + 8 > end:
        return None
    ifd = tiff + struct.unpack(order + "I", data[tiff + 4:tiff + 8])[0]
    if ifd + 2 > end:
        return None
    count = struct.unpack(order + "H", data[ifd:ifd + 2])[0]
    for index in range(count):
        entry = ifd + 2 + 12 * index
        if entry + 12 > end:
            return None
        tag, kind = struct.unpack(order + "HH", data[entry:entry + 4])
        if tag == _ORIENTATION_TAG and kind == 3:  # SHORT, stored inline
            return entry + 8, order
    return None


def orientation(data: bytes) -> int:
    """The EXIF Orientation value (1 = as stored) of JPEG bytes."""
    found = _orientation_offset(data)
    if found is None:
        return 1
    offset, order = found
    return struct.unpack(order + "H", data[offset:offset + 2])[0]


def neutralise_orientation(data: bytes) -> bytes:
    """The same JPEG with Orientation set to 1; unchanged if it has none."""
    found = _orientation_offset(data)
    if found is None:
        return data
    offset, order = found
    return data[:offset] + struct.pack(order + "H", 1) + data[offset + 2:]
