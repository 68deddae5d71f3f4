"""The lesson desk in the branch: the menu, a lesson played with keyboard orders, its quiz, record and quests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from vbranch.scenes.analytics import DEFAULT_FILENAME, LearningStore, lesson_progress
from vbranch.scenes.lesson_run import FAST_FORWARD_SPEED, Phase
from vbranch.scenes.lessons import load_lesson
from vbranch.scenes.quests import Progress
from vbranch.world.app import LEARNER_ACCOUNT, BranchApp
from vbranch.world.desktop_controls import LearnerPose
from vbranch.world.lesson_desk import LessonDesk
from vbranch.world.options import RunOptions
from vbranch.world.order_form import Control, Key

BASICS = frozenset({"candlestick", "market_regimes"})
AFTER_LEVEL_ONE = Progress(lessons=BASICS, quizzes=BASICS, tasks=BASICS, risk_level=3, coins=100)


@pytest.fixture
def make_app(base, tmp_path, monkeypatch):
    """A branch whose learner state (quests, bookmarks, learning store) lives in this test's folder."""
    monkeypatch.setenv("VBRANCH_STATE", str(tmp_path))
    made: list[BranchApp] = []

    def make(progress: Progress | None = None, **options) -> BranchApp:
        if progress is not None:
            (tmp_path / "quests.json").write_text(progress.to_json(), "utf-8")
        settings = {"scenario": "crash", "speed": 60.0, "seed": 3, "lang": "en", "view": "lobby"} | options
        app = BranchApp(base, RunOptions(**settings))
        made.append(app)
        return app

    yield make
    for app in made:
        app.advisor.close()
        for node in (app.world, app.hud.root, app.head):
            node.remove_node()
    base.camera.reparent_to(base.render)
    base.camera.set_pos_hpr(0, 0, 0, 0, 0, 0)
    base.render.clear_light()
    base.set_background_color(0, 0, 0, 1)


def run_frames(app, n, dt=1 / 60):
    for _ in range(n):
        app.frame(dt, app.frames * dt)


def run_until(app, done, limit=3000):
    for _ in range(limit):
        if done():
            return
        run_frames(app, 1)
    raise AssertionError(f"not reached in {limit} frames")


def skip_lines(app):
    for _ in app.lessons.run.lesson.steps:
        app.panel_key(Key.ACTIVATE)


def test_l_opens_a_menu_of_all_ten_lessons_and_a_locked_one_stays_shut(make_app):
    app = make_app()
    run_frames(app, 1)
    app.lessons.toggle_menu()
    shown = app.lessons.panel.text_of()
    assert shown.startswith("Lessons: 0 of 10 done") and shown.count("· locked") == 8
    assert app.lessons.number(2)  # key 3: the stop-loss lesson, locked for a newcomer
    assert app.lessons.run is None and app.hud.notice.value == "Locked: finish the earlier levels first"
    assert app.lessons.escape() and not app.lessons.menu_open and app.lessons.panel.root.is_hidden()


def test_enter_at_a_picture_board_opens_the_menu_on_its_lesson(make_app):
    app = make_app(AFTER_LEVEL_ONE)
    app.pose = LearnerPose(-18.2, 18.0, 90.0)  # in the hall, facing the stop-loss board on the west wall
    app._place_head()
    run_frames(app, 2)
    assert app.room_id == "hall" and "press L for the lessons" in app.hud.notice.value
    form = app.form
    app.panel_key(Key.ACTIVATE)
    assert app.lessons.menu_open and app.lessons.rows[app.lessons.selected].lesson_id == "stop_loss"
    assert app.form is form  # Enter went to the desk, not to the order panel behind it


def test_a_lesson_played_from_the_menu_records_its_grades_and_pays_its_coins(make_app, tmp_path):
    app = make_app(AFTER_LEVEL_ONE)
    lesson = load_lesson("stop_loss")
    run_frames(app, 1)
    app.lessons.toggle_menu()
    assert app.lessons.rows[app.lessons.selected].lesson_id == "stop_loss"  # the first lesson still to do
    app.panel_key(Key.NEXT)
    app.panel_key(Key.NEXT)
    app.panel_key(Key.PREV)
    app.panel_key(Key.PREV)
    app.panel_key(Key.ACTIVATE)
    run_frames(app, 1)
    run = app.lessons.run
    assert run.lesson.id == "stop_loss" and app.advisor.lines[-1] == lesson.steps[0].say["en"]
    skip_lines(app)
    assert run.phase is Phase.TASK and app.layout.room_at(app.pose.x, app.pose.y).id == "floor"  # to trade
    assert app.advisor.lines[-1] == lesson.task.prompt["en"]
    # the learner trades at the order panel: ten lots with the form's default 5% stop-loss
    app.form = app.form.focus_on(Control.QUANTITY)
    for _ in range(9):
        app.panel_key(Key.INCREASE)
    app.form = app.form.focus_on(Control.SUBMIT)
    app.panel_key(Key.ACTIVATE)
    assert app.market.desk.live_orders(LEARNER_ACCOUNT)  # the keys reached the order panel, not the desk
    run_until(app, lambda: run.phase is not Phase.TASK)
    assert run.task_result.passed and app.lessons.panel.text_of().startswith("Task passed!")
    app.panel_key(Key.ACTIVATE)
    assert app.lessons.panel.text_of().startswith("Question 1 of 2")
    for question in lesson.quiz:
        app.lessons.number(question.answer)
        app.panel_key(Key.ACTIVATE)
    assert "Quiz: 2 of 2 right, passed" in app.lessons.panel.text_of()
    progress = app.quests.progress
    assert "stop_loss" in progress.lessons & progress.tasks & progress.quizzes
    assert progress.coins == 100 + 5 + 20 + 10  # lesson, task and quiz coins, paid once each
    assert "first_stop_loss" in progress.badges
    saved = json.loads((tmp_path / "quests.json").read_text())
    assert "stop_loss" in saved["quizzes"]
    statements = LearningStore(tmp_path / DEFAULT_FILENAME).statements("learner")
    kinds = sorted((s.verb, s.object_id) for s in statements if s.object_id.startswith("lesson/stop_loss"))
    assert kinds == [("answered", "lesson/stop_loss"), ("answered", "lesson/stop_loss/quiz/0"),
                     ("answered", "lesson/stop_loss/quiz/1"), ("completed", "lesson/stop_loss"),
                     ("started", "lesson/stop_loss")]
    (row,) = lesson_progress(statements, ["stop_loss"])
    assert row.passed and row.task_score == 100.0 and (row.quiz_correct, row.quiz_total) == (2, 2)
    app.panel_key(Key.ACTIVATE)  # close
    run_frames(app, 1)
    assert app.lessons.run is None and app.lessons.panel.root.is_hidden() and app.market.clock.speed == 60.0


def test_an_unfinished_task_times_out_on_the_live_market_and_can_be_retried(make_app):
    app = make_app(speed=600.0)
    run_frames(app, 1)
    app.lessons.play("stop_loss")
    run_frames(app, 1)
    skip_lines(app)
    start_day = app.lessons.run.start_day
    run_until(app, lambda: app.lessons.run.phase is Phase.TASK_RESULT)
    assert app.market.day - start_day == 10 and app.lessons.run.timed_out
    assert app.lessons.panel.text_of().startswith("Time is up: 10 trading days have passed")
    assert app.lessons.number(0)  # key 1: try again
    assert app.lessons.run.phase is Phase.TASK and app.lessons.run.start_day == app.market.day


def test_an_observation_fast_forwards_then_takes_a_clicked_answer(make_app):
    app = make_app(speed=1.0)
    run_frames(app, 1)
    app.lessons.play("candlestick")
    run_frames(app, 1)
    skip_lines(app)
    run_frames(app, 1)
    assert app.market.clock.speed == FAST_FORWARD_SPEED  # three closed days wanted; the market is on day one
    run = app.lessons.run
    run_until(app, lambda: run.verdicts is not None)
    run_frames(app, 1)
    assert app.market.day == 3 and app.market.clock.speed == 1.0
    truth = next(i for i, answer in enumerate(run.lesson.task.answers) if run.verdicts[answer].passed)
    panel = app.lessons.panel
    top, bottom = panel._rows[truth]
    fit, origin = panel.content.get_sx(), panel.content.get_pos()
    app.click((origin[0] + 0.3 * fit) / app.lessons.aspect, origin[2] + (top + bottom) / 2 * fit)
    assert run.phase is Phase.TASK_RESULT and run.task_result.passed


def test_esc_bookmarks_a_lesson_and_the_menu_resumes_it_after_a_restart(make_app, tmp_path):
    app = make_app()
    run_frames(app, 1)
    lesson = load_lesson("candlestick")
    app.lessons.toggle_menu()
    app.lessons.number(0)  # key 1: reading a candlestick
    run_frames(app, 1)
    app.panel_key(Key.ACTIVATE)  # on to the second line
    assert app.lessons.escape() and app.lessons.menu_open
    assert "▶  Reading a candlestick   · resume" in app.lessons.panel.text_of()
    saved = json.loads((tmp_path / "lessons.json").read_text())["bookmarks"]["candlestick"]
    assert (saved["phase"], saved["line"]) == ("steps", 1)
    app.lessons.close_menu()
    app.lessons = LessonDesk(app, LEARNER_ACCOUNT, tmp_path / "lessons.json", app.lessons.aspect)  # next visit
    app.lessons.toggle_menu()
    app.lessons.number(0)
    run_frames(app, 1)
    assert app.lessons.run.resumed and app.advisor.lines[-1] == lesson.steps[1].say["en"]


def test_elder_mode_shows_the_menu_larger_and_clear_of_the_key_help(make_app):
    normal, elder = make_app(lang="zh"), make_app(lang="zh", elder=True)
    heights = []
    for app in (normal, elder):
        run_frames(app, 1)
        app.lessons.toggle_menu()
        panel = app.lessons.panel
        fit = panel.content.get_sx()
        heights.append(panel.title.path.get_sz() * fit)
        bottom = panel.content.get_z() - panel.card.get_sz() * fit
        assert bottom >= app.hud.hint_top and app.hud.subtitle.value == ""  # the greeting's line made room
        assert "课程表：已完成 0/10" in panel.text_of()
    assert heights[1] >= 1.3 * heights[0]


def test_a_lesson_script_names_its_lesson():
    assert RunOptions(script="lesson:take_profit").lesson_script == "take_profit"
    assert RunOptions(script="first-visit").lesson_script is None
    with pytest.raises(ValueError, match="lesson:ID"):
        RunOptions(script="lesson:")


def test_a_scripted_headless_lesson_keeps_a_picture_of_every_moment(tmp_path):
    shots, state = tmp_path / "shots", tmp_path / "state"
    result = subprocess.run(
        [sys.executable, "-m", "vbranch.world.cli", "run", "--offscreen", "--script", "lesson:stop_loss",
         "--frames", "3000", "--size", "480x270", "--lang", "zh", "--screenshot-dir", str(shots)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "DISPLAY": "", "VBRANCH_STATE": str(state)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "lesson stop_loss: complete"
    assert [p.stem.split("-", 1)[1] for p in sorted(shots.glob("*.png"))] == [
        "menu", "lines", "task", "task-passed", "question-1", "answer-1", "question-2", "answer-2", "score"]
    assert "No definition" not in result.stderr  # every glyph the panels show is in the shipped font
    quests = json.loads((state / "quests.json").read_text())
    assert "stop_loss" in quests["tasks"] and "stop_loss" not in quests["quizzes"]  # the script's last answer is wrong
