"""The simulated market a learner trades in: one object the client or server steps with its clock.

``Market.step(dt_s)`` turns wall seconds into simulation steps (the scenario says how many seconds a
trading day lasts), moves the fundamental prices, lets the venue turn them into traded prices, applies
the exchange's rules, fires stops and publishes events. Everything is seeded: same seed, same market.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, field

import numpy as np

from vbranch.market_sim.account import Account
from vbranch.market_sim.config import MarketConfig, build_process, build_venue
from vbranch.market_sim.events import BarClosed, EventBus, MarketEvent
from vbranch.market_sim.orders import Order, OrderRejected, OrderRequest, Reject, RejectCode
from vbranch.market_sim.session import TradingSession
from vbranch.market_sim.trading import TradingDesk

__all__ = ["Bar", "Market"]

log = logging.getLogger(__name__)


@dataclass
class Bar:
    """One daily candle in price units; volume in shares."""

    day: int
    open: float
    high: float
    low: float
    close: float
    volume: int = 0


@dataclass
class _Clock:
    steps_per_day: int
    seconds_per_day: float
    t_step: int = 0
    day: int = 0
    step_in_day: int = 0
    carry_s: float = 0.0
    speed: float = 1.0

    def due_steps(self, dt_s: float) -> int:
        """Whole steps owed for ``dt_s`` wall seconds at the current speed (the fraction carries over)."""
        if dt_s < 0:
            raise ValueError(f"dt_s must be >= 0, got {dt_s}")
        self.carry_s += dt_s * self.speed
        seconds_per_step = self.seconds_per_day / self.steps_per_day
        steps = int(self.carry_s / seconds_per_step + 1e-9)  # 0.2 + 0.3 s must make a 0.5 s step
        self.carry_s = max(0.0, self.carry_s - steps * seconds_per_step)
        return steps


@dataclass
class Market:
    """A running market built from a ``MarketConfig`` (see ``vbranch.market_sim.config``)."""

    config: MarketConfig
    seed: int = 0
    bus: EventBus = field(default_factory=EventBus)

    def __post_init__(self) -> None:
        cfg = self.config
        self.universe = cfg.universe
        self.rules = cfg.rules
        self.symbols = self.universe.symbols
        root = np.random.SeedSequence(self.seed)
        process_seed, venue_seed = root.spawn(2)
        self.process = build_process(cfg, process_seed)
        self.venue = build_venue(cfg, np.random.default_rng(venue_seed), self.process.prices)
        self.clock = _Clock(cfg.steps_per_day, cfg.seconds_per_day)
        self.session = TradingSession(self.universe, self.rules, cfg.steps_per_day)
        self.accounts: dict[str, Account] = {}
        self.desk = TradingDesk(self)
        self.history: dict[str, list[Bar]] = {s: [] for s in self.symbols}
        # Today's candles as arrays (symbol order): one vectorised update per step, not n Python calls,
        # and the world's market wall reads them without touching n objects.
        self.today_ohlc = np.zeros((len(self.symbols), 4))
        self.today_volume = np.zeros(len(self.symbols), np.int64)
        self.today_started = False
        self.events: list[MarketEvent] = []
        self._ids = itertools.count(1)
        self._closed = False
        self._open_day()

    # ----- time -----------------------------------------------------------------------------------
    @property
    def t_step(self) -> int:
        return self.clock.t_step

    @property
    def day(self) -> int:
        return self.clock.day

    @property
    def finished(self) -> bool:
        """A scenario with a fixed number of days (replays) has run out."""
        return self._closed

    def set_speed(self, speed: float) -> None:
        """Multiply the scenario's pace (2 = a trading day in half the seconds)."""
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.clock.speed = speed

    def inject_jump(self, size_pct: float, symbols: tuple[str, ...] | None = None) -> dict[str, float]:
        """Move fundamental prices by ``size_pct`` percent at the next step (a teacher's "crash now").

        Like a scenario's scheduled jump: with ``symbols`` None every instrument moves by
        ``size_pct * beta`` (bonds and gold barely feel an equity crash); named symbols move by
        ``size_pct`` exactly. No instrument falls more than 99%. Traded prices still obey the exchange's
        rules, so under A-share limits a -20% crash takes two limit-down days, as in the scripted one.

        Returns:
            The applied move in percent per symbol.
        """
        if not (isinstance(size_pct, int | float) and math.isfinite(size_pct) and size_pct > -100):
            raise ValueError(f"size_pct must be a finite number > -100, got {size_pct!r}")
        if symbols is None:
            betas = np.array([inst.beta for inst in self.universe], dtype=float)
            factor = 1.0 + size_pct / 100.0 * betas
        else:
            factor = np.ones(len(self.symbols))
            for sym in symbols:
                factor[self.universe.position(sym)] = 1.0 + size_pct / 100.0
        factor = np.maximum(factor, 0.01)
        kick = self.config.process.jump_vol_kick if self.config.process is not None else 0.0
        self.process.shift(np.log(factor), kick)
        log.info("injected a %.1f%% jump at step %d", size_pct, self.t_step)
        return {sym: round(100.0 * (f - 1.0), 4) for sym, f in zip(self.symbols, factor, strict=True)}

    def step(self, dt_s: float) -> list[MarketEvent]:
        """Advance by ``dt_s`` wall-clock seconds; returns the events that happened."""
        return self.advance(self.clock.due_steps(dt_s))

    def advance(self, n_steps: int = 1) -> list[MarketEvent]:
        """Advance exactly ``n_steps`` simulation steps; returns (and publishes) their events."""
        self.events = []
        for _ in range(n_steps):
            if self._closed:
                break
            self._advance_one()
        return self.events

    def run_days(self, n_days: int) -> list[MarketEvent]:
        out: list[MarketEvent] = []
        for _ in range(n_days):
            out += self.advance(self.clock.steps_per_day - self.clock.step_in_day)
        self.events = out
        return out

    def _emit(self, events: list[MarketEvent]) -> None:
        for event in events:
            self.events.append(event)
            self.bus.publish(event)

    def _open_day(self) -> None:
        bands = self.session.open_day(self.venue.prices.copy())
        self.venue.open_day(bands)
        for account in self.accounts.values():
            account.new_day()
        self.today_started = False

    def _advance_one(self) -> None:
        clock = self.clock
        fundamentals = self.process.step()
        halted = self.session.halted_mask(clock.t_step)
        fills = self.venue.update(fundamentals, halted)
        prices = self.venue.prices
        self._emit(self.session.observe(clock.t_step, clock.day, clock.step_in_day, prices))
        self._emit(self.desk.on_executions(fills))
        self._emit(self.desk.on_prices())
        volume = self.venue.step_volume
        ohlc = self.today_ohlc
        if not self.today_started:
            ohlc[:] = np.asarray(prices, float)[:, None]
            self.today_volume[:] = volume
            self.today_started = True
        else:
            np.maximum(ohlc[:, 1], prices, out=ohlc[:, 1])
            np.minimum(ohlc[:, 2], prices, out=ohlc[:, 2])
            ohlc[:, 3] = prices
            self.today_volume += np.asarray(volume, np.int64)
        clock.t_step += 1
        clock.step_in_day += 1
        if clock.step_in_day == clock.steps_per_day:
            self._close_day()

    def _close_day(self) -> None:
        clock = self.clock
        closes = []
        for sym in self.symbols:
            bar = self.today_bar(sym)
            self.history[sym].append(bar)
            closes.append(BarClosed(clock.t_step, clock.day, sym, bar.open, bar.high, bar.low, bar.close, bar.volume))
        self._emit(closes)
        self.desk.on_close()
        clock.day += 1
        clock.step_in_day = 0
        if self.config.days is not None and clock.day >= self.config.days:
            self._closed = True
            return
        self._open_day()

    # ----- accounts and orders --------------------------------------------------------------------
    def open_account(self, account_id: str, cash: float | None = None) -> Account:
        if account_id in self.accounts:
            raise ValueError(f"account {account_id!r} already exists")
        account = Account(account_id, float(self.config.starting_cash if cash is None else cash))
        self.accounts[account_id] = account
        return account

    def account(self, account_id: str) -> Account:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise KeyError(f"no account {account_id!r}") from None

    def next_order_id(self) -> int:
        return next(self._ids)

    def submit(self, account_id: str, request: OrderRequest) -> Order:
        """Accept an order (raises ``OrderRejected`` with a code and a message)."""
        if self._closed:
            raise OrderRejected(Reject(RejectCode.HALTED, {"symbol": request.symbol, "reason": "closed"},
                                       request.client_order_id))
        order, events = self.desk.submit(self.account(account_id), request)
        self._emit(events)
        return order

    def cancel(self, account_id: str, order_id: int) -> Order:
        return self.desk.cancel(self.account(account_id), order_id)

    # ----- read-only views ------------------------------------------------------------------------
    @property
    def prices(self) -> dict[str, float]:
        return dict(zip(self.symbols, map(float, self.venue.prices), strict=True))

    def price(self, symbol: str) -> float:
        return float(self.venue.prices[self.universe.position(symbol)])

    def today_bar(self, symbol: str) -> Bar | None:
        """Today's candle so far (None before the day's first step)."""
        if not self.today_started:
            return None
        i = self.universe.position(symbol)
        o, h, lo, c = map(float, self.today_ohlc[i])
        return Bar(self.clock.day, o, h, lo, c, int(self.today_volume[i]))

    @property
    def today(self) -> dict[str, Bar]:
        """Today's candles by symbol (built on demand; hot paths use ``today_ohlc``)."""
        if not self.today_started:
            return {}
        return {sym: self.today_bar(sym) for sym in self.symbols}  # type: ignore[misc]

    def bars(self, symbol: str, include_today: bool = True) -> list[Bar]:
        bars = list(self.history[symbol])
        today = self.today_bar(symbol) if include_today else None
        if today is not None:
            bars.append(today)
        return bars

    @property
    def data_labels(self) -> tuple[tuple[str, dict], ...]:
        """Catalogue keys that tell the learner where the prices come from (simulated, real, twin)."""
        return self.config.data_labels
