"""The advisor reacts to market events: crash and halt first, one line per gap, no chatter, old news dropped."""

from __future__ import annotations

import json

from vbranch.avatars.dialogue import Advisor, LearnerKind, LearnerState, Mode, Style, assign_variant
from vbranch.avatars.dialogue.ab import ExperimentLog
from vbranch.avatars.dialogue.react import equity_move, situation_for
from vbranch.avatars.knowledge import AnswerKind
from vbranch.avatars.lang import has_cjk
from vbranch.market_sim.events import (
    BarClosed,
    CrashStarted,
    DrawdownCrossed,
    Filled,
    Halted,
    LimitHit,
    Resumed,
    StopTriggered,
)

FILL = Filled(1, 0, "me", 1, "510300", "buy", 1000, 4.0, 5.0)
CRASH = CrashStarted(2, 0, "510300", 7.2)
HALT = Halted(3, 0, None, "circuit_breaker", 40, 7.0)
LIMIT = LimitHit(2, 0, "600519", "down", 1479.43)


def _kind(line) -> str:
    return line.key.rsplit(".", 4)[0] if line else None


def test_a_burst_says_crash_first_then_halt_after_the_gap_and_drops_the_fill() -> None:
    advisor = Advisor(lang="en", account_id="me", min_gap_s=8.0)
    for event in (FILL, LIMIT, CRASH, HALT):
        advisor.observe(event, now_s=0.0)
    assert _kind(advisor.poll(0.0)) == "crash_started"
    assert advisor.poll(1.0) is None  # within the gap
    assert _kind(advisor.poll(8.0)) == "halt"  # urgent, still fresh
    assert _kind(advisor.poll(16.0)) == "limit_hit.down"  # still matters and still fresh
    assert advisor.poll(24.0) is None  # the fill was background to the crash line: dropped


def test_at_most_one_line_per_gap_over_a_60_second_stream_of_events() -> None:
    advisor = Advisor(lang="zh", account_id="me", min_gap_s=10.0, repeat_after_s=0.0)
    spoken = []
    for second in range(60):
        advisor.observe(Filled(second, 0, "me", second, "510300", "buy", 100, 4.0, 1.0), float(second))
        if second % 7 == 0:
            advisor.observe(LimitHit(second, 0, f"S{second}", "down", 1.0), float(second))
        line = advisor.poll(float(second))
        if line is not None:
            spoken.append(second)
    assert spoken == [0, 10, 20, 30, 40, 50]


def test_the_same_kind_of_news_is_not_repeated_within_a_minute() -> None:
    advisor = Advisor(lang="en", min_gap_s=5.0, repeat_after_s=60.0)
    said = []
    for second in range(0, 130, 5):
        advisor.observe(LimitHit(second, 0, f"S{second}", "down", 1.0), float(second))
        if advisor.poll(float(second)) is not None:
            said.append(second)
    assert said == [0, 60, 120]


def test_waiting_events_go_stale() -> None:
    advisor = Advisor(lang="en", account_id="me", stale_after_s=20.0)
    advisor.observe(FILL, 0.0)
    assert advisor.poll(30.0) is None


def test_other_learners_account_events_and_bars_are_ignored() -> None:
    advisor = Advisor(lang="en", account_id="me")
    advisor.observe(Filled(1, 0, "someone_else", 1, "510300", "sell", 100, 4.0, 1.0), 0.0)
    advisor.observe(DrawdownCrossed(1, 0, "someone_else", 5.0, 5.2), 0.0)
    advisor.observe(BarClosed(1, 0, "510300", 4.0, 4.1, 3.9, 4.05, 1000), 0.0)
    assert advisor.poll(0.0) is None


def test_every_market_event_type_maps_to_a_situation_the_catalogue_can_voice() -> None:
    events = [
        CRASH, LIMIT, LimitHit(1, 0, "X", "up", 2.0), HALT, Resumed(5, 0, None),
        StopTriggered(1, 0, "me", 2, "X", "stop_loss", 3.7, 3.6),
        StopTriggered(1, 0, "me", 2, "X", "take_profit", 4.6, 4.6),
        StopTriggered(1, 0, "me", 2, "X", "trailing_stop", 4.2, 4.1),
        FILL, Filled(1, 0, "me", 3, "X", "sell", 100, 4.0, 1.0), DrawdownCrossed(1, 0, "me", 10.0, 10.4),
    ]
    kinds = set()
    for event in events:
        advisor = Advisor(lang="zh", account_id="me")
        advisor.observe(event, 0.0)
        line = advisor.poll(0.0)
        assert line is not None and has_cjk(line.text), event
        kinds.add(situation_for(event).event_kind)
    assert len(kinds) == len(events)


def test_big_equity_moves_are_derived_from_the_change_since_the_last_reference() -> None:
    assert equity_move(100_000, 102_000, 5.0) is None
    loss = equity_move(100_000, 93_500, 5.0)
    assert loss.event_kind == "equity.big_loss" and loss.pct == 6.5
    assert equity_move(100_000, 105_000, 5.0).event_kind == "equity.big_gain"
    advisor = Advisor(lang="en", big_move_pct=5.0, state=LearnerState(LearnerKind.ANXIOUS, 0.9))
    advisor.observe_equity(100_000, 0.0)
    advisor.observe_equity(97_000, 1.0)
    assert advisor.poll(1.0) is None
    advisor.observe_equity(93_000, 2.0)
    line = advisor.poll(2.0)
    assert line.key.startswith("equity.big_loss.anxious.") and "7.0%" in line.text


def test_scripted_lines_are_said_at_once_and_reset_the_gap() -> None:
    advisor = Advisor(lang="zh", mode=Mode.ELDER, min_gap_s=8.0)
    greeting = advisor.say("greeting", 0.0)
    assert greeting.gesture == "greet" and greeting.subtitled and greeting.rate_factor <= 0.8
    advisor.observe(CRASH, 1.0)
    assert advisor.poll(1.0) is None
    assert _kind(advisor.poll(8.0)) == "crash_started"


def test_learner_id_sets_the_ab_style_and_the_log_records_line_and_next_action(tmp_path) -> None:
    log = ExperimentLog(tmp_path / "ab.jsonl", experiment="exp_z")
    advisor = Advisor(lang="en", learner_id="stu-42", account_id="me", experiment_log=log)
    assert advisor.style is assign_variant("stu-42", "exp_z")
    advisor.observe(CRASH, 0.0)
    line = advisor.poll(0.0)
    advisor.learner_acted("hold", 6.0)
    rows = [json.loads(t) for t in log.path.read_text("utf-8").splitlines()]
    assert rows[0]["object"]["id"].endswith(line.key) and rows[0]["context"]["event_kind"] == "crash_started"
    assert rows[1]["result"]["extensions"]["after_line"] == line.key
    assert rows[1]["result"]["extensions"]["latency_s"] == 6.0


def test_explicit_style_wins_over_the_assignment() -> None:
    assert Advisor(learner_id="stu-42", style=Style.EMPATHETIC).style is Style.EMPATHETIC


def test_ask_answers_in_the_advisors_language_and_declines_stock_tips() -> None:
    advisor = Advisor(lang="en")
    reply = advisor.ask("什么是止损?", 0.0)
    assert reply.entry_id == "stop_loss" and not has_cjk(reply.text)
    assert advisor.ask("which stock should I buy?", 1.0).kind is AnswerKind.BOUNDARY


def test_the_crash_scenario_gets_a_calm_line_about_the_crash_before_anything_else() -> None:
    from vbranch.market_sim.simulate import DEMO_ACCOUNT, simulate_scenario
    from vbranch.scenes.scenario import load_scenario

    result = simulate_scenario(load_scenario("crash").market_config(), seed=0, demo_stop_loss_pct=8.0)
    advisor = Advisor(lang="zh", account_id=DEMO_ACCOUNT, state=LearnerState(LearnerKind.ANXIOUS, 0.9),
                      style=Style.EMPATHETIC, min_gap_s=8.0)
    step_s = 0.5  # one market step every half second of the learner's time; the shell polls every step
    by_step: dict[int, list] = {}
    for event in result.events:
        by_step.setdefault(event.t_step, []).append(event)
    lines, times = [], []
    for step in range(max(by_step) + 1):
        for event in by_step.get(step, ()):
            advisor.observe(event, step * step_s)
        line = advisor.poll(step * step_s)
        if line is not None:
            lines.append(line)
            times.append(step * step_s)
    kinds = [_kind(line) for line in lines]
    assert kinds[0] == "fill.buy"
    assert kinds[1] == "crash_started" and lines[1].gesture == "calm_down"
    assert "acknowledge" in lines[1].parts and "next_step" in lines[1].parts
    assert "stop_triggered.stop_loss" in kinds
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 8.0
    last_said: dict[str, float] = {}
    for kind, t in zip(kinds, times, strict=True):
        assert t - last_said.get(kind, -1e9) >= 60.0, (kind, t)
        last_said[kind] = t
