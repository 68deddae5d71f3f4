"""What a scenario says about its price process, as validated frozen data (the maths is in ``process``).

Scenario files are written by people, so every field is checked on construction and errors name the
field: a typo in a regime must fail loudly at load time, not make a lesson's market quietly wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

__all__ = ["Regime", "Jump", "ProcessSpec", "JUMP_PROFILES", "PRESET_NAMES", "preset_spec", "validate_correlation"]

JUMP_PROFILES = ("intraday", "open")
PRESET_NAMES = ("bull", "bear", "sideways", "crash")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _num(where: str, value: object) -> float:
    _require(not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
             and math.isfinite(value), f"{where} must be a finite number, got {value!r}")
    return float(value)


def _from_mapping(cls: type, data: object, where: str):
    if isinstance(data, cls):
        return data
    _require(isinstance(data, Mapping), f"{where}: expected a mapping of fields, got {type(data).__name__}")
    names = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(names))
    _require(not unknown, f"{where}: unknown field(s) {unknown}; expected some of {names}")
    try:
        return cls(**data)
    except TypeError as exc:  # a missing required field; the message names it
        raise ValueError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Regime:
    """A market state. ``drift_annual``: expected continuously-compounded growth of a beta-1 instrument;
    ``vol_scale``: multiplies its vol; ``mean_reversion_per_year``: OU pull of log price toward the anchor
    (the log price when the regime was entered), 0 for none."""

    name: str
    drift_annual: float
    vol_scale: float = 1.0
    mean_reversion_per_year: float = 0.0

    def __post_init__(self) -> None:
        _require(isinstance(self.name, str) and bool(self.name), f"Regime.name must be a non-empty string, "
                 f"got {self.name!r}")
        for f in ("drift_annual", "vol_scale", "mean_reversion_per_year"):
            object.__setattr__(self, f, _num(f"Regime {self.name!r} {f}", getattr(self, f)))
            _require(f == "drift_annual" or getattr(self, f) >= 0,
                     f"Regime {self.name!r} {f} must be >= 0, got {getattr(self, f)}")

    @classmethod
    def from_dict(cls, data: Mapping) -> Regime:
        return _from_mapping(cls, data, "Regime")


@dataclass(frozen=True)
class Jump:
    """A scheduled jump on ``day`` (0-based). ``symbols=None``: every instrument moves by
    log(1 + size_pct/100 * beta); explicit symbols: only those move, at full size. ``profile`` "open" gaps
    at the day's first step, "intraday" spreads the move over the day, front-loaded (~7/8 in the first
    half). ``regime_after`` (a regime name) forces the market into that regime from the jump day on."""

    day: int
    size_pct: float
    symbols: tuple[str, ...] | None = None
    profile: str = "intraday"
    regime_after: str | None = None

    def __post_init__(self) -> None:
        _require(not isinstance(self.day, bool) and isinstance(self.day, int | np.integer) and self.day >= 0,
                 f"Jump.day must be an integer >= 0, got {self.day!r}")
        object.__setattr__(self, "day", int(self.day))
        object.__setattr__(self, "size_pct", _num("Jump.size_pct", self.size_pct))
        _require(self.size_pct > -100, f"Jump.size_pct must be > -100 (prices stay > 0), got {self.size_pct}")
        _require(self.profile in JUMP_PROFILES, f"Jump.profile must be one of {JUMP_PROFILES}, "
                 f"got {self.profile!r}")
        if self.symbols is not None:
            syms = (self.symbols,) if isinstance(self.symbols, str) else tuple(self.symbols)
            _require(bool(syms) and all(isinstance(s, str) and s for s in syms),
                     f"Jump.symbols must be None or a non-empty list of symbols, got {self.symbols!r}")
            object.__setattr__(self, "symbols", syms)

    @classmethod
    def from_dict(cls, data: Mapping) -> Jump:
        return _from_mapping(cls, data, "Jump")


def _transition(raw: object, names: list[str]) -> tuple[tuple[float, ...], ...]:
    where = "ProcessSpec.transition_per_day"
    if isinstance(raw, Mapping):  # {"bull": {"bull": 0.99, "bear": 0.01}, ...}; missing entries are 0
        _require(set(raw) == set(names), f"{where} needs one row per regime {names}, got {list(raw)}")
        for name, row in raw.items():
            _require(not isinstance(row, Mapping) or set(row) <= set(names),
                     f"{where} row {name!r} names unknown regimes {sorted(set(row) - set(names))}")
        raw = [[raw[n].get(m, 0.0) for m in names] if isinstance(raw[n], Mapping) else raw[n] for n in names]
    try:
        mat = np.array(raw, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{where} must be a square matrix of numbers") from None
    _require(mat.shape == (len(names),) * 2, f"{where} must be {len(names)}x{len(names)} (one row and column "
             f"per regime {names}), got shape {mat.shape}")
    _require(bool(np.all(np.isfinite(mat)) and np.all(mat >= 0)), f"{where} entries must be probabilities")
    for name, total in zip(names, mat.sum(axis=1), strict=True):
        _require(abs(total - 1.0) <= 1e-6, f"{where} row {name!r} sums to {total:.6g}, expected 1")
    return tuple(tuple(float(x) for x in row) for row in mat)


def validate_correlation(matrix: object, n: int | None = None) -> np.ndarray:
    """Check a correlation matrix: square (n x n if given), finite, symmetric, unit diagonal, PSD.

    Args:
        matrix: Anything ``np.array`` turns into a square float array.
        n: The expected size (the number of instruments), or None to accept any.

    Returns:
        The matrix as a float array; raises ValueError naming what is wrong.
    """
    try:
        corr = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("correlation must be a square matrix of numbers") from None
    size = n if n is not None else (corr.shape[0] if corr.ndim else 0)
    _require(corr.shape == (size, size), f"correlation must be {size}x{size} in instrument order, "
             f"got shape {corr.shape}")
    _require(bool(np.all(np.isfinite(corr))), "correlation entries must be finite")
    _require(np.allclose(corr, corr.T, atol=1e-8), "correlation must be symmetric")
    _require(np.allclose(np.diag(corr), 1.0, atol=1e-8), f"correlation must have a unit diagonal, "
             f"got {np.diag(corr).tolist()}")
    min_eig = float(np.linalg.eigvalsh(corr).min())
    _require(min_eig >= -1e-8, f"correlation must be positive semi-definite (min eigenvalue {min_eig:.3g})")
    return corr


@dataclass(frozen=True)
class ProcessSpec:
    """What a scenario says about the price process (vol, beta and carry come from the instruments).

    Lists work wherever tuples do; ``transition_per_day`` (row = today's regime) may also be a mapping
    regime name -> {regime name: probability}. ``initial_regime`` None means the first regime.
    ``correlation`` None means the beta one-factor model, else an n x n matrix in instrument order.
    ``jump_vol_kick`` raises the GARCH variance multiplier by that much per 0.10 of absolute log jump.
    """

    regimes: tuple[Regime, ...]
    transition_per_day: tuple[tuple[float, ...], ...]
    initial_regime: str | None = None
    t_dof: float = 4.0
    garch_a: float = 0.08
    garch_b: float = 0.90
    jump_vol_kick: float = 1.0
    jumps: tuple[Jump, ...] = ()
    correlation: tuple[tuple[float, ...], ...] | None = None
    trading_days_per_year: int = 252

    def __post_init__(self) -> None:
        regimes = tuple(self.regimes)
        _require(bool(regimes) and all(isinstance(r, Regime) for r in regimes),
                 "ProcessSpec.regimes must be a non-empty sequence of Regime")
        names = [r.name for r in regimes]
        _require(len(set(names)) == len(names), f"ProcessSpec.regimes has duplicate names: {names}")
        initial = names[0] if self.initial_regime is None else self.initial_regime
        _require(initial in names, f"ProcessSpec.initial_regime {initial!r} is not one of {names}")
        jumps = tuple(self.jumps)
        for jump in jumps:
            _require(isinstance(jump, Jump), f"ProcessSpec.jumps must hold Jump values, got {jump!r}")
            _require(jump.regime_after in (None, *names),
                     f"ProcessSpec.jumps: regime_after {jump.regime_after!r} is not one of {names}")
        for f, value in (("regimes", regimes), ("initial_regime", initial), ("jumps", jumps),
                         ("transition_per_day", _transition(self.transition_per_day, names))):
            object.__setattr__(self, f, value)
        for f in ("t_dof", "garch_a", "garch_b", "jump_vol_kick"):
            object.__setattr__(self, f, _num(f"ProcessSpec.{f}", getattr(self, f)))
        _require(self.t_dof > 2, f"ProcessSpec.t_dof must be > 2 (finite variance), got {self.t_dof}")
        _require(min(self.garch_a, self.garch_b) >= 0 and self.garch_a + self.garch_b < 1,
                 f"ProcessSpec.garch_a and garch_b must be >= 0 with garch_a + garch_b < 1 (stationary "
                 f"volatility), got {self.garch_a} + {self.garch_b}")
        _require(self.jump_vol_kick >= 0, f"ProcessSpec.jump_vol_kick must be >= 0, got {self.jump_vol_kick}")
        days = self.trading_days_per_year
        _require(not isinstance(days, bool) and isinstance(days, int) and days > 0,
                 f"ProcessSpec.trading_days_per_year must be a positive integer, got {days!r}")
        if self.correlation is not None:
            corr = validate_correlation(self.correlation)
            object.__setattr__(self, "correlation", tuple(tuple(float(x) for x in row) for row in corr))

    @property
    def regime_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regimes)

    @classmethod
    def from_dict(cls, data: Mapping) -> ProcessSpec:
        """Build from plain dicts/lists (a parsed TOML scenario); errors name the offending field.

        ``regimes`` may be a list of regime dicts or a mapping name -> fields; ``jumps`` a list of dicts.
        """
        _require(isinstance(data, Mapping), f"ProcessSpec: expected a mapping, got {type(data).__name__}")
        d = dict(data)
        regimes = d.get("regimes", ())
        if isinstance(regimes, Mapping):
            regimes = [{"name": k, **v} if isinstance(v, Mapping) else v for k, v in regimes.items()]
        d["regimes"] = tuple(_from_mapping(Regime, r, f"regimes[{i}]") for i, r in enumerate(regimes))
        d["jumps"] = tuple(_from_mapping(Jump, j, f"jumps[{i}]") for i, j in enumerate(d.get("jumps", ())))
        return _from_mapping(cls, d, "ProcessSpec")


def preset_spec(name: str) -> ProcessSpec:
    """A default spec: "bull", "bear", "sideways" (sticky in that regime) or "crash" (calm bull, a -20%
    intraday crash on day 5, then a high-vol bear that may ease into a sideways market)."""
    bull, bear = Regime("bull", 0.15, 0.9), Regime("bear", -0.25, 1.6)
    sideways = Regime("sideways", 0.0, 0.8, mean_reversion_per_year=8.0)
    rows = {"bull": ((0.995, 0.002, 0.003), (0.05, 0.93, 0.02), (0.03, 0.01, 0.96)),
            "bear": ((0.93, 0.05, 0.02), (0.002, 0.995, 0.003), (0.02, 0.05, 0.93)),
            "sideways": ((0.95, 0.01, 0.04), (0.01, 0.95, 0.04), (0.002, 0.002, 0.996))}
    if name in rows:
        return ProcessSpec((bull, bear, sideways), rows[name], initial_regime=name)
    _require(name == "crash", f"unknown preset {name!r}: expected one of {PRESET_NAMES}")
    return ProcessSpec(
        (Regime("calm_bull", 0.12, 0.7), Regime("crash_bear", -0.35, 1.8),
         Regime("sideways", 0.0, 1.0, mean_reversion_per_year=6.0)),
        ((1.0, 0.0, 0.0), (0.0, 0.97, 0.03), (0.01, 0.02, 0.97)),
        jumps=(Jump(5, -20.0, profile="intraday", regime_after="crash_bear"),))


