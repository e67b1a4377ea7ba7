"""Integrity manifest of a built dataset folder: ``manifest.json`` and ``verify``.

The manifest lists every file of the Hugging Face dataset repository folder with its
size and sha256 (plus row counts for Parquet shards), where it came from and which tool
versions wrote it, so a copy or an upload can be checked file by file.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from _imagenet3d.files import atomic_write

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20  # 1 MiB: hashes multi-GB shards in constant memory
TOOL_PACKAGES = ("datasets", "huggingface_hub", "pyarrow", "numpy", "pillow")


def is_hidden(relpath: str) -> bool:
    """True if any part of the POSIX relative path starts with '.'.

    Hidden files cover the build's temp files ('.name.tmp-PID') and tool caches
    ('.cache/', '.huggingface/'), none of which belong in the dataset repository.
    """
    return any(part.startswith(".") for part in relpath.split("/"))


def repo_files(out_dir: str | os.PathLike[str]) -> list[str]:
    """Every non-hidden file under out_dir (manifest.json included), sorted POSIX paths."""
    root = Path(out_dir)
    found: list[str] = []
    # No followlinks: upload_folder's Path.glob("**/*") skips symlinked folders too,
    # so the manifest and the upload see the same files.
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))  # prune, don't descend
        base = Path(folder).relative_to(root)
        for name in filenames:
            if name.startswith(".") or not os.path.isfile(os.path.join(folder, name)):
                continue
            found.append((base / name).as_posix())
    return sorted(found)


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _is_parquet(relpath: str) -> bool:
    return relpath.lower().endswith(".parquet")


def _parquet_counts(path: Path) -> tuple[int, int]:
    """(num_rows, num_row_groups) from the footer only; no data pages are read."""
    with pq.ParquetFile(path) as parquet:
        return parquet.metadata.num_rows, parquet.metadata.num_row_groups


def _file_entry(path: Path, relpath: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    if _is_parquet(relpath):
        entry["num_rows"], entry["num_row_groups"] = _parquet_counts(path)
    return entry


def default_tool_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in TOOL_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None  # recorded as absent rather than failing the build
    return versions


def _content_files(out_dir: Path) -> list[str]:
    # Only the top-level manifest is ours; a data/manifest.json would be content.
    return [relpath for relpath in repo_files(out_dir) if relpath != MANIFEST_NAME]


def _write_atomically(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"), fsync=True)


def write_manifest(out_dir: str | os.PathLike[str], source_fingerprint: dict,
                   tool_versions: dict | None = None) -> dict:
    """Hash every file of out_dir and write out_dir/manifest.json; returns the manifest."""
    root = Path(out_dir)
    manifest = {
        "format_version": FORMAT_VERSION,
        "source": source_fingerprint,
        "tools": default_tool_versions() if tool_versions is None else tool_versions,
        "files": {relpath: _file_entry(root / relpath, relpath) for relpath in _content_files(root)},
    }
    # Sorted keys and no timestamps: the same folder always gives the same bytes.
    _write_atomically(root / MANIFEST_NAME, json.dumps(manifest, sort_keys=True, indent=1) + "\n")
    return manifest


def _load_manifest(root: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(files table, None) or (None, problem)."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return None, f"{MANIFEST_NAME}: missing in {root}"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        return None, f"{MANIFEST_NAME}: cannot be parsed ({error})"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return None, f"{MANIFEST_NAME}: has no 'files' table"
    if manifest.get("format_version") != FORMAT_VERSION:
        return None, f"{MANIFEST_NAME}: unsupported format_version {manifest.get('format_version')!r}"
    return manifest["files"], None


def _safe_relpath(relpath: str) -> bool:
    # A manifest must not point outside the folder (absolute paths, '..').
    parts = relpath.split("/")
    return bool(relpath) and not relpath.startswith("/") and ".." not in parts and "" not in parts


def _check_file(root: Path, relpath: str, entry: Any) -> list[str]:
    if not _safe_relpath(relpath) or is_hidden(relpath):
        return [f"{relpath}: not a valid path for {MANIFEST_NAME}"]
    if not isinstance(entry, dict) or "sha256" not in entry or "size" not in entry:
        return [f"{relpath}: entry in {MANIFEST_NAME} lacks sha256/size"]
    path = root / relpath
    if not path.is_file():
        return [f"{relpath}: listed in {MANIFEST_NAME} but missing"]
    problems = []
    size = path.stat().st_size
    if size != entry["size"]:
        problems.append(f"{relpath}: size {size} bytes, {MANIFEST_NAME} says {entry['size']}")
    elif sha256_file(path) != entry["sha256"]:  # same size: only the hash can tell
        problems.append(f"{relpath}: sha256 mismatch (file changed since {MANIFEST_NAME} was written)")
    if "num_rows" in entry or _is_parquet(relpath):
        problems.extend(_check_parquet(path, relpath, entry))
    return problems


def _check_parquet(path: Path, relpath: str, entry: dict[str, Any]) -> list[str]:
    try:
        num_rows, num_row_groups = _parquet_counts(path)
    except Exception as error:  # pyarrow raises several types for a broken footer
        return [f"{relpath}: unreadable parquet ({type(error).__name__}: {error})"]
    problems = []
    if num_rows != entry.get("num_rows"):
        problems.append(f"{relpath}: {num_rows} rows, {MANIFEST_NAME} says {entry.get('num_rows')}")
    if "num_row_groups" in entry and num_row_groups != entry["num_row_groups"]:
        problems.append(f"{relpath}: {num_row_groups} row groups, "
                        f"{MANIFEST_NAME} says {entry['num_row_groups']}")
    return problems


def verify(out_dir: str | os.PathLike[str]) -> list[str]:
    """Problems found checking out_dir against its manifest.json; empty means intact."""
    root = Path(out_dir)
    if not root.is_dir():
        return [f"{root}: not a folder"]
    files, problem = _load_manifest(root)
    if files is None:
        return [problem or f"{MANIFEST_NAME}: unusable"]
    problems = []
    for relpath in sorted(files):
        problems.extend(_check_file(root, relpath, files[relpath]))
    for relpath in _content_files(root):
        if relpath not in files:
            problems.append(f"{relpath}: present but not listed in {MANIFEST_NAME}")
    return problems


def _run_verify(args: argparse.Namespace) -> int:
    problems = verify(args.out)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    count = len(_content_files(Path(args.out)))
    print(f"OK: {count} files verified")
    return 0


def register(subparsers: Any) -> None:
    """Add ``verify OUT`` to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "verify", help="checks every file against manifest.json",
        description="Check every file of a built dataset folder against its manifest.json: "
                    "sizes, sha256, Parquet row counts, and files missing or not listed.")
    parser.add_argument("out", help="the built dataset folder (holds manifest.json)")
    parser.set_defaults(run=_run_verify)
