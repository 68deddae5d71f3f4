"""The one interface every TTS engine meets, and what it returns: audio plus the mouth's timeline.

The avatar, the cache and the player only see ``Utterance``; whether the words came from a neural voice
over the network or from espeak-ng on the laptop is a field (``backend``), never a branch in their code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from vbranch.avatars.body import Viseme

__all__ = ["Utterance", "TtsBackend", "TtsUnavailable"]


class TtsUnavailable(RuntimeError):
    """The engine cannot speak here (no service, no binary): the caller falls back, it is not a bug."""


@dataclass(frozen=True, eq=False)
class Utterance:
    """One spoken sentence: mono float32 samples in [-1, 1] and the visemes that go with them.

    Attributes:
        audio: shape ``(n_samples,)``, float32.
        sample_rate_hz: samples per second of ``audio``.
        visemes: sorted by ``start_s``, covering the audio from 0 to ``duration_s`` (gaps are ``rest``).
        text, voice: what was said and by which engine voice; ``rate_pct`` the speed change (-30: elder).
        backend: "edge-tts" or "espeak-ng", so logs and the CLI can say which one spoke.
    """

    audio: np.ndarray
    sample_rate_hz: int
    visemes: tuple[Viseme, ...]
    text: str
    voice: str
    backend: str
    rate_pct: int = 0
    cached: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.audio.ndim != 1 or self.audio.dtype != np.float32:
            raise ValueError(f"audio must be 1-D float32, got {self.audio.dtype} {self.audio.shape}")
        if self.sample_rate_hz <= 0:
            raise ValueError(f"sample_rate_hz must be positive, got {self.sample_rate_hz}")

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate_hz


@runtime_checkable
class TtsBackend(Protocol):
    """A TTS engine. ``synthesize`` raises ``TtsUnavailable`` when it cannot speak on this machine."""

    name: str

    def synthesize(self, text: str, voice: str, rate_pct: int = 0) -> Utterance:
        """Speak ``text`` with engine voice ``voice`` at ``rate_pct`` percent faster (negative: slower)."""
        ...
