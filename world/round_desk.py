"""Rounds in single player: a fixed-length scenario ends, the advisor sums it up, R starts the next round.

Why: the branch runs one market for the session, and a scenario such as ``crash`` has 20 trading days
(ten minutes at speed 1). When it ends (``Market.finished``) prices stop; without this desk the branch
just froze. Now the end is a moment of its own: the wall's banner and the HUD say the round is over,
the advisor says how it went (``round_summary``) and offers a new round, and the round's trading
session goes into the learning store (once). R (or Enter at the order panel, the VR trigger) starts the
next round: the learner's scenario with the next seed, a fresh account. A lesson whose task needs days
the market no longer has starts a round on the lesson's own scenario and seed instead. Rebinding every
component to the new market is ``BranchApp.new_round``'s job; this desk decides *when* and *which*
market. A classroom has no rounds here: the server owns its market.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vbranch.market_sim.market import Market
from vbranch.scenes.catalogue import text
from vbranch.scenes.lesson_run import reading_time_s
from vbranch.scenes.scenario import load_scenario
from vbranch.world.round_summary import RoundSummary, summarise_round, summary_line

__all__ = ["Round", "RoundDesk", "round_market", "ENTER_AFTER_S"]

log = logging.getLogger(__name__)

ENTER_AFTER_S = 2.0  # Enter starts the next round only this long after the end (a late Submit isn't a "yes")
NOTICE_S = 10.0  # the HUD's round-over notice (the status line keeps saying it after)


@dataclass(frozen=True)
class Round:
    """Which market a round runs: the session's ``number``-th, built from ``scenario`` with ``seed``."""

    number: int
    scenario: str  # a scenario id (or a TOML path, as ``--scenario`` allows)
    seed: int
    lesson_id: str | None = None  # set when a lesson's task asked for the round


def round_market(round_: Round) -> tuple[Market, dict[str, str]]:
    """A fresh market for ``round_`` and its scenario's zh/en title (the same setup ``BranchApp`` builds)."""
    scenario = load_scenario(round_.scenario)
    return Market(scenario.market_config(), seed=round_.seed), scenario.title


class RoundDesk:
    """Owned by a single-player ``BranchApp``: ``end`` when the market finishes, ``request`` on R."""

    def __init__(self, app, scenario: str, seed: int) -> None:
        self.app, self.lang = app, app.lang
        self.round = Round(1, scenario, seed)
        self._scenario, self._free_seed = scenario, seed  # free play: the learner's scenario, seeds counting up
        self.over = False
        self.over_s = 0.0
        self.summary: RoundSummary | None = None

    # ----- the end of a round -------------------------------------------------------------------------
    def end(self, now_s: float) -> None:
        """The market ran out of days: record the round, say so on the wall and HUD, sum it up (once)."""
        if self.over:
            return
        app, lang = self.app, self.lang
        self.over, self.over_s = True, now_s
        app.record.close(app.account)
        self.summary = summarise_round(app.market, app.account.account_id)
        banner = text("round.over_banner", lang)
        app.wall.show_notice(banner, now_s)
        app.hud.notify(banner, now_s, NOTICE_S)
        app.hud.status.set(self.status_line())
        universe = app.market.universe
        index_name = universe.index.name(lang) if any(inst.is_index for inst in universe) else ""
        line = summary_line(self.summary, lang, index_name)
        app.say(line)
        app.hud.say(line, now_s, reading_time_s(line, lang))  # the subtitle stays while it is read
        log.info("round %d over after %d days: equity %.2f (%+.2f%%)", self.round.number, self.summary.days,
                 self.summary.equity, self.summary.return_pct)

    def status_line(self) -> str:
        """The HUD's status line while the round is over (the day counter has nothing left to count)."""
        equity = self.summary.equity if self.summary is not None else self.app.holo.equity
        return text("round.over_status", self.lang, scenario=self.app.scenario_title, round=self.round.number,
                    equity=f"{equity:,.0f}")

    # ----- the next round -----------------------------------------------------------------------------
    def request(self) -> bool:
        """R: the next round once this one is over; before that, a notice of when it ends. True if started."""
        if self.over:
            self.start_next()
            return True
        market, app = self.app.market, self.app
        days = market.config.days
        line = text("round.endless", self.lang) if days is None else \
            text("round.running", self.lang, day=min(market.day + 1, days), days=days)
        app.hud.notify(line, app.now_s, 4.0)
        return False

    def enter(self, now_s: float) -> None:
        """Enter at the order panel while the round is over: the next round, once the summary had a moment."""
        if now_s - self.over_s >= ENTER_AFTER_S:
            self.start_next()

    def start_next(self) -> None:
        """A free-play round: the learner's scenario with the next seed (new prices, same story)."""
        self._free_seed += 1
        self._start(Round(self.round.number + 1, self._scenario, self._free_seed), speak=True)

    def start_lesson(self, lesson) -> None:
        """A round for a lesson's task: the lesson's own scenario and seed (what the lesson was written for)."""
        self._start(Round(self.round.number + 1, lesson.scenario, lesson.seed, lesson.id), speak=False)

    def _start(self, round_: Round, speak: bool) -> None:
        app, lang = self.app, self.lang
        market, title = round_market(round_)
        app.new_round(market, round_.scenario, title[lang], round_.lesson_id)
        self.round, self.over, self.summary = round_, False, None
        line = text("round.started", lang, round=round_.number, scenario=title[lang],
                    cash=f"{app.account.cash:,.0f}")
        app.hud.notify(line, app.now_s, 6.0)
        if speak:  # a lesson's round is announced by the lesson's own prompt instead
            app.say(line)
        log.info("round %d: %s, seed %d%s", round_.number, round_.scenario, round_.seed,
                 f" (lesson {round_.lesson_id})" if round_.lesson_id else "")
