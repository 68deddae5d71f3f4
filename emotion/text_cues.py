"""Distress and greed in a learner's words (chat or transcribed speech), zh and en, with negation.

A cue list is transparent and cheap: a teacher can read why the advisor thought a learner was anxious
("割肉", "sell everything"), and a content author can extend ``cues.toml`` without touching code. The
one subtlety is negation: "不慌" and "don't panic" are the opposite of panic, so a negator just before
a cue (inside the same clause) cancels it.

Scores combine independent cues as ``1 − Π(1 − weight)``: one strong cue gives ~0.8, two give more,
none gives 0.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from vbranch.emotion.signals import TextSignal
from vbranch.scenes.content_error import ContentError

__all__ = ["Cue", "CueBook", "load_cues", "default_cues", "detect"]

log = logging.getLogger(__name__)

_CLAUSE_BREAK = re.compile(r"[,.!?;:，。！？；：、\n]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Cue:
    """One cue word or phrase. ``lang`` "zh" matches as a substring, "en" at word boundaries."""

    text: str
    weight: float
    lang: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class CueBook:
    distress: tuple[Cue, ...]
    greed: tuple[Cue, ...]
    negators_zh: tuple[str, ...]
    negators_en: tuple[str, ...]
    zh_window_chars: int
    en_window_words: int


def _compile(text: str, lang: str) -> re.Pattern[str]:
    if lang == "zh" and _CJK.search(text):
        return re.compile(re.escape(text))
    stem = text.rstrip("*")
    tail = r"\w*" if text.endswith("*") else ""
    return re.compile(r"(?<![\w'])" + re.escape(stem.lower()) + tail + r"(?![\w'])")


def _cues(path: Path | str, raw: dict, section: str) -> tuple[Cue, ...]:
    table = raw.get(section)
    if not isinstance(table, dict):
        raise ContentError(path, section, "missing table")
    out = []
    for lang in ("zh", "en"):
        entries = table.get(lang)
        if not isinstance(entries, list) or not entries:
            raise ContentError(path, f"{section}.{lang}", "missing or empty list")
        for i, entry in enumerate(entries):
            where = f"{section}.{lang}[{i}]"
            if not isinstance(entry, dict) or set(entry) != {"cue", "weight"}:
                raise ContentError(path, where, f"expected {{cue, weight}}, got {entry!r}")
            cue, weight = entry["cue"], entry["weight"]
            if not isinstance(cue, str) or not cue.strip():
                raise ContentError(path, f"{where}.cue", "empty")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
                raise ContentError(path, f"{where}.weight", f"must be a number in (0, 1], got {weight!r}")
            out.append(Cue(cue, float(weight), lang, _compile(cue, lang)))
    # Longest first, so "全卖了" claims its span before a shorter cue inside it can.
    return tuple(sorted(out, key=lambda c: -len(c.text)))


def load_cues(path: Path | str | None = None) -> CueBook:
    """Load and validate a cue file (default: ``cues.toml`` beside this module).

    Raises:
        ContentError: naming the file, the field and the reason.
    """
    if path is None:
        source = resources.files("vbranch.emotion").joinpath("cues.toml")
        path, body = "cues.toml", source.read_text("utf-8")
    else:
        try:
            body = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ContentError(path, "file", f"cannot read: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(path, "file", f"not valid TOML: {exc}") from None
    neg = raw.get("negation")
    if not isinstance(neg, dict):
        raise ContentError(path, "negation", "missing table")
    for lang in ("zh", "en"):
        if not isinstance(neg.get(lang), list) or not all(isinstance(w, str) and w for w in neg[lang]):
            raise ContentError(path, f"negation.{lang}", "expected a list of words")
    windows = {}
    for key in ("zh_window_chars", "en_window_words"):
        value = neg.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            raise ContentError(path, f"negation.{key}", f"must be an integer 1..10, got {value!r}")
        windows[key] = value
    return CueBook(
        distress=_cues(path, raw, "distress"),
        greed=_cues(path, raw, "greed"),
        negators_zh=tuple(sorted(neg["zh"], key=len, reverse=True)),
        negators_en=tuple(w.lower() for w in neg["en"]),
        **windows,
    )


@cache
def default_cues() -> CueBook:
    return load_cues()


def _negated(clause: str, start: int, cue: Cue, book: CueBook) -> bool:
    before = clause[:start]
    if cue.lang == "zh":
        window = before[-book.zh_window_chars:]
        return any(neg in window for neg in book.negators_zh)
    words = re.findall(r"[\w']+", before.lower())[-book.en_window_words:]
    tail = " ".join(words)
    return any(re.search(r"(?<![\w'])" + re.escape(neg) + r"(?![\w'])", tail) for neg in book.negators_en)


def _score(clauses: list[str], cues: tuple[Cue, ...], book: CueBook) -> tuple[float, list[str]]:
    keep = 1.0
    found: list[str] = []
    for clause in clauses:
        taken = [False] * len(clause)
        for cue in cues:
            for match in cue.pattern.finditer(clause):
                s, e = match.span()
                if any(taken[s:e]):
                    continue
                taken[s:e] = [True] * (e - s)
                if _negated(clause, s, cue, book):
                    found.append(f"not:{cue.text}")
                    continue
                keep *= 1 - cue.weight
                found.append(cue.text)
    return 1 - keep, found


def detect(text: str, book: CueBook | None = None) -> TextSignal:
    """Read distress and greed from one message.

    Args:
        text: What the learner typed or said (any mix of zh and en).
        book: Cue lists; the packaged ``cues.toml`` by default.

    Returns:
        ``TextSignal`` whose ``cues`` lists matched cues; cancelled ones appear as ``not:<cue>``.
    """
    book = book or default_cues()
    clauses = [c for c in _CLAUSE_BREAK.split(text.lower()) if c.strip()]
    distress_p, d_cues = _score(clauses, book.distress, book)
    greed_p, g_cues = _score(clauses, book.greed, book)
    signal = TextSignal(round(distress_p, 4), round(greed_p, 4), tuple(d_cues + g_cues))
    log.debug("text cues: distress_p=%.2f greed_p=%.2f cues=%s", signal.distress_p, signal.greed_p, signal.cues)
    return signal
