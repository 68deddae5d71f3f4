"""A/B variant assignment is stable and fair; the event log is append-only xAPI-style JSON lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from vbranch.avatars.dialogue import LearnerState, Mode, Situation, Style, assign_variant, choose_line
from vbranch.avatars.dialogue.ab import VERB_ACTED, VERB_SHOWN, ExperimentLog


def test_variant_is_stable_for_the_same_learner_and_experiment() -> None:
    first = [assign_variant(f"learner-{i}") for i in range(200)]
    again = [assign_variant(f"learner-{i}") for i in range(200)]
    assert first == again
    assert assign_variant("alice", "exp_a") == assign_variant("alice", "exp_a")


def test_variants_split_about_50_50_over_10000_learners() -> None:
    empathetic = sum(assign_variant(f"student-{i:05d}") is Style.EMPATHETIC for i in range(10_000))
    assert 4_800 <= empathetic <= 5_200  # ±4 standard deviations of a fair coin


def test_two_experiments_assign_independently() -> None:
    same = sum(assign_variant(f"s{i}", "exp_a") == assign_variant(f"s{i}", "exp_b") for i in range(4_000))
    assert 1_850 <= same <= 2_150


def _line(style: Style = Style.EMPATHETIC):
    return choose_line(Situation("crash_started", symbol="510300", pct=6.0), LearnerState(), Mode.NORMAL, "zh",
                       style, 0)


def test_shown_line_and_next_action_are_two_valid_json_lines_with_actor_verb_object(tmp_path) -> None:
    log = ExperimentLog(tmp_path / "logs" / "ab.jsonl", experiment="exp_a")
    ts = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    line = _line()
    log.line_shown("alice", line, event_kind="crash_started", sim_time_s=10.0, timestamp=ts)
    log.learner_acted("alice", "hold", sim_time_s=14.5, timestamp=ts)
    rows = [json.loads(text) for text in (tmp_path / "logs" / "ab.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert {"actor", "verb", "object", "result", "context", "timestamp"} <= set(row)
        assert row["actor"]["account"]["name"] == "alice"
        assert row["timestamp"] == "2025-01-02T03:04:05+00:00"
        assert row["context"]["experiment"] == "exp_a"
    shown, acted = rows
    assert shown["verb"]["id"] == VERB_SHOWN and shown["object"]["id"].endswith(line.key)
    assert shown["context"]["variant"] == "empathetic"
    assert shown["result"]["extensions"]["text"] == line.text
    assert acted["verb"]["id"] == VERB_ACTED and acted["object"]["id"].endswith("action/hold")
    assert acted["result"]["extensions"] == {"after_line": line.key, "latency_s": 4.5}
    assert acted["context"]["variant"] == "empathetic"


def test_log_only_appends_across_sessions(tmp_path) -> None:
    path = tmp_path / "ab.jsonl"
    ExperimentLog(path).line_shown("bob", _line(Style.STANDARD))
    ExperimentLog(path).line_shown("bob", _line(Style.STANDARD))
    ExperimentLog(path).learner_acted("carol", "sell")
    rows = [json.loads(t) for t in path.read_text("utf-8").splitlines()]
    assert [r["verb"]["id"] for r in rows] == [VERB_SHOWN, VERB_SHOWN, VERB_ACTED]
    assert rows[2]["result"]["extensions"]["after_line"] is None
    assert rows[2]["context"]["variant"] == assign_variant("carol").value
