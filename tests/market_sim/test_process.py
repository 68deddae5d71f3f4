"""Behaviour of the regime-switching GARCH price process: determinism, stylised facts, jumps, validation."""

import dataclasses

import numpy as np
import pytest

from vbranch.market_sim.instruments import CN_UNIVERSE, US_UNIVERSE
from vbranch.market_sim.process import (
    Jump,
    PriceProcess,
    ProcessSpec,
    Regime,
    bench_instrument_steps,
    build_model,
    preset_spec,
    simulate_paths,
)

STEPS = 8  # intraday steps per day: small keeps the suite fast, large enough to exercise intraday logic
VOLATILE = ProcessSpec((Regime("volatile", 0.0, 2.0),), ((1.0,),))


def _daily_log_returns(prices: np.ndarray, start: np.ndarray, steps: int = STEPS) -> np.ndarray:
    closes = np.vstack([start, prices[steps - 1::steps]])
    return np.diff(np.log(closes), axis=0)


def _daily_cn(spec: ProcessSpec, n_days: int, seed: int) -> np.ndarray:
    prices = simulate_paths(spec, CN_UNIVERSE, n_days * STEPS, STEPS, seed)
    return _daily_log_returns(prices, _start(CN_UNIVERSE))


def _acf1(x: np.ndarray) -> float:
    x = x - x.mean()
    return float((x[:-1] * x[1:]).sum() / (x * x).sum())


def _start(universe) -> np.ndarray:
    return np.array([i.start_price for i in universe])


def test_same_seed_gives_same_path():
    a = PriceProcess(preset_spec("crash"), CN_UNIVERSE, STEPS, seed=7).simulate(20 * STEPS)
    b = PriceProcess(preset_spec("crash"), CN_UNIVERSE, STEPS, seed=7).simulate(20 * STEPS)
    assert np.array_equal(a, b)


def test_different_seed_gives_different_path():
    a = PriceProcess(preset_spec("bull"), CN_UNIVERSE, STEPS, seed=1).simulate(3 * STEPS)
    b = PriceProcess(preset_spec("bull"), CN_UNIVERSE, STEPS, seed=2).simulate(3 * STEPS)
    assert np.abs(np.log(a / b)).max() > 1e-3


def test_step_by_step_matches_simulate_and_batch_function():
    spec = preset_spec("crash")
    batch = PriceProcess(spec, US_UNIVERSE, STEPS, seed=3)
    whole = batch.simulate(9 * STEPS + 3)
    stepper = PriceProcess(spec, US_UNIVERSE, STEPS, seed=3)
    parts = [stepper.step() for _ in range(5)]
    parts.extend(stepper.simulate(2 * STEPS + 1))
    parts.extend(stepper.step() for _ in range(7 * STEPS + 3 - 5 - 1))
    assert np.array_equal(np.array(parts), whole)
    assert (stepper.day, stepper.step_in_day) == (batch.day, batch.step_in_day) == (9, 3)
    assert stepper.regime_name == batch.regime_name == spec.regime_names[batch.regime]
    assert np.array_equal(stepper.prices, whole[-1])
    batch_fn = simulate_paths(spec, US_UNIVERSE, 9 * STEPS + 3, STEPS, seed=3)
    assert np.allclose(batch_fn, whole, rtol=1e-13, atol=0)


def test_process_reports_start_prices_day_and_regime_before_and_during_a_day():
    proc = PriceProcess(preset_spec("sideways"), CN_UNIVERSE, STEPS, seed=0)
    assert np.array_equal(proc.prices, _start(CN_UNIVERSE))
    assert (proc.day, proc.step_in_day, proc.regime_name) == (0, 0, "sideways")
    proc.simulate(STEPS + 2)
    assert (proc.day, proc.step_in_day) == (1, 2)


def test_daily_returns_have_fat_tails_and_little_linear_autocorrelation():
    kurtosis, acf = [], []
    for seed in range(5):
        r = _daily_cn(VOLATILE, 1000, seed)
        x = r[:, 0] - r[:, 0].mean()
        kurtosis.append(float((x**4).mean() / (x**2).mean() ** 2))
        acf.append(_acf1(r[:, 0]))
    assert min(kurtosis) > 3.0
    assert abs(np.mean(acf)) < 0.1


def test_garch_makes_absolute_daily_returns_cluster():
    no_garch = dataclasses.replace(VOLATILE, garch_a=0.0, garch_b=0.0)
    with_garch, without = [], []
    for seed in range(5):
        for spec, out in ((VOLATILE, with_garch), (no_garch, without)):
            r = _daily_cn(spec, 1000, seed)
            out.append(_acf1(np.abs(r[:, 0])))
    assert np.mean(with_garch) > 0.05
    assert np.mean(with_garch) > np.mean(without) + 0.04


def test_crash_preset_drops_beta_one_index_about_twenty_percent_on_day_five():
    day5 = []
    for seed in range(8):
        r = np.expm1(_daily_cn(preset_spec("crash"), 6, seed))
        assert np.abs(r[:5, 0]).max() < 0.06  # calm before the storm
        day5.append(r[5])
    day5 = np.array(day5)
    assert abs(day5[:, 0].mean() + 0.20) < 0.03
    assert day5[:, 0].max() < -0.10
    assert day5[:, 1].mean() < day5[:, 0].mean() - 0.03  # beta 1.3 falls harder than beta 1
    assert day5[:, 4].mean() > 0.0  # the negative-beta bond fund rises


def test_open_jump_gaps_at_first_step_and_named_symbols_move_alone():
    calm = ProcessSpec((Regime("calm", 0.0, 0.01),), ((1.0,),),
                       jumps=(Jump(2, -10.0, symbols=("600519",), profile="open"),))
    prices = PriceProcess(calm, CN_UNIVERSE, STEPS, seed=0).simulate(3 * STEPS)
    moutai = CN_UNIVERSE.position("600519")
    first_step = prices[2 * STEPS] / prices[2 * STEPS - 1] - 1
    assert first_step[moutai] == pytest.approx(-0.10, abs=0.005)
    assert np.abs(np.delete(first_step, moutai)).max() < 0.005


def test_jump_kicks_volatility_up_after_the_crash():
    spec = preset_spec("crash")
    unkicked = dataclasses.replace(spec, jump_vol_kick=0.0)
    ratios = []
    for seed in range(4):
        vols = [np.std(_daily_cn(s, 16, seed)[6:, 0]) for s in (spec, unkicked)]
        ratios.append(vols[0] / vols[1])
    assert min(ratios) > 1.2


def test_high_beta_equities_correlate_and_negative_beta_bond_does_not():
    r = _daily_log_returns(simulate_paths(preset_spec("bull"), US_UNIVERSE, 500 * STEPS, STEPS, seed=4),
                           _start(US_UNIVERSE))
    corr = np.corrcoef(r.T)
    spy, qqq, jpm, tlt = (US_UNIVERSE.position(s) for s in ("SPY", "QQQ", "JPM", "TLT"))
    assert corr[qqq, jpm] > 0.5
    assert corr[spy, qqq] > 0.7
    assert corr[tlt, spy] < 0.05


def test_explicit_correlation_matrix_is_reproduced_in_daily_returns():
    pair = CN_UNIVERSE.subset(("516160", "518880"))  # beta 1.3 vs beta 0: uncorrelated by default
    spec = dataclasses.replace(VOLATILE, correlation=((1.0, -0.6), (-0.6, 1.0)))
    r = _daily_log_returns(simulate_paths(spec, pair, 600 * STEPS, STEPS, seed=5), _start(pair))
    assert np.corrcoef(r.T)[0, 1] == pytest.approx(-0.6, abs=0.08)


def test_bull_preset_drifts_above_bear_preset_on_average_over_seeds():
    start = CN_UNIVERSE.index.start_price  # 250 days of 2 steps; the index is the first instrument
    growth = {}
    for name in ("bull", "bear"):
        finals = [simulate_paths(preset_spec(name), CN_UNIVERSE, 500, 2, seed)[-1, 0] for seed in range(20)]
        growth[name] = float(np.mean(np.log(np.array(finals) / start)))
    assert growth["bull"] > 0.0 > growth["bear"]
    assert growth["bull"] > growth["bear"] + 0.2


def test_sideways_mean_reversion_keeps_log_price_in_a_tighter_band_than_a_random_walk():
    twins = tuple(dataclasses.replace(CN_UNIVERSE.get("510300"), symbol=f"X{k}") for k in range(60))
    identity = tuple(tuple(float(i == j) for j in range(60)) for i in range(60))
    spreads = {}
    for kappa in (8.0, 0.0):
        spec = ProcessSpec((Regime("flat", 0.0, 1.0, mean_reversion_per_year=kappa),), ((1.0,),),
                           correlation=identity)
        final = simulate_paths(spec, twins, 250 * 2, 2, seed=6)[-1]
        spreads[kappa] = float(np.var(np.log(final / 4.0)))
    assert spreads[8.0] < spreads[0.0] / 4


def test_money_fund_keeps_accruing_carry_in_a_mean_reverting_market():
    final = simulate_paths(preset_spec("sideways"), CN_UNIVERSE, 250 * 2, 2, seed=8)[-1]
    mmf = CN_UNIVERSE.get("511880")
    growth = np.log(final[CN_UNIVERSE.position("511880")] / mmf.start_price)
    assert growth == pytest.approx(mmf.carry_annual * 250 / 252, abs=0.006)


def test_regime_scales_drift_by_beta_and_vol_by_capped_abs_beta():
    spec = preset_spec("bull")
    model = build_model(spec, CN_UNIVERSE, STEPS)
    dt_years = 1.0 / (spec.trading_days_per_year * STEPS)
    bear = spec.regime_names.index("bear")
    for k, inst in enumerate(CN_UNIVERSE):
        expected_vol = inst.vol_annual * (1 + (spec.regimes[bear].vol_scale - 1) * min(1.0, abs(inst.beta)))
        assert model.sig_step[bear, k] == pytest.approx(expected_vol * np.sqrt(dt_years))
        expected_drift = inst.beta * spec.regimes[bear].drift_annual + inst.carry_annual
        assert model.mu_step[bear, k] == pytest.approx(expected_drift * dt_years)
    bond = CN_UNIVERSE.position("511010")
    assert model.sig_step[bear, bond] / model.sig_step[0, bond] < 1.05


def test_from_dict_accepts_named_transition_rows_and_matches_list_form():
    spec = ProcessSpec.from_dict({
        "regimes": {"up": {"drift_annual": 0.1}, "down": {"drift_annual": -0.2, "vol_scale": 1.5}},
        "transition_per_day": {"up": {"up": 0.9, "down": 0.1}, "down": {"down": 1.0}},
        "jumps": [{"day": 3, "size_pct": -15, "symbols": ["SPY"], "profile": "open"}],
        "initial_regime": "down",
    })
    assert spec.regimes == (Regime("up", 0.1), Regime("down", -0.2, 1.5))
    assert spec.transition_per_day == ((0.9, 0.1), (0.0, 1.0))
    assert spec.jumps == (Jump(3, -15.0, ("SPY",), "open"),)
    assert spec.initial_regime == "down"


@pytest.mark.parametrize(("data", "message"), [
    ({"regimes": [{"name": "a", "drift_annual": 0, "vol_scale": -1}], "transition_per_day": [[1]]},
     "vol_scale must be >= 0"),
    ({"regimes": [{"name": "a", "drift_annual": 0}, {"name": "b", "drift_annual": 0}],
      "transition_per_day": [[0.5, 0.4], [0, 1]]}, "row 'a' sums to 0.9"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]], "t_dof": 2}, "t_dof"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]], "garch_a": 0.1,
      "garch_b": 0.9}, "garch_a"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]],
      "jumps": [{"day": -1, "size_pct": -5}]}, "Jump.day"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]],
      "jumps": [{"day": 1, "size_pct": -100}]}, "size_pct"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]],
      "jumps": [{"day": 1, "size_pct": -5, "regime_after": "zzz"}]}, "regime_after"),
    ({"regimes": [{"name": "a", "drift_annual": 0, "volatility": 2}], "transition_per_day": [[1]]},
     "volatility"),
    ({"regimes": [{"name": "a"}], "transition_per_day": [[1]]}, "drift_annual"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]],
      "correlation": [[1, 0.5], [0.4, 1]]}, "symmetric"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]],
      "correlation": [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]}, "positive semi-definite"),
    ({"regimes": [{"name": "a", "drift_annual": 0}], "transition_per_day": [[1]],
      "correlation": [[2, 0], [0, 1]]}, "unit diagonal"),
])
def test_invalid_spec_raises_value_error_naming_the_field(data, message):
    with pytest.raises(ValueError, match=message):
        ProcessSpec.from_dict(data)


def test_build_rejects_unknown_jump_symbol_and_wrong_size_correlation():
    with pytest.raises(ValueError, match="unknown symbols"):
        PriceProcess(dataclasses.replace(VOLATILE, jumps=(Jump(1, -5.0, ("NOPE",)),)), CN_UNIVERSE, STEPS)
    with pytest.raises(ValueError, match="7x7"):
        PriceProcess(dataclasses.replace(VOLATILE, correlation=((1.0, 0.0), (0.0, 1.0))), CN_UNIVERSE, STEPS)
    with pytest.raises(ValueError, match="unknown preset"):
        preset_spec("moon")


def test_bench_reports_throughput_consistent_with_its_timing():
    result = bench_instrument_steps(n_instruments=20, n_steps=400, seed=0)
    assert (result["n_instruments"], result["n_steps"]) == (20, 400)
    assert result["instrument_steps_per_s"] == pytest.approx(20 * 400 / result["seconds"])
    assert result["instrument_steps_per_s"] > 1e5
