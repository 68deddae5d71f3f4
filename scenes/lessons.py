"""Lessons as data: advisor script, a task in a simulated market, a short quiz; one TOML file each.

An education team writes lessons, not code: ``scenes/lessons/<id>.toml`` names the scenario its task
runs in (with a seed, so every learner sees the same market), the advisor's lines in zh and en side by
side, the check that grades the task (a function in ``lesson_checks``) and the quiz. Loading checks
everything a class would otherwise discover mid-lesson: the scenario exists, the check is registered
and takes those parameters, quiz answers point at a choice, Chinese text is Chinese and English text
has no Chinese in it, and ids are unique.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vbranch.market_sim.market import Market
from vbranch.scenes.content_error import ContentError
from vbranch.scenes.lesson_checks import CHECKS, CheckResult, check_params, run_check
from vbranch.scenes.scenario import ScenarioError, load_scenario

__all__ = ["LessonError", "Step", "Task", "QuizQuestion", "QuizResult", "Lesson", "lesson_paths", "list_lessons",
           "load_lesson", "grade_quiz", "has_cjk", "TOPICS", "FOCUS_FIXTURES", "GESTURES"]

TOPICS = ("candlestick", "market_regimes", "stop_loss", "take_profit", "position_sizing", "diversification",
          "crash", "regular_investing", "behaviour")
FOCUS_FIXTURES = ("wall", "orders", "portfolio", "leaderboard", "questionnaire")  # ids in branch.toml
GESTURES = ("greet", "point", "calm_down")  # avatars.body.GESTURE_KEYFRAMES; a test keeps them in step
QUIZ_PASS_FRACTION = 0.6
_TOP_LEVEL = {"id", "topic", "title", "scenario", "seed", "speed", "days", "steps", "task", "quiz"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


class LessonError(ContentError):
    """A lesson file that can't be taught: the message names the file, the field and the reason."""


def has_cjk(value: str) -> bool:
    return bool(_CJK.search(value))


@dataclass(frozen=True)
class Step:
    """One thing the advisor says, with an optional gesture and a fixture to look at."""

    say: dict[str, str]
    gesture: str | None = None
    focus: str | None = None


@dataclass(frozen=True)
class Task:
    """What the learner does in the market; ``check`` names a function in ``lesson_checks``."""

    check: str
    params: dict
    prompt: dict[str, str]
    answers: tuple[str, ...] = ()  # observation tasks: the replies the learner can pick


@dataclass(frozen=True)
class QuizQuestion:
    question: dict[str, str]
    choices: dict[str, tuple[str, ...]]
    answer: int
    explain: dict[str, str]


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    passed: bool
    wrong: tuple[int, ...]  # indexes of the questions answered wrongly, to show their explanations


@dataclass(frozen=True)
class Lesson:
    id: str
    topic: str
    path: Path
    title: dict[str, str]
    scenario: str
    seed: int
    speed: float
    days: int  # trading days the task runs for
    steps: tuple[Step, ...]
    task: Task
    quiz: tuple[QuizQuestion, ...]

    def build_market(self, data_directory: Path | None = None, prefer_twin: bool = True) -> Market:
        """A fresh market for the task: the lesson's scenario, seed and speed (twin unless told)."""
        config = load_scenario(self.scenario).market_config(data_directory, prefer_twin=prefer_twin)
        market = Market(config, self.seed)
        market.set_speed(self.speed)
        return market

    def check(self, market: Market, account_id: str, answer: str | None = None) -> CheckResult:
        return run_check(self.task.check, market, account_id, self.task.params, answer)

    def summary(self) -> dict:
        return {"id": self.id, "topic": self.topic, "title": self.title, "scenario": self.scenario,
                "check": self.task.check, "steps": len(self.steps), "quiz": len(self.quiz)}


def grade_quiz(lesson: Lesson, answers: Sequence[int]) -> QuizResult:
    """Grade the learner's choice indexes; passing needs 60% right (every question must be answered)."""
    if len(answers) != len(lesson.quiz):
        raise ValueError(f"lesson {lesson.id}: {len(lesson.quiz)} quiz answers needed, got {len(answers)}")
    wrong = tuple(i for i, (q, a) in enumerate(zip(lesson.quiz, answers, strict=True)) if q.answer != a)
    correct = len(lesson.quiz) - len(wrong)
    return QuizResult(correct, len(lesson.quiz), correct >= QUIZ_PASS_FRACTION * len(lesson.quiz), wrong)


def lesson_paths() -> list[Path]:
    folder = resources.files("vbranch.scenes").joinpath("lessons")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


def list_lessons(paths: Sequence[Path] | None = None) -> list[Lesson]:
    """All lessons (or those files), in file order; a repeated id is an error naming both files."""
    lessons = [load_lesson(p) for p in (lesson_paths() if paths is None else paths)]
    seen: dict[str, Path] = {}
    for lesson in lessons:
        if lesson.id in seen:
            raise LessonError(lesson.path, "id", f"{lesson.id!r} is already used by {seen[lesson.id].name}")
        seen[lesson.id] = lesson.path
    return lessons


def load_lesson(name_or_path: str | Path) -> Lesson:
    """Load by id (``stop_loss``) or path; raises LessonError naming the file, field and reason."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        matches = [p for p in lesson_paths() if p.stem == str(name_or_path)]
        if not matches:
            known = ", ".join(p.stem for p in lesson_paths())
            raise LessonError(str(name_or_path), "id", f"no such lesson (known: {known})")
        path = matches[0]
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise LessonError(path, "file", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(path, "file", f"not valid TOML: {exc}") from None
    return _Reader(path).lesson(raw)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, field: str, reason: str) -> LessonError:
        return LessonError(self.path, field, reason)

    def get(self, raw: dict, key: str, kind: type | tuple[type, ...], field: str | None = None):
        field = field or key
        if key not in raw:
            raise self.fail(field, "missing")
        value = raw[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(field, f"expected {names}, got {type(value).__name__} {value!r}")
        return value

    def text(self, value: object, field: str, lang: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "missing or empty text")
        if lang == "zh" and not has_cjk(value):
            raise self.fail(field, f"Chinese text has no Chinese characters: {value[:40]!r}")
        if lang == "en" and has_cjk(value):
            raise self.fail(field, f"English text contains Chinese characters: {value[:40]!r}")
        return value

    def pair(self, raw: dict, stem: str, field: str) -> dict[str, str]:
        """``{stem}_zh`` and ``{stem}_en`` side by side, or a ``{stem} = {zh, en}`` table."""
        if isinstance(raw.get(stem), dict):
            table = raw[stem]
            return {lang: self.text(table.get(lang), f"{field}.{lang}", lang) for lang in ("zh", "en")}
        return {lang: self.text(raw.get(f"{stem}_{lang}"), f"{field}_{lang}", lang) for lang in ("zh", "en")}

    def lesson(self, raw: dict) -> Lesson:
        unknown = sorted(set(raw) - _TOP_LEVEL)
        if unknown:
            raise self.fail(unknown[0], f"unknown field (allowed: {', '.join(sorted(_TOP_LEVEL))})")
        lesson_id = self.get(raw, "id", str)
        if lesson_id != self.path.stem:
            raise self.fail("id", f"must match the file name {self.path.stem!r}, got {lesson_id!r}")
        topic = self.get(raw, "topic", str)
        if topic not in TOPICS:
            raise self.fail("topic", f"unknown topic {topic!r} (known: {', '.join(TOPICS)})")
        scenario_id = self.get(raw, "scenario", str)
        try:
            scenario = load_scenario(scenario_id)
        except ScenarioError as exc:
            raise self.fail("scenario", f"{scenario_id!r}: {exc.reason}") from None
        seed = self.get(raw, "seed", int)
        speed = float(self.get(raw, "speed", (int, float)))
        if not speed > 0:
            raise self.fail("speed", f"must be > 0, got {speed}")
        days = self.get(raw, "days", int)
        max_days = scenario.market_config(prefer_twin=True).days
        if not 1 <= days <= (max_days or days):
            raise self.fail("days", f"must be 1..{max_days} (the scenario's length), got {days}")
        steps = tuple(self.step(item, i) for i, item in enumerate(self.get(raw, "steps", list)))
        if not steps:
            raise self.fail("steps", "a lesson needs at least one advisor step")
        quiz = tuple(self.question(item, i) for i, item in enumerate(self.get(raw, "quiz", list)))
        if not 1 <= len(quiz) <= 5:
            raise self.fail("quiz", f"a short quiz has 1..5 questions, got {len(quiz)}")
        return Lesson(lesson_id, topic, self.path, self.pair(raw, "title", "title"), scenario_id, seed, speed, days,
                      steps, self.task(self.get(raw, "task", dict)), quiz)

    def step(self, item: object, i: int) -> Step:
        field = f"steps[{i}]"
        if not isinstance(item, dict):
            raise self.fail(field, "expected a table")
        gesture, focus = item.get("gesture"), item.get("focus")
        if gesture is not None and gesture not in GESTURES:
            raise self.fail(f"{field}.gesture", f"unknown gesture {gesture!r} (known: {', '.join(GESTURES)})")
        if focus is not None and focus not in FOCUS_FIXTURES:
            raise self.fail(f"{field}.focus", f"unknown fixture {focus!r} (known: {', '.join(FOCUS_FIXTURES)})")
        return Step(self.pair(item, "say", f"{field}.say"), gesture, focus)

    def task(self, raw: dict) -> Task:
        check = self.get(raw, "check", str, "task.check")
        if check not in CHECKS:
            raise self.fail("task.check", f"no registered check {check!r} (known: {', '.join(sorted(CHECKS))})")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise self.fail("task.params", "expected a table")
        allowed = check_params(check)
        for key in params:
            if key not in allowed:
                raise self.fail(f"task.params.{key}", f"{check} takes no such parameter "
                                                      f"(allowed: {', '.join(allowed) or 'none'})")
        answers = raw.get("answers", [])
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise self.fail("task.answers", "expected a list of strings")
        return Task(check, dict(params), self.pair(raw, "prompt", "task.prompt"), tuple(answers))

    def question(self, item: object, i: int) -> QuizQuestion:
        field = f"quiz[{i}]"
        if not isinstance(item, dict):
            raise self.fail(field, "expected a table")
        choices = {}
        for lang in ("zh", "en"):
            raw = self.get(item, f"choices_{lang}", list, f"{field}.choices_{lang}")
            choices[lang] = tuple(self.text(c, f"{field}.choices_{lang}[{j}]", lang) for j, c in enumerate(raw))
        if len(choices["zh"]) != len(choices["en"]) or len(choices["zh"]) < 2:
            raise self.fail(f"{field}.choices", f"need >= 2 choices and as many in zh as in en, got "
                                                 f"{len(choices['zh'])} and {len(choices['en'])}")
        answer = self.get(item, "answer", int, f"{field}.answer")
        if not 0 <= answer < len(choices["zh"]):
            raise self.fail(f"{field}.answer", f"must index a choice (0..{len(choices['zh']) - 1}), got {answer}")
        return QuizQuestion(self.pair(item, "q", f"{field}.q"), choices, answer, self.pair(item, "explain",
                                                                                            f"{field}.explain"))
