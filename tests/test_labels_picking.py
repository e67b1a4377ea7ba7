"""viewer_app.labels (labels placed without collisions) and viewer_app.picking (which object a click hits)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import imagenet3d
from _imagenet3d.render import Pose, SceneObject, render
from synthetic_release import scenes as synthetic
from synthetic_release.check import release_plan
from viewer_app.labels import GAP, boxes_overlap, overlap_area, place_labels
from viewer_app.picking import object_at, silhouette_depth

# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------

MILLWHEEL = (460, 345)  # the five-object image size
SIZES = [(72, 15), (84, 15), (60, 15), (96, 15), (66, 15)]


def label_boxes(corners, sizes) -> list[tuple[int, int, int, int]]:
    return [(x, y, x + w, y + h) for (x, y), (w, h) in zip(corners, sizes)]


def anchor_distance(anchor, box) -> float:
    ax, ay = anchor
    return math.hypot(max(box[0] - ax, ax - box[2], 0), max(box[1] - ay, ay - box[3], 0))


def assert_disjoint_inside(boxes, bounds) -> None:
    for a, b in itertools.combinations(boxes, 2):
        assert not boxes_overlap(a, b), (a, b)
    for box in boxes:
        assert 0 <= box[0] and 0 <= box[1] and box[2] <= bounds[0] and box[3] <= bounds[1], box


@pytest.mark.parametrize("anchor", [(120.0, 80.0), (0.0, 0.0), (459.0, 344.0), (230.0, 2.0)])
def test_labels_of_coinciding_anchors_do_not_collide(anchor):
    """The millwheel case: five objects whose boxes share a corner. Before, object 0's
    label lay under object 3's; now every label is visible, inside the image and near the anchor."""
    corners = place_labels([anchor] * 5, SIZES, MILLWHEEL)
    boxes = label_boxes(corners, SIZES)
    assert_disjoint_inside(boxes, MILLWHEEL)
    # Near: no farther than the last of a column of five labels stacked from the anchor.
    assert max(anchor_distance(anchor, box) for box in boxes) <= 4 * (15 + GAP) + GAP, boxes
    assert anchor_distance(anchor, boxes[0]) <= GAP  # object 0 keeps the best spot


def test_the_old_placement_did_collide():
    """The naive placement (every label just above its anchor) fails the check above."""
    naive = [(120, 80 - h - GAP) for _, h in SIZES]
    assert any(boxes_overlap(a, b) for a, b in itertools.combinations(label_boxes(naive, SIZES), 2))


def test_single_label_goes_just_above_its_anchor():
    assert place_labels([(100.0, 50.0)], [(70, 15)], MILLWHEEL) == [(100, 50 - 15 - GAP)]
    # At the top border there is no room above: just below.
    assert place_labels([(100.0, 5.0)], [(70, 15)], MILLWHEEL) == [(100, 5 + GAP)]


def test_labels_at_the_border_stay_inside():
    anchors = [(455.0, 100.0), (-30.0, 400.0), (460.0, 345.0), (200.0, -5.0)]
    sizes = [(80, 15)] * 4
    corners = place_labels(anchors, sizes, MILLWHEEL)
    assert_disjoint_inside(label_boxes(corners, sizes), MILLWHEEL)
    assert corners[0] == (460 - 80, 100 - 15 - GAP)  # shifted left, still just above


def test_labels_avoid_obstacles_and_earlier_labels_keep_their_spot():
    obstacle = (95.0, 30.0, 200.0, 49.0)  # e.g. an axis letter where label 0 would go
    corners = place_labels([(100.0, 50.0), (300.0, 200.0)], [(70, 15), (70, 15)], MILLWHEEL, [obstacle])
    boxes = label_boxes(corners, [(70, 15)] * 2)
    assert not boxes_overlap(boxes[0], obstacle)
    assert corners[0] == (100, 50 + GAP)  # the next preference: just below
    assert corners[1] == (300, 200 - 15 - GAP)  # untouched by the obstacle


def test_nearby_boxes_get_disjoint_labels():
    rng = np.random.default_rng(0)
    anchors = [tuple(v) for v in rng.uniform([80, 60], [200, 120], size=(10, 2))]
    sizes = [(int(w), 15) for w in rng.integers(40, 100, size=10)]
    corners = place_labels(anchors, sizes, MILLWHEEL)
    assert_disjoint_inside(label_boxes(corners, sizes), MILLWHEEL)
    assert corners == place_labels(anchors, sizes, MILLWHEEL)  # deterministic


def test_more_labels_than_fit_take_the_least_overlap():
    """No free spot: the label goes where it overlaps least (brute force over every
    integer position agrees), and the call still returns a position for every label."""
    bounds, size = (100, 50), (20, 10)
    # Everything is taken but a 10 px column at the right edge.
    obstacles = [(0.0, 0.0, 90.0, 50.0)]
    (x, y), = place_labels([(30.0, 20.0)], [size], bounds, obstacles)
    got = overlap_area((x, y, x + 20, y + 10), obstacles[0])
    best = min(overlap_area((i, j, i + 20, j + 10), obstacles[0]) for i in range(81) for j in range(41))
    assert got == best == 100
    corners = place_labels([(10.0, 10.0)] * 30, [(100, 40)] * 30, (200, 100))
    assert len(corners) == 30
    boxes = label_boxes(corners, [(100, 40)] * 30)
    assert_disjoint_inside(boxes[:2], (200, 100))  # the first two still fit
    assert all(0 <= b[0] and b[2] <= 200 and 0 <= b[1] and b[3] <= 100 for b in boxes)


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="anchors"):
        place_labels([(0.0, 0.0)], [], MILLWHEEL)


# ---------------------------------------------------------------------------
# Picking
# ---------------------------------------------------------------------------

SIZE = (160, 120)


def cube(half: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    vertices = np.array(list(itertools.product((-half, half), repeat=3)), dtype=np.float64)
    faces = np.array([[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
                      [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]], dtype=np.int64)
    return vertices, faces


def sphere(rings: int, segments: int) -> tuple[np.ndarray, np.ndarray]:
    """A UV sphere of radius 0.5: rings * segments vertices, 2 (rings - 1) segments faces."""
    theta, phi = np.meshgrid(np.linspace(0, np.pi, rings), np.linspace(0, 2 * np.pi, segments, endpoint=False),
                             indexing="ij")
    vertices = 0.5 * np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], -1)
    i, j = np.meshgrid(np.arange(rings - 1), np.arange(segments), indexing="ij")
    a, b = i * segments + j, i * segments + (j + 1) % segments
    c, d = a + segments, b + segments
    faces = np.concatenate([np.stack([a, b, c], -1), np.stack([b, d, c], -1)], axis=1).reshape(-1, 3)
    return vertices.reshape(-1, 3), faces.astype(np.int64)


def make_object(**overrides) -> dict:
    obj = {"category": "chair", "bbox": [50.0, 30.0, 110.0, 90.0], "azimuth": 0.4, "elevation": 0.3,
           "theta": 0.1, "distance": 6.0, "px": 80.0, "py": 60.0, "viewport": 1000, "focal": 1.0,
           "cad_index": 1, "object_status": "status_good", "dense": "dense_no", "usable": True}
    return {**obj, **overrides}


def rendered_ids(objects: list[dict], meshes: dict, size=SIZE) -> np.ndarray:
    """render()'s object_id map of the posed objects (index k = object k)."""
    scene = [SceneObject(*meshes[k][:2], Pose.of(obj), (200.0, 200.0, 200.0)) for k, obj in enumerate(objects)]
    ids = render(np.zeros((size[1], size[0], 3), np.uint8), scene).object_id
    return ids


def test_a_click_in_the_middle_of_an_object_picks_it():
    objects = [make_object(), make_object(px=140.0, py=20.0, bbox=[125.0, 5.0, 155.0, 35.0])]
    meshes = {0: cube(0.1), 1: cube(0.1)}  # about 35 px wide: apart
    assert object_at(objects, meshes, SIZE, 80.3, 60.7) == 0
    assert object_at(objects, meshes, SIZE, 140.0, 20.0) == 1
    # A callable mesh source (as overlay.draw_overlays takes) works the same.
    assert object_at(objects, meshes.get, SIZE, 140.0, 20.0) == 1


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_overlapping_objects_pick_the_nearer(order):
    """Depth decides, not the order of objects nor the size of their boxes: the nearer
    cube has the larger annotated box, so a smallest-box rule would pick the other."""
    near = make_object(distance=5.0, bbox=[20.0, 0.0, 140.0, 120.0])
    far = make_object(distance=9.0, bbox=[60.0, 40.0, 100.0, 80.0])
    objects = [near, far] if order == (0, 1) else [far, near]
    meshes = {0: cube(), 1: cube()}
    assert object_at(objects, meshes, SIZE, 80.0, 60.0) == objects.index(near)
    assert rendered_ids(objects, meshes)[60, 80] == objects.index(near)


def test_a_click_far_from_everything_is_none_and_near_a_box_selects_it():
    objects = [make_object()]
    meshes = {0: cube(0.05)}  # small: the box is much larger than the silhouette
    assert object_at(objects, meshes, SIZE, 5.0, 110.0) is None
    assert object_at(objects, meshes, SIZE, 115.0, 60.0) == 0   # 5 px right of the box
    assert object_at(objects, meshes, SIZE, 115.0, 60.0, tolerance=2.0) is None
    assert object_at(objects, meshes, SIZE, 55.0, 35.0) == 0    # in the box, off the silhouette
    assert object_at(objects, meshes, SIZE, float("nan"), 35.0) is None
    assert object_at([], {}, SIZE, 50.0, 50.0) is None


@pytest.mark.parametrize("broken", [{"distance": 0.0}, {"distance": -1.0}, {"azimuth": None},
                                    {"px": float("nan")}, "no mesh"])
def test_an_object_without_a_pose_or_mesh_is_picked_by_its_box(broken):
    posed = make_object(bbox=[40.0, 20.0, 120.0, 100.0])
    unposed = make_object(bbox=[70.0, 50.0, 90.0, 70.0], **({} if broken == "no mesh" else broken))
    meshes = {0: cube()} if broken == "no mesh" else {0: cube(), 1: cube()}
    assert Pose.of(unposed) is None or broken == "no mesh"
    # Inside its (smaller) box it wins over the posed silhouette, elsewhere the silhouette does.
    assert object_at([posed, unposed], meshes, SIZE, 80.0, 60.0) == 1
    assert object_at([posed, unposed], meshes, SIZE, 65.0, 60.0) == 0


def test_smallest_box_wins_when_no_silhouette_is_hit():
    objects = [make_object(bbox=[0.0, 0.0, 160.0, 120.0]), make_object(bbox=[10.0, 10.0, 40.0, 40.0])]
    meshes = {0: cube(0.01), 1: cube(0.01)}
    assert object_at(objects, meshes, SIZE, 20.0, 20.0) == 1
    assert object_at(objects, meshes, SIZE, 100.0, 100.0) == 0


def test_picks_agree_with_the_rendered_object_ids():
    """A scene of overlapping cubes and spheres: at 300 random pixels, object_at (with boxes
    and tolerance switched off) is exactly render()'s object_id, bar pixels on a boundary."""
    rng = np.random.default_rng(3)
    meshes = {k: (cube(rng.uniform(0.2, 0.4)) if k % 2 else sphere(12, 16)) for k in range(5)}
    objects = [make_object(bbox=None, azimuth=rng.uniform(0, 6.3), elevation=rng.uniform(-1, 1),
                           theta=rng.uniform(-0.5, 0.5), distance=rng.uniform(4, 9),
                           px=35.0 + 22 * k, py=rng.uniform(40, 80), viewport=300) for k in range(5)]
    ids = rendered_ids(objects, meshes)
    assert len(np.unique(ids)) == 6  # every object shows, and background
    assert (ids == -1).mean() > 0.3
    # They do overlap: some object's box of projected vertices holds another's pixels.
    assert _occluded_pixels(objects, meshes, ids) > 50
    checked = _compare_at_random_pixels(objects, meshes, ids, rng, 300)
    assert checked >= 200


def _occluded_pixels(objects, meshes, ids: np.ndarray) -> int:
    """Pixels that an object's own silhouette covers but another object owns."""
    total = 0
    for k, obj in enumerate(objects):
        alone = rendered_ids([obj], {0: meshes[k]}) == 0
        total += int((alone & (ids != k)).sum())
    return total


def _compare_at_random_pixels(objects, meshes, ids: np.ndarray, rng, count: int) -> int:
    height, width = ids.shape
    padded = np.pad(ids, 1, mode="edge")
    checked = 0
    for x, y in zip(rng.integers(0, width, count), rng.integers(0, height, count)):
        window = padded[y:y + 3, x:x + 3]
        if (window != window[1, 1]).any():
            continue  # a boundary pixel: a 1e-13 shift may flip it
        expected = int(ids[y, x])
        got = object_at(objects, meshes, (width, height), x + rng.uniform(0, 1), y + rng.uniform(0, 1), tolerance=0)
        assert got == (expected if expected >= 0 else None), (x, y)
        checked += 1
    return checked


def test_picks_agree_with_the_synthetic_release_renderings(raw_release):
    """The release's multi-object images: object_at on their annotations and CAD models agrees with the
    object_id buffer the generator rendered them with (the numeric ground truth of the release)."""
    release = raw_release / "imagenet3d_v1"
    specs, seed = release_plan(raw_release)
    rng = np.random.default_rng(0)
    images = 0
    for spec in specs:
        objects = imagenet3d.read_annotations(release / "annotations" / spec.category / f"{spec.stem}.npz")
        if len(objects) < 2 or not all(Pose.of(obj) for obj in objects):
            continue
        rendering = synthetic.generate_image(spec, seed, keep_rendering=True).rendering
        meshes = {k: imagenet3d.read_off(release / imagenet3d.cad_relpath(obj["category"], obj["cad_index"]))
                  for k, obj in enumerate(objects)}
        boxless = [dict(obj, bbox=None) for obj in objects]
        # Half the clicks on objects, so that silhouettes are really tested.
        ys, xs = np.nonzero(rendering.object_id >= 0)
        assert _compare_at_random_pixels(boxless, meshes, rendering.object_id, rng, 50) >= 30
        pick = rng.choice(xs.size, 50)
        size = rendering.object_id.shape[::-1]
        checked = 0
        for y, x in zip(ys[pick], xs[pick]):
            window = rendering.object_id[max(y - 1, 0):y + 2, max(x - 1, 0):x + 2]
            if (window == rendering.object_id[y, x]).all():
                assert object_at(boxless, meshes, size, x + 0.5, y + 0.5) == rendering.object_id[y, x], (x, y)
                checked += 1
        assert checked >= 30
        images += 1
        if images == 3:
            break
    assert images >= 2


def test_silhouette_depth_is_the_nearest_face():
    vertices, faces = cube(0.3)
    pose = Pose.of(make_object(azimuth=0.0, elevation=0.0, theta=0.0, distance=6.0))
    assert isinstance(pose, Pose)
    # Looking straight at a cube face 0.3 in front of the centre: depth 5.7.
    assert silhouette_depth(vertices, faces, pose, 80, 60) == pytest.approx(1 / 5.7)
    assert silhouette_depth(vertices, faces, pose, 2, 2) is None


def test_picking_a_dense_mesh_among_overlapping_objects():
    """Five overlapping objects with a 73k-face mesh (the real CAD models reach 74k faces; the time
    a click takes is measured by benchmarks/bench_viewer.py, not here)."""
    dense = sphere(136, 272)
    assert dense[1].shape[0] > 70_000
    objects = [make_object(bbox=[100.0 + 40 * k - 80, 100, 100.0 + 40 * k + 80, 300], azimuth=0.3 * k,
                           distance=3.0 + 0.3 * k, px=100.0 + 40 * k, py=200.0, viewport=600) for k in range(5)]
    meshes = {k: dense for k in range(5)}
    assert object_at(objects, meshes, (460, 345), 180.0, 200.0) == 0  # all five cover it; object 0 is nearest
