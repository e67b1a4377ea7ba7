"""What :mod:`zipfile` (Python 3.11) raises for archive bytes that are damaged, crafted or unsupported.

One home for the list, so that every reader of a zip from outside (an annotation ``.npz``, the release's
zip) turns the same failures into its own one-line error. Found by fuzzing (benchmarks/fuzz_readers.py):
besides ``BadZipFile``, zipfile lets through ``NotImplementedError`` (an unknown "zip file version", a
compression method or feature it lacks), ``UnicodeDecodeError`` (a name flagged UTF-8 that is not),
``ValueError`` ("negative seek value" from a lying offset), ``zlib.error`` and ``EOFError`` (a damaged
deflate stream), ``RuntimeError`` (an encrypted entry) and ``OSError`` (the bz2/lzma codecs, the file).
"""

from __future__ import annotations

import struct
import zipfile
import zlib

#: Catch these around ``zipfile.ZipFile(...)``, ``ZipFile.open`` and reads of an entry of untrusted bytes.
ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                                           RuntimeError, ValueError, struct.error)
