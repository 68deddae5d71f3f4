"""Token buckets per connection and message class, with time passed in (pure, no clock reads).

Why per class: a headset streams poses at 72-90 Hz legitimately while a learner who sends 30 orders a
second is a bug or an attack; one shared budget would either throttle avatars or let order spam
through. Why time injected: tests and the shell agree on ``now_s`` (the room's tick clock), so the
limits are exact in tests and never depend on the machine's speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TokenBucket", "RateLimits", "DEFAULT_LIMITS", "RateLimiter", "message_class"]


@dataclass
class TokenBucket:
    """``capacity`` tokens, refilled at ``rate_per_s``; each message costs one."""

    rate_per_s: float
    capacity: float
    tokens: float = -1.0  # -1: start full
    updated_s: float | None = None

    def __post_init__(self) -> None:
        if self.rate_per_s < 0 or self.capacity < 1:
            raise ValueError(f"bad bucket: rate {self.rate_per_s}/s, capacity {self.capacity}")
        if self.tokens < 0:
            self.tokens = self.capacity

    def allow(self, now_s: float, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens if there are enough at ``now_s``; a clock going backwards refills nothing."""
        if self.updated_s is not None and now_s > self.updated_s:
            self.tokens = min(self.capacity, self.tokens + (now_s - self.updated_s) * self.rate_per_s)
        if self.updated_s is None or now_s > self.updated_s:
            self.updated_s = now_s
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


@dataclass(frozen=True)
class RateLimits:
    """(rate per second, burst) per message class. ``strikes`` budgets errors before a 1008 close."""

    classes: dict[str, tuple[float, float]] = field(default_factory=lambda: {
        "pose": (30.0, 30.0),  # headsets send faster; the room keeps the latest and relays at ~15 Hz
        "order": (5.0, 10.0),  # orders and cancels
        "chat": (1.0, 3.0),
        "emotion": (2.0, 4.0),
        "teacher": (5.0, 10.0),
        "ping": (2.0, 5.0),
        "hello": (1.0, 3.0),
    })
    strikes: tuple[float, float] = (2.0, 20.0)


DEFAULT_LIMITS = RateLimits()

_CLASS_OF = {"cancel": "order"}


def message_class(type_name: str) -> str:
    """The rate class of a message type (``cancel`` shares the ``order`` budget)."""
    return _CLASS_OF.get(type_name, type_name)


class RateLimiter:
    """All buckets of one connection: one per message class plus a strike bucket for errors."""

    def __init__(self, limits: RateLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._buckets = {name: TokenBucket(rate, burst) for name, (rate, burst) in limits.classes.items()}
        self._strikes = TokenBucket(*limits.strikes)

    def allow(self, type_name: str, now_s: float) -> bool:
        """Whether a message of ``type_name`` may pass now (unknown classes always pass)."""
        bucket = self._buckets.get(message_class(type_name))
        return bucket is None or bucket.allow(now_s)

    def strike(self, now_s: float) -> bool:
        """Count one refused frame; False means the budget is gone and the connection should close (1008)."""
        return self._strikes.allow(now_s)
