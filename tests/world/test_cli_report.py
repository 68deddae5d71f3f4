"""``vbranch report``: a simulated class renders to self-contained HTML with real embedded charts."""

from __future__ import annotations

import argparse
import base64
import re
import sys
from pathlib import Path

import pytest

from vbranch.scenes.analytics.demo import simulate_class
from vbranch.scenes.analytics.statement import Statement
from vbranch.scenes.analytics.store import LearningStore
from vbranch.world.cli_report import register

PNG = b"\x89PNG\r\n\x1a\n"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="cmd", required=True))
    args = parser.parse_args(["report", *argv])
    return args.func(args)


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def test_demo_writes_a_class_report_and_one_card_per_learner(tmp_path):
    out = tmp_path / "demo.html"
    assert _run("--demo", "--learners", "2", "--out", str(out), "--png-dir", str(tmp_path / "png"), "--lang", "zh") == 0
    html = out.read_text("utf-8")
    assert "班级报告：demo-class" in html and "顾问话术 A/B 测试" in html and "http" not in html
    assert [img[:8] for img in _images(html)] == [PNG] * 3
    card = (tmp_path / "demo_learner-01.html").read_text("utf-8")
    assert "学习报告：learner-01" in card and len(_images(card)) == 3
    assert len(list((tmp_path / "png").glob("*.png"))) == 3 + 2 * 3


def test_learner_and_class_reports_read_the_store(tmp_path):
    db = tmp_path / "learning.sqlite3"
    with LearningStore(db) as store:
        simulate_class(store, tmp_path, n_learners=2, seed=1, contest="7A", exposures_per_learner=6,
                       lessons=("candlestick", "stop_loss"))
        store.record(Statement("outsider", "started", "lesson/stop_loss", 1.0, {}, {}, "other"))
    assert _run("--learner", "learner-02", "--db", str(db), "--out", str(tmp_path / "card.html"),
                "--lessons", "stop_loss,crash_survival") == 0
    card = (tmp_path / "card.html").read_text("utf-8")
    assert "Report card: learner-02" in card and "Stop-loss" in card and "Diversif" not in card
    assert _run("--class", "7A", "--db", str(db), "--out", str(tmp_path / "class.html")) == 0
    html = (tmp_path / "class.html").read_text("utf-8")
    assert "learner-01" in html and "learner-02" in html and "outsider" not in html
    assert "p-value" in html and len(_images(html)) == 3


# ----- vbranch report --class CONTEST --journal PATH: the teacher's report from the classroom server's journal ---
sys.path.insert(0, str(Path(__file__).parents[1] / "server"))
from report_class import board_table, run_a_class  # noqa: E402


@pytest.fixture(scope="module")
def journaled_class(tmp_path_factory):
    """A real contest through the Sans-I/O lobby into a real SQLite journal, closed like a stopped server."""
    journal = tmp_path_factory.mktemp("server") / "journal.sqlite3"
    c = run_a_class(journal)
    c.close()
    return c, journal


def test_class_report_from_the_journal_matches_the_rooms_leaderboard(journaled_class, tmp_path):
    c, journal = journaled_class
    out = tmp_path / "class.html"
    assert _run("--class", c.join_code.lower(), "--journal", str(journal), "--db", str(tmp_path / "l.sqlite3"),
                "--out", str(out)) == 0
    page = out.read_text("utf-8")
    board, bench = c.room.standings()
    rows = board_table(page)
    assert [(r[0], r[1]) for r in rows[1:-1]] == [(str(s.rank), s.name) for s in board]
    assert [r[1] for r in rows[1:-1]] == ["<b>Dee</b>", "Ann", "Bo", "小明"]  # 小明 scored more than Bo, traded less
    for cells, s in zip(rows[1:-1], board, strict=True):
        assert (cells[2], float(cells[3]), cells[5], cells[7]) == (f"{s.score:.2f}", round(s.return_pct, 2),
                                                                  f"{s.max_drawdown_pct:.2f}", str(s.trades))
    assert float(rows[-1][3]) == round(bench, 2) and f"Contest report: {c.join_code}" in page
    assert page.count("<svg") == 2 and "Learning records" not in page  # no statements tagged with this class


def test_class_report_by_room_id_adds_the_learning_records_tagged_with_it(journaled_class, tmp_path):
    c, journal = journaled_class
    db = tmp_path / "learning.sqlite3"
    with LearningStore(db) as store:
        simulate_class(store, tmp_path, n_learners=2, seed=1, contest=c.join_code, exposures_per_learner=6,
                       lessons=("stop_loss",))
    out = tmp_path / "class.html"
    assert _run("--class", c.room_id, "--journal", str(journal), "--db", str(db), "--out", str(out),
                "--lang", "zh", "--lessons", "stop_loss", "--png-dir", str(tmp_path / "png")) == 0
    page = out.read_text("utf-8")
    assert f"比赛报告：{c.join_code}" in page and "最终排名" in page and "学习记录" in page
    assert "learner-01" in page and "顾问话术 A/B 测试" in page and len(_images(page)) == 3
    assert [r[1] for r in board_table(page)[1:-1]] == [s.name for s in c.room.standings()[0]]
    assert len(list((tmp_path / "png").glob("class_*.png"))) == 3


def test_a_contest_missing_from_the_journal_is_a_clear_error(journaled_class, tmp_path):
    c, journal = journaled_class
    with pytest.raises(SystemExit, match=f"no contest 'ZZZZZZZ' in the journal .*{c.join_code} \\(room {c.room_id}\\)"):
        _run("--class", "ZZZZZZZ", "--journal", str(journal), "--db", str(tmp_path / "l.sqlite3"),
             "--out", str(tmp_path / "x.html"))
    with pytest.raises(SystemExit, match="no journal at"):
        _run("--class", c.join_code, "--journal", str(tmp_path / "nope.sqlite3"), "--db", str(tmp_path / "l.sqlite3"),
             "--out", str(tmp_path / "x.html"))
    assert not (tmp_path / "nope.sqlite3").exists() and not (tmp_path / "x.html").exists()
