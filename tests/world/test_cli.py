"""The ``vbranch`` command as a user runs it: a real subprocess, real files."""

import json
import os
import subprocess
import sys

import pytest


def vbranch(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vbranch.world.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_every_subcommand_has_help():
    for args in (["--help"], ["scenario", "--help"], ["scenario", "simulate", "--help"], ["data", "import", "--help"],
                 ["bench", "market", "--help"], ["run", "--help"]):
        result = vbranch(*args)
        assert result.returncode == 0, args
        assert "usage:" in result.stdout


def test_scenario_list_json_names_every_scenario_in_both_languages():
    result = vbranch("scenario", "list", "--json")
    rows = json.loads(result.stdout)
    ids = {row["id"] for row in rows}
    assert {"bull", "bear", "sideways", "crash", "covid_2020"} <= ids
    assert all(row["title"]["zh"] and row["title"]["en"] for row in rows)


def test_scenario_show_says_prices_are_simulated():
    assert "Simulated prices" in vbranch("scenario", "show", "crash").stdout
    assert "模拟行情" in vbranch("scenario", "show", "crash", "--lang", "zh").stdout


def test_simulate_crash_writes_a_chart_and_reports_the_crash(tmp_path):
    out = tmp_path / "crash.png"
    result = vbranch("scenario", "simulate", "crash", "--seed", "3", "--plot", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["events"]["crash_started"] >= 1 and summary["events"]["limit_hit"] >= 1
    assert summary["demo_learner"]["trades"] >= 2  # the entry and its stop-loss
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_simulate_is_deterministic_by_seed():
    first = vbranch("scenario", "simulate", "bull", "--seed", "5", "--days", "5", "--json").stdout
    second = vbranch("scenario", "simulate", "bull", "--seed", "5", "--days", "5", "--json").stdout
    assert json.loads(first) == json.loads(second)


def test_data_import_copies_a_users_csv_and_replays_then_use_it(tmp_path, market_data_dir):
    source = market_data_dir / "sp500_daily_fred_2016_2026_datasets.csv"
    env = {"VBRANCH_DATA": str(tmp_path / "data")}
    result = vbranch("data", "import", str(source), "--as", "sp500", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "sp500.csv").read_bytes() == source.read_bytes()
    again = vbranch("data", "import", str(source), "--as", "sp500", env=env)
    assert again.returncode == 2 and "already exists" in again.stderr
    status = json.loads(vbranch("data", "status", "--json", env=env).stdout)
    uses = {row["episode"]: row["uses"] for row in status["episodes"]}
    assert uses["covid_2020"] == "real" and uses["china_2015"] == "stylised twin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scenario", "show", "atlantis"], "no such scenario"),
        (["data", "import", "/nonexistent.csv", "--as", "x"], "nonexistent"),
        (["data", "import", "/etc/hostname", "--as", "Bad Name"], "must match"),
    ],
)
def test_bad_input_is_one_clear_error_line_not_a_traceback(args, message):
    result = vbranch(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_bench_market_prints_one_json_object_with_the_throughputs():
    result = vbranch("bench", "market", "--quick", "--json")
    numbers = json.loads(result.stdout)
    assert numbers["instrument_steps_per_s"] > 0 and numbers["orders_per_s"] > 0
    assert numbers["market_step_quote"]["ms_per_step"] > 0


def test_run_with_no_display_says_so_in_one_line_and_how_to_render_offscreen():
    result = vbranch("run", "--lang", "en", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("No display") and "--offscreen" in lines[-1]
    assert "Traceback" not in result.stderr


def test_run_vr_without_an_openxr_runtime_is_a_clear_error():
    result = vbranch("run", "--vr", "--lang", "en")
    assert result.returncode == 2
    assert "no OpenXR runtime is available" in result.stderr and "Traceback" not in result.stderr


def test_run_screenshot_needs_frames():
    result = vbranch("run", "--offscreen", "--screenshot", "x.png")
    assert result.returncode == 2 and "--frames" in result.stderr
