"""Intraday bridges between real daily bars: exact closes, inside the real range, touching it, seeded."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from vbranch.market_sim.bridge import MIN_STEPS_PER_DAY, intraday_path
from vbranch.market_sim.history import DailyBars, read_csv

STEPS = 48


@cache
def _window(directory: Path, name: str, start: str, end: str) -> DailyBars:
    return read_csv(directory / f"{name}.csv").window(start, end)


@pytest.fixture
def crash_1987(market_data_dir) -> DailyBars:
    return _window(market_data_dir, "sp500_daily_1927_2019_fja05680", "1987-08-25", "1987-12-31")


@pytest.fixture
def covid_close_only(market_data_dir) -> DailyBars:
    return _window(market_data_dir, "sp500_daily_fred_2016_2026_datasets", "2020-02-19", "2020-04-30")


def _hand_bars() -> DailyBars:
    """Four days: wicks on both sides, no lower wick, no upper wick, and a flat day."""
    opens = np.array([100.0, 101.0, 97.0, 98.5])
    highs = np.array([104.0, 103.0, 99.0, 98.5])
    lows = np.array([96.0, 101.0, 95.0, 98.5])
    closes = np.array([101.0, 102.0, 99.0, 98.5])
    dates = np.datetime64("2024-01-02") + np.arange(4)
    return DailyBars(dates, opens, highs, lows, closes, True, "hand")


def test_last_tick_is_the_csv_close_bitwise_and_first_tick_the_open(crash_1987, covid_close_only):
    for bars in (crash_1987, covid_close_only):
        path = intraday_path(bars, STEPS, np.random.default_rng(5))
        assert path.shape == (len(bars), STEPS)
        assert path[:, -1].tobytes() == bars.close.tobytes()
        assert path[:, 0].tobytes() == bars.open.tobytes()


@pytest.mark.parametrize("steps", [MIN_STEPS_PER_DAY, 7, STEPS, 390])
def test_ticks_stay_inside_the_real_high_low_and_touch_both(crash_1987, steps):
    bars = crash_1987
    path = intraday_path(bars, steps, np.random.default_rng(11))
    assert np.all(path >= bars.low[:, None]) and np.all(path <= bars.high[:, None])
    lower_wick = bars.low < np.minimum(bars.open, bars.close)
    upper_wick = bars.high > np.maximum(bars.open, bars.close)
    assert lower_wick.sum() > 50 and upper_wick.sum() > 50
    assert np.array_equal(path.min(axis=1)[lower_wick], bars.low[lower_wick])
    assert np.array_equal(path.max(axis=1)[upper_wick], bars.high[upper_wick])


def test_a_day_without_a_wick_never_crosses_its_open_or_close():
    bars = _hand_bars()
    path = intraday_path(bars, STEPS, np.random.default_rng(2))
    assert path[0].min() == 96.0 and path[0].max() == 104.0
    assert path[1].min() == 101.0 and path[1].max() == 103.0  # opened at the low
    assert path[2].max() == 99.0 and path[2].min() == 95.0  # closed at the high
    assert np.all(path[3] == 98.5)


def test_same_seed_same_path_and_other_seed_other_path(crash_1987):
    a = intraday_path(crash_1987, STEPS, np.random.default_rng(3))
    b = intraday_path(crash_1987, STEPS, np.random.default_rng(3))
    c = intraday_path(crash_1987, STEPS, np.random.default_rng(4))
    assert np.array_equal(a, b)
    assert np.mean(a[:, 1:-1] != c[:, 1:-1]) > 0.9


def test_close_only_days_carry_the_series_realised_daily_volatility(covid_close_only):
    bars = covid_close_only
    path = intraday_path(bars, 390, np.random.default_rng(9))
    tick_returns = np.diff(np.log(path), axis=1)
    intraday_vol = np.sqrt(np.mean(np.sum(tick_returns**2, axis=1)))
    realised_vol = np.std(np.diff(np.log(bars.close)), ddof=1)
    assert intraday_vol == pytest.approx(realised_vol, rel=0.1)
    assert np.mean(path.max(axis=1) > bars.high) > 0.5  # noise takes ticks beyond the open/close band


def test_too_few_steps_per_day_is_refused():
    with pytest.raises(ValueError, match=f"at least {MIN_STEPS_PER_DAY}"):
        intraday_path(_hand_bars(), MIN_STEPS_PER_DAY - 1, np.random.default_rng(0))
