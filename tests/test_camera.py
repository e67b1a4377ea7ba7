"""imagenet3d's camera math against an independent PASCAL3D+ formulation."""

import math

import numpy as np
import pytest

import imagenet3d


def _rz(a):
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def _rx(a):
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def pascal3d_project(X, a, e, theta, d, px, py, M=3000, f=1.0):
    """PASCAL3D+ project_3d.m, step by step: look-at camera, then in-plane turn, then flip y."""
    C = d * np.array([math.cos(e) * math.sin(a), -math.cos(e) * math.cos(a), math.sin(e)])
    R0 = _rx(-(math.pi / 2 - e)) @ _rz(-a)
    P = np.diag([M * f, M * f, -1.0]) @ np.hstack([R0, (-R0 @ C)[:, None]])
    x = P @ np.vstack([X.T, np.ones(len(X))])
    u1, v1 = x[0] / x[2], x[1] / x[2]
    u2 = math.cos(theta) * u1 - math.sin(theta) * v1
    v2 = math.sin(theta) * u1 + math.cos(theta) * v1
    return np.stack([u2 + px, -v2 + py], 1)


def random_poses(n, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield (rng.uniform(-2 * math.pi, 4 * math.pi), rng.uniform(-1.4, 1.4), rng.uniform(-math.pi, math.pi),
               rng.uniform(2, 30), rng.uniform(0, 500), rng.uniform(0, 400))


def test_project_matches_pascal3d_lookat_formulas():
    X = np.random.default_rng(1).uniform(-0.5, 0.5, size=(200, 3))
    worst = 0.0
    for a, e, t, d, px, py in random_poses(300):
        for M, f in ((3000, 1.0), (1000, 1.7)):
            ours = imagenet3d.project(X, a, e, t, d, px, py, viewport=M, focal=f)
            theirs = pascal3d_project(X, a, e, t, d, px, py, M, f)
            worst = max(worst, np.abs(ours - theirs).max())
    assert worst < 1e-6


def test_camera_centre_is_the_lookat_position():
    # The camera centre -R^T t of the OpenCV form is the PASCAL3D+ camera position.
    for a, e, t, d, px, py in random_poses(50, seed=2):
        K, R, tv = imagenet3d.camera_matrices(a, e, t, d, px, py)
        centre = -R.T @ tv
        expected = d * np.array([math.cos(e) * math.sin(a), -math.cos(e) * math.cos(a), math.sin(e)])
        np.testing.assert_allclose(centre, expected, atol=1e-9)
        np.testing.assert_allclose(K, [[3000, 0, px], [0, 3000, py], [0, 0, 1]])


def test_object_origin_projects_to_px_py():
    for a, e, t, d, px, py in random_poses(20, seed=3):
        np.testing.assert_allclose(imagenet3d.project(np.zeros((1, 3)), a, e, t, d, px, py)[0], [px, py], atol=1e-9)


def test_rotation_is_the_official_matrix_and_broadcasts():
    rng = np.random.default_rng(4)
    a, e, t = rng.uniform(0, 2 * math.pi, (3, 5, 7))
    R = imagenet3d.rotation_matrix(a, e, t)
    assert R.shape == (5, 7, 3, 3)
    for idx in [(0, 0), (4, 6), (2, 3)]:
        expected = _rz(t[idx]) @ _rx(e[idx] - math.pi / 2) @ _rz(-a[idx])
        np.testing.assert_allclose(R[idx], expected, atol=1e-12)
    np.testing.assert_allclose(R @ np.swapaxes(R, -1, -2), np.broadcast_to(np.eye(3), R.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=1e-12)
    assert imagenet3d.rotation_matrix(0.1, 0.2, 0.3).shape == (3, 3)


def _axis_angle(axis, angle):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * K + (1 - math.cos(angle)) * K @ K


def test_pose_error_properties():
    rng = np.random.default_rng(5)
    R1 = imagenet3d.rotation_matrix(*rng.uniform(0, 2 * math.pi, (3, 100)))
    R2 = imagenet3d.rotation_matrix(*rng.uniform(0, 2 * math.pi, (3, 100)))
    np.testing.assert_allclose(imagenet3d.pose_error(R1, R2), imagenet3d.pose_error(R2, R1), atol=1e-12)
    np.testing.assert_array_equal(imagenet3d.pose_error(R1, R1), 0.0)
    assert imagenet3d.pose_error(R1, R2).shape == (100,)
    # A known perturbation: the error is its angle, from tiny to a half turn.
    for angle in [1e-7, 1e-3, 0.5, math.pi / 6, 2.0, math.pi - 1e-6, math.pi]:
        axis = rng.normal(size=3)
        perturbed = R1[0] @ _axis_angle(axis, angle)
        assert abs(float(imagenet3d.pose_error(perturbed, R1[0])) - angle) < 1e-9
    # Agrees with the official arccos formula away from its ill-conditioned ends.
    official = np.arccos(np.clip((np.trace(np.swapaxes(R1, -1, -2) @ R2, axis1=1, axis2=2) - 1) / 2, -1, 1))
    np.testing.assert_allclose(imagenet3d.pose_error(R1, R2), official, atol=1e-7)


def test_pose_error_non_finite_is_pi():
    R = imagenet3d.rotation_matrix(0.1, 0.2, 0.3)
    bad = R.copy()
    bad[0, 0] = np.nan
    inf = R.copy()
    inf[1, 2] = np.inf
    errors = imagenet3d.pose_error(np.stack([bad, inf, R]), np.stack([R, R, R]))
    np.testing.assert_allclose(errors, [math.pi, math.pi, 0.0])
    assert float(imagenet3d.pose_error(R, bad)) == pytest.approx(math.pi)


def test_bins_round_trip_and_periodicity():
    k = np.arange(40)
    np.testing.assert_array_equal(imagenet3d.angle_to_bin(imagenet3d.bin_to_angle(k)), k)
    np.testing.assert_array_equal(imagenet3d.angle_to_bin(imagenet3d.bin_to_angle(k) - 2 * math.pi), k)
    np.testing.assert_array_equal(imagenet3d.angle_to_bin(imagenet3d.bin_to_angle(k) + 4 * math.pi), k)
    assert int(imagenet3d.angle_to_bin(0.0)) == 0
    assert int(imagenet3d.angle_to_bin(2 * math.pi)) == 0
    assert int(imagenet3d.angle_to_bin(-1e-18)) == 0  # mod rounds to 2 pi here
    assert int(imagenet3d.angle_to_bin(-1e-9)) == 39
    assert int(imagenet3d.angle_to_bin(math.pi / 20 - 1e-12)) == 0  # 9 degree bins
    assert int(imagenet3d.angle_to_bin(math.pi / 20)) == 1
    # The official formula of Appendix B, on random angles.
    angles = np.random.default_rng(6).uniform(-10, 10, 1000)
    official = np.floor((angles % (2 * np.pi)) / (2 * np.pi) * 40).astype(int) % 40
    np.testing.assert_array_equal(imagenet3d.angle_to_bin(angles), official)
    assert imagenet3d.angle_to_bin(angles, num_bins=12).max() == 11
    np.testing.assert_allclose(imagenet3d.bin_to_angle(0), math.pi / 40)
