"""The contest's ranking: risk-adjusted return and discipline, never raw return alone.

Why: a board that ranks on return teaches children to go all-in and pray. The score is

    score = 100 × (0.6 × R + 0.4 × D / 100)

where D is ``market_sim.metrics.discipline_score`` (0-100: stops on buys, no panic sells, diversified)
and R = (1 + tanh(S / 2)) / 2 ∈ (0, 1) normalises the contest-horizon Sortino ratio
S = mean(r) / sqrt(mean(min(r, 0)²)) × sqrt(n) of the n equity returns sampled during the contest
(S is 0 for a flat curve; with no down sample S = 4 if the mean is positive). Not annualising keeps a
ten-minute contest's numbers in a human range. Learners with fewer than ``min_trades`` fills are
listed below every qualified learner. Ties break on return, then name. A buy-and-hold benchmark
(equal weights in the contest's instruments at the first sampled prices, no fees) is reported beside
the board so learners see whether trading beat doing nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from vbranch.market_sim.account import TradeRecord
from vbranch.market_sim.metrics import discipline_score, max_drawdown_pct, total_return_pct

__all__ = ["board_and_benchmark", "RISK_WEIGHT", "DISCIPLINE_WEIGHT",
           "NO_DOWNSIDE_SORTINO", "Standing", "sortino", "normalised_risk",
           "score", "standing", "rank", "buy_and_hold_equity", "sample_standings"]

RISK_WEIGHT = 0.6
DISCIPLINE_WEIGHT = 0.4
NO_DOWNSIDE_SORTINO = 4.0


def sortino(equity: Sequence[float]) -> float:
    """Contest-horizon Sortino ratio of the sampled equity curve (see the module docstring)."""
    values = np.asarray(equity, dtype=float)
    if len(values) < 2 or np.any(values[:-1] <= 0):
        return 0.0
    r = values[1:] / values[:-1] - 1.0
    mean = float(r.mean())
    downside = math.sqrt(float(np.mean(np.minimum(r, 0.0) ** 2)))
    if downside < 1e-12:
        return NO_DOWNSIDE_SORTINO if mean > 1e-12 else 0.0
    return mean / downside * math.sqrt(len(r))


def normalised_risk(sortino_ratio: float) -> float:
    return (1.0 + math.tanh(sortino_ratio / 2.0)) / 2.0


def score(sortino_ratio: float, discipline: float) -> float:
    """0-100 leaderboard score from a Sortino ratio and a 0-100 discipline score."""
    return 100.0 * (RISK_WEIGHT * normalised_risk(sortino_ratio) + DISCIPLINE_WEIGHT * discipline / 100.0)


@dataclass(frozen=True)
class Standing:
    """One learner's line on the board (``rank`` 0 until ``rank`` assigns it)."""

    name: str
    score: float
    return_pct: float
    sortino: float
    max_drawdown_pct: float
    discipline: float
    trades: int
    panic_sells: int
    qualified: bool
    rank: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def standing(name: str, equity: Sequence[float], trades: Sequence[TradeRecord],
             weights_history: Sequence[dict[str, float]], min_trades: int) -> Standing:
    """All the numbers for one learner from their sampled equity, fills and sampled weights."""
    s = sortino(equity)
    d = discipline_score(trades, weights_history)
    return Standing(name=name, score=round(score(s, d), 2), return_pct=round(total_return_pct(equity), 3),
                    sortino=round(s, 3), max_drawdown_pct=round(max_drawdown_pct(equity), 3), discipline=d,
                    trades=len(trades), panic_sells=sum(t.panic for t in trades),
                    qualified=len(trades) >= min_trades)


def rank(standings: Sequence[Standing]) -> list[Standing]:
    """Qualified first, then by score, return and name; ranks 1..n."""
    ordered = sorted(standings, key=lambda s: (not s.qualified, -s.score, -s.return_pct, s.name))
    return [Standing(**{**asdict(s), "rank": i}) for i, s in enumerate(ordered, 1)]


def buy_and_hold_equity(price_samples: Sequence[Sequence[float]], starting_cash: float) -> list[float]:
    """Equity of equal weights bought at the first sample and never touched (no fees, fractional shares)."""
    prices = np.asarray(price_samples, dtype=float)
    if prices.size == 0:
        return [starting_cash]
    relative = prices / prices[0]
    return list(map(float, starting_cash * relative.mean(axis=1)))


def sample_standings(market, seats, instruments, price_samples: list[list[float]]) -> None:
    """Append one sample: the benchmark's prices and every seat's equity and weights (for risk-adjusted ranks)."""
    prices = market.prices
    price_samples.append([prices[s] for s in (instruments or market.symbols)])
    for seat in seats:
        account = market.account(seat.seat_id)
        seat.equity_samples.append(account.equity(prices))
        seat.weights_samples.append(account.weights(prices))


def board_and_benchmark(market, settings, seats, price_samples: list[list[float]]) -> tuple[list[Standing], float]:
    """A room's ranked board and its buy-and-hold benchmark return in percent."""
    board = rank([standing(s.name, s.equity_samples, market.account(s.seat_id).trades, s.weights_samples,
                           settings.min_trades) for s in seats])
    bench = buy_and_hold_equity(price_samples, settings.starting_cash)
    return board, round(total_return_pct(bench), 3)
