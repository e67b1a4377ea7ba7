"""Resuming a killed ``write``: a journal of finished images, and sweeping dead writers' temp files.

The journal, ``OUT/.synthetic_release.progress.jsonl`` (hidden), starts with a
header naming what is being written (the release marker: seed, categories,
images per category, generator version). Each image gets a line once both of
its files are in the tree under their final names: its id, its caption, quirks
and object count (what the captions file and the manifest need) and the sizes
of its two files; each CAD model a line with its path and size. A rerun with
the same header skips every image and model whose line is there and whose
files still have those sizes; any other header starts afresh. A torn last line (killed mid-write) is cut off.
The journal is removed when the release is complete, so a finished release
holds exactly what an uninterrupted run writes.

Safe against a killed process (SIGKILL, OOM): written files are in the page
cache; not against a power cut (nothing is fsynced).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

JOURNAL_NAME = ".synthetic_release.progress.jsonl"


@dataclass(frozen=True)
class Finished:
    """What a finished image contributes to the captions and the manifest."""

    caption: str
    quirks: tuple[str, ...]
    objects: int
    sizes: tuple[int, int]  # image, annotation


class Journal:
    """Append-only record of finished images for one set of write arguments."""

    def __init__(self, out: Path, header: dict) -> None:
        self.path = Path(out) / JOURNAL_NAME
        self.header = header
        self._handle: BinaryIO | None = None  # opened by load()
        self._files: dict[str, int] = {}  # other finished files (CAD models): relpath -> size

    def load(self, release_root: Path, relpaths: dict[str, tuple[str, str]]) -> dict[str, Finished]:
        """Finished images still on disk, by image id; ``relpaths`` maps an id to its two files.

        Opens the journal for appending (a fresh one when absent or for other arguments).
        """
        finished: dict[str, Finished] = {}
        good_end = 0
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = b""
        lines = data.split(b"\n")[:-1]  # the part after the last newline is torn
        if lines and _parse(lines[0]) == {"header": self.header}:
            good_end = len(lines[0]) + 1
            for line in lines[1:]:
                entry = _parse(line)
                if isinstance(entry, dict) and isinstance(entry.get("file"), str) and type(entry.get("size")) is int:
                    self._files[entry["file"]] = entry["size"]
                elif isinstance(entry, dict) and _valid(entry):
                    finished[entry["id"]] = Finished(entry["caption"], tuple(entry["quirks"]), entry["objects"],
                                                     (entry["sizes"][0], entry["sizes"][1]))
                else:
                    break
                good_end += len(line) + 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if good_end == 0:
            self.path.write_bytes(_line({"header": self.header}))
        elif good_end < len(data):
            os.truncate(self.path, good_end)
        self._handle = open(self.path, "ab")
        return {image_id: entry for image_id, entry in finished.items()
                if image_id in relpaths and _sizes(release_root, relpaths[image_id]) == entry.sizes}

    def record(self, image_id: str, entry: Finished) -> None:
        """Note a finished image; call after both its files have their final names."""
        self._append({"id": image_id, "caption": entry.caption, "quirks": list(entry.quirks),
                      "objects": entry.objects, "sizes": list(entry.sizes)})

    def record_file(self, relpath: str, size: int) -> None:
        """Note another finished file of the release (a CAD model), once it has its final name."""
        self._append({"file": relpath, "size": size})

    def _append(self, record: dict) -> None:
        if self._handle is None:
            raise RuntimeError("Journal.load() opens the journal before anything is recorded")
        self._handle.write(_line(record))
        self._handle.flush()

    def files_present(self, release_root: Path, relpaths: list[str]) -> set[str]:
        """Which of ``relpaths`` a run recorded (``record_file``) and still have their recorded size."""
        present = set()
        for relpath in relpaths:
            size = self._files.get(relpath)
            if size is not None and _sizes(release_root, (relpath,)) == (size,):
                present.add(relpath)
        return present

    def finish(self) -> None:
        """The release is complete: remove the journal."""
        self.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _line(record: dict) -> bytes:
    return (json.dumps(record, sort_keys=True) + "\n").encode()


def _parse(line: bytes) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _valid(entry: dict) -> bool:
    return (isinstance(entry.get("id"), str) and isinstance(entry.get("caption"), str)
            and isinstance(entry.get("quirks"), list) and all(isinstance(q, str) for q in entry["quirks"])
            and type(entry.get("objects")) is int and isinstance(entry.get("sizes"), list)
            and len(entry["sizes"]) == 2 and all(type(s) is int for s in entry["sizes"]))


def _sizes(root: Path, relpaths: tuple[str, ...]) -> tuple[int, ...] | None:
    try:
        return tuple(os.stat(root / relpath).st_size for relpath in relpaths)
    except OSError:
        return None
