"""The risk questionnaire (风险承受能力评估): a few adaptive questions that rate a learner C1–C5.

Questions and scores are data (``questionnaire.toml``) so the education team can align them with a
broker's real form. The flow adapts: a choice may jump to another question (a learner who has never
invested is asked how they would feel about a loss instead of about derivatives), and may cap the final
level. ``Questionnaire`` is a small state machine with no I/O: the world's kiosk, the server and the CLI
drive it the same way (``next_question`` → ``answer`` … → ``result``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from importlib import resources
from pathlib import Path

from vbranch.scenes.catalogue import CatalogueError, text
from vbranch.scenes.content_error import ContentError

__all__ = ["QuestionnaireError", "RiskLevel", "Choice", "Question", "QuestionnaireSpec", "Questionnaire",
           "RiskResult", "load_questionnaire", "END"]

END = "end"


class QuestionnaireError(ContentError):
    """A questionnaire file that can't be used: names the file, the field and the reason."""


class RiskLevel(IntEnum):
    """The learner's risk tolerance, lowest (C1, conservative) to highest (C5, aggressive)."""

    C1 = 1
    C2 = 2
    C3 = 3
    C4 = 4
    C5 = 5


@dataclass(frozen=True)
class Choice:
    text: dict[str, str]
    score: int
    next: str | None = None  # overrides the question's next
    cap: int | None = None  # the final level can't exceed this
    note: str | None = None  # catalogue key added to the explanation


@dataclass(frozen=True)
class Question:
    id: str
    text: dict[str, str]
    choices: tuple[Choice, ...]
    next: str


@dataclass(frozen=True)
class RiskResult:
    level: RiskLevel
    score: int
    explanation_keys: tuple[str, ...]  # catalogue keys: the level's meaning, then any notes

    def to_dict(self) -> dict:
        return {"level": self.level.name, "score": self.score, "explanation_keys": list(self.explanation_keys)}


@dataclass(frozen=True)
class QuestionnaireSpec:
    path: Path
    start: str
    questions: dict[str, Question]
    bands: tuple[tuple[int, int], ...]  # (level, max_score), ascending

    def level_for(self, score: int) -> RiskLevel:
        for level, max_score in self.bands:
            if score <= max_score:
                return RiskLevel(level)
        return RiskLevel(self.bands[-1][0])


class Questionnaire:
    """One learner's run through the questions. ``answer`` takes the index of the chosen option."""

    def __init__(self, spec: QuestionnaireSpec | None = None) -> None:
        self.spec = spec or load_questionnaire()
        self._current: str = self.spec.start
        self.answers: list[tuple[str, int]] = []  # (question id, choice index), in order asked

    @property
    def done(self) -> bool:
        return self._current == END

    def next_question(self) -> Question | None:
        """The question to ask now, or None when the questionnaire is finished."""
        return None if self.done else self.spec.questions[self._current]

    def answer(self, choice: int) -> Question | None:
        """Record the choice for the current question; returns the next question (None at the end)."""
        question = self.next_question()
        if question is None:
            raise ValueError("the questionnaire is already finished")
        if not (isinstance(choice, int) and 0 <= choice < len(question.choices)):
            raise ValueError(f"question {question.id!r}: choice must be 0..{len(question.choices) - 1}, got {choice!r}")
        self.answers.append((question.id, choice))
        picked = question.choices[choice]
        self._current = picked.next or question.next
        return self.next_question()

    def result(self) -> RiskResult:
        """The risk level from the summed scores, lowered to any cap a choice set."""
        if not self.done:
            raise ValueError(f"not finished: question {self._current!r} is still unanswered")
        picked = [self.spec.questions[qid].choices[i] for qid, i in self.answers]
        score = sum(c.score for c in picked)
        level = self.spec.level_for(score)
        caps = [c.cap for c in picked if c.cap is not None]
        notes = [c.note for c in picked if c.note]
        if caps and min(caps) < level:
            level = RiskLevel(min(caps))
            notes.append("risk.note.capped")
        return RiskResult(level, score, (f"risk.level.{level.name.lower()}", *notes))


@cache
def _default_spec() -> QuestionnaireSpec:
    return _parse(Path(str(resources.files("vbranch.scenes").joinpath("questionnaire.toml"))))


def load_questionnaire(path: Path | str | None = None) -> QuestionnaireSpec:
    """The packaged questionnaire, or the file at ``path``; raises QuestionnaireError on bad content."""
    return _default_spec() if path is None else _parse(Path(path))


def _parse(path: Path) -> QuestionnaireSpec:
    def fail(field: str, reason: str) -> QuestionnaireError:
        return QuestionnaireError(path, field, reason)

    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise fail("file", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise fail("file", f"not valid TOML: {exc}") from None

    def pair(node: dict, zh: str, en: str, field: str) -> dict[str, str]:
        out = {"zh": node.get(zh), "en": node.get(en)}
        for lang, value in out.items():
            if not isinstance(value, str) or not value.strip():
                raise fail(f"{field}.{zh if lang == 'zh' else en}", "missing or empty text")
        return out  # type: ignore[return-value]

    questions: dict[str, Question] = {}
    for i, item in enumerate(raw.get("questions") or []):
        field = f"questions[{i}]"
        qid = item.get("id")
        if not isinstance(qid, str) or not qid or qid == END:
            raise fail(f"{field}.id", f"missing or reserved id {qid!r}")
        if qid in questions:
            raise fail(f"{field}.id", f"duplicate question id {qid!r}")
        choices = []
        for j, c in enumerate(item.get("choices") or []):
            cf = f"{field}.choices[{j}]"
            if not isinstance(c.get("score"), int) or isinstance(c.get("score"), bool) or c["score"] < 0:
                raise fail(f"{cf}.score", f"expected a whole number >= 0, got {c.get('score')!r}")
            if c.get("cap") is not None and c["cap"] not in range(1, 6):
                raise fail(f"{cf}.cap", f"must be a level 1..5, got {c['cap']!r}")
            if c.get("note") is not None:
                try:
                    text(c["note"])
                except CatalogueError:
                    raise fail(f"{cf}.note", f"no catalogue entry {c['note']!r}") from None
            choices.append(Choice(pair(c, "zh", "en", cf), c["score"], c.get("next"), c.get("cap"), c.get("note")))
        if len(choices) < 2:
            raise fail(f"{field}.choices", "a question needs at least two choices")
        questions[qid] = Question(qid, pair(item, "q_zh", "q_en", field), tuple(choices), item.get("next", END))
    if not questions:
        raise fail("questions", "no questions")
    start = raw.get("start")
    if start not in questions:
        raise fail("start", f"{start!r} is not a question id")
    for q in questions.values():
        for target in (q.next, *(c.next for c in q.choices if c.next)):
            if target != END and target not in questions:
                raise fail(f"questions.{q.id}.next", f"{target!r} is not a question id (or {END!r})")
    bands = tuple((b.get("level"), b.get("max_score")) for b in raw.get("levels") or [])
    if [lv for lv, _ in bands] != [1, 2, 3, 4, 5] or any(not isinstance(m, int) for _, m in bands) \
            or [m for _, m in bands] != sorted({m for _, m in bands}):
        raise fail("levels", "need levels 1..5 in order with strictly rising whole-number max_score")
    _check_paths(questions, start, bands[-1][1], fail)
    return QuestionnaireSpec(path, start, questions, bands)


def _check_paths(questions: dict[str, Question], start: str, top_score: int, fail) -> None:
    """Every path must end (no loops) and its best score must fit in the top band."""
    best: dict[str, int] = {}

    def walk(qid: str, trail: tuple[str, ...]) -> int:
        if qid == END:
            return 0
        if qid in trail:
            raise fail(f"questions.{qid}.next", f"loop: {' -> '.join((*trail, qid))}")
        if qid not in best:
            q = questions[qid]
            best[qid] = max(c.score + walk(c.next or q.next, (*trail, qid)) for c in q.choices)
        return best[qid]

    if walk(start, ()) > top_score:
        raise fail("levels", f"the highest possible score {best[start]} exceeds the top band's max_score {top_score}")
