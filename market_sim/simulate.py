"""Run a whole scenario without a client: for charts, reports, teachers' previews and tests.

An optional demo learner buys the index on the first day with a stop-loss bracket, so a preview
shows what a protected position does in that market (when the stop fires, and at what price).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vbranch.market_sim.config import MarketConfig
from vbranch.market_sim.events import MarketEvent
from vbranch.market_sim.market import Market
from vbranch.market_sim.metrics import performance
from vbranch.market_sim.order_entry import lot_size_for
from vbranch.market_sim.orders import OrderRequest, Side

__all__ = ["DEMO_ACCOUNT", "SimulationResult", "simulate_scenario"]

DEMO_ACCOUNT = "demo"


@dataclass
class SimulationResult:
    market: Market
    events: list[MarketEvent] = field(default_factory=list)

    def summary(self) -> dict:
        market = self.market
        index = market.universe.index.symbol
        closes = [bar.close for bar in market.history[index]]
        out: dict = {
            "seed": market.seed,
            "days": market.day,
            "data": [key for key, _ in market.data_labels],
            "index": index,
            "index_first_open": round(market.history[index][0].open, 4) if closes else None,
            "index_last_close": round(closes[-1], 4) if closes else None,
            "index_return_pct": round(100 * (closes[-1] / market.history[index][0].open - 1), 4) if closes else None,
            "events": dict(sorted(Counter(e.kind for e in self.events).items())),
        }
        if DEMO_ACCOUNT in market.accounts:
            account = market.accounts[DEMO_ACCOUNT]
            equity = [account.deposits] + [e for _, e in account.equity_curve]
            index_curve = [market.history[index][0].open] + closes
            out["demo_learner"] = performance(equity, index_curve, account.trades, account.weights_curve).to_dict()
        return out


def simulate_scenario(
    config: MarketConfig, seed: int = 0, days: int | None = None, demo_stop_loss_pct: float | None = None
) -> SimulationResult:
    """Run ``days`` trading days (default: the scenario's) and keep every event."""
    market = Market(config, seed)
    n_days = days if days is not None else config.days
    if n_days is None or n_days < 1:
        raise ValueError(f"days must be a positive number, got {n_days}")
    result = SimulationResult(market)
    market.bus.subscribe(result.events.append)
    if demo_stop_loss_pct:
        _demo_entry(market, demo_stop_loss_pct)
    for _ in range(n_days):
        if market.finished:
            break
        market.run_days(1)
    return result


def _demo_entry(market: Market, stop_loss_pct: float) -> None:
    """Put half the demo cash into the index, protected by a stop-loss (and a take-profit twice as far)."""
    account = market.open_account(DEMO_ACCOUNT)
    market.advance(1)  # trade after the open, as a person would
    index = market.universe.index.symbol
    lot = lot_size_for(market.universe, market.rules, index)
    qty = int(account.cash * 0.5 / market.price(index) // lot * lot)
    if qty > 0:
        market.submit(DEMO_ACCOUNT, OrderRequest(index, Side.BUY, qty, stop_loss_pct=stop_loss_pct,
                                                 take_profit_pct=2 * stop_loss_pct))
