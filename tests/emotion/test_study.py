"""The simulated study: paired arms, assumptions printed, honest where the intervention costs money."""

from __future__ import annotations

import argparse
import contextlib
import io
import json

from vbranch.emotion.study import ResponseModel, StudyConfig, run_market, run_study
from vbranch.world import cli_emotion_study

SMALL = StudyConfig(scenarios=("crash",), learners_per_arm=6, learners_per_market=3, bootstrap=200)


def test_without_intervention_every_panic_intent_becomes_a_sell() -> None:
    learners = run_market("crash", 1, 3, SMALL)
    without = [lr for lr in learners if not lr.intervention]
    assert sum(lr.panic_intents for lr in without) > 0
    assert all(lr.panic_sells == lr.panic_intents for lr in without)
    assert all(lr.held == 0 for lr in without)


def test_held_orders_all_end_cancelled_confirmed_or_expired() -> None:
    report = run_study(SMALL)
    assert report["held"] == report["cancelled"] + report["confirmed"] + report["expired"]
    assert report["panic_sells_with"] <= report["panic_sells_without"]
    assert report["assumptions"]["response_model"]["cancel_p"] == 0.5
    assert report["simulated"] is True


def test_nobody_cancels_means_every_hold_ends_in_a_confirmed_sell() -> None:
    never = StudyConfig(scenarios=("crash",), learners_per_arm=6, learners_per_market=3, bootstrap=100,
                        response=ResponseModel(cancel_p=0.0, breathing_bonus=0.0, no_response_p=0.0))
    report = run_study(never)
    assert report["held"] > 0
    assert report["cancelled"] == report["expired"] == 0
    assert report["confirmed"] == report["held"]


def test_everyone_cancels_means_no_panic_sells_with_intervention() -> None:
    always = StudyConfig(scenarios=("crash",), learners_per_arm=6, learners_per_market=3, bootstrap=100,
                         response=ResponseModel(cancel_p=1.0, propensity_slope=0.0, no_response_p=0.0))
    report = run_study(always)
    assert report["panic_sells_without"] > 0
    assert report["panic_sells_with"] == 0
    assert report["panic_sell_reduction"] == 1.0


def test_ci_brackets_the_mean() -> None:
    report = run_study(SMALL)
    low, high = report["pnl_diff_ci95"]
    assert low <= report["pnl_diff_mean"] <= high


def test_cli_prints_json_with_the_assumptions_beside_the_numbers() -> None:
    parser = argparse.ArgumentParser()
    cli_emotion_study.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["emotion", "study", "--json", "--learners", "3", "--per-market", "3",
                              "--scenarios", "crash", "--assume-cancel-p", "0.3", "--bootstrap", "50"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.func(args) == 0
    report = json.loads(out.getvalue())
    assert report["assumptions"]["response_model"]["cancel_p"] == 0.3
    assert {"panic_sells_without", "panic_sells_with", "panic_sell_reduction", "pnl_diff_ci95"} <= set(report)
    assert report["scenarios"][0]["scenario"] == "crash"
