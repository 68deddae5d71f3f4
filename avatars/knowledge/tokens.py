"""Offline tokenisation for zh and en questions: no dictionary, no model, no download.

Chinese has no spaces, and a word segmenter would be a dependency with a dictionary; overlapping
character bigrams catch two-character terms (止损, 仓位) and, chained, longer ones (移动止损 → 移动 动止
止损) well enough for a few dozen entries. English gets lower-cased word tokens with a tiny suffix
stemmer so "losses", "trailing" and "compounded" meet "loss", "trail" and "compound". Question words
(什么是, how does…) are dropped first so they cannot make an off-topic question look on-topic.
"""

from __future__ import annotations

import re

__all__ = ["tokenize", "stem", "EN_STOPWORDS", "ZH_STOP_PHRASES"]

_EN_STOPWORDS_TEXT = """
a an the is are was were be been being am do does did doing done what whats what's which who whom whose
how why when where of in on at to for from by with about as into over under and or but if then than so
i me my mine we our you your it its it's this that these those there here they them their he she his her
can could would will shall may might must should please tell explain define definition mean means meaning
exactly really actually just also some any kind sort thing things term word concept called call work
works working use used using s t vs versus like get got does doesn't dont don't isn't not no yes ok hey hi
hello thanks thank know want wanted need let lets let's say said again more most much many
difference differences between
"""
EN_STOPWORDS = frozenset(_EN_STOPWORDS_TEXT.split())

ZH_STOP_PHRASES = (
    "什么是", "是什么", "什么叫", "叫什么", "什么意思", "啥意思", "是啥", "意思", "什么", "怎么样", "怎么", "怎样",
    "怎么回事", "如何", "为什么", "为啥", "请问", "解释一下", "解释", "讲一下", "讲讲", "说说", "一下", "介绍",
    "告诉我", "我想知道", "想知道", "知道", "到底", "有没有", "有啥", "有什么", "哪些", "这个", "那个", "我们",
    "你们", "可以", "能否", "应该", "应当", "多少", "合适", "哪个", "区别", "理解", "的", "吗", "呢", "啊", "吧",
    "了", "呀", "嘛", "么", "是", "我", "你", "他", "她", "它", "和", "与", "及", "在", "个", "给", "用", "就",
    "都", "也", "又", "还", "会", "要", "能",
)

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:[+&/][a-z0-9]+)*")
_STOP_PHRASE = re.compile("|".join(sorted(map(re.escape, ZH_STOP_PHRASES), key=len, reverse=True)))


def stem(word: str) -> str:
    """A deliberately tiny English stemmer: plural, -ing and -ed, keeping at least three letters."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
                word = word[:-1]  # stopped -> stop, but keep "sell"/"pass"
            break
    return word


def _cjk_tokens(run: str) -> list[str]:
    out: list[str] = []
    for piece in _STOP_PHRASE.split(run):
        if len(piece) == 1:
            out.append(piece)
        else:
            out.extend(piece[i : i + 2] for i in range(len(piece) - 1))
    return out


def tokenize(text: str) -> list[str]:
    """Tokens of a zh, en or mixed text: CJK bigrams plus stemmed English words, stop words removed."""
    lowered = text.lower()
    tokens: list[str] = []
    for run in _CJK_RUN.findall(lowered):
        tokens.extend(_cjk_tokens(run))
    latin = _CJK_RUN.sub(" ", lowered).replace("’", "'")
    for word in _WORD.findall(latin):
        if word not in EN_STOPWORDS:
            tokens.append(stem(word))
    return tokens
