"""The order panel's state and keyboard navigation, with no engine in it.

Every control on the panel is reachable from the keyboard (Tab / Shift-Tab to move, ←/→ or −/+ to
change, Enter to press) — for learners who can't use a mouse, and because a VR controller's
thumbstick drives the same ``press`` calls. The form only *builds* an ``OrderRequest``; the market's
order entry decides whether it is acceptable, so no trading rule lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from vbranch.market_sim.orders import OrderKind, OrderRequest, Side

__all__ = ["Control", "Key", "OrderForm", "STOP_STEPS_PCT", "TAKE_STEPS_PCT", "Action"]

STOP_STEPS_PCT: tuple[float | None, ...] = (None, 3.0, 5.0, 8.0, 10.0, 15.0, 20.0)
TAKE_STEPS_PCT: tuple[float | None, ...] = (None, 5.0, 10.0, 15.0, 20.0, 30.0, 50.0)
MAX_LOTS = 1000


class Control(StrEnum):
    INSTRUMENT = "instrument"
    SIDE = "side"
    QUANTITY = "quantity"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    SUBMIT = "submit"


CONTROLS = tuple(Control)


class Key(StrEnum):
    NEXT = "next"          # Tab, thumbstick down
    PREV = "prev"          # Shift-Tab, thumbstick up
    INCREASE = "increase"  # →, +, thumbstick right
    DECREASE = "decrease"  # ←, −, thumbstick left
    ACTIVATE = "activate"  # Enter, Space, trigger


class Action(StrEnum):
    NONE = "none"
    SUBMIT = "submit"


@dataclass(frozen=True)
class OrderForm:
    """Immutable form state: each key press returns a new form (and maybe an action)."""

    symbols: tuple[str, ...]
    lot_size: int = 100
    instrument: int = 0
    side: Side = Side.BUY
    lots: int = 1
    stop: int = 2  # index into STOP_STEPS_PCT: 5% by default, because a stop-loss is the habit we teach
    take: int = 0
    focus: int = 0

    def __post_init__(self) -> None:
        if not self.symbols:
            raise ValueError("an order form needs at least one instrument")
        if self.lot_size < 1:
            raise ValueError(f"lot_size must be >= 1, got {self.lot_size}")

    @property
    def focused(self) -> Control:
        return CONTROLS[self.focus]

    @property
    def symbol(self) -> str:
        return self.symbols[self.instrument]

    @property
    def qty(self) -> int:
        return self.lots * self.lot_size

    @property
    def stop_loss_pct(self) -> float | None:
        return STOP_STEPS_PCT[self.stop]

    @property
    def take_profit_pct(self) -> float | None:
        return TAKE_STEPS_PCT[self.take]

    def focus_on(self, control: Control) -> OrderForm:
        return replace(self, focus=CONTROLS.index(control))

    def press(self, key: Key) -> tuple[OrderForm, Action]:
        if key is Key.NEXT:
            return replace(self, focus=(self.focus + 1) % len(CONTROLS)), Action.NONE
        if key is Key.PREV:
            return replace(self, focus=(self.focus - 1) % len(CONTROLS)), Action.NONE
        if key is Key.ACTIVATE:
            if self.focused is Control.SUBMIT:
                return self, Action.SUBMIT
            return self.press(Key.INCREASE)[0], Action.NONE
        step = 1 if key is Key.INCREASE else -1
        return self._change(self.focused, step), Action.NONE

    def _change(self, control: Control, step: int) -> OrderForm:
        if control is Control.INSTRUMENT:
            return replace(self, instrument=(self.instrument + step) % len(self.symbols))
        if control is Control.SIDE:
            return replace(self, side=Side.SELL if self.side is Side.BUY else Side.BUY)
        if control is Control.QUANTITY:
            # bigger steps once the order is large, so 100 lots is not 100 presses
            edge = self.lots if step > 0 else self.lots - 1
            unit = 1 if edge < 10 else 5 if edge < 50 else 10
            return replace(self, lots=min(MAX_LOTS, max(1, self.lots + step * unit)))
        if control is Control.STOP_LOSS:
            return replace(self, stop=min(len(STOP_STEPS_PCT) - 1, max(0, self.stop + step)))
        if control is Control.TAKE_PROFIT:
            return replace(self, take=min(len(TAKE_STEPS_PCT) - 1, max(0, self.take + step)))
        return self

    def request(self, client_order_id: str | None = None) -> OrderRequest:
        """The market order this form describes; a buy carries its stop-loss / take-profit bracket."""
        bracket = self.side is Side.BUY
        return OrderRequest(
            symbol=self.symbol,
            side=self.side,
            qty=self.qty,
            kind=OrderKind.MARKET,
            stop_loss_pct=self.stop_loss_pct if bracket else None,
            take_profit_pct=self.take_profit_pct if bracket else None,
            client_order_id=client_order_id,
        )
