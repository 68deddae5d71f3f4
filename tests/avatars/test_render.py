"""The placeholder avatar in a real (offscreen) Panda3D scene graph."""

import numpy as np
import pytest
from panda3d.core import NodePath

from vbranch.avatars.body import JOINT_NAMES, JOINTS, REST_POSE, gesture_pose, idle_pose, joint_positions_m
from vbranch.avatars.render import ADVISOR_PALETTE, AvatarView, classmate_palette


def test_building_makes_one_node_per_joint_in_the_body_hierarchy(scene):
    view = AvatarView(scene, ADVISOR_PALETTE, "advisor")
    assert set(view.joints) == set(JOINT_NAMES)
    for joint in JOINTS:
        node = view.joints[joint.name]
        assert node.get_name() == joint.name
        parent = node.get_parent().get_name()
        assert parent == (joint.parent or "body")
        assert not node.find(f"{joint.name}-mesh").is_empty()
    bounds = view.root.get_tight_bounds()
    assert bounds is not None
    low, high = bounds
    assert low.z == pytest.approx(0.0, abs=0.01)  # shoes on the floor
    assert 1.70 <= high.z <= 1.82
    assert scene.find("**/advisor") == view.root


def test_applying_a_pose_turns_the_right_joint_and_leaves_the_others(scene):
    view = AvatarView(scene)
    view.apply(REST_POSE)
    before = {name: node.get_mat() for name, node in view.joints.items()}
    view.apply(REST_POSE.with_joints({"elbow_r": (0.0, 45.0, 0.0)}))
    changed = {name for name, node in view.joints.items() if node.get_mat() != before[name]}
    assert changed == {"elbow_r"}
    assert view.joints["elbow_r"].get_p() == pytest.approx(45.0)


def test_panda_joint_positions_match_the_pure_forward_kinematics(scene):
    view = AvatarView(scene)
    pose = gesture_pose("point", 0.5, aim_yaw_deg=25.0).with_joints({}, root_position_m=(0.01, 0.0, 0.0),
                                                                     root_heading_deg=15.0)
    view.apply(pose)
    expected = joint_positions_m(pose)
    for name in ("hand_r", "hand_l", "head", "knee_l"):
        assert tuple(view.joints[name].get_pos(view.root)) == pytest.approx(tuple(expected[name]), abs=1e-4)


def test_blinks_squash_the_eyes_and_the_mouth_opens_only_when_asked(scene):
    view = AvatarView(scene)
    view.apply(idle_pose(0.0, 0).with_joints({}, eyelid_open=0.0))
    assert view.joints["eye_l"].get_sz() < 0.2
    assert view.joints["jaw"].get_sz() == pytest.approx(1.0)
    view.apply(REST_POSE.with_joints({}, mouth_open=1.0))
    assert view.joints["eye_l"].get_sz() == pytest.approx(1.0)
    assert view.joints["jaw"].get_sz() > 2.0


def test_look_at_turns_the_head_towards_a_target_within_limits(scene):
    view = AvatarView(scene)
    view.apply(REST_POSE)
    target = scene.attach_new_node("learner")
    target.set_pos(-2.0, 2.0, 1.65)  # front-left at about eye height
    yaw, pitch = view.look_at(target)
    assert 40.0 < yaw < 50.0 and abs(pitch) < 5.0
    assert view.joints["head"].get_h() + view.joints["neck"].get_h() == pytest.approx(yaw)
    view.root.set_h(90.0)  # now facing -X, so +Y is to its right
    view.apply(REST_POSE)
    yaw, _ = view.look_at((-1.0, 5.0, 1.65))  # to its right, 79° off its nose
    assert yaw == pytest.approx(-70.0)


def test_destroy_removes_the_avatar(scene):
    view = AvatarView(scene, classmate_palette(3), "c3", detail=8)
    view.destroy()
    assert scene.get_num_children() == 0


def _screenshot_rgb(base) -> np.ndarray:
    base.graphicsEngine.render_frame()
    base.graphicsEngine.render_frame()
    texture = base.win.get_screenshot()
    data = np.frombuffer(bytes(texture.get_ram_image_as("RGB")), np.uint8)
    return data.reshape(texture.get_y_size(), texture.get_x_size(), 3)[::-1]


def test_the_avatar_shows_up_in_front_of_the_camera(base, scene):
    cam_pos, cam_hpr = base.cam.get_pos(), base.cam.get_hpr()
    base.cam.set_pos_hpr(0.0, 0.0, 1.2, 0.0, 0.0, 0.0)
    try:
        empty = _screenshot_rgb(base)
        view = AvatarView(scene)
        view.root.set_pos(0.0, 4.0, 0.0)
        view.root.set_h(180.0)  # face the camera
        view.apply(idle_pose(1.0, 0))
        image = _screenshot_rgb(base)
    finally:
        base.cam.set_pos_hpr(cam_pos, cam_hpr)
    h, w, _ = image.shape
    middle = image[h // 3: 2 * h // 3, w // 2 - w // 20: w // 2 + w // 20].astype(int)
    background = empty[h // 3: 2 * h // 3, w // 2 - w // 20: w // 2 + w // 20].astype(int)
    differs = np.abs(middle - background).sum(axis=2) > 30
    assert differs.mean() > 0.8  # the torso fills the middle of the frame
    corner = np.abs(image[:20, :20].astype(int) - empty[:20, :20].astype(int)).sum(axis=2)
    assert (corner <= 30).all()  # and nothing else changed


def test_detached_avatars_need_no_engine():
    root = NodePath("offline")
    view = AvatarView(root, classmate_palette(0), "c0", detail=8)
    view.apply(idle_pose(2.0, 5))
    assert root.get_num_children() == 1
