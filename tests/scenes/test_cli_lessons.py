"""``vbranch lesson`` and ``vbranch questionnaire`` through their argparse wiring."""

from __future__ import annotations

import argparse
import json

from vbranch.world import cli_lessons


def _run(capsys, *argv: str) -> str:
    parser = argparse.ArgumentParser()
    cli_lessons.register(parser.add_subparsers(dest="cmd", required=True))
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


def test_lesson_list_json_has_ids_titles_and_topics(capsys):
    rows = json.loads(_run(capsys, "lesson", "list", "--json"))
    assert len(rows) >= 8
    stop = next(r for r in rows if r["id"] == "stop_loss")
    assert stop["topic"] == "stop_loss" and stop["title"]["zh"].startswith("止损")


def test_lesson_show_marks_the_right_answer(capsys):
    out = _run(capsys, "lesson", "show", "stop_loss")
    assert "* 1) 9.20 yuan" in out


def test_questionnaire_non_interactive_json(capsys):
    result = json.loads(_run(capsys, "questionnaire", "--answers", "2,1,3,3,3", "--json"))
    assert result["asked"] == ["experience", "derivatives", "horizon", "goal", "max_loss"]
    assert (result["level"], result["score"]) == ("C5", 4 + 2 + 4 + 4 + 4)
