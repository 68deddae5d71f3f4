"""A teacher's injected jump: prices move by the asked percent (beta-scaled) from the next step, and only then."""

import numpy as np
import pytest

from vbranch.market_sim.market import Market
from vbranch.scenes.scenario import load_scenario


def _pair(name: str = "bull", seed: int = 3) -> tuple[Market, Market]:
    cfg = load_scenario(name).market_config(prefer_twin=True)
    return Market(cfg, seed=seed), Market(cfg, seed=seed)


def test_mid_day_jump_moves_fundamentals_by_beta_scaled_factor_from_next_step():
    hit, calm = _pair()
    hit.advance(17)
    calm.advance(17)
    before = hit.process.prices / calm.process.prices
    applied = hit.inject_jump(-20.0)
    assert np.allclose(before, 1.0)  # nothing moves until the next step
    hit.advance(1)
    calm.advance(1)
    betas = np.array([inst.beta for inst in hit.universe])
    expected = np.maximum(1 - 0.20 * betas, 0.01)
    assert np.allclose(hit.process.prices / calm.process.prices, expected, rtol=1e-12)
    assert applied[hit.universe.index.symbol] == pytest.approx(-20.0)
    hit.advance(30)  # the rest of the day keeps the same shocks, shifted
    calm.advance(30)
    assert np.allclose(hit.process.prices / calm.process.prices, expected, rtol=1e-12)


def test_jump_at_day_boundary_moves_the_next_days_open():
    hit, calm = _pair()
    steps = hit.config.steps_per_day
    hit.advance(steps)
    calm.advance(steps)
    hit.inject_jump(-10.0, symbols=("600519",))
    hit.advance(1)
    calm.advance(1)
    ratio = dict(zip(hit.symbols, hit.process.prices / calm.process.prices, strict=True))
    # the new day's block is drawn from the shifted state; only the vol kick (bigger shocks) blurs 0.90
    assert ratio["600519"] == pytest.approx(0.90, rel=2e-3)
    assert ratio["601398"] == pytest.approx(1.0, rel=1e-12)


def test_injected_crash_under_a_share_limits_stops_at_limit_down():
    market, _ = _pair("bull")
    market.advance(5)
    market.inject_jump(-20.0)
    market.advance(1)
    idx = market.universe.index.symbol
    start = market.universe.index.start_price
    # the fundamental fell ~20%, the traded price stops at the -10% band (tick-rounded)
    assert market.process.prices[market.universe.position(idx)] < 0.85 * start
    assert 0.9 * start - 0.001 <= market.price(idx) <= 0.9 * start + 0.001


def test_replay_market_accepts_injection():
    cfg = load_scenario("covid_2020").market_config(prefer_twin=True)
    hit, calm = Market(cfg, seed=1), Market(cfg, seed=1)
    hit.advance(3)
    calm.advance(3)
    hit.inject_jump(-15.0)
    hit.advance(1)
    calm.advance(1)
    i = hit.universe.position(hit.universe.index.symbol)
    assert hit.process.prices[i] / calm.process.prices[i] == pytest.approx(0.85, rel=1e-9)


@pytest.mark.parametrize("bad", [float("nan"), -100.0, -150.0])
def test_nonsense_jump_sizes_are_refused(bad):
    market, _ = _pair()
    with pytest.raises(ValueError):
        market.inject_jump(bad)
