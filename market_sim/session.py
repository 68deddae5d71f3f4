"""One trading day's exchange state: price limits, limit hits, crash detection and circuit-breaker halts.

Kept apart from the market loop so the rules that make a crash day feel real (a locked limit-down,
a 15-minute halt at −7%, the day closed at −20%) can be tested step by step with hand-made prices.
"""

from __future__ import annotations

import math

import numpy as np

from vbranch.market_sim.events import CrashStarted, Halted, LimitHit, MarketEvent, Resumed
from vbranch.market_sim.instruments import Universe
from vbranch.market_sim.rules import MarketRules, breaker_to_trigger, limit_band

__all__ = ["TradingSession"]


class TradingSession:
    """Exchange state for the current day. Prices in currency; steps are the market's global steps."""

    def __init__(self, universe: Universe, rules: MarketRules, steps_per_day: int) -> None:
        self.universe = universe
        self.rules = rules
        self.steps_per_day = steps_per_day
        self._index = universe.position(universe.index.symbol)
        n = len(universe)
        self.prev_close = np.zeros(n)
        self.bands = np.column_stack([np.zeros(n), np.full(n, np.inf)])
        self._limit_seen: set[tuple[int, int]] = set()
        self._breakers_fired: set[int] = set()
        self._crash_reported = False
        self.halt_until: int | None = None  # global step when a market-wide halt ends; -1 = rest of day
        self.halt_reason: dict = {}

    def open_day(self, prev_close: np.ndarray) -> np.ndarray:
        """Reset the day; returns today's (N, 2) limit bands."""
        self.prev_close = np.asarray(prev_close, dtype=float).copy()
        for i, inst in enumerate(self.universe):
            pct = inst.price_limit_pct if inst.price_limit_pct is not None else self.rules.price_limit_pct
            pct = pct if inst.has_price_limit else None
            self.bands[i] = limit_band(self.prev_close[i], pct, inst.tick_size)
        self._limit_seen.clear()
        self._breakers_fired.clear()
        self._crash_reported = False
        self.halt_until = None
        self.halt_reason = {}
        return self.bands

    def market_halted(self, t_step: int) -> bool:
        if self.halt_until is None:
            return False
        return self.halt_until < 0 or t_step < self.halt_until

    def halted_mask(self, t_step: int) -> np.ndarray:
        return np.full(len(self.universe), self.market_halted(t_step))

    def minute(self, step_in_day: int) -> float:
        return step_in_day * self.rules.trading_minutes_per_day / self.steps_per_day

    def index_drop_pct(self, prices: np.ndarray) -> float:
        ref = self.prev_close[self._index]
        return float(100 * (ref - prices[self._index]) / ref) if ref > 0 else 0.0

    def observe(self, t_step: int, day: int, step_in_day: int, prices: np.ndarray) -> list[MarketEvent]:
        """Events caused by this step's traded prices (call after the venue updated them)."""
        events: list[MarketEvent] = []
        if self.halt_until is not None and self.halt_until >= 0 and t_step >= self.halt_until:
            self.halt_until = None
            self.halt_reason = {}
            events.append(Resumed(t_step, day, None))
        if self.market_halted(t_step):
            return events
        for i, inst in enumerate(self.universe):
            low, high = self.bands[i]
            for direction, hit in ((-1, prices[i] <= low + 1e-9), (1, prices[i] >= high - 1e-9)):
                if hit and (i, direction) not in self._limit_seen:
                    self._limit_seen.add((i, direction))
                    where = "down" if direction < 0 else "up"
                    events.append(LimitHit(t_step, day, inst.symbol, where, float(prices[i])))
        drop = self.index_drop_pct(prices)
        index_symbol = self.universe.index.symbol
        if not self._crash_reported and drop >= self.rules.crash_threshold_pct:
            self._crash_reported = True
            events.append(CrashStarted(t_step, day, index_symbol, round(float(drop), 4)))
        fired = breaker_to_trigger(drop, self.minute(step_in_day), self.rules.circuit_breakers,
                                   frozenset(self._breakers_fired))
        if fired is not None:
            level, halt_minutes = fired
            self._breakers_fired.update(range(level + 1))
            if halt_minutes is None:
                self.halt_until = -1
            else:
                steps = math.ceil(halt_minutes * self.steps_per_day / self.rules.trading_minutes_per_day)
                self.halt_until = t_step + max(1, steps)
            breaker_drop = self.rules.circuit_breakers[level].drop_pct
            self.halt_reason = {"key": "halt.circuit_breaker", "drop_pct": breaker_drop}
            until = None if self.halt_until < 0 else self.halt_until
            events.append(Halted(t_step, day, None, "circuit_breaker", until, breaker_drop))
        return events
