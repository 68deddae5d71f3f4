"""Performance numbers and the discipline score, on curves where the answer is known."""

import math

import numpy as np
import pytest

from vbranch.market_sim.account import TradeRecord
from vbranch.market_sim.metrics import (
    beta_alpha,
    discipline_score,
    effective_holdings,
    is_panic_sell,
    max_drawdown_pct,
    sharpe_ratio,
    total_return_pct,
    volatility_annual_pct,
)


def trade(side, protected=False, panic=False, reason="order"):
    return TradeRecord(0, 0, "X", side, 100, 10.0, 5.0, reason, protected, panic)


def test_drawdown_is_the_largest_fall_from_a_running_peak():
    assert max_drawdown_pct([100, 120, 90, 130, 117]) == pytest.approx(25.0)
    assert max_drawdown_pct([100, 101, 102]) == 0.0


def test_return_volatility_and_sharpe_of_known_curves():
    assert total_return_pct([100, 110, 121]) == pytest.approx(21.0)
    flat = [100.0] * 10
    assert volatility_annual_pct(flat) == 0.0 and sharpe_ratio(flat) == 0.0
    alternating = np.cumprod([100] + [1.01, 0.99] * 50)
    assert volatility_annual_pct(alternating) == pytest.approx(100 * 0.01005 * math.sqrt(252), rel=0.02)


def test_beta_of_a_leveraged_copy_is_its_leverage_and_alpha_of_the_index_is_zero():
    rng = np.random.default_rng(0)
    r = rng.normal(0.0005, 0.01, 250)
    index = 100 * np.cumprod(np.concatenate([[1], 1 + r]))
    doubled = 100 * np.cumprod(np.concatenate([[1], 1 + 2 * r]))
    assert beta_alpha(doubled, index)[0] == pytest.approx(2.0, abs=1e-9)
    beta, alpha = beta_alpha(index, index)
    assert beta == pytest.approx(1.0) and alpha == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError):
        beta_alpha(index[:-1], index)


def test_panic_sell_is_a_manual_sell_into_a_sharp_fall_never_a_planned_stop():
    assert is_panic_sell("sell", "order", 94.0, 100.0, 100.0)  # -6% on the day
    assert is_panic_sell("sell", "order", 89.0, 95.0, 100.0)  # 11% below the recent high
    assert not is_panic_sell("sell", "stop_loss", 80.0, 100.0, 100.0)
    assert not is_panic_sell("buy", "order", 80.0, 100.0, 100.0)
    assert not is_panic_sell("sell", "order", 98.0, 100.0, 101.0)


def test_effective_holdings_counts_equal_weights_and_ignores_cash():
    assert effective_holdings({"a": 0.25, "b": 0.25, "cash": 0.5}) == pytest.approx(2.0)
    assert effective_holdings({"a": 0.9, "b": 0.1}) == pytest.approx(1 / 0.82)
    assert effective_holdings({"cash": 1.0}) == 0.0


def test_discipline_rewards_stops_calm_selling_and_diversification():
    diversified = [{"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}] * 5
    model = [trade("buy", protected=True), trade("sell")]
    assert discipline_score(model, diversified) == 100.0
    gambler = [trade("buy"), trade("sell", panic=True)]
    assert discipline_score(gambler, [{"a": 1.0}] * 5) == 0.0
    assert discipline_score([], [{"cash": 1.0}]) == 0.0  # sitting in cash earns nothing
    half = [trade("buy", protected=True), trade("buy"), trade("sell", panic=True), trade("sell")]
    assert discipline_score(half, [{"a": 0.5, "b": 0.5}]) == pytest.approx(20 + 15 + 10)
