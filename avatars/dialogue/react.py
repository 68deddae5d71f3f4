"""The advisor as a listener: market events and the learner's state in, at most one line every few seconds out.

A crash publishes a burst (limit-downs, a crash, a halt, stop-losses, fills) within one tick. Saying
all of it is chatter that makes a nervous learner more nervous, so events wait in a small queue,
ranked by how much they matter to the learner's next decision (crash and halt above fills), and the
advisor speaks the top one when ``min_gap_s`` has passed since it last spoke. Old news goes stale,
and the same kind of news is not repeated within ``repeat_after_s``.
Time is the caller's clock in seconds (sim or wall), so tests drive it directly.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from vbranch.avatars.dialogue.ab import DEFAULT_EXPERIMENT, ExperimentLog, assign_variant
from vbranch.avatars.dialogue.policy import AdvisorLine, LearnerState, Mode, Situation, Style, choose_line
from vbranch.avatars.knowledge.retrieval import Answer, answer
from vbranch.market_sim.events import (
    CrashStarted,
    DrawdownCrossed,
    Filled,
    Halted,
    LimitHit,
    MarketEvent,
    Resumed,
    StopTriggered,
)

__all__ = ["PRIORITY", "KEEP_PRIORITY", "situation_for", "equity_move", "Advisor"]

log = logging.getLogger(__name__)

PRIORITY: dict[str, int] = {
    "crash_started": 100,
    "halt": 95,
    "stop_triggered.stop_loss": 85,
    "limit_hit.down": 80,
    "drawdown_crossed": 75,
    "equity.big_loss": 70,
    "stop_triggered.trailing_stop": 60,
    "stop_triggered.take_profit": 55,
    "resumed": 45,
    "equity.big_gain": 40,
    "limit_hit.up": 30,
    "fill.sell": 10,
    "fill.buy": 10,
}
"""Which event the advisor talks about when several wait: higher first."""

KEEP_PRIORITY = 50
"""Events at or above this survive another line being spoken (said after the gap if still fresh);
below it (fills, limit-ups, gains) they were background to the line just said and are dropped."""

_STOP_KINDS = ("stop_loss", "take_profit", "trailing_stop")


def situation_for(event: MarketEvent, account_id: str | None = None) -> Situation | None:
    """The situation an event puts the advisor in, or None if it is not the advisor's business.

    Account events (stops, fills, drawdowns) of other accounts are ignored when ``account_id`` is given.
    """
    own = getattr(event, "account_id", None)
    if account_id is not None and own is not None and own != account_id:
        return None
    match event:
        case CrashStarted():
            return Situation("crash_started", symbol=event.symbol, pct=event.drop_pct)
        case LimitHit():
            return Situation(f"limit_hit.{'up' if event.direction == 'up' else 'down'}", symbol=event.symbol,
                             price=event.price)
        case Halted():
            return Situation("halt", symbol=event.symbol, pct=event.drop_pct)
        case Resumed():
            return Situation("resumed", symbol=event.symbol)
        case StopTriggered():
            kind = event.order_kind if event.order_kind in _STOP_KINDS else "stop_loss"
            return Situation(f"stop_triggered.{kind}", symbol=event.symbol, price=event.market_price)
        case Filled():
            side = "sell" if event.side.lower().startswith("s") else "buy"
            return Situation(f"fill.{side}", symbol=event.symbol, price=event.price, qty=event.qty)
        case DrawdownCrossed():
            return Situation("drawdown_crossed", pct=event.drawdown_pct)
    return None


def equity_move(reference_equity: float, equity: float, threshold_pct: float) -> Situation | None:
    """A big gain or loss: equity moved at least ``threshold_pct`` percent from the reference."""
    if reference_equity <= 0:
        return None
    change_pct = 100.0 * (equity / reference_equity - 1.0)
    if abs(change_pct) < threshold_pct:
        return None
    kind = "equity.big_gain" if change_pct > 0 else "equity.big_loss"
    return Situation(kind, pct=round(abs(change_pct), 2))


@dataclass(order=True)
class _Pending:
    priority: int
    seq: int
    at_s: float = field(compare=False)
    situation: Situation = field(compare=False)


@dataclass
class Advisor:
    """One learner's advisor. ``style`` None: taken from the A/B assignment if ``learner_id`` is set.

    Args:
        symbols: if given, price limits of other instruments are ignored (pass the learner's holdings
            and the index).
        min_gap_s: the least time between two spoken lines (seconds, caller's clock).
        stale_after_s: a waiting event older than this is dropped unspoken.
        repeat_after_s: an event kind spoken less than this long ago is not spoken again (ten limit-downs
            in a minute are one piece of news).
        big_move_pct: equity change from the last reference that counts as a big gain or loss.
    """

    lang: str = "zh"
    mode: Mode = Mode.NORMAL
    style: Style | None = None
    account_id: str | None = None
    symbols: frozenset[str] | None = None
    learner_id: str | None = None
    experiment_log: ExperimentLog | None = None
    min_gap_s: float = 8.0
    stale_after_s: float = 20.0
    repeat_after_s: float = 60.0
    big_move_pct: float = 5.0
    seed: int = 0
    state: LearnerState = field(default_factory=LearnerState)
    _pending: list[_Pending] = field(default_factory=list, repr=False)
    _seq: int = field(default=0, repr=False)
    _last_spoken_s: float | None = field(default=None, repr=False)
    _kind_spoken_s: dict[str, float] = field(default_factory=dict, repr=False)
    _equity_ref: float | None = field(default=None, repr=False)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.mode = Mode(self.mode)
        if self.style is None:
            experiment = self.experiment_log.experiment if self.experiment_log else DEFAULT_EXPERIMENT
            self.style = assign_variant(self.learner_id, experiment) if self.learner_id else Style.STANDARD
        self.style = Style(self.style)
        self._rng = random.Random(self.seed)

    def set_state(self, state: LearnerState) -> None:
        self.state = state

    def observe(self, event: MarketEvent, now_s: float) -> None:
        """Queue the event if the advisor has something to say about it."""
        situation = situation_for(event, self.account_id)
        if situation is None:
            return
        if self.symbols is not None and situation.event_kind.startswith("limit_hit.") and (
                situation.symbol not in self.symbols):
            return
        self._queue(situation, now_s)

    def observe_equity(self, equity: float, now_s: float) -> None:
        """Track account equity; a big move from the last reference queues a gain or loss line."""
        if self._equity_ref is None:
            self._equity_ref = equity
            return
        situation = equity_move(self._equity_ref, equity, self.big_move_pct)
        if situation is not None:
            self._equity_ref = equity
            self._queue(situation, now_s)

    def _queue(self, situation: Situation, now_s: float) -> None:
        self._seq += 1
        self._pending.append(_Pending(PRIORITY.get(situation.event_kind, 0), self._seq, now_s, situation))

    def poll(self, now_s: float) -> AdvisorLine | None:
        """The line to say now, or None (nothing waiting, or spoke less than ``min_gap_s`` ago)."""
        self._pending = [p for p in self._pending
                         if now_s - p.at_s <= self.stale_after_s and not self._said_recently(p.situation, now_s)]
        if not self._pending or not self._gap_elapsed(now_s):
            return None
        top = max(self._pending)
        kind = top.situation.event_kind  # one line covers every waiting event of its kind
        self._pending = [p for p in self._pending if p.priority >= KEEP_PRIORITY and p.situation.event_kind != kind]
        return self._speak(top.situation, now_s)

    def say(self, event_kind: str, now_s: float, **numbers: object) -> AdvisorLine:
        """A scripted line (greeting, questionnaire, cooling-off offer…): said now, regardless of the gap."""
        return self._speak(Situation(event_kind, **numbers), now_s)

    def ask(self, question: str, now_s: float) -> Answer:
        """Answer a learner's question from the knowledge base, in the advisor's language."""
        self._last_spoken_s = now_s
        return answer(question, self.lang)

    def _said_recently(self, situation: Situation, now_s: float) -> bool:
        spoken = self._kind_spoken_s.get(situation.event_kind)
        return spoken is not None and now_s - spoken < self.repeat_after_s

    def _gap_elapsed(self, now_s: float) -> bool:
        return self._last_spoken_s is None or now_s - self._last_spoken_s >= self.min_gap_s

    def _speak(self, situation: Situation, now_s: float) -> AdvisorLine:
        line = choose_line(situation, self.state, self.mode, self.lang, self.style, self._rng)
        self._last_spoken_s = now_s
        self._kind_spoken_s[situation.event_kind] = now_s
        if self.experiment_log is not None and self.learner_id is not None:
            self.experiment_log.line_shown(self.learner_id, line, event_kind=situation.event_kind, sim_time_s=now_s)
        return line

    def learner_acted(self, action: str, now_s: float, **detail: object) -> None:
        """Record what the learner did after the last line (for the A/B analysis), if logging."""
        if self.experiment_log is not None and self.learner_id is not None:
            self.experiment_log.learner_acted(self.learner_id, action, sim_time_s=now_s, detail=detail or None)
