"""``--stereo-sim``: both eyes side by side through the same per-eye path the headset uses.

The eyes hang under the learner's head with a fixed IPD and a fixed, symmetric field of view sized to
each half of the window, so desktop input (WASD, mouse) drives a "simulated headset". The comfort
vignette follows the learner's walking and turning speed, as it would in VR.
"""

from __future__ import annotations

import math

from vbranch.world.comfort import VignetteOverlay, vignette_strength
from vbranch.world.stereo import EyeCameras
from vbranch.world.xr.views import simulated_eyes, symmetric_fov_deg

__all__ = ["start_stereo_sim", "IPD_M", "EYE_FOV_DEG"]

IPD_M = 0.063
EYE_FOV_DEG = 90.0


def start_stereo_sim(base, app) -> EyeCameras:
    eyes = EyeCameras(app.head, scene=base.render, near_m=0.05, far_m=300.0)
    aspect = (base.win.get_x_size() / 2) / base.win.get_y_size()
    eyes.update(simulated_eyes(ipd_m=IPD_M, fov_deg=symmetric_fov_deg(EYE_FOV_DEG, aspect)))
    eyes.attach_side_by_side(base.win)
    base.camNode.set_active(False)  # the mono camera would be drawn over; don't pay for it
    vignette = VignetteOverlay.for_cameras(eyes.cameras, eyes.near_m)
    last = [app.pose.x, app.pose.y, app.pose.heading_deg]

    def comfort_task(task):
        dt = max(base.clock.get_dt(), 1e-6)
        pose = app.pose
        linear = math.hypot(pose.x - last[0], pose.y - last[1]) / dt
        angular = abs(pose.heading_deg - last[2]) / dt
        last[:] = [pose.x, pose.y, pose.heading_deg]
        vignette.set_strength(vignette_strength(linear, angular))
        return task.cont

    base.task_mgr.add(comfort_task, "vbranch-comfort", sort=-5)
    return eyes
