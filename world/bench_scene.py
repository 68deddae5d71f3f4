"""Synthetic markets for the world's speed checks: hundreds of instruments the scenario files don't have.

The market wall and the frame benchmark must hold their budgets for a 500-instrument universe, but every
shipped scenario trades a handful. This builds a runnable ``Market`` over the price process's own
benchmark universe (an index first, then generated equities), so both measure the same thing.
"""

from __future__ import annotations

import logging

from vbranch.market_sim.config import MarketConfig
from vbranch.market_sim.instruments import Universe
from vbranch.market_sim.market import Market
from vbranch.market_sim.process import preset_spec, synthetic_instruments
from vbranch.market_sim.rules import rules_for

__all__ = ["synthetic_market"]

log = logging.getLogger(__name__)


def synthetic_market(n_instruments: int, seed: int = 0, preset: str = "crash", market: str = "CN",
                     steps_per_day: int = 240, seconds_per_day: float = 30.0) -> Market:
    """A fresh ``Market`` over ``n_instruments`` generated instruments (the first is the index).

    Args:
        n_instruments: universe size, index included (>= 1).
        seed: seeds both the generated instruments and the market.
        preset: a ``preset_spec`` name ("bull", "bear", "sideways", "crash").
        market: "CN" or "US" exchange rules (limits, breakers, colour convention).
        steps_per_day: simulation steps per trading day.
        seconds_per_day: wall seconds per trading day at speed 1.
    """
    if n_instruments < 1:
        raise ValueError(f"n_instruments must be >= 1, got {n_instruments}")
    rules = rules_for(market)
    universe = Universe(f"SYN{n_instruments}", "CNY" if rules.market == "CN" else "USD",
                        synthetic_instruments(n_instruments, seed))
    config = MarketConfig(universe, rules, process=preset_spec(preset), steps_per_day=steps_per_day,
                          seconds_per_day=seconds_per_day)
    log.debug("synthetic market: %d instruments, %s rules, preset %s", n_instruments, rules.market, preset)
    return Market(config, seed=seed)
