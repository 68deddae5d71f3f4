"""The checks an order must pass before it reaches the market, as one pure function.

Each refusal carries a code and the numbers for the learner's message, in a fixed order that matches
how a broker's front end answers: first "what is this?", then "is it well formed?", then "is the
market open?", then "can you afford it?".
"""

from __future__ import annotations

import math
from collections.abc import Callable

from vbranch.market_sim.account import Account
from vbranch.market_sim.instruments import Universe
from vbranch.market_sim.orders import CONDITIONAL_KINDS, OrderKind, OrderRequest, Reject, RejectCode, Side
from vbranch.market_sim.rules import MarketRules, trading_fees

__all__ = ["validate_order", "lot_size_for", "shares_for_cash", "shares_of_holding"]


def lot_size_for(universe: Universe, rules: MarketRules, symbol: str) -> int:
    inst = universe.get(symbol)
    return inst.lot_size if inst.lot_size is not None else rules.lot_size


def _reject(req: OrderRequest, code: RejectCode, **params: object) -> Reject:
    return Reject(code, params, req.client_order_id)


def validate_order(
    req: OrderRequest,
    *,
    universe: Universe,
    rules: MarketRules,
    account: Account,
    market_price: float,
    band: tuple[float, float],
    halt_reason: str | None,
    est_fill_price: float | None,
    halt_params: dict | None = None,
) -> Reject | None:
    """None if ``req`` may be accepted now, else the first reason it may not.

    Args:
        market_price: the instrument's last traded price.
        band: today's (limit-down, limit-up) prices.
        halt_reason: catalogue key (``halt.*``) of why the instrument can't trade now, else None;
            ``halt_params`` fills its placeholders.
        est_fill_price: what a market buy would pay per share now (None when it can't fill).
    """
    if req.symbol not in universe:
        return _reject(req, RejectCode.UNKNOWN_SYMBOL, symbol=req.symbol)
    if not isinstance(req.qty, int) or isinstance(req.qty, bool) or req.qty <= 0:
        return _reject(req, RejectCode.BAD_QUANTITY, qty=req.qty)
    problem = _shape_problem(req, market_price)
    if problem:
        return _reject(req, RejectCode.BAD_ORDER, reason=problem)
    lot = lot_size_for(universe, rules, req.symbol)
    held = account.held(req.symbol)
    if req.side is Side.BUY and req.qty % lot:
        return _reject(req, RejectCode.BAD_LOT, lot=lot, qty=req.qty)
    if req.side is Side.SELL and req.qty % lot and req.qty != held:
        # Odd lots can only be sold all at once (A-share rule); any qty when lot is 1.
        return _reject(req, RejectCode.BAD_LOT, lot=lot, qty=req.qty)
    if req.kind is OrderKind.LIMIT:
        price = req.limit_price
        if not (band[0] - 1e-9 <= price <= band[1] + 1e-9):
            return _reject(req, RejectCode.PRICE_OUTSIDE_LIMITS, price=price, low=band[0], high=band[1])
    if halt_reason is not None and req.kind not in CONDITIONAL_KINDS:
        return _reject(req, RejectCode.HALTED, symbol=req.symbol, reason=halt_reason, reason_params=halt_params or {})
    if req.side is Side.BUY:
        unit = req.limit_price if req.kind is OrderKind.LIMIT else est_fill_price
        if unit is None:
            return _reject(req, RejectCode.NO_LIQUIDITY, symbol=req.symbol, reason=halt_reason or "halt.limit_locked",
                           reason_params=halt_params or {})
        needed = req.qty * unit + trading_fees("buy", req.qty * unit, rules)
        if needed > account.available_cash + 1e-9:
            return _reject(req, RejectCode.INSUFFICIENT_CASH, needed=needed, available=account.available_cash)
        return None
    if req.kind in CONDITIONAL_KINDS:
        if req.qty > held:
            return _reject(req, RejectCode.INSUFFICIENT_POSITION, qty=req.qty, available=held)
        return None
    sellable = account.sellable(req.symbol, rules.t_plus_one)
    if req.qty > sellable:
        pos = account.positions.get(req.symbol)
        locked_today = pos.bought_today if (pos and rules.t_plus_one) else 0
        if locked_today and req.qty <= sellable + locked_today:
            return _reject(req, RejectCode.T_PLUS_ONE, qty=locked_today)
        return _reject(req, RejectCode.INSUFFICIENT_POSITION, qty=req.qty, available=sellable)
    return None


def _positive(x: float | None) -> bool:
    return x is not None and math.isfinite(x) and x > 0


def _shape_problem(req: OrderRequest, market_price: float) -> str | None:
    """A reason the request's fields don't fit its kind (English; shown inside reject.bad_order)."""
    kind = req.kind
    if kind is OrderKind.LIMIT and not _positive(req.limit_price):
        return "a limit order needs a positive limit price"
    if kind is not OrderKind.LIMIT and req.limit_price is not None:
        return "only limit orders take a limit price"
    if kind in CONDITIONAL_KINDS and req.side is not Side.SELL:
        return "stop-loss, take-profit and trailing stops sell a holding"
    if kind in (OrderKind.STOP_LOSS, OrderKind.TAKE_PROFIT) and not _positive(req.trigger_price):
        return "a stop-loss or take-profit needs a positive trigger price"
    if kind is OrderKind.STOP_LOSS and req.trigger_price >= market_price:
        return "a stop-loss trigger must be below the current price"
    if kind is OrderKind.TAKE_PROFIT and req.trigger_price <= market_price:
        return "a take-profit trigger must be above the current price"
    if kind is OrderKind.TRAILING_STOP and not (_positive(req.trail_pct) and req.trail_pct < 100):
        return "a trailing stop needs a trail between 0 and 100 percent"
    if kind is not OrderKind.TRAILING_STOP and req.trail_pct is not None:
        return "only trailing stops take a trail percentage"
    has_bracket = req.stop_loss_pct is not None or req.take_profit_pct is not None
    if has_bracket and (req.side is not Side.BUY or kind not in (OrderKind.MARKET, OrderKind.LIMIT)):
        return "a stop-loss/take-profit bracket attaches to a market or limit buy"
    if req.stop_loss_pct is not None and not (_positive(req.stop_loss_pct) and req.stop_loss_pct < 100):
        return "stop_loss_pct must be between 0 and 100"
    if req.take_profit_pct is not None and not _positive(req.take_profit_pct):
        return "take_profit_pct must be positive"
    return None


def shares_for_cash(budget: float, price: float, lot: int, side: str = "buy",
                    fees: Callable[[str, float], float] | None = None) -> int:
    """Whole lots that ``budget`` (currency) buys at ``price``, rounded down: never more than asked.

    With ``fees(side, notional)`` a buy's shares plus fees stay within the budget. The order parser and
    the classroom server both size "5000 yuan of X" with this one rule.
    """
    if budget <= 0 or price <= 0:
        return 0
    qty = math.floor(budget / price / lot + 1e-9) * lot
    while fees is not None and side == "buy" and qty > 0 and qty * price + fees(side, qty * price) > budget + 1e-9:
        qty -= lot
    return qty


def shares_of_holding(held: int, pct: float, lot: int, side: str) -> int:
    """``pct`` percent of a holding in whole lots; selling all of it includes an odd lot (A-share rule)."""
    raw_qty = held * pct / 100.0
    if side == "sell" and raw_qty >= held:
        return held
    return math.floor(raw_qty / lot + 1e-9) * lot
