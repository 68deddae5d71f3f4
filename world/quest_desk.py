"""Trading quests in the branch (交易闯关): coins, badges and the patience sapling (投资养成), shown and saved.

The progression rules (levels, coins, badges, pet growth) are the quests core's; this shell tells it
what happened — the questionnaire finished, a lesson's lines heard, its task or quiz passed, a trading
day closed — saves the learner's progress beside their other state, and puts awards on the HUD. The
sapling grows from the account's closing weights, so it rewards holding a diversified portfolio, not
trading volume.
"""

from __future__ import annotations

import logging
from pathlib import Path

from vbranch.scenes.catalogue import text
from vbranch.scenes.pet import PetState, grow_day
from vbranch.scenes.quests import Award, Event, Progress, load_quests

__all__ = ["QuestDesk"]

log = logging.getLogger(__name__)


class QuestDesk:
    def __init__(self, path: Path, lang: str, notify) -> None:
        self.path, self.lang, self._notify = path, lang, notify
        self.quests = load_quests()
        try:
            self.progress = Progress.from_json(path.read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            self.progress = Progress()
        self.pet = PetState()
        self._days_seen = 0

    def _apply(self, event: Event, item: str = "", value: int = 0) -> Award:
        self.progress, award = self.progress.complete(self.quests, event, item, value)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(self.progress.to_json(), "utf-8")
        tmp.replace(self.path)
        self._announce(award)
        return award

    def _announce(self, award: Award) -> None:
        parts = []
        if award.coins:
            parts.append(f"+{award.coins}  " + text("quest.coins", self.lang, coins=self.progress.coins))
        titles = {b.id: b.title[self.lang] for b in self.quests.badges}
        parts += [text("quest.badge_earned", self.lang, badge=titles.get(b, b)) for b in award.badges]
        if parts:
            self._notify("  ·  ".join(parts))

    def questionnaire_done(self, level: int) -> Award:
        return self._apply(Event.QUESTIONNAIRE, value=level)

    def task_passed(self, lesson_id: str) -> Award:
        self._apply(Event.LESSON, lesson_id)
        return self._apply(Event.TASK, lesson_id)

    def lesson_followed(self, lesson_id: str) -> Award:
        """The advisor's lines of a lesson were heard to the end."""
        return self._apply(Event.LESSON, lesson_id)

    def quiz_passed(self, lesson_id: str) -> Award:
        return self._apply(Event.QUIZ, lesson_id)

    def new_round(self) -> None:
        """A new round's account has closed no days yet (coins, badges and the sapling carry on)."""
        self._days_seen = 0

    def day_closed(self, account) -> None:
        """Grow the sapling by the days that closed since last time (closing weights + that day's trades)."""
        curve, weights = account.equity_curve, account.weights_curve
        for i in range(self._days_seen, min(len(curve), len(weights))):
            day = curve[i][0]
            trades_today = sum(1 for t in account.trades if t.day == day)
            before = self.pet.stage
            self.pet = grow_day(self.pet, self.quests.pet, weights[i], trades_today)
            if self.pet.stage > before:
                self._apply(Event.PET_STAGE, value=self.pet.stage)
                self._notify(text("quest.pet_stage", self.lang, stage=self.pet.stage, points=f"{self.pet.points:g}"))
        self._days_seen = len(curve)
