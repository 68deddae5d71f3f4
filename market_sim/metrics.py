"""How well a learner did, in numbers that reward good habits rather than lucky gambles.

Raw return alone rewards going all-in; a leaderboard and a report card also need risk (drawdown,
volatility, Sharpe, beta) and a discipline score built from what the lessons teach: protect positions
with stops, don't sell in a panic at the bottom, diversify.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from vbranch.market_sim.account import TradeRecord

__all__ = [
    "TRADING_DAYS_PER_YEAR",
    "PerformanceReport",
    "total_return_pct",
    "max_drawdown_pct",
    "volatility_annual_pct",
    "sharpe_ratio",
    "beta_alpha",
    "is_panic_sell",
    "effective_holdings",
    "discipline_score",
    "performance",
]

TRADING_DAYS_PER_YEAR = 252
PANIC_DAY_DROP_PCT = 5.0
PANIC_FROM_HIGH_PCT = 10.0


def _returns(equity: Sequence[float]) -> np.ndarray:
    values = np.asarray(equity, dtype=float)
    if len(values) < 2:
        return np.zeros(0)
    return values[1:] / values[:-1] - 1


def total_return_pct(equity: Sequence[float]) -> float:
    if len(equity) < 2 or equity[0] <= 0:
        return 0.0
    return 100 * (equity[-1] / equity[0] - 1)


def max_drawdown_pct(equity: Sequence[float]) -> float:
    """Largest fall from a running peak, positive percent (0 for a curve that never fell)."""
    values = np.asarray(equity, dtype=float)
    if len(values) == 0:
        return 0.0
    peaks = np.maximum.accumulate(values)
    return float(100 * np.max(1 - values / peaks))


def volatility_annual_pct(equity: Sequence[float]) -> float:
    r = _returns(equity)
    if len(r) < 2:
        return 0.0
    return float(100 * r.std(ddof=1) * math.sqrt(TRADING_DAYS_PER_YEAR))


def sharpe_ratio(equity: Sequence[float], risk_free_annual_pct: float = 0.0) -> float:
    """Annualised Sharpe ratio of daily returns; 0 when volatility is zero or data too short."""
    r = _returns(equity)
    if len(r) < 2:
        return 0.0
    excess = r - risk_free_annual_pct / 100 / TRADING_DAYS_PER_YEAR
    sd = excess.std(ddof=1)
    return 0.0 if sd < 1e-12 else float(excess.mean() / sd * math.sqrt(TRADING_DAYS_PER_YEAR))


def beta_alpha(equity: Sequence[float], index: Sequence[float]) -> tuple[float, float]:
    """(beta, annualised alpha in percent) of the account's daily returns against the index's."""
    r, m = _returns(equity), _returns(index)
    if len(r) != len(m):
        raise ValueError(f"equity and index must have the same length, got {len(equity)} and {len(index)}")
    if len(r) < 2 or m.var(ddof=1) < 1e-16:
        return 0.0, 0.0
    beta = float(np.cov(r, m, ddof=1)[0, 1] / m.var(ddof=1))
    alpha = float(100 * (r.mean() - beta * m.mean()) * TRADING_DAYS_PER_YEAR)
    return beta, alpha


def is_panic_sell(side: str, reason: str, price: float, prev_close: float, recent_high: float) -> bool:
    """A manual sell into a sharp fall: ≥5% down on the day or ≥10% below the recent high.

    Sells fired by the learner's own stop-loss or take-profit are planned exits, never panic.
    """
    if side != "sell" or reason != "order":
        return False
    day_drop = 100 * (1 - price / prev_close) if prev_close > 0 else 0.0
    from_high = 100 * (1 - price / recent_high) if recent_high > 0 else 0.0
    return day_drop >= PANIC_DAY_DROP_PCT or from_high >= PANIC_FROM_HIGH_PCT


def effective_holdings(weights: dict[str, float]) -> float:
    """1 / Σw² over invested weights (cash excluded): 1 for one holding, N for N equal holdings."""
    invested = np.array([w for k, w in weights.items() if k != "cash" and w > 0])
    if invested.sum() <= 0:
        return 0.0
    shares = invested / invested.sum()
    return float(1 / np.sum(shares**2))


def discipline_score(trades: Sequence[TradeRecord], weights_history: Sequence[dict[str, float]]) -> float:
    """0–100: 40 for protecting buys with stops, 30 for no panic sells, 30 for diversification.

    A learner who never traded scores on diversification only, so holding cash all game cannot top the
    board.
    """
    buys = [t for t in trades if t.side == "buy"]
    sells = [t for t in trades if t.side == "sell"]
    stops = 40.0 * (sum(t.protected for t in buys) / len(buys)) if buys else 0.0
    panic = 30.0 * (1 - sum(t.panic for t in sells) / len(sells)) if sells else (30.0 if buys else 0.0)
    invested = [effective_holdings(w) for w in weights_history if effective_holdings(w) > 0]
    diversification = 30.0 * min(1.0, (np.mean(invested) - 1) / 3) if invested else 0.0
    return round(stops + panic + max(0.0, diversification), 2)


@dataclass(frozen=True)
class PerformanceReport:
    return_pct: float
    max_drawdown_pct: float
    volatility_annual_pct: float
    sharpe: float
    beta: float
    alpha_annual_pct: float
    discipline: float
    trades: int
    panic_sells: int

    def to_dict(self) -> dict:
        return asdict(self)


def performance(
    equity: Sequence[float],
    index: Sequence[float],
    trades: Sequence[TradeRecord],
    weights_history: Sequence[dict[str, float]],
) -> PerformanceReport:
    """All the metrics for one account over aligned daily equity and index closes."""
    beta, alpha = beta_alpha(equity, index)
    return PerformanceReport(
        return_pct=round(total_return_pct(equity), 4),
        max_drawdown_pct=round(max_drawdown_pct(equity), 4),
        volatility_annual_pct=round(volatility_annual_pct(equity), 4),
        sharpe=round(sharpe_ratio(equity), 4),
        beta=round(beta, 4),
        alpha_annual_pct=round(alpha, 4),
        discipline=discipline_score(trades, weights_history),
        trades=len(trades),
        panic_sells=sum(t.panic for t in trades),
    )
