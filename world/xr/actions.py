"""Controller actions and their suggested bindings on several interaction profiles.

The app asks for meanings (select, grab, stick, help, hand poses), never for buttons; the runtime maps
them to whatever controller is in the user's hands from the bindings suggested here. Several profiles
are suggested because runtimes only remap between profiles they know: SteamVR in particular ignores the
generic ``khr/simple_controller`` when a real controller profile exists.

The stick action carries both locomotion inputs: y pushes the teleport arc, x snap-turns.
"""

from __future__ import annotations

import ctypes
import enum
import logging
from dataclasses import dataclass

from vbranch.world.xr.instance import XrUnavailable, describe_xr_error
from vbranch.world.xr.space import ActionSpace, Pose, locate

__all__ = ["ActionKind", "ActionSpec", "ACTIONS", "HANDS", "SUGGESTED_BINDINGS", "RawHand", "ActionSet"]

log = logging.getLogger(__name__)

HANDS = ("left", "right")


class ActionKind(enum.Enum):
    BOOLEAN = "BOOLEAN_INPUT"
    FLOAT = "FLOAT_INPUT"
    VECTOR2 = "VECTOR2F_INPUT"
    POSE = "POSE_INPUT"


@dataclass(frozen=True)
class ActionSpec:
    name: str
    kind: ActionKind
    label: str


ACTIONS = (
    ActionSpec("select", ActionKind.FLOAT, "Select (trigger)"),
    ActionSpec("grab", ActionKind.FLOAT, "Grab (squeeze)"),
    ActionSpec("stick", ActionKind.VECTOR2, "Teleport (push) and snap turn (sideways)"),
    ActionSpec("help", ActionKind.BOOLEAN, "Ask the advisor for help"),
    ActionSpec("grip_pose", ActionKind.POSE, "Hand pose"),
    ActionSpec("aim_pose", ActionKind.POSE, "Pointing pose"),
)


def _both(action: str, component: str) -> tuple[tuple[str, str], ...]:
    return tuple((action, f"/user/hand/{hand}/input/{component}") for hand in HANDS)


_POSES = _both("grip_pose", "grip/pose") + _both("aim_pose", "aim/pose")

SUGGESTED_BINDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "/interaction_profiles/khr/simple_controller": (
        _both("select", "select/click") + _both("help", "menu/click") + _POSES
    ),
    "/interaction_profiles/oculus/touch_controller": (
        _both("select", "trigger/value") + _both("grab", "squeeze/value") + _both("stick", "thumbstick")
        + (("help", "/user/hand/left/input/menu/click"), ("help", "/user/hand/right/input/a/click")) + _POSES
    ),
    "/interaction_profiles/valve/index_controller": (
        _both("select", "trigger/value") + _both("grab", "squeeze/value") + _both("stick", "thumbstick")
        + _both("help", "a/click") + _POSES
    ),
    "/interaction_profiles/htc/vive_controller": (
        _both("select", "trigger/value") + _both("grab", "squeeze/click") + _both("stick", "trackpad")
        + _both("help", "menu/click") + _POSES
    ),
}


@dataclass(frozen=True)
class RawHand:
    """One hand's inputs as read this frame (before edge detection); poses in OpenXR coordinates."""

    grip_pose: Pose | None = None
    aim_pose: Pose | None = None
    select_value: float = 0.0
    grab_value: float = 0.0
    stick: tuple[float, float] = (0.0, 0.0)
    help_down: bool = False


class ActionSet:
    """The vbranch action set: created, bound for every profile, attached to the session."""

    def __init__(self, instance, session) -> None:
        import xr

        self.session = session
        path = lambda text: xr.string_to_path(instance.handle, text)  # noqa: E731
        self.hand_paths = [path(f"/user/hand/{hand}") for hand in HANDS]
        try:
            self.handle = xr.create_action_set(instance.handle, xr.ActionSetCreateInfo(
                action_set_name="vbranch", localized_action_set_name="Virtual branch", priority=0))
            self.actions = {
                spec.name: xr.create_action(self.handle, xr.ActionCreateInfo(
                    action_type=xr.ActionType[spec.kind.value], action_name=spec.name,
                    localized_action_name=spec.label, subaction_paths=self.hand_paths))
                for spec in ACTIONS
            }
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc
        for profile, bindings in SUGGESTED_BINDINGS.items():
            suggested = [xr.ActionSuggestedBinding(self.actions[name], path(p)) for name, p in bindings]
            try:
                xr.suggest_interaction_profile_bindings(instance.handle, xr.InteractionProfileSuggestedBinding(
                    interaction_profile=path(profile), suggested_bindings=suggested))
            except xr.XrException as exc:  # a runtime may not know a profile; the others still work
                log.warning("bindings for %s refused: %s", profile, describe_xr_error(exc))
        self.spaces = {
            (name, hand): ActionSpace(session, self.actions[name], hand_path)
            for name in ("grip_pose", "aim_pose")
            for hand, hand_path in zip(HANDS, self.hand_paths, strict=True)
        }
        xr.attach_session_action_sets(session.handle, xr.SessionActionSetsAttachInfo(action_sets=[self.handle]))

    def sync(self) -> bool:
        """Update every action's state; False while the app lacks input focus (then inputs read idle)."""
        import xr

        active = xr.ActiveActionSet(self.handle, xr.NULL_PATH)
        try:
            xr.sync_actions(self.session.handle, xr.ActionsSyncInfo(active_action_sets=ctypes.pointer(active)))
        except xr.SessionNotFocused:
            return False
        return True

    def read_hand(self, hand_index: int, base_space, time: int) -> RawHand:
        """One hand's state after ``sync``, poses located in ``base_space`` at ``time``."""
        import xr

        sub = self.hand_paths[hand_index]
        hand = HANDS[hand_index]

        def info(name: str):
            return xr.ActionStateGetInfo(action=self.actions[name], subaction_path=sub)

        def pose(name: str) -> Pose | None:
            if not xr.get_action_state_pose(self.session.handle, info(name)).is_active:
                return None
            return locate(self.spaces[(name, hand)].handle, base_space, time)

        stick = xr.get_action_state_vector2f(self.session.handle, info("stick")).current_state
        return RawHand(
            grip_pose=pose("grip_pose"),
            aim_pose=pose("aim_pose"),
            select_value=float(xr.get_action_state_float(self.session.handle, info("select")).current_state),
            grab_value=float(xr.get_action_state_float(self.session.handle, info("grab")).current_state),
            stick=(float(stick.x), float(stick.y)),
            help_down=bool(xr.get_action_state_boolean(self.session.handle, info("help")).current_state),
        )

    def destroy(self) -> None:
        """Destroy the action spaces and the set (which destroys its actions)."""
        import xr

        for space in self.spaces.values():
            space.destroy()
        self.spaces = {}
        if self.handle is not None:
            try:
                xr.destroy_action_set(self.handle)
            finally:
                self.handle = None
