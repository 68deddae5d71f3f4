"""The cooling-off step (冷静期): hold a panic sell, breathe, look at history, then decide.

Sans-I/O: ``CoolingOff`` owns no clock, market or speaker. The shell feeds it ``submit``, ``tick``,
``start_breathing``, ``confirm`` and ``cancel`` with the current time and carries out the actions it
returns (hold the order, show context, speak a catalogue key, execute the request, drop it). Two
promises are structural, not conventions: an order is executed only by ``confirm`` in the
awaiting-confirmation state (never by a timer), and every hold ends (expiry drops the order, unexecuted,
and tells the learner). Every transition is logged and, given an ``EventLog``, written as a statement.

Time: ``now_s`` is whatever clock the shell drives the hold with (wall seconds in the branch); the
study passes market minutes × 60.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from vbranch.emotion.crash_history import PastDrawdown
from vbranch.emotion.event_log import EventLog
from vbranch.emotion.signals import LearnerState
from vbranch.market_sim.orders import OrderRequest, Side

__all__ = [
    "BreathingScript", "BOX_BREATHING", "BREATHING_478", "CoolingOffConfig", "CoolingState",
    "CoolingOffOffered", "Hold", "ShowContext", "Speak", "Breathe", "Execute", "Drop", "Action",
    "GateDecision", "should_hold", "CoolingOff", "gate_order",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BreathingScript:
    """A timed exercise as data: ``phases`` are (catalogue key, seconds), repeated ``rounds`` times."""

    name: str
    phases: tuple[tuple[str, float], ...]
    rounds: int

    @property
    def duration_s(self) -> float:
        return self.rounds * sum(s for _, s in self.phases)

    def schedule(self) -> list[tuple[float, str, float, int]]:
        """(start offset s, key, seconds, round) for every phase."""
        out, t = [], 0.0
        for r in range(1, self.rounds + 1):
            for key, seconds in self.phases:
                out.append((t, key, seconds, r))
                t += seconds
        return out


BOX_BREATHING = BreathingScript("box", (("cooling_off.breath.inhale", 4.0), ("cooling_off.breath.hold", 4.0),
                                        ("cooling_off.breath.exhale", 4.0), ("cooling_off.breath.hold", 4.0)), 3)
BREATHING_478 = BreathingScript("4-7-8", (("cooling_off.breath.inhale", 4.0), ("cooling_off.breath.hold", 7.0),
                                          ("cooling_off.breath.exhale", 8.0)), 2)


@dataclass(frozen=True)
class CoolingOffConfig:
    """``cooling_off_s`` the minimum hold; ``expiry_s`` (from the hold) when an unconfirmed order is dropped.

    A sell counts as panic when it is ≥ ``panic_share`` of the position and within ``crash_window_s`` of
    the last crash event.
    """

    cooling_off_s: float = 60.0
    expiry_s: float = 300.0
    panic_share: float = 0.5
    crash_window_s: float = 600.0
    breathing: BreathingScript = BREATHING_478

    def __post_init__(self) -> None:
        if not 0 < self.cooling_off_s < self.expiry_s:
            raise ValueError(f"need 0 < cooling_off_s < expiry_s, got {self.cooling_off_s}, {self.expiry_s}")
        if not 0 < self.panic_share <= 1:
            raise ValueError(f"panic_share must be in (0, 1], got {self.panic_share}")


class CoolingState(StrEnum):
    IDLE = "idle"
    HELD = "held"
    BREATHING = "breathing"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    EXECUTED = "executed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


_ACTIVE = (CoolingState.HELD, CoolingState.BREATHING, CoolingState.AWAITING_CONFIRMATION)


# ----- actions for the shell ----------------------------------------------------------------------
@dataclass(frozen=True)
class CoolingOffOffered:
    """The decision to hold: what, when, the advisor's line (catalogue key) and the history shown."""

    request: OrderRequest
    at_s: float
    key: str
    cooling_off_s: float
    expires_at_s: float
    context: tuple[PastDrawdown, ...] = ()


@dataclass(frozen=True)
class Hold:
    request: OrderRequest


@dataclass(frozen=True)
class ShowContext:
    drawdowns: tuple[PastDrawdown, ...]


@dataclass(frozen=True)
class Speak:
    key: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Breathe:
    key: str
    seconds: float
    round: int


@dataclass(frozen=True)
class Execute:
    """Submit ``request`` to the market now (at the then-current price)."""

    request: OrderRequest


@dataclass(frozen=True)
class Drop:
    """Forget ``request`` without executing it; ``reason`` is cancelled, expired or busy."""

    request: OrderRequest
    reason: str


Action = CoolingOffOffered | Hold | ShowContext | Speak | Breathe | Execute | Drop


# ----- the gate rule ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GateDecision:
    hold: bool
    reason: str  # "anxious_panic_sell", "not_a_sell", "small_sell", "no_recent_crash", "not_anxious"
    share: float


def should_hold(request: OrderRequest, state: LearnerState, held_qty: int, now_s: float,
                last_crash_s: float | None, config: CoolingOffConfig) -> GateDecision:
    """Hold only an anxious learner's sell of ≥ ``panic_share`` of a position soon after a crash."""
    share = request.qty / held_qty if held_qty > 0 else 0.0
    if request.side is not Side.SELL:
        reason = "not_a_sell"
    elif share < config.panic_share:
        reason = "small_sell"
    elif last_crash_s is None or not 0 <= now_s - last_crash_s <= config.crash_window_s:
        reason = "no_recent_crash"
    elif not state.anxious:
        reason = "not_anxious"
    else:
        return GateDecision(True, "anxious_panic_sell", share)
    return GateDecision(False, reason, share)


# ----- the state machine --------------------------------------------------------------------------
class CoolingOff:
    """One learner's cooling-off machine; one held order at a time."""

    def __init__(self, config: CoolingOffConfig | None = None, context: tuple[PastDrawdown, ...] = (),
                 learner_id: str = "learner", event_log: EventLog | None = None) -> None:
        self.config = config or CoolingOffConfig()
        self.context = context
        self.learner_id = learner_id
        self.event_log = event_log if event_log is not None else EventLog()
        self.state = CoolingState.IDLE
        self.request: OrderRequest | None = None
        self.held_at_s = 0.0
        self.breathing_started_s: float | None = None
        self.breathing_completed = False
        self._cues_sent = 0

    @property
    def active(self) -> bool:
        return self.state in _ACTIVE

    @property
    def expires_at_s(self) -> float:
        return self.held_at_s + self.config.expiry_s

    def _log(self, verb: str, now_s: float, request: OrderRequest | None = None, **result: object) -> None:
        req = request or self.request
        obj = {"type": "order", "symbol": req.symbol, "side": req.side.value, "qty": req.qty} if req else {}
        self.event_log.record(self.learner_id, verb, obj, now_s, state=self.state.value, **result)

    def submit(self, request: OrderRequest, now_s: float) -> list[Action]:
        """Hold ``request`` (the gate already decided it should be held)."""
        if self.active:
            self._log("refused", now_s, request, reason="busy")
            return [Drop(request, "busy"), Speak("cooling_off.busy")]
        cfg = self.config
        self.state, self.request, self.held_at_s = CoolingState.HELD, request, now_s
        self.breathing_started_s, self.breathing_completed, self._cues_sent = None, False, 0
        offered = CoolingOffOffered(request, now_s, "cooling_off.offer", cfg.cooling_off_s, self.expires_at_s,
                                    self.context)
        self._log("held", now_s, cooling_off_s=cfg.cooling_off_s, expires_at_s=self.expires_at_s)
        minutes = max(1, round(cfg.cooling_off_s / 60))
        return [offered, Hold(request), ShowContext(self.context),
                Speak("cooling_off.offer", {"minutes": minutes, "qty": request.qty, "symbol": request.symbol}),
                Speak("cooling_off.breath.offer", {"name": cfg.breathing.name})]

    def start_breathing(self, now_s: float) -> list[Action]:
        """The learner accepted the exercise; returns its first cue (later cues come from ``tick``)."""
        actions = self._expire_if_due(now_s)
        if actions or self.state is not CoolingState.HELD or self.breathing_completed:
            return actions
        self.state, self.breathing_started_s = CoolingState.BREATHING, now_s
        self._log("started_breathing", now_s, script=self.config.breathing.name)
        return self._breathing_cues(now_s)

    def _breathing_cues(self, now_s: float) -> list[Action]:
        assert self.breathing_started_s is not None
        elapsed = now_s - self.breathing_started_s
        schedule = self.config.breathing.schedule()
        out: list[Action] = []
        while self._cues_sent < len(schedule) and schedule[self._cues_sent][0] <= elapsed:
            _, key, seconds, rnd = schedule[self._cues_sent]
            out.append(Breathe(key, seconds, rnd))
            self._cues_sent += 1
        if elapsed >= self.config.breathing.duration_s:
            self.breathing_completed = True
            self.state = CoolingState.HELD
            self._log("completed_breathing", now_s)
        return out

    def _expire_if_due(self, now_s: float) -> list[Action]:
        if self.active and now_s >= self.expires_at_s:
            request = self.request
            assert request is not None
            self.state = CoolingState.EXPIRED
            self._log("expired", now_s, executed=False)
            return [Drop(request, "expired"), Speak("cooling_off.expired", {"qty": request.qty,
                                                                              "symbol": request.symbol})]
        return []

    def tick(self, now_s: float) -> list[Action]:
        """Advance time: breathing cues, the end of the cooling-off (ask to confirm), or expiry."""
        actions = self._expire_if_due(now_s)
        if actions or not self.active:
            return actions
        if self.state is CoolingState.BREATHING:
            actions += self._breathing_cues(now_s)
        if self.state is CoolingState.HELD and now_s >= self.held_at_s + self.config.cooling_off_s:
            request = self.request
            assert request is not None
            self.state = CoolingState.AWAITING_CONFIRMATION
            self._log("asked_confirmation", now_s, breathing_completed=self.breathing_completed)
            actions.append(Speak("cooling_off.ask_confirm", {"qty": request.qty, "symbol": request.symbol}))
        return actions

    def confirm(self, now_s: float) -> list[Action]:
        """The learner still wants the trade: execute it only if the cooling-off is over."""
        actions = self.tick(now_s)
        if self.state is CoolingState.AWAITING_CONFIRMATION:
            request = self.request
            assert request is not None
            self.state = CoolingState.EXECUTED
            self._log("confirmed", now_s, executed=True)
            return actions + [Execute(request), Speak("cooling_off.executed")]
        if self.state in (CoolingState.HELD, CoolingState.BREATHING):
            remaining = max(0.0, self.held_at_s + self.config.cooling_off_s - now_s)
            self._log("confirm_too_early", now_s, remaining_s=round(remaining, 1))
            return actions + [Speak("cooling_off.wait", {"seconds": int(round(remaining))})]
        return actions

    def cancel(self, now_s: float) -> list[Action]:
        """The learner changed their mind: drop the order, unexecuted."""
        actions = self._expire_if_due(now_s)
        if actions or not self.active:
            return actions
        request = self.request
        assert request is not None
        self.state = CoolingState.CANCELLED
        self._log("cancelled", now_s, executed=False, breathing_completed=self.breathing_completed)
        return [Drop(request, "cancelled"), Speak("cooling_off.cancelled")]


def gate_order(cooling: CoolingOff, request: OrderRequest, state: LearnerState, held_qty: int, now_s: float,
               last_crash_s: float | None) -> list[Action]:
    """What the shell calls before ``market.submit``: ``[Execute(request)]`` or the hold's actions."""
    decision = should_hold(request, state, held_qty, now_s, last_crash_s, cooling.config)
    cooling.event_log.record(cooling.learner_id, "gated", {"type": "order", "symbol": request.symbol,
                                                           "side": request.side.value, "qty": request.qty},
                             now_s, hold=decision.hold, reason=decision.reason, share=round(decision.share, 4),
                             learner_state=state.kind.value, confidence=state.confidence)
    if not decision.hold:
        return [Execute(request)]
    return cooling.submit(request, now_s)
