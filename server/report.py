"""The teacher's final report as CSV rows (an HTML page comes later and reads the same rows).

Why CSV first: every school has a spreadsheet; the rows are the leaderboard's numbers plus the
benchmark line, so a teacher can re-sort them or check the formula by hand. Names are the nicknames
learners typed; a name starting with ``= + - @`` is prefixed with ``'`` so a spreadsheet never runs it
as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from vbranch.server.leaderboard import Standing

__all__ = ["REPORT_COLUMNS", "report_rows", "report_csv"]

REPORT_COLUMNS = ("rank", "name", "score", "return_pct", "sortino", "max_drawdown_pct", "discipline", "trades",
                  "panic_sells", "qualified")


def _safe(name: str) -> str:
    return "'" + name if name[:1] in ("=", "+", "-", "@") else name


def report_rows(board: Sequence[Standing], benchmark_return_pct: float) -> list[dict]:
    """One row per learner in rank order, then the buy-and-hold benchmark (rank empty)."""
    rows = [{**{k: getattr(s, k) for k in REPORT_COLUMNS}, "name": _safe(s.name)} for s in board]
    benchmark = dict.fromkeys(REPORT_COLUMNS, "")
    benchmark.update(name="benchmark: buy and hold", return_pct=round(benchmark_return_pct, 3))
    rows.append(benchmark)
    return rows


def report_csv(board: Sequence[Standing], benchmark_return_pct: float) -> str:
    """The report as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(board, benchmark_return_pct))
    return out.getvalue()
