"""``vbranch run`` end to end: pick the mode, start Panda3D, build the branch, run the frames.

Offscreen runs use a fixed 60 Hz frame clock, so ``--frames 120 --speed 600`` always shows the same
market (the scenario is seeded) and a screenshot is reproducible; windowed and VR runs use real time.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from vbranch.scenes.catalogue import text
from vbranch.world.engine import EngineConfig, gl_renderer, has_display, is_software_gl, start_showbase
from vbranch.world.options import Mode, ModeDecision, RunOptions, choose_mode

__all__ = ["run", "OFFSCREEN_FPS", "EXIT_NO_DISPLAY"]

log = logging.getLogger(__name__)

OFFSCREEN_FPS = 60.0
EXIT_NO_DISPLAY = 3  # nothing could open; the one-line message says how to render offscreen instead


def _probe_xr(options: RunOptions) -> tuple[bool, str]:
    if options.offscreen or options.stereo_sim:
        return False, "not probed"
    from vbranch.world.xr import probe_runtime

    # The OpenXR loader prints its own multi-line errors to stderr when no runtime exists; we say it in
    # one line instead. XR_LOADER_DEBUG set by a developer still wins.
    os.environ.setdefault("XR_LOADER_DEBUG", "none")
    probe = probe_runtime()
    return probe.available, probe.reason


def run(options: RunOptions, started_s: float | None = None) -> int:
    started_s = time.perf_counter() if started_s is None else started_s
    xr_available, xr_reason = _probe_xr(options)
    decision = choose_mode(options, xr_available, has_display())
    if decision.message_key:
        line = text(decision.message_key, options.lang, reason=xr_reason)
        if decision.error or decision.mode is Mode.NO_DISPLAY:
            print(line, file=sys.stderr)
            return 2 if decision.error else EXIT_NO_DISPLAY
        log.warning("%s", line)  # the one-line desktop fallback notice
    link = None
    if options.server:  # join before the engine starts: a wrong code or a dead server costs a second
        from vbranch.world.classroom_join import ClassroomError, join_room

        try:
            link = join_room(options)
        except ClassroomError as exc:
            print(exc, file=sys.stderr)
            return 2
    offscreen = options.offscreen
    base = start_showbase(EngineConfig(offscreen=offscreen, width=options.width, height=options.height,
                                       title="vbranch 投教营业厅"))
    if offscreen:
        from panda3d.core import ClockObject

        clock = ClockObject.get_global_clock()
        clock.set_mode(ClockObject.M_non_real_time)
        clock.set_frame_rate(OFFSCREEN_FPS)

    from vbranch.world.app import BranchApp

    session = None
    if link is not None:
        from vbranch.world.classroom_mode import ClassroomSession

        session = ClassroomSession(*link, options.lang)
        app = BranchApp(base, options, market=session.market, place=session.place)
        session.attach(app)
    else:
        app = BranchApp(base, options)
    base.finalExitCallbacks.append(app.close)  # closing the window: keep the session in the learning store
    try:
        return _run_frames(base, app, session, decision, options, started_s)
    finally:
        app.close()
        if session is not None:
            if options.print_state:
                print("classroom-state: " + json.dumps(session.state(), ensure_ascii=False))
            session.close()


def _run_frames(base, app, session, decision: ModeDecision, options: RunOptions, started_s: float) -> int:
    _maybe_pbr(base, options)
    if decision.mode is Mode.STEREO_SIM:
        from vbranch.world.stereo_sim import start_stereo_sim

        start_stereo_sim(base, app)
    elif decision.mode is Mode.VR:
        from vbranch.world.xr import XrUnavailable
        from vbranch.world.xr_run import start_xr

        try:
            start_xr(base, app)
        except XrUnavailable as exc:
            line = text("vr.required" if options.vr else "vr.unavailable", options.lang, reason=exc.reason)
            if options.vr:
                print(line, file=sys.stderr)
                base.destroy()
                return 2
            log.warning("%s", line)
            decision = ModeDecision(Mode.DESKTOP)
    visit = _start_visit(base, app, options)
    app.lessons.blocked = lambda: visit is not None and visit.step is not None  # one guide at a time
    script = _start_lesson_script(base, app, options)
    if decision.mode is Mode.DESKTOP:
        _bind_desktop(base, app, visit)

    stepper = session if session is not None else app

    def frame_task(task):
        stepper.frame(base.clock.get_dt(), task.time)
        if visit is not None:
            visit.tick(app.now_s)
        if script is not None:
            script.tick()
        return task.cont

    base.task_mgr.add(frame_task, "vbranch-frame", sort=-10)
    if options.frames is None:
        base.run()
        return 0
    paced_from = time.monotonic()
    for i in range(options.frames):
        base.task_mgr.step()
        if i == 0:
            log.info("first frame after %.2f s", time.perf_counter() - started_s)
        if session is not None:  # a classroom runs on the server's clock: keep frames at most real time
            if session.over:
                break
            time.sleep(max(0.0, paced_from + (i + 1) / OFFSCREEN_FPS - time.monotonic()))
        if options.script and visit is not None and visit.step is None:
            break
        if script is not None and script.done:
            break
    if options.screenshot is not None:
        _save_screenshot(base, options.screenshot)
    if script is not None:
        if not script.done:
            print(f"lesson {script.lesson_id}: stopped in {script.phase!r} after {options.frames} frames",
                  file=sys.stderr)
            return 1
        print(f"lesson {script.lesson_id}: complete")
    if options.script and visit is not None:
        if visit.step is not None:
            print(f"first visit: stopped at step {visit.step!r} after {options.frames} frames", file=sys.stderr)
            return 1
        print("first visit: complete")
    return 0


def _start_visit(base, app, options: RunOptions):
    """The guided first visit: scripted when asked, else for a learner who hasn't finished it yet."""
    from vbranch.world.first_visit import FirstVisit
    from vbranch.world.options import learner_log_dir

    if options.skip_visit or options.lesson_script or (options.script is None and (options.offscreen or options.view)):
        return None
    state = learner_log_dir() / ("first_visit_script.json" if options.script else "first_visit.json")
    if options.script:
        state.unlink(missing_ok=True)  # a scripted run always plays the whole visit
    on_step_done = _numbered_shots(base, options.screenshot_dir, "first visit")
    visit = FirstVisit(app, state, scripted=options.script is not None, on_step_done=on_step_done)
    return None if visit.step is None else visit


def _start_lesson_script(base, app, options: RunOptions):
    """``--script lesson:ID``: a scripted learner plays that lesson, a picture at each moment worth seeing."""
    if not options.lesson_script:
        return None
    from vbranch.world.lesson_script import ScriptedLesson

    return ScriptedLesson(app, options.lesson_script, _numbered_shots(base, options.screenshot_dir, "lesson"))


def _numbered_shots(base, shots: Path | None, what: str):
    """A callback for each moment of a scripted run: print its name and, with ``--screenshot-dir``, save
    ``NN-name.png`` there (numbered in order, so the folder reads as the story)."""
    count = 0

    def moment(name: str) -> None:
        nonlocal count
        print(f"{what}: {name}")
        if shots is not None:
            count += 1
            _save_screenshot(base, shots / f"{count:02d}-{name}.png")

    return moment


def _maybe_pbr(base, options: RunOptions) -> None:
    """PBR with shadows on a real GPU or when asked; plain shading on software GL (STACK.md)."""
    renderer = gl_renderer(base)
    software = is_software_gl(renderer)
    if not options.pbr and software:
        log.info("plain shading on software GL (%s); --pbr to force PBR", renderer)
        return
    import simplepbr

    shadows = not software  # shadows crash Mesa llvmpipe's shader compiler
    simplepbr.init(enable_shadows=shadows, use_normal_maps=False, use_emission_maps=False)
    log.info("PBR on (%s, shadows %s)", renderer, "on" if shadows else "off")


def _bind_desktop(base, app, visit) -> None:
    from vbranch.scenes.layout import VIEW_NAMES
    from vbranch.world.desktop_controls import DesktopControls

    def number_key(i: int) -> None:  # 1–9, 0: the questionnaire's answers, the lesson desk's, else a room
        if visit is not None and visit.step == "questionnaire":
            visit.answer(i)
        elif not app.lessons.number(i) and i < len(VIEW_NAMES):
            app.view_by_number(i)

    def cooling_or_lesson(answer: str) -> None:  # Esc cancels a held sell first, else leaves the lesson
        if answer == "cancel" and not app.cooling.active and app.lessons.escape():
            return
        app.cooling_answer(answer)

    controls = DesktopControls(base, app.panel_key, app.call_help, app.click, number_key, app.toggle_keys,
                               cooling_or_lesson, app.lessons.toggle_menu)
    def no_key() -> None:  # N: "no" to the consent question, else skip the visit's step
        if app.voice.asking:
            app.voice.answer(False)
        elif visit is not None:
            visit.skip()

    base.accept("n", no_key)
    base.accept("v", app.voice.toggle)  # voice stress sensing: asks for consent first
    base.accept("t", app.chat_box.open)  # type to the advisor: questions, feelings, orders
    base.accept("y", app.voice.answer, [True])
    if app.rounds is not None:  # single player: R starts a new round once the scenario's market has closed
        base.accept("r", app.rounds.request)

    def input_task(task):
        dt = base.clock.get_dt()
        forward, strafe, turn = controls.axes()
        app.move(forward, strafe, turn, controls.mouse_delta(), dt)
        return task.cont

    base.task_mgr.add(input_task, "vbranch-input", sort=-20)


def _save_screenshot(base, path: Path) -> None:
    from panda3d.core import Filename

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not base.win.save_screenshot(Filename.from_os_specific(str(path.resolve()))):
        raise OSError(f"could not write screenshot {path}")
    print(f"screenshot: {path}")
