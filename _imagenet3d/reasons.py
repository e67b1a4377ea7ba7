"""Reason codes: why an object is unusable, and why the converter quarantined an input.

Each enum member carries its message template. :meth:`message` fills it in and returns a
:class:`Reason`, a ``str`` (the message, exactly what outputs hold: ``unusable_reasons``,
``quarantine.json``) that also carries its member as ``.code``. Code decides by the code,
never by the text, so a message can be reworded without changing any decision.
"""

from __future__ import annotations

import enum
from typing import Any, Self


class _Coded(enum.Enum):
    """An enum whose values are message templates (``str.format`` fields)."""

    @property
    def template(self) -> str:
        return str(self.value)

    def message(self, **details: Any) -> Reason:
        """The message with ``details`` filled in, tagged with this member."""
        return Reason(self, self.template.format(**details))


class Reason(str):
    """A message as written into outputs, tagged with the enum member that produced it."""

    code: _Coded

    def __new__(cls, code: _Coded, text: str) -> Self:
        reason = super().__new__(cls, text)
        reason.code = code
        return reason

    def __reduce__(self) -> tuple[Any, ...]:  # pickles to forked workers and back with its code
        return (type(self), (self.code, str(self)))


@enum.unique
class UnusableReason(_Coded):
    """Why :func:`normalize_object` marks an object ``usable = False`` (the official
    preprocessing would drop it)."""

    MISSING_POSE = "missing pose keys: {keys}"
    NON_FINITE_POSE = "non-finite pose value"
    DISTANCE_NOT_POSITIVE = "distance <= 0"
    MISSING_STATUS = "missing object_status"
    STATUS_BAD = "object_status is status_bad"
    UNKNOWN_STATUS = "unknown object_status {status!r}"
    IGNORED = "ignore flag set"
    MALFORMED_BBOX = "malformed bbox"
    NOT_STORED = "ignore flag set or malformed bbox in the release (the dataset keeps neither)"


@enum.unique
class QuarantineReason(_Coded):
    """Why the converter left an input out of the dataset (``quarantine.json`` entries)."""

    # The release's listing (conversion/validate.py plan_candidates)
    UNSAFE_ZIP_ENTRY = "unsafe zip entry (empty name, absolute path or '..'): not read"
    DUPLICATE_ZIP_ENTRY = "{count} zip entries have this name: only the last is read"
    LINK_NOT_FOLLOWED = "symbolic link {what}: not followed, not read"
    # Any file of the release (conversion/source.py ReleaseSource.read)
    ENTRY_TOO_LARGE = "{what} size {size} bytes is over the {limit}-byte bound for a file in {folder}: not read"
    UNREADABLE_ENTRY = "unreadable file in the release: {error}"
    NOT_A_LIST = "not a <category>_imagenet_{{train,val}}.txt list"
    UNKNOWN_CATEGORY = "unknown category {category!r}"
    UNREADABLE_LIST = "unreadable list: {error}"
    LISTED_TWICE = "{stem} listed {count} times; kept once"
    IN_BOTH_SPLITS = "listed in both train and val"
    MISSING_ONE = "listed in lists/ but missing (its {other} exists)"
    MISSING_BOTH = "listed in lists/ but missing"
    WITHOUT_PARTNER = "{kind} without its {partner}"
    NOT_LISTED = "{kind} not named by any split list"
    # Any input file with many problems (a split list, the captions): the first are listed, then this
    MORE_PROBLEMS = "{count} more problems in this file, not listed one by one (the first {shown} are)"
    # Inputs beside the release
    MALFORMED_CAPTION = "malformed caption line: {error!r}"
    CAPTION_LINE_TOO_LONG = "caption line longer than {limit} bytes: not read"
    DUPLICATE_CAPTION = "caption of {image_id!r} given again on line {line}: only the last is used"
    CAPTION_TOKENS = "caption has {tokens} <pose6D> tokens for {objects} objects; caption left out"
    # One image (conversion/validate.py inspect_image)
    ZERO_BYTE = "zero-byte file"
    CORRUPT_IMAGE = "corrupt or truncated image: {error}"
    UNSUPPORTED_FORMAT = "unsupported image format {format}"
    NO_END_MARKER = "corrupt or truncated image: no {format} end marker"
    IMAGE_TOO_LARGE = "image is {width}x{height} = {pixels} pixels, over the {limit} limit: not decoded"
    DECOMPRESSION_BOMB = "image header refused as a decompression bomb (over twice {limit} pixels): not decoded"
    # Its annotation (conversion/validate.py build_record)
    BAD_ANNOTATION = "{error}"
    SIZE_MISMATCH = "annotation image size {sizes} differs from the image's {width}x{height}"
    WRONG_CLASS = "object {k} has class {category!r} in the {folder} folder"
    NON_FINITE_POSE = "object {k} has a NaN or infinite pose value"
    BBOX_NOT_FOUR_NUMBERS = "object {k} has a bbox that is not 4 numbers"
    MALFORMED_BBOX = "object {k} has a malformed bbox {bbox}"
    BBOX_OUTSIDE = "object {k} bbox {bbox} lies outside the {width}x{height} image"
    MISSING_CAD = "object {k} uses cad_index {cad_index} but {path} is missing"
    QUARANTINED_CAD = "object {k} uses cad_index {cad_index} but {path} is quarantined"
    # A CAD model (conversion/derived_configs.py write_cad_models)
    BAD_CAD = "unreadable CAD model: {error}"


@enum.unique
class HubFault(_Coded):
    """What stopped a read from, or a push to, the Hub once the retries were spent (_imagenet3d/hub_faults.py
    tells them apart by exception type and status code; conversion/hub/push.py adds FILES_DIFFER)."""

    RATE_LIMITED = "the Hub is rate-limiting these requests (HTTP 429{detail})"
    SERVER_ERROR = "the Hub answered HTTP {status}"
    TIMED_OUT = "the Hub did not answer in time ({error})"
    DROPPED = "the connection to the Hub dropped ({error})"
    UNREACHABLE = "no connection to the Hub ({error})"
    FILES_DIFFER = "the Hub's files differ from {manifest} ({count} problem(s))"
