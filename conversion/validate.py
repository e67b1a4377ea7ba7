"""Raw release -> validated records, and a quarantine entry for everything bad.

Bad input never stops a build and is never dropped silently: every problem
becomes a ``{"path": ..., "reason": ...}`` entry of the quarantine report.
Release quirks that the format allows (objects without a pose, without
object_status, with distance <= 0, ...) are not problems: those objects are
kept with ``usable = False``.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

import imagenet3d
from _imagenet3d.configs import partition_name
from _imagenet3d.errors import Imagenet3DError, SourceError
from _imagenet3d.pixels import MAX_PIXELS, ImageHeaderTooLong, ImageTooLarge, check_pixels, header_prefix
from _imagenet3d.pixels import sniff as _sniff
from _imagenet3d.reasons import QuarantineReason as Q
from _imagenet3d.reasons import Reason, UnusableReason
from _imagenet3d.release import (
    ANNOTATIONS,
    IMAGE_SUFFIX,
    IMAGES,
    LISTS,
    annotation_relpath,
    folder_of,
    image_relpath,
    parse_cad_relpath,
    parse_list_relpath,
    partner_relpath,
)
from conversion import exif
from conversion import source as _source
from conversion.source import ReleaseSource, UnreadableEntry

# Boxes may overshoot the image by rounding; more than this is an error.
_BBOX_SLACK = 1.0
_OBJECT_KEYS = ("category", "bbox", "azimuth", "elevation", "theta", "distance", "viewport",
                "focal", "px", "py", "cad_index", "object_status", "dense", "usable")


@dataclass(frozen=True)
class Candidate:
    """An image the split lists name, with both of its files present."""

    category: str
    stem: str
    split: str  # Hub split name: train or validation

    @property
    def image_id(self) -> str:
        return f"{self.category}/{self.stem}"

    @property
    def image_path(self) -> str:
        return image_relpath(self.category, self.stem)

    @property
    def annotation_path(self) -> str:
        return annotation_relpath(self.category, self.stem)

    @property
    def known(self) -> bool:
        return imagenet3d.CATEGORY_INFO[self.category].known

    @property
    def partition(self) -> str:
        """Which group of shards holds the image: split x known/novel."""
        return partition_name(self.split, self.known)


def quarantine(path: str, reason: Reason) -> dict:
    """A quarantine.json entry; ``reason`` is a QuarantineReason's message (only its text is written)."""
    return {"path": path, "reason": reason}


#: Quarantine entries one input file (a split list, the captions) adds at most; past it one entry
#: (QuarantineReason.MORE_PROBLEMS) counts the rest. Keeps a file of bad lines from making a report
#: (and a memory) a hundred times its size: a 1 MiB file of "x" lines is 524,288 problems.
MAX_PROBLEMS_PER_FILE = 1000


class FileProblems:
    """The quarantine entries of one input file: the first MAX_PROBLEMS_PER_FILE, then a count."""

    def __init__(self, path: str) -> None:
        self.path, self.more = path, 0
        self.entries: list[dict] = []

    def add(self, path: str, reason: Reason) -> None:
        if len(self.entries) < MAX_PROBLEMS_PER_FILE:
            self.entries.append(quarantine(path, reason))
        else:
            self.more += 1

    def done(self) -> list[dict]:
        if not self.more:
            return self.entries
        return self.entries + [quarantine(self.path, Q.MORE_PROBLEMS.message(
            count=self.more, shown=MAX_PROBLEMS_PER_FILE))]


def plan_candidates(source: ReleaseSource) -> tuple[list[Candidate], list[dict]]:
    """The images to convert, from the split lists, and the list-level problems. Bounded: each list
    by its size (conversion/source.py), all of them together to naming at most ``MAX_ENTRIES`` images
    (each needs two files), else SourceError."""
    problems = [quarantine(name, Q.UNSAFE_ZIP_ENTRY.message()) for name in source.unsafe]
    problems += [quarantine(relpath, Q.DUPLICATE_ZIP_ENTRY.message(count=count))
                 for relpath, count in sorted(source.duplicates.items())]
    problems += [quarantine(relpath, reason) for relpath, reason in source.refused_links]
    listed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in source.entries:
        listing = parse_list_relpath(entry.relpath)
        if folder_of(entry.relpath) == LISTS and not listing:
            problems.append(quarantine(entry.relpath, Q.NOT_A_LIST.message()))
            continue
        if not listing:
            continue
        category, split = listing[0], imagenet3d.RELEASE_SPLITS[listing[1]]
        if category not in imagenet3d.CATEGORY_INFO:
            problems.append(quarantine(entry.relpath, Q.UNKNOWN_CATEGORY.message(category=category)))
            continue
        try:
            stems = source.read(entry.relpath).decode("utf-8").split()
        except UnreadableEntry as error:   # over its bound, or damaged in the zip
            problems.append(quarantine(entry.relpath, error.reason))
            continue
        except UnicodeDecodeError as error:
            problems.append(quarantine(entry.relpath, Q.UNREADABLE_LIST.message(error=error)))
            continue
        repeated = FileProblems(entry.relpath)
        for stem, count in Counter(stems).items():
            if count > 1:
                repeated.add(entry.relpath, Q.LISTED_TWICE.message(stem=stem, count=count))
            listed[(category, stem)].append(split)
        problems += repeated.done()
        if len(listed) > _source.MAX_ENTRIES:
            raise SourceError(f"{source.path}: the split lists name more than {_source.MAX_ENTRIES} images "
                              f"(up to its list {entry.relpath}): not an ImageNet3D release")

    files = set(source.by_path)
    candidates, named = [], set()
    for (category, stem), splits in sorted(listed.items()):
        candidate = Candidate(category, stem, splits[0])
        named.update((candidate.image_path, candidate.annotation_path))
        if len(set(splits)) > 1:
            problems.append(quarantine(candidate.image_path, Q.IN_BOTH_SPLITS.message()))
            continue
        missing = [p for p in (candidate.image_path, candidate.annotation_path) if p not in files]
        if missing:
            for path in missing:
                other = "annotation" if folder_of(path) == IMAGES else "image"
                problems.append(quarantine(path, Q.MISSING_ONE.message(other=other)
                                           if len(missing) == 1 else Q.MISSING_BOTH.message()))
            continue
        candidates.append(candidate)
    for path in sorted(files - named):
        if folder_of(path) in (IMAGES, ANNOTATIONS):
            kind = "image" if folder_of(path) == IMAGES else "annotation"
            reason = (Q.WITHOUT_PARTNER.message(kind=kind, partner="annotation" if kind == "image" else "image")
                      if partner_relpath(path) not in files else Q.NOT_LISTED.message(kind=kind))
            problems.append(quarantine(path, reason))
    candidates.sort(key=lambda c: (c.partition, c.category, c.stem))
    return candidates, problems


def cad_models_present(source: ReleaseSource) -> set[tuple[str, int]]:
    return {model for model in map(parse_cad_relpath, (entry.relpath for entry in source.entries)) if model}


class BadInput(Imagenet3DError):
    """One image (or its annotation) that cannot go into the dataset; ``reason`` is a
    QuarantineReason's message (or, for ``--strict``, the summary of them)."""

    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path
        self.reason = reason


def inspect_image(data: bytes, path: str) -> tuple[int, int]:
    """Stored width and height of a JPEG/PNG, after checking its structure.

    The header must parse and the file must end with its end marker (JPEG
    EOI, PNG IEND): that catches zero-byte, truncated and header-corrupt
    files without decoding. Corruption inside the compressed stream is not
    caught: libjpeg only warns about it, and Pillow decodes such files anyway
    (measured: zeroed or garbled middles decode without an error).
    Bounded: no more than ``pixels.MAX_HEADER_BYTES`` of header is walked (by sniff, or by Pillow when
    sniff cannot tell the size), and 64 bytes of tail; memory nothing beyond ``data``.
    """
    if not data:
        raise BadInput(path, Q.ZERO_BYTE.message())
    try:
        image_format, size = _sniff(data)
    except ImageHeaderTooLong as error:   # Pillow would walk it a byte at a time
        raise BadInput(path, Q.CORRUPT_IMAGE.message(error=error)) from None
    if size is None:  # unusual header: let Pillow judge, from the bounded prefix that holds a header
        try:
            with Image.open(io.BytesIO(header_prefix(data) if image_format else data)) as image:
                image_format, size = image.format, image.size
        except Image.DecompressionBombError:  # over twice Pillow's bound, and Pillow says no more
            raise BadInput(path, Q.DECOMPRESSION_BOMB.message(limit=MAX_PIXELS)) from None
        except Exception as error:  # Pillow raises many types for broken files
            # UnidentifiedImageError's text holds the stream's repr, a memory address: quarantine.json
            # would differ from run to run.
            detail = "cannot identify image file" if isinstance(error, UnidentifiedImageError) else error
            raise BadInput(path, Q.CORRUPT_IMAGE.message(error=detail)) from None
    # Decided from the header, before anything decodes it (_imagenet3d/pixels.py says why this bound).
    try:
        check_pixels(*size)
    except ImageTooLarge as error:
        raise BadInput(path, error.reason) from None
    if image_format not in ("JPEG", "PNG"):
        raise BadInput(path, Q.UNSUPPORTED_FORMAT.message(format=image_format))
    if not _has_end_marker(data, image_format):
        raise BadInput(path, Q.NO_END_MARKER.message(format=image_format))
    return size


def _has_end_marker(data: bytes, image_format: str) -> bool:
    tail = data[-64:].rstrip(b"\x00")  # some writers pad after the end marker
    if image_format == "JPEG":
        return tail.endswith(b"\xff\xd9")
    return b"IEND" in tail


def build_record(source: ReleaseSource, candidate: Candidate, cad_models: set[tuple[str, int]],
                 captions: dict[str, str], quarantined_cad: frozenset[tuple[str, int]] = frozenset()
                 ) -> tuple[dict, list[dict], list[dict]]:
    """The dataset row of one image, its quarantined parts (a bad caption) and notes
    (what was changed on the way). Raises BadInput for an image that cannot go in, e.g. one
    whose object uses a CAD model not in ``cad_models`` (missing, or in ``quarantined_cad``)."""
    try:
        image_bytes = source.read(candidate.image_path)
        width, height = inspect_image(image_bytes, candidate.image_path)
        objects = imagenet3d.read_annotations(source.read(candidate.annotation_path))
    except UnreadableEntry as error:   # over its folder's size bound, or damaged in the zip
        raise BadInput(error.path, error.reason) from None
    except imagenet3d.AnnotationError as error:
        raise BadInput(candidate.annotation_path, Q.BAD_ANNOTATION.message(error=error)) from None
    notes, problems = [], []
    image_bytes = _match_orientation(image_bytes, objects, width, height, candidate, notes)
    for k, obj in enumerate(objects):
        _check_object(obj, k, width, height, candidate, cad_models, quarantined_cad)
    caption = captions.get(candidate.image_id)
    if caption is not None and caption.count("<pose6D>") != len(objects):
        problems.append(quarantine(f"captions:{candidate.image_id}", Q.CAPTION_TOKENS.message(
            tokens=caption.count("<pose6D>"), objects=len(objects))))
        caption = None
    info = imagenet3d.CATEGORY_INFO[candidate.category]
    row = {
        "image": {"bytes": image_bytes, "path": f"{candidate.category}/{candidate.stem}{IMAGE_SUFFIX}"},
        "image_id": candidate.image_id,
        "category": candidate.category,
        "category_id": info.index,
        "super_category": info.super_category,
        "known": info.known,
        "synset": candidate.stem.split("_")[0],
        "width": width,
        "height": height,
        "caption": caption,
        "objects": [{key: obj[key] for key in _OBJECT_KEYS} for obj in objects],
    }
    return row, problems, notes


def _match_orientation(data: bytes, objects: list[dict], width: int, height: int,
                       candidate: Candidate, notes: list[dict]) -> bytes:
    """Make decoders show the grid the annotation was drawn on (see conversion.exif)."""
    sizes = {(o["width"], o["height"]) for o in objects if o["width"] is not None}
    turned = exif.orientation(data) if data[:2] == b"\xff\xd8" else 1
    if sizes and sizes != {(width, height)}:
        if turned in (5, 6, 7, 8) and sizes == {(height, width)}:
            return data  # annotated on the displayed grid: keep the tag
        raise BadInput(candidate.annotation_path,
                       Q.SIZE_MISMATCH.message(sizes=sorted(sizes), width=width, height=height))
    if turned != 1:
        notes.append({"path": candidate.image_path, "note": f"EXIF orientation {turned} set to 1 in place: "
                      "the annotation refers to the stored pixel grid"})
        return exif.neutralise_orientation(data)
    return data


def _check_object(obj: dict, k: int, width: int, height: int, candidate: Candidate,
                  cad_models: set[tuple[str, int]],
                  quarantined_cad: frozenset[tuple[str, int]] = frozenset()) -> None:
    path = candidate.annotation_path
    if obj["category"] != candidate.category:
        raise BadInput(path, Q.WRONG_CLASS.message(k=k, category=obj["category"], folder=candidate.category))
    unusable = {reason.code for reason in obj["unusable_reasons"]}
    if UnusableReason.NON_FINITE_POSE in unusable:
        raise BadInput(path, Q.NON_FINITE_POSE.message(k=k))
    if UnusableReason.MALFORMED_BBOX in unusable:
        raise BadInput(path, Q.BBOX_NOT_FOUR_NUMBERS.message(k=k))
    bbox = obj["bbox"]
    if bbox is not None:
        x1, y1, x2, y2 = bbox
        if not all(math.isfinite(v) for v in bbox) or x2 < x1 or y2 < y1:
            raise BadInput(path, Q.MALFORMED_BBOX.message(k=k, bbox=bbox))
        if x1 < -_BBOX_SLACK or y1 < -_BBOX_SLACK or x2 > width + _BBOX_SLACK or y2 > height + _BBOX_SLACK:
            raise BadInput(path, Q.BBOX_OUTSIDE.message(k=k, bbox=bbox, width=width, height=height))
    model = (candidate.category, obj["cad_index"])
    if obj["cad_index"] is not None and model not in cad_models:
        why = Q.QUARANTINED_CAD if model in quarantined_cad else Q.MISSING_CAD
        raise BadInput(path, why.message(k=k, cad_index=obj["cad_index"], path=imagenet3d.cad_relpath(*model)))
