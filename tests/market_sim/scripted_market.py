"""A market whose index follows prices written in the test, through the real replay path.

Each scripted day is flat (open = high = low = close), so the index trades at exactly that price all
day and a test can say "day 2 gaps from 100 to 85" and check what stops and limits do.
"""

from __future__ import annotations

import numpy as np

from vbranch.market_sim.config import MarketConfig, ReplaySource
from vbranch.market_sim.history import DailyBars
from vbranch.market_sim.instruments import AssetClass, Instrument, Universe
from vbranch.market_sim.market import Market
from vbranch.market_sim.rules import US_RULES, MarketRules

STEPS_PER_DAY = 8
PLAIN_RULES = US_RULES.with_changes(circuit_breakers=())  # no halts, so order tests see every price


def scripted_bars(days: list) -> DailyBars:
    """A float is a flat day; an (open, high, low, close) tuple a day that moves inside its range."""
    ohlc = np.array([(d, d, d, d) if np.isscalar(d) else d for d in days], dtype=float)
    dates = np.datetime64("2024-01-01") + np.arange(len(ohlc))
    return DailyBars(dates, ohlc[:, 0], ohlc[:, 1], ohlc[:, 2], ohlc[:, 3], True, "scripted")


def make_market(day_prices: list, rules: MarketRules = PLAIN_RULES, limited: bool = False,
                fill_mode: str = "quote", cash: float = 1_000_000.0, seed: int = 0,
                thresholds: tuple[float, ...] = (5.0, 10.0, 20.0)) -> Market:
    first = day_prices[0] if np.isscalar(day_prices[0]) else day_prices[0][0]
    index = Instrument("IDX", "指数", "Index", AssetClass.EQUITY_INDEX, float(first), 0.2, 1.0, 3,
                       ("index",), is_index=True, has_price_limit=limited)
    bond = Instrument("BND", "债券", "Bond", AssetClass.BOND, 100.0, 0.03, 0.0, 1, ("bond",))
    config = MarketConfig(
        universe=Universe("T", "CNY" if rules.market == "CN" else "USD", (index, bond)),
        rules=rules,
        replay=ReplaySource(scripted_bars(day_prices), "real", "scripted"),
        steps_per_day=STEPS_PER_DAY,
        days=len(day_prices),
        fill_mode=fill_mode,
        starting_cash=cash,
        drawdown_thresholds_pct=thresholds,
    )
    return Market(config, seed)

