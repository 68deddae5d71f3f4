"""Snap turning, the teleport arc and keeping the user inside the branch's rooms."""

from __future__ import annotations

import math

import pytest

from vbranch.world.locomotion import (
    SnapTurnParams,
    SnapTurnState,
    clamp_to_rooms,
    snap_turn,
    teleport_arc,
    teleport_target,
)


def flick(stick_xs, heading=0.0):
    state = SnapTurnState()
    for x in stick_xs:
        heading, state = snap_turn(heading, x, state)
    return heading


def test_one_flick_right_turns_right_once_by_thirty_degrees():
    assert flick([0.0, 0.8, 1.0, 1.0, 0.9]) == pytest.approx(330.0)


def test_the_stick_must_return_to_centre_before_the_next_turn():
    assert flick([1.0, 0.5, 1.0]) == pytest.approx(330.0)  # 0.5 is outside the re-arm zone
    assert flick([1.0, 0.1, 1.0]) == pytest.approx(300.0)


def test_flick_left_turns_left_and_small_pushes_do_nothing():
    assert flick([-0.9, 0.0]) == pytest.approx(30.0)
    assert flick([0.3, 0.6, -0.6, 0.0]) == pytest.approx(0.0)


def test_snap_turn_step_is_configurable_and_wraps():
    heading, _ = snap_turn(350.0, -1.0, SnapTurnState(), SnapTurnParams(step_deg=45.0))
    assert heading == pytest.approx(35.0)
    with pytest.raises(ValueError):
        SnapTurnParams(trigger=0.2, rearm=0.3)


def test_a_level_throw_lands_where_the_ballistics_say():
    target = teleport_target((0.0, 0.0, 1.5), (0.0, 1.0, 0.0), speed_mps=5.0, gravity_mps2=10.0)
    t = math.sqrt(2 * 1.5 / 10.0)
    assert target == pytest.approx((0.0, 5.0 * t, 0.0))


def test_an_upward_throw_lands_further_than_a_level_one():
    level = teleport_target((0.0, 0.0, 1.5), (0.0, 1.0, 0.0))
    upward = teleport_target((0.0, 0.0, 1.5), (0.0, 1.0, 0.5))
    assert upward[1] > level[1] > 0


def test_teleport_out_of_range_or_from_under_the_floor_has_no_target():
    assert teleport_target((0.0, 0.0, 1.5), (0.0, 1.0, 1.0), speed_mps=20.0, max_range_m=10.0) is None
    assert teleport_target((0.0, 0.0, -0.5), (0.0, 1.0, 0.0)) is None


def test_the_arc_starts_at_the_hand_and_ends_on_the_target():
    origin, direction = (1.0, 2.0, 1.4), (0.3, 1.0, 0.2)
    arc = teleport_arc(origin, direction, samples=10)
    assert arc[0] == pytest.approx(origin)
    assert arc[-1] == pytest.approx(teleport_target(origin, direction))
    assert len(arc) == 11


ROOMS = [(0.0, 0.0, 10.0, 8.0), (10.0, 2.0, 16.0, 6.0)]


def test_a_point_inside_a_room_is_unchanged():
    assert clamp_to_rooms((12.0, 3.0, 0.0), ROOMS) == (12.0, 3.0, 0.0)


def test_a_point_outside_moves_to_the_nearest_room_edge():
    assert clamp_to_rooms((5.0, -3.0, 0.2), ROOMS) == (5.0, 0.0, 0.2)
    assert clamp_to_rooms((18.0, 4.0, 0.0), ROOMS) == (16.0, 4.0, 0.0)
    assert clamp_to_rooms((13.0, 7.0, 0.0), ROOMS) == (13.0, 6.0, 0.0)  # nearer the corridor than the hall


def test_margin_keeps_the_user_off_the_walls():
    assert clamp_to_rooms((-1.0, 4.0, 0.0), ROOMS, margin_m=0.3) == pytest.approx((0.3, 4.0, 0.0))
    with pytest.raises(ValueError):
        clamp_to_rooms((0.0, 0.0, 0.0), [])
