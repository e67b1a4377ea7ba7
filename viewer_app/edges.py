"""The lines of a CAD model worth drawing, and which of their pixels the camera sees.

Drawing every triangle edge of a dense CAD mesh (30k+ vertices) paints a solid
blob that hides the object, so the overlays draw *feature edges* only:

- boundary edges (one adjacent face) and non-manifold edges (three or more);
- crease edges, whose two faces meet at more than :data:`CREASE_DEGREES`;
- silhouette edges under the pose: one adjacent face turned towards the camera,
  the other away from it.

The first two kinds do not depend on the pose: :func:`mesh_topology` finds them
once per mesh (cached by content) together with what the silhouette test needs,
so that per pose only a (F, 3) @ (3,) product and a few gathers remain.

Sparse meshes get feature edges too, not every edge. The threshold is an angle,
not a density: a flat face split into triangles shows no diagonals on any mesh,
and an edge bent by more than the threshold shows on every mesh. The look of an
overlay then does not jump at an arbitrary vertex count, and a 12-triangle cube
reads as the 12 edges of a cube.

Hidden lines are removed by a depth test against the model's own z-buffer
(:func:`zbuffer`, its pixel centres inside faces, nearest 1/z wins), so one
object's hidden parts do not show through it. Objects do not hide each other's
lines: an occluded object's model must stay visible to judge its pose.

Conventions: pixel (x, y) covers [x, x + 1) x [y, y + 1); ``uv`` are pixel
coordinates from :func:`imagenet3d.project`, ``depth`` camera depths.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from _imagenet3d.render import NEAR
from viewer_app.kept import Kept

__all__ = [
    "CREASE_DEGREES", "EdgeTopology", "Samples", "mesh_topology", "feature_edges", "unique_edges",
    "sample_segments", "wireframe_mask", "zbuffer", "visible",
]

#: Faces meeting at more than this many degrees make a crease, drawn at every pose.
CREASE_DEGREES = 35.0
# Meshes whose topology is kept: at most ~50 MB (a 74k-face model takes ~3 MB, a median one ~0.2 MB).
_CACHE_SIZE = 16
# An edge sample is hidden only behind a surface this much nearer (relative 1/z).
_DEPTH_TOLERANCE = 4e-3


@dataclass(frozen=True, eq=False)
class EdgeTopology:
    """What :func:`feature_edges` needs of one mesh; vertex ids index the caller's vertices.

    ``static`` edges (boundary, non-manifold, crease) are drawn at every pose;
    ``candidates`` are the other edges with exactly two faces, drawn where they
    are on the silhouette. ``*_faces`` are each edge's two faces (a boundary edge
    repeats its one face); ``flip`` marks pairs whose faces are wound against
    each other (CAD meshes often are), so one normal must be turned before
    comparing sides. ``orientation`` is +1 / -1 for a closed mesh wound
    consistently outwards / inwards (its back faces can be culled), else 0.
    """

    static: np.ndarray            # (S, 2) int32
    static_faces: np.ndarray      # (S, 2) int32
    candidates: np.ndarray        # (C, 2) int32
    candidate_faces: np.ndarray   # (C, 2) int32
    flip: np.ndarray              # (C,) bool
    normals: np.ndarray           # (3, F) unit face normals by axis, zero for degenerate faces
    offsets: np.ndarray           # (F,) normal . first vertex (the face's plane)
    orientation: int
    num_edges: int                # every unique edge, for comparison

    def facing(self, centre: np.ndarray) -> np.ndarray:
        """(F,) bool: faces whose normal points towards ``centre`` (the camera, in CAD coordinates)."""
        x, y, z = (float(v) for v in np.asarray(centre, dtype=np.float64).reshape(3))
        return self.normals[0] * x + self.normals[1] * y + self.normals[2] * z > self.offsets


def unique_edges(faces: np.ndarray) -> np.ndarray:
    """Each undirected edge of triangles ``faces`` (F, 3) once, as sorted
    pairs (E, 2) int64 in lexicographic order; degenerate edges dropped."""
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    if faces.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    a = faces.reshape(-1)
    b = faces[:, [1, 2, 0]].reshape(-1)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # A stable sort (timsort) is ~10x faster than np.unique's quicksort here: mesh faces come in sorted runs.
    base = int(faces.max()) + 1
    keys = np.sort((lo * base + hi)[lo != hi], kind="stable")
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys
    return np.stack([keys // base, keys % base], axis=1)


# ---------------------------------------------------------------------------
# Pose-independent topology, cached by content
# ---------------------------------------------------------------------------

_topologies: Kept[EdgeTopology] = Kept(_CACHE_SIZE)


def mesh_topology(vertices: np.ndarray, faces: np.ndarray, crease_degrees: float = CREASE_DEGREES
                  ) -> EdgeTopology:
    """The :class:`EdgeTopology` of a mesh, from a cache keyed by the arrays' content.

    The viewer decodes a mesh afresh for every sample, so identity would never hit;
    a SHA-1 of both arrays costs ~1.5 ms against ~20 ms to build a 74k-face topology.
    """
    vertices = np.ascontiguousarray(vertices, dtype=np.float64).reshape(-1, 3)
    faces = np.ascontiguousarray(faces, dtype=np.int64).reshape(-1, 3)
    key = (hashlib.sha1(vertices).digest(), hashlib.sha1(faces).digest(), len(vertices), float(crease_degrees))
    return _topologies.get(key, lambda: _build(vertices, faces, crease_degrees))


def _weld(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(V,) id of each vertex's position and (U,) one vertex per position: CAD
    exports often repeat a vertex along UV or normal seams, which would make
    every seam a boundary. Positions are quantised to 2^-21 of the bounding box
    (21 bits a coordinate fit one int64 key)."""
    count = len(vertices)
    if not count:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    key = np.zeros(count, np.int64)
    for column in vertices.T:
        column = np.where(np.isfinite(column), column, 0.0)  # such vertices only touch dropped faces
        lo, hi = column.min(), column.max()
        key <<= 21
        key |= np.rint((column - lo) * ((2**21 - 1) / max(hi - lo, 1e-12))).astype(np.int64)
    order = np.argsort(key, kind="stable")
    new = np.r_[True, key[order][1:] != key[order][:-1]]
    if new.all():  # the usual case: nothing to weld
        identity = np.arange(count)
        return identity, identity
    welded = np.empty(count, np.int64)
    welded[order] = np.cumsum(new) - 1
    return welded, order[new]


def _build(vertices: np.ndarray, faces: np.ndarray, crease_degrees: float) -> EdgeTopology:
    # Per corner column: contiguous gathers are several times faster than (F, 3, 3) fancy indexing.
    corners = np.ascontiguousarray(faces.T)
    (ax, bx, cx), (ay, by, cy), (az, bz, cz) = (tuple(axis[corners]) for axis in np.ascontiguousarray(vertices.T))
    ux, uy, uz, wx, wy, wz = bx - ax, by - ay, bz - az, cx - ax, cy - ay, cz - az
    nx, ny, nz = uy * wz - uz * wy, uz * wx - ux * wz, ux * wy - uy * wx
    length = np.sqrt(nx * nx + ny * ny + nz * nz)
    # Not `@`: a BLAS call may start threads, which costs more than it saves here.
    signed_volume = float((ax * nx + ay * ny + az * nz).sum())
    welded, first = _weld(vertices)
    wa, wb, wc = welded[corners]
    scale = float(max(np.ptp(column) for column in vertices.T)) if len(vertices) else 1.0
    good = (length > 1e-12 * scale * scale) & (wa != wb) & (wb != wc) & (wa != wc)
    inv = np.where(good, 1.0 / np.where(good, length, 1.0), 0.0)
    nx, ny, nz = nx * inv, ny * inv, nz * inv
    normals = np.stack([nx, ny, nz])
    offsets = nx * ax + ny * ay + nz * az
    face_ids = np.flatnonzero(good)
    empty = np.zeros((0, 2), np.int32)
    if not face_ids.size:
        return EdgeTopology(empty, empty, empty, empty, np.zeros(0, bool), normals.astype(np.float32),
                            offsets.astype(np.float32), 0, 0)

    # Half-edges of the good faces, grouped by their undirected (welded) edge. Gathers
    # rather than integer division (slow in numpy) recover each one's face and ends.
    a = np.stack([wa[face_ids], wb[face_ids], wc[face_ids]], axis=1).reshape(-1)
    b = np.stack([wb[face_ids], wc[face_ids], wa[face_ids]], axis=1).reshape(-1)
    forward = a < b
    low, high = np.where(forward, a, b), np.where(forward, b, a)
    key = low * (int(welded.max()) + 1) + high
    order = np.argsort(key, kind="stable")  # timsort: faces come in long sorted runs
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    first_half, second_half = order[starts], order[np.minimum(starts + 1, len(key) - 1)]
    face_of = np.repeat(face_ids, 3)
    f0, f1 = face_of[first_half], np.where(counts > 1, face_of[second_half], face_of[first_half])
    edges = np.stack([first[low[first_half]], first[high[first_half]]], axis=1)
    flip = forward[first_half] == forward[second_half]
    cosine = nx[f0] * nx[f1] + ny[f0] * ny[f1] + nz[f0] * nz[f1]
    pair = counts == 2
    static = ~pair | (np.where(flip, -cosine, cosine) < math.cos(math.radians(crease_degrees)))
    orientation = 0
    if pair.all() and not flip.any():  # closed and consistently wound: the signed volume says which way
        orientation = 1 if signed_volume > 0 else -1
    # Stored compactly (int32 ids, float32 normals: ~3 MB for a 74k-face mesh) since meshes stay cached.
    pair_faces = np.stack([f0, f1], axis=1).astype(np.int32)
    edges = edges.astype(np.int32)
    candidate = ~static
    return EdgeTopology(edges[static], pair_faces[static], edges[candidate], pair_faces[candidate],
                        flip[candidate], normals.astype(np.float32), offsets.astype(np.float32), orientation,
                        len(starts))


def feature_edges(topology: EdgeTopology, centre: np.ndarray, facing: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Edges (K, 2) to draw with the camera at ``centre`` (CAD coordinates,
    ``-R.T @ t``), and their two faces (K, 2): the static ones, then the
    silhouette ones. ``facing`` may pass :meth:`EdgeTopology.facing` if known."""
    facing = topology.facing(centre) if facing is None else facing
    sides = facing[topology.candidate_faces]
    on_silhouette = sides[:, 0] != (sides[:, 1] ^ topology.flip)
    return (np.concatenate([topology.static, topology.candidates[on_silhouette]]),
            np.concatenate([topology.static_faces, topology.candidate_faces[on_silhouette]]))


# ---------------------------------------------------------------------------
# Segments to pixels
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    """Points along segments, at most 1 px apart along each one's major axis."""

    x: np.ndarray      # float64 pixel coordinates, inside [0, width] x [0, height]
    y: np.ndarray
    segment: np.ndarray  # index of the segment each sample lies on
    t: np.ndarray      # its parameter on the unclipped segment, 0 at the first endpoint

    def pixels(self, width: int, height: int) -> np.ndarray:
        """Flat index y * width + x of the pixel containing each sample. A point on
        the far border belongs to a segment clipped there, so clamping is right."""
        xi = np.minimum(self.x.astype(np.intp), width - 1)  # non-negative: trunc == floor
        return np.minimum(self.y.astype(np.intp), height - 1) * width + xi


def sample_segments(uv: np.ndarray, edges: np.ndarray, width: int, height: int,
                    depth: np.ndarray | None = None) -> Samples:
    """Samples of the parts of segments ``uv[edges]`` inside [0, width] x [0, height]:
    both clipped endpoints and steps of at most 1 px between (8-connected lines).
    Segments with a non-finite endpoint, or with ``depth`` <= 0 at one, are skipped;
    Liang-Barsky clipping bounds the samples per segment by the image size."""
    uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    good = np.isfinite(uv).all(axis=1)
    if depth is not None:
        good &= np.asarray(depth, dtype=np.float64).reshape(-1) > NEAR
    ids = np.flatnonzero(good[edges[:, 0]] & good[edges[:, 1]]) if edges.size else np.zeros(0, np.int64)
    x0, y0 = uv[edges[ids, 0], 0], uv[edges[ids, 0], 1]
    dx, dy = uv[edges[ids, 1], 0] - x0, uv[edges[ids, 1], 1] - y0
    t0, t1 = np.zeros(len(ids)), np.ones(len(ids))
    keep = np.ones(len(ids), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0), (dx, width - x0), (-dy, y0), (dy, height - y0)):
            r = q / p
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
            keep &= ~((p == 0) & (q < 0))
    keep &= t0 < t1  # a segment that only touches the border adds no pixel
    ids, x0, y0, dx, dy, t0, t1 = (v[keep] for v in (ids, x0, y0, dx, dy, t0, t1))
    span = t1 - t0
    steps = np.maximum(np.ceil(np.maximum(np.abs(dx), np.abs(dy)) * span), 1).astype(np.int64)
    n = steps + 1
    k = np.arange(int(n.sum()), dtype=np.float64) - np.repeat(np.cumsum(n) - n, n)
    seg = np.repeat(np.arange(len(ids)), n)
    t = t0[seg] + span[seg] * (k / steps[seg])
    # Clipped endpoints exactly (not through t), so border pixels are found as the clip put them.
    x = np.clip(x0[seg] + t * dx[seg], 0, width)
    y = np.clip(y0[seg] + t * dy[seg], 0, height)
    return Samples(x, y, ids[seg], t)


def wireframe_mask(uv: np.ndarray, edges: np.ndarray, width: int, height: int,
                   depth: np.ndarray | None = None) -> np.ndarray:
    """Pixels (height, width) bool that the segments ``uv[edges]`` cross (see :func:`sample_segments`)."""
    width, height = max(int(width), 0), max(int(height), 0)
    mask = np.zeros(height * width, dtype=bool)
    if mask.size:
        mask[sample_segments(uv, edges, width, height, depth).pixels(width, height)] = True
    return mask.reshape(height, width)


# ---------------------------------------------------------------------------
# The model's z-buffer and hidden lines
# ---------------------------------------------------------------------------

def zbuffer(uv: np.ndarray, depth: np.ndarray, faces: np.ndarray, width: int, height: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Nearest face per pixel: face ids (height, width) int32, -1 where none,
    and 1/depth (height, width) float64, 0 where none.

    The coverage rule of :func:`_imagenet3d.render.rasterize` (pixel centre
    inside the face, edges included; faces touching the camera plane skipped),
    by scanlines: each face's run of pixels on each of its rows comes from its
    three edge functions in closed form, so the work is rows + covered pixels,
    not the pixel boxes of long thin faces (over 10x less on dense CAD meshes).
    """
    uv = np.asarray(uv, dtype=np.float64)
    corners = np.ascontiguousarray(np.asarray(faces, dtype=np.int64).reshape(-1, 3).T)
    face_id = np.full(height * width, -1, np.int32)
    nearest = np.zeros(height * width)
    # Per corner column (contiguous gathers), for every face: reductions over a
    # strided (F, 3) axis cost several times more. Rejected faces get no rows.
    (xa, xb, xc), (ya, yb, yc) = (tuple(uv[:, axis][corners]) for axis in (0, 1))
    za, zb, zc = np.asarray(depth, dtype=np.float64)[corners]
    y_lo = np.maximum(np.ceil(np.minimum(np.minimum(ya, yb), yc) - 0.5), 0)
    y_hi = np.minimum(np.floor(np.maximum(np.maximum(ya, yb), yc) - 0.5), height - 1)
    area = (xb - xa) * (yc - ya) - (yb - ya) * (xc - xa)
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = ((np.minimum(np.minimum(za, zb), zc) > NEAR) & (y_hi >= y_lo) & (np.abs(area) > 1e-12)
                & (np.maximum(np.maximum(xa, xb), xc) > 0.5) & (np.minimum(np.minimum(xa, xb), xc) < width - 0.5))
        # Barycentric weight of each corner as an affine function ex x + ey y + e0 (>= 0 inside).
        inv_area = 1.0 / area
        weights = []
        for (px, py), (qx, qy) in (((xb, yb), (xc, yc)), ((xc, yc), (xa, ya)), ((xa, ya), (xb, yb))):
            ex, ey = (py - qy) * inv_area, (qx - px) * inv_area
            weights.append((ex, ey, -(ex * px + ey * py)))
        iz = (1.0 / za, 1.0 / zb, 1.0 / zc)
    zx, zy, z0 = (sum(w[j] * iz[i] for i, w in enumerate(weights)) for j in range(3))

    # One entry per (face, row): the run of pixel centres inside all three half-planes.
    rows = np.where(keep, y_hi - y_lo + 1, 0).astype(np.int64)
    if not rows.any():
        return face_id.reshape(height, width), nearest.reshape(height, width)
    face = np.repeat(np.arange(rows.size), rows)
    y = np.repeat(y_lo, rows) + (np.arange(face.size) - np.repeat(np.cumsum(rows) - rows, rows))
    yc = y + 0.5
    lo, hi = np.full(face.size, -np.inf), np.full(face.size, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for ex, ey, e0 in weights:
            ex, rest = ex[face], ey[face] * yc + e0[face]
            bound = -rest / ex
            lo = np.where(ex > 0, np.maximum(lo, bound), lo)
            hi = np.where(ex < 0, np.minimum(hi, bound), hi)
            hi = np.where((ex == 0) & (rest < 0), -np.inf, hi)
        x0 = np.maximum(np.ceil(lo - 0.5), 0)
        x1 = np.minimum(np.floor(hi - 0.5), width - 1)
    run = np.where(x1 >= x0, x1 - x0 + 1, 0).astype(np.int64)
    row = np.repeat(np.arange(face.size), run)
    x = np.repeat(x0, run) + (np.arange(row.size) - np.repeat(np.cumsum(run) - run, run))
    f, yr = face[row], y[row]
    z = z0[f] + zx[f] * (x + 0.5) + zy[f] * (yr + 0.5)
    pixel = (yr * width + x).astype(np.int64)
    np.maximum.at(nearest, pixel, z)
    front = z >= nearest[pixel]
    face_id[pixel[front]] = f[front]
    return face_id.reshape(height, width), nearest.reshape(height, width)


def visible(samples: Samples, inv_depth: np.ndarray, faces_of: np.ndarray, face_id: np.ndarray,
            nearest: np.ndarray, to_grid: float = 1.0, grid_origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """(N,) bool: the samples of a model's own lines that its surface does not hide.

    ``inv_depth`` (N,) is each sample's 1/depth, ``faces_of`` (K, 2) the two
    faces of each segment, ``face_id`` and ``nearest`` the model's
    :func:`zbuffer`, whose pixel (0, 0) lies at ``grid_origin`` in a grid of
    ``to_grid`` pixels per sample pixel. A sample
    is kept when one of the 3x3 z-buffer pixels around it is empty, shows one of
    its own faces, or is not nearer than it beyond a small tolerance: a line on
    the surface, at a crease or the outline must not vanish in the rounding.
    """
    height, width = face_id.shape
    if not samples.x.size:
        return np.zeros(0, dtype=bool)
    gx = np.clip(np.floor(samples.x * to_grid - grid_origin[0]).astype(np.intp), 0, width - 1) + 1
    gy = np.clip(np.floor(samples.y * to_grid - grid_origin[1]).astype(np.intp), 0, height - 1) + 1
    # Edge-replicated: beyond the grid is the image border (unknown) or the model's box (empty anyway).
    padded_id = np.pad(face_id, 1, mode="edge")
    padded_z = np.pad(nearest, 1, mode="edge")
    own = faces_of[samples.segment]
    farthest = np.full(samples.x.size, np.inf)
    on_own_face = np.zeros(samples.x.size, dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            at = (gy + dy) * (width + 2) + gx + dx
            farthest = np.minimum(farthest, padded_z.reshape(-1)[at])
            found = padded_id.reshape(-1)[at]
            on_own_face |= (found == own[:, 0]) | (found == own[:, 1])
    return on_own_face | (inv_depth >= farthest * (1.0 - _DEPTH_TOLERANCE))
