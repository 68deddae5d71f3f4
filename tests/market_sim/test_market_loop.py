"""The market as a whole: seeded determinism, the frame clock, conservation, events, book-mode impact."""

import contextlib

import numpy as np
import pytest

from vbranch.market_sim.config import MarketConfig
from vbranch.market_sim.instruments import CN_UNIVERSE, US_UNIVERSE
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind, OrderRejected, OrderRequest, Side
from vbranch.market_sim.process import preset_spec
from vbranch.market_sim.rules import CN_RULES, US_RULES


def crash_config(**kw) -> MarketConfig:
    return MarketConfig(CN_UNIVERSE, CN_RULES, process=preset_spec("crash"), days=10, steps_per_day=48, **kw)


def closes(market: Market, symbol: str = "510300") -> list[float]:
    return [bar.close for bar in market.history[symbol]]


def test_same_seed_gives_the_same_market_and_another_seed_does_not():
    a, b, c = Market(crash_config(), 7), Market(crash_config(), 7), Market(crash_config(), 8)
    for m in (a, b, c):
        m.run_days(6)
    assert closes(a) == closes(b)
    assert closes(a) != closes(c)


def test_step_turns_wall_seconds_into_steps_at_the_scenario_pace_and_speed():
    market = Market(crash_config(seconds_per_day=24.0), 0)  # 48 steps a day: one step per 0.5 s
    market.step(1.2)
    assert market.t_step == 2  # 0.2 s carried over
    market.step(0.3)
    assert market.t_step == 3
    market.set_speed(10)
    market.step(1.0)
    assert market.t_step == 23
    with pytest.raises(ValueError):
        market.step(-1)


def test_crash_scenario_emits_crash_and_limit_down_and_locks_the_index():
    market = Market(crash_config(), 3)
    seen = []
    market.bus.subscribe(seen.append)
    market.run_days(6)
    kinds = {e.kind for e in seen}
    assert {"crash_started", "limit_hit", "bar_closed"} <= kinds
    crash_day = min(e.day for e in seen if e.kind == "crash_started")
    assert crash_day == 5
    day4, day5 = market.history["510300"][4], market.history["510300"][5]
    limit_down = round(day4.close * 0.9, 3)
    assert day5.close == pytest.approx(limit_down, abs=0.0011)
    assert day5.low == pytest.approx(limit_down, abs=0.0011)  # never traded below the limit
    index = market.universe.position("510300")
    assert market.process.prices[index] < day5.close  # the market "wants" lower: locked at the limit


def test_random_trading_conserves_cash_and_positions():
    market = Market(crash_config(), 11)
    rng = np.random.default_rng(0)
    for name in ("a", "b", "c"):
        market.open_account(name)
    symbols = ["510300", "516160", "601398", "511010"]
    for _ in range(300):
        market.advance(int(rng.integers(1, 6)))
        if market.finished:
            break
        name = str(rng.choice(["a", "b", "c"]))
        symbol = str(rng.choice(symbols))
        side = Side.BUY if rng.random() < 0.55 else Side.SELL
        kind = OrderKind.LIMIT if rng.random() < 0.3 else OrderKind.MARKET
        price = market.price(symbol) * (1 + (rng.random() - 0.5) * 0.02)
        with contextlib.suppress(OrderRejected):
            market.submit(name, OrderRequest(symbol, side, int(rng.integers(1, 20)) * 100, kind,
                                             limit_price=round(price, 3) if kind is OrderKind.LIMIT else None,
                                             stop_loss_pct=5.0 if side is Side.BUY and rng.random() < 0.5 else None))
        for account in market.accounts.values():
            account.check_conservation(market.prices)
    trades = sum(len(a.trades) for a in market.accounts.values())
    assert trades > 50
    fees = sum(a.fees_paid for a in market.accounts.values())
    assert fees > 0


def test_us_market_has_no_price_limits():
    config = MarketConfig(US_UNIVERSE, US_RULES, process=preset_spec("crash"), days=8, steps_per_day=39)
    market = Market(config, 1)
    market.run_days(6)
    bar = market.history["SPY"][5]
    assert bar.low < market.history["SPY"][4].close * 0.9  # fell further than any A-share limit allows


def test_book_mode_class_panic_sell_moves_the_price_and_value_traders_pull_it_back():
    config = MarketConfig(CN_UNIVERSE, CN_RULES, process=preset_spec("bull"), days=None, steps_per_day=48,
                          fill_mode="book", starting_cash=1_000_000)
    market = Market(config, 5)
    market.run_days(1)
    learners = [f"s{i}" for i in range(30)]
    for name in learners:
        market.open_account(name)
    market.advance(2)
    for name in learners:
        market.submit(name, OrderRequest("601398", Side.BUY, 1500))
        market.advance(1)
    market.run_days(1)
    before = market.price("601398")
    for name in learners:  # the whole class sells at once
        with contextlib.suppress(OrderRejected):
            market.submit(name, OrderRequest("601398", Side.SELL, 1500))
    after = market.price("601398")
    assert after < before * 0.98  # 45,000 shares dumped at once eat through the bids
    market.advance(48)
    fundamental = float(market.process.prices[market.universe.position("601398")])
    assert abs(market.price("601398") / fundamental - 1) < abs(after / fundamental - 1)
