"""Scenario files: every shipped one loads; bad files fail naming file, field and reason; replays replay."""

import csv
from pathlib import Path

import numpy as np
import pytest

from vbranch.market_sim.market import Market
from vbranch.market_sim.twin import measure_episode
from vbranch.scenes.scenario import ScenarioError, list_scenarios, load_scenario

REPLAYS = ["black_monday_1987", "gfc_2008", "china_2015", "china_circuit_breaker_2016", "covid_2020"]


def test_every_shipped_scenario_loads_with_both_languages():
    scenarios = {s.id: s for s in list_scenarios()}
    assert {"bull", "bear", "sideways", "crash", *REPLAYS} <= set(scenarios)
    for scenario in scenarios.values():
        assert scenario.title["zh"] != scenario.title["en"]


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(body, "utf-8")
    return path


BASE = '''id = "x"
kind = "simulated"
market = "CN"
title = { zh = "测试", en = "Test" }
summary = { zh = "测试", en = "Test" }
days = 5
[process]
regimes = [ { name = "bull", drift_annual = 0.1 } ]
transition_per_day = [[1.0]]
'''


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (lambda b: b.replace('market = "CN"', 'market = "JP"'), "market", "must be 'CN' or 'US'"),
        (lambda b: b.replace("days = 5", "days = 0"), "days", ">= 1"),
        (lambda b: b.replace("days = 5", 'days = "five"'), "days", "expected int"),
        (lambda b: b.replace('en = "Test" }\nsummary', 'en = "" }\nsummary'), "title.en", "missing or empty"),
        (lambda b: b + "colour = 3\n", "process", "unknown"),
        (lambda b: b.replace("drift_annual = 0.1", "drift_annual = 0.1, vol_scale = -1"), "process", "vol_scale"),
        (lambda b: b.replace("[[1.0]]", "[[0.5]]"), "process", ""),
        (lambda b: b.replace("[process]", "[rules]\nlot_size = 0\n[process]"), "rules", "lot_size"),
        (lambda b: b.replace('id = "x"', 'id = "y"'), "id", "must match the file name"),
        (lambda b: b.replace("days = 5", "days = 5\nseconds_per_day = -2"), "seconds_per_day", "> 0"),
    ],
)
def test_bad_scenario_files_name_the_file_the_field_and_the_reason(tmp_path, edit, field, reason):
    path = write(tmp_path, "x", edit(BASE))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.path == str(path)
    assert err.value.field.startswith(field) or field in str(err.value)
    assert reason in str(err.value)


def test_broken_toml_and_unknown_ids_are_clear_errors(tmp_path):
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(write(tmp_path, "x", "id = "))
    with pytest.raises(ScenarioError, match="no such scenario"):
        load_scenario("moon_landing")


def _csv_closes(path: Path, start: str, end: str) -> dict[str, float]:
    """Read the raw CSV independently of the loader: date -> close, blanks skipped."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip().lower() for h in rows[0]]
    i_date = next(i for i, h in enumerate(header) if h in ("date", "observation_date"))
    i_close = next(i for i, h in enumerate(header) if h in ("close", "sp500"))
    return {r[i_date][:10]: float(r[i_close]) for r in rows[1:] if start <= r[i_date][:10] <= end and r[i_close]}


@pytest.mark.parametrize("scenario_id", ["black_monday_1987", "china_2015", "covid_2020"])
def test_real_replay_daily_closes_equal_the_csv(market_data_dir, scenario_id):
    scenario = load_scenario(scenario_id)
    config = scenario.market_config(market_data_dir)
    assert config.replay.kind == "real"
    market = Market(config, seed=1)
    market.run_days(config.days)
    bars = market.history[config.universe.index.symbol]
    from vbranch.market_sim.twin import EPISODES

    episode = EPISODES[scenario_id]
    expected = _csv_closes(market_data_dir / config.replay.source_name, episode.start, episode.end)
    dates = [str(d) for d in config.replay.bars.dates]
    assert len(bars) == len(dates) == len(expected)
    for date, bar in zip(dates, bars, strict=True):
        assert bar.close == expected[date], date
    labels = [key for key, _ in market.data_labels]
    assert labels == ["label.real_replay", "label.interpolated"]


def test_black_monday_replay_falls_20_percent_in_a_day_with_no_breaker(market_data_dir):
    config = load_scenario("black_monday_1987").market_config(market_data_dir)
    market = Market(config, seed=0)
    seen = []
    market.bus.subscribe(seen.append)
    market.run_days(config.days)
    closes = np.array([bar.close for bar in market.history["SPX"]])
    assert np.min(closes[1:] / closes[:-1] - 1) == pytest.approx(-0.2047, abs=1e-3)
    assert not [e for e in seen if e.kind == "halt"]


def test_replay_without_data_uses_the_labelled_twin_calibrated_to_the_real_episode(tmp_path, monkeypatch):
    monkeypatch.setenv("VBRANCH_DATA", str(tmp_path))  # an empty data directory
    scenario = load_scenario("covid_2020")
    config = scenario.market_config()
    assert config.replay.kind == "twin"
    assert [key for key, _ in config.data_labels] == ["label.stylised_twin", "label.simulated"]
    shape = measure_episode(config.replay.bars)
    assert shape.depth_pct == pytest.approx(scenario.raw["twin"]["depth_pct"], abs=0.5)
    assert shape.worst_day_pct == pytest.approx(scenario.raw["twin"]["worst_day_pct"], abs=0.1)
    assert shape.duration_days == scenario.raw["twin"]["duration_days"]


@pytest.mark.parametrize("scenario_id", REPLAYS)
def test_shipped_twin_numbers_match_the_real_series(market_data_dir, scenario_id):
    scenario = load_scenario(scenario_id)
    real = measure_episode(scenario.market_config(market_data_dir).replay.bars)
    twin = scenario.raw["twin"]
    assert real.depth_pct == pytest.approx(twin["depth_pct"], abs=0.01)
    assert real.worst_day_pct == pytest.approx(twin["worst_day_pct"], abs=0.01)
    assert real.duration_days == twin["duration_days"]
