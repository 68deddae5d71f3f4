"""Stylised crash twins: measured from the real files, and reproduced by synthetic series with no data."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest

from vbranch.market_sim.history import DailyBars, HistoryError, read_csv
from vbranch.market_sim.twin import (
    EPISODES,
    EpisodeShape,
    calibrate_all,
    load_episode,
    measure_episode,
    stylised_twin,
)

SEEDS = (0, 1, 7, 2024)
HAND_SHAPE = EpisodeShape(depth_pct=30.0, duration_days=20, worst_day_pct=-8.0, vol_annual_pct=45.0,
                          recovery_pct=40.0, days_before=5, days_after=15)


@pytest.fixture(scope="module")
def calibrated(market_data_dir) -> dict[str, EpisodeShape]:
    return calibrate_all(market_data_dir)


def _bars(closes: list[float]) -> DailyBars:
    c = np.array(closes, dtype=float)
    return DailyBars(np.datetime64("2024-01-01") + np.arange(len(c)), c, c, c, c, False, "hand")


def _assert_matches(got: EpisodeShape, want: EpisodeShape) -> None:
    assert (got.duration_days, got.days_before, got.days_after) == \
        (want.duration_days, want.days_before, want.days_after)
    assert got.depth_pct == pytest.approx(want.depth_pct, abs=1e-9)
    assert got.worst_day_pct == pytest.approx(want.worst_day_pct, abs=0.1)
    assert got.vol_annual_pct == pytest.approx(want.vol_annual_pct, rel=0.15)
    assert got.recovery_pct == pytest.approx(want.recovery_pct, abs=2.0)


def test_measure_reads_peak_trough_worst_day_and_recovery_from_closes():
    closes = [100.0, 110.0, 99.0, 88.0, 95.0, 99.0]
    shape = measure_episode(_bars(closes))
    log_returns = np.diff(np.log(closes))
    assert shape.depth_pct == pytest.approx((110 - 88) / 110 * 100)
    assert (shape.days_before, shape.duration_days, shape.days_after) == (1, 2, 2)
    assert shape.worst_day_pct == pytest.approx((88 / 99 - 1) * 100)  # worse than 110 -> 99
    assert shape.vol_annual_pct == pytest.approx(np.std(log_returns, ddof=1) * np.sqrt(252) * 100)
    assert shape.recovery_pct == pytest.approx((99 - 88) / (110 - 88) * 100)


def test_measure_refuses_a_series_that_never_falls():
    with pytest.raises(ValueError, match="never fall"):
        measure_episode(_bars([1.0, 2.0, 3.0]))


def test_calibrated_episodes_show_the_recorded_crash_days(calibrated, market_data_dir):
    assert list(calibrated) == list(EPISODES)
    for episode_id, day_pct in (("black_monday_1987", -20.47), ("china_2015", -8.49),
                                ("china_circuit_breaker_2016", -7.04), ("gfc_2008", -9.03),
                                ("covid_2020", -11.98)):
        assert calibrated[episode_id].worst_day_pct == pytest.approx(day_pct, abs=0.005)
    bars = load_episode("black_monday_1987", market_data_dir)
    assert bars.source == "sp500_daily_1927_2019_fja05680" and bars.has_ohlc
    assert str(bars.dates[np.argmin(bars.close)]) == "1987-12-04"  # the closing low came after Oct 19


@pytest.mark.parametrize("episode_id", list(EPISODES))
@pytest.mark.parametrize("seed", SEEDS)
def test_twin_measures_as_the_calibrated_real_episode(calibrated, episode_id, seed):
    shape = calibrated[episode_id]
    twin = stylised_twin(shape, 100.0, seed)
    assert len(twin) == shape.days
    _assert_matches(measure_episode(twin), shape)


@pytest.mark.parametrize("seed", SEEDS)
def test_twin_of_a_hand_written_shape_needs_no_data(seed):
    _assert_matches(measure_episode(stylised_twin(HAND_SHAPE, 3000.0, seed)), HAND_SHAPE)


def test_twin_is_deterministic_by_seed():
    a, b = stylised_twin(HAND_SHAPE, 100.0, 5), stylised_twin(HAND_SHAPE, 100.0, 5)
    c = stylised_twin(HAND_SHAPE, 100.0, 6)
    for field in ("dates", "open", "high", "low", "close"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.close, c.close)


def test_twin_bars_are_consistent_ohlc_on_business_days():
    twin = stylised_twin(HAND_SHAPE, 250.0, 3, start_date="2024-03-01")
    assert twin.source == "stylised twin" and twin.has_ohlc
    assert twin.close[0] == 250.0
    assert str(twin.dates[0]) == "2024-03-01" and np.all(np.is_busday(twin.dates))
    assert np.all(twin.high >= np.maximum(twin.open, twin.close))
    assert np.all(twin.low <= np.minimum(twin.open, twin.close))


@pytest.mark.parametrize(("change", "match"), [
    ({"worst_day_pct": -35.0}, "deeper than the fall"),
    ({"days_after": 0}, "recovery needs"),
    ({"vol_annual_pct": 5.0}, "alone give"),
])
def test_impossible_shapes_are_refused(change, match):
    with pytest.raises(ValueError, match=match):
        stylised_twin(dataclasses.replace(HAND_SHAPE, **change), 100.0, 0)


def test_shape_round_trips_through_a_dict_and_names_bad_fields():
    assert EpisodeShape.from_dict(HAND_SHAPE.to_dict()) == HAND_SHAPE
    assert EpisodeShape.from_dict({**HAND_SHAPE.to_dict(), "depth_pct": 30}).depth_pct == 30.0
    bad = {**HAND_SHAPE.to_dict(), "depth": 30.0, "days_after": 1.5}
    del bad["depth_pct"]
    with pytest.raises(ValueError) as err:
        EpisodeShape.from_dict(bad)
    message = str(err.value)
    assert "unknown field 'depth' (did you mean 'depth_pct'?)" in message
    assert "missing field 'depth_pct'" in message
    assert "field 'days_after' must be an integer" in message
    with pytest.raises(ValueError, match="recovery_pct=120"):
        dataclasses.replace(HAND_SHAPE, recovery_pct=120.0)


def test_load_episode_skips_a_source_that_does_not_cover_the_window(market_data_dir, tmp_path):
    (tmp_path / "sp500.csv").write_text("Date,Close\n2019-12-30,3221.29\n2019-12-31,3230.78\n")
    fred = "sp500_daily_fred_2016_2026_datasets"
    os.symlink(market_data_dir / f"{fred}.csv", tmp_path / f"{fred}.csv")
    bars = load_episode("covid_2020", tmp_path)
    expected = read_csv(market_data_dir / f"{fred}.csv").window("2020-02-19", "2020-04-30")
    assert bars.source == fred
    assert np.array_equal(bars.close, expected.close)
    with pytest.raises(HistoryError, match="black_monday_1987: none of sp500.csv"):
        calibrate_all(tmp_path)
