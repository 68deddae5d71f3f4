"""Desktop input: WASD to walk, mouse (or Q/E) to look, keys for every panel, H for help.

Walking is a pure function of the layout (``walk``): the learner slides along walls instead of
stopping dead, and passes through doorways. Keyboard bindings map onto the same abstract commands a
VR controller produces, so every panel is usable without a mouse.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from vbranch.world.order_form import Key

__all__ = ["walk", "LearnerPose", "KEY_COMMANDS", "DesktopControls"]

EYE_HEIGHT_M = 1.65
MOUSE_DEG_PER_PX = 0.15
PITCH_LIMIT_DEG = 70.0


@dataclass
class LearnerPose:
    x: float
    y: float
    heading_deg: float
    pitch_deg: float = 0.0


def walk(pose: LearnerPose, forward: float, strafe: float, dt_s: float, speed_mps: float,
         walkable: Callable[[float, float], bool]) -> LearnerPose:
    """Move by the stick/keys (each in -1..1) for ``dt_s``; blocked axes slide along the wall."""
    if not (forward or strafe) or dt_s <= 0:
        return pose
    norm = max(1.0, math.hypot(forward, strafe))
    h = math.radians(pose.heading_deg)
    fx, fy = -math.sin(h), math.cos(h)  # Panda: heading 0 looks +y, counter-clockwise
    rx, ry = math.cos(h), math.sin(h)
    dx = (fx * forward + rx * strafe) / norm * speed_mps * dt_s
    dy = (fy * forward + ry * strafe) / norm * speed_mps * dt_s
    for nx, ny in ((pose.x + dx, pose.y + dy), (pose.x + dx, pose.y), (pose.x, pose.y + dy)):
        if walkable(nx, ny):
            return LearnerPose(nx, ny, pose.heading_deg, pose.pitch_deg)
    return pose


# Panel keys: every one has a keyboard path (accessibility), mirrored by controller input in VR.
KEY_COMMANDS: dict[str, Key] = {
    "tab": Key.NEXT, "shift-tab": Key.PREV, "arrow_down": Key.NEXT, "arrow_up": Key.PREV,
    "arrow_right": Key.INCREASE, "arrow_left": Key.DECREASE, "+": Key.INCREASE, "=": Key.INCREASE,
    "-": Key.DECREASE, "enter": Key.ACTIVATE, "space": Key.ACTIVATE,
}
MOVE_KEYS = {"w": (1, 0), "s": (-1, 0), "a": (0, -1), "d": (0, 1)}
TURN_KEYS = {"q": 1, "e": -1}


class DesktopControls:
    """Binds keys and the mouse on a ShowBase; the app reads ``axes()`` and gets command callbacks."""

    def __init__(self, base, on_panel_key: Callable[[Key], None], on_help: Callable[[], None],
                 on_click: Callable[[float, float], None], on_number: Callable[[int], None],
                 on_toggle_keys: Callable[[], None], on_cooling: Callable[[str], None],
                 on_lessons: Callable[[], None] | None = None) -> None:
        """``on_number`` gets 0–9 for keys 1–9 and 0 (rooms, answers, lesson rows); L opens the lessons."""
        self.base = base
        self.held: set[str] = set()
        self.mouse_look = False
        self._last_pointer: tuple[int, int] | None = None
        for key in (*MOVE_KEYS, *TURN_KEYS):
            base.accept(key, self.held.add, [key])
            base.accept(f"{key}-up", self.held.discard, [key])
        for key, command in KEY_COMMANDS.items():
            base.accept(key, on_panel_key, [command])
            base.accept(f"{key}-repeat", on_panel_key, [command])
        base.accept("h", on_help)
        base.accept("f1", on_toggle_keys)
        base.accept("escape", on_cooling, ["cancel"])  # during a cooling-off: cancel the held sell
        base.accept("b", on_cooling, ["breathe"])      # …or breathe along with the advisor
        for i in range(10):
            base.accept(str((i + 1) % 10), on_number, [i])
        if on_lessons is not None:
            base.accept("l", on_lessons)
        base.accept("mouse1", self._click, [on_click])
        base.accept("mouse3", self._set_look, [True])
        base.accept("mouse3-up", self._set_look, [False])

    def _set_look(self, on: bool) -> None:
        self.mouse_look = on
        self._last_pointer = None

    def _click(self, on_click: Callable[[float, float], None]) -> None:
        if self.base.mouseWatcherNode.has_mouse():
            m = self.base.mouseWatcherNode.get_mouse()
            on_click(m.get_x(), m.get_y())

    def axes(self) -> tuple[float, float, float]:
        """(forward, strafe, turn) in -1..1 from the held keys."""
        forward = sum(MOVE_KEYS[k][0] for k in self.held if k in MOVE_KEYS)
        strafe = sum(MOVE_KEYS[k][1] for k in self.held if k in MOVE_KEYS)
        turn = sum(TURN_KEYS[k] for k in self.held if k in TURN_KEYS)
        return float(forward), float(strafe), float(turn)

    def mouse_delta(self) -> tuple[float, float]:
        """Degrees of (yaw, pitch) since the last frame while the right button is held."""
        win = self.base.win
        if not self.mouse_look or win is None or not hasattr(win, "get_pointer"):
            return 0.0, 0.0
        pointer = win.get_pointer(0)
        if not pointer.get_in_window():
            return 0.0, 0.0
        now = (pointer.get_x(), pointer.get_y())
        last, self._last_pointer = self._last_pointer, now
        if last is None:
            return 0.0, 0.0
        return -(now[0] - last[0]) * MOUSE_DEG_PER_PX, -(now[1] - last[1]) * MOUSE_DEG_PER_PX
