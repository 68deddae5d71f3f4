"""The trading desk: takes learners' orders, books fills, and watches stops, brackets and drawdowns.

It sits between accounts and the venue, so that every path to a fill (a market order, a resting
limit that the market reached, a stop that fired after a gap) goes through one place that charges
fees, reserves and releases cash, links OCO legs and publishes the events.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from vbranch.market_sim.account import Account, TradeRecord
from vbranch.market_sim.conditional import bracket_prices, is_triggered, update_trailing
from vbranch.market_sim.events import DrawdownCrossed, Filled, MarketEvent, StopTriggered
from vbranch.market_sim.metrics import is_panic_sell
from vbranch.market_sim.order_entry import validate_order
from vbranch.market_sim.orders import (
    CONDITIONAL_KINDS,
    Order,
    OrderKind,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    Reject,
    RejectCode,
    Side,
)
from vbranch.market_sim.rules import trading_fees
from vbranch.market_sim.venue import Execution, NoLiquidity

if TYPE_CHECKING:
    from vbranch.market_sim.market import Market

__all__ = ["TradingDesk"]


class TradingDesk:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.orders: dict[int, Order] = {}
        self._owner: dict[str, int] = {}
        self._oco: dict[int, list[int]] = {}
        self._armed: dict[int, Order] = {}  # live conditional orders, so each step scans only these
        self._brackets: dict[int, tuple[int | None, int | None]] = {}  # entry id -> (stop id, take id)
        self._peak_equity: dict[str, float] = {}
        self._drawdowns_seen: dict[str, set[float]] = {}

    # ----- helpers --------------------------------------------------------------------------------
    def _idx(self, symbol: str) -> int:
        return self.market.universe.position(symbol)

    def _owner_of(self, account: Account) -> int:
        return self._owner.setdefault(account.account_id, len(self._owner))

    def _halt_reason(self) -> str | None:
        """The catalogue key of why the market is halted now, else None."""
        session = self.market.session
        if session.market_halted(self.market.t_step):
            return session.halt_reason.get("key", "halt.market_closed")
        return None

    def live_orders(self, account_id: str) -> list[Order]:
        return [o for o in self.orders.values() if o.account_id == account_id and o.is_live]

    # ----- order entry ----------------------------------------------------------------------------
    def check(self, account: Account, req: OrderRequest) -> Reject | None:
        """``validate_order`` with the market's live inputs (band, halt, estimated fill): what ``submit``
        would refuse, without submitting — the order parser asks this before proposing an order."""
        market = self.market
        idx = self._idx(req.symbol) if req.symbol in market.universe else -1
        est = None
        is_market_buy = req.side is Side.BUY and req.kind is OrderKind.MARKET
        if idx >= 0 and is_market_buy and isinstance(req.qty, int) and req.qty > 0:
            try:
                est = market.venue.quote(idx, 1, req.qty)
            except NoLiquidity:
                est = None
        return validate_order(
            req,
            universe=market.universe,
            rules=market.rules,
            account=account,
            market_price=float(market.venue.prices[idx]) if idx >= 0 else math.nan,
            band=tuple(market.session.bands[idx]) if idx >= 0 else (0.0, math.inf),
            halt_reason=self._halt_reason() if idx >= 0 else None,
            halt_params={k: v for k, v in market.session.halt_reason.items() if k != "key"},
            est_fill_price=est,
        )

    def submit(self, account: Account, req: OrderRequest) -> tuple[Order, list[MarketEvent]]:
        market = self.market
        reject = self.check(account, req)
        if reject is not None:
            raise OrderRejected(reject)
        idx = self._idx(req.symbol)  # known: check() refuses unknown symbols
        order = Order(market.next_order_id(), account.account_id, req, OrderStatus.RESTING, market.t_step)
        self.orders[order.order_id] = order
        if req.kind in CONDITIONAL_KINDS:
            order.status = OrderStatus.ARMED
            self._armed[order.order_id] = order
            order.trigger_price = req.trigger_price
            update_trailing(order, float(market.venue.prices[idx]))
            return order, []
        owner = self._owner_of(account)
        if req.kind is OrderKind.MARKET:
            try:
                execs = market.venue.execute_market(order.order_id, owner, idx, req.side.sign, req.qty)
            except NoLiquidity as exc:
                del self.orders[order.order_id]
                raise OrderRejected(Reject(RejectCode.NO_LIQUIDITY, {
                    "symbol": req.symbol, "reason": exc.reason_key}, req.client_order_id)) from None
            events = self.on_executions(execs)
            if order.is_live:  # immediate-or-cancel: the unfilled remainder is cancelled, filled_qty stays
                order.status = OrderStatus.CANCELLED
            return order, events
        self._reserve(account, order, +1)
        execs = market.venue.place_limit(order.order_id, owner, idx, req.side.sign, req.qty, req.limit_price)
        return order, self.on_executions(execs)

    def _reserve(self, account: Account, order: Order, sign: int, qty: int | None = None) -> None:
        """Hold (sign +1) or release (−1) cash or shares for a resting limit order."""
        qty = order.remaining_qty if qty is None else qty
        if order.side is Side.BUY:
            notional = qty * order.request.limit_price
            account.reserved_cash += sign * (notional + trading_fees("buy", notional, self.market.rules))
            account.reserved_cash = max(0.0, account.reserved_cash)
        else:
            account.position(order.symbol).reserved_qty += sign * qty

    def cancel(self, account: Account, order_id: int) -> Order:
        order = self.orders.get(order_id)
        if order is None or order.account_id != account.account_id or not order.is_live:
            raise OrderRejected(Reject(RejectCode.UNKNOWN_ORDER, {"order_id": order_id}))
        if order.kind is OrderKind.LIMIT:
            self.market.venue.cancel(order_id)
            self._reserve(account, order, -1)
        order.status = OrderStatus.CANCELLED
        return order

    # ----- fills ----------------------------------------------------------------------------------
    def on_executions(self, execs: list[Execution]) -> list[MarketEvent]:
        """Book executions, one fill per order per step at its average price (commission is per order)."""
        merged: dict[int, list[float]] = {}
        for ex in execs:
            qty_value = merged.setdefault(ex.order_id, [0, 0.0])
            qty_value[0] += ex.qty
            qty_value[1] += ex.qty * ex.price
        events: list[MarketEvent] = []
        for order_id, (qty, value) in merged.items():
            order = self.orders[order_id]
            account = self.market.accounts[order.account_id]
            if order.kind is OrderKind.LIMIT:
                self._reserve(account, order, -1, qty)
            events.append(self._book_fill(account, order, qty, value / qty))
            if order.request.stop_loss_pct is not None or order.request.take_profit_pct is not None:
                self._attach_bracket(account, order)
        return events

    def _book_fill(self, account: Account, order: Order, qty: int, price: float) -> Filled:
        market, req = self.market, order.request
        fees = trading_fees(req.side.value, qty * price, market.rules)
        reason = req.kind.value if req.kind in CONDITIONAL_KINDS else "order"
        protected = any(o.symbol == req.symbol and o.kind in (OrderKind.STOP_LOSS, OrderKind.TRAILING_STOP)
                        for o in self.live_orders(account.account_id)) or req.stop_loss_pct is not None
        idx = self._idx(req.symbol)
        recent = [bar.high for bar in market.history[req.symbol][-5:]]
        today = market.today_bar(req.symbol)
        recent_high = max(recent + ([today.high] if today else []), default=price)
        panic = is_panic_sell(req.side.value, reason, price, float(market.session.prev_close[idx]), recent_high)
        account.apply_fill(TradeRecord(market.t_step, market.day, req.symbol, req.side.value, qty, price, fees,
                                       reason, protected, panic))
        order.record_fill(qty, price)
        if order.oco_group is not None and order.status is OrderStatus.FILLED:
            for other in self._oco.pop(order.oco_group, []):
                if other != order.order_id and self.orders[other].is_live:
                    self.orders[other].status = OrderStatus.CANCELLED
        return Filled(market.t_step, market.day, account.account_id, order.order_id, req.symbol, req.side.value,
                      qty, price, fees, reason)

    def _attach_bracket(self, account: Account, entry: Order) -> None:
        """Place or resize the OCO stop/take-profit pair that protects a filled entry."""
        stop_price, take_price = bracket_prices(entry.avg_fill_price, entry.request.stop_loss_pct,
                                                entry.request.take_profit_pct)
        existing = self._brackets.get(entry.order_id)
        if existing:
            for leg_id, trigger in zip(existing, (stop_price, take_price), strict=True):
                if leg_id is not None and self.orders[leg_id].is_live:
                    leg = self.orders[leg_id]
                    leg.request = dataclasses.replace(leg.request, qty=entry.filled_qty, trigger_price=trigger)
                    leg.trigger_price = trigger
            return
        group = entry.order_id
        ids: list[int | None] = []
        for kind, trigger in ((OrderKind.STOP_LOSS, stop_price), (OrderKind.TAKE_PROFIT, take_price)):
            if trigger is None:
                ids.append(None)
                continue
            req = OrderRequest(entry.symbol, Side.SELL, entry.filled_qty, kind, trigger_price=trigger)
            leg = Order(self.market.next_order_id(), account.account_id, req, OrderStatus.ARMED, self.market.t_step,
                        trigger_price=trigger, oco_group=group)
            self.orders[leg.order_id] = leg
            self._armed[leg.order_id] = leg
            ids.append(leg.order_id)
        self._brackets[entry.order_id] = (ids[0], ids[1])
        self._oco[group] = [i for i in ids if i is not None]

    # ----- per-step rules -------------------------------------------------------------------------
    def on_prices(self) -> list[MarketEvent]:
        """Fire conditional orders whose trigger the price reached; check drawdowns."""
        market = self.market
        events: list[MarketEvent] = []
        if market.session.market_halted(market.t_step):
            return events
        prices = market.venue.prices
        for order in list(self._armed.values()):
            if not order.is_live:  # filled, cancelled or its OCO partner fired
                del self._armed[order.order_id]
                continue
            idx = self._idx(order.symbol)
            price = float(prices[idx])
            if order.status is OrderStatus.ARMED:
                update_trailing(order, price)
                if not is_triggered(order, price):
                    continue
                order.status = OrderStatus.TRIGGERED
                events.append(StopTriggered(market.t_step, market.day, order.account_id, order.order_id,
                                            order.symbol, order.kind.value, float(order.trigger_price), price))
            events += self._work_triggered(order, idx)
        events += self._check_drawdowns()
        return events

    def _work_triggered(self, order: Order, idx: int) -> list[MarketEvent]:
        """Sell what a fired stop can sell now; it waits through halts, locked limits and T+1."""
        market = self.market
        account = market.accounts[order.account_id]
        if account.held(order.symbol) == 0:
            order.status = OrderStatus.CANCELLED
            return []
        qty = min(order.remaining_qty, account.sellable(order.symbol, market.rules.t_plus_one))
        if qty <= 0:
            return []
        try:
            execs = market.venue.execute_market(order.order_id, self._owner_of(account), idx, -1, qty)
        except NoLiquidity:
            return []
        return self.on_executions(execs)

    def _check_drawdowns(self) -> list[MarketEvent]:
        market = self.market
        thresholds = market.config.drawdown_thresholds_pct
        if not thresholds or not market.accounts:
            return []
        prices = market.prices
        events: list[MarketEvent] = []
        for account_id, account in market.accounts.items():
            equity = account.equity(prices)
            peak = max(self._peak_equity.get(account_id, account.deposits), equity)
            self._peak_equity[account_id] = peak
            drawdown = 100 * (1 - equity / peak) if peak > 0 else 0.0
            seen = self._drawdowns_seen.setdefault(account_id, set())
            for threshold in thresholds:
                if drawdown >= threshold and threshold not in seen:
                    seen.add(threshold)
                    events.append(DrawdownCrossed(market.t_step, market.day, account_id, threshold, round(drawdown, 4)))
        return events

    def on_close(self) -> None:
        """End of day: limit orders are day orders and expire; record each account's closing equity."""
        market = self.market
        for order in self.orders.values():
            if order.kind is OrderKind.LIMIT and order.is_live:
                market.venue.cancel(order.order_id)
                self._reserve(market.accounts[order.account_id], order, -1)
                order.status = OrderStatus.CANCELLED
        prices = market.prices
        for account in market.accounts.values():
            account.equity_curve.append((market.day, account.equity(prices)))
            account.weights_curve.append(account.weights(prices))
