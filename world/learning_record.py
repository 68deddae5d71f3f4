"""What the learner did in the branch goes into the on-device learning store, for report cards.

The analytics core (``vbranch.scenes.analytics``) turns accounts and graded lessons into statements;
this shell decides *when*: a lesson when it starts, when its task is graded, each quiz answer and the
quiz grade, the trading session when its round ends or the branch closes. Single-player only: in a classroom the server
keeps the record. Nothing here touches audio.
"""

from __future__ import annotations

import logging
import time
import uuid

from vbranch.market_sim.market import Market
from vbranch.scenes.analytics import LearningStore
from vbranch.scenes.analytics.record import lesson_statements, quiz_answer_statement, session_statements
from vbranch.scenes.analytics.store import DEFAULT_FILENAME
from vbranch.world.options import learner_log_dir

__all__ = ["LearningRecorder"]

log = logging.getLogger(__name__)


class LearningRecorder:
    def __init__(self, learner_id: str, scenario: str, market, lesson_id: str | None = None) -> None:
        """One recorder per market (a new round is a new session); ``lesson_id`` when a lesson asked for it."""
        self.learner_id, self.scenario, self.market, self.lesson_id = learner_id, scenario, market, lesson_id
        self.session_id = uuid.uuid4().hex[:12]
        self.started_ts_s = time.time()
        self._closed = False

    def _store(self) -> LearningStore:
        return LearningStore(learner_log_dir() / DEFAULT_FILENAME)

    def lesson_graded(self, lesson_id: str, started_ts_s: float, check) -> None:
        self._store().record_many(lesson_statements(self.learner_id, lesson_id, started_ts_s=started_ts_s,
                                                    completed_ts_s=time.time(), check=check, quiz=None))

    def lesson_started(self, lesson_id: str, started_ts_s: float) -> None:
        """The lesson began (its later grades repeat this statement; the store keeps it once)."""
        self._store().record_many(lesson_statements(self.learner_id, lesson_id, started_ts_s=started_ts_s,
                                                    completed_ts_s=started_ts_s, check=None, quiz=None))

    def quiz_answered(self, lesson_id: str, question: int, choice: int, correct: bool, seconds: float) -> None:
        self._store().record(quiz_answer_statement(self.learner_id, lesson_id, question, choice=choice,
                                                   correct=correct, ts_s=time.time(), seconds=seconds))

    def quiz_graded(self, lesson_id: str, started_ts_s: float, quiz) -> None:
        self._store().record_many(lesson_statements(self.learner_id, lesson_id, started_ts_s=started_ts_s,
                                                    completed_ts_s=time.time(), check=None, quiz=quiz))

    def close(self, account) -> None:
        """Record the session once (the branch may close through several paths)."""
        if self._closed or not isinstance(self.market, Market):
            return
        self._closed = True
        seconds_per_day = self.market.config.seconds_per_day / max(self.market.clock.speed, 1e-9)
        statements = session_statements(self.learner_id, self.session_id, account, scenario=self.scenario,
                                        start_ts_s=self.started_ts_s, seconds_per_day=seconds_per_day,
                                        lesson_id=self.lesson_id)
        self._store().record_many(statements)
        log.info("learning store: session %s recorded (%d statements)", self.session_id, len(statements))
