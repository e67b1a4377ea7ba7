"""Inputs beside the release: our captions (JSON Lines) and category descriptions (one JSON object).

Each reader is bounded (file size, line length, problems listed per file) and refuses what is not a
regular file; problems become quarantine entries (conversion/validate.py's ``quarantine``).
"""

from __future__ import annotations

import io
import json
import os

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.reasons import QuarantineReason as Q
from conversion.source import NotRegularFile, open_regular_file
from conversion.validate import FileProblems

_MiB = 1024 * 1024
#: Captions file: the full-size synthetic release's is 11 MB. Time linear in it; memory holds one line
#: and what is kept: the captions (measured with tracemalloc: 2.0 times the file for the generator's
#: captions, 4.4 times for the shortest well-formed lines, 33 bytes each) and at most
#: MAX_PROBLEMS_PER_FILE quarantine entries (under 2 MiB for a file of malformed lines).
MAX_CAPTIONS_BYTES = 128 * _MiB
#: One caption line (one JSON object, its newline not counted); a longer line is quarantined unread.
MAX_CAPTION_LINE_BYTES = 1 * _MiB
#: Category descriptions file: the full-size synthetic release's is 42 KB.
MAX_DESCRIPTIONS_BYTES = 4 * _MiB


def load_captions(path: str | None) -> tuple[dict[str, str], list[dict]]:
    """Image captions from our JSON Lines input (``{"image_id": str, "caption": str}`` per line).

    Bounded: a file over :data:`MAX_CAPTIONS_BYTES` (or not a regular file) is refused (Imagenet3DError,
    one line) before it is read; at most :data:`MAX_PROBLEMS_PER_FILE` problems are listed, then counted
    in one entry; a line over :data:`MAX_CAPTION_LINE_BYTES` is skipped unread (memory holds one line at
    most) and quarantined, as is every malformed line: not UTF-8, not JSON (nesting too deep or a
    number too long included), not an object, or an image_id or caption that is not a string.

    An image_id given on several (well-formed) lines keeps its last caption, as the release's zip
    keeps the last of entries sharing a name (and JSON the last of repeated keys); each earlier line
    is quarantined, naming the line that replaced it.
    """
    captions: dict[str, str] = {}
    lines: dict[str, int] = {}   # image_id -> the line its caption came from
    if not path:
        return captions, []
    # The file's name, not its path: quarantine.json must not hold the build machine's paths.
    name = os.path.basename(path)
    problems = FileProblems(name)
    with io.BufferedReader(_open_input(path, MAX_CAPTIONS_BYTES, "captions")) as handle:
        # + 2: a line at the bound and its newline, or one byte more
        for number, line in enumerate(iter(lambda: handle.readline(MAX_CAPTION_LINE_BYTES + 2), b""), 1):
            if len(line) - line.endswith(b"\n") > MAX_CAPTION_LINE_BYTES:
                while line and not line.endswith(b"\n"):   # skip the rest of the line, a bounded chunk at a time
                    line = handle.readline(MAX_CAPTION_LINE_BYTES)
                problems.add(f"{name}:{number}", Q.CAPTION_LINE_TOO_LONG.message(limit=MAX_CAPTION_LINE_BYTES))
                continue
            if not line.strip():
                continue
            try:
                image_id, caption = _caption_record(line)
            except (ValueError, RecursionError) as error:   # JSONDecodeError and UnicodeDecodeError are ValueErrors
                error = "nesting too deep" if isinstance(error, RecursionError) else error
                problems.add(f"{name}:{number}", Q.MALFORMED_CAPTION.message(error=error))
                continue
            if image_id in lines:
                problems.add(f"{name}:{lines[image_id]}", Q.DUPLICATE_CAPTION.message(image_id=image_id, line=number))
            captions[image_id], lines[image_id] = caption, number
    return captions, problems.done()


def _caption_record(line: bytes) -> tuple[str, str]:
    record = json.loads(line.decode("utf-8"))
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__}, expected an object")
    for key in ("image_id", "caption"):
        if key not in record:
            raise ValueError(f"no {key!r}")
        if not isinstance(record[key], str):
            raise ValueError(f"{key} is a JSON {type(record[key]).__name__}, expected a string")
    return record["image_id"], record["caption"]


def load_descriptions(path: str | None) -> dict[str, str]:
    """Category name -> description from one JSON object of strings, or Imagenet3DError (one line):
    over :data:`MAX_DESCRIPTIONS_BYTES` or not a regular file (refused unread), not UTF-8 JSON (nesting
    too deep included), not an object, or a value that is not a string. Memory a few times the file's size at most."""
    if not path:
        return {}
    with io.BufferedReader(_open_input(path, MAX_DESCRIPTIONS_BYTES, "category descriptions")) as handle:
        text = handle.read(MAX_DESCRIPTIONS_BYTES + 1)
    if len(text) > MAX_DESCRIPTIONS_BYTES:   # grew since its size was checked
        raise Imagenet3DError(f"{path}: category descriptions are over {MAX_DESCRIPTIONS_BYTES} bytes")
    try:
        data = json.loads(text.decode("utf-8"))
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError: the user's file, not a bug
        raise Imagenet3DError(f"{path}: category descriptions are not JSON ({error})") from None
    except RecursionError:
        raise Imagenet3DError(f"{path}: category descriptions are not JSON (nesting too deep)") from None
    if not isinstance(data, dict):
        raise Imagenet3DError(f"{path}: category descriptions must be one JSON object")
    for key, value in data.items():
        if not isinstance(value, str):
            raise Imagenet3DError(f"{path}: the description of {key!r} is a JSON {type(value).__name__}, "
                                  "expected a string")
    return data


def _open_input(path: str, limit: int, what: str) -> io.FileIO:
    """``path`` opened as conversion/source.py opens a release's files (a FIFO does not hang, a folder
    or a device is refused), and its size checked; else Imagenet3DError, one line."""
    try:
        handle = open_regular_file(path)
    except NotRegularFile:
        raise Imagenet3DError(f"{path}: {what} not readable (not a regular file)") from None
    except OSError as error:
        raise Imagenet3DError(f"{path}: {what} not readable ({error.strerror})") from None
    try:
        _check_file_size(path, os.fstat(handle.fileno()).st_size, limit, what)
    except BaseException:
        handle.close()
        raise
    return handle


def _check_file_size(path: str, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise Imagenet3DError(f"{path}: {what} file is {size} bytes, over the bound of {limit} bytes: not read")
