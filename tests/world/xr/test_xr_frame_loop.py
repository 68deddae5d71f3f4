"""The XR frame runs its phases in OpenXR's order and skips frame work while the session isn't running."""

from __future__ import annotations

import pytest

from vbranch.world.xr.frame_loop import IGLOOP_SORT, PHASES, FrameLoop

ORDER = ["poll_events", "wait_frame", "begin_frame", "locate_views", "sync_actions", "render", "end_frame"]


class Recorder:
    """Plain functions appending their phase name; the session flags are plain booleans."""

    def __init__(self, running: bool = True, should_render: bool = True) -> None:
        self.calls: list[str] = []
        self.running = running
        self.should_render = should_render

    def loop(self) -> FrameLoop:
        loop = FrameLoop(lambda: self.running, lambda: self.should_render)
        for name in ORDER:
            loop.register(name, lambda name=name: self.calls.append(name))
        return loop


def test_phases_are_in_openxr_frame_order():
    assert [p.name for p in PHASES] == ORDER


def test_a_running_session_runs_every_phase_in_order():
    rec = Recorder()
    assert rec.loop().run_once() == ORDER
    assert rec.calls == ORDER


def test_a_session_not_running_only_polls_events():
    rec = Recorder(running=False)
    assert rec.loop().run_once() == ["poll_events"]
    assert rec.calls == ["poll_events"]


def test_when_the_runtime_wants_no_pixels_the_frame_is_still_begun_and_ended():
    rec = Recorder(should_render=False)
    rec.loop().run_once()
    assert rec.calls == [n for n in ORDER if n != "render"]


def test_a_session_that_starts_during_event_polling_runs_the_rest_of_that_frame():
    rec = Recorder(running=False)
    loop = FrameLoop(lambda: rec.running, lambda: True)
    loop.register("poll_events", lambda: setattr(rec, "running", True))
    assert loop.run_once() == ORDER


def test_end_frame_needs_this_frames_begin_frame():
    rec = Recorder()
    loop = rec.loop()
    loop.run_once()
    rec.running = False  # stopped between frames: nothing to end
    assert loop.run_once() == ["poll_events"]


def test_task_sorts_follow_the_phase_order_around_panda_render():
    sorts = FrameLoop.task_sorts
    assert [sorts[n] for n in ORDER] == sorted(sorts[n] for n in ORDER)
    assert len(set(sorts.values())) == len(ORDER)
    assert sorts["sync_actions"] < 0  # input is ready before the app's default-sort tasks
    assert sorts["render"] < IGLOOP_SORT < sorts["end_frame"]


def test_installed_tasks_run_in_phase_order_in_panda(base):
    rec = Recorder()
    loop = rec.loop()
    loop.install(base.taskMgr, prefix="xr-test")
    try:
        base.taskMgr.step()
    finally:
        loop.uninstall()
    assert rec.calls == ORDER
    assert not base.taskMgr.getTasksNamed("xr-test-render")


def test_unknown_phase_names_are_refused():
    with pytest.raises(KeyError):
        Recorder().loop().register("render_eyes", lambda: None)
