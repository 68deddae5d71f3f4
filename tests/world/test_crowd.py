"""Remote classmates: pose buffering (pure numbers) and the crowd's nodes (no engine needed)."""

import time

import pytest
from panda3d.core import NodePath

from vbranch.world.crowd import INTERP_DELAY_S, MAX_EXTRAPOLATION_S, Crowd, PoseBuffer


def _buffer(*samples) -> PoseBuffer:
    buffer = PoseBuffer()
    for t_s, x, heading in samples:
        buffer.push(t_s, (x, 0.0, 0.0), heading)
    return buffer


def test_empty_buffer_has_nothing_to_show():
    assert PoseBuffer().sample(1.0) is None


def test_positions_interpolate_linearly_with_the_fixed_delay():
    buffer = _buffer((1.0, 0.0, 0.0), (1.1, 1.0, 0.0))  # 10 m/s along +X
    x, y, z, _ = buffer.sample(1.05 + INTERP_DELAY_S)
    assert (x, y, z) == pytest.approx((0.5, 0.0, 0.0))
    assert buffer.sample(1.1 + INTERP_DELAY_S)[0] == pytest.approx(1.0)
    assert buffer.sample(1.0)[0] == pytest.approx(0.0)  # before the first sample: hold it


def test_heading_takes_the_shortest_arc_across_north():
    buffer = _buffer((0.0, 0.0, 350.0), (1.0, 0.0, 10.0))
    assert buffer.sample(0.5 + INTERP_DELAY_S)[3] == pytest.approx(0.0, abs=1e-9)
    assert buffer.sample(0.25 + INTERP_DELAY_S)[3] == pytest.approx(355.0)
    back = _buffer((0.0, 0.0, 10.0), (1.0, 0.0, 350.0))
    assert back.sample(0.75 + INTERP_DELAY_S)[3] == pytest.approx(355.0)


def test_extrapolation_is_capped_then_holds():
    buffer = _buffer((0.0, 0.0, 0.0), (0.1, 0.1, 10.0))  # 1 m/s, 100°/s
    assert buffer.sample(0.2 + INTERP_DELAY_S)[0] == pytest.approx(0.2)  # 100 ms ahead
    capped = 0.1 + MAX_EXTRAPOLATION_S
    assert buffer.sample(0.1 + MAX_EXTRAPOLATION_S + INTERP_DELAY_S)[0] == pytest.approx(capped)
    held = buffer.sample(5.0)
    assert held[0] == pytest.approx(capped)
    assert held[3] == pytest.approx(10.0 + 100.0 * MAX_EXTRAPOLATION_S)


def test_a_single_sample_is_held():
    assert _buffer((2.0, 3.0, 45.0)).sample(9.0) == (3.0, 0.0, 0.0, 45.0)


def test_stale_and_duplicate_samples_are_dropped():
    buffer = _buffer((1.0, 0.0, 0.0))
    assert not buffer.push(1.0, (5.0, 0.0, 0.0), 0.0)
    assert not buffer.push(0.5, (5.0, 0.0, 0.0), 0.0)
    assert buffer.push(1.1, (1.0, 0.0, 0.0), 0.0)
    assert len(buffer) == 2


def test_interpolation_finds_the_right_pair_among_many_samples():
    buffer = PoseBuffer()
    for i in range(30):  # 2 s at 15 Hz; only the last ~1 s is kept
        buffer.push(i / 15, (float(i), 0.0, 0.0), 0.0)
    t_s = 1.7
    assert buffer.sample(t_s + INTERP_DELAY_S)[0] == pytest.approx(t_s * 15)


def test_crowd_builds_an_avatar_once_and_moves_its_root():
    root = NodePath("room")
    crowd = Crowd(root, max_avatars=4)
    crowd.push("ana", 0.0, (1.0, 2.0, 0.0), 90.0)
    view = crowd.view("ana")
    crowd.push("ana", 0.1, (2.0, 2.0, 0.0), 90.0)
    assert crowd.view("ana") is view and len(crowd) == 1
    crowd.update(0.05 + INTERP_DELAY_S)
    assert tuple(view.root.get_pos()) == pytest.approx((1.5, 2.0, 0.0))
    assert view.root.get_h() == pytest.approx(90.0)


def test_remove_frees_the_node_and_the_seat():
    root = NodePath("room")
    crowd = Crowd(root, max_avatars=2)
    crowd.push("ana", 0.0, (0.0, 0.0, 0.0), 0.0)
    crowd.push("ben", 0.0, (1.0, 0.0, 0.0), 0.0)
    view = crowd.view("ana")
    assert crowd.seat_index("ana") == 0 and crowd.seat_index("ben") == 1
    crowd.remove("ana")
    assert view.root.is_empty()
    assert "ana" not in crowd and crowd.root.get_num_children() == 1
    crowd.remove("ana")  # twice is harmless
    crowd.push("cai", 0.0, (0.0, 0.0, 0.0), 0.0)
    assert crowd.seat_index("cai") == 0  # the freed seat is reused


def test_a_full_crowd_ignores_extra_clients(caplog):
    crowd = Crowd(NodePath("room"), max_avatars=1)
    crowd.push("ana", 0.0, (0.0, 0.0, 0.0), 0.0)
    crowd.push("ben", 0.0, (0.0, 0.0, 0.0), 0.0)
    crowd.push("cai", 0.0, (0.0, 0.0, 0.0), 0.0)
    assert len(crowd) == 1 and "ben" not in crowd
    assert sum("crowd is full" in r.message for r in caplog.records) == 1


def test_updating_30_avatars_costs_well_under_half_a_millisecond():
    crowd = Crowd(NodePath("room"))
    for client in range(30):
        for k in range(16):
            crowd.push(client, k / 15, (client * 0.8, k * 0.05, 0.0), (k * 7.0) % 360.0)
    frames = 2000
    best_s = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for frame in range(frames):
            crowd.update(0.5 + frame * 0.0002)
        best_s = min(best_s, (time.perf_counter() - start) / frames)
    print(f"Crowd.update for 30 avatars: {best_s * 1e6:.1f} µs per frame")
    assert best_s < 0.5e-3
