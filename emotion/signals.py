"""The messages the emotion engine passes around: per-source signals and the fused learner state.

Voice, wording and trading behaviour are read by separate detectors (some by other modules, e.g. the
audio model) and any of them can be missing: the microphone stays off without consent, a learner may
never type. One small set of frozen dataclasses keeps every detector and the fusion talking the same
language, with probabilities in 0..1 checked on construction so a bad score fails where it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["LearnerKind", "VoiceSignal", "TextSignal", "BehaviourSignal", "Contribution", "LearnerState"]


def _check_p(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in 0..1, got {value!r}")


class LearnerKind(StrEnum):
    CALM = "calm"
    ANXIOUS = "anxious"
    GREEDY = "greedy"


@dataclass(frozen=True)
class VoiceSignal:
    """What the audio model says about one utterance: only a score and its confidence, never audio."""

    distress_p: float
    confidence: float

    def __post_init__(self) -> None:
        _check_p("distress_p", self.distress_p)
        _check_p("confidence", self.confidence)


@dataclass(frozen=True)
class TextSignal:
    """Distress and greed read from chat or transcribed speech; ``cues`` are the matched cue words."""

    distress_p: float
    greed_p: float
    cues: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_p("distress_p", self.distress_p)
        _check_p("greed_p", self.greed_p)


@dataclass(frozen=True)
class BehaviourSignal:
    """The behaviour radar's reading: per-axis scores (0..1, by axis name) and overall anxiety/greed.

    ``evidence`` is 0..1: how much trading the radar has seen recently (no orders → little to go on).
    """

    axes: dict[str, float]
    anxiety_p: float
    greed_p: float
    evidence: float = 1.0

    def __post_init__(self) -> None:
        for name, value in self.axes.items():
            _check_p(f"axes[{name!r}]", value)
        _check_p("anxiety_p", self.anxiety_p)
        _check_p("greed_p", self.greed_p)
        _check_p("evidence", self.evidence)


@dataclass(frozen=True)
class Contribution:
    """How much one source pushed the fused state: its weight and its anxious/greedy reading."""

    source: str
    weight: float
    anxious_p: float
    greedy_p: float


@dataclass(frozen=True)
class LearnerState:
    """The fused reading. ``confidence`` 0..1; 0 when no signal was available at all.

    The default (calm, fully confident) is what the advisor assumes before any reading arrives.
    """

    kind: LearnerKind = LearnerKind.CALM
    confidence: float = 1.0
    contributions: tuple[Contribution, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_p("confidence", self.confidence)

    @property
    def anxious(self) -> bool:
        return self.kind is LearnerKind.ANXIOUS
