"""Behaviour radar fed by real crash-scenario Market runs."""

from __future__ import annotations

import pytest

from vbranch.emotion.radar import BehaviourRadar, concentration_score, order_rate_score, sell_after_drop_score
from vbranch.market_sim.events import CrashStarted, DrawdownCrossed
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind, OrderRequest, Side
from vbranch.scenes.scenario import load_scenario

INDEX = "510300"


def _crash_market(cash_share: float = 0.8, scenario: str = "crash", symbol: str = INDEX):
    m = Market(load_scenario(scenario).market_config(), seed=1)
    radar = BehaviourRadar("a")
    m.bus.subscribe(radar.observe)
    acct = m.open_account("a")
    qty = int(acct.cash * cash_share / m.price(symbol) / 100) * 100
    req = OrderRequest(symbol, Side.BUY, qty)
    radar.order_submitted(m.t_step, req)
    m.submit("a", req)
    return m, radar, acct


def _run_until(m: Market, kind: type) -> object:
    while not m.finished:
        for event in m.advance(1):
            if isinstance(event, kind) and getattr(event, "account_id", "a") == "a":
                return event
    raise AssertionError(f"no {kind.__name__}")


def test_pure_axis_rules() -> None:
    assert order_rate_score(2, 2, 8) == 0.0
    assert order_rate_score(5, 2, 8) == pytest.approx(0.5)
    assert order_rate_score(20, 2, 8) == 1.0
    assert sell_after_drop_score(100, 1000) == pytest.approx(0.2)
    assert sell_after_drop_score(500, 1000) == 1.0
    assert sell_after_drop_score(100, 0) == 0.0
    assert concentration_score({"X": 1.0, "cash": 0.0}) == 1.0
    assert concentration_score({"X": 0.4, "Y": 0.4, "cash": 0.2}) == 0.0


def test_calm_buy_and_hold_reads_no_anxiety() -> None:
    m, radar, acct = _crash_market()
    m.run_days(3)
    reading = radar.reading(m.t_step)
    assert reading.anxiety_p == 0.0
    assert reading.axes["sell_after_drop"] == 0.0


def test_selling_everything_after_the_crash_lights_sell_after_drop() -> None:
    m, radar, acct = _crash_market()
    crash = _run_until(m, CrashStarted)
    m.advance(10)
    held = acct.held(INDEX)
    radar.order_submitted(m.t_step, OrderRequest(INDEX, Side.SELL, held))
    reading = radar.reading(m.t_step)
    assert crash.day == 5
    assert reading.axes["sell_after_drop"] == 1.0
    assert reading.anxiety_p == pytest.approx(0.85)


def test_sell_long_after_the_crash_is_not_panic() -> None:
    m, radar, acct = _crash_market()
    _run_until(m, CrashStarted)
    m.advance(200)
    radar.order_submitted(m.t_step, OrderRequest(INDEX, Side.SELL, acct.held(INDEX)))
    assert radar.reading(m.t_step).axes["sell_after_drop"] == 0.0


def test_cancelling_a_stop_in_a_drawdown_lights_stop_cancel() -> None:
    m, radar, acct = _crash_market()
    stop = m.submit("a", OrderRequest(INDEX, Side.SELL, acct.held(INDEX), OrderKind.STOP_LOSS,
                                      trigger_price=m.price(INDEX) * 0.3))
    radar.order_cancelled(m.t_step, OrderKind.STOP_LOSS)  # no drawdown yet: ignored
    assert radar.reading(m.t_step).axes["stop_cancel"] == 0.0
    dd = _run_until(m, DrawdownCrossed)
    m.cancel("a", stop.order_id)
    radar.order_cancelled(m.t_step, OrderKind.STOP_LOSS)
    reading = radar.reading(m.t_step)
    assert dd.threshold_pct == 5.0
    assert reading.axes["stop_cancel"] == 1.0
    assert reading.anxiety_p >= 0.7


def test_buying_back_soon_after_a_losing_sell_is_revenge() -> None:
    m, radar, acct = _crash_market(scenario="crash_us", symbol="SPY")  # US: halts end, T+0
    _run_until(m, CrashStarted)
    m.run_days(1)  # the -20% breaker closed the day; the next day trades
    m.advance(5)
    m.submit("a", OrderRequest("SPY", Side.SELL, acct.held("SPY") // 2))
    m.advance(5)
    m.submit("a", OrderRequest("SPY", Side.BUY, 10))
    reading = radar.reading(m.t_step)
    assert reading.axes["revenge"] == 0.5
    assert reading.greed_p == pytest.approx(0.35)


def test_an_order_burst_spikes_order_rate_and_all_in_reads_concentrated() -> None:
    m, radar, acct = _crash_market(cash_share=0.95)
    for _ in range(8):
        radar.order_submitted(m.t_step, OrderRequest(INDEX, Side.BUY, 100))
    m.advance(1)
    radar.set_weights(acct.weights(m.prices))
    reading = radar.reading(m.t_step)
    assert reading.axes["order_rate"] == 1.0
    assert reading.axes["concentration"] > 0.9
