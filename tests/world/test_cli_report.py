"""``vbranch report``: a simulated class renders to self-contained HTML with real embedded charts."""

from __future__ import annotations

import argparse
import base64
import re

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
