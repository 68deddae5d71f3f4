"""Suitability (适当性管理): a product riskier than the learner's level needs a warning and a yes.

Products carry R1–R5 (``Instrument.risk_level``), learners C1–C5 from the questionnaire. A Cn learner
may take products up to Rn without friction; above that, the branch shows a warning and the learner must
explicitly acknowledge it before the order goes through, and the acknowledgement is logged as an
xAPI-style statement (actor, verb, object, result, timestamp) — the same evidence a real broker keeps.
A learner with no assessment yet is sent to the questionnaire first. The world and the server call
``gate`` before an order; they keep no rule of their own.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from vbranch.market_sim.instruments import Instrument

__all__ = ["Verdict", "Suitability", "Gate", "check", "gate", "acknowledge", "acknowledged_symbols", "VERB_ACK"]

log = logging.getLogger(__name__)

VERB_ACK = "acknowledged"


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    NEEDS_ASSESSMENT = "needs_assessment"


class Gate(StrEnum):
    ALLOWED = "allowed"
    NEEDS_ACK = "needs_ack"
    NEEDS_ASSESSMENT = "needs_assessment"


@dataclass(frozen=True)
class Suitability:
    verdict: Verdict
    learner_level: int | None  # 1..5 (C1..C5), None before the questionnaire
    product_level: int  # 1..5 (R1..R5)
    message_key: str  # catalogue key; params: learner (C3), product (R4), symbol

    def params(self, instrument: Instrument, lang: str = "en") -> dict[str, str]:
        """The catalogue parameters for ``message_key``."""
        learner = f"C{self.learner_level}" if self.learner_level else "-"
        return {"learner": learner, "product": f"R{self.product_level}", "symbol": instrument.name(lang)}


def _level(value: int | None) -> int | None:
    if value is None:
        return None
    level = int(value)
    if not 1 <= level <= 5:
        raise ValueError(f"learner level must be 1..5 (C1..C5), got {value!r}")
    return level


def check(learner_level: int | None, instrument: Instrument) -> Suitability:
    """OK when R ≤ C; WARN when the product is riskier than the learner; NEEDS_ASSESSMENT before rating."""
    level = _level(learner_level)
    product = instrument.risk_level
    if level is None:
        return Suitability(Verdict.NEEDS_ASSESSMENT, None, product, "suitability.needs_assessment")
    if product <= level:
        return Suitability(Verdict.OK, level, product, "suitability.ok")
    return Suitability(Verdict.WARN, level, product, "suitability.warn")


def gate(learner_level: int | None, instrument: Instrument, acknowledged: set[str] | frozenset[str] = frozenset(),
         ) -> Gate:
    """Before an order: ALLOWED, or what the learner must do first (acknowledge, or take the questionnaire).

    Args:
        acknowledged: symbols this learner has acknowledged at their current level (``acknowledged_symbols``).
    """
    verdict = check(learner_level, instrument).verdict
    if verdict is Verdict.NEEDS_ASSESSMENT:
        return Gate.NEEDS_ASSESSMENT
    if verdict is Verdict.OK or instrument.symbol in acknowledged:
        return Gate.ALLOWED
    return Gate.NEEDS_ACK


def acknowledge(log_path: Path, learner_id: str, learner_level: int, instrument: Instrument,
                now: datetime | None = None) -> dict:
    """Append the learner's acknowledgement as one xAPI-style JSON line; returns the statement.

    The world/server passes ``log_path`` (e.g. ``world.options.learner_log_dir() / "suitability.jsonl"``).
    """
    level = _level(learner_level)
    suitability = check(level, instrument)
    timestamp = (now or datetime.now(UTC)).isoformat()
    statement = {
        "actor": {"account": learner_id},
        "verb": VERB_ACK,
        "object": {"symbol": instrument.symbol, "name_en": instrument.name_en, "name_zh": instrument.name_zh,
                   "definition": "suitability_warning"},
        "result": {"learner_level": f"C{level}", "product_level": f"R{instrument.risk_level}",
                   "verdict": suitability.verdict.value},
        "timestamp": timestamp,
    }
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(statement, ensure_ascii=False) + "\n")
    log.info("suitability acknowledged: %s C%d -> %s R%d", learner_id, level, instrument.symbol, instrument.risk_level)
    return statement


def acknowledged_symbols(log_path: Path, learner_id: str, learner_level: int) -> frozenset[str]:
    """Symbols the learner acknowledged at this level (a new assessment asks again). Missing log: none."""
    path = Path(log_path)
    if not path.exists():
        return frozenset()
    wanted = f"C{_level(learner_level)}"
    out = set()
    for line in path.read_text("utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            log.warning("skipping a malformed line in %s", path)
            continue
        if (row.get("verb") == VERB_ACK and row.get("actor", {}).get("account") == learner_id
                and row.get("result", {}).get("learner_level") == wanted):
            out.add(row["object"]["symbol"])
    return frozenset(out)
