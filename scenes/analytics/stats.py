"""Small, dependency-free statistics for A/B tests and before/after comparisons.

scipy is not a vbranch dependency, so the few tests we need are written out here with numpy and the
standard library (``statistics.NormalDist`` for the normal CDF/quantiles, a continued fraction for the
Student-t tail). Each returns the estimate, an interval and a p-value together, because a teacher table
that shows a difference without its uncertainty invites reading noise as an effect.

Conventions: "a" is the control arm, "b" the treatment; differences are always ``b − a``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np

__all__ = [
    "ProportionComparison", "MeanComparison", "wilson_interval", "newcombe_diff_interval",
    "two_proportion_ztest", "compare_proportions", "student_t_sf", "welch_ttest", "bootstrap_diff_ci",
    "bootstrap_mean_ci", "compare_means",
]

_NORMAL = NormalDist()


def _z(confidence: float) -> float:
    return _NORMAL.inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion: sane at 0/n and n/n, unlike the Wald interval."""
    if n <= 0:
        return 0.0, 1.0
    z, p = _z(confidence), successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_diff_interval(x_a: int, n_a: int, x_b: int, n_b: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (his method 10) for ``p_b − p_a``, built from the two Wilson intervals.

    Its coverage stays near nominal for small samples and rates near 0 or 1, where the Wald difference
    interval is too narrow.
    """
    p_a, p_b = (x_a / n_a if n_a else 0.0), (x_b / n_b if n_b else 0.0)
    lo_a, hi_a = wilson_interval(x_a, n_a, confidence)
    lo_b, hi_b = wilson_interval(x_b, n_b, confidence)
    diff = p_b - p_a
    return (diff - math.sqrt((p_b - lo_b) ** 2 + (hi_a - p_a) ** 2),
            diff + math.sqrt((hi_b - p_b) ** 2 + (p_a - lo_a) ** 2))


def two_proportion_ztest(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """Pooled two-sided z-test of ``p_a == p_b``; returns (z, p_value). No information: (0, 1)."""
    if n_a <= 0 or n_b <= 0:
        return 0.0, 1.0
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 0.0, 1.0
    z = (x_b / n_b - x_a / n_a) / se
    return z, 2 * _NORMAL.cdf(-abs(z))


@dataclass(frozen=True)
class ProportionComparison:
    """Rates of a binary outcome in two arms, their Wilson CIs, the difference with its Newcombe CI, and z/p."""

    n_a: int
    x_a: int
    rate_a: float
    ci_a: tuple[float, float]
    n_b: int
    x_b: int
    rate_b: float
    ci_b: tuple[float, float]
    diff: float
    diff_ci: tuple[float, float]
    z: float
    p_value: float
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


def compare_proportions(x_a: int, n_a: int, x_b: int, n_b: int, confidence: float = 0.95) -> ProportionComparison:
    z, p = two_proportion_ztest(x_a, n_a, x_b, n_b)
    rate_a, rate_b = (x_a / n_a if n_a else math.nan), (x_b / n_b if n_b else math.nan)
    return ProportionComparison(n_a, x_a, rate_a, wilson_interval(x_a, n_a, confidence), n_b, x_b, rate_b,
                                wilson_interval(x_b, n_b, confidence), rate_b - rate_a,
                                newcombe_diff_interval(x_a, n_a, x_b, n_b, confidence), z, p, confidence)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the regularised incomplete beta (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-14:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def student_t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom."""
    if math.isinf(df):
        return _NORMAL.cdf(-t)
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1 - tail


def welch_ttest(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """Welch's unequal-variance t-test of ``mean_a == mean_b``; returns (t, df, two-sided p)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        return 0.0, math.nan, 1.0
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return 0.0, math.nan, 1.0 if a.mean() == b.mean() else 0.0
    t = float((b.mean() - a.mean()) / math.sqrt(va + vb))
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    df = float(df)
    return t, df, float(min(1.0, 2 * student_t_sf(abs(t), df)))


def _percentile_ci(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    lo, hi = np.quantile(samples, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(lo), float(hi)


def bootstrap_diff_ci(a: Sequence[float], b: Sequence[float], *, groups_a: Sequence[str] | None = None,
                      groups_b: Sequence[str] | None = None, statistic: Callable[[np.ndarray], float] = np.mean,
                      n_boot: int = 2000, confidence: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI for ``statistic(b) − statistic(a)``.

    With ``groups_*`` (e.g. learner ids), whole groups are resampled: several reactions of one learner
    are not independent, and resampling them one by one would make the interval too narrow.
    """
    rng = np.random.default_rng(seed)

    def draws(values: Sequence[float], groups: Sequence[str] | None) -> list[np.ndarray]:
        values = np.asarray(values, float)
        if groups is None:
            idx = rng.integers(0, len(values), size=(n_boot, len(values)))
            return list(values[idx])
        by_group = [values[np.asarray(groups) == g] for g in dict.fromkeys(groups)]
        picks = rng.integers(0, len(by_group), size=(n_boot, len(by_group)))
        return [np.concatenate([by_group[i] for i in row]) for row in picks]

    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan
    diffs = np.array([statistic(sb) - statistic(sa) for sa, sb in zip(draws(a, groups_a), draws(b, groups_b),
                                                                      strict=True)])
    return _percentile_ci(diffs, confidence)


def bootstrap_mean_ci(values: Sequence[float], *, n_boot: int = 2000, confidence: float = 0.95,
                      seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of a mean (e.g. of per-learner before→after changes)."""
    values = np.asarray(values, float)
    if len(values) == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)
    return _percentile_ci(means, confidence)


@dataclass(frozen=True)
class MeanComparison:
    """A continuous outcome in two arms: means, ``b − a`` with its bootstrap CI, and Welch's t-test."""

    n_a: int
    mean_a: float
    n_b: int
    mean_b: float
    diff: float
    diff_ci: tuple[float, float]
    t: float
    df: float
    p_value: float
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


def compare_means(a: Sequence[float], b: Sequence[float], *, groups_a: Sequence[str] | None = None,
                  groups_b: Sequence[str] | None = None, n_boot: int = 2000, confidence: float = 0.95,
                  seed: int = 0) -> MeanComparison:
    t, df, p = welch_ttest(a, b)
    mean_a = float(np.mean(a)) if len(a) else math.nan
    mean_b = float(np.mean(b)) if len(b) else math.nan
    ci = bootstrap_diff_ci(a, b, groups_a=groups_a, groups_b=groups_b, n_boot=n_boot, confidence=confidence,
                           seed=seed)
    return MeanComparison(len(a), mean_a, len(b), mean_b, mean_b - mean_a, ci, t, df, p, confidence)
