"""OpenXR frustum and pose conversions, checked against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vbranch.world.xr.views import (
    EyeView,
    Fov,
    panda_to_xr_position,
    panda_to_xr_quat,
    pose_matrix,
    projection_matrix,
    quat_to_rotation,
    simulated_eyes,
    symmetric_fov_deg,
    xr_to_panda_position,
    xr_to_panda_quat,
)


def project(fov: Fov, point_xr, near_m=0.1, far_m=100.0) -> np.ndarray:
    clip = projection_matrix(fov, near_m, far_m) @ np.array([*point_xr, 1.0])
    return clip[:3] / clip[3]


def test_symmetric_fov_gives_the_standard_perspective_matrix():
    near, far = 0.1, 100.0
    m = projection_matrix(Fov.from_degrees(-45, 45, 45, -45), near, far)
    expected = np.array([
        [1.0, 0, 0, 0],
        [0, 1.0, 0, 0],
        [0, 0, -(far + near) / (far - near), -2 * far * near / (far - near)],
        [0, 0, -1.0, 0],
    ])
    assert m == pytest.approx(expected, abs=1e-12)


def test_near_and_far_planes_map_to_minus_one_and_one():
    fov = Fov.from_degrees(-40, 50, 30, -35)
    assert project(fov, (0, 0, -0.1))[2] == pytest.approx(-1.0)
    assert project(fov, (0, 0, -100.0))[2] == pytest.approx(1.0)


def test_asymmetric_fov_shifts_the_centre_towards_the_narrow_side():
    fov = Fov.from_degrees(-30, 50, 40, -20)
    m = projection_matrix(fov, 0.1, 100.0)
    assert m[0, 2] > 0 and m[1, 2] > 0
    cx, cy = fov.centre_ndc()
    assert cx < 0 and cy < 0  # more view to the right and above: straight ahead is left of and below centre


@pytest.mark.parametrize("fov", [Fov.from_degrees(-45, 45, 45, -45), Fov.from_degrees(-30, 50, 40, -20),
                                 Fov.from_degrees(-52, 41, 47, -53)])
def test_a_point_straight_ahead_projects_to_the_fov_centre(fov):
    ndc = project(fov, (0.0, 0.0, -3.0))
    assert tuple(ndc[:2]) == pytest.approx(fov.centre_ndc())


def test_the_fov_edges_project_to_the_image_edges():
    fov = Fov.from_degrees(-30, 50, 40, -20)
    d = 2.0
    assert project(fov, (d * math.tan(fov.angle_left), 0, -d))[0] == pytest.approx(-1.0)
    assert project(fov, (d * math.tan(fov.angle_right), 0, -d))[0] == pytest.approx(1.0)
    assert project(fov, (0, d * math.tan(fov.angle_up), -d))[1] == pytest.approx(1.0)
    assert project(fov, (0, d * math.tan(fov.angle_down), -d))[1] == pytest.approx(-1.0)


def test_empty_or_reversed_fov_is_rejected():
    with pytest.raises(ValueError):
        Fov.from_degrees(30, -30, 20, -20)
    with pytest.raises(ValueError):
        projection_matrix(Fov.from_degrees(-30, 30, 20, -20), 1.0, 0.5)


def test_xr_forward_up_right_become_panda_forward_up_right():
    assert xr_to_panda_position((0, 0, -1)) == (0, 1, 0)
    assert xr_to_panda_position((0, 1, 0)) == (0, 0, 1)
    assert xr_to_panda_position((1, 0, 0)) == (1, 0, 0)


def test_position_and_quaternion_conversions_round_trip():
    rng = np.random.default_rng(7)
    for _ in range(20):
        p = tuple(rng.normal(size=3))
        q = rng.normal(size=4)
        q = tuple(q / np.linalg.norm(q))
        assert panda_to_xr_position(xr_to_panda_position(p)) == pytest.approx(p)
        assert panda_to_xr_quat(xr_to_panda_quat(q)) == pytest.approx(q)


def test_a_converted_rotation_turns_converted_vectors_the_same_way():
    """Rotating in OpenXR then converting equals converting then rotating in Panda."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        v = rng.normal(size=3)
        rotated_xr = quat_to_rotation(q) @ v
        rotated_panda = quat_to_rotation(xr_to_panda_quat(q)) @ np.array(xr_to_panda_position(v))
        assert tuple(rotated_panda) == pytest.approx(xr_to_panda_position(rotated_xr))


def test_xr_yaw_left_becomes_panda_heading_left():
    """A head turned 90 degrees left in OpenXR (about +Y) looks along Panda's -X."""
    half = math.radians(90) / 2
    q_xr = (math.cos(half), 0.0, math.sin(half), 0.0)
    forward = quat_to_rotation(xr_to_panda_quat(q_xr)) @ np.array([0.0, 1.0, 0.0])
    assert tuple(forward) == pytest.approx((-1.0, 0.0, 0.0), abs=1e-12)


def test_pose_matrix_is_row_vector_panda_layout():
    half = math.radians(90) / 2
    m = pose_matrix((1.0, 2.0, 3.0), (math.cos(half), 0.0, 0.0, math.sin(half)))  # heading +90 about Z
    p = np.array([0.0, 1.0, 0.0, 1.0]) @ m  # a point one metre ahead of the pose
    assert tuple(p[:3]) == pytest.approx((0.0, 2.0, 3.0), abs=1e-12)
    assert tuple(m[3, :3]) == (1.0, 2.0, 3.0)


def test_eye_view_from_xr_converts_position_orientation_and_fov():
    class XrFov:
        angle_left, angle_right, angle_up, angle_down = -0.8, 0.7, 0.75, -0.85

    eye = EyeView.from_xr((0.03, 1.6, -0.2), (0.0, 0.0, 0.0, 1.0), XrFov)
    assert eye.pose_position == pytest.approx((0.03, 0.2, 1.6))
    assert eye.pose_orientation == (1.0, 0.0, 0.0, 0.0)
    assert eye.fov == Fov(-0.8, 0.7, 0.75, -0.85)


def test_simulated_eyes_sit_half_an_ipd_either_side_along_the_head_right_axis():
    half = math.radians(30) / 2
    head_quat = (math.cos(half), 0.0, 0.0, math.sin(half))  # head turned 30 degrees left
    left, right = simulated_eyes(ipd_m=0.064, head_position=(1.0, 2.0, 1.7), head_quat=head_quat)
    right_axis = np.array([math.cos(math.radians(30)), math.sin(math.radians(30)), 0.0])
    assert np.array(left.pose_position) == pytest.approx(np.array([1.0, 2.0, 1.7]) - 0.032 * right_axis)
    assert np.array(right.pose_position) == pytest.approx(np.array([1.0, 2.0, 1.7]) + 0.032 * right_axis)
    assert left.pose_orientation == right.pose_orientation == pytest.approx(head_quat)
    assert left.fov == right.fov == Fov.from_degrees(-45, 45, 45, -45)


def test_symmetric_fov_for_a_wide_eye_keeps_pixels_square():
    left, right, up, down = symmetric_fov_deg(90.0, aspect=320 / 360)
    assert (left, right) == (-45.0, 45.0)
    assert math.tan(math.radians(up)) == pytest.approx(360 / 320)
    assert down == -up
