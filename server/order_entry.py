"""From a wire ``order`` to the market's ``OrderRequest``: sizing by shares, cash or percent.

Why a separate pure function: "buy 5,000 yuan of gold" and "sell half my bank shares" are how children
think, but the market trades whole lots. Sizing rounds *down* to the lot (never spends more than
asked); selling 100% sells the whole holding even when it is an odd lot. The room calls this, then the
contest policy, then the market's own checks.
"""

from __future__ import annotations

from vbranch.market_sim.market import Market
from vbranch.market_sim.order_entry import lot_size_for, shares_for_cash, shares_of_holding
from vbranch.market_sim.orders import OrderKind, OrderRequest, Reject, RejectCode, Side
from vbranch.server.messages import Order, QtyMode

__all__ = ["order_quantity", "to_request"]


def order_quantity(msg: Order, *, price: float, lot: int, equity: float, held: int) -> int:
    """Shares for ``msg`` at ``price``: whole lots, rounded down (100% of a holding sells all of it)."""
    if msg.mode is QtyMode.QTY:
        return int(msg.amount)
    if msg.mode is QtyMode.PCT and msg.side == "sell":
        return shares_of_holding(held, msg.amount, lot, "sell")
    cash = msg.amount if msg.mode is QtyMode.CASH else equity * msg.amount / 100.0
    return shares_for_cash(cash, price, lot)


def to_request(msg: Order, market: Market, account_id: str) -> OrderRequest | Reject:
    """The market request for ``msg`` from this account, or a ``Reject`` (unknown symbol, zero size)."""
    if msg.symbol not in market.universe:
        return Reject(RejectCode.UNKNOWN_SYMBOL, {"symbol": msg.symbol}, msg.client_order_id)
    account = market.account(account_id)
    price = msg.limit if (msg.kind == "limit" and msg.limit) else market.price(msg.symbol)
    qty = order_quantity(msg, price=price, lot=lot_size_for(market.universe, market.rules, msg.symbol),
                         equity=account.equity(market.prices), held=account.held(msg.symbol))
    if qty <= 0:
        return Reject(RejectCode.BAD_QUANTITY, {"qty": qty}, msg.client_order_id)
    kind = OrderKind(msg.kind)
    trigger = msg.stop if kind is OrderKind.STOP_LOSS else msg.take_profit if kind is OrderKind.TAKE_PROFIT else None
    return OrderRequest(symbol=msg.symbol, side=Side(msg.side), qty=qty, kind=kind, limit_price=msg.limit,
                        trigger_price=trigger, trail_pct=msg.trail_pct, stop_loss_pct=msg.stop_pct,
                        take_profit_pct=msg.take_profit_pct, client_order_id=msg.client_order_id)
