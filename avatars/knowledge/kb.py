"""The knowledge base as content: ``kb.toml`` loaded once and validated on load.

Entries are written by people who teach, not code, so a missing translation, an answer that rambles
past three sentences, or a broken advice-detection pattern fails at load with a one-line
``ContentError`` (file, field, reason) instead of surfacing as a wrong answer in class.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from vbranch.avatars.lang import has_cjk, sentences
from vbranch.scenes.content_error import ContentError

__all__ = ["LANGS", "MAX_ANSWER_SENTENCES", "Entry", "KnowledgeBase", "load_kb", "default_kb"]

LANGS = ("zh", "en")
MAX_ANSWER_SENTENCES = 3


@dataclass(frozen=True)
class Entry:
    """One term: its names (term + aliases, both languages) find it; ``answer`` explains it."""

    id: str
    term: Mapping[str, str]
    aliases: Mapping[str, tuple[str, ...]]
    answer: Mapping[str, str]

    def names(self) -> tuple[str, ...]:
        return tuple(self.term.values()) + tuple(a for lang in LANGS for a in self.aliases[lang])


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    replies: Mapping[str, Mapping[str, str]]  # "dont_know" / "boundary" -> lang -> text
    advice_patterns: tuple[re.Pattern[str], ...]
    advice_names: tuple[str, ...]

    def entry(self, entry_id: str) -> Entry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)


def _bilingual(path: str, field: str, value: object, *, check_cjk: bool = True) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise ContentError(path, field, f"expected a table with exactly {list(LANGS)}")
    for lang in LANGS:
        text = value[lang]
        if not isinstance(text, str) or not text.strip():
            raise ContentError(path, f"{field}.{lang}", "expected non-empty text")
        if check_cjk and lang == "zh" and not has_cjk(text):
            raise ContentError(path, f"{field}.zh", "zh text has no Chinese characters")
        if lang == "en" and has_cjk(text):
            raise ContentError(path, f"{field}.en", "en text contains Chinese characters")
    return {lang: value[lang].strip() for lang in LANGS}


def _string_list(path: str, field: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(path, field, "expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _entry(path: str, index: int, raw: object, seen: set[str]) -> Entry:
    where = f"entry[{index}]"
    if not isinstance(raw, dict):
        raise ContentError(path, where, "expected a table")
    extra = set(raw) - {"id", "term", "aliases", "answer"}
    if extra:
        raise ContentError(path, f"{where}.{sorted(extra)[0]}", "unknown field; expected id, term, aliases, answer")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not re.fullmatch(r"[a-z0-9_]+", entry_id):
        raise ContentError(path, f"{where}.id", f"expected a snake_case id, got {entry_id!r}")
    if entry_id in seen:
        raise ContentError(path, f"{where}.id", f"duplicate id {entry_id!r}")
    seen.add(entry_id)
    where = f"entry[{index}] ({entry_id})"
    term = _bilingual(path, f"{where}.term", raw.get("term"), check_cjk=False)
    answer = _bilingual(path, f"{where}.answer", raw.get("answer"))
    for lang in LANGS:
        count = len(sentences(answer[lang]))
        if count > MAX_ANSWER_SENTENCES:
            raise ContentError(path, f"{where}.answer.{lang}",
                               f"{count} sentences; keep answers to {MAX_ANSWER_SENTENCES} or fewer")
    aliases_raw = raw.get("aliases", {lang: [] for lang in LANGS})
    if not isinstance(aliases_raw, dict) or set(aliases_raw) != set(LANGS):
        raise ContentError(path, f"{where}.aliases", f"expected a table with exactly {list(LANGS)}")
    aliases = {lang: _string_list(path, f"{where}.aliases.{lang}", aliases_raw[lang]) for lang in LANGS}
    return Entry(entry_id, term, aliases, answer)


def _patterns(path: str, field: str, value: object) -> list[re.Pattern[str]]:
    out = []
    for i, source in enumerate(_string_list(path, field, value)):
        try:
            out.append(re.compile(source, re.IGNORECASE))
        except re.error as exc:
            raise ContentError(path, f"{field}[{i}]", f"bad regular expression: {exc}") from None
    return out


def load_kb(path: Path | None = None) -> KnowledgeBase:
    """Load and validate ``path`` (default: the packaged ``kb.toml``).

    Raises:
        ContentError: the file is not TOML or any entry, reply or advice cue is malformed.
    """
    if path is None:
        source = resources.files("vbranch.avatars.knowledge").joinpath("kb.toml")
        name, text = "kb.toml", source.read_text("utf-8")
    else:
        name, text = path.name, path.read_text("utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(name, "(file)", f"not valid TOML: {exc}") from None
    extra = set(raw) - {"replies", "advice", "entry"}
    if extra:
        raise ContentError(name, sorted(extra)[0], "unknown top-level field; expected replies, advice, [[entry]]")
    replies_raw = raw.get("replies")
    if not isinstance(replies_raw, dict):
        raise ContentError(name, "replies", "missing [replies.dont_know] and [replies.boundary]")
    replies = {}
    for key in ("dont_know", "boundary"):
        replies[key] = _bilingual(name, f"replies.{key}", replies_raw.get(key))
    advice = raw.get("advice")
    if not isinstance(advice, dict):
        raise ContentError(name, "advice", "missing [advice] with patterns_en, patterns_zh, names")
    patterns = _patterns(name, "advice.patterns_en", advice.get("patterns_en"))
    patterns += _patterns(name, "advice.patterns_zh", advice.get("patterns_zh"))
    names = tuple(n.lower() for n in _string_list(name, "advice.names", advice.get("names")))
    entries_raw = raw.get("entry")
    if not isinstance(entries_raw, list) or not entries_raw:
        raise ContentError(name, "entry", "expected one or more [[entry]] tables")
    seen: set[str] = set()
    entries = tuple(_entry(name, i, e, seen) for i, e in enumerate(entries_raw))
    return KnowledgeBase(entries, replies, tuple(patterns), names)


@cache
def default_kb() -> KnowledgeBase:
    return load_kb()
