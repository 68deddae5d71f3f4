"""The A/B statistics: known textbook values, and calibration over many simulated experiments."""

from __future__ import annotations

import numpy as np
import pytest

from vbranch.scenes.analytics.stats import (
    bootstrap_diff_ci,
    bootstrap_mean_ci,
    compare_proportions,
    newcombe_diff_interval,
    student_t_sf,
    two_proportion_ztest,
    welch_ttest,
    wilson_interval,
)


def test_wilson_interval_matches_the_textbook_and_stays_inside_0_1():
    lo, hi = wilson_interval(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-12)
    assert hi == pytest.approx(0.2775, abs=1e-4)  # Newcombe (1998) table I
    lo, hi = wilson_interval(81, 263)
    assert (lo, hi) == pytest.approx((0.2553, 0.3662), abs=1e-4)


def test_newcombe_interval_reproduces_newcombe_1998_example():
    # 56/70 vs 48/80: difference 0.2000, hybrid score CI 0.0524 to 0.3339 (method 10); we report b − a
    lo, hi = newcombe_diff_interval(48, 80, 56, 70)
    assert (lo, hi) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_student_t_tail_hits_the_familiar_critical_values():
    assert student_t_sf(2.228, 10) == pytest.approx(0.025, abs=2e-4)
    assert student_t_sf(1.960, float("inf")) == pytest.approx(0.025, abs=1e-4)
    assert student_t_sf(-2.228, 10) == pytest.approx(0.975, abs=2e-4)


def test_welch_ttest_agrees_with_scipy():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 25), rng.normal(0.7, 2.5, 18)
    t, df, p = welch_ttest(a, b)
    ref = scipy_stats.ttest_ind(b, a, equal_var=False)
    assert (t, p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-9)
    assert df == pytest.approx(ref.df, rel=1e-9)


def test_newcombe_interval_covers_the_true_difference_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    p_a, p_b, n = 0.30, 0.45, 150
    xa, xb = rng.binomial(n, p_a, 2000), rng.binomial(n, p_b, 2000)
    intervals = [newcombe_diff_interval(a, n, b, n) for a, b in zip(xa, xb, strict=True)]
    covered = [lo <= p_b - p_a <= hi for lo, hi in intervals]
    assert 0.935 <= np.mean(covered) <= 0.965


def test_z_test_rejects_a_true_null_about_5_percent_of_the_time_and_a_big_effect_almost_always():
    rng = np.random.default_rng(1)
    n = 200
    null = [two_proportion_ztest(a, n, b, n)[1] < 0.05
            for a, b in zip(rng.binomial(n, 0.3, 2000), rng.binomial(n, 0.3, 2000), strict=True)]
    assert 0.035 <= np.mean(null) <= 0.065
    power = [two_proportion_ztest(a, n, b, n)[1] < 0.05
             for a, b in zip(rng.binomial(n, 0.3, 300), rng.binomial(n, 0.5, 300), strict=True)]
    assert np.mean(power) > 0.97


def test_compare_proportions_reports_rates_difference_and_its_interval():
    c = compare_proportions(30, 100, 50, 100)
    assert (c.rate_a, c.rate_b, c.diff) == pytest.approx((0.30, 0.50, 0.20))
    assert c.diff_ci[0] < 0.20 < c.diff_ci[1]
    assert c.z == pytest.approx(2.887, abs=1e-3)
    assert c.p_value == pytest.approx(0.00389, abs=1e-4)


def test_bootstrap_difference_interval_covers_the_true_mean_difference_about_95_percent():
    rng = np.random.default_rng(2)
    covered = []
    for seed in range(150):
        a, b = rng.exponential(4.0, 40), rng.exponential(6.0, 40)
        lo, hi = bootstrap_diff_ci(a, b, n_boot=600, seed=seed)
        covered.append(lo <= 2.0 <= hi)
    assert 0.88 <= np.mean(covered) <= 0.99  # percentile bootstrap runs a little narrow on skewed data


def test_cluster_bootstrap_is_wider_than_naive_when_learners_differ():
    rng = np.random.default_rng(4)
    learner_shift = rng.normal(0, 3, 20)
    a = np.concatenate([rng.normal(5 + s, 0.5, 10) for s in learner_shift[:10]])
    b = np.concatenate([rng.normal(5 + s, 0.5, 10) for s in learner_shift[10:]])
    groups = [f"l{i // 10}" for i in range(100)]
    naive = bootstrap_diff_ci(a, b, n_boot=1000)
    clustered = bootstrap_diff_ci(a, b, groups_a=groups, groups_b=groups, n_boot=1000)
    assert (clustered[1] - clustered[0]) > 2 * (naive[1] - naive[0])


def test_bootstrap_mean_interval_of_a_constant_is_that_constant():
    assert bootstrap_mean_ci([-0.5] * 7) == (-0.5, -0.5)
