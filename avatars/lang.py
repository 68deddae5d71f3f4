"""Which language a text is in, and where its sentences end: shared by the dialogue lines and the knowledge base.

Both packages validate zh/en content and must agree on what "contains Chinese" and "a sentence"
mean, so the rule lives here once. CJK detection is by Unicode block, which is all we need for zh vs en.
"""

from __future__ import annotations

import re

__all__ = ["has_cjk", "detect_lang", "sentences"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def detect_lang(text: str) -> str:
    """``zh`` if the text has any Chinese character, else ``en``."""
    return "zh" if has_cjk(text) else "en"


def sentences(text: str) -> list[str]:
    """Sentences split after 。！？ and after . ! ? followed by a space (so 0.05% stays whole)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
