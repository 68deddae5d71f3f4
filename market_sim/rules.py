"""Market rules as data, and the pure functions that apply them.

A scenario picks its rules (A-share: ±10% limits, 100-share lots, T+1, stamp duty; US: market-wide
circuit breakers at −7/−13/−20%) and every part of the simulator asks these functions rather than
hard-coding a number, so the same learner order behaves like it would on that exchange.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

__all__ = [
    "CircuitBreaker",
    "MarketRules",
    "CN_RULES",
    "US_RULES",
    "CN_2016_RULES",
    "rules_for",
    "round_to_tick",
    "limit_band",
    "trading_fees",
    "breaker_to_trigger",
]


@dataclass(frozen=True)
class CircuitBreaker:
    """A market-wide halt when the index is ``drop_pct`` below the previous close.

    ``halt_minutes`` None closes trading for the rest of the day. ``last_minute`` is the minute of the
    trading day after which the timed halt no longer applies: then the level either does nothing (US
    levels 1–2 after 15:25) or, with ``late_closes_day``, closes the day (China 2016: 5% after 14:45).
    """

    drop_pct: float
    halt_minutes: float | None
    last_minute: float | None = None
    late_closes_day: bool = False


@dataclass(frozen=True)
class MarketRules:
    """Exchange rules. Percentages are in percent units (10 means 10%); money in the market's currency."""

    market: str
    trading_minutes_per_day: int
    price_limit_pct: float | None = None
    lot_size: int = 1
    t_plus_one: bool = False
    commission_pct: float = 0.0
    min_commission: float = 0.0
    stamp_duty_sell_pct: float = 0.0
    circuit_breakers: tuple[CircuitBreaker, ...] = field(default_factory=tuple)
    crash_threshold_pct: float = 5.0

    def __post_init__(self) -> None:
        if self.price_limit_pct is not None and not 0 < self.price_limit_pct < 100:
            raise ValueError(f"price_limit_pct must be in (0, 100), got {self.price_limit_pct}")
        if self.lot_size < 1:
            raise ValueError(f"lot_size must be >= 1, got {self.lot_size}")
        for name in ("commission_pct", "min_commission", "stamp_duty_sell_pct"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.trading_minutes_per_day <= 0:
            raise ValueError("trading_minutes_per_day must be > 0")
        drops = [b.drop_pct for b in self.circuit_breakers]
        if drops != sorted(drops) or any(d <= 0 for d in drops):
            raise ValueError(f"circuit_breakers must be positive drops in increasing order, got {drops}")

    def with_changes(self, **changes: object) -> MarketRules:
        return replace(self, **changes)


CN_RULES = MarketRules(
    market="CN",
    trading_minutes_per_day=240,
    price_limit_pct=10.0,
    lot_size=100,
    t_plus_one=True,
    commission_pct=0.025,
    min_commission=5.0,
    stamp_duty_sell_pct=0.05,
)

# The China index circuit breaker, in force 2016-01-04..2016-01-07 only: 5% halts 15 minutes,
# 7% (or 5% in the last 15 minutes, after 14:45) closes the market for the day.
CN_2016_RULES = CN_RULES.with_changes(
    circuit_breakers=(
        CircuitBreaker(5.0, 15.0, last_minute=225.0, late_closes_day=True),
        CircuitBreaker(7.0, None),
    ),
)

# US market-wide circuit breakers (S&P 500 vs prior close): levels 1 and 2 halt 15 minutes unless it is
# after 15:25 (minute 355 of 390); level 3 halts for the rest of the day.
US_RULES = MarketRules(
    market="US",
    trading_minutes_per_day=390,
    lot_size=1,
    commission_pct=0.0,
    circuit_breakers=(
        CircuitBreaker(7.0, 15.0, last_minute=355.0),
        CircuitBreaker(13.0, 15.0, last_minute=355.0),
        CircuitBreaker(20.0, None),
    ),
)


def rules_for(market: str) -> MarketRules:
    try:
        return {"CN": CN_RULES, "US": US_RULES}[market.upper()]
    except KeyError:
        raise ValueError(f"unknown market {market!r}: expected CN or US") from None


def round_to_tick(price: float, tick_size: float) -> float:
    """Round half up to the tick, as exchanges do for limit prices (avoids banker's rounding at .5)."""
    ticks = math.floor(price / tick_size + 0.5 + 1e-9)
    return round(ticks * tick_size, 10)


def limit_band(prev_close: float, limit_pct: float | None, tick_size: float) -> tuple[float, float]:
    """Today's (limit-down, limit-up) prices from yesterday's close; (0, inf) without limits."""
    if limit_pct is None:
        return 0.0, math.inf
    low = round_to_tick(prev_close * (1 - limit_pct / 100), tick_size)
    high = round_to_tick(prev_close * (1 + limit_pct / 100), tick_size)
    return max(low, tick_size), high


def trading_fees(side: str, notional: float, rules: MarketRules) -> float:
    """Commission (with its minimum) on every trade plus stamp duty on sells, in currency."""
    if notional <= 0:
        return 0.0
    commission = max(notional * rules.commission_pct / 100, rules.min_commission)
    duty = notional * rules.stamp_duty_sell_pct / 100 if side == "sell" else 0.0
    return round(commission + duty, 2)


def breaker_to_trigger(
    drop_pct: float, minute: float, breakers: tuple[CircuitBreaker, ...], triggered: frozenset[int]
) -> tuple[int, float | None] | None:
    """Which breaker fires now, and for how long.

    Args:
        drop_pct: how far the index is below the previous close, positive percent.
        minute: minutes since the open.
        breakers: the rules' levels in increasing order.
        triggered: levels already triggered today (each fires at most once a day).

    Returns:
        ``(level, halt_minutes)`` with ``halt_minutes`` None for the rest of the day, or None when
        nothing new fires.
    """
    for level in range(len(breakers) - 1, -1, -1):
        breaker = breakers[level]
        if drop_pct < breaker.drop_pct - 1e-9:
            continue
        if level in triggered:
            return None
        if breaker.last_minute is not None and minute > breaker.last_minute:
            if breaker.late_closes_day:
                return level, None
            continue  # too late for a timed halt; a higher, day-ending level may still apply
        return level, breaker.halt_minutes
    return None
