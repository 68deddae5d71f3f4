"""Suitability: products above the learner's level warn, need an acknowledgement, and it is logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vbranch.market_sim.instruments import CN_UNIVERSE
from vbranch.scenes.catalogue import text
from vbranch.scenes.suitability import Gate, Verdict, acknowledge, acknowledged_symbols, check, gate

NEW_ENERGY = CN_UNIVERSE.get("516160")  # R4
BONDS = CN_UNIVERSE.get("511010")  # R1


@pytest.mark.parametrize(("level", "verdict"), [(1, Verdict.WARN), (3, Verdict.WARN), (4, Verdict.OK),
                                                (5, Verdict.OK), (None, Verdict.NEEDS_ASSESSMENT)])
def test_check_compares_r_level_with_c_level(level, verdict):
    assert NEW_ENERGY.risk_level == 4
    assert check(level, NEW_ENERGY).verdict is verdict


def test_warning_text_names_both_levels():
    s = check(2, NEW_ENERGY)
    assert s.message_key == "suitability.warn"
    message = text(s.message_key, "en", **s.params(NEW_ENERGY))
    assert "R4" in message and "C2" in message and "New Energy ETF" in message


def test_gate_needs_an_ack_then_allows_and_asks_again_after_a_new_assessment(tmp_path):
    log = tmp_path / "acks" / "suitability.jsonl"
    assert gate(1, BONDS) is Gate.ALLOWED
    assert gate(None, BONDS) is Gate.NEEDS_ASSESSMENT
    assert gate(2, NEW_ENERGY, acknowledged_symbols(log, "amy", 2)) is Gate.NEEDS_ACK
    acknowledge(log, "amy", 2, NEW_ENERGY)
    assert gate(2, NEW_ENERGY, acknowledged_symbols(log, "amy", 2)) is Gate.ALLOWED
    assert gate(2, NEW_ENERGY, acknowledged_symbols(log, "bob", 2)) is Gate.NEEDS_ACK
    assert gate(3, NEW_ENERGY, acknowledged_symbols(log, "amy", 3)) is Gate.NEEDS_ACK


def test_acknowledgement_is_one_xapi_style_json_line(tmp_path):
    log = tmp_path / "suitability.jsonl"
    when = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    acknowledge(log, "amy", 2, NEW_ENERGY, now=when)
    acknowledge(log, "amy", 2, CN_UNIVERSE.get("600519"), now=when)
    lines = log.read_text("utf-8").splitlines()
    assert len(lines) == 2
    row = json.loads(lines[0])
    assert row == {
        "actor": {"account": "amy"},
        "verb": "acknowledged",
        "object": {"symbol": "516160", "name_en": "New Energy ETF", "name_zh": "新能源ETF",
                   "definition": "suitability_warning"},
        "result": {"learner_level": "C2", "product_level": "R4", "verdict": "warn"},
        "timestamp": "2025-03-01T09:30:00+00:00",
    }


def test_levels_outside_c1_c5_are_refused():
    with pytest.raises(ValueError, match="1..5"):
        check(6, BONDS)
