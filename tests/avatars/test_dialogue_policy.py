"""The dialogue policy: every situation gets a line in the right language, style, pace and structure."""

from __future__ import annotations

import itertools

import pytest

from vbranch.avatars.body import GESTURE_KEYFRAMES
from vbranch.avatars.dialogue import LearnerKind, LearnerState, Mode, Situation, Style, choose_line
from vbranch.avatars.dialogue.catalogue import default_catalogue, event_kinds
from vbranch.avatars.dialogue.policy import CONFIDENCE_FLOOR, ELDER_RATE_FACTOR
from vbranch.avatars.lang import has_cjk

REQUIRED_EVENTS = {
    "greeting", "questionnaire.invite", "floor.walk", "cooling_off.offer", "help.arrived", "goodbye",
    "crash_started", "limit_hit.down", "limit_hit.up", "halt", "resumed", "stop_triggered.stop_loss",
    "stop_triggered.take_profit", "stop_triggered.trailing_stop", "fill.buy", "fill.sell", "drawdown_crossed",
    "equity.big_gain", "equity.big_loss",
}
STATES = [LearnerState(kind, 0.9) for kind in LearnerKind]
FULL_NUMBERS = {"symbol": "510300", "pct": 7.25, "price": 3.85, "qty": 1200}
GRID = list(itertools.product(sorted(REQUIRED_EVENTS), STATES, Mode, ("zh", "en"), Style))


def test_catalogue_covers_the_19_required_events_with_at_least_40_lines() -> None:
    assert set(event_kinds()) >= REQUIRED_EVENTS
    assert len(default_catalogue().lines) >= 40


@pytest.mark.parametrize("numbers", [FULL_NUMBERS, {}], ids=["with_numbers", "without_numbers"])
def test_every_event_state_mode_lang_style_yields_a_line_in_that_language(numbers: dict) -> None:
    assert len(GRID) == 19 * 3 * 2 * 2 * 2
    for event, state, mode, lang, style in GRID:
        line = choose_line(Situation(event, **numbers), state, mode, lang, style, 0)
        where = (event, state.kind, mode, lang, style)
        assert line.text.strip(), where
        assert has_cjk(line.text) == (lang == "zh"), where
        assert "{" not in line.text, where
        assert line.style is style and line.lang == lang


def test_numbers_are_quoted_in_the_line_when_given() -> None:
    line = choose_line(Situation("drawdown_crossed", pct=12.345), LearnerState(), Mode.NORMAL, "en", Style.STANDARD)
    assert "12.3%" in line.text


def test_a_line_needing_a_missing_number_is_skipped_for_one_that_does_not() -> None:
    for seed in range(20):
        line = choose_line(Situation("crash_started"), LearnerState(), Mode.NORMAL, "zh", Style.STANDARD, seed)
        assert "—" not in line.text and "%" not in line.text


def test_empathetic_lines_differ_from_standard_for_all_456_situations() -> None:
    for event, state, mode, lang in itertools.product(sorted(REQUIRED_EVENTS), STATES, Mode, ("zh", "en")):
        situation = Situation(event, **FULL_NUMBERS)
        standard = choose_line(situation, state, mode, lang, Style.STANDARD, 0)
        empathetic = choose_line(situation, state, mode, lang, Style.EMPATHETIC, 0)
        assert standard.text != empathetic.text, (event, state.kind, mode, lang)


def test_empathetic_lines_for_anxious_learners_acknowledge_and_offer_a_next_step() -> None:
    anxious = LearnerState(LearnerKind.ANXIOUS, 0.95)
    for event, mode in itertools.product(sorted(REQUIRED_EVENTS), Mode):
        line = choose_line(Situation(event, **FULL_NUMBERS), anxious, mode, "en", Style.EMPATHETIC, 0)
        assert {"acknowledge", "next_step"} <= set(line.parts), (event, mode, line.key)


def test_every_empathetic_catalogue_line_is_written_in_parts_and_every_standard_line_in_one_text() -> None:
    for line in default_catalogue().lines:
        assert bool(line.parts) == (line.style == "empathetic"), line.key


def test_crash_for_an_anxious_elder_falls_back_from_specific_to_general() -> None:
    def key(kind: LearnerKind, mode: Mode, event: str = "crash_started") -> str:
        return choose_line(Situation(event, pct=6.0), LearnerState(kind, 0.9), mode, "zh", Style.STANDARD, 0).key

    assert key(LearnerKind.ANXIOUS, Mode.ELDER).startswith("crash_started.anxious.elder.")
    assert key(LearnerKind.ANXIOUS, Mode.NORMAL).startswith("crash_started.anxious.any.")
    assert key(LearnerKind.CALM, Mode.ELDER).startswith("crash_started.any.elder.")
    assert key(LearnerKind.GREEDY, Mode.ELDER).startswith("crash_started.greedy.any.")
    assert key(LearnerKind.GREEDY, Mode.NORMAL, "halt").startswith("halt.any.any.")


@pytest.mark.parametrize("confidence", [0.0, 0.2, CONFIDENCE_FLOOR - 0.01])
def test_an_unsure_anxious_reading_below_the_confidence_floor_is_treated_as_calm(confidence: float) -> None:
    situation = Situation("crash_started", symbol="510300", pct=6.0)
    unsure = choose_line(situation, LearnerState(LearnerKind.ANXIOUS, confidence), Mode.NORMAL, "en", "standard", 3)
    calm = choose_line(situation, LearnerState(LearnerKind.CALM, 1.0), Mode.NORMAL, "en", "standard", 3)
    assert unsure == calm
    sure = choose_line(situation, LearnerState(LearnerKind.ANXIOUS, CONFIDENCE_FLOOR), Mode.NORMAL, "en",
                       "standard", 3)
    assert sure.key.startswith("crash_started.anxious.")


def test_elder_mode_is_always_slower_and_subtitled_for_all_19_events() -> None:
    for event in REQUIRED_EVENTS:
        for style in Style:
            elder = choose_line(Situation(event, **FULL_NUMBERS), LearnerState(), Mode.ELDER, "zh", style, 0)
            assert elder.rate_factor <= ELDER_RATE_FACTOR and elder.subtitled, (event, style)
            normal = choose_line(Situation(event, **FULL_NUMBERS), LearnerState(), Mode.NORMAL, "zh", style, 0)
            assert normal.rate_factor == 1.0 and not normal.subtitled


def test_elder_specific_lines_use_shorter_sentences_than_normal_ones() -> None:
    from vbranch.avatars.lang import sentences

    def mean_sentence_chars(mode: str) -> float:
        lengths = [len(s) for ln in default_catalogue().lines if (ln.mode == "elder") == (mode == "elder")
                   for s in sentences("".join(ln.texts["zh"]))]
        return sum(lengths) / len(lengths)

    assert mean_sentence_chars("elder") < 0.6 * mean_sentence_chars("normal")


def test_same_seed_same_line_and_different_seeds_reach_every_equally_specific_line() -> None:
    situation = Situation("crash_started", symbol="510300", pct=6.0)
    first = choose_line(situation, LearnerState(), Mode.NORMAL, "en", Style.STANDARD, 7)
    assert choose_line(situation, LearnerState(), Mode.NORMAL, "en", Style.STANDARD, 7) == first
    keys = {choose_line(situation, LearnerState(), Mode.NORMAL, "en", Style.STANDARD, s).key for s in range(40)}
    assert keys == {"crash_started.any.any.standard.1", "crash_started.any.any.standard.2"}


def test_every_gesture_in_the_catalogue_is_one_the_body_can_play() -> None:
    gestures = {ln.gesture for ln in default_catalogue().lines} - {None}
    assert gestures and gestures <= set(GESTURE_KEYFRAMES)


def test_cooling_off_offer_for_an_anxious_learner_uses_the_calm_down_gesture() -> None:
    line = choose_line(Situation("cooling_off.offer"), LearnerState(LearnerKind.ANXIOUS, 0.8), Mode.NORMAL, "zh",
                       Style.EMPATHETIC, 0)
    assert line.gesture == "calm_down" and line.key.startswith("cooling_off.offer.anxious.")


def test_unknown_event_kind_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no_such_event"):
        choose_line(Situation("no_such_event"), LearnerState(), Mode.NORMAL, "zh", Style.STANDARD)
