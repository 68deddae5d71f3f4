"""What happened in the market, as plain data that the advisor, the emotion engine and the UI subscribe to.

The market never calls the advisor or the renderer: it publishes small frozen events and anyone
interested subscribes. That keeps the core testable and lets the server relay the same events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

__all__ = [
    "MarketEvent",
    "BarClosed",
    "CrashStarted",
    "LimitHit",
    "Halted",
    "Resumed",
    "StopTriggered",
    "Filled",
    "DrawdownCrossed",
    "EventBus",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarketEvent:
    """Base of all events; ``t_step`` is the market's global step counter when it happened."""

    t_step: int
    day: int

    @property
    def kind(self) -> str:
        return _KINDS[type(self)]

    def to_dict(self) -> dict:
        return {"type": self.kind, **asdict(self)}


@dataclass(frozen=True)
class BarClosed(MarketEvent):
    """A daily bar finished (OHLC in price units, volume in shares)."""

    symbol: str
    open: float
    high: float
    low: float
    close: float
    volume: int


@dataclass(frozen=True)
class CrashStarted(MarketEvent):
    """The index fell past the scenario's crash threshold from the previous close, first time today."""

    symbol: str
    drop_pct: float


@dataclass(frozen=True)
class LimitHit(MarketEvent):
    """An instrument reached its daily price limit; ``direction`` is "down" or "up"."""

    symbol: str
    direction: str
    price: float


@dataclass(frozen=True)
class Halted(MarketEvent):
    """Trading stopped. ``symbol`` None means market-wide; ``until_step`` None means for the rest of the day."""

    symbol: str | None
    reason: str
    until_step: int | None
    drop_pct: float | None = None


@dataclass(frozen=True)
class Resumed(MarketEvent):
    symbol: str | None


@dataclass(frozen=True)
class StopTriggered(MarketEvent):
    """A conditional order fired; ``order_kind`` is stop_loss, take_profit or trailing_stop."""

    account_id: str
    order_id: int
    symbol: str
    order_kind: str
    trigger_price: float
    market_price: float


@dataclass(frozen=True)
class Filled(MarketEvent):
    """One execution for a learner's account. ``price`` is per share; ``fees`` in currency."""

    account_id: str
    order_id: int
    symbol: str
    side: str
    qty: int
    price: float
    fees: float
    reason: str = "order"


@dataclass(frozen=True)
class DrawdownCrossed(MarketEvent):
    """An account's drawdown from its equity peak passed a threshold (first time per threshold)."""

    account_id: str
    threshold_pct: float
    drawdown_pct: float


_KINDS: dict[type, str] = {
    BarClosed: "bar_closed",
    CrashStarted: "crash_started",
    LimitHit: "limit_hit",
    Halted: "halt",
    Resumed: "resumed",
    StopTriggered: "stop_triggered",
    Filled: "fill",
    DrawdownCrossed: "drawdown_crossed",
}

Handler = Callable[[MarketEvent], None]


@dataclass
class EventBus:
    """Synchronous publish/subscribe. A failing subscriber is logged and never stops the market."""

    _subscribers: list[tuple[tuple[type, ...] | None, Handler]] = field(default_factory=list)

    def subscribe(self, handler: Handler, *kinds: type[MarketEvent]) -> Callable[[], None]:
        """Call ``handler`` for events of ``kinds`` (all events if none). Returns an unsubscribe function."""
        entry = (kinds or None, handler)
        self._subscribers.append(entry)
        return lambda: self._subscribers.remove(entry)

    def publish(self, event: MarketEvent) -> None:
        for kinds, handler in list(self._subscribers):
            if kinds is None or isinstance(event, kinds):
                try:
                    handler(event)
                except Exception:
                    log.exception("event subscriber %r failed on %s", handler, event.kind)
