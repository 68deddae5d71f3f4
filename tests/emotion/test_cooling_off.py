"""The cooling-off state machine: never executes without confirmation, never holds forever, logs all."""

from __future__ import annotations

import pytest

from vbranch.emotion.cooling_off import (
    BREATHING_478,
    Breathe,
    CoolingOff,
    CoolingOffConfig,
    CoolingOffOffered,
    CoolingState,
    Drop,
    Execute,
    Hold,
    ShowContext,
    Speak,
    gate_order,
    should_hold,
)
from vbranch.emotion.crash_history import context_lines, past_drawdowns
from vbranch.emotion.event_log import EventLog
from vbranch.emotion.signals import LearnerKind, LearnerState
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.catalogue import text

SELL = OrderRequest("510300", Side.SELL, 800)
ANXIOUS = LearnerState(LearnerKind.ANXIOUS, 0.7)
CALM = LearnerState(LearnerKind.CALM, 0.7)
CFG = CoolingOffConfig(cooling_off_s=60, expiry_s=300, crash_window_s=600)


def _held(log: EventLog | None = None) -> CoolingOff:
    machine = CoolingOff(CFG, past_drawdowns(prefer_twin=True), "L1", log)
    machine.submit(SELL, 100.0)
    return machine


def test_gate_holds_only_an_anxious_big_sell_soon_after_a_crash() -> None:
    assert should_hold(SELL, ANXIOUS, 1000, 200, 100, CFG).hold
    assert should_hold(SELL, CALM, 1000, 200, 100, CFG).reason == "not_anxious"
    assert should_hold(OrderRequest("510300", Side.SELL, 400), ANXIOUS, 1000, 200, 100, CFG).reason == "small_sell"
    assert should_hold(SELL, ANXIOUS, 1000, 800, 100, CFG).reason == "no_recent_crash"
    assert should_hold(SELL, ANXIOUS, 1000, 200, None, CFG).reason == "no_recent_crash"
    assert should_hold(OrderRequest("510300", Side.BUY, 800), ANXIOUS, 1000, 200, 100, CFG).reason == "not_a_sell"


def test_gate_passes_a_calm_order_straight_through_and_logs_it() -> None:
    log = EventLog()
    machine = CoolingOff(CFG, learner_id="L1", event_log=log)
    assert gate_order(machine, SELL, CALM, 1000, 200, 100) == [Execute(SELL)]
    assert machine.state is CoolingState.IDLE
    assert log.statements[-1].verb == "gated"
    assert log.statements[-1].result["reason"] == "not_anxious"


def test_hold_offers_empathy_context_and_breathing() -> None:
    machine = CoolingOff(CFG, past_drawdowns(prefer_twin=True), "L1")
    actions = gate_order(machine, SELL, ANXIOUS, 1000, 130, 100)
    offered = actions[0]
    assert isinstance(offered, CoolingOffOffered)
    assert offered.key == "cooling_off.offer"
    assert offered.expires_at_s == 430
    assert Hold(SELL) in actions
    context = next(a for a in actions if isinstance(a, ShowContext)).drawdowns
    assert {d.episode_id for d in context} >= {"gfc_2008", "covid_2020"}
    assert machine.state is CoolingState.HELD
    speak = next(a for a in actions if isinstance(a, Speak))
    assert "800" in text(speak.key, "zh", **speak.params)


def test_confirm_during_cooling_off_is_refused_with_the_time_left() -> None:
    machine = _held()
    actions = machine.confirm(130.0)
    assert actions == [Speak("cooling_off.wait", {"seconds": 30})]
    assert machine.state is CoolingState.HELD


def test_confirm_after_cooling_off_executes_exactly_once() -> None:
    machine = _held()
    assert machine.tick(160.0) == [Speak("cooling_off.ask_confirm", {"qty": 800, "symbol": "510300"})]
    actions = machine.confirm(170.0)
    assert [a for a in actions if isinstance(a, Execute)] == [Execute(SELL)]
    assert machine.state is CoolingState.EXECUTED
    assert machine.confirm(171.0) == []


def test_cancel_drops_the_order_unexecuted() -> None:
    machine = _held()
    actions = machine.cancel(120.0)
    assert actions == [Drop(SELL, "cancelled"), Speak("cooling_off.cancelled")]
    assert machine.state is CoolingState.CANCELLED


def test_expiry_drops_the_order_and_tells_the_learner() -> None:
    machine = _held()
    machine.tick(200.0)
    assert machine.state is CoolingState.AWAITING_CONFIRMATION
    actions = machine.tick(400.0)
    assert actions[0] == Drop(SELL, "expired")
    assert actions[1].key == "cooling_off.expired"
    assert machine.state is CoolingState.EXPIRED
    assert machine.confirm(401.0) == []  # too late: nothing executes


def test_no_sequence_of_ticks_ever_executes() -> None:
    machine = _held()
    machine.start_breathing(101.0)
    actions = [a for t in range(101, 1000, 3) for a in machine.tick(float(t))]
    assert not any(isinstance(a, Execute) for a in actions)
    assert machine.state is CoolingState.EXPIRED


def test_breathing_script_cues_in_order_then_returns_to_held() -> None:
    machine = _held()
    cues = machine.start_breathing(100.0)
    for t in range(101, 140):
        cues += machine.tick(float(t))
    breathes = [a for a in cues if isinstance(a, Breathe)]
    assert [b.seconds for b in breathes] == [4, 7, 8, 4, 7, 8]
    assert BREATHING_478.duration_s == 38
    assert machine.breathing_completed
    assert machine.state is CoolingState.HELD


def test_a_second_sell_while_one_is_held_is_dropped() -> None:
    machine = _held()
    other = OrderRequest("510300", Side.SELL, 200)
    assert machine.submit(other, 110.0)[0] == Drop(other, "busy")
    assert machine.request == SELL


def test_every_decision_is_a_json_line(tmp_path) -> None:
    path = tmp_path / "decisions.jsonl"
    machine = _held(EventLog(path))
    machine.tick(161.0)
    machine.confirm(162.0)
    verbs = [s.verb for s in EventLog.read(path)]
    assert verbs == ["held", "asked_confirmation", "confirmed"]
    assert EventLog.read(path)[0].actor == "L1"
    assert EventLog.read(path)[0].object == {"type": "order", "symbol": "510300", "side": "sell", "qty": 800}


def test_config_refuses_a_hold_that_never_expires_before_it_ends() -> None:
    with pytest.raises(ValueError):
        CoolingOffConfig(cooling_off_s=300, expiry_s=300)


def test_context_lines_render_in_both_languages() -> None:
    drawdowns = past_drawdowns(prefer_twin=True)
    zh, en = context_lines(drawdowns, "zh"), context_lines(drawdowns, "en")
    assert len(zh) == len(en) == 5
    assert "2008" in en[1] and "41.1%" in en[1]
