"""``vbranch ask …`` and ``vbranch advisor …``: the advisor's knowledge and lines from a terminal.

For teachers checking content and for CI smoke tests: the same cores the branch uses, no 3D.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask the advisor a question about an investing term (offline)")
    p.add_argument("question", help='e.g. "什么是止损?" or "what is a trailing stop?"')
    p.add_argument("--lang", choices=("zh", "en"), help="answer language (default: the question's)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_ask)

    advisor = sub.add_parser("advisor", help="the advisor's dialogue lines and A/B variants")
    asub = advisor.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = asub.add_parser("line", help="the line the advisor would say in a situation")
    p.add_argument("event", help="event kind, e.g. crash_started, halt, cooling_off.offer, greeting")
    p.add_argument("--state", choices=("calm", "anxious", "greedy"), default="calm")
    p.add_argument("--confidence", type=float, default=1.0, help="the emotion engine's confidence, 0..1")
    p.add_argument("--mode", choices=("normal", "elder"), default="normal")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--style", choices=("standard", "empathetic"), default="standard")
    p.add_argument("--symbol")
    p.add_argument("--pct", type=float, help="percent (drop, drawdown, equity change)")
    p.add_argument("--price", type=float)
    p.add_argument("--qty", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_line)
    p = asub.add_parser("events", help="list the event kinds the catalogue has lines for")
    p.set_defaults(func=_events)
    p = asub.add_parser("variant", help="the A/B script style a learner is assigned")
    p.add_argument("learner_id")
    p.add_argument("--experiment", help="experiment name (default: the current script-style test)")
    p.set_defaults(func=_variant)


def _ask(args: argparse.Namespace) -> int:
    from vbranch.avatars.knowledge import answer

    reply = answer(args.question, args.lang)
    if args.json:
        print(json.dumps({**asdict(reply), "kind": reply.kind.value}, ensure_ascii=False))
    else:
        print(reply.text)
    return 0


def _line(args: argparse.Namespace) -> int:
    from vbranch.avatars.dialogue import LearnerState, Situation, choose_line

    situation = Situation(args.event, symbol=args.symbol, pct=args.pct, price=args.price, qty=args.qty)
    try:
        line = choose_line(situation, LearnerState(args.state, args.confidence), args.mode, args.lang, args.style,
                           args.seed)
    except KeyError as exc:
        raise SystemExit(f"vbranch advisor line: {exc.args[0]} (see `vbranch advisor events`)") from None
    if args.json:
        print(json.dumps({**asdict(line), "style": line.style.value}, ensure_ascii=False))
    else:
        print(line.text)
    return 0


def _events(args: argparse.Namespace) -> int:
    from vbranch.avatars.dialogue.catalogue import event_kinds

    print("\n".join(event_kinds()))
    return 0


def _variant(args: argparse.Namespace) -> int:
    from vbranch.avatars.dialogue.ab import DEFAULT_EXPERIMENT, assign_variant

    print(assign_variant(args.learner_id, args.experiment or DEFAULT_EXPERIMENT).value)
    return 0
