"""Comfortable VR locomotion rules: snap turning, a parabolic teleport arc, staying inside the rooms.

Pure functions in Panda coordinates (Z up, metres, headings in degrees counter-clockwise seen from
above, Panda's H). Smooth turning and sliding make many first-time users sick; one 30° snap per flick
and a teleport that lands only on the branch's floor are the usual remedy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SnapTurnParams", "SnapTurnState", "snap_turn", "teleport_target", "teleport_arc", "clamp_to_rooms"]

Vec3 = tuple[float, float, float]
Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class SnapTurnParams:
    """A flick past ``trigger`` turns once; the stick must come back inside ``rearm`` before the next."""

    step_deg: float = 30.0
    trigger: float = 0.7
    rearm: float = 0.3

    def __post_init__(self) -> None:
        if not 0 <= self.rearm < self.trigger <= 1:
            raise ValueError(f"need 0 <= rearm < trigger <= 1, got {self.rearm}, {self.trigger}")


@dataclass(frozen=True)
class SnapTurnState:
    armed: bool = True


def snap_turn(heading_deg: float, stick_x: float, state: SnapTurnState,
              params: SnapTurnParams = SnapTurnParams()) -> tuple[float, SnapTurnState]:
    """Apply one frame of the snap-turn stick.

    Pushing right (positive x) turns right, which lowers Panda's heading. Returns the new heading,
    wrapped to [0, 360), and the new state.
    """
    if state.armed and abs(stick_x) >= params.trigger:
        turn = -params.step_deg if stick_x > 0 else params.step_deg
        return (heading_deg + turn) % 360.0, SnapTurnState(armed=False)
    if not state.armed and abs(stick_x) <= params.rearm:
        return heading_deg, SnapTurnState(armed=True)
    return heading_deg, state


def _launch(direction: Sequence[float], speed_mps: float) -> tuple[float, float, float]:
    dx, dy, dz = (float(v) for v in direction)
    norm = math.sqrt(dx * dx + dy * dy + dz * dz)
    if norm < 1e-9:
        raise ValueError("direction must be non-zero")
    return dx / norm * speed_mps, dy / norm * speed_mps, dz / norm * speed_mps


def teleport_target(origin: Sequence[float], direction: Sequence[float], speed_mps: float = 7.0,
                    floor_z: float = 0.0, gravity_mps2: float = 9.81, max_range_m: float = 12.0) -> Vec3 | None:
    """Where a projectile thrown from ``origin`` along ``direction`` lands on the floor, or None.

    None when the origin is under the floor or the landing point is further than ``max_range_m``
    horizontally (a near-horizontal or upward-but-slow throw never "lands" usefully).
    """
    if gravity_mps2 <= 0:
        raise ValueError("gravity_mps2 must be positive")
    ox, oy, oz = (float(v) for v in origin)
    height = oz - floor_z
    if height < 0:
        return None
    vx, vy, vz = _launch(direction, speed_mps)
    # floor_z = oz + vz t - g t^2 / 2  ->  the positive root.
    t = (vz + math.sqrt(vz * vz + 2 * gravity_mps2 * height)) / gravity_mps2
    x, y = ox + vx * t, oy + vy * t
    if math.hypot(x - ox, y - oy) > max_range_m:
        return None
    return (x, y, floor_z)


def teleport_arc(origin: Sequence[float], direction: Sequence[float], speed_mps: float = 7.0,
                 floor_z: float = 0.0, gravity_mps2: float = 9.81, samples: int = 24) -> list[Vec3]:
    """Points along the arc from ``origin`` down to the floor, for drawing the pointer."""
    ox, oy, oz = (float(v) for v in origin)
    vx, vy, vz = _launch(direction, speed_mps)
    height = max(0.0, oz - floor_z)
    t_end = (vz + math.sqrt(vz * vz + 2 * gravity_mps2 * height)) / gravity_mps2
    points = []
    for i in range(samples + 1):
        t = t_end * i / samples
        points.append((ox + vx * t, oy + vy * t, oz + vz * t - gravity_mps2 * t * t / 2))
    return points


def clamp_to_rooms(point: Sequence[float], rooms: Sequence[Rect], margin_m: float = 0.0) -> Vec3:
    """``point`` if it lies inside a room, else the nearest point inside any room (z kept).

    Args:
        rooms: floor rectangles (xmin, ymin, xmax, ymax), each shrunk by ``margin_m`` to keep off walls.
    """
    if not rooms:
        raise ValueError("need at least one room")
    px, py, pz = (float(v) for v in point)
    best: tuple[float, float, float] | None = None
    for xmin, ymin, xmax, ymax in rooms:
        x0, x1 = xmin + margin_m, xmax - margin_m
        y0, y1 = ymin + margin_m, ymax - margin_m
        if x0 > x1:
            x0 = x1 = (xmin + xmax) / 2
        if y0 > y1:
            y0 = y1 = (ymin + ymax) / 2
        cx, cy = min(max(px, x0), x1), min(max(py, y0), y1)
        d2 = (cx - px) ** 2 + (cy - py) ** 2
        if best is None or d2 < best[0]:
            best = (d2, cx, cy)
    assert best is not None
    return (best[1], best[2], pz)
