"""The advisor's knowledge base: core investing terms in zh and en, answered offline or declined."""

from vbranch.avatars.knowledge.kb import Entry, KnowledgeBase, default_kb, load_kb
from vbranch.avatars.knowledge.retrieval import THRESHOLD, Answer, AnswerKind, Retriever, answer, is_advice_seeking

__all__ = [
    "Entry", "KnowledgeBase", "default_kb", "load_kb", "THRESHOLD", "Answer", "AnswerKind", "Retriever", "answer",
    "is_advice_seeking",
]
