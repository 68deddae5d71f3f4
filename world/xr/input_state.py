"""The per-frame input snapshot the app reads in VR: poses in Panda coordinates plus press edges.

Pure: the OpenXR side fills ``RawHand`` values, ``next_input`` turns them and the previous snapshot
into the next one. Analogue trigger/squeeze values become buttons with hysteresis (press at 0.7,
release below 0.4) so a half-held trigger can't chatter into repeated clicks.
"""

from __future__ import annotations

from dataclasses import dataclass

from vbranch.world.xr.actions import RawHand
from vbranch.world.xr.space import Pose
from vbranch.world.xr.views import xr_to_panda_position, xr_to_panda_quat

__all__ = ["PandaPose", "HandInput", "XrInput", "PRESS_AT", "RELEASE_BELOW", "to_panda_pose", "next_input"]

PRESS_AT = 0.7
RELEASE_BELOW = 0.4

# (position xyz metres, quaternion wxyz) in Panda coordinates, relative to the tracking origin.
PandaPose = tuple[tuple[float, float, float], tuple[float, float, float, float]]


def to_panda_pose(pose: Pose | None) -> PandaPose | None:
    """An OpenXR (position, xyzw quaternion) pose -> Panda (position, wxyz quaternion)."""
    if pose is None:
        return None
    position, (x, y, z, w) = pose
    return xr_to_panda_position(position), xr_to_panda_quat((w, x, y, z))


@dataclass(frozen=True)
class HandInput:
    """One hand this frame. ``*_held`` is the level, ``*_pressed`` is true only on the press frame."""

    grip_pose: PandaPose | None = None
    aim_pose: PandaPose | None = None
    stick: tuple[float, float] = (0.0, 0.0)
    select_held: bool = False
    grab_held: bool = False
    help_held: bool = False
    select_pressed: bool = False
    grab_pressed: bool = False
    help_pressed: bool = False


@dataclass(frozen=True)
class XrInput:
    """Everything VR input the app needs for one frame; the default is "nothing tracked, nothing held"."""

    head_pose: PandaPose | None = None
    left: HandInput = HandInput()
    right: HandInput = HandInput()

    @property
    def any_select_pressed(self) -> bool:
        return self.left.select_pressed or self.right.select_pressed

    @property
    def any_help_pressed(self) -> bool:
        return self.left.help_pressed or self.right.help_pressed


def _held(value: float, was_held: bool) -> bool:
    return value >= RELEASE_BELOW if was_held else value >= PRESS_AT


def _next_hand(raw: RawHand, previous: HandInput) -> HandInput:
    select = _held(raw.select_value, previous.select_held)
    grab = _held(raw.grab_value, previous.grab_held)
    return HandInput(
        grip_pose=to_panda_pose(raw.grip_pose),
        aim_pose=to_panda_pose(raw.aim_pose),
        stick=raw.stick,
        select_held=select,
        grab_held=grab,
        help_held=raw.help_down,
        select_pressed=select and not previous.select_held,
        grab_pressed=grab and not previous.grab_held,
        help_pressed=raw.help_down and not previous.help_held,
    )


def next_input(head_pose: Pose | None, left: RawHand, right: RawHand, previous: XrInput) -> XrInput:
    """The next snapshot from this frame's raw OpenXR readings and the previous snapshot."""
    return XrInput(to_panda_pose(head_pose), _next_hand(left, previous.left), _next_hand(right, previous.right))
