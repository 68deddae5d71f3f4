"""``vbranch bench market``: the market's speed numbers, measured in one run so ratios are comparable.

Targets (ARCHITECTURE.md budgets): ≥ 1e7 instrument-steps/s for vectorised price generation over 500
instruments, ≥ 2e5 orders/s through the order book, and a per-step market update far below a VR
frame (11.1 ms at 90 Hz).
"""

from __future__ import annotations

import time

from vbranch.market_sim.book import bench_orders
from vbranch.market_sim.config import MarketConfig
from vbranch.market_sim.instruments import CN_UNIVERSE
from vbranch.market_sim.market import Market
from vbranch.market_sim.process import bench_instrument_steps, preset_spec
from vbranch.market_sim.rules import CN_RULES

__all__ = ["bench_market", "bench_market_step"]


def bench_market_step(fill_mode: str = "quote", n_steps: int = 2400, n_accounts: int = 1) -> dict:
    """Wall time of full ``Market.advance`` steps (7 instruments, stops armed)."""
    from vbranch.market_sim.orders import OrderRequest, Side

    config = MarketConfig(CN_UNIVERSE, CN_RULES, process=preset_spec("crash"), days=None, fill_mode=fill_mode)
    market = Market(config, seed=0)
    for i in range(n_accounts):
        market.open_account(f"a{i}")
        market.submit(f"a{i}", OrderRequest("510300", Side.BUY, 1000, stop_loss_pct=8, take_profit_pct=16))
    start = time.perf_counter()
    market.advance(n_steps)
    seconds = time.perf_counter() - start
    return {"fill_mode": fill_mode, "n_steps": n_steps, "n_accounts": n_accounts,
            "ms_per_step": round(1000 * seconds / n_steps, 4)}


def bench_market(quick: bool = False) -> dict:
    """One JSON-able dict with every market speed number."""
    steps = bench_instrument_steps(n_instruments=500, n_steps=2_000 if quick else 20_000)
    orders = bench_orders(n_orders=20_000 if quick else 200_000)
    quote_step = bench_market_step("quote", n_steps=240 if quick else 2400)
    book_step = bench_market_step("book", n_steps=240 if quick else 2400)
    return {
        "instrument_steps_per_s": steps["instrument_steps_per_s"],
        "orders_per_s": orders["orders_per_s"],
        "targets": {"instrument_steps_per_s": 1e7, "orders_per_s": 2e5},
        "price_generation": steps,
        "order_book": orders,
        "market_step_quote": quote_step,
        "market_step_book": book_step,
    }
