"""What the learner said lately: a typed (or transcribed) message colours the reading for a while.

Why a memory at all: "我慌了" typed while the crash banner is up matters most thirty seconds later,
when the sell order arrives; an hour later it says nothing about the learner any more. So the latest
message that carried a cue counts for ``memory_s`` seconds and is then forgotten. A message with no
cue ("ok", "what is a stop-loss?") doesn't erase an earlier worry within that time; it only counts
as weak evidence of calm when nothing else was said.
"""

from __future__ import annotations

from dataclasses import dataclass

from vbranch.emotion.signals import TextSignal

__all__ = ["RecentWords", "MEMORY_S"]

MEMORY_S = 120.0


@dataclass
class RecentWords:
    memory_s: float = MEMORY_S
    _signal: TextSignal | None = None
    _heard_s: float = 0.0

    def __post_init__(self) -> None:
        if self.memory_s <= 0:
            raise ValueError(f"memory_s must be positive, got {self.memory_s}")

    def hear(self, signal: TextSignal, now_s: float) -> None:
        """Remember one message's reading; a cue-less one never replaces a live cue-bearing one."""
        current = self.signal(now_s)
        if signal.cues or current is None or not current.cues:
            self._signal, self._heard_s = signal, now_s

    def signal(self, now_s: float) -> TextSignal | None:
        """The reading to fuse now, or None when nothing was said within ``memory_s``."""
        if self._signal is None or now_s - self._heard_s > self.memory_s:
            return None
        return self._signal
