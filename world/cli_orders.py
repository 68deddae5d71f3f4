"""``vbranch parse-order TEXT``: what the advisor understood from an order said in words.

A shell over ``vbranch.avatars.order_parser``: it picks the scenario's instrument universe, parses,
and prints either the structured intent or the clarifying question the advisor would ask.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse-order", help="parse a zh/en order in words into a structured intent or a question")
    p.add_argument("text", help='the order, e.g. "买100股茅台，止损8%%" or "sell half my bank shares"')
    p.add_argument("--lang", choices=("zh", "en"), help="language of a clarifying question (default: from the text)")
    p.add_argument("--scenario", default="crash", help="scenario id whose instruments can be traded (default: crash)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_parse_order)


def _parse_order(args: argparse.Namespace) -> int:
    from vbranch.avatars.order_parser import Clarify, detect_lang, parse_order
    from vbranch.scenes.scenario import load_scenario

    universe = load_scenario(args.scenario).market_config().universe
    lang = args.lang or detect_lang(args.text)
    result = parse_order(args.text, universe, lang)
    out = result.to_dict(lang) if isinstance(result, Clarify) else result.to_dict()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    elif isinstance(result, Clarify):
        print(out["clarify"])
    else:
        for key, value in out.items():
            print(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return 0
