"""The script-style A/B test: who sees which style, and an append-only log of what happened next.

A learner's variant is a pure function of (experiment, learner id), hashed with SHA-256, so it is the
same in every session and on every machine without storing anything, and 50/50 across learners.
Each shown line and the learner's next action become one xAPI-style statement (actor, verb, object,
result, context, timestamp) on its own line of a JSON-lines file, so analytics can read it with any
tool and a crash mid-write loses at most the last line.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from vbranch.avatars.dialogue.policy import AdvisorLine, Style

__all__ = ["DEFAULT_EXPERIMENT", "VERB_SHOWN", "VERB_ACTED", "assign_variant", "statement", "ExperimentLog"]

log = logging.getLogger(__name__)

DEFAULT_EXPERIMENT = "advisor_script_style_v1"
VERB_SHOWN = "https://vbranch.example/xapi/verbs/shown"
VERB_ACTED = "https://vbranch.example/xapi/verbs/acted"
_OBJECT_BASE = "https://vbranch.example/xapi"


def assign_variant(learner_id: str, experiment: str = DEFAULT_EXPERIMENT) -> Style:
    """The learner's script style in ``experiment``: stable, and 50/50 over many learners."""
    digest = hashlib.sha256(f"{experiment}\x1f{learner_id}".encode()).digest()
    return Style.EMPATHETIC if digest[0] & 1 else Style.STANDARD


def _iso(timestamp: datetime | None) -> str:
    ts = timestamp if timestamp is not None else datetime.now(UTC)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.isoformat()


def statement(
    learner_id: str,
    verb: str,
    object_id: str,
    *,
    result: dict | None = None,
    context: dict | None = None,
    timestamp: datetime | None = None,
) -> dict:
    """One xAPI-style statement as a plain dict (naive timestamps are taken as UTC)."""
    return {
        "actor": {"objectType": "Agent", "account": {"homePage": _OBJECT_BASE, "name": learner_id}},
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": f"{_OBJECT_BASE}/{object_id}"},
        "result": result or {},
        "context": context or {},
        "timestamp": _iso(timestamp),
    }


@dataclass
class ExperimentLog:
    """Appends statements for one experiment to ``path`` (created with its folder if missing).

    ``line_shown`` remembers the last line per learner so ``learner_acted`` can say what the action
    followed and how long after: the pair the A/B analysis compares between styles.
    """

    path: Path
    experiment: str = DEFAULT_EXPERIMENT
    _last_shown: dict[str, tuple[str, str, float | None]] = field(default_factory=dict, repr=False)

    def _append(self, record: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")

    def line_shown(self, learner_id: str, line: AdvisorLine, *, event_kind: str | None = None,
                   sim_time_s: float | None = None, timestamp: datetime | None = None) -> dict:
        variant = line.style  # what was shown; the advisor takes it from assign_variant
        record = statement(
            learner_id, VERB_SHOWN, f"advisor-line/{line.key}",
            result={"extensions": {"text": line.text, "lang": line.lang, "gesture": line.gesture}},
            context={"experiment": self.experiment, "variant": variant.value, "event_kind": event_kind,
                     "sim_time_s": sim_time_s},
            timestamp=timestamp,
        )
        self._append(record)
        self._last_shown[learner_id] = (line.key, variant.value, sim_time_s)
        return record

    def learner_acted(self, learner_id: str, action: str, *, sim_time_s: float | None = None,
                      detail: dict | None = None, timestamp: datetime | None = None) -> dict:
        """Log the learner's next action (e.g. ``sell``, ``hold``, ``accept_cooling_off``)."""
        last_key, variant, shown_at = self._last_shown.pop(learner_id, (None, None, None))
        if variant is None:
            variant = assign_variant(learner_id, self.experiment).value
        latency = None if shown_at is None or sim_time_s is None else round(sim_time_s - shown_at, 3)
        record = statement(
            learner_id, VERB_ACTED, f"action/{action}",
            result={"extensions": {"after_line": last_key, "latency_s": latency, **(detail or {})}},
            context={"experiment": self.experiment, "variant": variant, "sim_time_s": sim_time_s},
            timestamp=timestamp,
        )
        self._append(record)
        return record
