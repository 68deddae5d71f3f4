"""The investment pet (投资养成): a sapling that grows while a diversified portfolio is held.

Most trading games reward volume; this one rewards patience. Each simulated day that ends with enough
holdings, none too large and enough money invested, adds growth points; each trade beyond a small daily
allowance takes points away. Pure functions over numbers the account already records (closing weights
and fills), so the same rules run on the client, the server and in tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from vbranch.market_sim.account import Account

__all__ = ["PetRules", "PetState", "day_well_held", "grow_day", "pet_from_account"]


@dataclass(frozen=True)
class PetRules:
    min_holdings: int = 3
    max_weight_pct: float = 40.0  # of equity, per holding
    min_invested_pct: float = 50.0  # of equity
    growth_per_day: float = 1.0  # points per well-held day
    max_trades_per_day: int = 3  # trades a day that cost nothing
    shrink_per_extra_trade: float = 2.0  # points lost per trade beyond the allowance
    stage_points: tuple[float, ...] = (5.0, 15.0, 30.0)  # points needed for stage 1, 2, 3 …

    def __post_init__(self) -> None:
        if list(self.stage_points) != sorted(self.stage_points) or any(p <= 0 for p in self.stage_points):
            raise ValueError(f"stage_points must be positive and rising, got {self.stage_points}")
        if self.min_holdings < 1 or self.max_trades_per_day < 0 or self.growth_per_day < 0 \
                or self.shrink_per_extra_trade < 0:
            raise ValueError("pet rules: counts and rates must be non-negative (min_holdings >= 1)")

    def stage(self, points: float) -> int:
        return sum(points >= p for p in self.stage_points)


@dataclass(frozen=True)
class PetState:
    points: float = 0.0
    stage: int = 0
    days_grown: int = 0
    extra_trades: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def day_well_held(rules: PetRules, weights: Mapping[str, float]) -> bool:
    """A day's closing weights (shares of equity, ``cash`` included) meet the holding rules."""
    held = {k: w for k, w in weights.items() if k != "cash" and w > 0}
    invested_pct = 100 * sum(held.values())
    return (len(held) >= rules.min_holdings and invested_pct >= rules.min_invested_pct
            and 100 * max(held.values(), default=0.0) <= rules.max_weight_pct + 1e-9)


def grow_day(state: PetState, rules: PetRules, weights: Mapping[str, float], trades_today: int) -> PetState:
    """One simulated day: grow if well held, shrink for every trade over the allowance (never below 0)."""
    extra = max(0, trades_today - rules.max_trades_per_day)
    grew = day_well_held(rules, weights)
    points = max(0.0, state.points + (rules.growth_per_day if grew else 0.0) - extra * rules.shrink_per_extra_trade)
    points = round(points, 6)
    return PetState(points, rules.stage(points), state.days_grown + grew, state.extra_trades + extra)


def pet_from_account(rules: PetRules, account: Account, state: PetState | None = None) -> PetState:
    """Replay every closed day of an account (its closing weights and that day's fills) through the pet."""
    trades = Counter(t.day for t in account.trades)
    state = state or PetState()
    for (day, _equity), weights in zip(account.equity_curve, account.weights_curve, strict=True):
        state = grow_day(state, rules, weights, trades[day])
    return state
