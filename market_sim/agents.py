"""Background traders that give each book-mode instrument a living, self-correcting market.

Why: in book mode the price is whatever the last trade was, so something has to supply liquidity and
something has to anchor the price. Following ABIDES, a small population does that per instrument:

* noise traders post small random limit orders around the mid (and a few market orders): depth;
* value traders see the scenario's fundamental with noise and trade toward it, harder the larger the
  mispricing: this is what pulls the price back after a panic;
* momentum traders chase the recent return: this is what makes a class panic-selling snowball;
* market makers quote both sides around the mid, widen with recent volatility and skew their quotes
  against their inventory, replacing their quotes every step.

All parameters are per simulation step and relative to price (basis points), so the same population
works for a 4.000 ETF on a 0.001 tick and a 1600.00 stock on a 0.01 tick.

Ids: agents use negative owner ids (learners are >= 0). Order ids come from ``next_id``; pass the same
``itertools.count(1).__next__`` the caller uses for learner orders so that every id in the book is
unique. Without it the population counts down from -1, which cannot collide with positive learner ids.

Market-maker inventory is tracked from trades: ``act`` accounts for its own; trades from orders the
caller submits (learners) that may have hit a maker quote must be passed to ``observe``.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from vbranch.market_sim.book import BUY, SELL, OrderBook, Trade

__all__ = ["AgentParams", "AgentPopulation"]

logger = logging.getLogger(__name__)

_NO_LIMIT = 1 << 62


@dataclass(frozen=True, slots=True)
class AgentParams:
    """Behaviour of the background population; rates are probabilities of acting in one step."""

    lot_shares: int = 100
    order_ttl_steps: int = 15  # resting noise/value orders are cancelled after this many steps
    noise_rate: float = 0.5
    noise_market_frac: float = 0.15
    noise_offset_bps: float = 15.0  # median distance of a noise limit order from the mid
    noise_offset_sigma: float = 1.2  # lognormal spread of that distance: a few orders sit deep
    noise_max_lots: int = 5
    value_rate: float = 0.5
    value_obs_noise: float = 0.005  # relative std of a value trader's view of the fundamental
    value_lots_per_pct: float = 5.0  # order size per 1% of perceived mispricing
    value_max_lots: int = 50
    value_aggress_bps: float = 30.0  # how far past the mid a value trader will pay
    momentum_rate: float = 0.5
    momentum_lookback_steps: int = 10
    momentum_threshold: float = 0.01  # |log return| over the lookback before momentum kicks in
    momentum_lots_per_pct: float = 4.0
    momentum_max_lots: int = 30
    maker_half_spread_bps: float = 5.0
    maker_vol_mult: float = 1.0  # half-spread widens by this many per-step standard deviations
    maker_levels: int = 10
    maker_level_step_bps: float = 8.0  # level k is k**2 steps beyond the inside quote
    maker_lots: int = 3  # level k quotes (k + 1) times this
    maker_max_inventory_lots: int = 100  # at this inventory the maker stops quoting the side that adds
    vol_halflife_steps: float = 20.0
    seed_levels: int = 10
    seed_step_bps: float = 10.0
    seed_lots: int = 10


class AgentPopulation:
    """Noise, value, momentum and market-maker agents trading one instrument's book.

    Args:
        tick_size_price: Price of one tick (e.g. 0.001), to read ``fundamental_price`` in ticks.
        rng: The only source of randomness; same seed and same calls give the same trades.
        n_noise: Number of noise traders.
        n_value: Number of value traders.
        n_momentum: Number of momentum traders.
        n_makers: Number of market makers.
        params: Behaviour parameters; defaults if None.
        next_id: Order-id source shared with the caller; a countdown from -1 if None.
    """

    def __init__(self, tick_size_price: float, rng: np.random.Generator, n_noise: int = 30,
                 n_value: int = 10, n_momentum: int = 5, n_makers: int = 2,
                 params: AgentParams | None = None, next_id: Callable[[], int] | None = None) -> None:
        if tick_size_price <= 0:
            raise ValueError(f"tick size must be positive, got {tick_size_price}")
        self.tick_size_price = tick_size_price
        self.rng = rng
        self.params = params or AgentParams()
        self._next_id = next_id or itertools.count(-1, -1).__next__
        owners = itertools.count(-1, -1)
        self.maker_owners = [next(owners) for _ in range(n_makers)]
        self.value_owners = [next(owners) for _ in range(n_value)]
        self.momentum_owners = [next(owners) for _ in range(n_momentum)]
        self.noise_owners = [next(owners) for _ in range(n_noise)]
        self._maker_index = {o: i for i, o in enumerate(self.maker_owners)}
        self.maker_inventory_shares = [0] * n_makers
        self._maker_quotes: list[list[int]] = [[] for _ in range(n_makers)]
        self._expiry: deque[tuple[int, int]] = deque()  # (expiry step, order id), in step order
        self._traded: deque[int] = deque(maxlen=self.params.momentum_lookback_steps + 1)  # momentum
        self._last_ref: float | None = None
        self._var_per_step = 0.0
        self._step = 0

    def owner_kind(self, owner: int) -> str | None:
        """The kind of agent behind ``owner`` ("maker", "value", "momentum", "noise"); None if no agent."""
        for kind, owners in (("maker", self.maker_owners), ("value", self.value_owners),
                             ("momentum", self.momentum_owners), ("noise", self.noise_owners)):
            if owner in owners:
                return kind
        return None

    @property
    def volatility_per_step(self) -> float:
        """EWMA standard deviation of the per-step log change of the mid (the makers' risk gauge)."""
        return math.sqrt(self._var_per_step)

    # ------------------------------------------------------------------ setup

    def seed_book(self, book: OrderBook, price: float) -> list[Trade]:
        """Lay a symmetric ladder of noise-trader limit orders around ``price`` (in price units).

        Args:
            book: The instrument's book.
            price: Centre of the ladder, e.g. the scenario's start price.

        Returns:
            Trades (only if the book already held crossing orders).
        """
        p = self.params
        center = price / self.tick_size_price
        step = max(1.0, center * p.seed_step_bps / 1e4)
        lo, hi = self._band(book, None)
        trades: list[Trade] = []
        owners = itertools.cycle(self.noise_owners or self.maker_owners or [-1])
        for k in range(1, p.seed_levels + 1):
            for side in (BUY, SELL):
                px = math.floor(center - k * step) if side == BUY else math.ceil(center + k * step)
                if lo <= px <= hi:
                    trades += self._limit(book, next(owners), side, px, p.seed_lots * p.lot_shares)
        self._observe(trades)
        logger.debug("seeded book around %.0f ticks, %d live orders", center, len(book))
        return trades

    # ------------------------------------------------------------------ one step

    def act(self, book: OrderBook, fundamental_price: float,
            band: tuple[int, int] | None = None) -> list[Trade]:
        """Let every agent react once: expire old orders, requote makers, then value, momentum, noise.

        Args:
            book: The instrument's book (learner orders may be resting in it too).
            fundamental_price: The scenario's fundamental value now, in price units.
            band: Inclusive (lo_ticks, hi_ticks) daily limits; the book's own band if None.

        Returns:
            All trades this step, in order. Some may have a learner (owner >= 0) as maker: the caller
            must settle those.
        """
        p = self.params
        self._step += 1
        while self._expiry and self._expiry[0][0] <= self._step:
            book.cancel(self._expiry.popleft()[1])
        lo, hi = self._band(book, band)
        fundamental = fundamental_price / self.tick_size_price
        ref = self._reference(book, fundamental)
        if self._last_ref is not None:
            r = math.log(ref / self._last_ref)
            a = 1.0 - 0.5 ** (1.0 / p.vol_halflife_steps)
            self._var_per_step += a * (r * r - self._var_per_step)
        self._last_ref = ref
        if book.last_price_ticks is not None:
            self._traded.append(book.last_price_ticks)
        trades: list[Trade] = []
        self._makers(book, ref, lo, hi, trades)
        self._value(book, ref, fundamental, lo, hi, trades)
        self._momentum(book, trades)
        self._noise(book, ref, lo, hi, trades)
        self._observe(trades)
        return trades

    def observe(self, trades: Iterable[Trade]) -> None:
        """Account for trades from orders the caller submitted (they may have hit maker quotes)."""
        self._observe(trades)

    # ------------------------------------------------------------------ agents

    def _makers(self, book: OrderBook, ref: float, lo: int, hi: int, trades: list[Trade]) -> None:
        """Replace every maker's ladder: centred on the mid, skewed against inventory, never crossing."""
        p = self.params
        if not self.maker_owners:
            return
        for quotes in self._maker_quotes:
            for oid in quotes:
                book.cancel(oid)
            quotes.clear()
        best_bid, best_ask = book.best_bid(), book.best_ask()
        half = max(1.0, ref * (p.maker_half_spread_bps / 1e4 + p.maker_vol_mult * self.volatility_per_step))
        step = max(1.0, ref * p.maker_level_step_bps / 1e4)
        max_inv = p.maker_max_inventory_lots * p.lot_shares
        for i, owner in enumerate(self.maker_owners):
            inv_frac = max(-1.0, min(1.0, self.maker_inventory_shares[i] / max_inv))
            own_half = half * (1.0 + 0.5 * i)  # makers differ, so the inside quote is not always maker 0
            center = ref - inv_frac * own_half
            for k in range(p.maker_levels):
                # Level k sits k**2 steps further out and is (k + 1) times larger: depth grows away
                # from the mid, so a big order moves the price a lot, but not without limit.
                dist = own_half + step * k * k
                qty = (k + 1) * p.maker_lots * p.lot_shares
                if inv_frac < 1.0:
                    px = min(math.floor(center - dist), hi)
                    if best_ask is not None:
                        px = min(px, best_ask - 1)
                    if px >= lo:
                        trades += self._limit(book, owner, BUY, px, qty, self._maker_quotes[i])
                if inv_frac > -1.0:
                    px = max(math.ceil(center + dist), lo)
                    if best_bid is not None:
                        px = max(px, best_bid + 1)
                    if px <= hi:
                        trades += self._limit(book, owner, SELL, px, qty, self._maker_quotes[i])

    def _value(self, book: OrderBook, ref: float, fundamental: float, lo: int, hi: int,
               trades: list[Trade]) -> None:
        """Buy below / sell above a noisy view of the fundamental, sized by the mispricing."""
        p = self.params
        n = len(self.value_owners)
        if not n:
            return
        acting = self.rng.random(n) < p.value_rate
        views = fundamental * np.exp(p.value_obs_noise * self.rng.standard_normal(n))
        reach = ref * p.value_aggress_bps / 1e4
        for owner, go, view in zip(self.value_owners, acting.tolist(), views.tolist(), strict=True):
            if not go:
                continue
            mispricing = view / ref - 1.0
            lots = min(p.value_max_lots, int(abs(mispricing) * 100 * p.value_lots_per_pct))
            if lots <= 0:
                continue
            if mispricing > 0:
                px = min(math.floor(min(view, ref + reach)), hi)
                side = BUY
            else:
                px = max(math.ceil(max(view, ref - reach)), lo)
                side = SELL
            if lo <= px <= hi:
                trades += self._limit(book, owner, side, px, lots * p.lot_shares)

    def _momentum(self, book: OrderBook, trades: list[Trade]) -> None:
        """Market orders in the direction of the traded price's return over the lookback."""
        p = self.params
        n = len(self.momentum_owners)
        if not n or len(self._traded) < self._traded.maxlen:
            return
        ret = math.log(self._traded[-1] / self._traded[0])  # return of the traded price
        acting = (self.rng.random(n) < p.momentum_rate).tolist()
        if abs(ret) < p.momentum_threshold:
            return
        side = BUY if ret > 0 else SELL
        lots = max(1, min(p.momentum_max_lots, int(abs(ret) * 100 * p.momentum_lots_per_pct)))
        for owner, go in zip(self.momentum_owners, acting, strict=True):
            if go:
                trades += book.add_market(self._next_id(), owner, side, lots * p.lot_shares)

    def _noise(self, book: OrderBook, ref: float, lo: int, hi: int, trades: list[Trade]) -> None:
        """Small random orders: mostly passive limits a lognormal distance from the mid."""
        p = self.params
        n = len(self.noise_owners)
        if not n:
            return
        rng = self.rng
        acting = (rng.random(n) < p.noise_rate).tolist()
        buys = (rng.random(n) < 0.5).tolist()
        markets = (rng.random(n) < p.noise_market_frac).tolist()
        median = ref * p.noise_offset_bps / 1e4
        offsets = (median * np.exp(p.noise_offset_sigma * rng.standard_normal(n))).tolist()
        lots = rng.integers(1, p.noise_max_lots + 1, n).tolist()
        rows = zip(self.noise_owners, acting, buys, markets, offsets, lots, strict=True)
        for owner, go, buy, market, offset, n_lots in rows:
            if not go:
                continue
            side = BUY if buy else SELL
            qty = n_lots * p.lot_shares
            if market:
                trades += book.add_market(self._next_id(), owner, side, qty)
                continue
            px = math.floor(ref - offset) if buy else math.ceil(ref + offset)
            if lo <= px <= hi:
                trades += self._limit(book, owner, side, px, qty)

    # ------------------------------------------------------------------ helpers

    def _limit(self, book: OrderBook, owner: int, side: int, price_ticks: int, qty: int,
               quotes: list[int] | None = None) -> list[Trade]:
        """Submit a limit order; remember it for expiry (or in ``quotes`` for a maker)."""
        oid = self._next_id()
        trades = book.add_limit(oid, owner, side, price_ticks, qty)
        if quotes is not None:
            quotes.append(oid)
        else:
            self._expiry.append((self._step + self.params.order_ttl_steps, oid))
        return trades

    def _observe(self, trades: Iterable[Trade]) -> None:
        """Update maker inventories: the buyer is the taker when ``taker_side`` is BUY."""
        index = self._maker_index
        inv = self.maker_inventory_shares
        for t in trades:
            i = index.get(t.maker_owner)
            if i is not None:
                inv[i] -= t.taker_side * t.qty
            i = index.get(t.taker_owner)
            if i is not None:
                inv[i] += t.taker_side * t.qty

    @staticmethod
    def _band(book: OrderBook, band: tuple[int, int] | None) -> tuple[int, int]:
        band = band if band is not None else book.band
        if band is None:
            return 1, _NO_LIMIT
        return max(1, band[0]), band[1]

    def _reference(self, book: OrderBook, fundamental: float) -> float:
        """The price agents anchor to: the mid, else the last trade, else the fundamental."""
        mid = book.mid()
        if mid is not None:
            return mid
        if book.last_price_ticks is not None:
            return float(book.last_price_ticks)
        return max(1.0, fundamental)
