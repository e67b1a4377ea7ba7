"""viewer_app.overlay and viewer_app.edges: feature edges, the rasterisers, and overlays that land on the object.

Changed on purpose in issue 12 (and adapted here): "wireframe" draws the model's visible feature edges
(boundary, crease, silhouette; hidden lines removed) instead of every triangle edge, so the exact-mask test
and the silhouette test compare against feature edges and the rendered outline.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import imagenet3d
from _imagenet3d.render import face_shading, rasterize
from synthetic_release import scenes as synthetic
from synthetic_release.check import release_plan
from viewer_app.colours import OBJECT_COLOURS
from viewer_app.edges import feature_edges, mesh_topology, unique_edges, wireframe_mask, zbuffer
from viewer_app.overlay import (
    FILL_ALPHA,
    KINDS,
    PREDICTION_STYLES,
    WIREFRAME_ALPHA,
    View,
    draw_overlays,
    render_view,
    view_geometry,
    zoom_region,
)

ALL_KINDS = set(KINDS)
TETRAHEDRON = (
    np.array([[0, 0, 0], [0.3, 0, 0], [0, 0.3, 0], [0, 0, 0.3]], dtype=np.float64) - 0.1,
    np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]),
)


def cube(split: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A unit cube, 12 triangles wound outwards; ``split`` gives every face its own 4 vertices (as CAD exports
    with per-face normals do), which must still weld into one closed cube."""
    corners = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
    quads = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
    if not split:
        return corners, np.array([t for a, b, c, d in quads for t in ([a, b, c], [a, c, d])])
    vertices = np.concatenate([corners[q] for q in quads])
    faces = np.array([t for i in range(6) for t in ([4 * i, 4 * i + 1, 4 * i + 2], [4 * i, 4 * i + 2, 4 * i + 3])])
    return vertices, faces


def grid_plane(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A flat n x n grid of squares, each split into two triangles, in the z = 0 plane."""
    xs, ys = np.meshgrid(np.linspace(-0.4, 0.4, n + 1), np.linspace(-0.3, 0.3, n + 1))
    vertices = np.stack([xs.ravel(), ys.ravel(), np.zeros(xs.size)], axis=1)
    i, j = np.meshgrid(np.arange(n), np.arange(n))
    a = (j * (n + 1) + i).ravel()
    faces = np.concatenate([np.stack([a, a + 1, a + n + 2], 1), np.stack([a, a + n + 2, a + n + 1], 1)])
    return vertices, faces


def sphere(subdivisions: int, radius: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """An icosphere: 10 * 4**s + 2 vertices, 20 * 4**s faces, wound outwards."""
    t = (1 + 5 ** 0.5) / 2
    vertices = np.array([[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t], [0, -1, -t],
                         [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]], dtype=np.float64)
    faces = np.array([[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4],
                      [11, 10, 2], [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9],
                      [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]])
    for _ in range(subdivisions):
        edges = unique_edges(faces)
        mids = {tuple(e): len(vertices) + i for i, e in enumerate(edges.tolist())}
        vertices = np.concatenate([vertices, (vertices[edges[:, 0]] + vertices[edges[:, 1]]) / 2])

        def mid(a, b):
            return np.array([mids[(min(x, y), max(x, y))] for x, y in zip(a, b)])
        a, b, c = faces.T
        ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
        faces = np.concatenate([np.stack(f, 1) for f in ((a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca))])
    return radius * vertices / np.linalg.norm(vertices, axis=1, keepdims=True), faces


def camera_centre(obj: dict) -> np.ndarray:
    _, R, t = imagenet3d.camera_matrices(obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                         obj["px"], obj["py"], obj["viewport"], obj["focal"])
    return -R.T @ t


def make_object(**overrides) -> dict:
    obj = {
        "category": "chair", "bbox": [20.0, 15.0, 80.0, 70.0], "azimuth": 0.4, "elevation": 0.3,
        "theta": 0.1, "distance": 6.0, "px": 50.0, "py": 40.0, "viewport": 3000, "focal": 1.0,
        "cad_index": 1, "object_status": "status_good", "dense": "dense_no", "usable": True,
    }
    return {**obj, **overrides}


def dilate(mask: np.ndarray) -> np.ndarray:
    """3x3 binary dilation (1 px, 8-neighbourhood)."""
    rows = mask.copy()
    rows[1:] |= mask[:-1]
    rows[:-1] |= mask[1:]
    out = rows.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


# ---------------------------------------------------------------------------
# unique_edges
# ---------------------------------------------------------------------------


def test_unique_edges_of_a_tetrahedron():
    edges = unique_edges(TETRAHEDRON[1])
    assert edges.shape == (6, 2)
    assert (edges[:, 0] < edges[:, 1]).all()
    assert {tuple(e) for e in edges.tolist()} == {(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)}


def test_unique_edges_of_two_triangles_sharing_an_edge():
    edges = unique_edges(np.array([[0, 1, 2], [2, 1, 3]]))
    assert edges.tolist() == [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]]


def test_unique_edges_drops_degenerate_edges_and_handles_empty():
    assert unique_edges(np.array([[0, 0, 1]])).tolist() == [[0, 1]]
    assert unique_edges(np.zeros((0, 3), dtype=np.int64)).shape == (0, 2)


# ---------------------------------------------------------------------------
# wireframe_mask
# ---------------------------------------------------------------------------


def test_horizontal_segment_covers_exactly_its_pixels():
    uv = np.array([[2.5, 3.5], [7.5, 3.5]])
    mask = wireframe_mask(uv, np.array([[0, 1]]), 10, 6)
    expected = np.zeros((6, 10), dtype=bool)
    expected[3, 2:8] = True
    assert mask.shape == (6, 10)
    np.testing.assert_array_equal(mask, expected)


def test_diagonal_segment_is_8_connected():
    mask = wireframe_mask(np.array([[0.5, 0.5], [9.5, 9.5]]), np.array([[0, 1]]), 10, 10)
    np.testing.assert_array_equal(mask, np.eye(10, dtype=bool))


def test_segment_crossing_the_border_is_clipped():
    uv = np.array([[-1e6, 2.5], [1e6, 2.5]])  # would be 2e6 samples without clipping
    mask = wireframe_mask(uv, np.array([[0, 1]]), 8, 5)
    assert mask[2].all() and mask.sum() == 8


def test_segments_outside_the_image_do_not_crash():
    uv = np.array([[-50.0, -5.0], [-10.0, -40.0], [200.0, 3.0], [300.0, 90.0], [np.nan, 1.0], [np.inf, 2.0]])
    edges = np.array([[0, 1], [2, 3], [0, 4], [4, 5], [1, 3]])
    mask = wireframe_mask(uv, edges, 20, 10)
    assert mask.shape == (10, 20)
    assert not mask.any()  # [1, 3] runs from (-10, -40) to (300, 90): above the image at x < 20
    assert not wireframe_mask(uv, np.zeros((0, 2), dtype=np.int64), 20, 10).any()


def test_many_segments_at_once_equal_one_at_a_time():
    # Enough samples to span several internal chunks of the rasteriser.
    rng = np.random.default_rng(5)
    uv = rng.uniform(-40, 240, (1200, 2))
    edges = rng.integers(0, len(uv), (1500, 2))  # ~150k samples
    together = wireframe_mask(uv, edges, 200, 150)
    apart = np.zeros_like(together)
    for edge in edges:
        apart |= wireframe_mask(uv, edge[None], 200, 150)
    assert together.sum() > 10_000
    np.testing.assert_array_equal(together, apart)


def test_segments_behind_the_camera_are_skipped():
    uv = np.array([[1.5, 1.5], [8.5, 1.5], [1.5, 4.5]])
    edges = np.array([[0, 1], [0, 2]])
    mask = wireframe_mask(uv, edges, 10, 6, depth=np.array([1.0, -1.0, 2.0]))
    assert not mask[1, 2:].any()   # the edge to the vertex behind the camera
    assert mask[1:5, 1].all()      # the other one


# ---------------------------------------------------------------------------
# draw_overlays
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["L", "CMYK", "RGB", "RGBA", "P"])
def test_draw_overlays_returns_rgb_of_the_same_size(mode):
    image = Image.new("RGB", (100, 80), (120, 90, 60)).convert(mode)
    out = draw_overlays(image, [make_object()], {0: TETRAHEDRON}, ALL_KINDS)
    assert out.mode == "RGB" and out.size == (100, 80)
    assert out is not image


def test_the_input_image_is_not_modified():
    image = Image.new("RGB", (100, 80), (10, 20, 30))
    before = np.asarray(image).copy()
    draw_overlays(image, [make_object()], {0: TETRAHEDRON}, ALL_KINDS)
    np.testing.assert_array_equal(np.asarray(image), before)


@pytest.mark.parametrize("mode", ["L", "CMYK", "RGB"])
def test_no_kinds_returns_the_image_unchanged(mode):
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)).convert(mode)
    out = draw_overlays(image, [make_object()], {0: TETRAHEDRON}, set())
    assert out.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(out), np.asarray(image.convert("RGB")))


def outward_front_faces(vertices: np.ndarray, faces: np.ndarray, obj: dict) -> np.ndarray:
    """Faces of a convex mesh turned to the camera, from outward normals (whatever the winding)."""
    camera, centroid = camera_centre(obj), vertices.mean(axis=0)
    a, b, c = (vertices[faces[:, i]] for i in range(3))
    normal = np.cross(b - a, c - a)
    normal *= np.sign(np.einsum("ij,ij->i", normal, a - centroid))[:, None]
    return np.einsum("ij,ij->i", normal, camera - a) > 0


def test_wireframe_blends_on_the_visible_edges_only():
    # Changed in issue 12: hidden edges are no longer drawn (was: every edge, exactly wireframe_mask).
    image = Image.new("RGB", (100, 80), (10, 20, 30))
    obj = make_object()
    vertices, faces = TETRAHEDRON
    drawn = np.asarray(draw_overlays(image, [obj], {0: TETRAHEDRON}, {"wireframe"}), dtype=np.int64)
    labels_only = np.asarray(draw_overlays(image, [obj], {}, {"wireframe"}), dtype=np.int64)
    changed = (drawn != labels_only).any(axis=2)
    label = (labels_only != [10, 20, 30]).any(axis=2)
    uv, depth = imagenet3d.project(vertices, obj["azimuth"], obj["elevation"], obj["theta"],
                                   obj["distance"], obj["px"], obj["py"], return_depth=True)
    front = outward_front_faces(vertices, faces, obj)
    edges = unique_edges(faces)
    seen = np.array([any(front[i] for i, face in enumerate(faces) if set(edge) <= set(face)) for edge in edges])
    visible = wireframe_mask(uv, edges[seen], 100, 80, depth)
    hidden = wireframe_mask(uv, edges[~seen], 100, 80, depth) & ~dilate(dilate(visible))
    assert visible.sum() > 50 and hidden.sum() > 10  # this pose does hide an edge
    assert changed[visible & ~label].all()
    assert not (changed & hidden).any()
    assert (changed & ~visible).sum() <= 6  # at most a pixel or two where a hidden edge leaves a visible vertex
    # Blended, not painted: WIREFRAME_ALPHA of the colour over the photo (PIL's integer blend: +-1).
    expected = WIREFRAME_ALPHA * np.array(OBJECT_COLOURS[0]) + (1 - WIREFRAME_ALPHA) * np.array([10, 20, 30])
    assert np.abs(drawn[visible & ~label] - expected).max() <= 1


def test_objects_without_pose_or_mesh_are_skipped():
    image = Image.new("RGB", (100, 80), (0, 0, 0))
    objects = [
        make_object(azimuth=None, distance=None),
        make_object(distance=0.0),
        make_object(distance=-2.0),
        make_object(theta=float("nan")),
        make_object(),           # no mesh for index 4
        make_object(bbox=None, px=None, py=None),
    ]
    out = draw_overlays(image, objects, {k: TETRAHEDRON for k in range(4)}, {"wireframe"})
    labels_only = draw_overlays(image, objects, {}, {"wireframe"})
    np.testing.assert_array_equal(np.asarray(out), np.asarray(labels_only))
    draw_overlays(image, objects, lambda k: None, ALL_KINDS)  # callables work too


def test_every_kind_draws_something_in_its_colours():
    image = Image.new("RGB", (200, 160), (128, 128, 128))
    obj = make_object(bbox=[40.0, 30.0, 160.0, 140.0], px=100.0, py=85.0, distance=4.0)
    base = np.asarray(draw_overlays(image, [obj], {0: TETRAHEDRON}, {"bbox"}))
    assert (base[30, 60:150] == OBJECT_COLOURS[0]).all()     # top edge of the box
    centre = np.asarray(draw_overlays(image, [obj], {}, {"centre"}))
    assert (centre[85, 100] == OBJECT_COLOURS[0]).all()
    axes = np.asarray(draw_overlays(image, [obj], {}, {"axes"}), dtype=np.int64)
    reds = ((axes[..., 0] > 200) & (axes[..., 1] < 80) & (axes[..., 2] < 80)).sum()
    blues = ((axes[..., 2] > 200) & (axes[..., 0] < 100)).sum()
    assert reds > 20 and blues > 20


def test_colours_are_distinct_and_cycle():
    assert len(OBJECT_COLOURS) >= 8 and len(set(OBJECT_COLOURS)) == len(OBJECT_COLOURS)
    image = Image.new("RGB", (300, 100), (0, 0, 0))
    n = len(OBJECT_COLOURS)
    objects = [make_object(bbox=[5.0 + 25 * k, 20.0, 20.0 + 25 * k, 90.0]) for k in range(n + 1)]
    out = np.asarray(draw_overlays(image, objects, {}, {"bbox"}))
    assert tuple(out[60, 5]) == OBJECT_COLOURS[0]
    assert tuple(out[60, 5 + 25 * n]) == OBJECT_COLOURS[0]  # object n wraps around
    assert tuple(out[60, 5 + 25 * 3]) == OBJECT_COLOURS[3]


# ---------------------------------------------------------------------------
# The wireframe falls on the rendered object
# ---------------------------------------------------------------------------


def erode(mask: np.ndarray) -> np.ndarray:
    return ~dilate(~mask)


def drawn_lines(obj: dict, mesh, size: tuple[int, int], azimuth: float) -> np.ndarray:
    """Pixels the model's lines change in the overlay drawn at ``azimuth`` (labels are the same either way)."""
    moved = {**obj, "azimuth": azimuth}
    image = Image.new("RGB", size, (0, 0, 0))
    with_model = np.asarray(draw_overlays(image, [moved], {0: mesh}, {"wireframe"}))
    without = np.asarray(draw_overlays(image, [moved], {}, {"wireframe"}))
    return (with_model != without).any(axis=2)


def silhouette_scores(lines: np.ndarray, silhouette: np.ndarray) -> tuple[float, float]:
    """Share of the drawn pixels on the 1 px-dilated silhouette, and share of the
    silhouette's outline pixels within 1 px of a drawn pixel."""
    assert lines.sum() > 100
    outline = silhouette & ~erode(silhouette)
    return (float((lines & dilate(silhouette)).sum() / lines.sum()),
            float((outline & dilate(lines)).sum() / outline.sum()))


def test_wireframe_falls_on_the_rendered_silhouette(raw_release):
    # Adapted in issue 12 to feature edges: the drawing lies on the renderer's silhouette and traces its outline.
    release = raw_release / "imagenet3d_v1"
    specs, seed = release_plan(raw_release)
    scores, rotated = [], []
    for spec in specs:
        generated = synthetic.generate_image(spec, seed, keep_rendering=True)
        rendering = generated.rendering
        objects = imagenet3d.read_annotations(release / "annotations" / spec.category / f"{spec.stem}.npz")
        height, width = rendering.object_id.shape
        for k, obj in enumerate(objects):
            if not obj["usable"] or rendering.visible_area[k] != rendering.full_area[k]:
                continue  # only fully visible objects: occluders would hide wireframe parts
            mesh = imagenet3d.read_off(release / imagenet3d.cad_relpath(obj["category"], obj["cad_index"]))
            silhouette = rendering.object_id == k
            scores.append(silhouette_scores(drawn_lines(obj, mesh, (width, height), obj["azimuth"]), silhouette))
            rotated.append(silhouette_scores(
                drawn_lines(obj, mesh, (width, height), obj["azimuth"] + np.pi / 2), silhouette))
    assert len(scores) >= 8
    assert min(precision for precision, _ in scores) >= 0.99, scores
    assert min(recall for _, recall in scores) >= 0.97, scores
    # A wrong pose must score clearly worse, or the checks above prove nothing.
    worse = [min(p - rp, r - rr) >= 0.1 for (p, r), (rp, rr) in zip(scores, rotated)]
    assert sum(worse) >= 0.75 * len(worse), list(zip(scores, rotated))


# ---------------------------------------------------------------------------
# Feature edges
# ---------------------------------------------------------------------------

CUBE_EDGES = {(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count("1") == 1}


@pytest.mark.parametrize("azimuth", [0.3, 1.1, 2.9])
def test_feature_edges_of_a_cube_are_its_12_edges(azimuth):
    vertices, faces = cube()
    topology = mesh_topology(vertices, faces)
    assert topology.num_edges == 18 and topology.orientation == 1  # 12 + 6 diagonals; closed, outwards
    edges, _ = feature_edges(topology, camera_centre(make_object(azimuth=azimuth)))
    assert {tuple(sorted(e)) for e in edges.tolist()} == CUBE_EDGES  # no diagonal, at any pose


def test_split_vertices_are_welded_and_wrong_winding_is_tolerated():
    vertices, faces = cube(split=True)
    faces = faces.copy()
    faces[::3] = faces[::3, ::-1]  # a third of the triangles wound the other way
    topology = mesh_topology(vertices, faces)
    edges, _ = feature_edges(topology, camera_centre(make_object()))
    corner = {tuple(v) for v in vertices.round(6).tolist()}
    assert len(corner) == 8 and len(edges) == 12
    # Each drawn edge joins two cube corners one side apart: never a diagonal, never a seam.
    lengths = np.linalg.norm(vertices[edges[:, 0]] - vertices[edges[:, 1]], axis=1)
    np.testing.assert_allclose(lengths, 1.0)
    assert topology.orientation == 0  # inconsistent winding: no back-face culling


def test_feature_edges_of_a_subdivided_plane_are_its_boundary():
    n = 6
    vertices, faces = grid_plane(n)
    for azimuth in (0.2, 2.0):
        edges, _ = feature_edges(mesh_topology(vertices, faces), camera_centre(make_object(azimuth=azimuth)))
        ends = vertices[edges]
        on_border = ((np.abs(ends[:, :, 0]) > 0.399).all(1) | (np.abs(ends[:, :, 1]) > 0.299).all(1))
        assert len(edges) == 4 * n and on_border.all()


def test_a_dense_mesh_draws_far_fewer_edges_than_it_has():
    vertices, faces = sphere(4)  # 2562 vertices, 5120 faces, 7680 edges
    topology = mesh_topology(vertices, faces)
    edges, _ = feature_edges(topology, camera_centre(make_object()))
    assert topology.num_edges == len(unique_edges(faces)) == 7680
    assert len(topology.static) == 0  # a smooth closed surface: no crease, no boundary
    assert 0 < len(edges) < 0.05 * topology.num_edges  # the silhouette ring only


def test_sphere_silhouette_edges_trace_its_rendered_outline():
    vertices, faces = sphere(3)
    obj = make_object(distance=5.0)
    uv, depth = imagenet3d.project(vertices, obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                   obj["px"], obj["py"], return_depth=True)
    edges, _ = feature_edges(mesh_topology(vertices, faces), camera_centre(obj))
    lines = wireframe_mask(uv, edges, 100, 80, depth)
    silhouette = np.zeros(100 * 80, bool)
    silhouette[rasterize(uv, depth, faces, 100, 80).pixel] = True
    silhouette = silhouette.reshape(80, 100)
    outline = silhouette & ~erode(silhouette)
    assert silhouette.sum() > 1000
    assert not (lines & ~dilate(outline)).any()  # every silhouette-edge pixel within 1 px of the outline
    assert (outline & ~dilate(lines)).sum() <= 0.02 * outline.sum()


def test_topology_is_cached_by_content():
    vertices, faces = sphere(2)
    assert mesh_topology(vertices, faces) is mesh_topology(vertices.copy(), faces.copy())
    moved = vertices.copy()
    moved[0] *= 1.01
    assert mesh_topology(moved, faces) is not mesh_topology(vertices, faces)


# ---------------------------------------------------------------------------
# The z-buffer and the shaded fill
# ---------------------------------------------------------------------------


def test_zbuffer_agrees_with_the_renderer():
    vertices, faces = sphere(3)
    rng = np.random.default_rng(3)
    vertices = vertices * rng.uniform(0.8, 1.2, (len(vertices), 1))  # bumpy: self-occlusion, slivers
    obj = make_object(distance=4.0)
    uv, depth = imagenet3d.project(vertices, obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                   obj["px"], obj["py"], return_depth=True)
    face_id, nearest = zbuffer(uv, depth, faces, 100, 80)
    fragments = rasterize(uv, depth, faces, 100, 80)
    expected = np.zeros(8000)
    np.maximum.at(expected, fragments.pixel, fragments.inv_depth)
    covered = face_id.reshape(-1) >= 0
    np.testing.assert_array_equal(covered, expected > 0)
    np.testing.assert_allclose(nearest.reshape(-1), expected, rtol=1e-9)
    # The face named at each pixel is one that the renderer finds there, at that depth.
    found = set(zip(fragments.pixel.tolist(), fragments.face.tolist()))
    assert all((p, f) in found for p, f in zip(np.flatnonzero(covered).tolist(), face_id.reshape(-1)[covered]))


def test_fill_blends_only_inside_the_rendered_silhouette_with_lambert_shading():
    vertices, faces = cube()
    obj = make_object(bbox=None, distance=60.0)  # no box: the label sits at the centre, drawn in both
    image = Image.new("RGB", (100, 80), (40, 40, 40))
    filled = np.asarray(draw_overlays(image, [obj], {0: (vertices, faces)}, {"fill"}), dtype=np.int64)
    plain = np.asarray(draw_overlays(image, [obj], {}, {"fill"}), dtype=np.int64)
    changed = (filled != plain).any(axis=2)
    uv, depth = imagenet3d.project(vertices, obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                   obj["px"], obj["py"], return_depth=True)
    fragments = rasterize(uv, depth, faces, 100, 80)
    silhouette = np.zeros(8000, bool)
    silhouette[fragments.pixel] = True
    silhouette = silhouette.reshape(80, 100)
    label = (plain != [40, 40, 40]).any(axis=2)
    assert silhouette.sum() > 500
    np.testing.assert_array_equal(changed, silhouette & ~label)
    # Each pixel: the nearest face's Lambert shade of the object's colour, FILL_ALPHA over the photo.
    _, R, _ = imagenet3d.camera_matrices(obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                         obj["px"], obj["py"], obj["viewport"], obj["focal"])
    nearest = np.full(8000, -np.inf)
    np.maximum.at(nearest, fragments.pixel, fragments.inv_depth)
    front = fragments.inv_depth == nearest[fragments.pixel]
    shade = np.zeros(8000)
    shade[fragments.pixel[front]] = face_shading(vertices, faces, R)[fragments.face[front]]
    colour = shade.reshape(80, 100)[changed][:, None] * np.array(OBJECT_COLOURS[0])
    expected = FILL_ALPHA * np.rint(colour) + (1 - FILL_ALPHA) * 40
    assert np.abs(filled[changed] - expected).max() <= 1.5
    assert len(np.unique(filled[changed], axis=0)) >= 2  # shaded: the faces differ


# ---------------------------------------------------------------------------
# render_view: display resolution, zoom, labels, selection, predictions
# ---------------------------------------------------------------------------


def photo(width: int = 460, height: int = 345) -> Image.Image:
    """A smooth, non-uniform stand-in photo."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([60 + 80 * x / width, 60 + 80 * y / height, 100 + 0 * x], axis=2)
    return Image.fromarray(rgb.astype(np.uint8))


def scene_object(k: int = 0, **overrides) -> dict:
    """An object of the 460 x 345 stand-in photo, centred at (px, py) with its box around it."""
    px, py = overrides.pop("px", 130.0 + 200 * k), overrides.pop("py", 170.0)
    return make_object(**{"px": px, "py": py, "bbox": [px - 80, py - 80, px + 80, py + 80], "distance": 22.0,
                          **overrides})


def test_render_view_upscales_and_maps_display_to_source():
    image = photo()
    obj = scene_object()
    view = render_view(image, [obj], {0: cube()}, {"centre"})
    assert isinstance(view, View) and view.image.size == (1024, 768) and view.image.mode == "RGB"
    assert view.origin == (0.0, 0.0) and view.scale == pytest.approx(1024 / 460)
    for x, y in [(0.0, 0.0), (10.5, 300.25), (459.0, 344.0)]:
        assert view.source_point(*view.display_point(x, y)) == pytest.approx((x, y))
    # Overlays are drawn in display pixels where the source points project: the centre dot.
    cx, cy = view.display_point(obj["px"], obj["py"])
    assert tuple(np.asarray(view.image)[int(cy), int(cx)]) == OBJECT_COLOURS[0]


@pytest.mark.parametrize("size, scale", [((1500, 1000), 1.0), ((3000, 1000), 2048 / 3000), ((300, 400), 1024 / 400)])
def test_render_view_never_shrinks_below_the_photo_unless_huge(size, scale):
    view = render_view(Image.new("RGB", size, (9, 9, 9)), [], {}, {"bbox"})
    assert view.scale == pytest.approx(scale)
    assert view.image.size == (int(size[0] * scale + 1e-6), int(size[1] * scale + 1e-6))


def test_zoom_region_contains_the_box_keeps_the_aspect_and_stays_inside():
    for box in ([100.0, 50.0, 160.0, 200.0], [0.0, 0.0, 40.0, 30.0], [400.0, 300.0, 460.0, 345.0]):
        region = zoom_region(make_object(bbox=box), (460, 345))
        x0, y0, x1, y1 = region
        assert x0 <= box[0] and y0 <= box[1] and x1 >= box[2] and y1 >= box[3]
        assert 0 <= x0 and 0 <= y0 and x1 <= 460 and y1 <= 345
        assert (x1 - x0) / (y1 - y0) == pytest.approx(460 / 345)
        assert (x1 - x0) < 460 or box[2] - box[0] > 300
    # No box: the projected model; nothing at all: the whole image.
    obj = scene_object(bbox=None)
    obj["bbox"] = None
    x0, y0, x1, y1 = zoom_region(obj, (460, 345), mesh=cube())
    assert x0 < obj["px"] < x1 and y0 < obj["py"] < y1 and x1 - x0 < 460
    assert zoom_region(make_object(bbox=None, px=None, py=None), (460, 345)) == (0.0, 0.0, 460.0, 345.0)


def test_render_view_zooms_into_a_region():
    image = photo()
    obj = scene_object()
    region = zoom_region(obj, image.size)
    view = render_view(image, [obj], {0: cube()}, {"centre", "bbox"}, region=region)
    assert view.origin == pytest.approx(region[:2])
    assert view.scale == pytest.approx(1024 / (region[2] - region[0]))
    assert view.image.size[0] == 1024
    cx, cy = view.display_point(obj["px"], obj["py"])
    assert tuple(np.asarray(view.image)[int(cy), int(cx)]) == OBJECT_COLOURS[0]
    assert view.source_point(cx, cy) == pytest.approx((obj["px"], obj["py"]), abs=1e-6)
    # Lines stay a few display pixels wide whatever the zoom: the box's left side.
    x_left = view.display_point(obj["bbox"][0], 0)[0]
    row = np.asarray(view.image)[int(cy)]
    on_line = (row == OBJECT_COLOURS[0]).all(axis=1)
    assert 2 <= on_line[int(x_left) - 5:int(x_left) + 6].sum() <= 4


def test_labels_of_a_crowded_image_do_not_overlap():
    # Five objects whose boxes share almost the same corner (the millwheel image of issue 12).
    objects = [make_object(bbox=[200.0 + 3 * k, 120.0 + 2 * k, 300.0, 250.0], px=250.0, py=190.0)
               for k in range(5)]
    view = render_view(Image.new("RGB", (460, 345), (90, 90, 90)), objects, {}, {"centre"})
    picture = np.asarray(view.image)
    chips = []
    for colour in OBJECT_COLOURS[:5]:
        mask = (picture == colour).all(axis=2)
        mask[int(190 * view.scale) - 12:int(190 * view.scale) + 13, :] = False  # the (shared) centre dots
        ys, xs = np.nonzero(mask)
        assert ys.size, f"no label chip in colour {colour}"
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        # Whole, not half hidden under another chip: most of its box is its colour (the rest is its text).
        assert mask.sum() >= 0.5 * (x1 - x0) * (y1 - y0), colour
        chips.append((x0, y0, x1, y1))
    for i in range(5):
        for j in range(i + 1, 5):
            a, b = chips[i], chips[j]
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (i, j, chips)


def two_objects() -> tuple[Image.Image, list[dict], dict]:
    return photo(), [scene_object(0), scene_object(1, azimuth=2.0)], {0: sphere(2), 1: cube()}


def test_selection_emphasises_one_and_dims_the_others_towards_the_photo():
    image, objects, meshes = two_objects()
    kinds = {"wireframe", "fill"}
    base = np.asarray(render_view(image, objects, meshes, set()).image, dtype=np.int64)
    plain = np.asarray(render_view(image, objects, meshes, kinds).image, dtype=np.int64)
    chosen = np.asarray(render_view(image, objects, meshes, kinds, selected=0).image, dtype=np.int64)
    half = base.shape[1] // 2  # object 0 on the left half, object 1 on the right
    strength = {name: np.abs(picture - base).sum(axis=2) for name, picture in (("plain", plain), ("chosen", chosen))}
    assert strength["chosen"][:, half:].sum() < 0.6 * strength["plain"][:, half:].sum()  # object 1 dimmed
    assert strength["chosen"][:, :half].sum() > 1.1 * strength["plain"][:, :half].sum()  # object 0 emphasised
    assert strength["chosen"][:, half:].sum() > 0.1 * strength["plain"][:, half:].sum()  # still visible


def test_an_identical_prediction_overlaid_lies_on_the_ground_truth_edges():
    image, objects, meshes = two_objects()
    truth = np.asarray(render_view(image, objects, meshes, {"wireframe"}).image, dtype=np.int64)
    labels = np.asarray(render_view(image, objects, {}, {"wireframe"}).image, dtype=np.int64)
    rotation = tuple(objects[0][key] for key in ("azimuth", "elevation", "theta"))
    both = np.asarray(render_view(image, objects, meshes, {"wireframe"}, predictions={0: rotation}).image,
                      dtype=np.int64)
    gt_lines = (truth != labels).any(axis=2)
    legend = np.zeros_like(gt_lines)
    legend[-40:, :600] = True  # the legend line at the bottom left
    predicted = (both != truth).any(axis=2) & ~legend
    assert predicted.sum() > 200
    near = dilate(dilate(gt_lines))  # the prediction's line and its 1 px outline
    assert (predicted & ~near).sum() <= 0.01 * predicted.sum()


def test_a_wrong_prediction_is_drawn_elsewhere_in_a_distinct_style():
    image, objects, meshes = two_objects()
    truth = np.asarray(render_view(image, objects, meshes, {"wireframe"}).image, dtype=np.int64)
    labels = np.asarray(render_view(image, objects, {}, {"wireframe"}).image, dtype=np.int64)
    both = np.asarray(render_view(image, objects, meshes, {"wireframe"}, predictions={1: (0.2, 1.0, 0.6)}).image,
                      dtype=np.int64)
    gt_lines = (truth != labels).any(axis=2)
    predicted = (both != truth).any(axis=2)
    predicted[-40:, :600] = False
    assert (predicted & ~dilate(dilate(gt_lines))).sum() > 200
    white = (both >= 200).all(axis=2) & predicted  # the white outline of the dashed prediction
    assert white.sum() > 50


def test_side_by_side_doubles_the_width_and_maps_both_halves():
    image, objects, meshes = two_objects()
    single = render_view(image, objects, meshes, ALL_KINDS)
    view = render_view(image, objects, meshes, ALL_KINDS, predictions={0: (0.9, 0.1, 0.0)},
                       prediction_style="side by side")
    w, h = single.image.size
    assert view.image.size == (2 * w, h) and view.panels == 2
    for x, y in [(10.0, 20.0), (700.5, 500.0)]:
        assert view.source_point(x + w, y) == pytest.approx(view.source_point(x, y))
        assert view.source_point(x, y) == pytest.approx(single.source_point(x, y))
    left, right = np.asarray(view.image)[:, :w], np.asarray(view.image)[:, w:]
    # Object 0 differs between its truth and its prediction; object 1 has no prediction: box and label only.
    x0 = int(single.display_point(objects[0]["px"], 0)[0])
    assert (left[:, :x0 + 100] != right[:, :x0 + 100]).any(axis=2).sum() > 500
    assert set(PREDICTION_STYLES) == {"overlaid", "side by side"}
    with pytest.raises(ValueError):
        render_view(image, objects, meshes, ALL_KINDS, predictions={0: (0.0, 0.0, 0.0)}, prediction_style="stacked")


@pytest.mark.parametrize("region, style", [(None, None), ((30.5, 20.0, 200.0, 140.0), None), (None, "side by side"),
                                           ((30.5, 20.0, 200.0, 140.0), "overlaid")])
def test_view_geometry_is_what_render_view_draws_without_drawing(region, style):
    """The viewer maps a click back to the photo from view_geometry alone, long after the picture is gone."""
    image, objects, meshes = two_objects()
    options = {"predictions": {0: (0.9, 0.1, 0.0)}, "prediction_style": style} if style else {}
    view = render_view(image, objects, meshes, ALL_KINDS, region=region, **options)
    geometry = view_geometry(image.size, region, side_by_side=style == "side by side")
    assert geometry == view.geometry
    for x, y in [(0.0, 0.0), (10.0, 20.0), (view.image.width - 1.0, view.image.height - 1.0)]:
        assert geometry.source_point(x, y) == view.source_point(x, y)


def test_objects_without_a_pose_keep_their_box_and_label():
    image = photo()
    posed, unposed = scene_object(0), scene_object(1, distance=0.0)
    drawn = np.asarray(render_view(image, [posed, unposed], {0: cube(), 1: cube()}, ALL_KINDS).image)
    without_mesh = np.asarray(render_view(image, [posed, unposed], {0: cube()}, ALL_KINDS).image)
    np.testing.assert_array_equal(drawn, without_mesh)  # no model, fill or axes for object 1
    view = render_view(image, [posed, unposed], {0: cube(), 1: cube()}, {"bbox"})
    x = int(view.display_point(unposed["bbox"][0], 0)[0])
    column = (np.asarray(view.image)[:, x:x + 2] == OBJECT_COLOURS[1]).all(axis=2)
    assert column.sum() > 100  # its box is drawn


def test_degenerate_meshes_and_poses_do_not_crash():
    image = photo()
    nan_mesh = (np.full((4, 3), np.nan), TETRAHEDRON[1])
    flat = (np.zeros((3, 3)), np.array([[0, 1, 2]]))  # one zero-area face
    empty = (np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64))
    behind = scene_object(0, distance=0.05)  # the camera sits inside the model: most of it is behind
    objects = [scene_object(0), scene_object(1), make_object(), behind]
    for mesh in (nan_mesh, flat, empty, sphere(1)):
        view = render_view(image, objects, {k: mesh for k in range(4)}, ALL_KINDS, selected=3,
                           predictions={0: (np.nan, 0.0, 0.0), 1: (0.1, 0.2, 0.3)})
        assert view.image.size == (1024, 768)
