"""What :mod:`zipfile` (Python 3.11) raises for archive bytes that are damaged, crafted or unsupported.

One home for the list, so that every reader of a zip from outside (an annotation ``.npz``, the release's
zip) turns the same failures into its own one-line error. Found by fuzzing (benchmarks/fuzz_readers.py):
besides ``BadZipFile``, zipfile lets through ``NotImplementedError`` (an unknown "zip file version", a
compression method or feature it lacks), ``UnicodeDecodeError`` (a name flagged UTF-8 that is not),
``ValueError`` ("negative seek value" from a lying offset), ``zlib.error`` and ``EOFError`` (a damaged
deflate stream), ``RuntimeError`` (an encrypted entry), ``OverflowError`` (a zip64 offset past 2**63, found in review)
and ``OSError`` (the bz2/lzma codecs, the file).
zipfile's own OSErrors carry no errno; one that does (EIO, EMFILE, ENOMEM) is the disk's or the machine's,
not the input's: a reader of a zip on disk re-raises it (conversion/source.py ReleaseSource.read).
"""

from __future__ import annotations

import struct
import zipfile
import zlib

#: Catch these around ``zipfile.ZipFile(...)``, ``ZipFile.open`` and reads of an entry of untrusted bytes.
ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                                           RuntimeError, ValueError, OverflowError, struct.error)
