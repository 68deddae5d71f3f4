"""A price-time priority limit order book, one per instrument, in integer ticks.

Why a real book: in book mode a learner's order (or a whole class panic-selling) has to *move* the
price by eating liquidity and fill at the prices it walks through. Why it looks the way it does: many
instruments with background agents run every step, so it is pure Python tuned for throughput
(target >= 2e5 orders/s on one core):

* prices are ints (ticks; the caller converts ``price = ticks * tick_size``), sides are plain ints;
* each price level is a ``deque`` of small mutable lists ``[order_id, owner, side, price_ticks, qty]``;
* best prices come from heaps (bids stored negated) that hold exactly the live level keys: a level
  is only ever deleted while it sits at the top of its heap, so the two never drift apart;
* cancellation is lazy: the record's qty is set to 0 and it is dropped when it reaches the front of
  its level; when dead records outnumber live ones the book compacts itself (amortised O(1)).

Self-trades are allowed: an owner crossing its own resting order simply produces a Trade with
``maker_owner == taker_owner``. Preventing them is a policy for the caller, not the book.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from heapq import heapify, heappop, heappush

import numpy as np

__all__ = ["BUY", "SELL", "Trade", "Removed", "OrderBook", "bench_orders"]

logger = logging.getLogger(__name__)

BUY = 1
SELL = -1

# Record layout (a plain list, mutated in place; hot loops index it literally):
# [order_id, owner, side, price_ticks, qty]
_COMPACT_MIN_DEAD = 4096

Removed = tuple[int, int, int]
"""An order taken off the book without trading: (order_id, owner, qty)."""


@dataclass(slots=True)
class Trade:
    """One fill between a resting (maker) order and an incoming (taker) order.

    ``price_ticks`` is always the maker's price. ``taker_side`` is BUY or SELL; the buyer is the taker
    when it is BUY, otherwise the maker.
    """

    maker_order_id: int
    taker_order_id: int
    maker_owner: int
    taker_owner: int
    price_ticks: int
    qty: int
    taker_side: int


class OrderBook:
    """A limit order book with price-time priority and an optional daily price band.

    Args:
        band: Optional inclusive ``(lo_ticks, hi_ticks)`` price band (daily limits).
    """

    __slots__ = ("_bids", "_asks", "_bid_heap", "_ask_heap", "_orders", "_dead", "_lo", "_hi",
                 "last_price_ticks")

    def __init__(self, band: tuple[int, int] | None = None) -> None:
        self._bids: dict[int, deque[list[int]]] = {}
        self._asks: dict[int, deque[list[int]]] = {}
        self._bid_heap: list[int] = []  # negated prices
        self._ask_heap: list[int] = []
        self._orders: dict[int, list[int]] = {}
        self._dead = 0  # cancelled records still sitting in level deques
        self._lo: int | None = None
        self._hi: int | None = None
        self.last_price_ticks: int | None = None
        if band is not None:
            self.set_band(*band)

    def add_limit(self, order_id: int, owner: int, side: int, price_ticks: int, qty: int) -> list[Trade]:
        """Submit a limit order: cross the opposite side at the makers' prices, rest the remainder.

        Args:
            order_id: Unique id (must not be live in this book).
            owner: Account id (learners >= 0, background agents < 0).
            side: BUY or SELL.
            price_ticks: Limit price in ticks; must lie inside the band if one is set.
            qty: Quantity, > 0.

        Returns:
            The trades, in execution order (empty if nothing crossed).

        Raises:
            ValueError: Bad side/qty, duplicate live order id, or price outside the band.
        """
        if qty <= 0 or (side != 1 and side != -1):
            raise ValueError(f"bad order: side={side} qty={qty}")
        if order_id in self._orders:
            raise ValueError(f"order id {order_id} is already live")
        if self._lo is not None and not self._lo <= price_ticks <= self._hi:
            raise ValueError(f"price {price_ticks} outside band [{self._lo}, {self._hi}]")
        trades: list[Trade] = []
        if side == 1:
            heap = self._ask_heap
            if heap and heap[0] <= price_ticks:
                qty = self._match(order_id, owner, 1, price_ticks, qty, trades)
            levels, heap, key = self._bids, self._bid_heap, -price_ticks
        else:
            heap = self._bid_heap
            if heap and -heap[0] >= price_ticks:
                qty = self._match(order_id, owner, -1, -price_ticks, qty, trades)
            levels, heap, key = self._asks, self._ask_heap, price_ticks
        if qty:
            q = levels.get(price_ticks)
            if q is None:
                q = levels[price_ticks] = deque()
                heappush(heap, key)
            rec = [order_id, owner, side, price_ticks, qty]
            q.append(rec)
            self._orders[order_id] = rec
        return trades

    def add_market(self, order_id: int, owner: int, side: int, qty: int) -> list[Trade]:
        """Submit an immediate-or-cancel market order; whatever cannot fill now is dropped.

        It never trades outside the band, because nothing outside the band ever rests.

        Args:
            order_id: Id reported as ``taker_order_id`` (never rests, so it is not reserved).
            owner: Account id.
            side: BUY or SELL.
            qty: Quantity, > 0.

        Returns:
            The trades; ``sum(t.qty for t in trades)`` is the filled quantity.
        """
        if qty <= 0 or (side != 1 and side != -1):
            raise ValueError(f"bad order: side={side} qty={qty}")
        trades: list[Trade] = []
        self._match(order_id, owner, side, 1 << 62, qty, trades)
        return trades

    def _match(self, order_id: int, owner: int, side: int, limit_key: int, qty: int,
               trades: list[Trade]) -> int:
        """Walk the opposite side while its heap key <= ``limit_key``; return the unfilled qty.

        Heap keys are ``price`` for asks and ``-price`` for bids, so ``price == key * side``.
        """
        if side == 1:
            levels, heap = self._asks, self._ask_heap
        else:
            levels, heap = self._bids, self._bid_heap
        orders = self._orders
        append = trades.append
        while qty and heap:
            key = heap[0]
            if key > limit_key:
                break
            price = key * side
            q = levels[price]
            while q:
                rec = q[0]
                rq = rec[4]
                if not rq:  # cancelled earlier
                    q.popleft()
                    self._dead -= 1
                    continue
                if rq <= qty:
                    q.popleft()
                    del orders[rec[0]]
                    rec[4] = 0
                    append(Trade(rec[0], order_id, rec[1], owner, price, rq, side))
                    qty -= rq
                    if not qty:
                        break
                else:
                    rec[4] = rq - qty
                    append(Trade(rec[0], order_id, rec[1], owner, price, qty, side))
                    qty = 0
                    break
            if not q:
                del levels[price]
                heappop(heap)
        if trades:
            self.last_price_ticks = trades[-1].price_ticks
        return qty

    def cancel(self, order_id: int) -> int:
        """Cancel what is left of ``order_id``; returns the qty removed (0 if unknown/filled/cancelled)."""
        rec = self._orders.pop(order_id, None)
        if rec is None:
            return 0
        qty = rec[4]
        rec[4] = 0
        self._dead += 1
        if self._dead > _COMPACT_MIN_DEAD and self._dead > len(self._orders):
            self._compact()
        return qty

    def cancel_owner(self, owner: int) -> list[Removed]:
        """Cancel every live order of ``owner``; returns what was removed, oldest first."""
        ids = [r[0] for r in self._orders.values() if r[1] == owner]
        return [(oid, owner, self.cancel(oid)) for oid in ids]

    def clear(self) -> list[Removed]:
        """Drop every resting order (end of day, halts); ``last_price_ticks`` is kept.

        Returns:
            The removed orders, oldest first, so the caller can release reserved cash/shares.
        """
        removed = [(r[0], r[1], r[4]) for r in self._orders.values()]
        self._bids.clear()
        self._asks.clear()
        self._bid_heap.clear()
        self._ask_heap.clear()
        self._orders.clear()
        self._dead = 0
        return removed

    @property
    def band(self) -> tuple[int, int] | None:
        """The inclusive ``(lo_ticks, hi_ticks)`` band, or None."""
        return None if self._lo is None else (self._lo, self._hi)

    def set_band(self, lo_ticks: int | None, hi_ticks: int | None) -> list[Removed]:
        """Set (or with ``None, None`` remove) the inclusive daily price band.

        Resting orders outside the new band are cancelled, so the book never holds a price a new
        order could not have; that is what guarantees market orders never trade outside the band.

        Args:
            lo_ticks: Lowest allowed price in ticks.
            hi_ticks: Highest allowed price in ticks.

        Returns:
            The orders removed because they fell outside the new band.
        """
        if lo_ticks is None or hi_ticks is None:
            self._lo = self._hi = None
            return []
        if lo_ticks > hi_ticks:
            raise ValueError(f"empty band [{lo_ticks}, {hi_ticks}]")
        self._lo, self._hi = int(lo_ticks), int(hi_ticks)
        outside = [r[0] for r in self._orders.values() if not lo_ticks <= r[3] <= hi_ticks]
        removed = [(oid, self._orders[oid][1], self.cancel(oid)) for oid in outside]
        if removed:
            self._compact()
        return removed

    def _compact(self) -> None:
        """Drop cancelled records and empty levels, then rebuild the heaps."""
        for levels in (self._bids, self._asks):
            for price in list(levels):
                live = deque(r for r in levels[price] if r[4])
                if live:
                    levels[price] = live
                else:
                    del levels[price]
        self._bid_heap = [-p for p in self._bids]
        self._ask_heap = list(self._asks)
        heapify(self._bid_heap)
        heapify(self._ask_heap)
        self._dead = 0

    def _best(self, levels: dict[int, deque[list[int]]], heap: list[int], sign: int) -> int | None:
        while heap:
            price = heap[0] * sign
            q = levels[price]
            while q and not q[0][4]:
                q.popleft()
                self._dead -= 1
            if q:
                return price
            del levels[price]
            heappop(heap)
        return None

    def best_bid(self) -> int | None:
        """Highest live bid in ticks, or None."""
        return self._best(self._bids, self._bid_heap, -1)

    def best_ask(self) -> int | None:
        """Lowest live ask in ticks, or None."""
        return self._best(self._asks, self._ask_heap, 1)

    def mid(self) -> float | None:
        """Mid price in (fractional) ticks, or None unless both sides are present."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return (bid + ask) / 2

    def depth(self, levels: int = 5) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Aggregated live quantity of the best ``levels`` price levels per side.

        Returns:
            ``(bids, asks)``, each a list of ``(price_ticks, qty)`` from the best price outwards.
        """
        out: list[list[tuple[int, int]]] = []
        for book, reverse in ((self._bids, True), (self._asks, False)):
            side: list[tuple[int, int]] = []
            for price in sorted(book, reverse=reverse):
                total = sum(r[4] for r in book[price])
                if total:
                    side.append((price, total))
                    if len(side) >= levels:
                        break
            out.append(side)
        return out[0], out[1]

    def market_quote(self, side: int, qty: int) -> tuple[int, float | None]:
        """What a market order would get right now, without touching the book.

        Args:
            side: BUY or SELL (the taker's side).
            qty: Quantity the order would ask for.

        Returns:
            ``(fillable_qty, average_price_ticks)``; the average is None when nothing would fill.
        """
        levels = self._asks if side == BUY else self._bids
        left, cost = qty, 0
        for price in sorted(levels, reverse=side != BUY):
            for rec in levels[price]:
                take = rec[4] if rec[4] < left else left
                left -= take
                cost += take * price
                if not left:
                    return qty, cost / qty
        filled = qty - left
        return filled, (cost / filled if filled else None)

    def resting_qty(self, order_id: int) -> int:
        """Live quantity of an order; 0 if unknown, filled or cancelled."""
        rec = self._orders.get(order_id)
        return 0 if rec is None else rec[4]

    def owner_orders(self, owner: int) -> list[tuple[int, int, int, int]]:
        """Live orders of ``owner`` as ``(order_id, side, price_ticks, qty)``, oldest first.

        O(live orders); meant for UI and account views, not the hot path.
        """
        return [(r[0], r[2], r[3], r[4]) for r in self._orders.values() if r[1] == owner]

    def __len__(self) -> int:
        """Number of live resting orders."""
        return len(self._orders)


def bench_orders(n_orders: int = 200_000, seed: int = 0) -> dict:
    """Throughput of a mixed order stream: 60% limit near the mid, 25% market, 15% cancel.

    The stream is generated with numpy before timing; a cancel targets one of the previous 99 orders
    (ids are stream positions; about a quarter are still live). Best of three runs on a fresh book.

    Args:
        n_orders: Orders per run.
        seed: Seed of the stream.

    Returns:
        ``{"orders_per_s", "n_orders", "trades", "seconds"}`` for the fastest run.
    """
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, size=n_orders, p=[0.60, 0.25, 0.15]).tolist()  # 0 limit, 1 market, 2 cancel
    side = np.where(rng.random(n_orders) < 0.5, BUY, SELL)
    offset = np.minimum(rng.geometric(0.15, n_orders) - 3, 40)  # mostly passive, some marketable
    price = (10_000 - side * offset).tolist()
    qty = (rng.integers(1, 11, n_orders) * 100).tolist()
    owner = rng.integers(0, 50, n_orders).tolist()
    target = (np.arange(n_orders) - rng.integers(1, 100, n_orders)).tolist()  # a recent order's id

    best = {"seconds": float("inf")}
    for _ in range(3):
        book = OrderBook()
        add_limit, add_market, cancel = book.add_limit, book.add_market, book.cancel
        n_trades = 0
        t0 = time.perf_counter()
        stream = zip(range(n_orders), kind, side.tolist(), price, qty, owner, target, strict=True)
        for i, k, s, p, q, o, tgt in stream:
            if k == 0:
                n_trades += len(add_limit(i, o, s, p, q))
            elif k == 1:
                n_trades += len(add_market(i, o, s, q))
            else:
                cancel(tgt)
        seconds = time.perf_counter() - t0
        if seconds < best["seconds"]:
            best = {"orders_per_s": n_orders / seconds, "n_orders": n_orders, "trades": n_trades,
                    "seconds": seconds}
    logger.info("book bench: %.0f orders/s (%d trades)", best["orders_per_s"], best["trades"])
    return best
