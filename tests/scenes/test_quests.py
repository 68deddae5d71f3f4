"""Quest levels unlock in order, pay coins once, award badges, and broken graphs are refused clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vbranch.scenes.quests import Event, Progress, QuestError, load_quests

Q = load_quests()


def _pass_lesson(progress: Progress, lesson_id: str) -> Progress:
    for event in (Event.LESSON, Event.QUIZ, Event.TASK):
        progress, _ = progress.complete(Q, event, lesson_id)
    return progress


def test_a_new_learner_sees_only_the_first_level():
    assert Progress().unlocked(Q) == ("basics",)
    assert Progress().completed(Q) == ()


def test_finishing_basics_unlocks_the_next_levels_only_after_the_questionnaire():
    p = _pass_lesson(_pass_lesson(Progress(), "candlestick"), "market_regimes")
    assert p.completed(Q) == ("basics",)
    assert p.unlocked(Q) == ("basics",)  # protect and build are gated on the risk questionnaire
    p, award = p.complete(Q, Event.QUESTIONNAIRE, value=3)
    assert set(p.unlocked(Q)) == {"basics", "protect", "build"}
    assert award.coins == 10 and award.badges == ("know_yourself",)


def test_coins_are_paid_once_and_a_completed_level_pays_its_reward():
    p, first = Progress().complete(Q, Event.QUIZ, "candlestick")
    p, again = p.complete(Q, Event.QUIZ, "candlestick")
    assert (first.coins, again.coins, p.coins) == (10, 0, 10)
    p, _ = p.complete(Q, Event.TASK, "candlestick")
    p, _ = p.complete(Q, Event.QUIZ, "market_regimes")
    p, award = p.complete(Q, Event.TASK, "market_regimes")
    assert award.levels == ("basics",)
    assert award.coins == 20 + 30
    assert p.coins == 10 + 20 + 10 + 20 + 30


def test_the_whole_path_to_graduation_with_badges():
    p, _ = Progress().complete(Q, Event.QUESTIONNAIRE, value=2)
    for lesson in ("candlestick", "market_regimes", "stop_loss", "take_profit", "trailing_stop",
                   "position_sizing", "diversification", "regular_investing", "behaviour"):
        p = _pass_lesson(p, lesson)
    assert "first_stop_loss" in p.badges and "quiz_master" in p.badges
    assert "crash" in p.unlocked(Q) and "crash" not in p.completed(Q)
    p, award = p.complete(Q, Event.TASK, "crash_survival")
    assert award.badges == ("held_through_crash",)  # the quiz is still missing, so no graduation yet
    p, award = p.complete(Q, Event.QUIZ, "crash_survival")
    assert award.levels == ("crash",) and award.badges == ("graduate",)
    assert p.completed(Q) == ("basics", "protect", "build", "long_run", "crash")
    assert p.coins == 10 + 10 * (5 + 10 + 20) - 5 + 30 + 50 + 50 + 60 + 100


def test_pet_stage_badge_and_json_round_trip():
    p, award = Progress().complete(Q, Event.PET_STAGE, value=3)
    assert award.badges == ("green_thumb",)
    p, _ = p.complete(Q, Event.QUESTIONNAIRE, value=4)
    back = Progress.from_json(p.to_json())
    assert back == p
    assert back.risk_level == 4 and back.pet_stage == 3


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    dest = tmp_path / "quests.toml"
    shutil.copy(Q.path, dest)
    text = dest.read_text("utf-8")
    assert old in text
    dest.write_text(text.replace(old, new, 1), "utf-8")
    return dest


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    ('requires = []', 'requires = ["crash"]', "levels.basics.requires", "cycle: basics -> crash -> protect -> basics"),
    ('requires = ["build"]', 'requires = ["advanced"]', "levels[3].requires", "unknown level 'advanced'"),
    ('lessons = ["candlestick", "market_regimes"]', 'lessons = ["candlestick", "astrology"]', "levels[0].lessons",
     "unknown lesson 'astrology'"),
    ('gates = { tasks = ["stop_loss"] }', 'gates = { exams = ["stop_loss"] }', "levels[4].gates.exams",
     "unknown gate"),
    ('event = "quiz"', 'event = "tweet"', "badges[3].event", "unknown event 'tweet'"),
    ('item = "crash"', 'item = "moon"', "badges[4].item", "unknown level item 'moon'"),
    ('id = "build"', 'id = "protect"', "levels[2].id", "duplicate level id 'protect'"),
])
def test_broken_quest_graphs_are_refused_with_file_field_and_reason(tmp_path, old, new, field, reason):
    with pytest.raises(QuestError) as err:
        load_quests(_copy(tmp_path, old, new))
    assert (err.value.field, reason in err.value.reason) == (field, True), err.value
