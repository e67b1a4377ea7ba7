"""viewer_app.overlay: edges, the segment rasteriser, and wireframes that land on the object."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import imagenet3d
from synthetic_release import scenes as synthetic
from synthetic_release.check import release_plan
from viewer_app.overlay import OBJECT_COLOURS, draw_overlays, unique_edges, wireframe_mask

ALL_KINDS = {"wireframe", "bbox", "axes", "centre"}
TETRAHEDRON = (
    np.array([[0, 0, 0], [0.3, 0, 0], [0, 0.3, 0], [0, 0, 0.3]], dtype=np.float64) - 0.1,
    np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]),
)


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


def test_wireframe_blends_exactly_on_the_mask():
    image = Image.new("RGB", (100, 80), (10, 20, 30))
    obj = make_object()
    out = np.asarray(draw_overlays(image, [obj], {0: TETRAHEDRON}, {"wireframe"}), dtype=np.int64)
    uv, depth = imagenet3d.project(TETRAHEDRON[0], obj["azimuth"], obj["elevation"], obj["theta"],
                                   obj["distance"], obj["px"], obj["py"], return_depth=True)
    mask = wireframe_mask(uv, unique_edges(TETRAHEDRON[1]), 100, 80, depth)
    changed = (out != [10, 20, 30]).any(axis=2)
    label = np.zeros_like(mask)
    label[:16, :] = True  # the "0: chair" label sits above the box top (y = 15)
    assert mask.sum() > 50
    np.testing.assert_array_equal(changed & ~label, mask & ~label)
    # Blended, not painted: 0.6 of the colour over the photo.
    expected = np.rint(0.4 * np.array([10, 20, 30]) + 0.6 * np.array(OBJECT_COLOURS[0]))
    assert (out[mask & ~label] == expected).all()


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


def on_silhouette_fraction(vertices, faces, obj: dict, silhouette: np.ndarray, azimuth: float) -> float:
    """Share of the wireframe's pixels on the 1 px-dilated silhouette."""
    uv, depth = imagenet3d.project(vertices, azimuth, obj["elevation"], obj["theta"], obj["distance"],
                                   obj["px"], obj["py"], obj["viewport"], obj["focal"], return_depth=True)
    height, width = silhouette.shape
    mask = wireframe_mask(uv, unique_edges(faces), width, height, depth)
    assert mask.sum() > 100
    return float((mask & dilate(silhouette)).sum() / mask.sum())


def test_wireframe_falls_on_the_rendered_silhouette(raw_release):
    release = raw_release / "imagenet3d_v1"
    specs, seed = release_plan(raw_release)
    scores, rotated = [], []
    for spec in specs:
        generated = synthetic.generate_image(spec, seed, keep_rendering=True)
        rendering = generated.rendering
        objects = imagenet3d.read_annotations(release / "annotations" / spec.category / f"{spec.stem}.npz")
        for k, obj in enumerate(objects):
            if not obj["usable"] or rendering.visible_area[k] != rendering.full_area[k]:
                continue  # only fully visible objects: occluders would hide wireframe parts
            cad = release / imagenet3d.cad_relpath(obj["category"], obj["cad_index"])
            mesh = imagenet3d.read_off(cad)
            silhouette = rendering.object_id == k
            scores.append(on_silhouette_fraction(*mesh, obj, silhouette, obj["azimuth"]))
            rotated.append(on_silhouette_fraction(*mesh, obj, silhouette, obj["azimuth"] + np.pi / 2))
    assert len(scores) >= 8
    assert min(scores) >= 0.97, scores
    # A wrong pose must score clearly worse, or the check above proves nothing.
    worse = [s - r >= 0.1 for s, r in zip(scores, rotated)]
    assert sum(worse) >= 0.75 * len(worse), list(zip(scores, rotated))
