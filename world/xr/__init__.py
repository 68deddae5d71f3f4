"""OpenXR for vbranch: one small module per OpenXR handle, pure view maths, and ``XrMode`` tying them up.

Import cost is small: pyopenxr is only imported when a handle is created or the runtime is probed, and
Panda3D only when ``XrMode`` is first touched, so the pure parts (views, frame loop, input) stay pure.
"""

from vbranch.world.xr.actions import ACTIONS, SUGGESTED_BINDINGS, ActionSet, RawHand
from vbranch.world.xr.frame_loop import PHASES, FrameLoop, Gate
from vbranch.world.xr.input_state import HandInput, XrInput, next_input
from vbranch.world.xr.instance import Instance, RuntimeProbe, XrUnavailable, probe_runtime
from vbranch.world.xr.session import Session, SessionAction, action_for_state
from vbranch.world.xr.space import ActionSpace, ReferenceSpace
from vbranch.world.xr.swapchain import Swapchain, pick_format, texture_draw_callback
from vbranch.world.xr.system import EyeImageSize, System
from vbranch.world.xr.views import (
    EyeView,
    Fov,
    lens_user_matrix,
    pose_matrix,
    projection_matrix,
    simulated_eyes,
    symmetric_fov_deg,
    xr_to_panda_position,
    xr_to_panda_quat,
)

__all__ = [
    "ACTIONS",
    "SUGGESTED_BINDINGS",
    "ActionSet",
    "RawHand",
    "XrMode",
    "PHASES",
    "FrameLoop",
    "Gate",
    "HandInput",
    "XrInput",
    "next_input",
    "Instance",
    "RuntimeProbe",
    "XrUnavailable",
    "probe_runtime",
    "Session",
    "SessionAction",
    "action_for_state",
    "ActionSpace",
    "ReferenceSpace",
    "Swapchain",
    "pick_format",
    "texture_draw_callback",
    "EyeImageSize",
    "System",
    "EyeView",
    "Fov",
    "lens_user_matrix",
    "pose_matrix",
    "projection_matrix",
    "simulated_eyes",
    "symmetric_fov_deg",
    "xr_to_panda_position",
    "xr_to_panda_quat",
]


def __getattr__(name: str):
    if name == "XrMode":
        from vbranch.world.xr.app_bridge import XrMode

        return XrMode
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
