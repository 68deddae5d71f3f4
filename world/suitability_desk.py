"""Suitability in the branch (适当性管理): a buy above the learner's risk level needs a warning and a yes.

The rule (C1–C5 learner levels against R1–R5 products) lives in ``vbranch.scenes.suitability``; this
shell asks it before a buy, shows the warning, and treats pressing Submit again on the same product as
the explicit acknowledgement, which is logged (xAPI line) before the order goes on. Sells are never
gated: reducing risk is always allowed. Before the questionnaire there is no level to compare with, so
the learner is reminded once to take it and the order goes on.
"""

from __future__ import annotations

from pathlib import Path

from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.catalogue import text
from vbranch.scenes.suitability import Gate, acknowledge, acknowledged_symbols, check, gate

__all__ = ["SuitabilityDesk"]


class SuitabilityDesk:
    def __init__(self, universe, learner_id: str, lang: str, log_path: Path, level: int | None = None) -> None:
        self.universe, self.learner_id, self.lang, self.log_path = universe, learner_id, lang, log_path
        self.level = level
        self._waiting_ack: str | None = None
        self._reminded = False

    def rebind(self, universe) -> None:
        """A new round's instruments (the level and past acknowledgements stay: they are the learner's)."""
        self.universe, self._waiting_ack = universe, None

    def set_level(self, level: int) -> None:
        self.level, self._waiting_ack = level, None

    def review(self, request: OrderRequest) -> tuple[bool, str | None]:
        """(go ahead?, message to show). A second Submit on a warned product is the acknowledgement."""
        if request.side is not Side.BUY:
            return True, None
        instrument = self.universe.get(request.symbol)
        acknowledged = acknowledged_symbols(self.log_path, self.learner_id, self.level) if self.level else frozenset()
        verdict = gate(self.level, instrument, acknowledged)
        if verdict is Gate.ALLOWED:
            return True, None
        if verdict is Gate.NEEDS_ASSESSMENT:
            if self._reminded:
                return True, None
            self._reminded = True
            return True, text("suitability.needs_assessment", self.lang)
        if self._waiting_ack == request.symbol:
            acknowledge(self.log_path, self.learner_id, self.level, instrument)  # type: ignore[arg-type]
            self._waiting_ack = None
            return True, None
        self._waiting_ack = request.symbol
        result = check(self.level, instrument)
        warning = text(result.message_key, self.lang, **result.params(instrument, self.lang))
        return False, f"{warning}  [{text('suitability.acknowledge', self.lang)}: Enter]"
