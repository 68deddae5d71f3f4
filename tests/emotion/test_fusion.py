"""Fusion of voice, wording and behaviour into calm / anxious / greedy, with absent signals."""

from __future__ import annotations

import pytest

from vbranch.emotion.fusion import fuse
from vbranch.emotion.signals import BehaviourSignal, LearnerKind, TextSignal, VoiceSignal


def _behaviour(anxiety: float, greed: float = 0.0, evidence: float = 1.0) -> BehaviourSignal:
    return BehaviourSignal({"sell_after_drop": anxiety}, anxiety, greed, evidence)


def test_no_signal_at_all_is_calm_with_zero_confidence() -> None:
    state = fuse(None, None, None)
    assert state.kind is LearnerKind.CALM
    assert state.confidence == 0.0
    assert state.contributions == ()


def test_voice_alone_can_make_a_learner_anxious() -> None:
    state = fuse(VoiceSignal(0.9, 1.0), None, None)
    assert state.kind is LearnerKind.ANXIOUS
    # margin 0.4 ×2 × coverage 1/(1+0.5)
    assert state.confidence == pytest.approx(0.8 / 1.5, abs=1e-4)


def test_calm_voice_outweighed_by_panic_selling_behaviour() -> None:
    state = fuse(VoiceSignal(0.2, 0.5), None, _behaviour(0.9))
    # (0.5×0.2 + 1.2×0.9) / 1.7 = 0.694
    assert state.kind is LearnerKind.ANXIOUS
    assert [c.source for c in state.contributions] == ["voice", "behaviour"]


def test_greedy_words_without_voice_read_greedy() -> None:
    state = fuse(None, TextSignal(0.0, 0.9, ("梭哈",)), _behaviour(0.0, 0.6))
    assert state.kind is LearnerKind.GREEDY


def test_voice_does_not_dilute_greed() -> None:
    with_voice = fuse(VoiceSignal(0.1, 1.0), TextSignal(0.0, 0.9, ("yolo",)), None)
    assert with_voice.kind is LearnerKind.GREEDY


def test_negated_text_is_weak_evidence_of_calm() -> None:
    state = fuse(None, TextSignal(0.0, 0.0, ("not:慌",)), None)
    assert state.kind is LearnerKind.CALM
    assert state.contributions[0].weight == pytest.approx(0.3)


def test_zero_confidence_voice_counts_as_absent() -> None:
    assert fuse(VoiceSignal(1.0, 0.0), None, None).confidence == 0.0


def test_more_sources_agreeing_raise_confidence() -> None:
    one = fuse(VoiceSignal(0.9, 0.8), None, None).confidence
    two = fuse(VoiceSignal(0.9, 0.8), TextSignal(0.9, 0.0, ("慌",)), None).confidence
    assert two > one


def test_probabilities_out_of_range_are_rejected() -> None:
    with pytest.raises(ValueError, match="distress_p"):
        VoiceSignal(1.2, 0.5)
