"""Turn what the cores already know (an account after a session, a graded lesson) into statements.

The report card must be drawable from the store alone, months later and on a teacher's machine, so a
trading session is stored as its fills (``traded``) and its daily closes (``closed_day`` with equity
and weights), and a lesson as ``started`` → ``completed`` (task score) → ``answered`` (quiz), with one ``answered``
per quiz question (object ``lesson/<id>/quiz/<n>``) so a teacher can see which question trips a class.
Shells call these at the end of a session or lesson and pass the result to ``LearningStore.record_many``.
"""

from __future__ import annotations

from vbranch.market_sim.account import Account
from vbranch.scenes.analytics.statement import (
    VERB_ANSWERED,
    VERB_CLOSED_DAY,
    VERB_COMPLETED,
    VERB_STARTED,
    VERB_TRADED,
    Statement,
)
from vbranch.scenes.lesson_checks import CheckResult
from vbranch.scenes.lessons import QuizResult

__all__ = ["session_statements", "lesson_statements", "quiz_answer_statement"]


def session_statements(learner_id: str, session_id: str, account: Account, *, scenario: str, start_ts_s: float,
                       seconds_per_day: float, lesson_id: str | None = None,
                       contest: str | None = None) -> list[Statement]:
    """A trading session: its start, every fill and every daily close, timed on the wall clock.

    Args:
        start_ts_s: Unix time the session began; day ``d`` closes at ``start_ts_s + (d + 1) * seconds_per_day``.
        lesson_id: set when the session is a lesson's task (so free play and lessons can be told apart).
    """
    context = {"session": session_id, "scenario": scenario, **({"lesson": lesson_id} if lesson_id else {})}
    out = [Statement(learner_id, VERB_STARTED, f"session/{session_id}", start_ts_s, {}, context, contest)]
    for n, trade in enumerate(account.trades):
        ts = start_ts_s + trade.day * seconds_per_day + min(seconds_per_day * 0.99, 0.01 * (n + 1))
        out.append(Statement(learner_id, VERB_TRADED, f"order/{trade.symbol}", ts,
                             {"side": trade.side, "symbol": trade.symbol, "qty": trade.qty,
                              "price": round(trade.price, 4), "reason": trade.reason, "panic": trade.panic,
                              "protected": trade.protected, "day": trade.day}, context, contest))
    weights = account.weights_curve if len(account.weights_curve) == len(account.equity_curve) else \
        [{}] * len(account.equity_curve)
    for (day, equity), w in zip(account.equity_curve, weights, strict=True):
        out.append(Statement(learner_id, VERB_CLOSED_DAY, f"session/{session_id}",
                             start_ts_s + (day + 1) * seconds_per_day,
                             {"day": day, "equity": round(equity, 2),
                              "weights": {k: round(v, 4) for k, v in w.items()}},
                             context, contest))
    return out


def lesson_statements(learner_id: str, lesson_id: str, *, started_ts_s: float, completed_ts_s: float,
                      check: CheckResult | None, quiz: QuizResult | None,
                      contest: str | None = None) -> list[Statement]:
    """A lesson attempt: ``started``, then the graded task and quiz if the learner got that far."""
    obj = f"lesson/{lesson_id}"
    out = [Statement(learner_id, VERB_STARTED, obj, started_ts_s, {}, {}, contest)]
    if check is not None:
        out.append(Statement(learner_id, VERB_COMPLETED, obj, completed_ts_s,
                             {"success": check.passed, "score": check.score, "check": check.check}, {}, contest))
    if quiz is not None:
        out.append(Statement(learner_id, VERB_ANSWERED, obj, completed_ts_s + 0.001,
                             {"correct": quiz.correct, "total": quiz.total, "passed": quiz.passed}, {}, contest))
    return out


def quiz_answer_statement(learner_id: str, lesson_id: str, question: int, *, choice: int, correct: bool, ts_s: float,
                          seconds: float, contest: str | None = None) -> Statement:
    """One quiz question answered: which choice (0-based), whether it was right, how long it took.

    Its object is the question (``lesson/<id>/quiz/<n>``), not the lesson, so lesson progress still reads
    the quiz grade from the lesson's own ``answered`` statement.
    """
    return Statement(learner_id, VERB_ANSWERED, f"lesson/{lesson_id}/quiz/{question}", ts_s,
                     {"response": choice, "success": correct, "duration_s": round(seconds, 3)}, {}, contest)
