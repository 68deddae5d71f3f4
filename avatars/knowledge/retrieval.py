"""Answer a learner's question from the knowledge base, or say "I don't know", or decline advice.

Three steps, in order:
1. Advice-seeking about real securities ("which stock should I buy", "推荐股票", a real ticker) gets
   the fixed boundary reply: the advisor teaches inside the simulation and never advises on real
   securities, however the question is phrased.
2. BM25 ranks entries, mostly on their names (term + aliases, both languages) and a little on the
   answer text, so one index serves zh, en and mixed questions ("ETF是什么"); a question containing
   a whole name gets a bonus, so "什么是止损" finds 止损 rather than 移动止损.
3. The top entry answers only if it *explains the question*: ``score`` is the share of the question's
   information (idf-weighted tokens) the entry covers, full weight for its names, half for its answer
   text, and nothing unless the question names the entry at least in part. Words the knowledge base
   has never seen ("weather", "France") count against it. Below
   ``THRESHOLD`` the advisor says it doesn't know rather than invent. The threshold was calibrated on
   the paraphrase and off-topic lists in tests/avatars/test_knowledge.py.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from vbranch.avatars.knowledge.kb import KnowledgeBase, default_kb
from vbranch.avatars.knowledge.tokens import tokenize
from vbranch.avatars.lang import detect_lang

__all__ = ["THRESHOLD", "AnswerKind", "Answer", "Retriever", "is_advice_seeking", "answer"]

THRESHOLD = 0.4
"""Least coverage for a confident answer (0..1). On the test lists, off-topic questions (including near
misses such as "what's the best bond movie") score at most 0.31 and paraphrases at least 0.50; 0.4 sits
between them."""

_K1, _B = 1.2, 0.75
_BODY_WEIGHT = 0.3  # answer text counts less than names in ranking …
_BODY_COVERAGE = 0.5  # … and in coverage
_JUNCTION_WEIGHT = 0.3  # an unseen zh bigram of two known characters is likely two words' seam (基金|风险 → 金风)
_WHOLE_NAME_BONUS = 3.0  # a question that contains a whole name (止损) beats one that contains part of it (移动止损)


class AnswerKind(StrEnum):
    ANSWER = "answer"
    DONT_KNOW = "dont_know"
    BOUNDARY = "boundary"


@dataclass(frozen=True)
class Answer:
    """``entry_id`` None for "don't know" and the advice boundary; ``score`` is coverage in [0, 1]."""

    entry_id: str | None
    text: str
    score: float
    kind: AnswerKind = AnswerKind.ANSWER
    lang: str = "en"


class _BM25:
    """Okapi BM25 over a fixed list of token lists."""

    def __init__(self, docs: list[list[str]]) -> None:
        self.tf = [Counter(d) for d in docs]
        self.len = [len(d) for d in docs]
        self.avg_len = sum(self.len) / max(1, len(docs))
        df = Counter(t for d in docs for t in set(d))
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: list[str]) -> list[float]:
        out = []
        for tf, length in zip(self.tf, self.len, strict=True):
            s = 0.0
            for t in query:
                f = tf.get(t, 0)
                if f:
                    norm = f + _K1 * (1 - _B + _B * length / self.avg_len)
                    s += self.idf[t] * f * (_K1 + 1) / norm
            out.append(s)
        return out


class Retriever:
    """A BM25 index over one knowledge base; build once, ask many times."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        name_docs = [tokenize(" ".join(e.names())) for e in kb.entries]
        body_docs = [tokenize(" ".join(e.answer.values())) for e in kb.entries]
        self._names = _BM25(name_docs)
        self._body = _BM25(body_docs)
        self._name_sets = [set(d) for d in name_docs]
        self._each_name = [[set(t) for n in e.names() if (t := tokenize(n))] for e in kb.entries]
        self._body_sets = [set(d) for d in body_docs]
        all_docs = _BM25([n + b for n, b in zip(name_docs, body_docs, strict=True)])
        self._idf = all_docs.idf
        self._unseen_idf = math.log(1 + (len(kb.entries) + 0.5) / 0.5)
        self._known_chars = {c for t in self._idf if not t.isascii() for c in t}

    def rank(self, question: str) -> list[tuple[str, float]]:
        """(entry id, coverage) best first, ranked by BM25; empty if the question has no content words."""
        query = tokenize(question)
        if not query:
            return []
        names, body = self._names.scores(query), self._body.scores(query)
        asked = set(query)
        whole = [max((len(n & asked) / len(n) for n in each), default=0.0) for each in self._each_name]
        rank = [n + _BODY_WEIGHT * b + _WHOLE_NAME_BONUS * w for n, b, w in zip(names, body, whole, strict=True)]
        order = sorted(range(len(rank)), key=lambda i: rank[i], reverse=True)
        return [(self.kb.entries[i].id, self._coverage(query, i)) for i in order]

    def _coverage(self, query: list[str], index: int) -> float:
        if not self._name_sets[index] & set(query):
            return 0.0  # the answer text alone ("time", "money") is not evidence the entry was asked about
        total = covered = 0.0
        for t in set(query):
            weight = self._idf.get(t) or self._unseen_weight(t)
            total += weight
            if t in self._name_sets[index]:
                covered += weight
            elif t in self._body_sets[index]:
                covered += _BODY_COVERAGE * weight
        return covered / total if total else 0.0

    def _unseen_weight(self, token: str) -> float:
        seam = len(token) == 2 and not token.isascii() and set(token) <= self._known_chars
        return self._unseen_idf * (_JUNCTION_WEIGHT if seam else 1.0)

    def answer(self, question: str, lang: str | None = None, threshold: float = THRESHOLD) -> Answer:
        """The reply to ``question`` in ``lang`` (default: the question's own language)."""
        lang = lang or detect_lang(question)
        if is_advice_seeking(question, self.kb):
            return Answer(None, self.kb.replies["boundary"][lang], 0.0, AnswerKind.BOUNDARY, lang)
        ranked = self.rank(question)
        if ranked:
            best_id, coverage = ranked[0]
            if coverage >= threshold:
                text = self.kb.entry(best_id).answer[lang]
                return Answer(best_id, text, round(coverage, 3), AnswerKind.ANSWER, lang)
        score = round(ranked[0][1], 3) if ranked else 0.0
        return Answer(None, self.kb.replies["dont_know"][lang], score, AnswerKind.DONT_KNOW, lang)


def is_advice_seeking(question: str, kb: KnowledgeBase | None = None) -> bool:
    """True if the question asks what (real) security to buy or sell, or names a real company/ticker."""
    kb = kb or default_kb()
    lowered = question.lower()
    if any(p.search(lowered) for p in kb.advice_patterns):
        return True
    for name in kb.advice_names:
        if name.isascii():
            if re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", lowered):
                return True
        elif name in lowered:
            return True
    return False


@cache
def _default_retriever() -> Retriever:
    return Retriever(default_kb())


def answer(question: str, lang: str | None = None) -> Answer:
    """Answer from the packaged knowledge base (see the module docstring for the rules)."""
    return _default_retriever().answer(question, lang)
