"""What the lesson panel says at each moment, in both languages, without rendering it."""

from __future__ import annotations

import pytest

from vbranch.scenes.lesson_checks import CheckResult
from vbranch.scenes.lesson_menu import menu_rows
from vbranch.scenes.lesson_run import LessonRun, MarketNow, Phase
from vbranch.scenes.lessons import list_lessons, load_lesson
from vbranch.scenes.quests import Progress, load_quests
from vbranch.world.lesson_view import Tone, check_message, key_label, menu_view, run_view


def passing(params, answer):
    return CheckResult("placed_stop_loss", True, 100.0, {"bought": 1, "protected": 1})


def failing(params, answer):
    return CheckResult("placed_stop_loss", False, 0.0, {"bought": 1, "protected": 0})


def views_of_a_whole_run(lesson_id: str, lang: str) -> list:
    """Every panel a learner sees going through the lesson, answering the last question wrongly."""
    lesson = load_lesson(lesson_id)
    run = LessonRun(lesson, lang, failing)
    seen = []
    run.tick(0.0, MarketNow(lesson.days))
    seen.append(run_view(run, lang))
    while run.phase is Phase.STEPS:
        run.next()
    seen.append(run_view(run, lang, traded=True))
    if run.observation:
        run.choose(0)
    else:
        run.tick(1.0, MarketNow(2 * lesson.days + 1))  # the days run out
    seen.append(run_view(run, lang))
    run.choose(1)  # 2: on to the quiz
    for i, question in enumerate(lesson.quiz):
        seen.append(run_view(run, lang))
        run.choose(question.answer if i < len(lesson.quiz) - 1 else (question.answer + 1) % 2)
        seen.append(run_view(run, lang))
        run.next()
    seen.append(run_view(run, lang, coins=40))
    return seen


def test_number_keys_run_one_to_nine_then_zero():
    assert [key_label(i) for i in (0, 8, 9)] == ["1", "9", "0"]


def test_the_menu_marks_locks_and_tells_what_unlocks_the_selected_row():
    rows = menu_rows(list_lessons(), load_quests(), Progress())
    view = menu_view(rows, 2, "en", {"stop_loss": "Buy and protect."})
    assert view.title == "Lessons: 0 of 10 done" and len(view.options) == 10
    assert view.options[0].label == "1  ○  Reading a candlestick" and view.options[0].tone is Tone.PLAIN
    assert view.options[2].label.startswith("3  ■  Stop-loss") and view.options[2].label.endswith("· locked")
    assert view.options[2].tone is Tone.SELECTED and view.options[3].tone is Tone.DIM
    assert view.options[9].label.startswith("0  ")
    assert view.detail == "Level 2: protect your positions\nLocked: finish the earlier levels first"


def test_an_open_row_shows_its_task_in_chinese():
    rows = menu_rows(list_lessons(), load_quests(), Progress())
    view = menu_view(rows, 0, "zh", {"candlestick": "看K线"})
    assert view.title == "课程表：已完成 0/10" and view.detail == "第一关：看懂行情\n看K线"


def test_the_task_panel_counts_trading_days_and_shows_progress_only_after_a_trade():
    lesson = load_lesson("stop_loss")
    run = LessonRun(lesson, "en", failing)
    run.tick(0.0, MarketNow(4))
    for _ in lesson.steps:
        run.next()
    run.tick(1.0, MarketNow(6))
    untouched = run_view(run, "en")
    assert untouched.body == lesson.task.prompt["en"] and untouched.detail == "Trading day 3 of 10"
    traded = run_view(run, "en", traded=True)
    assert traded.detail == "Trading day 3 of 10\nSo far: Some holdings have no stop-loss (0/1)."


def test_a_timed_out_task_offers_a_retry_or_the_quiz():
    lesson = load_lesson("stop_loss")
    run = LessonRun(lesson, "en", failing)
    run.tick(0.0, MarketNow(0))
    for _ in lesson.steps:
        run.next()
    run.tick(1.0, MarketNow(10))
    view = run_view(run, "en")
    assert view.title == "Time is up: 10 trading days have passed" and view.mood is Tone.WRONG
    assert [o.label for o in view.options] == ["1  Try again", "2  Go on to the quiz"]


def ended_market_view(lang: str):
    lesson = load_lesson("regular_investing")
    run = LessonRun(lesson, lang, failing)
    run.tick(0.0, MarketNow(12))
    for _ in lesson.steps:
        run.next()
    run.tick(1.0, MarketNow(20, finished=True))
    return run_view(run, lang)


def test_a_scenario_that_ended_is_named_as_the_reason():
    view = ended_market_view("en")
    assert view.title == "The market has run out of trading days (the scenario has ended)"
    assert [o.label for o in view.options] == ["1  Start a new round for this task", "2  Go on to the quiz"]


def test_feedback_marks_the_right_and_the_wrong_choice_and_explains():
    lesson = load_lesson("stop_loss")
    run = LessonRun(lesson, "en", passing)
    run.tick(0.0, MarketNow(0))
    for _ in lesson.steps:
        run.next()
    run.next()  # the verdict → the quiz
    asked = run_view(run, "en")
    assert asked.title == "Question 1 of 2 · Stop-loss: put a limit on losses"
    assert [o.label for o in asked.options] == ["1  8.00 yuan", "2  9.20 yuan", "3  9.80 yuan"]
    assert asked.footer.startswith("Answer with 1–3")
    run.choose(0)
    answered = run_view(run, "en")
    assert [o.tone for o in answered.options] == [Tone.WRONG, Tone.RIGHT, Tone.DIM]
    assert answered.verdict == "Not quite: the answer is 2, 9.20 yuan" and answered.mood is Tone.WRONG
    assert answered.detail == "10 x (1 - 8%) = 9.20 yuan." and answered.footer == "Enter: next question"


def test_the_score_panel_sums_up_quiz_task_and_coins():
    views = views_of_a_whole_run("stop_loss", "en")
    done = views[-1]
    assert done.title == "Lesson finished: Stop-loss: put a limit on losses"
    assert done.body.splitlines()[0] == "Quiz: 1 of 2 right, not passed (60% right passes)"
    assert done.body.splitlines()[1].startswith("Market task: not passed yet")
    assert done.body.splitlines()[-1] == "Virtual coins: 40"


def test_a_candle_answer_is_said_in_the_learners_words():
    result = CheckResult("read_candle", True, 100.0, {"truth": "up", "answer": "up"})
    assert check_message(result, "zh") == "读对了：这根K线是阳线。"
    assert check_message(result, "en") == "Right: that candle is a rising (up) candle."


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_character_a_lesson_shows_is_in_the_shipped_font(lang):
    ttlib = pytest.importorskip("fontTools.ttLib")
    from vbranch.world.text import font_path

    cmap = ttlib.TTFont(str(font_path())).getBestCmap()
    rows = menu_rows(list_lessons(), load_quests(), Progress())
    prompts = {lesson.id: lesson.task.prompt[lang] for lesson in list_lessons()}
    panels = [menu_view(rows, i, lang, prompts) for i in range(len(rows))] + [ended_market_view(lang)]
    for lesson in list_lessons():
        panels += [v for v in views_of_a_whole_run(lesson.id, lang) if v is not None]
        panels += [run_view(LessonRun(lesson, lang, passing), lang)]
    shown = "".join(f"{v.title}{v.body}{''.join(o.label for o in v.options)}{v.verdict}{v.detail}{v.footer}"
                    for v in panels)
    shown += "".join(step.say[lang] for lesson in list_lessons() for step in lesson.steps)  # the subtitles
    missing = sorted({ch for ch in shown if ch.isprintable() and not ch.isspace() and ord(ch) not in cmap})
    assert missing == [], f"no glyph for {missing}"
