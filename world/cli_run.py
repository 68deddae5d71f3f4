"""``vbranch run``: the 3D branch (desktop or VR). Its engine half arrives with the world issue.

Until then the command says so plainly and points at what already works, instead of pretending.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="open the virtual branch (desktop 3D, or VR with an OpenXR runtime)")
    p.add_argument("--scenario", default="crash", help="market scenario id (see `vbranch scenario list`)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    print(
        "vbranch run: the 3D branch is not built yet (world issue). Preview the market meanwhile:\n"
        f"  vbranch scenario simulate {args.scenario} --plot {args.scenario}.png --lang {args.lang}",
        file=sys.stderr,
    )
    return 1
