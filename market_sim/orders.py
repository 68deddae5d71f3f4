"""Orders as data: what a learner asks for, why it can be refused, and the live state of an order.

Requests are frozen; the market owns the mutable ``Order`` records. A refusal is a ``Reject`` with a
stable ``code`` (for the server protocol and analytics) and parameters for the zh/en catalogue, so
the learner reads "可用资金不足：需要 …" rather than an exception name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from vbranch.scenes.catalogue import text

__all__ = [
    "Side",
    "OrderKind",
    "OrderStatus",
    "RejectCode",
    "OrderRequest",
    "Reject",
    "OrderRejected",
    "Order",
    "CONDITIONAL_KINDS",
]


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1


class OrderKind(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    TRAILING_STOP = "trailing_stop"


CONDITIONAL_KINDS = frozenset({OrderKind.STOP_LOSS, OrderKind.TAKE_PROFIT, OrderKind.TRAILING_STOP})


class OrderStatus(StrEnum):
    RESTING = "resting"  # a limit order waiting in the market
    ARMED = "armed"  # a conditional order waiting for its trigger
    TRIGGERED = "triggered"  # fired, waiting for a market that can fill it (halt, locked limit, T+1)
    PARTIAL = "partial"
    FILLED = "filled"
    CANCELLED = "cancelled"


class RejectCode(StrEnum):
    UNKNOWN_SYMBOL = "unknown_symbol"
    BAD_QUANTITY = "bad_quantity"
    BAD_LOT = "bad_lot"
    BAD_PRICE = "bad_price"
    BAD_ORDER = "bad_order"
    INSUFFICIENT_CASH = "insufficient_cash"
    INSUFFICIENT_POSITION = "insufficient_position"
    T_PLUS_ONE = "t_plus_one"
    HALTED = "halted"
    PRICE_OUTSIDE_LIMITS = "price_outside_limits"
    NO_LIQUIDITY = "no_liquidity"
    UNKNOWN_ORDER = "unknown_order"


@dataclass(frozen=True)
class OrderRequest:
    """What the learner asked for.

    ``limit_price`` for limit orders; ``trigger_price`` for stop-loss/take-profit; ``trail_pct`` for a
    trailing stop (percent below the highest price since it was placed). ``stop_loss_pct`` and
    ``take_profit_pct`` attach an OCO bracket to an entry: once it fills, a stop and a take-profit are
    placed that far (percent) from the fill price, and whichever fires first cancels the other.
    """

    symbol: str
    side: Side
    qty: int
    kind: OrderKind = OrderKind.MARKET
    limit_price: float | None = None
    trigger_price: float | None = None
    trail_pct: float | None = None
    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None
    client_order_id: str | None = None


@dataclass(frozen=True)
class Reject:
    """A refused order or cancel: a stable code plus the numbers the message needs."""

    code: RejectCode
    params: dict = field(default_factory=dict)
    client_order_id: str | None = None

    def message(self, lang: str = "en") -> str:
        """The learner's message; a ``reason`` that is a catalogue key (``halt.*``) is translated too."""
        params = dict(self.params)
        reason = params.get("reason")
        if isinstance(reason, str) and reason.startswith("halt."):
            params["reason"] = text(reason, lang, **params.pop("reason_params", {}))
        params.pop("reason_params", None)
        return text(f"reject.{self.code.value}", lang, **params)

    def to_dict(self, lang: str = "en") -> dict:
        return {"client_order_id": self.client_order_id, "code": self.code.value, "message": self.message(lang)}


class OrderRejected(Exception):
    """Raised by the market's order entry; carries the ``Reject``."""

    def __init__(self, reject: Reject) -> None:
        super().__init__(f"{reject.code.value}: {reject.message('en')}")
        self.reject = reject


@dataclass
class Order:
    """The market's live record of one order (mutable: fills and triggers update it)."""

    order_id: int
    account_id: str
    request: OrderRequest
    status: OrderStatus
    created_step: int
    filled_qty: int = 0
    avg_fill_price: float = 0.0
    trigger_price: float | None = None
    peak_price: float | None = None  # trailing stops: best price seen since placement
    oco_group: int | None = None

    @property
    def symbol(self) -> str:
        return self.request.symbol

    @property
    def side(self) -> Side:
        return self.request.side

    @property
    def kind(self) -> OrderKind:
        return self.request.kind

    @property
    def remaining_qty(self) -> int:
        return self.request.qty - self.filled_qty

    @property
    def is_live(self) -> bool:
        return self.status in (OrderStatus.RESTING, OrderStatus.ARMED, OrderStatus.TRIGGERED, OrderStatus.PARTIAL)

    def record_fill(self, qty: int, price: float) -> None:
        total = self.avg_fill_price * self.filled_qty + price * qty
        self.filled_qty += qty
        self.avg_fill_price = total / self.filled_qty
        self.status = OrderStatus.FILLED if self.remaining_qty == 0 else OrderStatus.PARTIAL
