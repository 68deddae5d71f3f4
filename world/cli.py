"""The ``vbranch`` command: one entry point, one subcommand per job, logging configured only here."""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    from vbranch.world import (
        cli_advisor,
        cli_emotion,
        cli_lessons,
        cli_market,
        cli_orders,
        cli_report,
        cli_run,
        cli_serve,
        cli_voice,
    )

    parser = argparse.ArgumentParser(
        prog="vbranch",
        description="vbranch: an investor-education virtual branch with simulated markets. "
        "Prices are simulated unless a scenario says it replays real data.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    cli_run.register(sub)
    cli_market.register(sub)
    cli_voice.register(sub)
    cli_orders.register(sub)
    cli_advisor.register(sub)
    cli_lessons.register(sub)
    cli_serve.register(sub)
    cli_report.register(sub)
    cli_emotion.register(sub)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, KeyError, OSError) as exc:
        # Bad input or a missing file: one clear line, no traceback (use -vv to see one).
        logging.getLogger("vbranch").debug("failed", exc_info=True)
        print(f"vbranch {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
