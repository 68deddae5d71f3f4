"""One lesson played through: the advisor's steps, the market task, the quiz, a score. No engine here.

A lesson in the branch is a small state machine (``Phase``): the advisor's lines one after another
(each given time to be heard, Enter moves on), then the task on the market the learner is standing in,
then the quiz, question by question with the explanation after each answer, then the score. The shell
(``vbranch.world.lesson_desk``) feeds it the frame clock, the market day and the learner's keys, and
acts on the ``Cue`` values it returns (speak this line, record that grade, pay those coins), so every
rule of a lesson — when a task times out, when a hold-through task is graded, what a retry resets,
where a lesson left mid-way resumes — is tested without Panda3D.

Tasks come in three kinds, told apart by their check:

* observation (the lesson lists ``answers``): the market runs until it has the closed days the question
  is about, then the learner picks an answer. Every answer is graded the moment the question opens, so
  a candle closing while the learner thinks cannot change the right answer under them.
* achievement (placing a stop-loss, diversifying…): checked every second and after each fill; passed as
  soon as the check passes, timed out after the lesson's ``days`` trading days.
* hold-through (``HOLD_CHECKS``: not panic selling, keeping positions small, not herding): such a check
  passes the moment money is invested, which proves nothing yet, so it is graded once, when the
  lesson's ``days`` have passed; until then the learner sees how they are doing so far.

A fixed-length scenario can run out of days under a task (or before it opens). Then "try again" asks the
shell for a new round (``RoundWanted``) and the task opens afresh on the first tick of a market that is
running again, so a learner is never stuck on a market that has stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from vbranch.scenes.lesson_checks import CheckResult
from vbranch.scenes.lessons import Lesson, QuizResult, grade_quiz

__all__ = ["Phase", "LessonRun", "Bookmark", "MarketNow", "Cue", "Said", "StepsFollowed", "TaskOpened",
           "AnswersOpened", "TaskGraded", "QuestionAsked", "QuestionAnswered", "QuizGraded", "Left", "RoundWanted",
           "Check", "reading_time_s", "live_params", "market_speed", "HOLD_CHECKS", "CHECK_EVERY_S", "RESULT_READ_S",
           "FAST_FORWARD_SPEED"]

READ_CHARS_PER_S = {"zh": 5.0, "en": 14.0}  # roughly the advisor's speaking pace
MIN_READ_S = 3.0
CHECK_EVERY_S = 1.0
RESULT_READ_S = 5.0  # a passed task's verdict stays this long before the quiz opens (Enter skips)
FAST_FORWARD_SPEED = 240.0  # a trading day every 1/8 s while an observation task waits for its candles
HOLD_CHECKS = frozenset({"position_size_within", "no_panic_sell_through_crash", "avoided_herding"})
DAY_PARAMS = ("bought_by_day",)  # task parameters naming a trading day: they count from the task's start


class Phase(StrEnum):
    STEPS = "steps"  # the advisor's lines
    TASK = "task"  # the market task (or, for observation tasks, waiting for days then the answers)
    TASK_RESULT = "task_result"  # the verdict: passed → the quiz; failed → retry or go on to the quiz
    QUIZ = "quiz"  # a question is open
    FEEDBACK = "feedback"  # the question was answered: right or wrong, and why
    DONE = "done"  # the score
    LEFT = "left"  # Esc: the lesson was left (a bookmark says where to resume)


# ----- what the shell must do ------------------------------------------------------------------------
@dataclass(frozen=True)
class Said:
    step: int  # the advisor says lesson.steps[step]


@dataclass(frozen=True)
class StepsFollowed:
    """Every advisor line was heard (the quests' ``lesson`` event)."""


@dataclass(frozen=True)
class TaskOpened:
    start_day: int


@dataclass(frozen=True)
class AnswersOpened:
    """An observation task's days have closed: the answers can be picked."""


@dataclass(frozen=True)
class TaskGraded:
    result: CheckResult
    timed_out: bool  # an achievement task whose days ran out
    seconds: float  # frame-clock time from the task opening to its verdict


@dataclass(frozen=True)
class QuestionAsked:
    index: int


@dataclass(frozen=True)
class QuestionAnswered:
    index: int
    choice: int
    correct: bool
    seconds: float


@dataclass(frozen=True)
class QuizGraded:
    result: QuizResult
    seconds: float  # time spent answering, summed over the questions


@dataclass(frozen=True)
class Left:
    bookmark: Bookmark | None  # None when there is nothing left to resume


@dataclass(frozen=True)
class RoundWanted:
    """The market ran out of days and the learner wants to try the task again: start a new round."""


Cue = Said | StepsFollowed | TaskOpened | AnswersOpened | TaskGraded | QuestionAsked | QuestionAnswered | \
    QuizGraded | Left | RoundWanted
Check = Callable[[dict, str | None], CheckResult]  # (task params, answer) → verdict on the live market


@dataclass(frozen=True)
class MarketNow:
    """What a run reads from the market each frame."""

    day: int  # the current trading day (days before it have closed)
    finished: bool = False  # a fixed-length scenario ran out


@dataclass(frozen=True)
class Bookmark:
    """Where a lesson left mid-way resumes: at the line it reached, its task afresh, or the next question."""

    lesson_id: str
    phase: Phase  # STEPS, TASK or QUIZ
    line: int = 0
    answers: tuple[int, ...] = ()
    answer_s: tuple[float, ...] = ()
    task: CheckResult | None = None  # the task's last verdict, if it had one
    started_ts_s: float = 0.0  # Unix time the lesson was first started (for the learning record)

    def to_dict(self) -> dict:
        return {"lesson_id": self.lesson_id, "phase": self.phase.value, "line": self.line,
                "answers": list(self.answers), "answer_s": list(self.answer_s),
                "task": None if self.task is None else {k: v for k, v in self.task.to_dict().items()
                                                        if k != "message_key"},
                "started_ts_s": self.started_ts_s}

    @classmethod
    def from_dict(cls, data: dict) -> Bookmark:
        task = data.get("task")
        return cls(str(data["lesson_id"]), Phase(data["phase"]), int(data.get("line", 0)),
                   tuple(int(a) for a in data.get("answers", ())), tuple(float(s) for s in data.get("answer_s", ())),
                   None if task is None else CheckResult(task["check"], bool(task["passed"]), float(task["score"]),
                                                         dict(task.get("details", {}))),
                   float(data.get("started_ts_s", 0.0)))


# ----- rules ---------------------------------------------------------------------------------------
def reading_time_s(line: str, lang: str) -> float:
    """How long a line stays before the next one: its length at a speaking pace, never under 3 s."""
    return max(MIN_READ_S, len(line) / READ_CHARS_PER_S[lang])


def live_params(params: dict, start_day: int) -> dict:
    """The task's parameters on a market already running: a named day counts from the task's start."""
    return {k: (v + start_day if k in DAY_PARAMS else v) for k, v in params.items()}


def market_speed(run: LessonRun | None, base_speed: float) -> float:
    """The market's pace during a lesson: the lesson's own pace for its task (never slower than the
    learner's), fast forward while an observation task waits for its days, else the learner's pace."""
    if run is None or run.phase is not Phase.TASK:
        return base_speed
    if run.observation:
        return max(base_speed, FAST_FORWARD_SPEED) if run.verdicts is None else base_speed
    return max(base_speed, run.lesson.speed)


# ----- the run -------------------------------------------------------------------------------------
@dataclass
class _Clock:
    now_s: float = 0.0
    market: MarketNow = field(default_factory=lambda: MarketNow(0))


class LessonRun:
    """One learner going through one lesson. ``tick`` every frame; ``next``/``choose``/``leave`` on keys.

    Every method returns the cues the shell acts on, in order. Keys use the clock of the last tick.

    Args:
        check: grades the task on the live market (params already made live, answer for observations).
        pace: multiplies every reading time (1.5 in elder mode, 1/3 for scripted runs).
        bookmark: resume a lesson left mid-way.
    """

    def __init__(self, lesson: Lesson, lang: str, check: Check, *, pace: float = 1.0,
                 bookmark: Bookmark | None = None, started_ts_s: float = 0.0) -> None:
        self.lesson, self.lang, self._check, self.pace = lesson, lang, check, pace
        b = bookmark if bookmark is not None and bookmark.lesson_id == lesson.id else None
        self.started_ts_s = b.started_ts_s if b else started_ts_s
        self.resumed = b is not None
        self.phase = Phase.STEPS
        self._resume_phase = b.phase if b else Phase.STEPS
        self.line = min(b.line, len(lesson.steps) - 1) if b else 0
        self.answers: list[int] = list(b.answers) if b else []
        self.answer_s: list[float] = list(b.answer_s) if b else []
        self.task_result: CheckResult | None = b.task if b else None
        self.timed_out = False
        self.market_ended = False  # the scenario ran out of days before the task's days were up
        self.awaiting_round = False  # a retry waits for a market that is running again
        self.progress: CheckResult | None = None  # the latest check while the task runs
        self.verdicts: dict[str, CheckResult] | None = None  # observation: every answer, graded on opening
        self.quiz_result: QuizResult | None = None
        self.start_day = 0
        self._clock = _Clock()
        self._begun = False
        self._phase_s = 0.0
        self._next_check_s = 0.0
        self._nudged = False

    # ----- read-only views -------------------------------------------------------------------------
    @property
    def observation(self) -> bool:
        return bool(self.lesson.task.answers)

    @property
    def hold(self) -> bool:
        return self.lesson.task.check in HOLD_CHECKS

    @property
    def question(self) -> int:
        """The open (or just answered) question's index."""
        return len(self.answers) - (self.phase is Phase.FEEDBACK)

    def read_s(self, line: str, floor_s: float = 0.0) -> float:
        """How long ``line`` stays up at this run's pace (never under ``floor_s`` before pacing)."""
        return max(floor_s, reading_time_s(line, self.lang)) * self.pace

    def days_into_task(self) -> int:
        return max(0, self._clock.market.day - self.start_day)

    def bookmark(self) -> Bookmark | None:
        """Where this run would resume if left now (None once the quiz is graded)."""
        if self.phase in (Phase.DONE, Phase.LEFT) or self.quiz_result is not None:
            return None
        base = Bookmark(self.lesson.id, Phase.STEPS, self.line, tuple(self.answers), tuple(self.answer_s),
                        self.task_result, self.started_ts_s)
        if self.phase is Phase.STEPS:
            return base
        if self.phase is Phase.TASK or (self.phase is Phase.TASK_RESULT and not self.task_result.passed):
            return replace(base, phase=Phase.TASK)
        return replace(base, phase=Phase.QUIZ)

    # ----- input -----------------------------------------------------------------------------------
    def tick(self, now_s: float, market: MarketNow) -> list[Cue]:
        self._clock = _Clock(now_s, market)
        cues: list[Cue] = []
        if not self._begun:
            self._begun = True
            self._resume(cues)
            return cues
        elapsed = now_s - self._phase_s
        if self.phase is Phase.STEPS and elapsed >= self.read_s(self.lesson.steps[self.line].say[self.lang]):
            self._next_line(cues)
        elif self.phase is Phase.TASK:
            self._tick_task(cues)
        elif self.phase is Phase.TASK_RESULT and self.task_result.passed and elapsed >= self.read_s("", RESULT_READ_S):
            self._ask(len(self.answers), cues)
        elif self.phase is Phase.TASK_RESULT and self.awaiting_round and not market.finished:
            self.awaiting_round = False  # the new round is here: the task starts over on it
            self._open_task(cues)
        return cues

    def next(self) -> list[Cue]:
        """Enter: the next line, the quiz after a passed task, a retry after a failed one, the next question."""
        cues: list[Cue] = []
        if self.phase is Phase.STEPS and self._begun:
            self._next_line(cues)
        elif self.phase is Phase.TASK_RESULT:
            if self.task_result.passed:
                self._ask(len(self.answers), cues)
            else:
                cues += self.choose(0)  # Enter after a failure: try again
        elif self.phase is Phase.FEEDBACK:
            self._after_feedback(cues)
        return cues

    def choose(self, index: int) -> list[Cue]:
        """A number key (0-based) or a click: an observation answer, retry/quiz after a failure, a quiz answer."""
        cues: list[Cue] = []
        if self.phase is Phase.TASK and self.verdicts is not None and 0 <= index < len(self.lesson.task.answers):
            self._grade_task(self.verdicts[self.lesson.task.answers[index]], False, cues)
        elif self.phase is Phase.TASK_RESULT and not self.task_result.passed and index in (0, 1):
            if index == 1:
                self._ask(len(self.answers), cues)
            elif not self._clock.market.finished:
                self._open_task(cues)
            elif not self.awaiting_round:  # a scenario that has ended has no days to retry on: a new round
                self.awaiting_round = True
                cues.append(RoundWanted())
        elif self.phase is Phase.QUIZ:
            question = self.lesson.quiz[len(self.answers)]
            if 0 <= index < len(question.choices[self.lang]):
                seconds = self._clock.now_s - self._phase_s
                self.answers.append(index)
                self.answer_s.append(round(seconds, 3))
                cues.append(QuestionAnswered(len(self.answers) - 1, index, index == question.answer, seconds))
                self._enter(Phase.FEEDBACK)
        return cues

    def nudge(self) -> None:
        """Something the task may care about happened (a fill): check at the next tick, not in a second."""
        self._nudged = True

    def leave(self) -> list[Cue]:
        """Esc: stop here. All questions answered means the quiz is graded first; nothing is lost."""
        cues: list[Cue] = []
        if self.phase is Phase.FEEDBACK and len(self.answers) == len(self.lesson.quiz):
            self._after_feedback(cues)
        cues.append(Left(self.bookmark()))
        self.phase = Phase.LEFT
        return cues

    # ----- transitions -----------------------------------------------------------------------------
    def _enter(self, phase: Phase) -> None:
        self.phase, self._phase_s = phase, self._clock.now_s

    def _resume(self, cues: list[Cue]) -> None:
        if self._resume_phase is Phase.QUIZ and len(self.answers) < len(self.lesson.quiz):
            self._ask(len(self.answers), cues)
        elif self._resume_phase is Phase.TASK:
            self._open_task(cues)
        else:
            self._say(self.line, cues)

    def _say(self, line: int, cues: list[Cue]) -> None:
        self.line = line
        self._enter(Phase.STEPS)
        cues.append(Said(line))

    def _next_line(self, cues: list[Cue]) -> None:
        if self.line + 1 < len(self.lesson.steps):
            self._say(self.line + 1, cues)
        else:
            cues.append(StepsFollowed())
            self._open_task(cues)

    def _open_task(self, cues: list[Cue]) -> None:
        self.start_day = self._clock.market.day
        self.progress, self.verdicts, self.timed_out, self.market_ended = None, None, False, False
        self._next_check_s = self._clock.now_s
        self._enter(Phase.TASK)
        cues.append(TaskOpened(self.start_day))
        self._tick_task(cues)

    def _tick_task(self, cues: list[Cue]) -> None:
        task, market, now_s = self.lesson.task, self._clock.market, self._clock.now_s
        days_up = self.days_into_task() >= self.lesson.days or market.finished
        if self.observation:
            if self.verdicts is None and (market.day >= self.lesson.days or market.finished):
                params = live_params(task.params, self.start_day)
                self.verdicts = {answer: self._check(params, answer) for answer in task.answers}
                cues.append(AnswersOpened())
            return
        if now_s >= self._next_check_s or self._nudged or days_up:
            self._nudged = False
            self._next_check_s = now_s + CHECK_EVERY_S
            self.progress = self._check(live_params(task.params, self.start_day), None)
            if days_up:
                self.market_ended = market.finished and self.days_into_task() < self.lesson.days
                self._grade_task(self.progress, not self.hold and not self.progress.passed, cues)
            elif self.progress.passed and not self.hold:
                self._grade_task(self.progress, False, cues)

    def _grade_task(self, result: CheckResult, timed_out: bool, cues: list[Cue]) -> None:
        self.task_result, self.timed_out = result, timed_out
        cues.append(TaskGraded(result, timed_out, self._clock.now_s - self._phase_s))
        self._enter(Phase.TASK_RESULT)

    def _ask(self, index: int, cues: list[Cue]) -> None:
        self._enter(Phase.QUIZ)
        cues.append(QuestionAsked(index))

    def _after_feedback(self, cues: list[Cue]) -> None:
        if len(self.answers) < len(self.lesson.quiz):
            self._ask(len(self.answers), cues)
            return
        self.quiz_result = grade_quiz(self.lesson, self.answers)
        cues.append(QuizGraded(self.quiz_result, round(sum(self.answer_s), 3)))
        self._enter(Phase.DONE)
