"""From a parsed ``OrderIntent`` to an ``OrderRequest`` the market would accept, or the question to ask.

The parser keeps amounts as the learner said them; only here, against a live market and account,
do "5000 yuan", "half my position" or "30% of my profit" become a number of shares. The conversion
rounds *down* to whole lots (a learner who said 5000 yuan must never spend more), and whether the
result is acceptable is decided by ``market_sim.order_entry.validate_order``, the same check every
order passes, so the advisor can't promise an order the market would refuse.

Which profit "profit_pct" means:
    * a **buy** ("用持仓盈利的30%买入…") spends a share of the *net unrealised* P&L over all holdings,
      at current prices. That is the "持仓盈亏" figure a broker app shows; realised P&L is already
      plain cash, and netting losers against winners stops a learner from "spending" profit that
      another holding's loss has already eaten.
    * a **sell** ("sell 30% of my profit in Moutai") takes that much value out of the named holding's
      own unrealised profit, i.e. it locks in part of that position's gain.
"""

from __future__ import annotations

import logging

from vbranch.avatars.order_numbers import format_number
from vbranch.avatars.order_parser import AmountKind, Clarify, OrderIntent, localized
from vbranch.market_sim.market import Market
from vbranch.market_sim.order_entry import lot_size_for, shares_for_cash, shares_of_holding
from vbranch.market_sim.orders import OrderKind, OrderRequest, Reject, Side
from vbranch.market_sim.rules import trading_fees

__all__ = ["intent_to_request"]

log = logging.getLogger(__name__)


def intent_to_request(
    intent: OrderIntent, market: Market, account_id: str, client_order_id: str | None = None
) -> OrderRequest | Clarify | Reject:
    """The order this intent means in ``market`` for ``account_id``, checked as the market would check it.

    Returns:
        an ``OrderRequest`` that ``validate_order`` accepts now; a ``Clarify`` when the amount can't
        become shares (no position, no profit, less than one lot); or the ``Reject`` that
        ``validate_order`` gives (its ``message(lang)`` explains it to the learner).
    """
    universe, rules = market.universe, market.rules
    symbol = intent.symbol
    if symbol not in universe:
        return Clarify("order_parse.unknown_symbol", {"symbol": symbol})
    account = market.account(account_id)
    inst = universe.get(symbol)
    name = localized(inst.name_zh, inst.name_en)
    lot = lot_size_for(universe, rules, symbol)
    market_price = market.price(symbol)
    price = intent.limit_price if intent.limit_price is not None else market_price
    fees = lambda side, notional: trading_fees(side, notional, rules)  # noqa: E731
    kind, value = intent.amount.kind, intent.amount.value

    if kind is AmountKind.SHARES:
        qty: float = int(value) if float(value).is_integer() else value  # a fraction is validate_order's to refuse
    elif kind is AmountKind.CASH:
        qty = shares_for_cash(value, price, lot, intent.side, fees)
        if qty == 0:
            return Clarify("order_parse.below_lot_cash", {
                "cash": f"{value:,.0f}", "currency": universe.currency, "lot": lot, "name": name,
                "price": f"{price:,.2f}"})
    elif kind is AmountKind.POSITION_PCT:
        held = account.held(symbol)
        if held == 0:
            return Clarify("order_parse.no_position", {"name": name})
        qty = shares_of_holding(held, value, lot, intent.side)
        if qty == 0:
            return Clarify("order_parse.below_lot_shares", {"shares": format_number(held * value / 100), "name": name,
                                                             "lot": lot})
    else:  # PROFIT_PCT
        if intent.side == "buy":
            profit = account.unrealised_pnl(market.prices)
        else:
            pos = account.positions.get(symbol)
            profit = pos.unrealised_pnl(market_price) if pos and pos.qty else 0.0
        if profit <= 0:
            return Clarify("order_parse.no_profit", {"pnl": f"{profit:,.2f}", "currency": universe.currency})
        budget = profit * value / 100
        qty = shares_for_cash(budget, price, lot, intent.side, fees)
        if qty == 0:
            return Clarify("order_parse.below_lot_cash", {
                "cash": f"{budget:,.2f}", "currency": universe.currency, "lot": lot, "name": name,
                "price": f"{price:,.2f}"})

    request = OrderRequest(
        symbol=symbol,
        side=Side(intent.side),
        qty=qty,  # type: ignore[arg-type]
        kind=OrderKind.LIMIT if intent.order_type == "limit" else OrderKind.MARKET,
        limit_price=intent.limit_price,
        stop_loss_pct=intent.stop_loss_pct,
        take_profit_pct=intent.take_profit_pct,
        client_order_id=client_order_id,
    )
    reject = market.desk.check(market.account(account_id), request)  # the desk's own pre-trade check
    if reject is not None:
        log.info("intent %s rejected: %s", intent, reject.code)
        return reject
    return request
