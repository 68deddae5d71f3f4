"""A classroom contest: the teacher's settings, its life cycle, and the rules an order must respect.

Why settings lock at the start: learners plan around the starting cash, the instruments and the
position cap; changing them mid-game would make the leaderboard unfair, so ``configure`` after
``start`` raises ``SettingsLocked``. The order policy is a pure function so the room, a replay of the
journal and a test all apply the same rule.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from enum import IntEnum
from typing import Any

from vbranch.market_sim.account import Account
from vbranch.market_sim.market import Market
from vbranch.scenes.scenario import load_scenario

__all__ = ["market_for", "ContestState", "ContestSettings", "SettingsError", "SettingsLocked", "BadTransition",
           "Contest",
           "check_order_policy", "ALL_KINDS"]

ALL_KINDS = ("market", "limit", "stop_loss", "take_profit", "trailing_stop")


class ContestState(IntEnum):
    CREATED = 0  # settings may change; learners may join and look around
    RUNNING = 1
    PAUSED = 2
    ENDED = 3


class SettingsError(ValueError):
    """Settings that cannot be used (unknown scenario or symbol, out-of-range number)."""


class SettingsLocked(RuntimeError):
    """Settings changed after the start."""


class BadTransition(RuntimeError):
    """A control that makes no sense in the current state (pause an ended contest)."""


@dataclass(frozen=True)
class ContestSettings:
    """Everything the teacher fixes before the start. ``instruments``/``order_kinds`` empty = all allowed.

    ``duration_s`` is running time in wall seconds (pauses do not count); ``max_position_pct`` caps one
    holding's share of equity after a buy; learners with fewer than ``min_trades`` fills rank below
    everyone who qualified.
    """

    scenario: str = "crash"
    starting_cash: float = 100_000.0
    duration_s: float = 600.0
    instruments: tuple[str, ...] = ()
    order_kinds: tuple[str, ...] = ALL_KINDS
    max_position_pct: float = 100.0
    min_trades: int = 0
    seed: int = 1
    tick_hz: float = 20.0

    def __post_init__(self) -> None:
        checks = [
            (1.0 <= self.starting_cash <= 1e9, "starting_cash must be in [1, 1e9]"),
            (10.0 <= self.duration_s <= 4 * 3600, "duration_s must be in [10, 14400]"),
            (1.0 <= self.max_position_pct <= 100.0, "max_position_pct must be in [1, 100]"),
            (0 <= self.min_trades <= 1000, "min_trades must be in [0, 1000]"),
            (1.0 <= self.tick_hz <= 60.0, "tick_hz must be in [1, 60]"),
            (bool(self.order_kinds) and set(self.order_kinds) <= set(ALL_KINDS),
             f"order_kinds must be a non-empty subset of {ALL_KINDS}"),
        ]
        for ok, why in checks:
            if not ok:
                raise SettingsError(why)

    @classmethod
    def from_args(cls, args: dict[str, Any], base: ContestSettings | None = None) -> ContestSettings:
        """Settings from a teacher command's arguments, on top of ``base`` (defaults when None)."""
        base = base or cls()
        changes: dict[str, Any] = {}
        try:
            for key, value in args.items():
                current = getattr(base, key)
                if isinstance(current, tuple):
                    if not isinstance(value, list):
                        raise SettingsError(f"{key} must be a list")
                    changes[key] = tuple(str(v) for v in value)
                elif isinstance(current, bool) or isinstance(value, bool):
                    raise SettingsError(f"{key} must not be a boolean")
                elif isinstance(current, int) and not isinstance(current, bool):
                    if not isinstance(value, int | float) or value != int(value):
                        raise SettingsError(f"{key} must be a whole number")
                    changes[key] = int(value)
                elif isinstance(current, float):
                    if not isinstance(value, int | float) or not math.isfinite(value):
                        raise SettingsError(f"{key} must be a number")
                    changes[key] = float(value)
                else:
                    if not isinstance(value, str):
                        raise SettingsError(f"{key} must be a string")
                    changes[key] = value
            return replace(base, **changes)
        except AttributeError as exc:
            raise SettingsError(f"unknown setting: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["instruments"], out["order_kinds"] = list(self.instruments), list(self.order_kinds)
        return out


class Contest:
    """The contest's state machine; the room owns the market and calls these on teacher commands."""

    def __init__(self, settings: ContestSettings, join_code: str) -> None:
        self.settings = settings
        self.join_code = join_code
        self.state = ContestState.CREATED
        self.elapsed_s = 0.0  # running wall time, pauses excluded

    def configure(self, settings: ContestSettings) -> None:
        if self.state is not ContestState.CREATED:
            raise SettingsLocked("settings are locked once the contest has started")
        self.settings = settings

    def _move(self, allowed_from: tuple[ContestState, ...], to: ContestState) -> None:
        if self.state not in allowed_from:
            raise BadTransition(f"cannot go from {self.state.name.lower()} to {to.name.lower()}")
        self.state = to

    def start(self) -> None:
        self._move((ContestState.CREATED,), ContestState.RUNNING)

    def pause(self) -> None:
        self._move((ContestState.RUNNING,), ContestState.PAUSED)

    def resume(self) -> None:
        self._move((ContestState.PAUSED,), ContestState.RUNNING)

    def end(self) -> None:
        self._move((ContestState.CREATED, ContestState.RUNNING, ContestState.PAUSED), ContestState.ENDED)

    def run_for(self, dt_s: float) -> bool:
        """Count ``dt_s`` of running time; True when the duration is used up (the caller then ends it)."""
        if self.state is ContestState.RUNNING:
            self.elapsed_s += dt_s
        return self.state is ContestState.RUNNING and self.elapsed_s >= self.settings.duration_s

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.settings.duration_s - self.elapsed_s)


def check_order_policy(settings: ContestSettings, state: ContestState, *, symbol: str, kind: str, side: str,
                       qty: int, price: float, account: Account, prices: dict[str, float]) -> tuple[str, dict] | None:
    """The contest's own rules, before the market's: (reject code, message params) or None to pass.

    The position cap applies to buys only (selling always reduces risk): after the buy, the holding's
    value at ``price`` must stay within ``max_position_pct`` of equity.
    """
    if state is not ContestState.RUNNING:
        return "contest_not_running", {}
    if settings.instruments and symbol not in settings.instruments:
        return "instrument_not_allowed", {"symbol": symbol}
    if kind not in settings.order_kinds:
        return "kind_not_allowed", {"kind": kind}
    if side == "buy" and settings.max_position_pct < 100.0:
        equity = account.equity(prices)
        after = (account.held(symbol) + qty) * price
        if equity <= 0 or 100.0 * after / equity > settings.max_position_pct + 1e-9:
            return "position_limit", {"symbol": symbol, "max_pct": settings.max_position_pct,
                                      "pct": round(100.0 * after / equity, 1) if equity > 0 else 100.0}
    return None


def market_for(settings: ContestSettings) -> Market:
    """A fresh market for ``settings``; an unknown scenario or instrument is the teacher's typo, said plainly."""
    try:
        config = load_scenario(settings.scenario).market_config(prefer_twin=True)
    except Exception as exc:  # unknown scenario name or unreadable file
        raise SettingsError(f"scenario {settings.scenario!r}: {exc}") from None
    unknown = [s for s in settings.instruments if s not in config.universe]
    if unknown:
        raise SettingsError(f"unknown instruments {unknown}")
    return Market(config, seed=settings.seed)
