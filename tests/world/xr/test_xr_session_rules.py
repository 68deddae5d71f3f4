"""What the app does on each session state, and which controller inputs each profile binds."""

from __future__ import annotations

import pytest
import xr

from vbranch.world.xr.actions import ACTIONS, HANDS, SUGGESTED_BINDINGS
from vbranch.world.xr.session import SessionAction, action_for_state

S = xr.SessionState


@pytest.mark.parametrize(("state", "action"), [
    (S.READY, SessionAction.BEGIN),
    (S.STOPPING, SessionAction.END),
    (S.EXITING, SessionAction.QUIT),
    (S.LOSS_PENDING, SessionAction.QUIT),
    (S.IDLE, SessionAction.NONE),
    (S.SYNCHRONIZED, SessionAction.NONE),
    (S.VISIBLE, SessionAction.NONE),
    (S.FOCUSED, SessionAction.NONE),
])
def test_each_session_state_gets_the_spec_answer(state, action):
    assert action_for_state(state) is action
    assert action_for_state(int(state)) is action


def test_bindings_cover_the_generic_and_the_common_controllers():
    assert set(SUGGESTED_BINDINGS) == {
        "/interaction_profiles/khr/simple_controller",
        "/interaction_profiles/oculus/touch_controller",
        "/interaction_profiles/valve/index_controller",
        "/interaction_profiles/htc/vive_controller",
    }


@pytest.mark.parametrize("profile", sorted(SUGGESTED_BINDINGS))
def test_every_profile_binds_select_help_and_both_hand_poses(profile):
    bound = {(name, path.split("/")[3]) for name, path in SUGGESTED_BINDINGS[profile]}
    for hand in HANDS:
        for name in ("select", "grip_pose", "aim_pose"):
            assert (name, hand) in bound
    assert any(name == "help" for name, _ in SUGGESTED_BINDINGS[profile])


@pytest.mark.parametrize("profile", [p for p in SUGGESTED_BINDINGS if "simple" not in p])
def test_real_controllers_bind_grab_and_the_locomotion_stick_on_both_hands(profile):
    bound = {(name, path.split("/")[3]) for name, path in SUGGESTED_BINDINGS[profile]}
    for hand in HANDS:
        assert ("grab", hand) in bound
        assert ("stick", hand) in bound


def test_bindings_name_only_declared_actions_and_hand_input_paths():
    declared = {spec.name for spec in ACTIONS}
    for bindings in SUGGESTED_BINDINGS.values():
        for name, path in bindings:
            assert name in declared
            assert path.startswith(("/user/hand/left/input/", "/user/hand/right/input/"))
        assert len(set(bindings)) == len(bindings)
