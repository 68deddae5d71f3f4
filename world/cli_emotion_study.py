"""``vbranch emotion study``: the simulated cooling-off study from a terminal (JSON out).

``register_study(esub)`` adds ``study`` to an existing ``vbranch emotion`` sub-parser set (the emotion
train/eval CLI calls it); ``register(sub)`` creates ``emotion`` with only ``study`` when that CLI is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

__all__ = ["register_study", "register"]


def register_study(esub: argparse._SubParsersAction) -> None:
    p = esub.add_parser("study", help="simulated learners through crash scenarios, with and without the "
                                      "cooling-off step (a simulation, not a measurement on people)")
    p.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    p.add_argument("--learners", type=int, default=200, help="learner-runs per arm (default 200)")
    p.add_argument("--per-market", type=int, default=5, help="learners sharing one market run (default 5)")
    p.add_argument("--scenarios", help="comma-separated scenario ids (default: crash, crash_us and replays)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--assume-cancel-p", type=float, action="append", metavar="P",
                   help="ASSUMED base probability that a held learner cancels; repeat to compare values")
    p.add_argument("--cooling-off-min", type=float, default=30.0, help="hold length in market minutes")
    p.add_argument("--bootstrap", type=int, default=2000)
    p.set_defaults(func=_study)


def register(sub: argparse._SubParsersAction) -> None:
    emotion = sub.add_parser("emotion", help="emotion engine tools")
    esub = emotion.add_subparsers(dest="action", metavar="ACTION", required=True)
    register_study(esub)


def _study(args: argparse.Namespace) -> int:
    from vbranch.emotion.study import StudyConfig, run_study

    cfg = StudyConfig(learners_per_arm=args.learners, learners_per_market=args.per_market, seed=args.seed,
                      cooling_off_min=args.cooling_off_min, bootstrap=args.bootstrap)
    if args.scenarios:
        cfg = replace(cfg, scenarios=tuple(s.strip() for s in args.scenarios.split(",") if s.strip()))
    if args.learners < 1 or args.per_market < 1:
        raise ValueError("--learners and --per-market must be >= 1")
    cancel_ps = args.assume_cancel_p or [cfg.response.cancel_p]
    for p in cancel_ps:
        if not 0 <= p <= 1:
            raise ValueError(f"--assume-cancel-p must be in 0..1, got {p}")
    reports = [run_study(replace(cfg, response=replace(cfg.response, cancel_p=p))) for p in cancel_ps]
    out = reports[0] if len(reports) == 1 else {"simulated": True, "variations": reports}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
