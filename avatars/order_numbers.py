"""Spoken numbers to digits, so the order parser's patterns only ever see ``100``, ``4.5`` and ``30%``.

Learners say "三千五", "两手", "百分之三十", "三成", "8个点", "half", "five thousand" or "5k". Turning
all of these into one written form first keeps every later rule a short regular expression over
digits, instead of each rule knowing every way a number can be said.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["cn_number", "format_number", "normalise_numbers"]

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL_UNITS) + "".join(_CN_BIG_UNITS)
_CN_RUN = re.compile(rf"[0-9.{_CN_CHARS}]*[{_CN_CHARS}][0-9.{_CN_CHARS}]*")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")

_EN_UNITS = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_EN_TENS = {w: 10 * i for i, w in enumerate(
    ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_EN_WORDS = "|".join([*_EN_UNITS, *_EN_TENS, *_EN_SCALES, "a", "and"])
_EN_RUN = re.compile(rf"\b(?:(?:{_EN_WORDS})\b[\s-]*)+")

# Fractions that stand for a percentage of something (a position, a profit).
_EN_FRACTIONS = (
    (re.compile(r"\b(?:one\s+|a\s+)?half\b"), "50%"),
    (re.compile(r"\b(?:one\s+|a\s+)?quarter\b"), "25%"),
    (re.compile(r"\b(?:one\s+|a\s+)?third\b"), f"{100 / 3:.4f}%"),
    (re.compile(r"\b(?:all|everything|entire|whole)\b"), "100%"),
)
_CN_FRACTIONS = ((re.compile("一半|半仓|半"), "50%"), (re.compile("全部|所有"), "100%"))


def format_number(value: float) -> str:
    """``100.0`` → ``"100"``, ``33.333333`` → ``"33.3333"``: digits a regex and a learner can read."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def cn_number(run: str) -> float | None:
    """The value of a Chinese (or mixed, "1.5万") numeral; None if ``run`` isn't one.

    Colloquial tails count as the next unit down: 三千五 is 3500 and 一万五 is 15000, but 一百零五 is
    105 (the 零 says the tail is ones).
    """
    run = run.strip(".")
    if not run:
        return None
    total = 0.0
    section = 0.0
    pending: float | None = None
    last_unit = 0
    i = 0
    while i < len(run):
        m = _ARABIC.match(run, i)
        if m:
            pending = float(m.group())
            i = m.end()
            continue
        ch = run[i]
        i += 1
        if ch in _CN_DIGITS:
            if _CN_DIGITS[ch] == 0:
                last_unit = 0
            pending = float(_CN_DIGITS[ch])
        elif ch in _CN_SMALL_UNITS:
            section += (1.0 if pending is None else pending) * _CN_SMALL_UNITS[ch]
            pending = None
            last_unit = _CN_SMALL_UNITS[ch]
        elif ch in _CN_BIG_UNITS:
            section += pending or 0.0
            if section == 0:
                section = 1.0
            if ch == "亿":
                total = (total + section) * _CN_BIG_UNITS[ch]
            else:
                total += section * _CN_BIG_UNITS[ch]
            section, pending = 0.0, None
            last_unit = _CN_BIG_UNITS[ch]
        else:
            return None
    if pending is not None:
        section += pending * last_unit / 10 if last_unit >= 10 else pending
    return total + section


def _cn_repl(m: re.Match) -> str:
    value = cn_number(m.group())
    return m.group() if value is None else format_number(value)


def _en_repl(m: re.Match) -> str:
    words = m.group().replace("-", " ").split()
    head: list[str] = []
    tail: list[str] = []
    while words and words[-1] in ("a", "and"):
        tail.insert(0, words.pop())
    while words and (words[0] == "and" or (words[0] == "a" and (len(words) < 2 or words[1] not in _EN_SCALES))):
        head.append(words.pop(0))
    if not words:
        return m.group()
    total = current = 0
    for word in words:
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "a":
            current += 1
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _EN_SCALES:
            total += max(current, 1) * _EN_SCALES[word]
            current = 0
    return " ".join([*head, str(total + current), *tail]) + " "


def normalise_numbers(text: str) -> str:
    """Lower-cased, width-folded text with every spoken number written as digits and percents as ``N%``.

    Only numbers change; words stay where they were, so later patterns can still read the context
    ("止损", "of my profit") around each number.
    """
    s = unicodedata.normalize("NFKC", text).lower()
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)  # 5,000 → 5000
    s = s.replace("一下", " ")  # "帮我买一下" is not the number one
    s = re.sub(rf"百分之([0-9.{_CN_CHARS}]+)", lambda m: _pct(m.group(1)) + "%", s)
    s = re.sub(rf"([0-9{_CN_CHARS}]+)分之([0-9{_CN_CHARS}]+)", _fraction, s)
    for pattern, repl in _CN_FRACTIONS:
        s = pattern.sub(repl, s)
    s = _CN_RUN.sub(_cn_repl, s)
    s = re.sub(r"(\d+(?:\.\d+)?)\s*成(?![交本])", lambda m: format_number(float(m.group(1)) * 10) + "%", s)
    s = re.sub(r"(\d+(?:\.\d+)?)\s*个?(?:百分)?点(?!\d)", r"\1%", s)
    s = re.sub(r"(\d+(?:\.\d+)?)\s*(?:percent|per\s+cent|pct)\b", r"\1%", s)
    for pattern, repl in _EN_FRACTIONS:
        s = pattern.sub(repl, s)
    s = _EN_RUN.sub(_en_repl, s)
    s = re.sub(r"(\d+(?:\.\d+)?)\s*k\b", lambda m: format_number(float(m.group(1)) * 1000), s)
    return s


def _pct(run: str) -> str:
    value = cn_number(run)
    return run if value is None else format_number(value)


def _fraction(m: re.Match) -> str:
    denominator, numerator = cn_number(m.group(1)), cn_number(m.group(2))
    if not denominator or numerator is None:
        return m.group()
    return format_number(numerator / denominator * 100) + "%"
