"""Decompression bombs: an image whose header asks for more than MAX_PIXELS is refused from the header, before
anything decodes it, in the converter (quarantined), the loaders and the viewer (a one-line error).

The bombs are hand-made PNGs: a 1-bit image of zero rows compresses to a few kilobytes, whatever its size.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import time
import tracemalloc
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from _imagenet3d.decoding import DecodeImages
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.pixels import MAX_PIXELS, ImageTooLarge, check_pixels, open_image, sniff
from _imagenet3d.reasons import QuarantineReason
from conversion.build import build
from conversion.validate import BadInput, inspect_image
from viewer_app.viewer import Viewer

# Warning range of Pillow's own check: above MAX_IMAGE_PIXELS it only warns, above twice it raises.
WARNING_RANGE = (12_000, 12_000)   # 144 MP: between 1x and 2x of 89.5 MP
BOMB = (20_000, 20_000)            # 400 MP: 1.2 GB as RGB


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, rows: bool = True) -> bytes:
    """A valid 1-bit greyscale PNG of zeros (a few KB at any size), or its header alone (``rows=False``)."""
    header = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    if not rows:
        return header
    squeeze, row = zlib.compressobj(9), b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    return header + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = png(*BOMB)
    assert len(data) < 200_000   # a few tens of KB for 400 MP
    return data


def _peak(call) -> tuple[int, float, BaseException | None]:
    """Peak traced allocation (bytes) and seconds of ``call()``, and what it raised."""
    tracemalloc.start()
    start, raised = time.perf_counter(), None
    try:
        call()
    except Exception as error:  # the refusal is what is measured
        raised = error
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, seconds, raised


# -- the check itself, at the bound -------------------------------------------------------------------


def test_the_header_gives_the_size_without_decoding():
    assert sniff(png(*BOMB, rows=False)) == ("PNG", BOMB)
    jpeg_header = b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 30_000, 40_000)
    assert sniff(jpeg_header) == ("JPEG", (40_000, 30_000))


@pytest.mark.parametrize("width, height", [(MAX_PIXELS, 1), (1, MAX_PIXELS)])
def test_at_the_bound_is_allowed_and_one_more_pixel_is_refused(width, height):
    check_pixels(width, height)
    with pytest.raises(ImageTooLarge, match=f"= {MAX_PIXELS + 1} pixels, over the {MAX_PIXELS} limit"):
        check_pixels(width + (width > 1), height + (height > 1))


def test_an_image_just_under_the_bound_decodes_and_one_just_over_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no DecompressionBombWarning at the bound either
        image = open_image(png(MAX_PIXELS, 1))
        image.load()   # 1-bit: 11 MB
        assert image.size == (MAX_PIXELS, 1)
        with pytest.raises(ImageTooLarge) as refused:
            open_image(png(MAX_PIXELS + 1, 1, rows=False))   # refused before Pillow sees it: no warning
    assert "\n" not in str(refused.value) and isinstance(refused.value, Imagenet3DError)


def test_the_warning_range_is_refused_too_and_pillow_settings_cannot_lift_the_bound(monkeypatch):
    with pytest.raises(ImageTooLarge, match="12000x12000"):
        open_image(png(*WARNING_RANGE, rows=False))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)   # what training scripts often set
    with pytest.raises(ImageTooLarge, match="20000x20000"):
        open_image(png(*BOMB, rows=False))


def test_another_format_is_checked_after_pillow_reads_its_header(monkeypatch):
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    gif = bytearray(buffer.getvalue())
    gif[6:10] = struct.pack("<HH", *WARNING_RANGE)   # the logical screen: Pillow's size for a GIF
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(ImageTooLarge, match="12000x12000"):
            open_image(bytes(gif))
    gif[6:10] = struct.pack("<HH", 65_535, 65_535)   # over twice Pillow's bound: Pillow itself refuses
    with pytest.raises(Imagenet3DError, match="not decoded"):
        open_image(bytes(gif))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with pytest.raises(ImageTooLarge, match="65535x65535"):
        open_image(bytes(gif))


# -- the converter --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [BOMB, WARNING_RANGE], ids=["bomb", "warning-range"])
def test_the_converter_refuses_from_the_header_in_little_memory(size):
    data = png(*size)
    peak, seconds, raised = _peak(lambda: inspect_image(data, "images/car/x.JPEG"))
    assert isinstance(raised, BadInput) and raised.path == "images/car/x.JPEG"
    assert raised.reason.code is QuarantineReason.IMAGE_TOO_LARGE
    assert raised.reason == (f"image is {size[0]}x{size[1]} = {size[0] * size[1]} pixels, "
                             f"over the {MAX_PIXELS} limit: not decoded")
    assert peak < 100_000, peak   # the decode would take 50 MB (1-bit) to 1.2 GB (RGB)
    print(f"refused {size}: peak {peak} B traced, {seconds * 1e6:.0f} us")


def test_a_bomb_in_a_format_only_pillow_reads_is_quarantined():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    gif = bytearray(buffer.getvalue())
    gif[6:10] = struct.pack("<HH", 65_535, 65_535)
    with pytest.raises(BadInput) as refused:
        inspect_image(bytes(gif), "images/car/x.JPEG")
    assert refused.value.reason.code is QuarantineReason.DECOMPRESSION_BOMB


def test_a_20000_square_png_named_jpeg_is_quarantined_and_the_rest_built(tiny_release, tmp_path, bomb):
    root = tmp_path / "imagenet3d_v1"
    shutil.copytree(tiny_release / "imagenet3d_v1", root)   # never write into the shared fixture
    victim = sorted((root / "images").rglob("*.JPEG"))[0]
    victim.write_bytes(bomb)
    relpath = victim.relative_to(root).as_posix()
    result = build(root, tmp_path / "out", workers=1, progress=False)
    entries = json.loads((tmp_path / "out" / "quarantine.json").read_text())["entries"]
    assert [e["reason"] for e in entries if e["path"] == relpath] == [
        f"image is 20000x20000 = 400000000 pixels, over the {MAX_PIXELS} limit: not decoded"]
    assert len(result.quarantine) == len(entries)


# -- the loaders and the viewer ---------------------------------------------------------------------------


def _row() -> dict:
    obj = {"category": "car", "bbox": [1.0, 1.0, 10.0, 10.0], "azimuth": 0.1, "elevation": 0.2, "theta": 0.0,
           "distance": 5.0, "viewport": 3000.0, "focal": 1.0, "px": 5.0, "py": 5.0}
    return {"image_id": "car/n02958343_1", "objects": [obj]}


def _refusals(bomb: bytes) -> dict:
    from _imagenet3d.crops import object_sample

    return {
        "object_sample": lambda: object_sample(bomb, _row(), 0),
        "object_sample whole image": lambda: object_sample(bomb, _row(), 0, size=None),
        "DecodeImages": lambda: DecodeImages()({"image": [{"bytes": bomb, "path": None}]}),
        "DecodeImages resized": lambda: DecodeImages(size=64)({"image": [{"bytes": bomb, "path": None}]}),
        "viewer thumbnail": lambda: Viewer.thumbnail(bomb),
    }


@pytest.mark.parametrize("where", list(_refusals(b"")))
def test_loaders_and_viewer_refuse_a_bomb_with_a_one_line_error(where, bomb):
    peak, seconds, raised = _peak(_refusals(bomb)[where])
    assert isinstance(raised, ImageTooLarge), raised
    assert "\n" not in str(raised) and "20000x20000" in str(raised)
    assert peak < 1_000_000, peak
    print(f"{where}: refused with peak {peak} B traced, {seconds * 1e6:.0f} us")


def test_a_path_value_is_checked_too(tmp_path: Path, bomb):
    path = tmp_path / "bomb.JPEG"
    path.write_bytes(bomb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(Imagenet3DError):
            DecodeImages()({"image": [{"bytes": None, "path": str(path)}]})


_RSS_CHILD = """
import resource, sys, warnings
from PIL import Image
from _imagenet3d.crops import object_sample
from _imagenet3d.decoding import DecodeImages
from _imagenet3d.errors import Imagenet3DError
from conversion.validate import BadInput, inspect_image
from viewer_app.viewer import Viewer
Image.MAX_IMAGE_PIXELS = None   # the worst case: Pillow's own check off, as training scripts often set
warnings.simplefilter("error")
data = open(sys.argv[1], "rb").read()
row = {"image_id": "car/x", "objects": [{"category": "car", "bbox": [1, 1, 9, 9], "azimuth": 0.1, "elevation": 0.2,
       "theta": 0.0, "distance": 5.0, "viewport": 3000.0, "focal": 1.0, "px": 5.0, "py": 5.0}]}
calls = [lambda: inspect_image(data, "x.JPEG"), lambda: object_sample(data, row, 0),
         lambda: DecodeImages()({"image": [{"bytes": data, "path": None}]}),
         lambda: DecodeImages(size=64)({"image": [{"bytes": data, "path": None}]}), lambda: Viewer.thumbnail(data)]
bomb, data = data, open(sys.argv[2], "rb").read()   # warm up on a small image: lazy imports are not the refusal's
for call in calls[1:]:
    call()
data = bomb
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for call in calls:
    try:
        call()
        sys.exit("not refused")
    except (BadInput, Imagenet3DError):
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_refusing_costs_no_decode_memory_even_with_pillows_check_off(tmp_path):
    """tracemalloc does not see Pillow's C buffers: the process's peak RSS does. The warning-range image is one
    Pillow alone would decode (432 MB as RGB); with its check off, so would the bomb (1.2 GB)."""
    import subprocess
    import sys

    small = tmp_path / "small.png"
    small.write_bytes(png(40, 30))
    for size in (WARNING_RANGE, BOMB):
        path = tmp_path / f"{size[0]}.png"
        path.write_bytes(png(*size))
        child = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(path), str(small)], capture_output=True,
                               text=True, cwd=Path(__file__).resolve().parents[1], timeout=120)
        assert child.returncode == 0, child.stderr[-2000:]
        growth_kb = int(child.stdout.split()[-1])
        assert growth_kb < 20_000, growth_kb   # 1-bit decode alone: 18 MB (warning range) to 50 MB
        print(f"{size}: peak RSS grew {growth_kb} KB over five refusals")


def test_check_image_takes_the_cheap_path_for_jpeg_and_png_and_pillow_for_the_rest():
    from _imagenet3d.pixels import check_image

    check_image(png(40, 30))
    with pytest.raises(ImageTooLarge):
        check_image(png(*BOMB, rows=False))
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    check_image(buffer.getvalue())
