"""The branch in a headset: the learner's tracking origin, controller input and locomotion.

The runtime owns the head; we own where the play area stands in the branch (``xr-origin``).
Teleport (right stick forward, release to jump) and snap turn (right stick left/right) move that
origin; select on a panel acts like a click; the help button calls the advisor (一键求助).
None of this can run end to end here (no OpenXR runtime on these machines); the maths it uses is
tested in tests/world/test_locomotion.py and tests/world/xr.
"""

from __future__ import annotations

import logging
import math

from vbranch.world.comfort import VignetteOverlay
from vbranch.world.desktop_controls import LearnerPose
from vbranch.world.locomotion import SnapTurnState, snap_turn, teleport_target
from vbranch.world.xr import XrMode

__all__ = ["start_xr"]

log = logging.getLogger(__name__)

TELEPORT_AIM = 0.7
TELEPORT_RELEASE = 0.3
BLINK_S = 0.2


def _forward(quat_wxyz) -> tuple[float, float, float]:
    from panda3d.core import Quat

    v = Quat(*quat_wxyz).get_forward()
    return (v[0], v[1], v[2])


def start_xr(base, app) -> XrMode:
    origin = base.render.attach_new_node("xr-origin")
    origin.set_pos(app.pose.x, app.pose.y, 0.0)
    origin.set_h(app.pose.heading_deg)
    xr_mode = XrMode(base, origin, scene=base.render)
    base.camNode.set_active(False)
    vignette = VignetteOverlay.for_cameras(xr_mode.eyes.cameras, xr_mode.eyes.near_m)
    state = {"snap": SnapTurnState(), "aiming": False, "target": None, "blink": 0.0}

    def input_task(task):
        dt = base.clock.get_dt()
        xr_input = xr_mode.input
        right = xr_input.right
        heading, state["snap"] = snap_turn(origin.get_h(), right.stick[0], state["snap"])
        if heading != origin.get_h():
            origin.set_h(heading)
            state["blink"] = BLINK_S
        if right.aim_pose is not None:
            aim_pos = base.render.get_relative_point(origin, right.aim_pose[0])
            aim_dir = base.render.get_relative_vector(origin, _forward(right.aim_pose[1]))
            if right.stick[1] > TELEPORT_AIM:
                state["aiming"] = True
                state["target"] = teleport_target(tuple(aim_pos), tuple(aim_dir))
            elif state["aiming"] and right.stick[1] < TELEPORT_RELEASE:
                target = state["target"]
                state["aiming"], state["target"] = False, None
                if target is not None and app.layout.walkable(target[0], target[1]):
                    origin.set_pos(target[0], target[1], 0.0)
                    state["blink"] = BLINK_S
            if xr_input.any_select_pressed:
                app.pick_ray(tuple(aim_pos), tuple(aim_dir))
        if xr_input.any_help_pressed:
            app.call_help()
        if xr_input.head_pose is not None:
            head = base.render.get_relative_point(origin, xr_input.head_pose[0])
            heading_deg = origin.get_h() + math.degrees(math.atan2(-_forward(xr_input.head_pose[1])[0],
                                                                   _forward(xr_input.head_pose[1])[1]))
            app.pose = LearnerPose(head[0], head[1], heading_deg)
            app.head.set_pos(head)
        state["blink"] = max(0.0, state["blink"] - dt)
        vignette.set_strength(min(1.0, state["blink"] / BLINK_S))
        return task.cont

    base.task_mgr.add(input_task, "vbranch-xr-input", sort=0)
    log.info("VR session started")
    return xr_mode
