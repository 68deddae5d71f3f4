"""The advisor-style A/B analysis on synthetic statement sets whose true effect we set."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vbranch.avatars.dialogue.ab import ExperimentLog
from vbranch.avatars.dialogue.policy import AdvisorLine, Style
from vbranch.scenes.analytics.ab_analysis import compare_styles, exposures, is_protective
from vbranch.scenes.analytics.statement import VERB_ACTED, VERB_SHOWN, Statement
from vbranch.scenes.analytics.store import LearningStore


def _experiment(seed: int, p_standard: float, p_empathetic: float, *, learners: int = 40, lines: int = 15,
                latency_s: tuple[float, float] = (4.0, 4.0)) -> list[Statement]:
    """``learners`` per arm, each shown ``lines`` lines; protective with the arm's probability."""
    rng = np.random.default_rng(seed)
    out, t = [], 1_700_000_000.0
    for arm, p, mean_latency in (("standard", p_standard, latency_s[0]), ("empathetic", p_empathetic, latency_s[1])):
        for i in range(learners):
            learner = f"{arm}-{i}"
            for k in range(lines):
                t += 100
                out.append(Statement(learner, VERB_SHOWN, f"advisor-line/crash.{k}", t, {}, {"variant": arm}))
                delay = float(rng.exponential(mean_latency))
                action = "cooling_off.cancel" if rng.random() < p else "cooling_off.confirm"
                out.append(Statement(learner, VERB_ACTED, f"action/{action}", t + delay,
                                     {"after_line": f"crash.{k}", "latency_s": delay}, {"variant": arm}))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_big_effect_is_detected_and_its_interval_covers_the_true_difference(seed):
    result = compare_styles(_experiment(seed, 0.25, 0.45), n_boot=200)
    p = result.protective
    assert (p.n_a, p.n_b) == (600, 600)
    assert p.diff_ci[0] <= 0.20 <= p.diff_ci[1]
    assert p.p_value < 1e-6


@pytest.mark.parametrize("seed", range(5))
def test_no_effect_gives_a_large_p_value_and_an_interval_around_zero(seed):
    p = compare_styles(_experiment(seed, 0.35, 0.35), n_boot=200).protective
    assert p.diff_ci[0] <= 0.0 <= p.diff_ci[1]
    assert p.p_value > 0.05


@pytest.mark.parametrize("seed", range(3))
def test_reaction_delay_interval_covers_the_true_difference(seed):
    latency = compare_styles(_experiment(seed, 0.3, 0.3, latency_s=(4.0, 6.0)), n_boot=500, seed=seed).latency_s
    assert latency.diff_ci[0] <= 2.0 <= latency.diff_ci[1]
    assert latency.diff == pytest.approx(2.0, abs=0.6)
    assert latency.p_value < 1e-3


def test_a_line_without_a_reaction_is_an_exposure_with_no_action():
    s = [Statement("a", VERB_SHOWN, "advisor-line/x", 10, {}, {"variant": "standard"}),
         Statement("a", VERB_SHOWN, "advisor-line/y", 20, {}, {"variant": "standard"}),
         Statement("a", VERB_ACTED, "action/order", 23, {"stop_loss_pct": 5.0}, {"variant": "standard"}),
         Statement("a", VERB_ACTED, "action/order", 30, {}, {"variant": "standard"})]  # no line before it
    got = exposures(s)
    assert [(e.line, e.action, e.latency_s) for e in got] == [("x", None, None), ("y", "order", 3)]


def test_protective_means_a_stop_loss_order_or_taking_the_cooling_off():
    assert is_protective("order", {"stop_loss_pct": 5.0})
    assert not is_protective("order", {"stop_loss_pct": None})
    assert is_protective("cooling_off.cancel", {}) and is_protective("action/cooling_off.breathe", {})
    assert not is_protective("cooling_off.confirm", {}) and not is_protective(None, {})


def test_the_real_experiment_log_round_trips_into_exposures(tmp_path):
    log = ExperimentLog(tmp_path / "advisor_ab.jsonl")
    line = AdvisorLine("crash.anxious", "…", "zh", Style.EMPATHETIC, None, 1.0, False)
    log.line_shown("amy", line, sim_time_s=100.0)
    log.learner_acted("amy", "order", sim_time_s=104.5, detail={"side": "buy", "stop_loss_pct": 6.0})
    log.line_shown("amy", line, sim_time_s=200.0)
    log.learner_acted("amy", "cooling_off.confirm", sim_time_s=201.0)
    store = LearningStore(tmp_path / "s.sqlite3")
    assert store.import_jsonl(log.path).added == 4
    got = exposures(store.statements("amy"))
    assert [(e.variant, e.action, e.latency_s, is_protective(e.action, e.detail)) for e in got] == [
        ("empathetic", "order", 4.5, True), ("empathetic", "cooling_off.confirm", 1.0, False)]
    assert json.loads(log.path.read_text().splitlines()[0])["context"]["variant"] == "empathetic"
