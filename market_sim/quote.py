"""Fast fills from a quote: the traded price is the fundamental inside today's limits, and an order
pays half the spread plus square-root market impact.

This is the single-player default: cheap enough to run every frame, and faithful where a learner
notices it: a big order costs more per share, nothing sells into a locked limit-down, and a resting
limit order fills at its price or better when the market gets there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vbranch.market_sim.venue import Execution, NoLiquidity

__all__ = ["QuoteParams", "QuoteVenue", "impact_pct"]


@dataclass(frozen=True)
class QuoteParams:
    """``half_spread_pct`` in percent of price; ``impact_coef`` scales daily vol × sqrt(qty / ADV)."""

    half_spread_pct: float = 0.02
    impact_coef: float = 1.0
    adv_notional: float = 2e8  # average daily traded value, currency units
    background_volume_share: float = 1.0  # background volume per day as a multiple of ADV


def impact_pct(qty: int, price: float, vol_daily: float, params: QuoteParams) -> float:
    """Percent price concession for a market order of ``qty`` shares (spread plus square-root impact)."""
    adv_shares = params.adv_notional / price
    return params.half_spread_pct + 100 * params.impact_coef * vol_daily * math.sqrt(qty / adv_shares)


class QuoteVenue:
    """Quote-driven venue for N instruments (see the module docstring)."""

    def __init__(
        self,
        start_prices: np.ndarray,
        vol_annual: np.ndarray,
        steps_per_day: int,
        rng: np.random.Generator,
        params: QuoteParams | None = None,
    ) -> None:
        self.params = params or QuoteParams()
        self._prices = np.asarray(start_prices, dtype=float).copy()
        self._fundamentals = self._prices.copy()
        self._vol_daily = np.asarray(vol_annual, dtype=float) / math.sqrt(252)
        self._steps_per_day = steps_per_day
        self._rng = rng
        self._bands = np.column_stack([np.zeros_like(self._prices), np.full_like(self._prices, np.inf)])
        self._volume = np.zeros(len(self._prices), dtype=np.int64)
        self._resting: dict[int, tuple[int, int, int, float]] = {}  # order_id -> (idx, side, qty, limit)

    @property
    def prices(self) -> np.ndarray:
        return self._prices

    @property
    def step_volume(self) -> np.ndarray:
        return self._volume

    def open_day(self, bands: np.ndarray) -> None:
        self._bands = np.asarray(bands, dtype=float).copy()

    def locked(self, idx: int) -> int:
        """-1 when the fundamental is at/below limit-down, +1 at/above limit-up, else 0."""
        low, high = self._bands[idx]
        if self._fundamentals[idx] <= low:
            return -1
        if self._fundamentals[idx] >= high:
            return 1
        return 0

    def update(self, fundamentals: np.ndarray, halted: np.ndarray) -> list[Execution]:
        live = ~np.asarray(halted, dtype=bool)
        self._fundamentals = np.where(live, fundamentals, self._fundamentals)
        old = self._prices.copy()
        clipped = np.clip(fundamentals, self._bands[:, 0], self._bands[:, 1])
        self._prices = np.where(live, clipped, self._prices)
        self._volume = self._background_volume(old, live)
        fills: list[Execution] = []
        for order_id, (idx, side, qty, limit) in list(self._resting.items()):
            if not live[idx]:
                continue
            price = self._prices[idx]
            locked = self.locked(idx)
            crosses = price <= limit if side > 0 else price >= limit
            if crosses and locked != side:  # a buy can't fill into a locked limit-up, a sell into limit-down
                fill_price = min(limit, price) if side > 0 else max(limit, price)
                fills.append(Execution(order_id, qty, float(fill_price)))
                self._volume[idx] += qty
                del self._resting[order_id]
        return fills

    def _background_volume(self, old: np.ndarray, live: np.ndarray) -> np.ndarray:
        """Simulated market volume: busier when prices move, as in real markets."""
        per_step = self.params.background_volume_share * self.params.adv_notional / self._prices / self._steps_per_day
        move = np.abs(np.log(self._prices / old)) / (self._vol_daily / math.sqrt(self._steps_per_day) + 1e-12)
        noise = self._rng.lognormal(0.0, 0.3, size=len(old))
        return np.where(live, per_step * (0.5 + 0.5 * move) * noise, 0).astype(np.int64)

    def quote(self, idx: int, side: int, qty: int) -> float:
        locked = self.locked(idx)
        if locked == side:  # buying into a locked limit-up, selling into a locked limit-down
            raise NoLiquidity("halt.limit_locked")
        price = float(self._prices[idx])
        if locked == -side:  # the other side queues at the limit: plenty to trade against, at that price
            return price
        concession = impact_pct(qty, price, float(self._vol_daily[idx]), self.params) / 100
        low, high = self._bands[idx]
        return float(np.clip(price * (1 + side * concession), low, high))

    def execute_market(self, order_id: int, owner: int, idx: int, side: int, qty: int) -> list[Execution]:
        price = self.quote(idx, side, qty)
        self._volume[idx] += qty
        return [Execution(order_id, qty, price)]

    def place_limit(self, order_id: int, owner: int, idx: int, side: int, qty: int, price: float) -> list[Execution]:
        market = float(self._prices[idx])
        marketable = market <= price if side > 0 else market >= price
        if marketable and self.locked(idx) != side:
            fill = self.quote(idx, side, qty)
            if (side > 0 and fill <= price) or (side < 0 and fill >= price):
                self._volume[idx] += qty
                return [Execution(order_id, qty, fill)]
        self._resting[order_id] = (idx, side, qty, price)
        return []

    def cancel(self, order_id: int) -> int:
        entry = self._resting.pop(order_id, None)
        return entry[2] if entry else 0
