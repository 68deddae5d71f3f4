"""When a stop-loss, take-profit or trailing stop fires: pure rules over an order and a price.

A trigger only says "now"; the fill happens at whatever the market pays next, which after a gap or a
locked limit-down is below the trigger. Teaching that difference is the point of the crash lessons.
"""

from __future__ import annotations

from vbranch.market_sim.orders import Order, OrderKind

__all__ = ["update_trailing", "is_triggered", "bracket_prices"]


def update_trailing(order: Order, price: float) -> None:
    """Raise a trailing stop's peak and trigger as the price makes new highs (never lowers them)."""
    if order.kind is not OrderKind.TRAILING_STOP:
        return
    if order.peak_price is None or price > order.peak_price:
        order.peak_price = price
        order.trigger_price = price * (1 - order.request.trail_pct / 100)


def is_triggered(order: Order, price: float) -> bool:
    """Sell-side conditional orders: stops fire at or below the trigger, take-profits at or above."""
    if order.trigger_price is None:
        return False
    if order.kind is OrderKind.TAKE_PROFIT:
        return price >= order.trigger_price
    return price <= order.trigger_price


def bracket_prices(entry_price: float, stop_loss_pct: float | None, take_profit_pct: float | None) -> tuple:
    """(stop trigger, take-profit trigger) measured from the entry fill price; None where absent."""
    stop = entry_price * (1 - stop_loss_pct / 100) if stop_loss_pct is not None else None
    take = entry_price * (1 + take_profit_pct / 100) if take_profit_pct is not None else None
    return stop, take
