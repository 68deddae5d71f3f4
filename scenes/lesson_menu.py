"""The lesson menu's rows: every lesson in quest order, marked done, started, open or locked (and why).

Which lessons a learner may play is the quest graph's rule (a lesson's level is unlocked,
``Progress.unlocked``); this module applies it per lesson and adds one exception: a lesson already
begun stays open, so the stop-loss lesson the guided first visit teaches can have its quiz finished
before its level unlocks. Lessons in no level are never locked. No engine, no language: rows carry
both titles and catalogue keys, the shell picks the language.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from vbranch.scenes.lessons import Lesson
from vbranch.scenes.quests import Level, Progress, Quests

__all__ = ["Status", "MenuRow", "menu_rows", "level_of", "MENU_KEYS"]

MENU_KEYS = 10  # number keys 1–9 and 0 pick the first ten rows


class Status(StrEnum):
    DONE = "done"  # task and quiz both passed
    STARTED = "started"  # begun: a bookmark to resume, or part of it passed
    OPEN = "open"
    LOCKED = "locked"


@dataclass(frozen=True)
class MenuRow:
    lesson_id: str
    title: dict[str, str]
    level: Level | None
    status: Status
    locked_reason: str | None = None  # catalogue key saying what unlocks it

    @property
    def playable(self) -> bool:
        return self.status is not Status.LOCKED


def level_of(quests: Quests) -> dict[str, Level]:
    """Lesson id → the quest level that teaches it."""
    return {lesson_id: level for level in quests.levels for lesson_id in level.lessons}


def _locked_reason(level: Level, quests: Quests, progress: Progress) -> str:
    done = set(progress.completed(quests))
    if not set(level.requires) <= done:
        return "quest.locked"
    if level.gates.get("questionnaire") and progress.risk_level is None:
        return "lesson_desk.locked.questionnaire"
    return "lesson_desk.locked.gate"


def menu_rows(lessons: Sequence[Lesson], quests: Quests, progress: Progress,
              bookmarked: Collection[str] = ()) -> tuple[MenuRow, ...]:
    """One row per lesson: the quest levels' lessons in level order first, then any others by id.

    Args:
        bookmarked: ids of lessons left mid-way (they resume where they stopped).
    """
    levels = level_of(quests)
    unlocked = set(progress.unlocked(quests))
    order = {lesson_id: i for i, lesson_id in enumerate(lid for lv in quests.levels for lid in lv.lessons)}
    rows = []
    for lesson in sorted(lessons, key=lambda ls: (order.get(ls.id, len(order)), ls.id)):
        lid = lesson.id
        level = levels.get(lid)
        begun = lid in bookmarked or lid in progress.lessons | progress.tasks | progress.quizzes
        if lid in progress.tasks and lid in progress.quizzes:
            status, reason = Status.DONE, None
        elif begun:
            status, reason = Status.STARTED, None
        elif level is None or level.id in unlocked:
            status, reason = Status.OPEN, None
        else:
            status, reason = Status.LOCKED, _locked_reason(level, quests, progress)
        rows.append(MenuRow(lid, dict(lesson.title), level, status, reason))
    return tuple(rows)
