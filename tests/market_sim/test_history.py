"""Reading real daily index CSVs: every shared file loads, closes are the file's closes, bad rows named."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from vbranch.market_sim.history import DailyBars, HistoryError, data_dir, find_source, import_csv, read_csv

DAILY_FILES = {
    # name: (date column, close column) as written in the raw file, for the independent csv-module reads
    "sp500_daily_1927_2019_fja05680": ("Date", "Close"),
    "djia_daily_1885_2019_fja05680": ("", "Close"),
    "us_market_daily_1885_2023_steelcerberus": ("Date", "Close"),
    "sp500_daily_fred_2016_2026_datasets": ("observation_date", "SP500"),
    "djia_daily_1885_2023_stevedata": ("date", "value"),
    "sse_composite_daily_1990_2021_pedquant": ("date", "close"),
    "vix_daily_1990_2026_datasets": ("DATE", "CLOSE"),
}
FJA = "sp500_daily_1927_2019_fja05680"
VIX = "vix_daily_1990_2026_datasets"


@cache
def _bars(directory: Path, name: str) -> DailyBars:
    return read_csv(directory / f"{name}.csv")


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _day_return_pct(bars: DailyBars, day: str) -> float:
    i = int(np.flatnonzero(bars.dates == np.datetime64(day))[0])
    return float((bars.close[i] / bars.close[i - 1] - 1.0) * 100.0)


@pytest.mark.parametrize("name", sorted(DAILY_FILES))
def test_every_shared_daily_file_loads_sorted_with_one_row_per_non_blank_close(market_data_dir, name):
    date_col, close_col = DAILY_FILES[name]
    raw = _raw_rows(market_data_dir / f"{name}.csv")
    non_blank = [r for r in raw if r[close_col].strip()]
    bars = _bars(market_data_dir, name)
    assert len(bars) == len(non_blank)
    assert np.all(np.diff(bars.dates.astype(np.int64)) > 0)
    assert bars.dates[0] == np.datetime64(min(r[date_col] for r in non_blank))
    assert bars.dates[-1] == np.datetime64(max(r[date_col] for r in non_blank))
    assert np.all(bars.close > 0)
    assert np.all(bars.low <= np.minimum(bars.open, bars.close))
    assert np.all(bars.high >= np.maximum(bars.open, bars.close))


def test_fred_blank_holidays_are_skipped_and_close_only_rows_open_at_previous_close(market_data_dir):
    name = "sp500_daily_fred_2016_2026_datasets"
    raw = _raw_rows(market_data_dir / f"{name}.csv")
    blank_days = [r["observation_date"] for r in raw if not r["SP500"].strip()]
    bars = _bars(market_data_dir, name)
    assert len(blank_days) > 50
    assert not np.isin(np.array(blank_days, dtype="datetime64[D]"), bars.dates).any()
    assert not bars.has_ohlc
    assert np.array_equal(bars.open[1:], bars.close[:-1])
    assert np.array_equal(bars.high, np.maximum(bars.open, bars.close))
    assert np.array_equal(bars.low, np.minimum(bars.open, bars.close))


def test_replay_window_prices_equal_the_csv_text_exactly(market_data_dir):
    raw = [r for r in _raw_rows(market_data_dir / f"{FJA}.csv") if "1987-10-01" <= r["Date"] <= "1987-10-31"]
    window = _bars(market_data_dir, FJA).window("1987-10-01", "1987-10-31")
    assert len(window) == len(raw) > 15
    assert window.dates.astype(str).tolist() == [r["Date"] for r in raw]
    for column, values in (("Close", window.close), ("Open", window.open), ("High", window.high),
                           ("Low", window.low)):
        assert np.array_equal(values, np.array([float(r[column]) for r in raw]))


def test_black_monday_is_minus_20_47_pct_on_both_sp500_files(market_data_dir):
    for name in (FJA, "us_market_daily_1885_2023_steelcerberus"):
        assert _day_return_pct(_bars(market_data_dir, name), "1987-10-19") == pytest.approx(-20.47, abs=0.005)
    assert _day_return_pct(_bars(market_data_dir, "djia_daily_1885_2023_stevedata"), "1987-10-19") \
        == pytest.approx(-22.61, abs=0.005)


def test_sse_crash_days_match_the_recorded_falls(market_data_dir):
    sse = _bars(market_data_dir, "sse_composite_daily_1990_2021_pedquant")
    assert _day_return_pct(sse, "2015-08-24") == pytest.approx(-8.49, abs=0.005)
    assert _day_return_pct(sse, "2016-01-04") == pytest.approx(-6.86, abs=0.005)
    assert _day_return_pct(sse, "2016-01-07") == pytest.approx(-7.04, abs=0.005)


def test_fja_sp500_has_real_ohlc_only_from_1962(market_data_dir):
    bars = _bars(market_data_dir, FJA)
    assert not bars.window("1950-01-01", "1950-12-31").has_ohlc
    october_1987 = bars.window("1987-10-19", "1987-10-19")
    assert october_1987.has_ohlc
    assert (october_1987.open[0], october_1987.low[0]) == pytest.approx((282.70, 224.83), abs=0.005)


def test_vix_stale_opens_are_clamped_into_the_range_and_strict_mode_names_the_line(market_data_dir):
    path = market_data_dir / f"{VIX}.csv"
    bad_lines = [line for line, r in enumerate(_raw_rows(path), start=2)
                 if not float(r["LOW"]) <= float(r["OPEN"]) <= float(r["HIGH"])]
    bars = _bars(market_data_dir, VIX)
    assert bars.repaired_lines == tuple(bad_lines)
    assert np.all((bars.open >= bars.low) & (bars.open <= bars.high))
    with pytest.raises(HistoryError, match=rf"{VIX}\.csv line {bad_lines[0]}: open"):
        read_csv(path, strict=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("row", "reason"), [
    ("2020-01-03,101,99,100,102", "close 102.0 outside low 99.0 .. high 101.0"),
    ("2020-01-03,101,102,100,101", "high 101.0 < low 102.0"),
    ("2020-01-03,101,99,100,-5", "non-positive price close=-5"),
    ("2020-01-03,101,99,abc,100", "open 'abc' is not a number"),
    ("03/01/2020,101,99,100,100", "is not YYYY-MM-DD"),
])
def test_bad_row_raises_naming_file_line_and_reason(tmp_path, row, reason):
    path = _write(tmp_path / "bad.csv", f"Date,High,Low,Open,Close\n2020-01-01,10,9,9.5,9.8\n\n{row}\n")
    with pytest.raises(HistoryError) as err:
        read_csv(path)
    assert str(err.value).startswith("bad.csv line 4: ")
    assert reason in str(err.value)


def test_columns_are_found_case_insensitively_and_close_wins_over_adj_close(tmp_path):
    text = ",HIGH,low,Adj Close,close\n2020-01-02,12,9,1.0,11\n2020-01-01,11,9,1.0,10\n"
    path = _write(tmp_path / "x.csv", text)
    bars = read_csv(path)
    assert bars.dates.astype(str).tolist() == ["2020-01-01", "2020-01-02"]
    assert bars.close.tolist() == [10.0, 11.0]
    assert not bars.has_ohlc  # no Open column: open is the previous close
    assert bars.open.tolist() == [10.0, 10.0]


def test_adj_close_is_used_only_when_nothing_else_exists(tmp_path):
    bars = read_csv(_write(tmp_path / "a.csv", "Date,Adj Close\n2020-01-01,5.5\n2020-01-02,6\n"))
    assert bars.close.tolist() == [5.5, 6.0]


def test_duplicate_dates_keep_the_first_row_and_rows_are_sorted(tmp_path):
    text = "Date,Close\n2020-01-03,30\n2020-01-01,10\n2020-01-03,33\n2020-01-02,20\n"
    path = _write(tmp_path / "d.csv", text)
    bars = read_csv(path)
    assert bars.close.tolist() == [10.0, 20.0, 30.0]


def test_rows_with_equal_ohlc_are_treated_as_close_only(tmp_path):
    path = _write(tmp_path / "f.csv", "Date,Open,High,Low,Close\n2020-01-01,10,10,10,10\n"
                                      "2020-01-02,11,11,11,11\n2020-01-03,11.5,12.5,10.5,12\n")
    bars = read_csv(path)
    assert bars.real_ohlc.tolist() == [False, False, True]
    assert bars.open.tolist() == [10.0, 10.0, 11.5]
    assert bars.window("2020-01-01", "2020-01-02").has_ohlc is False
    assert bars.window("2020-01-02", "2020-01-03").has_ohlc is True


def test_window_without_trading_days_raises(tmp_path):
    bars = read_csv(_write(tmp_path / "w.csv", "Date,Close\n2020-01-03,30\n2020-01-06,31\n"))
    assert len(bars.window("2020-01-04", "2020-01-06")) == 1
    with pytest.raises(HistoryError, match="no trading days in 2020-01-04..2020-01-05"):
        bars.window("2020-01-04", "2020-01-05")


def test_daily_returns_are_simple_close_to_close(tmp_path):
    bars = read_csv(_write(tmp_path / "r.csv", "Date,Close\n2020-01-01,100\n2020-01-02,110\n2020-01-03,99\n"))
    assert bars.daily_returns() == pytest.approx([0.10, 99 / 110 - 1])


def test_data_dir_comes_from_vbranch_data(monkeypatch, tmp_path):
    monkeypatch.setenv("VBRANCH_DATA", str(tmp_path / "market"))
    assert data_dir() == tmp_path / "market"
    monkeypatch.delenv("VBRANCH_DATA")
    assert data_dir().name == "market" and "vbranch" in str(data_dir())


def test_find_source_returns_the_first_existing_name(tmp_path):
    _write(tmp_path / "second.csv", "Date,Close\n2020-01-01,1\n")
    _write(tmp_path / "third.csv", "Date,Close\n2020-01-01,1\n")
    assert find_source(("first", "second", "third"), tmp_path) == tmp_path / "second.csv"
    assert find_source(("first",), tmp_path) is None


def test_import_copies_bytes_and_refuses_to_overwrite(monkeypatch, tmp_path):
    monkeypatch.setenv("VBRANCH_DATA", str(tmp_path / "data"))
    src = _write(tmp_path / "mine.csv", "Date,Close\n2020-01-01,10\n2020-01-02,11\n2020-01-03,12\n")
    dest = import_csv(src, "sp500")
    assert dest == tmp_path / "data" / "sp500.csv"
    assert dest.read_bytes() == src.read_bytes()
    assert find_source(("sse", "sp500")) == dest
    newer = _write(tmp_path / "newer.csv", "Date,Close\n2020-01-01,20\n2020-01-02,21\n")
    with pytest.raises(HistoryError, match="already exists"):
        import_csv(newer, "sp500")
    assert dest.read_bytes() == src.read_bytes()
    import_csv(newer, "sp500", overwrite=True)
    assert dest.read_bytes() == newer.read_bytes()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["sp500.csv"]  # no temp files left


@pytest.mark.parametrize("name", ["SP500", "sp-500", "sp500.csv", "", "../sp500"])
def test_import_rejects_bad_names(tmp_path, name):
    src = _write(tmp_path / "ok.csv", "Date,Close\n2020-01-01,10\n")
    with pytest.raises(HistoryError, match="must match"):
        import_csv(src, name, tmp_path / "data")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("text", "match"), [
    ("hello world\n", "no date column"),
    ("Date,Close\n2020-01-01,10\n2020-01-02,0\n", "line 3: non-positive"),
    ("Date,Close\n", "no rows"),
])
def test_import_rejects_unreadable_files_and_copies_nothing(tmp_path, text, match):
    src = _write(tmp_path / "bad.csv", text)
    with pytest.raises(HistoryError, match=match):
        import_csv(src, "sp500", tmp_path / "data")
    assert not (tmp_path / "data" / "sp500.csv").exists()


def test_import_rejects_monthly_data(market_data_dir, tmp_path):
    with pytest.raises(HistoryError, match="not daily data"):
        import_csv(market_data_dir / "sp500_monthly_shiller_1871_2026_datasets.csv", "sp500", tmp_path)


def test_import_of_a_missing_file_names_it(tmp_path):
    with pytest.raises(HistoryError, match="nope.csv: cannot read"):
        import_csv(tmp_path / "nope.csv", "sp500", tmp_path)


def test_bars_whose_range_misses_the_close_cannot_be_built():
    days = np.datetime64("2024-01-02") + np.arange(2)
    with pytest.raises(ValueError, match="must contain"):
        DailyBars(days, [10.0, 10.0], [11.0, 10.5], [9.0, 9.5], [10.5, 10.8], True, "hand")
    with pytest.raises(ValueError, match="positive"):
        DailyBars(days, [10.0, 0.0], [11.0, 10.5], [9.0, 0.0], [10.5, 0.0], True, "hand")
