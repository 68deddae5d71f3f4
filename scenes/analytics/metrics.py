"""Learning metrics from statements: lesson progress, time on task, quiz scores, and behaviour change.

投教-行为-结果: a lesson is only worth teaching if behaviour changes afterwards. So besides completion
and quiz scores, each learner's *free-play* trading sessions are split at the moment they first finished
a risk lesson (stop-loss or crash survival), and volatility, panic-sell rate and stop-loss use are
compared before vs after. Lesson-task sessions are left out of that comparison: there the learner does
what the lesson asks, which says nothing about what they do on their own.
All functions are pure: statements in, frozen numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from vbranch.market_sim.metrics import max_drawdown_pct, total_return_pct, volatility_annual_pct
from vbranch.scenes.analytics.statement import (
    VERB_ANSWERED,
    VERB_CLOSED_DAY,
    VERB_COMPLETED,
    VERB_SHOWN,
    VERB_STARTED,
    VERB_TRADED,
    Statement,
)
from vbranch.scenes.analytics.stats import bootstrap_mean_ci

__all__ = ["RISK_LESSONS", "LessonProgress", "SessionTrace", "BehaviourChange", "LearnerMetrics", "ClassChange",
           "lesson_progress", "sessions", "behaviour_change", "learner_metrics", "class_change"]

RISK_LESSONS = ("stop_loss", "crash_survival")


@dataclass(frozen=True)
class LessonProgress:
    """``passed``: task passed and (if answered) quiz passed. ``time_on_task_s``: first start → last grade."""

    lesson_id: str
    started: bool
    passed: bool
    task_score: float | None
    quiz_correct: int | None
    quiz_total: int | None
    time_on_task_s: float | None

    @property
    def quiz_pct(self) -> float | None:
        return None if not self.quiz_total else 100 * self.quiz_correct / self.quiz_total


def lesson_progress(statements: Iterable[Statement], lesson_ids: Sequence[str]) -> tuple[LessonProgress, ...]:
    """One row per assigned lesson; the latest grade counts (a retry replaces a failed attempt)."""
    by_lesson: dict[str, list[Statement]] = {}
    for s in statements:
        if s.object_id.startswith("lesson/"):
            by_lesson.setdefault(s.object_id.removeprefix("lesson/"), []).append(s)
    rows = []
    for lesson_id in lesson_ids:
        rows_ = sorted(by_lesson.get(lesson_id, []), key=lambda s: s.ts_s)
        starts = [s for s in rows_ if s.verb == VERB_STARTED]
        task = [s for s in rows_ if s.verb == VERB_COMPLETED]
        quiz = [s for s in rows_ if s.verb == VERB_ANSWERED]
        last_task, last_quiz = (task[-1] if task else None), (quiz[-1] if quiz else None)
        graded = [s.ts_s for s in (last_task, last_quiz) if s is not None]
        passed = bool(last_task and last_task.result.get("success")) and (
            last_quiz is None or bool(last_quiz.result.get("passed")))
        rows.append(LessonProgress(
            lesson_id, bool(starts), passed,
            None if last_task is None else float(last_task.result.get("score", 0)),
            None if last_quiz is None else int(last_quiz.result["correct"]),
            None if last_quiz is None else int(last_quiz.result["total"]),
            max(graded) - starts[0].ts_s if starts and graded else None))
    return tuple(rows)


@dataclass(frozen=True)
class SessionTrace:
    """One trading session rebuilt from statements: daily equity and weights, and its fills."""

    session_id: str
    start_ts_s: float
    lesson_id: str | None
    scenario: str | None
    equity: tuple[float, ...]
    weights: tuple[dict, ...]
    trades: tuple[dict, ...] = field(default=())

    @property
    def volatility_pct(self) -> float | None:
        return volatility_annual_pct(self.equity) if len(self.equity) >= 3 else None

    @property
    def return_pct(self) -> float | None:
        return total_return_pct(self.equity) if len(self.equity) >= 2 else None

    @property
    def max_drawdown_pct(self) -> float | None:
        return max_drawdown_pct(self.equity) if len(self.equity) >= 2 else None


def sessions(statements: Iterable[Statement]) -> list[SessionTrace]:
    """Every trading session of the statements, oldest first."""
    grouped: dict[str, list[Statement]] = {}
    for s in statements:
        if s.verb in (VERB_STARTED, VERB_TRADED, VERB_CLOSED_DAY) and s.session:
            grouped.setdefault(s.session, []).append(s)
    out = []
    for sid, rows in grouped.items():
        rows.sort(key=lambda s: s.ts_s)
        closes = sorted((s.result for s in rows if s.verb == VERB_CLOSED_DAY), key=lambda r: r["day"])
        out.append(SessionTrace(sid, rows[0].ts_s, rows[0].context.get("lesson"), rows[0].context.get("scenario"),
                                tuple(float(r["equity"]) for r in closes), tuple(r.get("weights", {}) for r in closes),
                                tuple(s.result for s in rows if s.verb == VERB_TRADED)))
    return sorted(out, key=lambda t: t.start_ts_s)


def _rate(hits: int, n: int) -> float | None:
    return hits / n if n else None


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


@dataclass(frozen=True)
class BehaviourChange:
    """Free-play behaviour before vs after ``pivot_ts_s`` (first risk lesson graded; None: not yet)."""

    pivot_ts_s: float | None
    sessions_before: int
    sessions_after: int
    volatility_before_pct: float | None
    volatility_after_pct: float | None
    panic_rate_before: float | None  # panic sells / sells
    panic_rate_after: float | None
    protected_rate_before: float | None  # buys with a stop attached / buys
    protected_rate_after: float | None

    def change(self, name: str) -> float | None:
        """``after − before`` of ``volatility_pct``, ``panic_rate`` or ``protected_rate``."""
        before_field, after_field = _CHANGE_FIELDS[name]
        before, after = getattr(self, before_field), getattr(self, after_field)
        return None if before is None or after is None else after - before


_CHANGE_FIELDS = {
    "volatility_pct": ("volatility_before_pct", "volatility_after_pct"),
    "panic_rate": ("panic_rate_before", "panic_rate_after"),
    "protected_rate": ("protected_rate_before", "protected_rate_after"),
}


def _side_stats(traces: Sequence[SessionTrace]) -> tuple[float | None, float | None, float | None]:
    trades = [t for s in traces for t in s.trades]
    sells = [t for t in trades if t["side"] == "sell"]
    buys = [t for t in trades if t["side"] == "buy"]
    return (_mean([s.volatility_pct for s in traces]), _rate(sum(bool(t["panic"]) for t in sells), len(sells)),
            _rate(sum(bool(t["protected"]) for t in buys), len(buys)))


def behaviour_change(statements: Sequence[Statement], risk_lessons: Sequence[str] = RISK_LESSONS) -> BehaviourChange:
    graded = [s.ts_s for s in statements if s.verb == VERB_COMPLETED
              and s.object_id.removeprefix("lesson/") in risk_lessons]
    pivot = min(graded) if graded else None
    free = [t for t in sessions(statements) if t.lesson_id is None]
    before = [t for t in free if pivot is None or t.start_ts_s < pivot]
    after = [t for t in free if pivot is not None and t.start_ts_s >= pivot]
    vb, pb, sb = _side_stats(before)
    va, pa, sa = _side_stats(after)
    return BehaviourChange(pivot, len(before), len(after), vb, va, pb, pa, sb, sa)


@dataclass(frozen=True)
class LearnerMetrics:
    learner_id: str
    variant: str | None  # advisor script style the learner saw (A/B), if any
    lessons: tuple[LessonProgress, ...]
    completion_rate: float  # lessons passed / lessons assigned
    quiz_avg_pct: float | None
    time_on_task_s: float
    sells: int
    panic_sells: int
    behaviour: BehaviourChange

    @property
    def panic_rate(self) -> float | None:
        return _rate(self.panic_sells, self.sells)

    def to_dict(self) -> dict:
        return asdict(self) | {"panic_rate": self.panic_rate}


def learner_metrics(learner_id: str, statements: Sequence[Statement], lesson_ids: Sequence[str]) -> LearnerMetrics:
    """Everything a report card shows about one learner (``statements`` may include other learners)."""
    mine = [s for s in statements if s.learner_id == learner_id]
    progress = lesson_progress(mine, lesson_ids)
    sells = [t for trace in sessions(mine) for t in trace.trades if t["side"] == "sell"]
    variants = [s.context.get("variant") for s in mine if s.verb == VERB_SHOWN and s.context.get("variant")]
    return LearnerMetrics(
        learner_id, variants[0] if variants else None, progress,
        sum(p.passed for p in progress) / len(progress) if progress else 0.0,
        _mean([p.quiz_pct for p in progress]),
        float(sum(p.time_on_task_s or 0.0 for p in progress)),
        len(sells), sum(bool(t["panic"]) for t in sells), behaviour_change(mine))


@dataclass(frozen=True)
class ClassChange:
    """Mean per-learner ``after − before`` of one measure over learners who have both, with a bootstrap CI."""

    measure: str
    n_learners: int
    mean_change: float | None
    ci: tuple[float, float]


def class_change(changes: Iterable[BehaviourChange], measure: str, *, confidence: float = 0.95,
                 seed: int = 0) -> ClassChange:
    diffs = [d for d in (c.change(measure) for c in changes) if d is not None]
    if not diffs:
        return ClassChange(measure, 0, None, (math.nan, math.nan))
    return ClassChange(measure, len(diffs), float(np.mean(diffs)),
                       bootstrap_mean_ci(diffs, confidence=confidence, seed=seed))
