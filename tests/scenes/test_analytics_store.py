"""The learning store: statements in SQLite, idempotent imports of every log shape, filtered queries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from vbranch.emotion.event_log import EventLog
from vbranch.scenes.analytics.statement import VERB_COMPLETED, Statement
from vbranch.scenes.analytics.store import LearningStore
from vbranch.scenes.scenario import load_scenario
from vbranch.scenes.suitability import acknowledge


def _s(learner: str, verb: str, ts: float, contest: str | None = None) -> Statement:
    return Statement(learner, verb, "lesson/stop_loss", ts, {"score": ts}, {}, contest)


def test_queries_filter_by_learner_verb_time_and_contest_oldest_first(tmp_path):
    store = LearningStore(tmp_path / "db" / "learning.sqlite3")
    assert store.record_many([_s("b", "started", 30, "c1"), _s("a", "started", 10, "c1"),
                              _s("a", VERB_COMPLETED, 20, "c2"), _s("a", "started", 40)]) == 4
    assert [s.ts_s for s in store.statements("a")] == [10, 20, 40]
    assert [s.ts_s for s in store.statements(verb="started", since_s=10, until_s=40)] == [10, 30]
    assert store.learners("c1") == ["a", "b"] and store.contests() == ["c1", "c2"]
    assert store.statements("a", VERB_COMPLETED)[0].result == {"score": 20}
    assert len(store.statements(object_prefix="lesson/")) == 4 and store.statements(object_prefix="session/") == []


def test_file_store_uses_wal_and_survives_reopening(tmp_path):
    path = tmp_path / "learning.sqlite3"
    with LearningStore(path) as store:
        store.record(_s("a", "started", 1))
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with LearningStore(path) as store:
        assert store.count() == 1
        assert store.record(_s("a", "started", 1)) is False  # identical statement: stored once


def test_importing_the_same_logs_twice_adds_nothing_and_skips_broken_lines(tmp_path):
    cooling = EventLog(tmp_path / "cooling_off.jsonl")
    cooling.record("amy", "held", {"type": "order", "symbol": "510300"}, 12.5, cooling_off_s=30)
    cooling.record("amy", "cancelled", {"type": "order", "symbol": "510300"}, 20.0, executed=False)
    with cooling.path.open("a") as fh:
        fh.write("{not json\n")
    instrument = load_scenario("crash").market_config().universe.get("510300")
    acknowledge(tmp_path / "suitability.jsonl", "amy", 2, instrument, now=datetime(2025, 3, 3, 9, tzinfo=UTC))
    store = LearningStore(tmp_path / "s.sqlite3")
    first = store.import_jsonl(cooling.path, contest="class-7")
    assert (first.added, first.duplicates, first.skipped) == (2, 0, 1)
    assert store.import_jsonl(cooling.path, contest="class-7").added == 0
    assert store.import_jsonl(tmp_path / "suitability.jsonl").added == 1
    verbs = [(s.verb, s.object_id) for s in store.statements("amy")]
    assert ("cooling_off.cancelled", "order/510300") in verbs and ("acknowledged", "product/510300") in verbs
    held = store.statements("amy", "cooling_off.held")[0]
    assert held.context["t_s"] == 12.5 and held.result["cooling_off_s"] == 30 and held.contest == "class-7"
    ack = store.statements("amy", "acknowledged")[0]
    assert ack.ts_s == datetime(2025, 3, 3, 9, tzinfo=UTC).timestamp()


def test_export_then_import_round_trips(tmp_path):
    a = LearningStore(":memory:")
    a.record_many([_s("a", "started", 1, "c"), _s("b", VERB_COMPLETED, 2)])
    assert a.export_jsonl(tmp_path / "out.jsonl") == 2
    b = LearningStore(":memory:")
    assert b.import_jsonl(tmp_path / "out.jsonl").added == 2
    assert [s.to_dict() for s in b.statements()] == [s.to_dict() for s in a.statements()]
