"""Who is in a room: seats (a learner's place, surviving disconnects), connections, and message targets.

Kept apart from the room's state machine so the shell and the tests can name targets and read seats
without pulling in the market.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vbranch.server.messages import Role
from vbranch.server.ratelimit import RateLimiter

__all__ = ["BROADCAST", "PARTICIPANTS", "CLOSE_REPLACED", "MAX_TICK_DT_S", "CLOCK_JOURNAL_PERIOD_S",
           "SAMPLES_PER_DAY", "Outgoing",
           "JournalEntry", "Seat", "Conn"]

BROADCAST = "*"
PARTICIPANTS = "@participants"
CLOSE_REPLACED = 4001  # the same seat connected again elsewhere
MAX_TICK_DT_S = 1.0  # a stalled server resumes the market, it does not fast-forward it
CLOCK_JOURNAL_PERIOD_S = 1.0  # a running market notes its step this often: a restart loses at most this
SAMPLES_PER_DAY = 10  # equity samples per trading day for the leaderboard


@dataclass(frozen=True)
class Outgoing:
    target: str
    message: Any


@dataclass(frozen=True)
class JournalEntry:
    """An accepted action, for the shell to persist *before* it sends the acknowledgement.

    ``market_step`` and ``elapsed_s`` place the action on the market's clock: a restart rebuilds the
    room by advancing the seeded market to each entry's step and applying it again (``server/restore``).
    """

    tick: int
    now_s: float
    actor: str
    kind: str
    payload: dict
    market_step: int = 0
    elapsed_s: float = 0.0  # the contest's running time when the action happened


@dataclass
class Seat:
    """A learner's place in the contest; survives disconnects (``resume_token`` reclaims it)."""

    seat_id: str
    name: str
    resume_token: str
    parent_token: str
    client_id: str | None = None
    order_ids: dict[str, int] = field(default_factory=dict)  # client_order_id -> market order id
    client_order_ids: dict[int, str] = field(default_factory=dict)
    equity_samples: list[float] = field(default_factory=list)
    weights_samples: list[dict] = field(default_factory=list)
    emotion: tuple[float, float] | None = None  # latest (distress, confidence); kept for the dashboard


@dataclass
class Conn:
    client_id: str
    limiter: RateLimiter
    role: Role | None = None
    seat_id: str | None = None
    lang: str = "en"
    pose: dict | None = None
