"""The cooling-off step (冷静期) in the branch: the shell around ``vbranch.emotion.cooling_off``.

Every order from the panel passes ``gate_order`` first. The rule (an anxious learner selling half a
position or more soon after a crash) and the state machine live in the emotion core; this module only
feeds it — the learner state fused from the behaviour radar, what the learner typed to the advisor
lately, and the voice once the learner consents to the microphone; the time of the last crash — and
carries out its actions: hold the order, let the advisor speak, show past crashes and recoveries, run
the breathing cues, and submit only on an explicit confirmation. Times are the frame clock in seconds
(wall time), so a 30 s cooling-off is 30 s for the learner whatever the market speed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vbranch.emotion.cooling_off import (
    Breathe,
    CoolingOff,
    CoolingOffConfig,
    Drop,
    Execute,
    ShowContext,
    Speak,
    gate_order,
)
from vbranch.emotion.crash_history import context_lines, past_drawdowns
from vbranch.emotion.event_log import EventLog
from vbranch.emotion.fusion import fuse
from vbranch.emotion.radar import BehaviourRadar
from vbranch.emotion.recent_words import RecentWords
from vbranch.emotion.signals import LearnerState, TextSignal
from vbranch.market_sim.events import CrashStarted
from vbranch.market_sim.orders import OrderRequest
from vbranch.scenes.catalogue import text

__all__ = ["CoolingDesk", "BRANCH_COOLING_OFF"]

log = logging.getLogger(__name__)

# Wall seconds in the branch: long enough to breathe and read the history, short enough not to annoy.
BRANCH_COOLING_OFF = CoolingOffConfig(cooling_off_s=30.0, expiry_s=180.0, crash_window_s=600.0)


class CoolingDesk:
    """Gate the learner's orders; ``say`` and ``show`` are the advisor's voice and the HUD."""

    def __init__(self, market, account_id: str, lang: str, say: Callable[[str], None],
                 show: Callable[[str], None], log_path: Path | None = None,
                 config: CoolingOffConfig = BRANCH_COOLING_OFF) -> None:
        self.market, self.account_id, self.lang = market, account_id, lang
        self._say, self._show = say, show
        self.radar = BehaviourRadar(account_id)
        self._unsubscribe = self._observe(market)
        self.cooling = CoolingOff(config, learner_id=account_id, event_log=EventLog(log_path))
        self.voice: Callable[[], object] = lambda: None  # set by the shell when voice sensing exists
        self.words = RecentWords()
        self.last_crash_s: float | None = None
        self.now_s = 0.0
        # past crashes read their data files (~0.4 s): load them off the frame path, once
        self._history = ThreadPoolExecutor(max_workers=1).submit(past_drawdowns)
        self.names = {inst.symbol: inst.name(lang) for inst in market.universe}

    def _observe(self, market) -> tuple[Callable[[], None], ...]:
        return market.bus.subscribe(self.radar.observe), market.bus.subscribe(self._on_crash, CrashStarted)

    def rebind(self, market) -> None:
        """A new round: listen to the new market's bus (and no longer the old one's) with a fresh radar.

        An order still held for the old market is dropped: its market has closed. What the learner said
        lately and the crash history stay; they are about the learner and the past, not this market.
        """
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self.cooling.active:
            log.info("cooling-off: the held order ends with its round")
        old = self.cooling
        self.cooling = CoolingOff(old.config, old.context, learner_id=old.learner_id, event_log=old.event_log)
        self.market, self.last_crash_s = market, None
        self.radar = BehaviourRadar(self.account_id)
        self._unsubscribe = self._observe(market)
        self.names = {inst.symbol: inst.name(self.lang) for inst in market.universe}

    def _on_crash(self, event: CrashStarted) -> None:
        self.last_crash_s = self.now_s

    @property
    def active(self) -> bool:
        return self.cooling.active

    def hear(self, words: TextSignal, now_s: float) -> None:
        """A message the learner typed to the advisor, read for distress and greed."""
        self.now_s = max(self.now_s, now_s)
        self.words.hear(words, now_s)

    def learner_state(self) -> LearnerState:
        """Behaviour always; recent words if any; the voice only when the learner consented."""
        return fuse(self.voice(), self.words.signal(self.now_s), self.radar.reading(self.market.t_step))

    def submit(self, request: OrderRequest, now_s: float, place: Callable[[OrderRequest], str]) -> str | None:
        """Gate ``request``; ``place`` submits to the market and returns the panel's message."""
        self.now_s = now_s
        if self.cooling.context == () and self._history.done():
            self.cooling.context = self._history.result()
        held = self.market.account(self.account_id).held(request.symbol)
        self.radar.order_submitted(self.market.t_step, request, held)
        return self._carry_out(gate_order(self.cooling, request, self.learner_state(), held, now_s,
                                          self.last_crash_s), place)

    def tick(self, now_s: float, place: Callable[[OrderRequest], str]) -> str | None:
        self.now_s = now_s
        return self._carry_out(self.cooling.tick(now_s), place) if self.cooling.active else None

    def breathe(self, now_s: float, place) -> str | None:
        return self._carry_out(self.cooling.start_breathing(now_s), place)

    def confirm(self, now_s: float, place) -> str | None:
        return self._carry_out(self.cooling.confirm(now_s), place)

    def cancel(self, now_s: float, place) -> str | None:
        return self._carry_out(self.cooling.cancel(now_s), place)

    def _carry_out(self, actions: list, place: Callable[[OrderRequest], str]) -> str | None:
        """Do what the core decided; the advisor's lines of one decision are spoken as one utterance."""
        message = None
        spoken: list[str] = []
        for action in actions:
            if isinstance(action, Execute):
                message = place(action.request)
            elif isinstance(action, Speak):
                params = dict(action.params)
                if "symbol" in params:
                    params["symbol"] = self.names.get(params["symbol"], params["symbol"])
                spoken.append(text(action.key, self.lang, **params))
            elif isinstance(action, Breathe):
                spoken.append(text(action.key, self.lang))
            elif isinstance(action, ShowContext):
                lines = context_lines(action.drawdowns, self.lang)[:3]
                if lines:
                    self._show("\n".join(lines))
            elif isinstance(action, Drop):
                log.info("cooling-off dropped the order (%s)", action.reason)
        if spoken:
            self._say(" ".join(spoken))
        return message
