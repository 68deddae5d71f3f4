"""The skeleton and its pure motion functions, checked as numbers."""

import numpy as np
import pytest

from vbranch.avatars.body import (
    BREATH_HZ,
    GESTURE_KEYFRAMES,
    JOINT_NAMES,
    JOINTS,
    REST_POSE,
    GazeLimits,
    Pose,
    Viseme,
    blend,
    eyelid_open,
    gaze_angles,
    gesture_joints,
    gesture_pose,
    idle_pose,
    joint_positions_m,
    mouth_open,
)

TIMES_S = np.arange(0.0, 60.0, 0.01)


def test_skeleton_lists_parents_first_and_stands_about_175_cm_tall():
    seen = set()
    for joint in JOINTS:
        assert joint.parent is None or joint.parent in seen
        seen.add(joint.name)
    assert {"pelvis", "spine", "chest", "neck", "head", "eye_l", "eye_r", "jaw", "shoulder_l", "elbow_r",
            "hand_l", "hip_r", "knee_l"} <= seen
    eye_z = joint_positions_m(REST_POSE)["eye_l"][2]
    assert 1.55 < eye_z < 1.7  # eyes sit ~10 cm below the top of a 1.75 m head


def test_pose_rejects_a_wrong_joint_count_and_is_frozen():
    with pytest.raises(ValueError):
        Pose(((0.0, 0.0, 0.0),))
    with pytest.raises(AttributeError):
        REST_POSE.mouth_open = 1.0  # type: ignore[misc]


def test_breathing_is_bounded_and_periodic():
    chest = np.array([idle_pose(t, seed=3).hpr_deg("chest")[1] for t in TIMES_S])
    shoulder = np.array([idle_pose(t, seed=3).hpr_deg("shoulder_l")[2] for t in TIMES_S])
    assert 1.0 <= np.abs(chest).max() <= 2.0
    assert 0.5 <= np.abs(shoulder).max() <= 2.0
    period_s = 1.0 / BREATH_HZ
    for t in (0.3, 7.1, 21.9):
        assert idle_pose(t, 3).hpr_deg("chest")[1] == pytest.approx(idle_pose(t + period_s, 3).hpr_deg("chest")[1])


def test_weight_shift_is_small_and_the_idle_mouth_stays_closed():
    poses = [idle_pose(t, seed=1) for t in TIMES_S[::50]]
    assert max(abs(p.root_position_m[0]) for p in poses) <= 0.02
    assert max(abs(p.hpr_deg("pelvis")[2]) for p in poses) <= 2.0
    assert all(p.mouth_open == 0.0 for p in poses)


def test_avatars_with_different_seeds_breathe_out_of_step():
    assert idle_pose(2.0, 1).hpr_deg("chest") != idle_pose(2.0, 2).hpr_deg("chest")


def _blink_centres(seed: int) -> np.ndarray:
    lids = np.array([eyelid_open(t, seed) for t in TIMES_S])
    closed = lids < 0.2
    starts = np.flatnonzero(closed[1:] & ~closed[:-1]) + 1
    return TIMES_S[starts]


def test_blinks_stay_in_bounds_and_come_every_3_to_6_seconds():
    lids = np.array([eyelid_open(t, 7) for t in TIMES_S])
    assert lids.min() >= 0.0 and lids.max() <= 1.0
    assert lids.min() < 0.2  # eyes do close
    gaps = np.diff(_blink_centres(7))
    assert len(gaps) >= 9
    assert gaps.min() >= 3.0 - 0.05 and gaps.max() <= 6.0 + 0.05


def test_blinks_are_deterministic_by_seed():
    assert np.array_equal(_blink_centres(11), _blink_centres(11))
    assert not np.array_equal(_blink_centres(11), _blink_centres(12))
    assert idle_pose(4.2, 11) == idle_pose(4.2, 11)


def test_gaze_straight_ahead_left_and_up():
    head = (0.0, 0.0, 1.6)
    assert gaze_angles(head, (0.0, 2.0, 1.6), 0.0) == pytest.approx((0.0, 0.0))
    assert gaze_angles(head, (-1.0, 1.0, 1.6), 0.0) == pytest.approx((45.0, 0.0))  # left is positive yaw
    assert gaze_angles(head, (0.0, 1.0, 2.6), 0.0) == pytest.approx((0.0, 30.0))  # 45° up, clamped to 30
    assert gaze_angles(head, (1.0, 0.0, 1.6), -90.0) == pytest.approx((0.0, 0.0))  # body already faces +X


def test_gaze_clamps_to_the_limits_and_takes_the_short_way():
    head = (0.0, 0.0, 1.6)
    limits = GazeLimits(yaw_deg=60.0, pitch_up_deg=20.0, pitch_down_deg=35.0)
    assert gaze_angles(head, (-0.1, -1.0, 1.6), 0.0, limits)[0] == pytest.approx(60.0)  # behind-left
    assert gaze_angles(head, (0.1, -1.0, 1.6), 0.0, limits)[0] == pytest.approx(-60.0)
    assert gaze_angles(head, (0.0, 0.5, 0.0), 0.0, limits)[1] == pytest.approx(-35.0)
    assert gaze_angles(head, (0.0, 1.0, 1.6), 350.0)[0] == pytest.approx(10.0)
    assert gaze_angles(head, head, 0.0) == (0.0, 0.0)


@pytest.mark.parametrize("name", sorted(GESTURE_KEYFRAMES))
def test_gestures_start_and_end_at_rest_and_move_in_between(name):
    assert gesture_pose(name, 0.0) == REST_POSE
    assert gesture_pose(name, 1.0) == REST_POSE
    assert gesture_pose(name, -1.0) == REST_POSE and gesture_pose(name, 2.0) == REST_POSE
    assert gesture_pose(name, 0.5) != REST_POSE
    assert gesture_joints(name)


def test_greet_waves_the_right_hand_up_by_the_head():
    top = joint_positions_m(gesture_pose("greet", 0.25))
    assert top["hand_r"][2] > top["head"][2]
    assert top["hand_l"][2] < 1.0  # the other arm stays down
    elbow_a = gesture_pose("greet", 0.37).hpr_deg("elbow_r")
    elbow_b = gesture_pose("greet", 0.49).hpr_deg("elbow_r")
    assert abs(elbow_a[2] - elbow_b[2]) >= 20.0  # it waves


def test_point_aims_the_right_arm_at_the_given_direction():
    for aim_deg in (0.0, 30.0, -45.0):
        joints = joint_positions_m(gesture_pose("point", 0.5, aim_yaw_deg=aim_deg))
        arm = joints["hand_r"] - joints["shoulder_r"]
        yaw_deg = np.degrees(np.arctan2(-arm[0], arm[1]))
        assert yaw_deg == pytest.approx(aim_deg, abs=2.0)
        assert abs(arm[2]) < 0.15  # roughly horizontal


def test_calm_down_holds_both_palms_down_in_front():
    pose = gesture_pose("calm_down", 0.4)
    joints = joint_positions_m(pose)
    for side in ("l", "r"):
        assert joints[f"hand_{side}"][1] > 0.25  # in front of the body
        assert 0.9 < joints[f"hand_{side}"][2] < 1.3  # at waist height
    assert pose.hpr_deg("hand_l")[0] == -pose.hpr_deg("hand_r")[0] != 0.0  # mirrored palms


def test_blend_interpolates_short_way_and_can_layer_only_some_joints():
    a = REST_POSE.with_joints({"head": (350.0, 0.0, 0.0)}, root_heading_deg=350.0)
    b = REST_POSE.with_joints({"head": (10.0, 20.0, 0.0)}, root_heading_deg=10.0, mouth_open=1.0)
    mid = blend(a, b, 0.5)
    assert mid.hpr_deg("head") == pytest.approx((360.0, 10.0, 0.0))
    assert mid.root_heading_deg == pytest.approx(360.0) and mid.mouth_open == 0.5
    assert blend(a, b, 0.0) == a
    idle = idle_pose(1.0, 0)
    layered = blend(idle, gesture_pose("greet", 0.3), 1.0, gesture_joints("greet"))
    assert layered.hpr_deg("shoulder_r") == gesture_pose("greet", 0.3).hpr_deg("shoulder_r")
    assert layered.hpr_deg("chest") == idle.hpr_deg("chest")  # breathing goes on
    assert layered.eyelid_open == idle.eyelid_open


def test_mouth_is_closed_without_visemes():
    assert mouth_open([], 0.0) == 0.0
    assert mouth_open((), 12.3) == 0.0
    assert max(idle_pose(t, 0).mouth_open for t in TIMES_S[::97]) == 0.0


def test_mouth_follows_a_viseme_timeline():
    timeline = [Viseme(0.0, 0.2, 0.8), Viseme(0.3, 0.5, 0.4)]
    assert mouth_open(timeline, -0.1) == 0.0
    assert mouth_open(timeline, 0.1) == pytest.approx(0.8)
    assert 0.0 < mouth_open(timeline, 0.01) < 0.8  # eases open
    assert mouth_open(timeline, 0.25) == 0.0  # a pause between visemes
    assert mouth_open(timeline, 0.4) == pytest.approx(0.4)
    assert mouth_open(timeline, 0.6) == 0.0
    assert mouth_open([(0.0, 1.0, 1.0)], 0.5) == 1.0  # plain tuples work too


def test_all_joint_names_are_unique():
    assert len(set(JOINT_NAMES)) == len(JOINT_NAMES)
