"""The lesson menu: quest order, done/started/open/locked per the quest graph, and what unlocks a row."""

from __future__ import annotations

import pytest

from vbranch.scenes.lesson_menu import Status, menu_rows
from vbranch.scenes.lessons import list_lessons
from vbranch.scenes.quests import Progress, load_quests


@pytest.fixture(scope="module")
def lessons():
    return list_lessons()


@pytest.fixture(scope="module")
def quests():
    return load_quests()


def statuses(rows) -> dict[str, Status]:
    return {row.lesson_id: row.status for row in rows}


def test_rows_follow_the_quest_levels(lessons, quests):
    rows = menu_rows(lessons, quests, Progress())
    assert [row.lesson_id for row in rows] == [
        "candlestick", "market_regimes", "stop_loss", "take_profit", "trailing_stop", "position_sizing",
        "diversification", "regular_investing", "behaviour", "crash_survival"]
    assert rows[0].level.id == "basics" and rows[-1].level.id == "crash"


def test_a_newcomer_can_play_only_the_first_level(lessons, quests):
    rows = menu_rows(lessons, quests, Progress())
    assert [row.lesson_id for row in rows if row.playable] == ["candlestick", "market_regimes"]
    assert {row.locked_reason for row in rows if not row.playable} == {"quest.locked"}


def test_a_lesson_begun_in_the_first_visit_stays_open(lessons, quests):
    after_visit = Progress(lessons=frozenset({"stop_loss"}), tasks=frozenset({"stop_loss"}))
    assert statuses(menu_rows(lessons, quests, after_visit))["stop_loss"] is Status.STARTED
    assert statuses(menu_rows(lessons, quests, Progress(), bookmarked={"take_profit"}))["take_profit"] is \
        Status.STARTED


def test_finishing_level_one_without_the_questionnaire_says_what_is_missing(lessons, quests):
    basics = frozenset({"candlestick", "market_regimes"})
    rows = {row.lesson_id: row for row in menu_rows(lessons, quests, Progress(quizzes=basics, tasks=basics))}
    assert rows["candlestick"].status is Status.DONE
    assert rows["take_profit"].locked_reason == "lesson_desk.locked.questionnaire"
    assert rows["regular_investing"].locked_reason == "quest.locked"  # needs level three finished first


def test_level_one_and_the_questionnaire_open_levels_two_and_three(lessons, quests):
    basics = frozenset({"candlestick", "market_regimes"})
    rows = menu_rows(lessons, quests, Progress(quizzes=basics, tasks=basics, risk_level=3))
    playable = [row.lesson_id for row in rows if row.playable]
    assert playable == ["candlestick", "market_regimes", "stop_loss", "take_profit", "trailing_stop",
                        "position_sizing", "diversification"]


def test_a_quiz_without_its_task_is_not_done(lessons, quests):
    progress = Progress(quizzes=frozenset({"candlestick"}))
    assert statuses(menu_rows(lessons, quests, progress))["candlestick"] is Status.STARTED
