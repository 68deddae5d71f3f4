"""Intraday price paths that join real daily bars without changing them.

No freely licensed intraday index data exists for the crash days, yet a replay needs ticks between
one close and the next. So each day's ticks are a Brownian bridge pinned to the real open and the real
close. When the day has a real high and low, a monotone value map stretches the bridge so it stays
inside them and touches both, so the chart a learner sees never contradicts the daily bar. The last tick
is the CSV close exactly (bitwise), so every P&L and every lesson number is the real one.

Close-only days (FRED, pre-1962 S&P) have no range to honour: the bridge runs from the previous close to
the close with noise scaled from the series' realised daily volatility, and may leave the open/close band.
"""

from __future__ import annotations

import logging

import numpy as np

from vbranch.market_sim.history import DailyBars

__all__ = ["intraday_path", "MIN_STEPS_PER_DAY"]

log = logging.getLogger(__name__)

MIN_STEPS_PER_DAY = 6  # open, close and room for a separate high and low tick with ticks between them
_RANGE_PER_SIGMA = 1.25  # expected range of a unit-variance Brownian bridge, sqrt(pi / 2)
_FALLBACK_DAILY_VOL = 0.01
_CANDIDATES = 8  # bridges drawn per real-OHLC day; the one whose wicks fit best is kept


def _brownian_bridges(rng: np.random.Generator, days: int, steps: int) -> np.ndarray:
    """Unit-variance (over the whole day) Brownian bridges, zero at both ends, shape (days, steps)."""
    dt = 1.0 / (steps - 1)
    walk = np.zeros((days, steps))
    walk[:, 1:] = np.cumsum(rng.standard_normal((days, steps - 1)) * np.sqrt(dt), axis=1)
    t = np.linspace(0.0, 1.0, steps)
    return walk - t * walk[:, -1:]


def _realised_daily_vol(bars: DailyBars) -> float:
    if len(bars) < 3:
        return _FALLBACK_DAILY_VOL
    vol = float(np.std(np.diff(np.log(bars.close)), ddof=1))
    return vol if np.isfinite(vol) and vol > 0 else _FALLBACK_DAILY_VOL


def _closest_bridges(rng: np.random.Generator, trend: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                     low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """For each day, the candidate bridge whose excursions beyond open/close best match the real wicks.

    Picking a natural-looking candidate keeps the later value map close to the identity, so the path
    is not squashed flat against a bound it overshot by far.
    """
    days, steps = trend.shape
    base = np.maximum(high - low, 1e-12) / _RANGE_PER_SIGMA
    best = trend.copy()
    best_err = np.full(days, np.inf)
    for scale in np.geomspace(0.3, 1.0, _CANDIDATES):
        x = trend + (scale * base)[:, None] * _brownian_bridges(rng, days, steps)
        err = np.abs((lo - x.min(axis=1)) - (lo - low)) + np.abs((x.max(axis=1) - hi) - (high - hi))
        better = err < best_err
        best[better], best_err[better] = x[better], err[better]
    return best


def _tent(steps: int, apex: int, lo_end: int, hi_end: int) -> np.ndarray:
    """A triangle that is 1 at ``apex`` and 0 at and beyond ``lo_end`` and ``hi_end``."""
    j = np.arange(steps, dtype=float)
    up = (j - lo_end) / (apex - lo_end)
    down = (hi_end - j) / (hi_end - apex)
    return np.clip(np.minimum(up, down), 0.0, None)


def _force_extremes(x: np.ndarray, lo: float, hi: float, margin: float, need_low: bool, need_high: bool,
                    u: np.ndarray) -> None:
    """Push one day's log path below ``lo`` and/or above ``hi`` in place, each on its own stretch.

    Each excursion is a triangle over a stretch of the day that excludes the other extreme's tick, so
    pushing one side never undoes the other.
    """
    steps = len(x)
    interior = np.arange(1, steps - 1)
    if need_low and need_high:
        i_low = int(interior[int(u[0] * len(interior))])
        far = interior[np.abs(interior - i_low) >= 2]
        i_high = int(far[int(u[1] * len(far))])
    elif need_low:
        i_high = int(np.argmax(x))
        far = interior[np.abs(interior - i_high) >= 2]
        i_low = int(far[int(u[0] * len(far))])
    else:
        i_low = int(np.argmin(x))
        far = interior[np.abs(interior - i_low) >= 2]
        i_high = int(far[int(u[1] * len(far))])
    mid = (i_low + i_high) // 2
    if need_low:
        ends = (0, mid) if i_low < i_high else (mid, steps - 1)
        x -= (x[i_low] - lo + margin) * _tent(steps, i_low, *ends)
    if need_high:
        ends = (0, mid) if i_high < i_low else (mid, steps - 1)
        x += (hi - x[i_high] + margin) * _tent(steps, i_high, *ends)


def _stretch(x: np.ndarray, x_min: np.ndarray, x_max: np.ndarray, band_lo: np.ndarray, band_hi: np.ndarray,
             low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Monotone piecewise-linear map: x_min -> low, band_lo and band_hi fixed, x_max -> high (per row)."""
    below = np.where(x_min < band_lo, (band_lo - low) / np.where(x_min < band_lo, band_lo - x_min, 1.0), 0.0)
    above = np.where(x_max > band_hi, (high - band_hi) / np.where(x_max > band_hi, x_max - band_hi, 1.0), 0.0)
    out = x.copy()
    lo_part = x < band_lo
    hi_part = x > band_hi
    out[lo_part] = (band_lo - (band_lo - x) * below)[lo_part]
    out[hi_part] = (band_hi + (x - band_hi) * above)[hi_part]
    return out


def intraday_path(bars: DailyBars, steps_per_day: int, rng: np.random.Generator) -> np.ndarray:
    """Intraday prices for every day of ``bars``.

    Args:
        bars: Real (or twin) daily bars.
        steps_per_day: Ticks per day including the opening and closing tick (at least 6).
        rng: Source of randomness; the same seed gives the same paths.

    Returns:
        Array of shape (len(bars), steps_per_day). Column 0 is the day's open and the last column is the
        day's close, both bitwise equal to ``bars``. On days with a real high/low every tick lies in
        [low, high] and, where the range is wider than open/close, some tick equals the high and another
        the low exactly.

    Raises:
        ValueError: steps_per_day below MIN_STEPS_PER_DAY.
    """
    steps = int(steps_per_day)
    if steps < MIN_STEPS_PER_DAY:
        raise ValueError(f"steps_per_day must be at least {MIN_STEPS_PER_DAY}, got {steps_per_day}")
    days = len(bars)
    if days == 0:
        return np.empty((0, steps))
    o, c = np.log(bars.open), np.log(bars.close)
    lo, hi = np.minimum(o, c), np.maximum(o, c)
    low, high = np.log(bars.low), np.log(bars.high)
    real = bars.real_ohlc
    t = np.linspace(0.0, 1.0, steps)
    trend = o[:, None] + (c - o)[:, None] * t
    x = trend + _realised_daily_vol(bars) * _brownian_bridges(rng, days, steps)
    if real.any():
        x[real] = _closest_bridges(rng, trend[real], lo[real], hi[real], low[real], high[real])
    x[:, 0], x[:, -1] = o, c  # exact ends, so the band comparisons below are exact
    picks = rng.random((days, 2))

    need_low = real & (low < lo) & ~(x.min(axis=1) < lo)
    need_high = real & (high > hi) & ~(x.max(axis=1) > hi)
    for d in np.flatnonzero(need_low | need_high):
        margin = 0.25 * (high[d] - low[d])
        _force_extremes(x[d], lo[d], hi[d], margin, bool(need_low[d]), bool(need_high[d]), picks[d])

    mapped = _stretch(x, x.min(axis=1)[:, None], x.max(axis=1)[:, None], lo[:, None], hi[:, None],
                      low[:, None], high[:, None])
    x = np.where(real[:, None], mapped, x)
    path = np.exp(x)
    rows = np.flatnonzero(real)
    path[rows] = np.clip(path[rows], bars.low[rows, None], bars.high[rows, None])
    touch_low = rows[bars.low[rows] < np.minimum(bars.open[rows], bars.close[rows])]
    touch_high = rows[bars.high[rows] > np.maximum(bars.open[rows], bars.close[rows])]
    path[touch_low, np.argmin(x[touch_low], axis=1)] = bars.low[touch_low]
    path[touch_high, np.argmax(x[touch_high], axis=1)] = bars.high[touch_high]
    path[:, 0] = bars.open
    path[:, -1] = bars.close
    return path
