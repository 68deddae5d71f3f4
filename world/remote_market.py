"""The classroom's market as the branch's widgets read it: a read-only ``Market`` look-alike fed by the server.

Why an adapter and not a second code path in every widget: the market wall, the hologram, the order
panel, the cooling-off desk and the advisor all read a ``market_sim.Market`` (``symbols``, ``venue.prices``,
``today_ohlc``, ``history``, ``events``, ``account(id)``, ``bus``). In a classroom the server owns the
market; this class rebuilds the same surface from ``welcome`` + ``delta``/``fill``/``notice`` frames, so
the widgets stay unchanged and single player stays the reference.

``step(dt_s)`` drains the frames the network thread queued since the last frame (the wall-clock
``dt_s`` is ignored: the server's tick is the clock) and returns the market events they carried,
translated into ``market_sim.events`` dataclasses so the wall banner, the advisor and the cooling-off
radar react as in single player. Reads are cheap: ``today_ohlc`` is one numpy array updated in place
from the moved symbols only. Non-market frames of the step (poses, leaderboard, rejects, link state)
are kept in ``received`` for the classroom shell.

``t_step`` here counts market-moving deltas, not the server's steps (which are not on the wire): the
widgets only use it to notice a change and to space samples, and at 20 Hz a delta is about a step.
No Panda3D here: this is tested as plain Python.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
from types import SimpleNamespace
from typing import Any

import numpy as np

from vbranch.market_sim.account import Account, TradeRecord
from vbranch.market_sim.events import (
    BarClosed,
    CrashStarted,
    DrawdownCrossed,
    EventBus,
    Filled,
    Halted,
    LimitHit,
    MarketEvent,
    Resumed,
    StopTriggered,
)
from vbranch.market_sim.market import Bar
from vbranch.scenes.scenario import load_scenario
from vbranch.server.mirror import Mirror

__all__ = ["RemoteMarket", "event_from_wire", "MARKET_TYPES"]

log = logging.getLogger(__name__)

_EVENT_TYPES: dict[str, type[MarketEvent]] = {
    "crash_started": CrashStarted, "limit_hit": LimitHit, "halt": Halted, "resumed": Resumed,
    "stop_triggered": StopTriggered, "drawdown_crossed": DrawdownCrossed,
}
MARKET_TYPES = frozenset({"welcome", "delta", "fill", "notice"})  # the rest go to ``received``


def event_from_wire(payload: dict, t_step: int, day: int, account_id: str | None = None) -> MarketEvent | None:
    """A wire event (``delta.ev`` entry or ``notice.event``) as its dataclass; None if unknown or malformed.

    The server drops ``t_step`` from public events and ``account_id`` from private ones: they are
    filled in from the local step counter and the learner's own account.
    """
    cls = _EVENT_TYPES.get(str(payload.get("type")))
    if cls is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in payload.items() if k in names}
    kwargs.setdefault("t_step", t_step)
    kwargs.setdefault("day", day)
    if "account_id" in names:
        kwargs["account_id"] = account_id
    try:
        return cls(**kwargs)
    except TypeError:
        log.debug("malformed %s event: %s", payload.get("type"), payload)
        return None


class RemoteMarket:
    """The room's market, read-only. ``step(dt_s)`` applies what arrived; orders go to the server, not here.

    Args:
        welcome: the server's ``welcome`` (its contest settings name the scenario, hence the instruments
            and rules, which are data shared by client and server).
        inbox: the network thread's queue (``NetClient.inbox``); None to feed ``apply`` by hand.
        account_id: the id private events are tagged with (the branch's learner account).
    """

    def __init__(self, welcome: dict, inbox: queue.SimpleQueue | None = None, account_id: str = "learner") -> None:
        snap = welcome.get("snapshot") or {}
        settings = (snap.get("contest") or {}).get("settings")
        if not settings:
            raise ValueError("the room has no contest yet")
        self.scenario_id = settings.get("scenario", "crash")
        self.config = load_scenario(self.scenario_id).market_config(prefer_twin=True)
        self.universe, self.rules = self.config.universe, self.config.rules
        self.symbols = self.universe.symbols
        self._index = {sym: i for i, sym in enumerate(self.symbols)}
        wire = [i.get("symbol") for i in snap.get("instruments") or []]
        if wire and tuple(wire) != self.symbols:
            log.warning("server instruments %s differ from scenario %s; showing the scenario's", wire, self.scenario_id)
        self.inbox, self.account_id = inbox, account_id
        self.starting_cash = float(settings.get("starting_cash", self.config.starting_cash))
        n = len(self.symbols)
        self.venue = SimpleNamespace(prices=np.zeros(n))
        self.clock = SimpleNamespace(speed=1.0)
        self.today_ohlc = np.zeros((n, 4))
        self.history: dict[str, list[Bar]] = {s: [] for s in self.symbols}
        self.bus = EventBus()
        self.mirror = Mirror()
        self._account = Account(account_id, self.starting_cash)
        self.today_started = False
        self.finished = False  # a classroom market never runs out; the contest's end is ``state``
        self.t_step = 0
        self._day = 0
        self.events: list[MarketEvent] = []
        self.received: list[dict] = []
        self._reset(welcome)

    # ----- the Market surface the widgets read -----------------------------------------------------
    @property
    def day(self) -> int:
        return self._day

    @property
    def prices(self) -> dict[str, float]:
        return dict(zip(self.symbols, self.venue.prices.tolist(), strict=True))

    @property
    def state(self) -> str:
        """The contest: ``created``, ``running``, ``paused`` or ``ended``."""
        return str(self.mirror.market.get("state") or self.mirror.contest.get("state") or "created")

    @property
    def halted(self) -> bool:
        return bool(self.mirror.market.get("halt"))

    def set_speed(self, speed: float) -> None:
        """The teacher sets the pace in a classroom; a local ``--speed`` is ignored."""
        log.debug("speed %s ignored: the server's clock runs the room", speed)

    def open_account(self, account_id: str, cash: float | None = None) -> Account:
        return self.account(account_id)

    def account(self, account_id: str) -> Account:
        """The learner's own account as the server last described it (other seats are private)."""
        if account_id != self.account_id:
            raise KeyError(f"no account {account_id!r}")
        return self._account

    # ----- applying frames ------------------------------------------------------------------------
    def step(self, dt_s: float = 0.0) -> list[MarketEvent]:
        """Apply every frame queued since the last call; returns (and keeps in ``events``) their events."""
        self.events, self.received = [], []
        if self.inbox is not None:
            while True:
                try:
                    msg = self.inbox.get_nowait()
                except queue.Empty:
                    break
                self.apply(msg)
        return self.events

    def apply(self, msg: dict[str, Any]) -> None:
        """Fold one server frame in; market events go to ``events`` and the bus, the rest to ``received``."""
        kind = msg.get("type")
        try:
            self.mirror.apply(msg)
            if kind == "welcome":
                self._reset(msg)
            elif kind == "delta":
                self._delta(msg)
            elif kind == "fill":
                self._fill(msg)
            elif kind == "notice":
                self._emit(event_from_wire(msg.get("event") or {}, self.t_step, self._day, self.account_id))
            else:
                self.received.append(msg)
        except (KeyError, TypeError, ValueError, IndexError):
            log.warning("ignored a malformed %s frame", kind, exc_info=log.isEnabledFor(logging.DEBUG))

    def _emit(self, event: MarketEvent | None) -> None:
        if event is not None:
            self.events.append(event)
            self.bus.publish(event)

    def _reset(self, welcome: dict) -> None:
        """Everything from a (re)join's snapshot: prices, closed bars, the day, the seat's account."""
        snap = welcome.get("snapshot") or {}
        market = snap.get("market") or {}
        self._day = int(market.get("day", 0))
        self.clock.speed = float(market.get("speed", 1.0))
        self._set_prices(market.get("p") or {})
        for sym in self.symbols:
            rows = (snap.get("bars") or {}).get(sym, [])
            first_day = self._day - len(rows)
            self.history[sym] = [Bar(first_day + i, *map(float, row[:4])) for i, row in enumerate(rows)]
        self.today_ohlc[:] = self.venue.prices[:, None]
        state = market.get("state") or (snap.get("contest") or {}).get("state")
        self.today_started = state in ("running", "paused", "ended") and bool(market.get("p"))
        me = snap.get("me")
        if me:  # in place: the app and the cooling-off desk hold this object
            account = self._account
            account.cash, account.deposits = float(me["cash"]), self.starting_cash
            account.positions.clear()
            for sym, pos in me.get("positions", {}).items():
                held = account.position(sym)
                held.qty, held.avg_cost = int(pos["qty"]), float(pos.get("avg_cost", 0.0))
        self.t_step += 1

    def _set_prices(self, prices: dict[str, float]) -> np.ndarray:
        """Write moved prices into ``venue.prices``; returns the rows that moved."""
        rows = [self._index[s] for s in prices if s in self._index]
        if rows:
            self.venue.prices[rows] = [float(prices[self.symbols[r]]) for r in rows]
        return np.asarray(rows, dtype=np.intp)

    def _delta(self, m: dict) -> None:
        moved = "p" in m or "bars" in m or "day" in m or "ev" in m
        if "speed" in m:
            self.clock.speed = float(m["speed"])
        if "bars" in m:
            closed_day = self._day
            for sym, row in m["bars"].items():
                if sym in self._index:
                    bar = Bar(closed_day, *map(float, row[:4]))
                    self.history[sym].append(bar)
                    self._emit(BarClosed(self.t_step, closed_day, sym, bar.open, bar.high, bar.low, bar.close, 0))
        rows = self._set_prices(m["p"]) if "p" in m else np.empty(0, np.intp)
        if "bars" in m or ("day" in m and int(m["day"]) != self._day):
            # the closing delta's prices are the old day's closes: the new day's candle starts with the next
            self.today_started = False
            self._account.new_day()
        elif len(rows) or m.get("full"):
            self._extend_today(rows if not m.get("full") else np.arange(len(self.symbols)))
        if "day" in m:
            self._day = int(m["day"])
        for payload in m.get("ev", ()):
            self._emit(event_from_wire(payload, self.t_step, self._day))
        if moved:
            self.t_step += 1

    def _extend_today(self, rows: np.ndarray) -> None:
        ohlc, prices = self.today_ohlc, self.venue.prices
        if not self.today_started:
            ohlc[:] = prices[:, None]
            self.today_started = True
            return
        p = prices[rows]
        ohlc[rows, 1] = np.maximum(ohlc[rows, 1], p)
        ohlc[rows, 2] = np.minimum(ohlc[rows, 2], p)
        ohlc[rows, 3] = p

    def _fill(self, m: dict) -> None:
        """Book the server's fill on the local view (its cash and position are authoritative)."""
        account, sym = self._account, m["symbol"]
        pos = account.position(sym)
        qty, price, fees = int(m["qty"]), float(m["price"]), float(m.get("fees", 0.0))
        if m["side"] == "buy" and qty:
            pos.avg_cost = (pos.avg_cost * pos.qty + qty * price + fees) / (pos.qty + qty)
        pos.qty = int(m["position_qty"])
        if pos.qty == 0:
            pos.avg_cost = 0.0
        account.cash = float(m["cash"])
        account.fees_paid += fees
        reason = m.get("reason", "order")
        account.trades.append(TradeRecord(self.t_step, self._day, sym, m["side"], qty, price, fees, reason,
                                          protected=False))
        self._emit(Filled(self.t_step, self._day, self.account_id, int(m.get("order_id", 0)), sym, m["side"], qty,
                          price, fees, reason))
