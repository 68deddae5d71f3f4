"""Learning metrics: progress and time on task, behaviour before vs after the risk lesson, real sessions."""

from __future__ import annotations

import pytest

from vbranch.market_sim.metrics import volatility_annual_pct
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.analytics.metrics import behaviour_change, class_change, learner_metrics, sessions
from vbranch.scenes.analytics.record import lesson_statements, session_statements
from vbranch.scenes.analytics.statement import VERB_CLOSED_DAY, VERB_COMPLETED, VERB_STARTED, VERB_TRADED, Statement
from vbranch.scenes.lesson_checks import CheckResult
from vbranch.scenes.lessons import QuizResult, load_lesson

T0 = 1_740_000_000.0


def _session(sid: str, start: float, equity: list[float], trades: list[tuple[str, bool, bool]],
             lesson: str | None = None) -> list[Statement]:
    ctx = {"session": sid, **({"lesson": lesson} if lesson else {})}
    out = [Statement("amy", VERB_STARTED, f"session/{sid}", start, {}, ctx)]
    out += [Statement("amy", VERB_TRADED, "order/X", start + 1 + i, {"side": side, "panic": panic, "protected": prot},
                      ctx) for i, (side, panic, prot) in enumerate(trades)]
    out += [Statement("amy", VERB_CLOSED_DAY, f"session/{sid}", start + 10 + d, {"day": d, "equity": e}, ctx)
            for d, e in enumerate(equity)]
    return out


def test_progress_counts_passed_lessons_quiz_and_time_on_task():
    s = (lesson_statements("amy", "stop_loss", started_ts_s=T0, completed_ts_s=T0 + 300,
                           check=CheckResult("placed_stop_loss", False, 0), quiz=QuizResult(1, 2, False, (0,)))
         + lesson_statements("amy", "stop_loss", started_ts_s=T0 + 400, completed_ts_s=T0 + 600,  # the retry
                             check=CheckResult("placed_stop_loss", True, 100), quiz=QuizResult(2, 2, True, ()))
         + lesson_statements("amy", "candlestick", started_ts_s=T0 + 700, completed_ts_s=T0 + 760,
                             check=CheckResult("read_candle", True, 100), quiz=QuizResult(1, 2, False, (1,)))
         + lesson_statements("amy", "crash_survival", started_ts_s=T0 + 800, completed_ts_s=T0 + 900,
                             check=None, quiz=None))
    m = learner_metrics("amy", s, ["stop_loss", "candlestick", "crash_survival", "diversification"])
    rows = {p.lesson_id: p for p in m.lessons}
    assert rows["stop_loss"].passed and rows["stop_loss"].quiz_pct == 100
    assert rows["stop_loss"].time_on_task_s == pytest.approx(600.001)  # first start → last grade
    assert not rows["candlestick"].passed  # task passed, quiz failed
    assert rows["crash_survival"].started and rows["crash_survival"].time_on_task_s is None
    assert not rows["diversification"].started
    assert m.completion_rate == 0.25
    assert m.quiz_avg_pct == 75.0


def test_behaviour_is_split_at_the_first_risk_lesson_and_lesson_sessions_are_left_out():
    calm, wild = [100, 101, 100, 101, 100], [100, 110, 95, 112, 90]
    s = (_session("f1", T0, wild, [("buy", False, False), ("sell", True, False), ("sell", False, False)])
         + _session("task", T0 + 100, wild, [("sell", True, False)], lesson="stop_loss")
         + [Statement("amy", VERB_COMPLETED, "lesson/stop_loss", T0 + 200, {"success": True, "score": 100})]
         + _session("f2", T0 + 300, calm, [("buy", False, True), ("buy", False, False), ("sell", False, True)]))
    b = behaviour_change(s)
    assert (b.pivot_ts_s, b.sessions_before, b.sessions_after) == (T0 + 200, 1, 1)
    assert b.volatility_before_pct == pytest.approx(volatility_annual_pct(wild))
    assert b.volatility_after_pct == pytest.approx(volatility_annual_pct(calm))
    assert (b.panic_rate_before, b.panic_rate_after) == (0.5, 0.0)
    assert (b.protected_rate_before, b.protected_rate_after) == (0.0, 0.5)
    assert b.change("panic_rate") == -0.5
    assert learner_metrics("amy", s, []).panic_sells == 2  # the lesson's panic sell still counts overall


def test_no_risk_lesson_means_nothing_after():
    b = behaviour_change(_session("f1", T0, [100, 99, 98], [("sell", True, False)]))
    assert (b.pivot_ts_s, b.sessions_before, b.sessions_after, b.panic_rate_after) == (None, 1, 0, None)
    assert b.change("panic_rate") is None
    assert class_change([b], "panic_rate").n_learners == 0


def test_a_real_session_is_rebuilt_from_its_statements():
    lesson = load_lesson("stop_loss")
    market = lesson.build_market()
    market.open_account("amy")
    market.advance(1)
    market.submit("amy", OrderRequest("510300", Side.BUY, 5000, stop_loss_pct=5.0))
    market.run_days(lesson.days)
    account = market.account("amy")
    statements = session_statements("amy", "s1", account, scenario="bear", start_ts_s=T0, seconds_per_day=30.0,
                                    lesson_id="stop_loss")
    (trace,) = sessions(statements)
    assert trace.equity == pytest.approx([e for _, e in account.equity_curve], abs=0.01)
    assert len(trace.weights) == len(account.equity_curve) == lesson.days
    assert [(t["side"], t["qty"], t["protected"]) for t in trace.trades] == [
        (t.side, t.qty, t.protected) for t in account.trades]
    assert trace.trades[0]["protected"] is True and trace.lesson_id == "stop_loss"
