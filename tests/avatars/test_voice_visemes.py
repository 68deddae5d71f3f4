"""Phonemes, letters and edge-tts word boundaries → viseme timelines (pure functions)."""

import pytest

from vbranch.avatars.body import Viseme, mouth_open
from vbranch.avatars.voice.visemes import (
    OPENNESS,
    TICKS_PER_S,
    boundary_timeline,
    phoneme_timeline,
    shape_of_phoneme,
    timeline_from_json,
    timeline_to_json,
    word_units,
)


def word(offset_s: float, duration_s: float, text: str) -> dict:
    """A record exactly as ``edge_tts.Communicate.stream()`` yields it with boundary="WordBoundary"."""
    return {"type": "WordBoundary", "offset": offset_s * TICKS_PER_S, "duration": duration_s * TICKS_PER_S,
            "text": text}


def test_espeak_mnemonics_map_to_mouth_shapes():
    cases = {"_:": "rest", "_|": "rest", "_": "rest", "p": "MBP", "m": "MBP", "f": "FV", "T": "TH", "D": "TH",
             "tS": "S", "dZ": "S", "s.": "S", "ts.h": "S", "l": "L", "w": "WQ", "k": "KG", "N": "KG",
             "aI": "AA", "'A": "AA", "iA": "AA", "oU": "O", "3:": "E", "@": "E", "i:": "I", "u:": "U",
             "'i35": "I", "'Au214": "AA", "@22": "E"}  # the last three: ``espeak-ng -x`` Mandarin tone digits
    assert {m: shape_of_phoneme(m) for m in cases} == cases


def test_phonemes_last_until_the_next_one_and_same_shapes_merge():
    tl = phoneme_timeline([(0.1, "h"), (0.15, "@"), (0.2, "l"), (0.3, "oU"), (0.5, "_:")], end_s=0.7)
    assert [(v.start_s, v.end_s, v.shape) for v in tl] == [
        (0.0, 0.1, "rest"), (0.1, 0.15, "KG"), (0.15, 0.2, "E"), (0.2, 0.3, "L"), (0.3, 0.5, "O"),
        (0.5, 0.7, "rest")]
    assert phoneme_timeline([(0.0, "a"), (0.1, "A:"), (0.2, "_")], 0.3)[0] == Viseme(0.0, 0.2, 1.0, "AA")


def test_english_words_split_by_spelling_with_vowels_weighted_double():
    assert word_units("Hello") == [("KG", 1.0), ("E", 2.0), ("L", 2.0), ("O", 2.0)]
    assert word_units("think") == [("TH", 1.0), ("I", 2.0), ("KG", 2.0)]  # th, i, n+k merged
    assert word_units("你好") == [("KG", 1.0), ("E", 2.0), ("KG", 1.0), ("E", 2.0)]  # one syllable a Hanzi
    assert word_units("—!") == []


def test_edge_word_boundaries_become_a_timeline_with_rests_between_words():
    records = [
        {"type": "SentenceBoundary", "offset": 0, "duration": 30_000_000, "text": "Hello world."},
        word(0.1, 0.4, "Hello"),
        word(0.7, 0.5, "world"),
    ]
    tl = boundary_timeline(records, total_s=1.5)
    assert tl[0] == Viseme(0.0, 0.1, 0.0, "rest")
    hello = [v for v in tl if 0.1 <= v.start_s < 0.5]
    assert [v.shape for v in hello] == ["KG", "E", "L", "O"]
    assert hello[0].end_s == pytest.approx(0.1 + 0.4 * 1 / 7, abs=1e-4)  # h is 1 of 7 weight units
    assert hello[-1].end_s == pytest.approx(0.5)
    gap = next(v for v in tl if v.start_s == pytest.approx(0.5))
    assert (gap.shape, gap.end_s, gap.openness) == ("rest", pytest.approx(0.7), 0.0)
    assert [v.shape for v in tl if 0.7 <= v.start_s < 1.2] == ["WQ", "O", "WQ", "L", "KG"]
    assert tl[-1] == Viseme(1.2, 1.5, 0.0, "rest")
    assert all(a.end_s == b.start_s for a, b in zip(tl, tl[1:], strict=False))
    assert all(v.openness == OPENNESS[v.shape] for v in tl)


def test_overlapping_or_unsorted_boundaries_still_give_a_monotonic_timeline():
    tl = boundary_timeline([word(0.5, 0.3, "市场"), word(0.0, 0.6, "你好")])
    starts = [v.start_s for v in tl]
    assert starts == sorted(starts) and all(v.end_s > v.start_s for v in tl)
    assert tl[-1].end_s == pytest.approx(0.8)


def test_timeline_json_round_trips():
    tl = boundary_timeline([word(0.0, 0.3, "buy")], total_s=0.4)
    rows = timeline_to_json(tl)
    assert set(rows[0]) == {"start_s", "end_s", "openness", "shape"}
    assert timeline_from_json(rows) == tl


def test_touching_visemes_glide_instead_of_closing_between_phonemes():
    tl = (Viseme(0.0, 0.2, 1.0, "AA"), Viseme(0.2, 0.4, 0.5, "I"), Viseme(0.5, 0.7, 0.7, "E"))
    assert mouth_open(tl, 0.199) == pytest.approx(1.0)  # no closing before a touching neighbour
    assert mouth_open(tl, 0.2) == pytest.approx(1.0)  # ... and the next one starts from its level
    assert mouth_open(tl, 0.22) == pytest.approx(0.75)  # half way through the 40 ms blend
    assert mouth_open(tl, 0.3) == pytest.approx(0.5)
    assert mouth_open(tl, 0.39) == pytest.approx(0.5 * 0.25)  # a gap follows: it closes
    assert mouth_open(tl, 0.45) == 0.0
    levels = [mouth_open(tl, t / 1000) for t in range(0, 400)]
    assert max(abs(a - b) for a, b in zip(levels, levels[1:], strict=False)) < 0.05  # continuous at 1 ms
