"""Calibrated stylised twins of the real crash episodes.

The real index files cannot ship with the project, yet every crash lesson must run on a fresh install.
So each episode is reduced to a handful of numbers a learner can check against history (how deep, how
long, the worst day, how violent, how much came back) and `stylised_twin` draws a synthetic daily
series that has exactly those numbers. With the real CSVs installed the replay uses the real tape; without
them the lesson still teaches the same shape. `calibrate_all` measures the real files, so the shipped
numbers are traceable to data rather than typed from memory.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np

from vbranch.market_sim.history import DailyBars, HistoryError, find_source, read_csv

__all__ = ["EpisodeShape", "Episode", "EPISODES", "measure_episode", "stylised_twin", "load_episode",
           "calibrate_all"]

log = logging.getLogger(__name__)

TRADING_DAYS_PER_YEAR = 252
_MAX_ATTEMPTS = 200
_PRE_PEAK_DRIFT = 0.15  # pre-peak rally, in noise standard deviations per day
_GAP_VOL_SHARE = 0.25  # overnight gap as a share of the daily vol
_WICK_VOL_SHARE = 0.5  # intraday wick beyond open/close as a share of the daily vol


@dataclass(frozen=True)
class EpisodeShape:
    """The numbers a crash lesson promises, all measured on daily closes.

    Attributes:
        depth_pct: Peak-to-trough fall of the close, positive (33.5 means -33.5 %).
        duration_days: Trading days from peak to trough.
        worst_day_pct: Most negative close-to-close return, negative (-20.47).
        vol_annual_pct: Sample stdev of daily log returns over the window, times sqrt(252).
        recovery_pct: Share of the fall regained from the trough to the window end (0-100).
        days_before: Trading days from the window start to the peak.
        days_after: Trading days from the trough to the window end.
    """

    depth_pct: float
    duration_days: int
    worst_day_pct: float
    vol_annual_pct: float
    recovery_pct: float
    days_before: int
    days_after: int

    def __post_init__(self) -> None:
        checks = {
            "depth_pct": 0 < self.depth_pct < 100,
            "duration_days": self.duration_days >= 1,
            "worst_day_pct": -100 < self.worst_day_pct < 0,
            "vol_annual_pct": self.vol_annual_pct > 0,
            "recovery_pct": 0 <= self.recovery_pct <= 100,
            "days_before": self.days_before >= 0,
            "days_after": self.days_after >= 0,
        }
        bad = [f"{name}={getattr(self, name)!r}" for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"EpisodeShape out of range: {', '.join(bad)}")

    @property
    def days(self) -> int:
        """Trading days in the whole window."""
        return self.days_before + self.duration_days + self.days_after + 1

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> EpisodeShape:
        """Build from a mapping such as a TOML table, naming any unknown, missing or mistyped field.

        Raises:
            ValueError: Unknown or missing keys, or a value of the wrong type.
        """
        names = [f.name for f in fields(cls)]
        problems = []
        for key in data:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(f"unknown field {key!r}{hint}")
        problems += [f"missing field {name!r}" for name in names if name not in data]
        values: dict[str, float | int] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            want_int = f.type in ("int", int)
            ok = isinstance(value, int) if want_int else isinstance(value, int | float)
            if not ok or isinstance(value, bool):
                problems.append(f"field {f.name!r} must be {'an integer' if want_int else 'a number'}, "
                                f"got {value!r}")
            else:
                values[f.name] = value if want_int else float(value)
        if problems:
            raise ValueError("EpisodeShape: " + "; ".join(problems))
        return cls(**values)

    def to_dict(self, ndigits: int | None = None) -> dict[str, float | int]:
        """Plain dict for TOML; floats rounded to ``ndigits`` decimals when given."""
        out = asdict(self)
        if ndigits is not None:
            out = {k: round(v, ndigits) if isinstance(v, float) else v for k, v in out.items()}
        return out


@dataclass(frozen=True)
class Episode:
    """A real crash window and the CSV names (without extension) that may hold it, preferred first."""

    episode_id: str
    title_zh: str
    title_en: str
    index_name: str
    index_name_zh: str
    sources: tuple[str, ...]
    start: str
    end: str


_SP500_FJA = "sp500_daily_1927_2019_fja05680"
_SP500_STEEL = "us_market_daily_1885_2023_steelcerberus"
_SP500_FRED = "sp500_daily_fred_2016_2026_datasets"
_SSE = "sse_composite_daily_1990_2021_pedquant"

EPISODES: dict[str, Episode] = {e.episode_id: e for e in (
    Episode("black_monday_1987", "1987年黑色星期一", "Black Monday 1987", "S&P 500", "标普500指数",
            ("sp500", _SP500_FJA, _SP500_STEEL), "1987-08-25", "1987-12-31"),
    Episode("gfc_2008", "2008年全球金融危机", "Global financial crisis 2008", "S&P 500", "标普500指数",
            ("sp500", _SP500_FJA, _SP500_STEEL), "2008-09-01", "2008-12-31"),
    Episode("china_2015", "2015年A股股灾", "China stock market crash 2015", "SSE Composite", "上证综合指数",
            ("sse", _SSE), "2015-06-01", "2015-09-30"),
    # Starts on the last close of 2015 so the first circuit-breaker day (2016-01-04, -6.86%) is a return.
    Episode("china_circuit_breaker_2016", "2016年A股熔断", "China circuit breaker 2016", "SSE Composite",
            "上证综合指数", ("sse", _SSE), "2015-12-31", "2016-01-29"),
    # FRED before SteelCerberus: FRED holds the official 2-decimal closes.
    Episode("covid_2020", "2020年新冠疫情暴跌", "COVID-19 crash 2020", "S&P 500", "标普500指数",
            ("sp500", _SP500_FRED, _SP500_STEEL), "2020-02-19", "2020-04-30"),
)}


def measure_episode(bars: DailyBars) -> EpisodeShape:
    """The shape of the largest drawdown in ``bars``.

    The trough is the close with the deepest fall below its running maximum; the peak is the highest
    close before it (the first one if tied).

    Args:
        bars: At least two days that include a fall.

    Returns:
        The measured shape.

    Raises:
        ValueError: Fewer than two days, or the closes never fall.
    """
    close = np.asarray(bars.close, dtype=float)
    if len(close) < 2:
        raise ValueError(f"{bars.source}: need at least two days to measure an episode")
    drawdown = 1.0 - close / np.maximum.accumulate(close)
    trough = int(np.argmax(drawdown))
    if drawdown[trough] <= 0:
        raise ValueError(f"{bars.source}: the closes never fall, no episode to measure")
    peak = int(np.argmax(close[: trough + 1]))
    log_returns = np.diff(np.log(close))
    vol = float(np.std(log_returns, ddof=1)) if len(log_returns) > 1 else abs(float(log_returns[0]))
    recovered = (close[-1] - close[trough]) / (close[peak] - close[trough])
    return EpisodeShape(
        depth_pct=float(drawdown[trough] * 100.0),
        duration_days=trough - peak,
        worst_day_pct=float(np.min(bars.daily_returns()) * 100.0),
        vol_annual_pct=float(vol * np.sqrt(TRADING_DAYS_PER_YEAR) * 100.0),
        recovery_pct=float(min(recovered, 1.0) * 100.0),
        days_before=peak,
        days_after=len(close) - 1 - trough,
    )


def _fold(x: np.ndarray, width: float) -> np.ndarray:
    """Reflect ``x`` into [0, width] at both edges; continuous and never enlarges a step."""
    y = np.mod(x, 2.0 * width)
    return np.where(y > width, 2.0 * width - y, y)


class _Draw:
    """One random draw of a twin's log path (peak at 0), rescalable by a noise factor ``k``."""

    def __init__(self, shape: EpisodeShape, rng: np.random.Generator) -> None:
        self.depth_log = -np.log1p(-shape.depth_pct / 100.0)
        self.worst_log = float(np.log1p(shape.worst_day_pct / 100.0))
        dep = shape.depth_pct / 100.0
        self.rise_log = float(np.log1p(shape.recovery_pct / 100.0 * dep / (1.0 - dep)))
        self.shape = shape
        self.z_before = rng.standard_normal(shape.days_before) + _PRE_PEAK_DRIFT
        z_fall = rng.standard_normal(max(shape.duration_days - 1, 0))
        self.z_fall = z_fall - z_fall.mean() if len(z_fall) else z_fall
        self.worst_at = int(rng.integers(shape.duration_days))
        z_after = rng.standard_normal(shape.days_after)
        self.z_after = z_after - z_after.mean() if len(z_after) else z_after

    def path(self, k: float) -> np.ndarray:
        s, width = self.shape, self.depth_log
        below_peak = _fold(np.concatenate(([0.0], np.cumsum(k * self.z_before))), width)
        before = -below_peak[::-1]
        if s.duration_days == 1:
            steps = np.array([-width])
        else:
            steps = (-width - self.worst_log) / (s.duration_days - 1) + k * self.z_fall
            steps = np.insert(steps, self.worst_at, self.worst_log)
        fall = np.concatenate(([0.0], np.cumsum(steps)))
        fall[-1] = -width
        fall = -_fold(-fall, width)
        if s.days_after:
            rise = np.concatenate(([0.0], np.cumsum(self.rise_log / s.days_after + k * self.z_after)))
            rise[-1] = self.rise_log
            after = -width + _fold(rise, width)
        else:
            after = np.array([-width])
        return np.concatenate((before, fall[1:], after[1:]))

    def vol(self, k: float) -> float:
        return float(np.std(np.diff(self.path(k)), ddof=1))


def _solve_noise(draw: _Draw, target: float) -> float | None:
    """The noise factor whose path has daily log-return stdev ``target`` (bisection); None if out of reach."""
    if draw.vol(0.0) >= target:
        return None
    lo, hi = 0.0, target
    while draw.vol(hi) < target:
        hi *= 2.0
        if hi > 1e3 * target:
            return None
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if draw.vol(mid) < target else (lo, mid)
    return 0.5 * (lo + hi)


def _matches(got: EpisodeShape, want: EpisodeShape) -> bool:
    return (got.duration_days == want.duration_days and got.days_before == want.days_before
            and got.days_after == want.days_after and abs(got.depth_pct - want.depth_pct) < 1e-6
            and abs(got.worst_day_pct - want.worst_day_pct) < 1e-6
            and abs(got.vol_annual_pct / want.vol_annual_pct - 1.0) < 1e-6
            and abs(got.recovery_pct - want.recovery_pct) < 1e-6)


def stylised_twin(shape: EpisodeShape, start_price: float, seed: int,
                  start_date: str = "2000-01-03") -> DailyBars:
    """A synthetic daily OHLC series whose `measure_episode` is ``shape``.

    Daily log returns are noise scaled to the target volatility; the worst day is placed in the fall;
    the fall is bridged to hit the trough on the right day; the path is folded so the peak and trough
    stay the extremes of their stretches. Draws that break a constraint are redrawn with sub-seeds.

    Args:
        shape: The target shape (e.g. from `measure_episode` or a scenario file).
        start_price: Close of the first day.
        seed: Non-negative seed; the same seed gives the same series.
        start_date: First business day (later days skip weekends, not holidays).

    Returns:
        DailyBars with source "stylised twin" and synthetic open/high/low around each close.

    Raises:
        ValueError: A shape no path can have (e.g. the worst day deeper than the whole fall, or alone
            implying more volatility than asked), or a non-positive start price.
    """
    if not start_price > 0:
        raise ValueError(f"start_price must be positive, got {start_price}")
    worst_frac = shape.worst_day_pct / 100.0
    if shape.duration_days == 1 and abs(shape.worst_day_pct + shape.depth_pct) > 0.1:
        raise ValueError("a one-day fall makes the worst day equal to the depth")
    if worst_frac < -shape.depth_pct / 100.0 - 1e-12:
        raise ValueError(f"worst day {shape.worst_day_pct}% is deeper than the fall {shape.depth_pct}%")
    if shape.days_after == 0 and shape.recovery_pct > 0:
        raise ValueError("recovery needs at least one day after the trough")
    target = shape.vol_annual_pct / 100.0 / np.sqrt(TRADING_DAYS_PER_YEAR)
    for attempt in range(_MAX_ATTEMPTS):
        rng = np.random.default_rng([seed, attempt])
        draw = _Draw(shape, rng)
        k = _solve_noise(draw, target)
        if k is None:
            raise ValueError(f"worst day {shape.worst_day_pct}% and depth {shape.depth_pct}% alone give "
                             f"more than {shape.vol_annual_pct}% annual vol")
        path = draw.path(k)
        close = start_price * np.exp(path - path[0])
        bars = _with_ohlc(close, target, rng, start_date)
        if _matches(measure_episode(bars), shape):
            if attempt:
                log.debug("stylised twin seed %d: %d draws rejected", seed, attempt)
            return bars
    raise ValueError(f"no twin found for {shape} in {_MAX_ATTEMPTS} draws")


def _with_ohlc(close: np.ndarray, daily_vol: float, rng: np.random.Generator, start_date: str) -> DailyBars:
    n = len(close)
    prev = np.concatenate(([close[0]], close[:-1]))
    opn = prev * np.exp(rng.normal(0.0, _GAP_VOL_SHARE * daily_vol, n))
    wicks = np.abs(rng.normal(0.0, _WICK_VOL_SHARE * daily_vol, (2, n)))
    high = np.maximum(opn, close) * np.exp(wicks[0])
    low = np.minimum(opn, close) * np.exp(-wicks[1])
    dates = np.busday_offset(np.datetime64(start_date, "D"), np.arange(n), roll="forward")
    return DailyBars(dates, opn, high, low, close, True, "stylised twin")


def load_episode(episode: str | Episode, directory: str | os.PathLike[str] | None = None) -> DailyBars | None:
    """The real window of an episode from the first source file that covers it.

    Args:
        episode: An `EPISODES` key or an Episode.
        directory: Where the CSVs are; defaults to `history.data_dir()`.

    Returns:
        The window, or None when no source file covers it.
    """
    ep = EPISODES[episode] if isinstance(episode, str) else episode
    start, end = np.datetime64(ep.start, "D"), np.datetime64(ep.end, "D")
    for name in ep.sources:
        path = find_source(name, directory)
        if path is None:
            continue
        bars = read_csv(path)
        if len(bars) and bars.dates[0] <= start and bars.dates[-1] >= end:
            return bars.window(start, end)
        log.info("%s does not cover %s..%s, trying the next source", path.name, ep.start, ep.end)
    return None


def calibrate_all(directory: str | os.PathLike[str] | None = None) -> dict[str, EpisodeShape]:
    """Measure every episode in `EPISODES` from the real files.

    Args:
        directory: Where the CSVs are; defaults to `history.data_dir()`.

    Returns:
        Episode id to measured shape, in `EPISODES` order.

    Raises:
        HistoryError: An episode has no source file covering its window.
    """
    shapes: dict[str, EpisodeShape] = {}
    for episode_id, ep in EPISODES.items():
        bars = load_episode(ep, directory)
        if bars is None:
            raise HistoryError(f"{episode_id}: none of {', '.join(s + '.csv' for s in ep.sources)} "
                               f"covers {ep.start}..{ep.end}")
        shapes[episode_id] = measure_episode(bars)
        log.info("%s from %s: %s", episode_id, bars.source, shapes[episode_id])
    return shapes
