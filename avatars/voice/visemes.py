"""Phonemes and word timings → a viseme timeline the avatar's mouth follows (pure, no TTS engine here).

Two sources feed it. espeak-ng reports every phoneme with its start sample, so its timeline is exact:
each phoneme mnemonic maps to a mouth shape and lasts until the next phoneme starts. edge-tts only
reports word boundaries (offset and duration in 100 ns ticks), so a word's span is shared among its
letter groups, vowels weighted double because vowels carry most of a syllable's length. Chinese words
from edge-tts arrive as Hanzi with no pinyin; each character is one syllable, an onset then a mid-open
nucleus ("E"), since without the reading the vowel is unknown and a neutral mouth is the honest guess.

Shapes are a Preston-Blair-like set small enough to draw: ``rest`` (silence) … ``AA`` (jaw wide open).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from vbranch.avatars.body import Viseme

__all__ = ["SHAPES", "OPENNESS", "TICKS_PER_S", "shape_of_phoneme", "phoneme_timeline", "word_units",
           "boundary_timeline", "timeline_to_json", "timeline_from_json"]

OPENNESS: Mapping[str, float] = {
    "rest": 0.0, "MBP": 0.05, "FV": 0.15, "S": 0.2, "TH": 0.25, "KG": 0.3, "WQ": 0.3, "L": 0.35,
    "U": 0.4, "I": 0.5, "E": 0.7, "O": 0.75, "AA": 1.0,
}
SHAPES: tuple[str, ...] = tuple(OPENNESS)
TICKS_PER_S = 10_000_000  # edge-tts offsets and durations are in 100 ns ticks

# espeak-ng mnemonics (English and cmn-latn-pinyin): the vowel letters that decide a vowel's shape.
_VOWEL_SHAPE: Mapping[str, str] = {
    "a": "AA", "A": "AA", "V": "AA", "&": "AA",
    "e": "E", "E": "E", "3": "E", "@": "E",
    "i": "I", "I": "I",
    "o": "O", "O": "O", "0": "O",
    "u": "U", "U": "U", "y": "U", "Y": "U",
}
_CONSONANT_SHAPE: Mapping[str, str] = {
    "m": "MBP", "b": "MBP", "p": "MBP",
    "f": "FV", "v": "FV",
    "T": "TH", "D": "TH",
    "s": "S", "z": "S", "S": "S", "Z": "S", "C": "S", "c": "S",
    "l": "L", "L": "L",
    "w": "WQ", "W": "WQ", "r": "WQ", "R": "WQ",
}
_AFFRICATES = ("ts", "tS", "dz", "dZ")
_MARKS = re.compile(r"[^A-Za-z0-9@&]")  # stress, length and diacritic marks: ' , " : ; . - # =
_TONE = re.compile(r"(?<=[A-Za-z@&.;])[1-5]{2,3}$")  # Mandarin tone digits ``espeak-ng -x`` appends: 'i35


def shape_of_phoneme(mnemonic: str) -> str:
    """The mouth shape for one espeak-ng phoneme mnemonic (``"aI"``, ``"ts.h"``, ``"_:"`` …).

    Pauses (``_`` …) are ``rest``. A vowel or diphthong takes its most open vowel (``"iA"`` → ``AA``:
    the mouth reaches the wide part). Consonants go by their first letter; velars and the rest ``KG``.
    """
    if not mnemonic or mnemonic.startswith("_"):
        return "rest"
    core = _MARKS.sub("", _TONE.sub("", mnemonic))
    vowels = [_VOWEL_SHAPE[ch] for ch in core if ch in _VOWEL_SHAPE]
    if vowels:
        return max(vowels, key=OPENNESS.__getitem__)
    if core.startswith(_AFFRICATES):
        return "S"
    return _CONSONANT_SHAPE.get(core[:1], "KG") if core else "rest"


def _viseme(start_s: float, end_s: float, shape: str) -> Viseme:
    return Viseme(round(start_s, 4), round(end_s, 4), OPENNESS[shape], shape)


def _merged(visemes: Iterable[Viseme]) -> tuple[Viseme, ...]:
    """Drop empty spans and join neighbours of the same shape, so a timeline has no zero-length flicker."""
    out: list[Viseme] = []
    for v in visemes:
        if v.end_s - v.start_s <= 0:
            continue
        if out and out[-1].shape == v.shape and abs(out[-1].end_s - v.start_s) < 1e-6:
            out[-1] = out[-1]._replace(end_s=v.end_s)
        else:
            out.append(v)
    return tuple(out)


def phoneme_timeline(phonemes: Sequence[tuple[float, str]], end_s: float) -> tuple[Viseme, ...]:
    """Visemes from ``(start_s, mnemonic)`` pairs sorted by time; each lasts until the next starts.

    The last phoneme ends at ``end_s`` (the audio's length). Silence before the first phoneme is ``rest``.
    """
    spans: list[Viseme] = []
    if phonemes and phonemes[0][0] > 0:
        spans.append(_viseme(0.0, phonemes[0][0], "rest"))
    for k, (start_s, mnemonic) in enumerate(phonemes):
        stop_s = phonemes[k + 1][0] if k + 1 < len(phonemes) else end_s
        spans.append(_viseme(start_s, max(start_s, stop_s), shape_of_phoneme(mnemonic)))
    return _merged(spans)


_DIGRAPHS: Mapping[str, str] = {"th": "TH", "sh": "S", "ch": "S", "ph": "FV", "wh": "WQ", "qu": "WQ", "ng": "KG",
                                "oo": "U", "ee": "I", "ea": "I", "ou": "AA", "ow": "O", "oa": "O", "ai": "E"}
_LETTER: Mapping[str, str] = {
    "a": "AA", "e": "E", "i": "I", "y": "I", "o": "O", "u": "U",
    "m": "MBP", "b": "MBP", "p": "MBP", "f": "FV", "v": "FV", "l": "L", "w": "WQ", "q": "WQ", "r": "WQ",
    "s": "S", "z": "S", "c": "S", "x": "S", "j": "S",
}
_VOWEL_SHAPES = frozenset({"AA", "E", "I", "O", "U"})


def _is_hanzi(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def word_units(word: str) -> list[tuple[str, float]]:
    """A word's mouth shapes in order with relative weights (vowels 2, consonants 1).

    Latin letters go by spelling (digraphs first: "th", "sh", "oo" …); each Hanzi or digit is one
    syllable, onset ``KG`` then nucleus ``E``. Punctuation says nothing. Repeats are merged.
    """
    units: list[tuple[str, float]] = []

    def add(shape: str) -> None:
        weight = 2.0 if shape in _VOWEL_SHAPES else 1.0
        if units and units[-1][0] == shape:
            units[-1] = (shape, units[-1][1] + weight)
        else:
            units.append((shape, weight))

    text = word.lower()
    k = 0
    while k < len(text):
        ch = text[k]
        if text[k:k + 2] in _DIGRAPHS:
            add(_DIGRAPHS[text[k:k + 2]])
            k += 2
            continue
        if _is_hanzi(ch) or ch.isdigit():
            add("KG")
            add("E")
        elif "a" <= ch <= "z":
            add(_LETTER.get(ch, "KG"))
        k += 1
    return units


def boundary_timeline(boundaries: Iterable[Mapping], total_s: float | None = None) -> tuple[Viseme, ...]:
    """Visemes from edge-tts stream records ``{"type": "WordBoundary", "offset", "duration", "text"}``.

    ``offset``/``duration`` are 100 ns ticks as edge-tts yields them; other record types are ignored.
    Gaps between words (and up to ``total_s``, the audio's length) are ``rest``.
    """
    words = sorted((b for b in boundaries if b.get("type") == "WordBoundary"), key=lambda b: b["offset"])
    spans: list[Viseme] = []
    cursor_s = 0.0
    for b in words:
        start_s = max(cursor_s, b["offset"] / TICKS_PER_S)
        end_s = max(start_s, (b["offset"] + b["duration"]) / TICKS_PER_S)
        if start_s > cursor_s:
            spans.append(_viseme(cursor_s, start_s, "rest"))
        units = word_units(str(b.get("text", ""))) or [("E", 1.0)]
        total_w = sum(w for _, w in units)
        t_s = start_s
        for shape, weight in units:
            step_s = (end_s - start_s) * weight / total_w
            spans.append(_viseme(t_s, t_s + step_s, shape))
            t_s += step_s
        cursor_s = end_s
    if total_s is not None and total_s > cursor_s:
        spans.append(_viseme(cursor_s, total_s, "rest"))
    return _merged(spans)


def timeline_to_json(visemes: Iterable[Viseme]) -> list[dict]:
    """The viseme file format: a list of ``{start_s, end_s, openness, shape}``."""
    return [{"start_s": v.start_s, "end_s": v.end_s, "openness": v.openness, "shape": v.shape} for v in visemes]


def timeline_from_json(rows: Iterable[Mapping]) -> tuple[Viseme, ...]:
    return tuple(Viseme(float(r["start_s"]), float(r["end_s"]), float(r["openness"]), str(r["shape"]))
                 for r in rows)
