"""The lesson files load, cover the issue's topics, and the loader rejects broken lessons clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vbranch.avatars.body import GESTURE_KEYFRAMES
from vbranch.scenes.layout import load_layout
from vbranch.scenes.lessons import (
    FOCUS_FIXTURES,
    GESTURES,
    LessonError,
    grade_quiz,
    has_cjk,
    lesson_paths,
    list_lessons,
    load_lesson,
)


def test_at_least_eight_lessons_cover_every_topic_of_the_issue():
    lessons = list_lessons()
    assert len(lessons) >= 8
    assert {lesson.topic for lesson in lessons} >= {"candlestick", "market_regimes", "stop_loss", "take_profit",
                                                     "position_sizing", "diversification", "crash",
                                                     "regular_investing", "behaviour"}
    assert len({lesson.id for lesson in lessons}) == len(lessons)


def test_the_crash_lesson_is_a_historical_replay():
    from vbranch.scenes.scenario import load_scenario

    assert load_scenario(load_lesson("crash_survival").scenario).kind == "replay"


def test_quizzes_are_well_formed_in_both_languages():
    for lesson in list_lessons():
        for q in lesson.quiz:
            assert len(q.choices["zh"]) == len(q.choices["en"]) >= 2
            assert 0 <= q.answer < len(q.choices["en"])
            assert has_cjk(q.question["zh"]) and not has_cjk(q.question["en"])
            assert all(not has_cjk(c) for c in q.choices["en"])


def test_gestures_and_focus_fixtures_exist_in_the_avatar_and_the_branch():
    assert set(GESTURES) <= set(GESTURE_KEYFRAMES)
    layout = load_layout()
    for fixture_id in FOCUS_FIXTURES:
        assert layout.fixture(fixture_id).id == fixture_id


def test_grade_quiz_counts_right_answers_and_passes_at_sixty_percent():
    lesson = load_lesson("stop_loss")
    right = [q.answer for q in lesson.quiz]
    assert grade_quiz(lesson, right).correct == 2
    assert grade_quiz(lesson, right).passed
    wrong_first = [(right[0] + 1) % 3, right[1]]
    result = grade_quiz(lesson, wrong_first)
    assert (result.correct, result.passed, result.wrong) == (1, False, (0,))
    with pytest.raises(ValueError, match="2 quiz answers needed"):
        grade_quiz(lesson, [0])


def test_build_market_uses_the_lessons_seed_and_speed():
    lesson = load_lesson("stop_loss")
    a, b = lesson.build_market(), lesson.build_market()
    a.run_days(2)
    b.run_days(2)
    assert a.prices == b.prices
    assert a.clock.speed == lesson.speed


def _broken(tmp_path: Path, old: str, new: str, name: str = "stop_loss") -> Path:
    src = next(p for p in lesson_paths() if p.stem == name)
    dest = tmp_path / src.name
    shutil.copy(src, dest)
    text = dest.read_text("utf-8")
    assert old in text
    dest.write_text(text.replace(old, new, 1), "utf-8")
    return dest


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    ('scenario = "bear"', 'scenario = "moon"', "scenario", "no such scenario"),
    ('check = "placed_stop_loss"', 'check = "feel_good"', "task.check", "no registered check 'feel_good'"),
    ("params = { min_fraction = 1.0 }", "params = { max_loss = 1.0 }", "task.params.max_loss", "no such parameter"),
    ("answer = 1", "answer = 3", "quiz[0].answer", "must index a choice (0..2), got 3"),
    ('say_en = "A stop-loss', 'say_en = "止损 A stop-loss', "steps[0].say_en", "English text contains Chinese"),
    ('say_zh = "止损是提前定好的卖出价格：价格跌到这里，就自动卖出，让一次亏损不至于变成大亏。"', 'say_zh = "A stop"',
     "steps[0].say_zh", "no Chinese characters"),
    ('gesture = "greet"', 'gesture = "dance"', "steps[0].gesture", "unknown gesture 'dance'"),
    ('focus = "orders"', 'focus = "ceiling"', "steps[1].focus", "unknown fixture 'ceiling'"),
    ("days = 10", "days = 99", "days", "must be 1..40"),
])
def test_broken_lessons_name_file_field_and_reason(tmp_path, old, new, field, reason):
    path = _broken(tmp_path, old, new)
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert err.value.field == field
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{path}: {field}: ")


def test_duplicate_lesson_ids_name_both_files(tmp_path):
    first = _broken(tmp_path, "seed = 11", "seed = 12")
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    second = other_dir / first.name
    shutil.copy(first, second)
    with pytest.raises(LessonError, match="'stop_loss' is already used by stop_loss.toml"):
        list_lessons([first, second])
