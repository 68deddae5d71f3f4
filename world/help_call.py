"""One-tap help (一键求助): where the advisor goes when called, and how it gets there.

A learner who is lost or worried presses one key (or a controller button) and the advisor comes to
them, wherever they are: it stops a little in front of them, facing them, never inside a wall. The
walk is a plain kinematic approach so it reads as a person walking over, slower in elder mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vbranch.scenes.layout import Layout

__all__ = ["HelpWalk", "help_spot", "heading_towards", "route"]

STAND_OFF_M = 1.3


def heading_towards(from_xy: tuple[float, float], to_xy: tuple[float, float]) -> float:
    """Panda heading (degrees) that makes something at ``from_xy`` face ``to_xy`` (0 faces +y)."""
    dx, dy = to_xy[0] - from_xy[0], to_xy[1] - from_xy[1]
    return math.degrees(math.atan2(-dx, dy))


def help_spot(layout: Layout, learner_xy: tuple[float, float], learner_heading_deg: float) -> tuple[float, float]:
    """A walkable point about 1.3 m in front of the learner (or beside them if a wall is in the way)."""
    for offset_deg in (0, 35, -35, 70, -70, 110, -110, 180):
        h = math.radians(learner_heading_deg + offset_deg)
        for distance in (STAND_OFF_M, 0.9):
            x = learner_xy[0] - math.sin(h) * distance
            y = learner_xy[1] + math.cos(h) * distance
            if layout.walkable(x, y, margin=0.45):
                return (x, y)
    return learner_xy


def route(layout: Layout, start: tuple[float, float], goal: tuple[float, float]) -> list[tuple[float, float]]:
    """Waypoints from ``start`` to ``goal`` through doorways (rooms are convex, so door centres suffice)."""
    a, b = layout.room_at(*start), layout.room_at(*goal)
    if a is None or b is None or a.id == b.id:
        return [goal]
    previous: dict[str, tuple[str, tuple[float, float]] | None] = {a.id: None}
    frontier = [a.id]
    while frontier and b.id not in previous:
        nxt = []
        for room_id in frontier:
            for door in layout.doors_of(room_id):
                other = door.rooms[1] if door.rooms[0] == room_id else door.rooms[0]
                if other != "outside" and other not in previous:
                    previous[other] = (room_id, door.at)
                    nxt.append(other)
        frontier = nxt
    if b.id not in previous:
        return [goal]
    doors: list[tuple[float, float]] = []
    room_id = b.id
    while previous[room_id] is not None:
        room_id, at = previous[room_id]  # type: ignore[misc]
        doors.append(at)
    return [*reversed(doors), goal]


@dataclass
class HelpWalk:
    """The advisor walking to a spot: position, heading, and whether it has arrived."""

    x: float
    y: float
    heading_deg: float
    speed_mps: float = 1.6
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    face: tuple[float, float] | None = None

    def call(self, waypoints: list[tuple[float, float]], face: tuple[float, float]) -> None:
        self.waypoints, self.face = list(waypoints), face

    @property
    def arrived(self) -> bool:
        return not self.waypoints

    def tick(self, dt_s: float) -> bool:
        """Advance along the waypoints; returns True on the frame the advisor arrives."""
        step = self.speed_mps * max(0.0, dt_s)
        while self.waypoints and step > 0:
            tx, ty = self.waypoints[0]
            dx, dy = tx - self.x, ty - self.y
            dist = math.hypot(dx, dy)
            if dist > 1e-6:
                self.heading_deg = heading_towards((0.0, 0.0), (dx, dy))
            if dist > step:
                self.x += dx / dist * step
                self.y += dy / dist * step
                return False
            self.x, self.y = tx, ty
            step -= dist
            self.waypoints.pop(0)
            if not self.waypoints:
                if self.face is not None:
                    self.heading_deg = heading_towards((self.x, self.y), self.face)
                return True
        return False
