import pytest

from vbranch.world.options import Mode, RunOptions, choose_mode, theme_for


def test_desktop_when_no_runtime_says_so_once():
    decision = choose_mode(RunOptions(), xr_available=False, display_available=True)
    assert decision.mode is Mode.DESKTOP and decision.message_key == "vr.unavailable" and not decision.error


def test_vr_opens_when_a_runtime_is_present():
    assert choose_mode(RunOptions(), xr_available=True, display_available=True).mode is Mode.VR


def test_vr_flag_without_runtime_is_an_error():
    decision = choose_mode(RunOptions(vr=True), xr_available=False, display_available=True)
    assert decision.error and decision.message_key == "vr.required"


def test_no_display_explains_how_to_render_offscreen():
    decision = choose_mode(RunOptions(), xr_available=False, display_available=False)
    assert decision.mode is Mode.NO_DISPLAY and decision.message_key == "run.no_display"


def test_offscreen_never_needs_a_display_or_runtime():
    assert choose_mode(RunOptions(offscreen=True), False, False).mode is Mode.OFFSCREEN
    assert choose_mode(RunOptions(offscreen=True, stereo_sim=True), False, False).mode is Mode.STEREO_SIM


@pytest.mark.parametrize("kwargs", [{"speed": 0}, {"frames": 0}, {"lang": "fr"}, {"vr": True, "stereo_sim": True},
                                    {"vr": True, "offscreen": True}])
def test_bad_options_are_refused(kwargs):
    with pytest.raises(ValueError):
        RunOptions(**kwargs)


def test_elder_mode_is_larger_slower_and_high_contrast():
    normal, elder = theme_for(False), theme_for(True)
    assert elder.text_scale == pytest.approx(1.5 * normal.text_scale)
    assert elder.high_contrast and not normal.high_contrast
    assert elder.transition_s > normal.transition_s and elder.move_speed_mps < normal.move_speed_mps
    assert elder.subtitles


def test_classroom_flags_go_together_and_need_a_websocket_url():
    RunOptions(server="ws://127.0.0.1:8765", join_code="ABC123", name="Ann")
    for bad in ({"server": "ws://h:1"}, {"join_code": "ABC123"}, {"server": "http://h:1", "join_code": "X"},
                {"server": "ws://h:1", "join_code": "X", "name": "n" * 25}):
        with pytest.raises(ValueError):
            RunOptions(**bad)
