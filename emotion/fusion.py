"""Fuse voice, wording and behaviour into one learner state: calm, anxious or greedy, with confidence.

Any source may be missing (no microphone consent, a learner who never types, no trades yet), so fusion
is a weighted average over what is present, and the confidence shrinks with how little was present.
Voice says nothing about greed, so it only enters the anxiety average. Weights are module constants:
a behaviour reading (what the learner actually does with money) counts most, a neutral message least.
"""

from __future__ import annotations

import logging

from vbranch.emotion.signals import (
    BehaviourSignal,
    Contribution,
    LearnerKind,
    LearnerState,
    TextSignal,
    VoiceSignal,
)

__all__ = ["VOICE_WEIGHT", "TEXT_WEIGHT", "BEHAVIOUR_WEIGHT", "THRESHOLD_P", "fuse"]

log = logging.getLogger(__name__)

VOICE_WEIGHT = 1.0  # times the model's confidence
TEXT_WEIGHT = 0.8  # a message with at least one live cue
TEXT_NEUTRAL_WEIGHT = 0.3  # a message with none: weak evidence of calm
BEHAVIOUR_WEIGHT = 1.2  # times the radar's evidence
THRESHOLD_P = 0.5  # anxious/greedy at or above this fused probability
_COVERAGE_HALF = 0.5  # total weight at which confidence is halved for lack of evidence


def _contributions(voice: VoiceSignal | None, text: TextSignal | None,
                   behaviour: BehaviourSignal | None) -> list[Contribution]:
    out = []
    if voice is not None and voice.confidence > 0:
        out.append(Contribution("voice", VOICE_WEIGHT * voice.confidence, voice.distress_p, 0.0))
    if text is not None:
        live = any(not c.startswith("not:") for c in text.cues)
        out.append(Contribution("text", TEXT_WEIGHT if live else TEXT_NEUTRAL_WEIGHT, text.distress_p, text.greed_p))
    if behaviour is not None and behaviour.evidence > 0:
        out.append(Contribution("behaviour", BEHAVIOUR_WEIGHT * behaviour.evidence, behaviour.anxiety_p,
                                behaviour.greed_p))
    return out


def fuse(voice: VoiceSignal | None, text: TextSignal | None, behaviour: BehaviourSignal | None) -> LearnerState:
    """One state from whatever signals exist.

    Returns:
        ``LearnerState``: anxious if the weighted anxiety ≥ 0.5 and ≥ greed; greedy if greed ≥ 0.5;
        else calm. Confidence = margin from 0.5 (×2) × coverage (total weight / (total + 0.5)); with
        no signal at all, calm with confidence 0.
    """
    parts = _contributions(voice, text, behaviour)
    total = sum(c.weight for c in parts)
    if total <= 0:
        state = LearnerState(LearnerKind.CALM, 0.0, ())
        log.info("fusion: no signal, calm with confidence 0")
        return state
    anxious = sum(c.weight * c.anxious_p for c in parts) / total
    greed_parts = [c for c in parts if c.source != "voice"]
    greed_total = sum(c.weight for c in greed_parts)
    greedy = sum(c.weight * c.greedy_p for c in greed_parts) / greed_total if greed_total else 0.0
    if anxious >= THRESHOLD_P and anxious >= greedy:
        kind, margin = LearnerKind.ANXIOUS, anxious - THRESHOLD_P
    elif greedy >= THRESHOLD_P:
        kind, margin = LearnerKind.GREEDY, greedy - THRESHOLD_P
    else:
        kind, margin = LearnerKind.CALM, THRESHOLD_P - max(anxious, greedy)
    coverage = total / (total + _COVERAGE_HALF)
    confidence = round(min(1.0, 2 * margin * coverage), 4)
    state = LearnerState(kind, confidence, tuple(parts))
    log.info("fusion: %s (confidence %.2f; anxious %.2f, greedy %.2f from %s)", kind.value, confidence, anxious,
             greedy, ", ".join(c.source for c in parts))
    return state
