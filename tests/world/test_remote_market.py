"""The classroom's market as the widgets read it: frames from the server in, ``Market``'s surface out."""

from __future__ import annotations

import queue

import numpy as np
import pytest

from vbranch.market_sim.events import BarClosed, CrashStarted, Filled, Halted, StopTriggered
from vbranch.market_sim.market import Bar
from vbranch.scenes.scenario import load_scenario
from vbranch.world.remote_market import RemoteMarket, event_from_wire

SYMBOLS = load_scenario("crash").market_config(prefer_twin=True).universe.symbols


def welcome(prices: dict | None = None, state: str = "running", me: dict | None = None) -> dict:
    prices = prices or {s: 10.0 + i for i, s in enumerate(SYMBOLS)}
    return {"type": "welcome", "client_id": "c1", "room": "R", "role": "learner", "resume_token": "tok",
            "snapshot": {"tick": 5, "contest": {"state": state, "settings": {"scenario": "crash",
                                                                                "starting_cash": 50_000.0}},
                         "market": {"p": prices, "day": 2, "halt": False, "state": state, "speed": 2.0},
                         "instruments": [{"symbol": s} for s in SYMBOLS],
                         "bars": {s: [[9.0, 11.0, 8.5, 10.0], [10.0, 12.0, 9.5, 11.0]] for s in SYMBOLS},
                         "me": me or {"cash": 40_000.0, "positions": {SYMBOLS[0]: {"qty": 100, "avg_cost": 9.5}},
                                      "orders": [], "trades": 1}}}


@pytest.fixture
def market() -> RemoteMarket:
    return RemoteMarket(welcome())


def test_the_welcome_gives_prices_bars_day_and_the_seats_account(market):
    assert market.symbols == SYMBOLS and market.day == 2 and market.clock.speed == 2.0
    assert market.prices[SYMBOLS[1]] == 11.0 and market.venue.prices[0] == 10.0
    assert market.history[SYMBOLS[0]] == [Bar(0, 9.0, 11.0, 8.5, 10.0), Bar(1, 10.0, 12.0, 9.5, 11.0)]
    assert market.today_started and market.today_ohlc[0].tolist() == [10.0, 10.0, 10.0, 10.0]
    account = market.account("learner")
    assert account.cash == 40_000.0 and account.held(SYMBOLS[0]) == 100 and account.deposits == 50_000.0
    assert market.rules.market.startswith("CN") and market.config.steps_per_day > 0
    with pytest.raises(KeyError):
        market.account("someone-else")


def test_price_deltas_extend_todays_candle_in_place(market):
    ohlc, t0 = market.today_ohlc, market.t_step
    market.apply({"type": "delta", "tick": 6, "p": {SYMBOLS[0]: 10.5}})
    market.apply({"type": "delta", "tick": 7, "p": {SYMBOLS[0]: 9.8, SYMBOLS[2]: 12.5}})
    assert market.today_ohlc is ohlc  # the wall copies it every frame: no new array per delta
    assert ohlc[0].tolist() == [10.0, 10.5, 9.8, 9.8]
    assert ohlc[2].tolist() == [12.0, 12.5, 12.0, 12.5] and ohlc[1].tolist() == [11.0] * 4
    assert market.t_step == t0 + 2 and market.prices[SYMBOLS[0]] == 9.8


def test_a_day_close_appends_bars_and_the_next_price_opens_a_new_candle(market):
    market.apply({"type": "delta", "tick": 8, "p": {SYMBOLS[0]: 10.2}, "day": 3,
                  "bars": {s: [10.0, 10.6, 9.7, 10.2] for s in SYMBOLS}})
    assert market.day == 3 and market.history[SYMBOLS[0]][-1] == Bar(2, 10.0, 10.6, 9.7, 10.2)
    assert not market.today_started
    assert sum(isinstance(e, BarClosed) for e in market.events) == len(SYMBOLS)
    market.apply({"type": "delta", "tick": 9, "p": {SYMBOLS[0]: 10.4}})
    assert market.today_started and market.today_ohlc[0].tolist() == [10.4] * 4


def test_step_drains_the_queue_translates_events_and_publishes_them():
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    market = RemoteMarket(welcome(), inbox)
    seen: list = []
    market.bus.subscribe(seen.append, CrashStarted)
    for msg in ({"type": "delta", "tick": 6, "p": {SYMBOLS[0]: 9.0}, "halt": True,
                 "ev": [{"type": "crash_started", "day": 2, "symbol": SYMBOLS[0], "drop_pct": -7.5},
                        {"type": "halt", "day": 2, "symbol": None, "reason": "halt.breaker_5", "until_step": 900},
                        {"type": "meteor", "day": 2}]},
                {"type": "poses", "tick": 6, "avatars": {}},
                {"type": "leaderboard", "rows": []}):
        inbox.put(msg)
    events = market.step(1 / 60)
    crash, halt = events
    assert isinstance(crash, CrashStarted) and crash.drop_pct == -7.5 and crash.t_step == market.t_step - 1
    assert isinstance(halt, Halted) and halt.until_step == 900 and market.halted
    assert seen == [crash]  # the cooling-off desk learns the crash time from the bus
    assert [m["type"] for m in market.received] == ["poses", "leaderboard"]
    assert market.step(1 / 60) == [] and market.received == []


def test_fills_and_notices_update_the_account_and_become_private_events(market):
    market.apply({"type": "fill", "order_id": 7, "client_order_id": "w-1", "symbol": SYMBOLS[1], "side": "buy",
                  "qty": 200, "price": 11.0, "fees": 5.0, "reason": "order", "cash": 37_795.0, "position_qty": 200})
    account = market.account("learner")
    assert account.cash == 37_795.0 and account.held(SYMBOLS[1]) == 200
    assert account.positions[SYMBOLS[1]].avg_cost == pytest.approx(11.025)
    assert len(account.trades) == 1
    market.apply({"type": "notice", "event": {"type": "stop_triggered", "t_step": 99, "day": 2, "order_id": 8,
                                              "symbol": SYMBOLS[1], "order_kind": "stop_loss",
                                              "trigger_price": 10.0, "market_price": 9.9,
                                              "client_order_id": "w-2"}})
    fill, stop = market.events
    assert isinstance(fill, Filled) and fill.account_id == "learner" and fill.qty == 200
    assert isinstance(stop, StopTriggered) and stop.account_id == "learner" and stop.t_step == 99


def test_a_resync_or_rejoin_resets_from_the_new_snapshot(market):
    account = market.account("learner")
    market.apply({"type": "delta", "tick": 9, "full": True, "p": {s: 20.0 for s in SYMBOLS}})
    assert np.all(market.venue.prices == 20.0)
    market.apply(welcome(prices={s: 30.0 for s in SYMBOLS}, me={"cash": 1.0, "positions": {}, "orders": []}))
    assert np.all(market.today_ohlc == 30.0) and market.account("learner").cash == 1.0
    assert market.account("learner") is account and account.positions == {}  # the app keeps this object


def test_malformed_frames_are_ignored_and_a_room_without_contest_is_refused(market):
    market.apply({"type": "fill", "symbol": SYMBOLS[0]})  # missing fields: logged, not raised
    assert market.account("learner").cash == 40_000.0
    assert event_from_wire({"type": "limit_hit", "day": 1}, 3, 1) is None
    with pytest.raises(ValueError, match="no contest"):
        RemoteMarket({"type": "welcome", "snapshot": {"contest": None}})
