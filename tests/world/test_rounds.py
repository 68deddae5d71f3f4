"""Rounds in the branch: a scenario's market ends, the advisor sums it up once, R starts a new round on a
fresh market that every part of the branch follows (wall, hologram, chat, cooling-off, lessons, visit)."""

from __future__ import annotations

import pytest
from branch_helpers import frames, press, remove_branch, run_to_crash

from vbranch.market_sim.events import CrashStarted
from vbranch.scenes.analytics import DEFAULT_FILENAME, LearningStore
from vbranch.scenes.lesson_run import Phase
from vbranch.world.app import BranchApp
from vbranch.world.first_visit import STEPS, FirstVisit
from vbranch.world.options import RunOptions
from vbranch.world.order_form import Control, Key
from vbranch.world.round_desk import ENTER_AFTER_S
from vbranch.world.round_summary import summarise_round

OVER = "The round is over"


@pytest.fixture
def make_app(base, tmp_path, monkeypatch):
    """A fast branch (a trading day every 0.05 s) whose learning store lives in this test's folder."""
    monkeypatch.setenv("VBRANCH_STATE", str(tmp_path))
    made: list[BranchApp] = []

    def make(**options) -> BranchApp:
        settings = {"scenario": "crash", "speed": 600.0, "seed": 3, "lang": "en", "view": "floor"} | options
        app = BranchApp(base, RunOptions(**settings))
        made.append(app)
        return app

    yield make
    for app in made:
        remove_branch(base, app)
    base.camera.set_pos_hpr(0, 0, 0, 0, 0, 0)
    base.set_background_color(0, 0, 0, 1)


def run_to_end(app, limit: int = 2000) -> None:
    for _ in range(limit):
        if app.market.finished:
            frames(app, 1)  # the frame after: the round-over moment has been shown
            return
        frames(app, 1)
    raise AssertionError(f"the market did not finish in {limit} frames")


def sessions(tmp_path) -> list:
    store = LearningStore(tmp_path / DEFAULT_FILENAME)
    return [s for s in store.statements("learner", "started") if s.object_id.startswith("session/")]


def scene_nodes(app) -> int:
    return app.world.find_all_matches("**").get_num_paths()


def test_the_end_of_the_market_is_announced_once_with_the_rounds_numbers(make_app, tmp_path):
    app = make_app()
    run_to_end(app)
    frames(app, 120)
    market = app.market
    assert market.day == 20 and app.rounds.over
    assert sum(OVER in line for line in app.advisor.lines) == 1  # said once, not every frame
    assert app.wall.banner_text == "Round over · press R for a new round"
    assert app.hud.status.value.startswith("Crash: a 20% one-day fall · round 1 over · equity 100,000")
    summary = app.rounds.summary
    assert summary == summarise_round(market, "learner")
    index = market.history["510300"]
    assert summary.index_return_pct == pytest.approx(100 * (index[-1].close / index[0].open - 1))
    assert f"{summary.index_return_pct:+.1f}%" in app.advisor.lines[-1]
    assert len(sessions(tmp_path)) == 1  # the round is in the learning store as soon as it ends
    app.record.close(app.account)  # closing the branch later adds nothing
    assert len(sessions(tmp_path)) == 1


def test_enter_takes_up_the_offer_only_after_the_summary_had_a_moment(make_app):
    app = make_app()
    run_to_end(app)
    first = app.market
    app.panel_key(Key.ACTIVATE)  # a Submit pressed as the round ends
    assert app.market is first and app.rounds.over
    frames(app, 1, dt=ENTER_AFTER_S)
    app.panel_key(Key.ACTIVATE)
    assert app.market is not first and not app.rounds.over and app.rounds.round.number == 2


def test_r_starts_a_second_round_with_a_new_seed_a_fresh_account_and_moving_prices(make_app, tmp_path):
    app = make_app()
    frames(app, 2)
    assert not app.rounds.request()  # R before the end: not yet, and why
    assert app.hud.notice.value == "This round is still running (day 1 of 20); press R for a new one when it ends"
    symbol = app.form.symbol
    press(app, Control.STOP_LOSS, Key.DECREASE, Key.DECREASE, Key.DECREASE)  # no stop: hold through the crash
    press(app, Control.SUBMIT, Key.ACTIVATE)
    run_to_end(app)
    assert app.account.held(symbol) == 100
    nodes, first = scene_nodes(app), app.market
    assert app.rounds.request()
    market = app.market
    assert market is not first and market.seed == 4 and market.day == 0 and market.clock.speed == 600.0
    assert app.account.held(symbol) == 0 and app.account.cash == 100_000 and not app.account.trades
    assert app.advisor.lines[-1].startswith("Round 2 begins: Crash: a 20% one-day fall.")
    frames(app, 1)
    opening = market.prices
    frames(app, 30)
    assert market.t_step > 0 and market.prices != opening and not market.finished  # prices move again
    assert app.holo.equity == pytest.approx(100_000) and app.wall.banner_text != "Round over · press R for a new round"
    assert app.hud.status.value.startswith("Crash: a 20% one-day fall · day ")
    assert scene_nodes(app) == nodes  # the old wall and hologram went; one of each is left
    assert len(app.world.find_all_matches("**/market-wall")) == 1
    assert len(app.world.find_all_matches("**/portfolio-hologram")) == 1
    app.record.close(app.account)  # the branch closes during round 2
    recorded = sessions(tmp_path)
    assert len(recorded) == 2 and recorded[0].object_id != recorded[1].object_id
    store = LearningStore(tmp_path / DEFAULT_FILENAME)
    traded = [s.context["session"] for s in store.statements("learner", "traded")]
    assert len(traded) == 1 and traded[0] != app.record.session_id  # round 1's buy is not in round 2's session


def test_in_round_two_the_chat_and_the_cooling_off_follow_the_new_market(make_app):
    app = make_app()
    run_to_end(app)
    old = app.market
    app.rounds.request()
    app.market.set_speed(1)
    frames(app, 2)
    assert app.chat.market is app.market and app.cooling.market is app.market
    old.bus.publish(CrashStarted(old.t_step, old.day, "510300", 20.0))  # the closed market's bus: nobody listens
    assert app.cooling.last_crash_s is None
    reply = app.chat_message("buy 10000 yuan of the CSI 300 ETF")
    app.panel_key(Key.ACTIVATE)  # Enter sends the read-back order to the new market
    frames(app, 2)
    held = app.account.held("510300")
    assert held == reply.request.qty > 0 and app.market.desk.orders
    run_to_crash(app)
    assert app.cooling.last_crash_s is not None  # the new market's crash was heard
    reply = app.chat_message("I'm panicking, sell all my CSI 300 ETF")
    assert reply.request is not None and reply.request.qty == held
    app.panel_key(Key.ACTIVATE)
    assert app.cooling.active and app.account.held("510300") == held  # held for cooling off, not sold


def test_a_lesson_task_on_a_market_that_ended_offers_a_new_round_and_passes_on_it(make_app, tmp_path):
    app = make_app()
    run_to_end(app)
    app.market.set_speed(60.0)  # the learner's pace for the rest of the session
    app.lessons.play("stop_loss")
    frames(app, 1)
    run = app.lessons.run
    for _ in run.lesson.steps:
        app.panel_key(Key.ACTIVATE)
    assert run.phase is Phase.TASK_RESULT and run.market_ended  # no days left to trade on
    assert "1  Start a new round for this task" in app.lessons.panel.text_of()
    assert app.lessons.number(0)  # key 1
    market = app.market
    assert (app.rounds.round.scenario, market.seed, app.rounds.round.lesson_id) == ("bear", 11, "stop_loss")
    assert not market.finished and app.scenario_title == "Bear market: the long slide"
    frames(app, 1)
    assert run.phase is Phase.TASK and run.start_day == 0
    press(app, Control.QUANTITY, *[Key.INCREASE] * 9)  # ten lots with the form's default 5% stop-loss
    press(app, Control.SUBMIT, Key.ACTIVATE)
    for _ in range(600):
        if run.phase is not Phase.TASK:
            break
        frames(app, 1)
    assert run.task_result.passed and app.lessons.panel.text_of().startswith("Task passed!")
    app.record.close(app.account)
    lessons = [s.context.get("lesson") for s in sessions(tmp_path)]
    assert sorted(lessons, key=str) == [None, "stop_loss"]  # free play, then the lesson's round


def test_a_first_visit_waiting_for_the_crash_carries_on_in_a_new_round(make_app, tmp_path):
    app = make_app()
    run_to_end(app)
    state = tmp_path / "visit.json"
    state.write_text(f'{{"step": {STEPS.index("crash")}}}', "utf-8")
    visit = FirstVisit(app, state, scripted=True)
    for _ in range(600):
        visit.tick(app.now_s)
        if visit.step != "crash":
            break
        frames(app, 1)
    assert visit.step == "cooling_off" and app.rounds.round.number == 2 and app.market.day >= 5
