"""Trading quests (交易闯关): levels, coins and badges as data, and a learner's progress through them.

``quests.toml`` describes a graph of levels. A level unlocks when the levels it ``requires`` are
completed and its ``gates`` are met (the risk questionnaire, given lessons, quizzes or tasks); it is
completed when every lesson in it has its quiz and its market task passed. Loading refuses a graph a
learner could get stuck in: unknown ids, missing prerequisites and cycles are named in one line.

``Progress`` is an immutable value (JSON in, JSON out) so the client, the server and a teacher's report
all compute unlocks, coins and badges with the same pure functions.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path

from vbranch.scenes.content_error import ContentError
from vbranch.scenes.pet import PetRules

__all__ = ["QuestError", "Event", "Level", "Badge", "Quests", "Progress", "Award", "load_quests"]


class QuestError(ContentError):
    """A quests file that can't be used: names the file, the field and the reason."""


class Event(StrEnum):
    LESSON = "lesson"  # the advisor's steps were followed to the end
    QUIZ = "quiz"  # a lesson's quiz was passed
    TASK = "task"  # a lesson's market task was passed
    QUESTIONNAIRE = "questionnaire"  # the risk questionnaire was finished (value: level 1..5)
    LEVEL = "level"  # a quest level was completed (derived, never reported by a shell)
    PET_STAGE = "pet_stage"  # the pet reached a stage (value: the stage)


@dataclass(frozen=True)
class Level:
    id: str
    title: dict[str, str]
    requires: tuple[str, ...]
    lessons: tuple[str, ...]
    coins: int
    gates: dict[str, object] = field(default_factory=dict)  # questionnaire: bool, lessons/quizzes/tasks: ids


@dataclass(frozen=True)
class Badge:
    id: str
    title: dict[str, str]
    event: Event
    item: str | None = None
    count: int = 1


@dataclass(frozen=True)
class Quests:
    path: Path
    levels: tuple[Level, ...]  # in an order where prerequisites come first
    badges: tuple[Badge, ...]
    coins: dict[str, int]
    pet: PetRules

    def level(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(f"no quest level {level_id!r}")


@dataclass(frozen=True)
class Award:
    """What one ``complete`` call earned: coins, new badge ids and newly completed level ids."""

    coins: int = 0
    badges: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    lessons: frozenset[str] = frozenset()
    quizzes: frozenset[str] = frozenset()
    tasks: frozenset[str] = frozenset()
    risk_level: int | None = None  # C1..C5 as 1..5, None before the questionnaire
    pet_stage: int = 0
    coins: int = 0
    badges: tuple[str, ...] = ()  # in the order earned

    # ----- derived state --------------------------------------------------------------------------
    def _gates_met(self, level: Level) -> bool:
        g = level.gates
        return ((not g.get("questionnaire") or self.risk_level is not None)
                and set(g.get("lessons", ())) <= self.lessons and set(g.get("quizzes", ())) <= self.quizzes
                and set(g.get("tasks", ())) <= self.tasks)

    def completed(self, quests: Quests) -> tuple[str, ...]:
        """Completed level ids (prerequisites come first in ``quests.levels``, so one pass is enough)."""
        done: list[str] = []
        for level in quests.levels:
            if (set(level.requires) <= set(done) and self._gates_met(level)
                    and set(level.lessons) <= self.quizzes & self.tasks):
                done.append(level.id)
        return tuple(done)

    def unlocked(self, quests: Quests) -> tuple[str, ...]:
        """Level ids the learner may play now (completed ones included)."""
        done = set(self.completed(quests))
        return tuple(lv.id for lv in quests.levels if set(lv.requires) <= done and self._gates_met(lv))

    def _count(self, event: Event, item: str | None, quests: Quests) -> int:
        if event is Event.QUESTIONNAIRE:
            return int(self.risk_level is not None)
        if event is Event.PET_STAGE:
            return self.pet_stage
        done = {Event.LESSON: self.lessons, Event.QUIZ: self.quizzes, Event.TASK: self.tasks,
                Event.LEVEL: set(self.completed(quests))}[event]
        return int(item in done) if item else len(done)

    # ----- transitions ----------------------------------------------------------------------------
    def complete(self, quests: Quests, event: Event | str, item: str = "", value: int = 0) -> tuple[Progress, Award]:
        """Record one event; coins are paid only the first time, badges only once each.

        Args:
            event: LESSON/QUIZ/TASK with ``item`` = lesson id; QUESTIONNAIRE with ``value`` = level 1..5
                (retaking it updates the level without paying again); PET_STAGE with ``value`` = stage.
        """
        event = Event(event)
        before = set(self.completed(quests))
        coins = 0
        new = self
        if event in (Event.LESSON, Event.QUIZ, Event.TASK):
            attr = {Event.LESSON: "lessons", Event.QUIZ: "quizzes", Event.TASK: "tasks"}[event]
            if item not in getattr(self, attr):
                new = replace(self, **{attr: getattr(self, attr) | {item}})
                coins += quests.coins.get(event.value, 0)
        elif event is Event.QUESTIONNAIRE:
            if not 1 <= value <= 5:
                raise ValueError(f"questionnaire level must be 1..5, got {value}")
            coins += quests.coins.get("questionnaire", 0) if self.risk_level is None else 0
            new = replace(self, risk_level=value)
        elif event is Event.PET_STAGE:
            new = replace(self, pet_stage=max(self.pet_stage, value))
        else:
            raise ValueError("level completion is derived from lessons, not reported")
        levels = tuple(lv for lv in new.completed(quests) if lv not in before)
        coins += sum(quests.level(lv).coins for lv in levels)
        badges = tuple(b.id for b in quests.badges
                       if b.id not in new.badges and new._count(b.event, b.item, quests) >= b.count)
        new = replace(new, coins=new.coins + coins, badges=new.badges + badges)
        return new, Award(coins, badges, levels)

    # ----- persistence ----------------------------------------------------------------------------
    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("lessons", "quizzes", "tasks"):
            data[key] = sorted(data[key])
        data["badges"] = list(self.badges)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Progress:
        data = json.loads(text)
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"progress: unknown fields {sorted(unknown)}")
        for key in ("lessons", "quizzes", "tasks"):
            data[key] = frozenset(data.get(key, ()))
        data["badges"] = tuple(data.get("badges", ()))
        return cls(**data)


def load_quests(path: Path | str | None = None, lesson_ids: Iterable[str] | None = None) -> Quests:
    """The packaged quests (or the file at ``path``) checked against ``lesson_ids`` (default: all lessons)."""
    if path is None:
        path = Path(str(resources.files("vbranch.scenes").joinpath("quests.toml")))
    path = Path(path)
    if lesson_ids is None:
        from vbranch.scenes.lessons import lesson_paths

        lesson_ids = [p.stem for p in lesson_paths()]
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise QuestError(path, "file", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise QuestError(path, "file", f"not valid TOML: {exc}") from None
    return _Parser(path, set(lesson_ids)).quests(raw)


class _Parser:
    def __init__(self, path: Path, lessons: set[str]) -> None:
        self.path, self.lessons = path, lessons

    def fail(self, field: str, reason: str) -> QuestError:
        return QuestError(self.path, field, reason)

    def title(self, item: dict, field: str) -> dict[str, str]:
        title = item.get("title")
        if not isinstance(title, dict) or not all(isinstance(title.get(k), str) and title[k] for k in ("zh", "en")):
            raise self.fail(f"{field}.title", "needs zh and en text")
        return {"zh": title["zh"], "en": title["en"]}

    def ids(self, value: object, field: str, known: set[str], what: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, "expected a list of ids")
        for v in value:
            if v not in known:
                raise self.fail(field, f"unknown {what} {v!r}")
        return tuple(value)

    def quests(self, raw: dict) -> Quests:
        coins = raw.get("coins", {})
        for key, value in coins.items():
            if key not in ("lesson", "quiz", "task", "questionnaire") or not isinstance(value, int) or value < 0:
                raise self.fail(f"coins.{key}", f"expected lesson/quiz/task/questionnaire = whole number >= 0, "
                                                f"got {value!r}")
        items = raw.get("levels") or []
        level_ids = [item.get("id") for item in items]
        levels: dict[str, Level] = {}
        for i, item in enumerate(items):
            f = f"levels[{i}]"
            lid = item.get("id")
            if not isinstance(lid, str) or not lid:
                raise self.fail(f"{f}.id", "missing")
            if lid in levels:
                raise self.fail(f"{f}.id", f"duplicate level id {lid!r}")
            requires = self.ids(item.get("requires", []), f"{f}.requires", set(level_ids), "level")
            lessons = self.ids(item.get("lessons", []), f"{f}.lessons", self.lessons, "lesson")
            if not lessons:
                raise self.fail(f"{f}.lessons", "a level needs at least one lesson")
            gates = dict(item.get("gates", {}))
            for key, value in gates.items():
                if key == "questionnaire":
                    if not isinstance(value, bool):
                        raise self.fail(f"{f}.gates.questionnaire", "expected true or false")
                elif key in ("lessons", "quizzes", "tasks"):
                    self.ids(value, f"{f}.gates.{key}", self.lessons, "lesson")
                else:
                    raise self.fail(f"{f}.gates.{key}",
                                    "unknown gate (allowed: questionnaire, lessons, quizzes, tasks)")
            reward = item.get("coins", 0)
            if not isinstance(reward, int) or reward < 0:
                raise self.fail(f"{f}.coins", f"expected a whole number >= 0, got {reward!r}")
            levels[lid] = Level(lid, self.title(item, f), requires, lessons, reward, gates)
        if not levels:
            raise self.fail("levels", "no levels")
        order = self.topological(levels)
        badges = tuple(self.badge(item, f"badges[{i}]", set(levels)) for i, item in enumerate(raw.get("badges") or []))
        if len({b.id for b in badges}) != len(badges):
            raise self.fail("badges", "badge ids must be unique")
        try:
            pet_raw = dict(raw.get("pet", {}))
            if "stage_points" in pet_raw:
                pet_raw["stage_points"] = tuple(pet_raw["stage_points"])
            pet = PetRules(**pet_raw)
        except (TypeError, ValueError) as exc:
            raise self.fail("pet", str(exc)) from None
        return Quests(self.path, tuple(levels[lid] for lid in order), badges, dict(coins), pet)

    def topological(self, levels: dict[str, Level]) -> list[str]:
        """Levels with prerequisites first; a cycle is reported as its path (a -> b -> a)."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(lid: str, trail: tuple[str, ...]) -> None:
            if state.get(lid) == 2:
                return
            if state.get(lid) == 1:
                cycle = (*trail[trail.index(lid):], lid)
                raise self.fail(f"levels.{lid}.requires", f"cycle: {' -> '.join(cycle)}")
            state[lid] = 1
            for dep in levels[lid].requires:
                visit(dep, (*trail, lid))
            state[lid] = 2
            order.append(lid)

        for lid in levels:
            visit(lid, ())
        return order

    def badge(self, item: dict, f: str, level_ids: set[str]) -> Badge:
        bid = item.get("id")
        if not isinstance(bid, str) or not bid:
            raise self.fail(f"{f}.id", "missing")
        try:
            event = Event(item.get("event"))
        except ValueError:
            raise self.fail(f"{f}.event", f"unknown event {item.get('event')!r} "
                                          f"(known: {', '.join(e.value for e in Event)})") from None
        target = item.get("item")
        if target is not None:
            known = level_ids if event is Event.LEVEL else self.lessons
            if event in (Event.QUESTIONNAIRE, Event.PET_STAGE) or target not in known:
                raise self.fail(f"{f}.item", f"unknown {event.value} item {target!r}")
        count = item.get("count", 1)
        if not isinstance(count, int) or count < 1:
            raise self.fail(f"{f}.count", f"expected a whole number >= 1, got {count!r}")
        return Badge(bid, self.title(item, f), event, target, count)
