"""The per-frame VR input snapshot: Panda-space poses and one press per pull of a trigger."""

from __future__ import annotations

import pytest

from vbranch.world.xr.actions import RawHand
from vbranch.world.xr.input_state import XrInput, next_input


def run(select_values, previous=None):
    snapshot = previous or XrInput()
    presses = []
    for value in select_values:
        snapshot = next_input(None, RawHand(), RawHand(select_value=value), snapshot)
        presses.append(snapshot.right.select_pressed)
    return presses, snapshot


def test_a_trigger_pull_is_one_press_edge():
    presses, snapshot = run([0.0, 0.8, 0.9, 1.0])
    assert presses == [False, True, False, False]
    assert snapshot.right.select_held and snapshot.any_select_pressed is False


def test_a_trigger_wobbling_near_the_threshold_does_not_click_again():
    presses, _ = run([0.0, 0.75, 0.65, 0.72, 0.5, 0.8])
    assert presses == [False, True, False, False, False, False]


def test_releasing_below_the_release_level_rearms_the_trigger():
    presses, _ = run([0.9, 0.2, 0.9])
    assert presses == [True, False, True]


def test_help_button_edges_and_left_hand_is_independent():
    s = XrInput()
    s = next_input(None, RawHand(help_down=True), RawHand(), s)
    assert s.left.help_pressed and s.any_help_pressed and not s.right.help_pressed
    s = next_input(None, RawHand(help_down=True), RawHand(), s)
    assert s.left.help_held and not s.left.help_pressed


def test_poses_arrive_in_panda_coordinates():
    head = ((0.1, 1.6, -0.5), (0.0, 0.0, 0.0, 1.0))  # OpenXR position, xyzw quaternion
    s = next_input(head, RawHand(grip_pose=((0.2, 1.0, -0.3), (0.0, 0.0, 0.0, 1.0))), RawHand(), XrInput())
    assert s.head_pose == (pytest.approx((0.1, 0.5, 1.6)), (1.0, 0.0, 0.0, 0.0))
    assert s.left.grip_pose[0] == pytest.approx((0.2, 0.3, 1.0))
    assert s.right.grip_pose is None
