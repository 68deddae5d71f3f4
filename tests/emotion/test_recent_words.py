import pytest

from vbranch.emotion.fusion import fuse
from vbranch.emotion.recent_words import RecentWords
from vbranch.emotion.signals import LearnerKind
from vbranch.emotion.text_cues import detect


def test_a_worried_message_counts_until_the_memory_runs_out():
    words = RecentWords(memory_s=120.0)
    words.hear(detect("我慌了"), now_s=10.0)
    assert words.signal(100.0).distress_p >= 0.7
    assert words.signal(130.0) is not None and words.signal(130.1) is None


def test_a_plain_question_does_not_erase_a_live_worry():
    words = RecentWords()
    words.hear(detect("I'm panicking"), 0.0)
    words.hear(detect("what is a stop loss?"), 5.0)
    assert "panic*" in words.signal(6.0).cues or words.signal(6.0).distress_p > 0.5


def test_a_new_worry_replaces_the_old_one_and_restarts_the_memory():
    words = RecentWords(memory_s=60.0)
    words.hear(detect("有点害怕"), 0.0)
    words.hear(detect("不慌"), 50.0)  # negated: a cue-bearing message that says the opposite
    assert words.signal(100.0).distress_p == 0.0


def test_with_nothing_said_there_is_no_text_signal_and_fusion_stays_calm_with_no_confidence():
    words = RecentWords()
    assert words.signal(0.0) is None
    state = fuse(None, words.signal(0.0), None)
    assert state.kind is LearnerKind.CALM and state.confidence == 0.0


def test_a_remembered_worry_alone_makes_the_fused_state_anxious():
    words = RecentWords()
    words.hear(detect("sell everything, I'm panicking"), 0.0)
    assert fuse(None, words.signal(30.0), None).kind is LearnerKind.ANXIOUS


def test_memory_must_be_positive():
    with pytest.raises(ValueError):
        RecentWords(memory_s=0)
