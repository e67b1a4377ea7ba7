"""Check: numpy 1.x loads every synthetic annotation file, and writes the same bytes.

The real release was written in 2024 with numpy 1.x; so are the synthetic files
(:func:`imagenet3d.annotation_bytes`: protocol-3 pickles naming ``numpy.core``).
For each side Python given (a virtual environment with numpy 1.x), this runs,
over every ``annotations/*/*.npz`` of a release folder:

1. ``np.load(path, allow_pickle=True)["annotations"]`` there, and compares every
   dict (keys, value types, values) with what the project's restricted reader
   (``_imagenet3d.annotations``) reads here;
2. ``np.savez`` there of the same annotation list built afresh (each value made
   again from its type and value, equal strings one object as in the generator),
   and compares the ``annotations.npy`` member and the whole ``.npz`` with our
   file, byte for byte. (Saving the loaded array instead would differ: numpy
   unpickles every dtype as a copy, so the pickle memo no longer shares them.)

Side environments (Python 3.11)::

    python3 -m venv /tmp/numpy126-venv && /tmp/numpy126-venv/bin/pip install numpy==1.26.4
    python3 -m venv /tmp/numpy124-venv && /tmp/numpy124-venv/bin/pip install numpy==1.24.4

Run (exit status 0 when everything agrees)::

    .venv/bin/python -m benchmarks.check_numpy1_pickles /tmp/release \\
        --python /tmp/numpy126-venv/bin/python --python /tmp/numpy124-venv/bin/python
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from _imagenet3d.annotations import _load_annotation_array

# Runs in the side Python: only numpy and the standard library.
_CHILD = r"""
import base64, io, json, sys, zipfile
import numpy as np

def canon(value):
    if isinstance(value, np.ndarray):
        return ["ndarray", value.dtype.str, value.tolist()]
    if isinstance(value, np.generic):
        return [type(value).__name__, value.item()]
    return [type(value).__name__, value]

def build(kind, *rest):
    if kind == "ndarray":
        return np.array(rest[1], dtype=rest[0])
    if kind == "str":
        return sys.intern(rest[0])
    return rest[0] if kind in ("float", "int", "bool") else getattr(np, kind)(rest[0])

out = {"numpy": np.__version__, "files": {}}
for path in json.load(sys.stdin):
    objects = [{key: canon(value) for key, value in obj.items()}
               for obj in np.load(path, allow_pickle=True)["annotations"]]
    array = np.empty(len(objects), dtype=object)
    array[:] = [{sys.intern(key): build(*value) for key, value in obj.items()}
                for obj in json.loads(json.dumps(objects))]
    buffer = io.BytesIO()
    np.savez(buffer, annotations=array)
    member = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("annotations.npy")
    out["files"][path] = {"objects": objects, "npy": base64.b64encode(member).decode(),
                          "npz": base64.b64encode(buffer.getvalue()).decode()}
json.dump(out, sys.stdout)
"""


def canon(value: Any) -> list:
    """A value as [type name, plain value], the same under numpy 1.x and 2.x (see ``_CHILD``)."""
    if isinstance(value, np.ndarray):
        return ["ndarray", value.dtype.str, value.tolist()]
    if isinstance(value, np.generic):
        return [type(value).__name__, value.item()]
    return [type(value).__name__, value]


def ours(path: Path) -> list[dict]:
    """The dicts of one file as the project's restricted reader reads them."""
    return [{key: canon(value) for key, value in obj.items()} for obj in _load_annotation_array(path.read_bytes())]


def first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at byte {at} of {len(a)} / {len(b)}: {a[at:at + 24]!r} vs {b[at:at + 24]!r}"


def check(python: str, paths: list[Path]) -> bool:
    done = subprocess.run([python, "-c", _CHILD], input=json.dumps([str(p) for p in paths]), text=True,
                          capture_output=True)
    if done.returncode:
        print(f"{python}: np.load failed:\n{done.stderr.strip()}")
        return False
    result = json.loads(done.stdout)
    same_dicts = same_npy = same_npz = 0
    for path in paths:
        theirs = result["files"][str(path)]
        same_dicts += json.loads(json.dumps(ours(path))) == theirs["objects"]
        data = path.read_bytes()
        npy = zipfile.ZipFile(io.BytesIO(data)).read("annotations.npy")
        their_npy, their_npz = base64.b64decode(theirs["npy"]), base64.b64decode(theirs["npz"])
        if npy != their_npy:
            print(f"  {path.name}: .npy member {first_difference(npy, their_npy)}")
        same_npy += npy == their_npy
        same_npz += data == their_npz
    print(f"numpy {result['numpy']} ({python}): {len(paths)} files loaded with np.load(allow_pickle=True); "
          f"dicts equal to the project reader's: {same_dicts}/{len(paths)}; its own np.savez gives the same "
          f".npy member: {same_npy}/{len(paths)}, the same whole .npz: {same_npz}/{len(paths)}")
    return same_dicts == same_npy == len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.check_numpy1_pickles", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path,
                        help="a folder holding imagenet3d_v1/ (python -m synthetic_release write)")
    parser.add_argument("--python", action="append", required=True, help="a side Python with numpy 1.x (repeat)")
    args = parser.parse_args(argv)
    paths = sorted((args.release / "imagenet3d_v1" / "annotations").glob("*/*.npz"))
    if not paths:
        print(f"error: no annotations/*/*.npz under {args.release}/imagenet3d_v1", file=sys.stderr)
        return 2
    results = [check(python, paths) for python in args.python]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
