"""One learning or trading event as an xAPI-style statement, and readers for the JSON-lines logs we already write.

Three parts of vbranch log decisions in three shapes (the advisor A/B log in full xAPI, the cooling-off
log as ``{actor, verb, object, result, t_s}``, suitability acknowledgements as a compact xAPI-like row).
Analytics needs one shape: who (``learner_id``), did what (``verb``), to what (``object_id``), when
(``ts_s``, Unix seconds UTC), with what outcome (``result``) and in which setting (``context``, plus a
``contest`` for class reports). ``from_record`` maps each log shape onto it so metrics never care where a
statement came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = [
    "Statement", "from_record", "UnknownRecord",
    "VERB_STARTED", "VERB_COMPLETED", "VERB_ANSWERED", "VERB_TRADED", "VERB_CLOSED_DAY",
    "VERB_SHOWN", "VERB_ACTED", "VERB_ACKNOWLEDGED", "COOLING_OFF_PREFIX",
]

VERB_STARTED = "started"  # a lesson or trading session began; object lesson/<id> or session/<id>
VERB_COMPLETED = "completed"  # a lesson's task was graded: result {success, score}
VERB_ANSWERED = "answered"  # a lesson's quiz was graded: result {correct, total, passed}
# …or one question of it (object lesson/<id>/quiz/<n>): result {response, success, duration_s}
VERB_TRADED = "traded"  # one fill: result {side, symbol, qty, price, panic, protected, day}
VERB_CLOSED_DAY = "closed_day"  # end of a trading day: result {day, equity, weights}
VERB_SHOWN = "shown"  # advisor line shown (avatars/dialogue/ab.py)
VERB_ACTED = "acted"  # the learner's next action after a line (avatars/dialogue/ab.py)
VERB_ACKNOWLEDGED = "acknowledged"  # suitability warning acknowledged (scenes/suitability.py)
COOLING_OFF_PREFIX = "cooling_off."  # emotion/event_log.py verbs become cooling_off.<verb>
_XAPI_BASE = "https://vbranch.example/xapi/"


class UnknownRecord(ValueError):
    """A JSON line in none of the known log shapes."""


@dataclass(frozen=True)
class Statement:
    """``ts_s`` is Unix time in seconds (UTC); ``result``/``context`` are JSON-able dicts."""

    learner_id: str
    verb: str
    object_id: str
    ts_s: float
    result: Mapping = field(default_factory=dict, hash=False)
    context: Mapping = field(default_factory=dict, hash=False)
    contest: str | None = None

    @property
    def session(self) -> str | None:
        return self.context.get("session")

    def to_dict(self) -> dict:
        return {"learner_id": self.learner_id, "verb": self.verb, "object_id": self.object_id, "ts_s": self.ts_s,
                "result": dict(self.result), "context": dict(self.context), "contest": self.contest}

    def key(self) -> str:
        """Canonical JSON: equal statements give equal keys, so importing a log twice adds nothing."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _iso_to_s(value: str) -> float:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.timestamp()


def _strip(value: str) -> str:
    return value[len(_XAPI_BASE):] if value.startswith(_XAPI_BASE) else value


def from_record(record: Mapping, *, fallback_ts_s: float, contest: str | None = None) -> Statement:
    """Map one JSON-lines record of a known log onto a ``Statement``.

    Args:
        record: a parsed line of the A/B log, the cooling-off log, the suitability log or our own export.
        fallback_ts_s: Unix time for records without a wall-clock timestamp. The cooling-off log only has
            ``t_s`` on the shell's clock; values that look like Unix time (> 1e9) are used as-is, others are
            kept as ``context.t_s`` and the statement gets ``fallback_ts_s + t_s`` so order is preserved.
        contest: the class/contest the import belongs to (None keeps the record's own, if any).

    Raises:
        UnknownRecord: the record matches none of the shapes.
    """
    if "learner_id" in record:  # our own export
        return Statement(str(record["learner_id"]), str(record["verb"]), str(record["object_id"]),
                         float(record["ts_s"]), dict(record.get("result") or {}), dict(record.get("context") or {}),
                         contest if contest is not None else record.get("contest"))
    actor, verb = record.get("actor"), record.get("verb")
    if isinstance(verb, Mapping) and isinstance(actor, Mapping):  # avatars/dialogue/ab.py, full xAPI
        result = dict((record.get("result") or {}).get("extensions") or {})
        return Statement(str(actor["account"]["name"]), _strip(str(verb["id"])).rsplit("/", 1)[-1],
                         _strip(str(record["object"]["id"])), _iso_to_s(record["timestamp"]), result,
                         dict(record.get("context") or {}), contest)
    if isinstance(verb, str) and isinstance(actor, Mapping) and "timestamp" in record:  # scenes/suitability.py
        obj = record.get("object") or {}
        return Statement(str(actor["account"]), verb, f"product/{obj.get('symbol', '?')}",
                         _iso_to_s(record["timestamp"]), dict(record.get("result") or {}), {}, contest)
    if isinstance(verb, str) and isinstance(actor, str) and "t_s" in record:  # emotion/event_log.py
        t_s = float(record["t_s"])
        obj = dict(record.get("object") or {})
        ts_s = t_s if t_s > 1e9 else fallback_ts_s + t_s
        return Statement(actor, COOLING_OFF_PREFIX + verb, f"{obj.pop('type', 'order')}/{obj.get('symbol', '')}",
                         ts_s, dict(record.get("result") or {}), {"t_s": t_s, **obj}, contest)
    raise UnknownRecord(f"not a known statement shape: keys {sorted(record)}")
