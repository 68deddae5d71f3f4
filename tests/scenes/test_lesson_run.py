"""A lesson run without an engine: steps paced by reading time, tasks checked, timed out and retried, the quiz."""

from __future__ import annotations

import pytest

from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.lesson_checks import CheckResult, run_check
from vbranch.scenes.lesson_run import (
    CHECK_EVERY_S,
    FAST_FORWARD_SPEED,
    RESULT_READ_S,
    AnswersOpened,
    Bookmark,
    Left,
    LessonRun,
    MarketNow,
    Phase,
    QuestionAnswered,
    QuestionAsked,
    QuizGraded,
    RoundWanted,
    Said,
    StepsFollowed,
    TaskGraded,
    TaskOpened,
    live_params,
    market_speed,
    reading_time_s,
)
from vbranch.scenes.lessons import load_lesson


class FakeCheck:
    """Stands in for the live market's check: returns ``passed`` and remembers every call."""

    def __init__(self, passed: bool = False) -> None:
        self.passed = passed
        self.calls: list[tuple[dict, str | None]] = []

    def __call__(self, params: dict, answer: str | None) -> CheckResult:
        self.calls.append((params, answer))
        if answer is not None:  # an observation: "up" is the truth while ``passed`` is set
            ok = (answer == "up") == self.passed
            return CheckResult("read_candle", ok, 100 if ok else 0, {"truth": "up" if self.passed else "down"})
        return CheckResult("placed_stop_loss", self.passed, 100 if self.passed else 0, {"bought": 0, "protected": 0})


def at_task(lesson_id: str, check: FakeCheck, day: int = 0, lang: str = "en") -> LessonRun:
    """A run whose advisor lines were all skipped with Enter: the task has just opened."""
    run = LessonRun(load_lesson(lesson_id), lang, check)
    run.tick(0.0, MarketNow(day))
    for _ in run.lesson.steps:
        run.next()
    assert run.phase is Phase.TASK
    return run


def at_quiz(lesson_id: str = "stop_loss") -> LessonRun:
    check = FakeCheck()
    run = at_task(lesson_id, check)
    check.passed = True
    run.nudge()
    run.tick(0.1, MarketNow(0))
    run.next()  # from the verdict straight to the quiz
    assert run.phase is Phase.QUIZ
    return run


# ----- steps ---------------------------------------------------------------------------------------
def test_each_line_stays_for_its_reading_time_then_the_next_is_said():
    lesson = load_lesson("stop_loss")
    run = LessonRun(lesson, "en", FakeCheck())
    assert run.tick(0.0, MarketNow(0)) == [Said(0)]
    first_s = reading_time_s(lesson.steps[0].say["en"], "en")
    assert first_s == pytest.approx(len(lesson.steps[0].say["en"]) / 14.0)  # 14 characters a second in English
    assert run.tick(first_s - 0.01, MarketNow(0)) == []
    assert run.tick(first_s, MarketNow(0)) == [Said(1)]


def test_short_lines_get_three_seconds_and_elder_pace_stretches_them():
    assert reading_time_s("Hi.", "en") == 3.0
    assert reading_time_s("止损" * 10, "zh") == 4.0  # 20 characters at 5 a second
    run = LessonRun(load_lesson("stop_loss"), "zh", FakeCheck(), pace=1.5)
    run.tick(0.0, MarketNow(0))
    first_s = 1.5 * reading_time_s(run.lesson.steps[0].say["zh"], "zh")
    assert run.tick(first_s - 0.01, MarketNow(0)) == [] and run.tick(first_s, MarketNow(0)) == [Said(1)]


def test_enter_moves_on_and_after_the_last_line_the_task_opens():
    check = FakeCheck()
    run = LessonRun(load_lesson("stop_loss"), "en", check)
    run.tick(0.0, MarketNow(4))
    assert run.next() == [Said(1)]
    assert run.next() == [Said(2)]
    assert run.next() == [StepsFollowed(), TaskOpened(4)]
    assert run.phase is Phase.TASK and run.start_day == 4 and len(check.calls) == 1


# ----- achievement tasks ---------------------------------------------------------------------------
def test_the_task_is_checked_once_a_second_and_passes_as_soon_as_the_check_does():
    check = FakeCheck()
    run = at_task("stop_loss", check)
    for i in range(1, 30):
        run.tick(i / 60, MarketNow(0))
    assert len(check.calls) == 1  # at opening; the next check is due a second later
    run.tick(CHECK_EVERY_S, MarketNow(0))
    assert len(check.calls) == 2 and run.phase is Phase.TASK and not run.progress.passed
    check.passed = True
    cues = run.tick(2 * CHECK_EVERY_S, MarketNow(1))
    assert [type(c) for c in cues] == [TaskGraded] and cues[0].result.passed and not cues[0].timed_out
    assert cues[0].seconds == pytest.approx(2.0)
    assert run.phase is Phase.TASK_RESULT
    assert run.tick(2 + RESULT_READ_S - 0.01, MarketNow(1)) == []
    assert run.tick(2 + RESULT_READ_S, MarketNow(1)) == [QuestionAsked(0)]


def test_a_fill_gets_the_task_checked_at_the_next_frame():
    check = FakeCheck()
    run = at_task("stop_loss", check)
    check.passed = True
    run.nudge()
    assert isinstance(run.tick(0.02, MarketNow(0))[0], TaskGraded)


def test_an_unfinished_task_times_out_after_the_lessons_days_and_can_be_retried():
    check = FakeCheck()
    run = at_task("stop_loss", check, day=3)  # ten trading days, counted from day 3
    assert run.tick(1.0, MarketNow(12)) == [] and run.days_into_task() == 9
    cues = run.tick(2.0, MarketNow(13))
    assert len(cues) == 1 and cues[0].timed_out and not cues[0].result.passed
    assert run.tick(60.0, MarketNow(14)) == []  # a failed task waits for the learner's choice
    assert run.choose(0) == [TaskOpened(14)]  # 1: try again, from today
    assert run.phase is Phase.TASK and run.days_into_task() == 0


def test_a_scenario_that_runs_out_of_days_ends_the_task_early_and_says_so():
    run = at_task("regular_investing", FakeCheck(), day=12)  # thirty days wanted, the scenario has twenty
    cues = run.tick(1.0, MarketNow(20, finished=True))
    assert cues[0].timed_out and run.market_ended and run.days_into_task() == 8
    assert run.choose(1) == [QuestionAsked(0)]


def test_trying_again_on_an_ended_market_asks_for_a_new_round_and_opens_the_task_on_it():
    run = at_task("regular_investing", FakeCheck(), day=12)
    run.tick(1.0, MarketNow(20, finished=True))
    assert run.choose(0) == [RoundWanted()]  # no days left here: the shell starts a new round
    assert run.next() == [] and run.choose(0) == []  # asked once
    assert run.tick(2.0, MarketNow(20, finished=True)) == [] and run.phase is Phase.TASK_RESULT
    assert run.tick(3.0, MarketNow(0)) == [TaskOpened(0)]  # the new round's first tick
    assert run.phase is Phase.TASK and not run.market_ended and run.days_into_task() == 0


def test_after_a_failed_task_the_learner_may_go_on_to_the_quiz():
    check = FakeCheck()
    run = at_task("stop_loss", check)
    run.tick(1.0, MarketNow(10))
    assert run.phase is Phase.TASK_RESULT
    assert run.choose(1) == [QuestionAsked(0)]


def test_a_hold_through_task_is_graded_only_when_its_days_are_over():
    check = FakeCheck(passed=True)  # invested and no panic sell so far
    run = at_task("crash_survival", check, day=2)
    assert run.hold and run.lesson.days == 51
    run.tick(30.0, MarketNow(40))
    assert run.phase is Phase.TASK and run.progress.passed  # passing so far proves nothing yet
    cues = run.tick(31.0, MarketNow(53))
    assert cues[0].result.passed and not cues[0].timed_out
    assert check.calls[-1][0]["bought_by_day"] == 3 + 2  # "invest within the first three days" of the task


# ----- observation tasks ---------------------------------------------------------------------------
def test_an_observation_waits_for_its_closed_days_with_the_market_fast_forwarded():
    check = FakeCheck(passed=True)
    run = at_task("candlestick", check, day=1)  # its question is about the third day's candle
    assert run.observation and run.verdicts is None
    assert market_speed(run, 1.0) == FAST_FORWARD_SPEED
    assert run.choose(0) == []  # nothing to answer yet
    assert run.tick(1.0, MarketNow(3)) == [AnswersOpened()]
    assert market_speed(run, 1.0) == 1.0
    assert sorted(answer for _, answer in check.calls) == ["down", "up"]


def test_the_right_answer_is_the_one_when_the_question_opened():
    check = FakeCheck(passed=True)
    run = at_task("candlestick", check, day=5)  # days already closed: the answers open at once
    assert run.verdicts is not None
    check.passed = False  # a new candle closes while the learner thinks
    cues = run.choose(0)  # "up"
    assert cues[0].result.passed and cues[0].result.details["truth"] == "up"


def test_a_wrong_observation_fails_the_task_with_a_retry():
    check = FakeCheck(passed=True)
    run = at_task("candlestick", check, day=5)
    cues = run.choose(1)  # "down"
    assert not cues[0].result.passed and not cues[0].timed_out and run.phase is Phase.TASK_RESULT
    assert run.choose(0) == [TaskOpened(5), AnswersOpened()]


# ----- quiz ----------------------------------------------------------------------------------------
def test_each_answer_gets_feedback_and_the_score_comes_at_the_end():
    run = at_quiz("stop_loss")  # two questions, both answered by choice 1
    run.tick(10.0, MarketNow(0))
    assert run.choose(7) == []  # no such choice
    cues = run.choose(1)
    assert cues == [QuestionAnswered(0, 1, True, cues[0].seconds)] and run.phase is Phase.FEEDBACK
    assert run.choose(0) == []  # feedback is read, not answered
    assert run.next() == [QuestionAsked(1)]
    run.tick(14.0, MarketNow(0))
    assert run.choose(0)[0].correct is False
    cues = run.next()
    assert isinstance(cues[0], QuizGraded) and run.phase is Phase.DONE
    result = cues[0].result
    assert (result.correct, result.total, result.passed, result.wrong) == (1, 2, False, (1,))  # 50% < 60%
    assert run.answers == [1, 0]


def test_all_right_passes_the_quiz():
    run = at_quiz("diversification")
    for _ in run.lesson.quiz:
        run.choose(1)
        cues = run.next()
    assert cues[0].result.passed and cues[0].result.correct == 2


# ----- leaving and resuming ------------------------------------------------------------------------
def test_leaving_during_the_lines_resumes_at_the_line_reached():
    lesson = load_lesson("stop_loss")
    run = LessonRun(lesson, "en", FakeCheck(), started_ts_s=1000.0)
    run.tick(0.0, MarketNow(0))
    run.next()
    (cue,) = run.leave()
    assert isinstance(cue, Left) and cue.bookmark == Bookmark("stop_loss", Phase.STEPS, 1, started_ts_s=1000.0)
    assert run.phase is Phase.LEFT
    again = LessonRun(lesson, "en", FakeCheck(), bookmark=Bookmark.from_dict(cue.bookmark.to_dict()))
    assert again.tick(50.0, MarketNow(2)) == [Said(1)] and again.started_ts_s == 1000.0


def test_leaving_a_task_reopens_it_fresh_next_time():
    check = FakeCheck()
    run = at_task("stop_loss", check)
    bookmark = run.leave()[0].bookmark
    assert bookmark.phase is Phase.TASK
    again = LessonRun(run.lesson, "en", check, bookmark=bookmark)
    assert again.tick(5.0, MarketNow(8)) == [TaskOpened(8)]


def test_leaving_mid_quiz_keeps_the_answers_given():
    run = at_quiz("stop_loss")
    run.choose(1)
    bookmark = run.leave()[0].bookmark
    assert (bookmark.phase, bookmark.answers, bookmark.task.passed) == (Phase.QUIZ, (1,), True)
    restored = Bookmark.from_dict(bookmark.to_dict())
    assert restored == bookmark
    again = LessonRun(run.lesson, "en", FakeCheck(), bookmark=restored)
    assert again.tick(0.0, MarketNow(0)) == [QuestionAsked(1)]
    again.choose(1)
    assert again.next()[0].result.correct == 2  # the first answer counted from the bookmark


def test_leaving_after_the_last_answer_grades_the_quiz_and_leaves_nothing_to_resume():
    run = at_quiz("stop_loss")
    run.choose(1)
    run.next()
    run.choose(1)
    graded, left = run.leave()
    assert isinstance(graded, QuizGraded) and graded.result.correct == 2 and left == Left(None)


def test_a_bookmark_for_another_lesson_is_ignored():
    run = LessonRun(load_lesson("stop_loss"), "en", FakeCheck(), bookmark=Bookmark("candlestick", Phase.QUIZ))
    assert run.tick(0.0, MarketNow(0)) == [Said(0)] and not run.resumed


# ----- pacing rules --------------------------------------------------------------------------------
def test_a_day_parameter_counts_from_the_tasks_start():
    assert live_params({"bought_by_day": 3, "min_invested_pct": 30.0}, 7) == {"bought_by_day": 10,
                                                                            "min_invested_pct": 30.0}


def test_the_task_runs_at_the_lessons_pace_but_never_slows_the_learners_market():
    run = at_task("regular_investing", FakeCheck())  # the lesson's pace is 4x
    assert market_speed(run, 1.0) == 4.0 and market_speed(run, 30.0) == 30.0
    run.leave()
    assert market_speed(run, 1.0) == 1.0 and market_speed(None, 2.0) == 2.0


# ----- on a real market ----------------------------------------------------------------------------
def test_the_stop_loss_task_passes_on_a_live_market_once_a_protected_buy_fills():
    lesson = load_lesson("stop_loss")
    market = lesson.build_market()
    market.open_account("a")
    market.run_days(2)  # the learner arrives mid-scenario

    def check(params, answer):
        return run_check(lesson.task.check, market, "a", params, answer)

    run = LessonRun(lesson, "en", check)
    run.tick(0.0, MarketNow(market.day))
    for _ in lesson.steps:
        run.next()
    market.submit("a", OrderRequest("510300", Side.BUY, 1000, stop_loss_pct=5.0))
    market.advance(2)
    cues = run.tick(1.0, MarketNow(market.day))
    assert isinstance(market, Market) and cues[0].result.passed and cues[0].result.details["protected"] == 1
