"""What the lesson panel shows, as plain values: the menu, and each phase of a lesson run.

Pure functions from the menu rows or a ``LessonRun`` to a ``PanelView`` (title, body, numbered
options with a tone each, a detail line, the keys that work now), with every word from the catalogue.
Kept apart from the Panda3D panel so what a learner reads at each step is tested without rendering,
and so the panel redraws only when the view value actually changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from vbranch.scenes.catalogue import text
from vbranch.scenes.lesson_checks import CheckResult
from vbranch.scenes.lesson_menu import MENU_KEYS, MenuRow, Status
from vbranch.scenes.lesson_run import LessonRun, Phase

__all__ = ["Tone", "Placement", "Option", "PanelView", "menu_view", "run_view", "check_message", "key_label",
           "MARKS"]

MARKS = {Status.DONE: "★", Status.STARTED: "▶", Status.OPEN: "○", Status.LOCKED: "■"}
TRAILING_TOOL_CHECK = "trailing_stop_used"  # the order panel has no trailing stop: the task panel lends one


class Tone(StrEnum):
    PLAIN = "plain"
    SELECTED = "selected"
    RIGHT = "right"
    WRONG = "wrong"
    DIM = "dim"


class Placement(StrEnum):
    CENTER = "center"  # menu, verdicts, quiz: the learner reads and answers
    SIDE = "side"  # advisor lines and the task: the learner looks at the branch (and trades) beside it


@dataclass(frozen=True)
class Option:
    label: str
    tone: Tone = Tone.PLAIN
    choice: int | None = None  # the number key (0-based) a click on it stands for, if not its row


@dataclass(frozen=True)
class PanelView:
    title: str
    body: str = ""
    options: tuple[Option, ...] = ()
    verdict: str = ""  # right or wrong, under the options
    detail: str = ""
    footer: str = ""
    placement: Placement = Placement.CENTER
    mood: Tone = Tone.PLAIN  # RIGHT or WRONG: colours the verdict (or, without one, the title)


def key_label(index: int) -> str:
    """The number key for row ``index``: 1–9, then 0 for the tenth."""
    return str((index + 1) % 10)


def check_message(result: CheckResult, lang: str) -> str:
    """The check's catalogue line, with a candle's "up"/"down" said in the learner's words."""
    details = dict(result.details)
    if details.get("truth") in ("up", "down"):
        details["truth"] = text(f"lesson_desk.truth.{details['truth']}", lang)
    return text(result.message_key, lang, **details)


# ----- the menu ------------------------------------------------------------------------------------
def menu_view(rows: Sequence[MenuRow], selected: int, lang: str, prompts: dict[str, str]) -> PanelView:
    """Every lesson with its mark and status; the selected row's level, lock reason and task below."""
    options = []
    for i, row in enumerate(rows):
        key = key_label(i) if i < MENU_KEYS else " "
        status = "" if row.status is Status.OPEN else f"   · {text(f'lesson_desk.status.{row.status}', lang)}"
        tone = Tone.SELECTED if i == selected else Tone.DIM if row.status is Status.LOCKED else Tone.PLAIN
        options.append(Option(f"{key}  {MARKS[row.status]}  {row.title[lang]}{status}", tone))
    row = rows[selected]
    level = row.level.title[lang] if row.level else text("lesson_desk.no_level", lang)
    note = text(row.locked_reason, lang) if row.locked_reason else prompts.get(row.lesson_id, "")
    done = sum(r.status is Status.DONE for r in rows)
    return PanelView(text("lesson_desk.menu_title", lang, done=done, total=len(rows)), options=tuple(options),
                     detail=f"{level}\n{note}" if note else level, footer=text("lesson_desk.menu_footer", lang))


# ----- a lesson ------------------------------------------------------------------------------------
def run_view(run: LessonRun, lang: str, coins: int | None = None, traded: bool = False) -> PanelView | None:
    """The panel for the run's phase (None once it was left).

    Args:
        coins: the learner's virtual coins, shown with the score.
        traded: the learner traded since the task opened; until then a failing check's "so far" line
            (e.g. "0/0 holdings protected") would only confuse.
    """
    lesson = run.lesson
    title = lesson.title[lang]
    if run.phase is Phase.STEPS:
        return PanelView(title, detail=text("lesson_desk.step", lang, n=run.line + 1, total=len(lesson.steps)),
                         footer=text("lesson_desk.steps_footer", lang), placement=Placement.SIDE)
    if run.phase is Phase.TASK:
        return _task_view(run, lang, traded)
    if run.phase is Phase.TASK_RESULT:
        return _verdict_view(run, lang)
    if run.phase in (Phase.QUIZ, Phase.FEEDBACK):
        return _question_view(run, lang)
    if run.phase is Phase.DONE:
        return _done_view(run, lang, coins)
    return None


def _task_view(run: LessonRun, lang: str, traded: bool) -> PanelView:
    lesson, task = run.lesson, run.lesson.task
    title = text("lesson_desk.task_title", lang, title=lesson.title[lang])
    if run.observation:
        if run.verdicts is None:
            return PanelView(title, task.prompt[lang], detail=text("lesson_desk.task_waiting", lang, days=lesson.days),
                             placement=Placement.SIDE)
        options = tuple(Option(f"{key_label(i)}  {text(f'lesson_desk.answer.{answer}', lang)}")
                        for i, answer in enumerate(task.answers))
        return PanelView(title, task.prompt[lang], options, footer=text("lesson_desk.answer_footer", lang),
                         placement=Placement.SIDE)
    lines = [text("lesson_desk.task_day", lang, day=min(run.days_into_task() + 1, lesson.days), days=lesson.days)]
    if run.hold:
        lines.append(text("lesson_desk.task_hold", lang, days=lesson.days))
    if run.progress is not None and (traded or run.progress.passed):
        lines.append(text("lesson_desk.task_so_far", lang, message=check_message(run.progress, lang)))
    tools = (Option(f"1  {text('lesson_desk.trailing_option', lang)}"),) if task.check == TRAILING_TOOL_CHECK else ()
    return PanelView(title, task.prompt[lang], tools, detail="\n".join(lines),
                     footer=text("lesson_desk.task_footer", lang), placement=Placement.SIDE)


def _verdict_view(run: LessonRun, lang: str) -> PanelView:
    result = run.task_result
    assert result is not None
    message = check_message(result, lang)
    if result.passed:
        return PanelView(text("lesson_desk.passed_title", lang), message,
                         footer=text("lesson_desk.passed_footer", lang), mood=Tone.RIGHT)
    if run.market_ended:
        title = text("lesson_desk.market_ended_title", lang)
    elif run.timed_out:
        title = text("lesson_desk.timed_out_title", lang, days=run.lesson.days)
    else:
        title = text("lesson_desk.failed_title", lang)
    retry = text("lesson_desk.new_round" if run.market_ended else "lesson_desk.retry", lang)
    options = (Option(f"1  {retry}", choice=0), Option(f"2  {text('lesson_desk.to_quiz', lang)}", choice=1))
    return PanelView(title, message, options, footer=text("lesson_desk.failed_footer", lang), mood=Tone.WRONG)


def _question_view(run: LessonRun, lang: str) -> PanelView:
    lesson = run.lesson
    index = run.question
    question = lesson.quiz[index]
    choices = question.choices[lang]
    title = text("lesson_desk.question", lang, n=index + 1, total=len(lesson.quiz), title=lesson.title[lang])
    if run.phase is Phase.QUIZ:
        options = tuple(Option(f"{i + 1}  {c}") for i, c in enumerate(choices))
        return PanelView(title, question.question[lang], options,
                         footer=text("lesson_desk.quiz_footer", lang, n=len(choices)))
    chosen = run.answers[index]
    right = chosen == question.answer
    options = tuple(Option(f"{i + 1}  {c}", Tone.RIGHT if i == question.answer else
                           Tone.WRONG if i == chosen else Tone.DIM) for i, c in enumerate(choices))
    verdict = text("lesson_desk.right", lang) if right else \
        text("lesson_desk.wrong", lang, n=question.answer + 1, choice=choices[question.answer])
    last = index + 1 == len(lesson.quiz)
    return PanelView(title, question.question[lang], options, verdict=verdict, detail=question.explain[lang],
                     footer=text("lesson_desk.see_score" if last else "lesson_desk.next_question", lang),
                     mood=Tone.RIGHT if right else Tone.WRONG)


def _done_view(run: LessonRun, lang: str, coins: int | None) -> PanelView:
    quiz = run.quiz_result
    assert quiz is not None
    verdict = text(f"lesson_desk.verdict.{'passed' if quiz.passed else 'failed'}", lang)
    lines = [text("lesson_desk.score", lang, correct=quiz.correct, total=quiz.total, verdict=verdict)]
    task = run.task_result
    if task is not None and task.passed:
        lines.append(text("lesson_desk.task_summary", lang, verdict=text("lesson_desk.verdict.passed", lang),
                          score=f"{task.score:g}"))
    else:
        lines.append(text("lesson_desk.task_missing", lang))
    lines.append(text("lesson_desk.quiz_time", lang, seconds=f"{sum(run.answer_s):.0f}"))
    if coins is not None:
        lines.append(text("quest.coins", lang, coins=coins))
    return PanelView(text("lesson_desk.done_title", lang, title=run.lesson.title[lang]), "\n".join(lines),
                     footer=text("lesson_desk.done_footer", lang),
                     mood=Tone.RIGHT if quiz.passed and task is not None and task.passed else Tone.PLAIN)
