"""The report's data: the room's own board with each learner's equity, and the CSV a spreadsheet opens."""

import csv
import io

import pytest
from report_class import run_a_class
from room_helpers import Classroom

from vbranch.server.leaderboard import buy_and_hold_equity
from vbranch.server.report import REPORT_COLUMNS, contest_result, ranked_seats, report_csv


@pytest.fixture
def finished(tmp_path):
    c = run_a_class(tmp_path / "journal.sqlite3")
    yield c
    c.close()


def test_result_is_the_leaderboard_the_class_saw(finished):
    board, bench_pct = finished.room.standings()
    result = contest_result(finished.room)
    assert result.board == board and result.benchmark_return_pct == bench_pct
    assert [s.name for s in result.board] == ["<b>Dee</b>", "Ann", "Bo", "小明"]
    assert not result.board[-1].qualified and result.board[-1].score > result.board[-2].score  # too few trades
    assert (result.state, result.join_code, result.settings.min_trades) == ("ended", finished.join_code, 1)
    assert result.benchmark_equity == tuple(buy_and_hold_equity(finished.room.price_samples, 100000))
    assert len(result.instruments) == 7 and ("510300", "沪深300ETF", "CSI 300 ETF") in result.instruments


def test_each_row_carries_its_own_seats_equity(finished):
    result = contest_result(finished.room)
    by_name = {seat.name: seat for seat in finished.room.seats.values()}
    for learner in result.learners:
        assert learner.equity == tuple(by_name[learner.standing.name].equity_samples)
    bo = next(x for x in result.learners if x.standing.name == "Bo")
    assert bo.equity[0] == 100000 and bo.equity[-1] == pytest.approx(100000 * (1 + bo.standing.return_pct / 100),
                                                                      abs=1.0)


def test_namesakes_with_different_results_keep_their_own_rows():
    c = Classroom(scenario="crash", starting_cash=100000, seed=3)
    c.join("a", "Sam")
    c.join("b", "Sam")
    c.teacher("start")
    c.tick(30)
    c.send("b", {"type": "order", "client_order_id": "b1", "symbol": "510300", "side": "buy", "pct": 80})
    c.tick(300)
    rows, _ = ranked_seats(c.room)
    assert [row.name for row, _ in rows] == ["Sam", "Sam"]
    assert {row.trades: seat.seat_id for row, seat in rows} == {0: "s1", 1: "s2"}
    assert {row.return_pct: seat.seat_id for row, seat in rows}[0.0] == "s1"


def test_no_contest_no_result():
    from vbranch.server.room import Room

    assert contest_result(Room("r1", "token")) is None


def test_csv_has_the_board_then_the_benchmark_and_defuses_formulas(finished):
    result = contest_result(finished.room)
    finished.room.seats["s1"].name = "=HYPERLINK(1)"  # a nickname a spreadsheet would run
    board, bench = finished.room.standings()
    rows = list(csv.DictReader(io.StringIO(report_csv(board, bench))))
    assert tuple(rows[0]) == REPORT_COLUMNS and len(rows) == len(result.board) + 1
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", ""]
    assert "'=HYPERLINK(1)" in [r["name"] for r in rows]
    bo = next(r for r in rows if r["name"] == "Bo")
    expected = next(s for s in board if s.name == "Bo")
    assert float(bo["score"]) == expected.score and float(bo["return_pct"]) == expected.return_pct
    assert rows[-1]["name"] == "benchmark: buy and hold" and float(rows[-1]["return_pct"]) == bench
