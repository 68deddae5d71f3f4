"""The advisor's lines as content: ``lines/*.toml`` loaded once and validated on load.

Each ``[[line]]`` says when it applies (event × learner state × mode × style), how it is delivered
(gesture, speaking rate, subtitles) and what it says in zh and en. A standard line has one ``text``;
an empathetic line is written in named parts (``acknowledge`` the feeling, give ``context``, offer a
``next_step``), so the structure the A/B test is about is data a test can check, not a hope.
Mistakes fail at load with a one-line ``ContentError`` naming file, field and reason.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from vbranch.avatars.lang import has_cjk, sentences
from vbranch.scenes.content_error import ContentError

__all__ = [
    "LANGS", "STATES", "MODES", "STYLES", "GESTURES", "PARTS", "PLACEHOLDERS", "Line", "LineCatalogue",
    "load_lines", "default_catalogue", "lines_for", "event_kinds",
]

LANGS = ("zh", "en")
STATES = ("calm", "anxious", "greedy", "any")
MODES = ("normal", "elder", "any")
STYLES = ("standard", "empathetic")
GESTURES = ("greet", "point", "calm_down")
PARTS = ("acknowledge", "context", "next_step")
PLACEHOLDERS = frozenset({"symbol", "pct", "price", "qty"})
_SAMPLE = {"symbol": "IDX", "pct": 7.5, "price": 10.25, "qty": 100}

ELDER_MAX_ZH_CHARS = 22
"""Elder-mode sentences stay short: at most this many characters per zh sentence…"""
ELDER_MAX_EN_WORDS = 14
"""…and this many words per en sentence."""

@dataclass(frozen=True)
class Line:
    """One catalogue line before numbers are filled in. ``fields`` are the placeholders it quotes."""

    key: str
    event: str
    state: str
    mode: str
    style: str
    gesture: str | None
    rate_factor: float
    subtitled: bool
    parts: tuple[str, ...]
    texts: Mapping[str, tuple[str, ...]]
    fields: frozenset[str]

    def render(self, lang: str, values: Mapping[str, object]) -> str:
        """The line in ``lang`` with numbers filled in; a missing number shows as a dash."""
        if lang not in self.texts:
            raise KeyError(f"unknown language {lang!r}: expected one of {LANGS}")
        filled = [part.format_map(_Blanks(values)) for part in self.texts[lang]]
        return ("" if lang == "zh" else " ").join(filled)


class _Blanks(dict):
    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> object:
        return _Dash()


class _Dash:
    def __format__(self, spec: str) -> str:
        return "—"


@dataclass(frozen=True)
class LineCatalogue:
    lines: tuple[Line, ...]

    def lines_for(self, event: str, style: str) -> tuple[Line, ...]:
        return tuple(ln for ln in self.lines if ln.event == event and ln.style == style)

    def event_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({ln.event for ln in self.lines}))


def _placeholders(path: str, field: str, template: str) -> frozenset[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ContentError(path, field, f"bad placeholder: {exc}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ContentError(path, field, f"unknown placeholder {sorted(unknown)}: expected {sorted(PLACEHOLDERS)}")
    try:
        template.format(**_SAMPLE)
    except (ValueError, TypeError) as exc:
        raise ContentError(path, field, f"bad number format: {exc}") from None
    return frozenset(names)


def _choice(path: str, field: str, value: object, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ContentError(path, field, f"{value!r} is not one of {list(allowed)}")
    return str(value)


def _texts(path: str, where: str, raw: dict) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The line's part names and, per language, its part texts (one part named "text" for standard lines)."""
    has_text = "text" in raw
    names = ("text",) if has_text else tuple(p for p in PARTS if p in raw)
    if has_text and any(p in raw for p in PARTS):
        raise ContentError(path, where, f"give either text or parts {list(PARTS)}, not both")
    if not names:
        raise ContentError(path, where, f"needs text or at least one of {list(PARTS)}")
    texts: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for name in names:
        table = raw[name]
        if not isinstance(table, dict) or set(table) != set(LANGS):
            raise ContentError(path, f"{where}.{name}", f"expected a table with exactly {list(LANGS)}")
        for lang in LANGS:
            value = table[lang]
            field = f"{where}.{name}.{lang}"
            if not isinstance(value, str) or not value.strip():
                raise ContentError(path, field, "expected non-empty text")
            if (lang == "zh") != has_cjk(value):
                reason = "zh text has no Chinese characters" if lang == "zh" else "en text contains Chinese characters"
                raise ContentError(path, field, reason)
            texts[lang].append(value.strip())
    parts = () if has_text else names
    return parts, {lang: tuple(v) for lang, v in texts.items()}


def _check_elder(path: str, where: str, texts: Mapping[str, tuple[str, ...]]) -> None:
    for lang, chunks in texts.items():
        for sentence in sentences(("" if lang == "zh" else " ").join(chunks)):
            too_long = (len(sentence) > ELDER_MAX_ZH_CHARS if lang == "zh"
                        else len(sentence.split()) > ELDER_MAX_EN_WORDS)
            if too_long:
                limit = f"{ELDER_MAX_ZH_CHARS} characters" if lang == "zh" else f"{ELDER_MAX_EN_WORDS} words"
                raise ContentError(path, f"{where}.{lang}", f"elder sentence longer than {limit}: {sentence!r}")


def _parse_line(path: str, index: int, raw: object, counters: dict[str, int]) -> Line:
    where = f"line[{index}]"
    if not isinstance(raw, dict):
        raise ContentError(path, where, "expected a table")
    known = {"event", "state", "mode", "style", "gesture", "rate_factor", "subtitled", "text", *PARTS}
    extra = set(raw) - known
    if extra:
        raise ContentError(path, f"{where}.{sorted(extra)[0]}", f"unknown field; expected one of {sorted(known)}")
    event = raw.get("event")
    if not isinstance(event, str) or not re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", event):
        raise ContentError(path, f"{where}.event", f"expected a dotted lower-case id, got {event!r}")
    state = _choice(path, f"{where}.state", raw.get("state", "any"), STATES)
    mode = _choice(path, f"{where}.mode", raw.get("mode", "any"), MODES)
    style = _choice(path, f"{where}.style", raw.get("style"), STYLES)
    gesture = raw.get("gesture")
    if gesture is not None:
        _choice(path, f"{where}.gesture", gesture, GESTURES)
    rate = raw.get("rate_factor", 1.0)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0.5 <= rate <= 1.5:
        raise ContentError(path, f"{where}.rate_factor", f"expected a number in [0.5, 1.5], got {rate!r}")
    subtitled = raw.get("subtitled", False)
    if not isinstance(subtitled, bool):
        raise ContentError(path, f"{where}.subtitled", f"expected true or false, got {subtitled!r}")
    parts, texts = _texts(path, where, raw)
    if style == "empathetic" and not parts:
        raise ContentError(path, where, f"empathetic lines are written in parts {list(PARTS)}, not one text")
    if style == "empathetic" and state == "anxious" and not {"acknowledge", "next_step"} <= set(parts):
        raise ContentError(path, where, "an empathetic line for anxious learners needs acknowledge and next_step")
    if mode == "elder":
        _check_elder(path, where, texts)
    fields: dict[str, frozenset[str]] = {}
    for lang in LANGS:
        fields[lang] = frozenset().union(*(
            _placeholders(path, f"{where}.{lang}", chunk) for chunk in texts[lang]))
    if fields["zh"] != fields["en"]:
        raise ContentError(path, where, f"zh quotes {sorted(fields['zh'])} but en quotes {sorted(fields['en'])}")
    group = f"{event}.{state}.{mode}.{style}"
    counters[group] = counters.get(group, 0) + 1
    return Line(
        key=f"{group}.{counters[group]}", event=event, state=state, mode=mode, style=style, gesture=gesture,
        rate_factor=float(rate), subtitled=subtitled, parts=parts, texts=texts, fields=fields["zh"],
    )


def load_lines(root: Traversable | Path | None = None) -> LineCatalogue:
    """Load and validate every ``*.toml`` in ``root`` (default: the packaged ``lines/`` folder).

    Raises:
        ContentError: a file is not TOML, a line is malformed, or an event lacks a general
            (state any, mode any) line in one of the styles, which the fallback relies on.
    """
    root = root if root is not None else resources.files("vbranch.avatars.dialogue").joinpath("lines")
    files = sorted((f for f in root.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    if not files:
        raise ContentError(str(root), "*.toml", "no line files found")
    lines: list[Line] = []
    counters: dict[str, int] = {}
    general: dict[str, set[str]] = {}
    first_file: dict[str, str] = {}
    for file in files:
        path = f"lines/{file.name}"
        try:
            raw = tomllib.loads(file.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ContentError(path, "(file)", f"not valid TOML: {exc}") from None
        extra = set(raw) - {"line"}
        if extra:
            raise ContentError(path, sorted(extra)[0], "unknown top-level field; expected [[line]] tables")
        entries = raw.get("line")
        if not isinstance(entries, list) or not entries:
            raise ContentError(path, "line", "expected one or more [[line]] tables")
        for index, entry in enumerate(entries):
            line = _parse_line(path, index, entry, counters)
            lines.append(line)
            first_file.setdefault(line.event, path)
            if line.state == "any" and line.mode == "any":
                general.setdefault(line.event, set()).add(line.style)
    for event, path in first_file.items():
        missing = [s for s in STYLES if s not in general.get(event, set())]
        if missing:
            raise ContentError(path, event, f"no general line (state any, mode any) in style {missing[0]}")
    return LineCatalogue(tuple(lines))


@cache
def default_catalogue() -> LineCatalogue:
    return load_lines()


def lines_for(event: str, style: str) -> tuple[Line, ...]:
    return default_catalogue().lines_for(event, str(style))


def event_kinds() -> tuple[str, ...]:
    return default_catalogue().event_kinds()
