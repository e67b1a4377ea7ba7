"""The release's CAD format, ASCII OFF: its reader and its writer."""

from __future__ import annotations

import io
import os
from typing import IO

import numpy as np

from _imagenet3d.errors import OffError
from _imagenet3d.files import PathOrBytes, read_bytes


def read_off(source: PathOrBytes) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (V, 3) float64 and triangle faces (F, 3) int64 of an ASCII OFF.

    Accepts ``OFF`` on its own line or followed by the counts, comments after
    ``#`` and polygons with more than three vertices (fan-triangulated).
    Raises :class:`OffError` (a ValueError) naming what is wrong: a malformed
    header or face, a negative count, a face index out of range, a NaN or
    infinite vertex coordinate (``nan``, ``inf``, or a number beyond float64
    such as ``1e999``). Memory and time are linear in the file's size.
    """
    try:
        text = read_bytes(source).decode("ascii", errors="strict")
    except UnicodeDecodeError as error:
        raise OffError(f"{error} (an OFF file is ASCII text)") from None
    vertices, faces = _read_plain_triangle_off(text) or _read_general_off(text)
    finite = np.isfinite(vertices).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise OffError(f"OFF vertex {int(bad[0])} of {len(vertices)} is NaN or infinite "
                       f"({len(bad)} non-finite vertices)")
    return vertices, faces


def _read_general_off(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Any OFF :func:`read_off` accepts, token by token (comments, counts on the OFF line, polygons)."""
    tokens = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            tokens.extend(line.split())
    if not tokens or not tokens[0].startswith("OFF"):
        raise OffError("not an OFF file: the first token must be 'OFF'")
    head = tokens[0][3:]
    rest = ([head] if head else []) + tokens[1:]
    try:
        n_vertices, n_faces = int(rest[0]), int(rest[1])
        numbers = rest[3:]
        vertices = np.array(numbers[: 3 * n_vertices], dtype=np.float64)
    except (IndexError, ValueError) as error:
        raise OffError(f"malformed OFF header or vertices: {error}") from None
    if n_vertices < 0 or n_faces < 0:
        raise OffError(f"OFF declares a negative count ({n_vertices} vertices, {n_faces} faces)")
    if vertices.size != 3 * n_vertices:
        raise OffError(f"OFF declares {n_vertices} vertices but holds fewer")
    vertices = vertices.reshape(n_vertices, 3)
    face_tokens = numbers[3 * n_vertices:]
    if len(face_tokens) == 4 * n_faces and all(t == "3" for t in face_tokens[::4]):
        try:
            faces = np.array(face_tokens, dtype=np.int64).reshape(n_faces, 4)[:, 1:]
        except (ValueError, OverflowError):   # not an integer, or one beyond int64
            raise OffError("malformed OFF faces") from None
    else:
        faces = _fan_triangulate(face_tokens, n_faces)
    if faces.size and (faces.min() < 0 or faces.max() >= n_vertices):
        raise OffError("OFF face index out of range")
    return vertices, faces


def _read_plain_triangle_off(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The common case (header on two lines, triangles, no comments) through
    numpy's C line parser, 2-3x faster than tokenising; None otherwise."""
    if "#" in text:
        return None
    lines = text.splitlines()
    try:
        if lines[0].strip() != "OFF":
            return None
        n_vertices, n_faces = (int(v) for v in lines[1].split()[:2])
        if n_vertices <= 0 or n_faces <= 0:
            return None  # empty or negative: the general reader decides (loadtxt warns on no data)
        vertices = np.loadtxt(lines[2:2 + n_vertices], dtype=np.float64, ndmin=2)
        faces = np.loadtxt(lines[2 + n_vertices:2 + n_vertices + n_faces], dtype=np.int64, ndmin=2)
    except (IndexError, ValueError):
        return None
    if vertices.shape != (n_vertices, 3) or faces.shape != (n_faces, 4) or (faces[:, 0] != 3).any():
        return None
    faces = faces[:, 1:]
    if faces.size and (faces.min() < 0 or faces.max() >= n_vertices):
        raise OffError("OFF face index out of range")
    return vertices, faces


def _fan_triangulate(tokens: list[str], n_faces: int) -> np.ndarray:
    triangles: list[tuple[int, int, int]] = []
    position = 0
    for _ in range(n_faces):
        try:
            count = int(tokens[position])
            polygon = [int(t) for t in tokens[position + 1: position + 1 + count]]
        except (IndexError, ValueError):
            raise OffError("malformed OFF faces") from None
        if len(polygon) != count or count < 3:
            raise OffError("malformed OFF faces")
        triangles.extend((polygon[0], polygon[i], polygon[i + 1]) for i in range(1, count - 1))
        position += 1 + count
    try:
        return np.array(triangles, dtype=np.int64).reshape(-1, 3)
    except OverflowError:   # an index beyond int64: out of range whatever the vertex count
        raise OffError("OFF face index out of range") from None


def off_bytes(vertices: np.ndarray, faces: np.ndarray) -> bytes:
    """ASCII OFF as in the release: header, '%.6f' vertices, '3 i j k' faces, '\\n' endings."""
    v = np.asarray(vertices, dtype=np.float64).reshape(-1, 3)
    f = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    parts = [f"OFF\n{len(v)} {len(f)} 0\n"]
    if len(v):
        parts.append(("%.6f %.6f %.6f\n" * len(v)) % tuple(v.ravel().tolist()))
    if len(f):
        parts.append(("3 %d %d %d\n" * len(f)) % tuple(f.ravel().tolist()))
    return "".join(parts).encode("ascii")


def write_off(path_or_file: str | os.PathLike | IO, vertices: np.ndarray, faces: np.ndarray) -> None:
    """Write ASCII OFF to a path or an open (binary or text) file object."""
    data = off_bytes(vertices, faces)
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "wb") as fh:
            fh.write(data)
        return
    if isinstance(path_or_file, io.TextIOBase):
        path_or_file.write(data.decode("ascii"))
    else:
        path_or_file.write(data)
