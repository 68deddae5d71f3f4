"""Book-mode venue: one limit-order book per instrument, background traders, and learners in the same queue.

Here the traded price is the last trade, not the fundamental. When a whole class panic-sells, their
market orders eat the bids and the price drops; value traders then buy the discount and pull it back
toward the scenario's fundamental. That is the lesson a quote can't teach.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from vbranch.market_sim.agents import AgentPopulation
from vbranch.market_sim.book import OrderBook, Trade
from vbranch.market_sim.venue import Execution, NoLiquidity

__all__ = ["BookVenue"]

_LEARNER_ID_OFFSET = 1 << 40  # learner order ids live above every agent id in the book


class BookVenue:
    def __init__(self, start_prices: np.ndarray, tick_sizes: np.ndarray, vol_annual: np.ndarray,
                 steps_per_day: int, rng: np.random.Generator) -> None:
        self._ticks = np.asarray(tick_sizes, dtype=float)
        self._prices = np.asarray(start_prices, dtype=float).copy()
        self._volume = np.zeros(len(self._prices), dtype=np.int64)
        ids = itertools.count(1)
        self.books = [OrderBook() for _ in self._prices]
        self.agents = [AgentPopulation(float(t), rng, next_id=ids.__next__) for t in self._ticks]
        self._bands: list[tuple[int, int] | None] = [None] * len(self._prices)
        self._learner_orders: dict[int, int] = {}  # book order id -> learner order id
        self._by_learner_id: dict[int, tuple[int, int]] = {}  # learner order id -> (instrument, book id)
        for book, agents, price in zip(self.books, self.agents, self._prices, strict=True):
            agents.seed_book(book, float(price))

    @property
    def prices(self) -> np.ndarray:
        return self._prices

    @property
    def step_volume(self) -> np.ndarray:
        return self._volume

    def _to_ticks(self, idx: int, price: float) -> int:
        return int(math.floor(price / self._ticks[idx] + 0.5))

    def _price(self, idx: int, ticks: float) -> float:
        return round(ticks * float(self._ticks[idx]), 10)

    def open_day(self, bands: np.ndarray) -> None:
        for i, (low, high) in enumerate(bands):
            if math.isfinite(high):
                band = (max(1, math.ceil(low / self._ticks[i] - 1e-9)), math.floor(high / self._ticks[i] + 1e-9))
                self._bands[i] = band
                for order_id, _owner, _qty in self.books[i].set_band(*band):
                    self._forget(order_id)
            else:
                self._bands[i] = None
                self.books[i].set_band(None, None)

    def _forget(self, book_id: int) -> None:
        learner_id = self._learner_orders.pop(book_id, None)
        if learner_id is not None:
            self._by_learner_id.pop(learner_id, None)

    def _settle(self, idx: int, trades: list[Trade]) -> list[Execution]:
        """Learner executions among ``trades`` and the instrument's last price and volume."""
        out: list[Execution] = []
        for trade in trades:
            self._volume[idx] += trade.qty
            for book_id in (trade.maker_order_id, trade.taker_order_id):
                learner_id = self._learner_orders.get(book_id)
                if learner_id is not None:
                    out.append(Execution(learner_id, trade.qty, self._price(idx, trade.price_ticks)))
                    if self.books[idx].resting_qty(book_id) == 0 and book_id == trade.maker_order_id:
                        self._forget(book_id)
        if trades:
            self._prices[idx] = self._price(idx, trades[-1].price_ticks)
        return out

    def update(self, fundamentals: np.ndarray, halted: np.ndarray) -> list[Execution]:
        self._volume = np.zeros(len(self._prices), dtype=np.int64)
        fills: list[Execution] = []
        for i, (book, agents) in enumerate(zip(self.books, self.agents, strict=True)):
            if halted[i]:
                continue
            fills += self._settle(i, agents.act(book, float(fundamentals[i]), self._bands[i]))
        return fills

    def quote(self, idx: int, side: int, qty: int) -> float:
        fillable, avg_ticks = self.books[idx].market_quote(side, qty)
        if avg_ticks is None:
            raise NoLiquidity("halt.limit_locked")
        return self._price(idx, avg_ticks)

    def _book_id(self, learner_id: int) -> int:
        return _LEARNER_ID_OFFSET + learner_id

    def execute_market(self, order_id: int, owner: int, idx: int, side: int, qty: int) -> list[Execution]:
        book = self.books[idx]
        if book.market_quote(side, qty)[1] is None:
            raise NoLiquidity("halt.limit_locked")
        book_id = self._book_id(order_id)
        self._learner_orders[book_id] = order_id
        trades = book.add_market(book_id, owner, side, qty)
        self.agents[idx].observe(trades)
        fills = self._settle(idx, trades)
        self._forget(book_id)
        return fills

    def place_limit(self, order_id: int, owner: int, idx: int, side: int, qty: int, price: float) -> list[Execution]:
        book_id = self._book_id(order_id)
        self._learner_orders[book_id] = order_id
        self._by_learner_id[order_id] = (idx, book_id)
        trades = self.books[idx].add_limit(book_id, owner, side, self._to_ticks(idx, price), qty)
        self.agents[idx].observe(trades)
        fills = self._settle(idx, trades)
        if self.books[idx].resting_qty(book_id) == 0:
            self._forget(book_id)
        return fills

    def cancel(self, order_id: int) -> int:
        entry = self._by_learner_id.get(order_id)
        if entry is None:
            return 0
        idx, book_id = entry
        self._forget(book_id)
        return self.books[idx].cancel(book_id)
