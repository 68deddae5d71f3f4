"""The teacher's final report: a room's result as data, and as CSV rows (``report_html`` draws the page).

Why CSV: every school has a spreadsheet; the rows are the leaderboard's numbers plus the benchmark
line, so a teacher can re-sort them or check the formula by hand. Names are the nicknames learners
typed; a name starting with ``= + - @`` is prefixed with ``'`` so a spreadsheet never runs it as a formula.

Why ``contest_result`` reads ``Room.standings``: the report must show the board the class saw, so it
takes the live room's own ranking (or a room rebuilt from the journal, which samples the same way) and
only adds what a page needs beside it: each learner's sampled equity and the benchmark's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from vbranch.server.contest import ContestSettings
from vbranch.server.leaderboard import Standing, buy_and_hold_equity, standing
from vbranch.server.seats import SAMPLES_PER_DAY, Seat

if TYPE_CHECKING:
    from vbranch.server.room import Room

__all__ = ["REPORT_COLUMNS", "LearnerResult", "ContestResult", "ranked_seats", "contest_result", "report_rows",
           "report_csv"]

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


@dataclass(frozen=True)
class LearnerResult:
    """One row of the board with the equity samples it was scored on (cash units, oldest first)."""

    standing: Standing
    equity: tuple[float, ...]


@dataclass(frozen=True)
class ContestResult:
    """Everything the report shows about one contest, detached from the room (safe to render later).

    ``benchmark_equity`` has one value per sample; a learner who joined late has fewer samples, the
    last of which line up with the benchmark's last ones. ``instruments`` are (symbol, zh name, en name)
    of the instruments the benchmark holds.
    """

    room_id: str
    join_code: str
    state: str  # created / running / paused / ended
    settings: ContestSettings
    elapsed_s: float
    learners: tuple[LearnerResult, ...]  # in rank order
    benchmark_return_pct: float
    benchmark_equity: tuple[float, ...]
    instruments: tuple[tuple[str, str, str], ...]
    samples_per_day: int

    @property
    def board(self) -> list[Standing]:
        return [learner.standing for learner in self.learners]


def ranked_seats(room: Room) -> tuple[list[tuple[Standing, Seat]], float]:
    """The room's board (``Room.standings``, the one the class sees) with the seat behind each row.

    Rows carry names, not seats, and nicknames may repeat; a seat is matched by recomputing its own
    unranked standing, so two rows can only be confused when every number on them is equal too.
    """
    board, bench_pct = room.standings()
    if room.contest is None or room.market is None:
        return [], bench_pct
    by_standing: dict[Standing, list[Seat]] = {}
    for seat in room.seats.values():
        key = standing(seat.name, seat.equity_samples, room.market.account(seat.seat_id).trades,
                       seat.weights_samples, room.contest.settings.min_trades)
        by_standing.setdefault(key, []).append(seat)
    return [(row, by_standing[replace(row, rank=0)].pop(0)) for row in board], bench_pct


def contest_result(room: Room) -> ContestResult | None:
    """The room's contest as a report, None before a contest exists."""
    if room.contest is None or room.market is None:
        return None
    contest, market = room.contest, room.market
    rows, bench_pct = ranked_seats(room)
    symbols = contest.settings.instruments or market.symbols
    names = {inst.symbol: (inst.name_zh, inst.name_en) for inst in market.universe}
    bench_equity = buy_and_hold_equity(room.price_samples, contest.settings.starting_cash)
    return ContestResult(room_id=room.room_id, join_code=contest.join_code, state=contest.state.name.lower(),
                         settings=contest.settings, elapsed_s=contest.elapsed_s,
                         learners=tuple(LearnerResult(row, tuple(seat.equity_samples)) for row, seat in rows),
                         benchmark_return_pct=bench_pct, benchmark_equity=tuple(bench_equity),
                         instruments=tuple((sym, *names[sym]) for sym in symbols), samples_per_day=SAMPLES_PER_DAY)
