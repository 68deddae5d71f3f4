"""A small simulated class, so the report cards have something real to show before real learners exist.

Each learner trades the "crash" scenario (free play) before and after the lessons, and does the
candlestick, stop-loss and crash-survival lessons in the lessons' own markets, with scripted choices
drawn from a seeded temperament: how big they bet, whether they sell into a fall, whether they use stops.
Lessons lower the panic tendency and make stops likely, so the behaviour change is built in and visible.
The advisor A/B statements are written through the real ``ExperimentLog`` (protective-action rate 30%
standard vs 45% empathetic, by construction) and cooling-off decisions through the real ``EventLog``,
then imported, so the demo also exercises ingestion. Everything is seeded: same seed → same class.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from vbranch.avatars.dialogue.ab import ExperimentLog, assign_variant
from vbranch.avatars.dialogue.policy import AdvisorLine, Style
from vbranch.emotion.event_log import EventLog
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderRejected, OrderRequest, Side
from vbranch.scenes.analytics.record import lesson_statements, session_statements
from vbranch.scenes.analytics.store import LearningStore
from vbranch.scenes.lessons import grade_quiz, load_lesson
from vbranch.scenes.scenario import load_scenario

__all__ = ["DEMO_CONTEST", "DEMO_LESSONS", "TRUE_PROTECTIVE_RATE", "Temperament", "simulate_class"]

log = logging.getLogger(__name__)

DEMO_CONTEST = "demo-class"
DEMO_LESSONS = ("candlestick", "stop_loss", "crash_survival")
TRUE_PROTECTIVE_RATE = {Style.STANDARD.value: 0.30, Style.EMPATHETIC.value: 0.45}
_TRUE_LATENCY_MEAN_S = {Style.STANDARD.value: 4.0, Style.EMPATHETIC.value: 6.0}
_START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
_FREE_PLAY = "crash"


@dataclass(frozen=True)
class Temperament:
    """Scripted-learner traits: ``panic_p`` chance to sell into a ≥10% fall; ``skill`` chance of a right answer."""

    panic_p: float
    bet_pct: float
    skill: float
    uses_stops: bool

    def after_lessons(self) -> Temperament:
        """What the lessons teach: a third of the panic, smaller bets, stops most of the time."""
        return Temperament(self.panic_p / 3, min(self.bet_pct, 55.0), self.skill, self.skill > 0.4)


def _qty(market: Market, symbol: str, pct_of_cash: float) -> int:
    lot = market.universe.get(symbol).lot_size or market.rules.lot_size
    return int(market.config.starting_cash * pct_of_cash / 100 / market.price(symbol) / lot) * lot


def _trade_session(market: Market, account_id: str, t: Temperament, rng: np.random.Generator, days: int,
                   bond: str | None = None) -> None:
    """Buy the index on day 0 (stop attached if the learner uses stops), then maybe panic-sell and chase back."""
    idx = market.universe.index.symbol
    market.submit(account_id, OrderRequest(idx, Side.BUY, _qty(market, idx, t.bet_pct),
                                           stop_loss_pct=8.0 if t.uses_stops else None))
    if bond is not None:
        market.submit(account_id, OrderRequest(bond, Side.BUY, _qty(market, bond, 25.0)))
    high, sold_day, tempted, wants_out = market.price(idx), None, False, False
    for day in range(days):
        if market.finished:
            break
        market.run_days(1)
        price = market.price(idx)
        high = max(high, price)
        held = market.account(account_id).sellable(idx, market.rules.t_plus_one)
        if not tempted and held and price <= 0.9 * high:  # the first ≥10% fall: panic or not, once
            tempted, wants_out = True, bool(rng.random() < t.panic_p)
        try:
            if sold_day is None and held and wants_out:
                market.submit(account_id, OrderRequest(idx, Side.SELL, held))
                sold_day = day
            elif sold_day is not None and day >= sold_day + 4 and rng.random() < 0.5 and not held:
                market.submit(account_id, OrderRequest(idx, Side.BUY, _qty(market, idx, t.bet_pct / 2)))
                sold_day = -10**6  # chased back in once
        except OrderRejected as exc:  # locked limit-down: the learner tries again tomorrow
            log.debug("%s: %s", account_id, exc)


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def take(self, seconds: float) -> float:
        ts = self.now.timestamp()
        self.now += timedelta(seconds=float(seconds))
        return ts


def _free_play(learner: str, n: int, t: Temperament, rng: np.random.Generator, clock: _Clock, days: int | None,
               contest: str) -> list:
    config = load_scenario(_FREE_PLAY).market_config()
    market = Market(config, seed=int(rng.integers(1, 10_000)))
    market.open_account(learner)
    market.advance(1)
    run_days = days or config.days
    _trade_session(market, learner, t, rng, run_days, bond="511010" if t.uses_stops else None)
    start = clock.take(run_days * config.seconds_per_day + 60)
    return session_statements(learner, f"{learner}/free-{n}", market.account(learner), scenario=_FREE_PLAY,
                              start_ts_s=start, seconds_per_day=config.seconds_per_day, contest=contest)


def _lesson(learner: str, lesson_id: str, t: Temperament, rng: np.random.Generator, clock: _Clock,
            contest: str) -> list:
    lesson = load_lesson(lesson_id)
    market = lesson.build_market()
    market.open_account(learner)
    market.advance(1)
    answer = None
    if lesson_id == "stop_loss":
        market.submit(learner, OrderRequest("510300", Side.BUY, _qty(market, "510300", 30),
                                            stop_loss_pct=5.0 if rng.random() < t.skill + 0.2 else None))
        market.run_days(lesson.days - 1)
    elif lesson_id == "crash_survival":
        _trade_session(market, learner, Temperament(t.panic_p, t.bet_pct, t.skill, False), rng, lesson.days)
    else:
        market.run_days(lesson.days)
        bar = market.bars(market.universe.index.symbol, include_today=False)[-1]
        truth = "up" if bar.close >= bar.open else "down"
        answer = truth if rng.random() < t.skill + 0.2 else {"up": "down", "down": "up"}[truth]
    check = lesson.check(market, learner, answer)
    quiz = grade_quiz(lesson, [q.answer if rng.random() < t.skill + 0.25 else (q.answer + 1) % len(q.choices["en"])
                               for q in lesson.quiz])
    seconds_per_day = market.config.seconds_per_day / lesson.speed
    started = clock.take(30 * len(lesson.steps) + float(rng.uniform(20, 60)))
    session = session_statements(learner, f"{learner}/lesson-{lesson_id}", market.account(learner),
                                 scenario=lesson.scenario, start_ts_s=clock.take(lesson.days * seconds_per_day),
                                 seconds_per_day=seconds_per_day, lesson_id=lesson_id, contest=contest)
    completed = clock.take(float(rng.uniform(60, 240)))
    return lesson_statements(learner, lesson_id, started_ts_s=started, completed_ts_s=completed, check=check,
                             quiz=quiz, contest=contest) + session


def _advisor_exposures(learner: str, rng: np.random.Generator, clock: _Clock, ab_log: ExperimentLog,
                       cooling_log: EventLog, n: int) -> None:
    """``n`` advisor lines and the learner's reactions, through the real A/B log (synthetic effect sizes)."""
    style = assign_variant(learner, ab_log.experiment)
    for i in range(n):
        shown_at = float(i * 120)
        line = AdvisorLine(f"crash.anxious.{i % 3}", "…", "en", style, None, 1.0, False)
        ab_log.line_shown(learner, line, event_kind="crash", sim_time_s=shown_at,
                          timestamp=datetime.fromtimestamp(clock.take(1), UTC))
        if rng.random() < 0.08:
            continue  # no reaction before the next line
        latency = float(rng.gamma(4.0, _TRUE_LATENCY_MEAN_S[style.value] / 4.0))
        when = datetime.fromtimestamp(clock.take(latency), UTC)
        if rng.random() < TRUE_PROTECTIVE_RATE[style.value]:
            if rng.random() < 0.5:
                ab_log.learner_acted(learner, "order", sim_time_s=shown_at + latency, timestamp=when,
                                     detail={"side": "buy", "stop_loss_pct": 5.0})
            else:
                ab_log.learner_acted(learner, "cooling_off.cancel", sim_time_s=shown_at + latency, timestamp=when)
                cooling_log.record(learner, "cancelled", {"type": "order", "symbol": "510300"}, shown_at + latency,
                                   executed=False)
        else:
            ab_log.learner_acted(learner, "order", sim_time_s=shown_at + latency, timestamp=when,
                                 detail={"side": "sell", "stop_loss_pct": None})


def simulate_class(store: LearningStore, work_dir: Path, *, n_learners: int = 8, seed: int = 0,
                   contest: str = DEMO_CONTEST, exposures_per_learner: int = 15,
                   free_play_days: int | None = None, lessons: tuple[str, ...] = DEMO_LESSONS) -> list[str]:
    """Simulate ``n_learners`` into ``store`` (JSON-lines logs go to ``work_dir``); returns the learner ids."""
    rng = np.random.default_rng(seed)
    ab_log = ExperimentLog(Path(work_dir) / "advisor_ab.jsonl")
    cooling_log = EventLog(Path(work_dir) / "cooling_off.jsonl")
    learners = []
    for i in range(n_learners):
        learner = f"learner-{i + 1:02d}"
        learners.append(learner)
        clock = _Clock(_START + timedelta(days=i % 3, minutes=7 * i))
        before = Temperament(float(rng.uniform(0.2, 0.95)), float(rng.uniform(60, 95)), float(rng.uniform(0.5, 0.95)),
                             False)
        after = before.after_lessons()
        statements = _free_play(learner, 1, before, rng, clock, free_play_days, contest)
        _advisor_exposures(learner, rng, clock, ab_log, cooling_log, exposures_per_learner // 2)
        taken = lessons if i % 4 != 3 else lessons[:2]  # every fourth learner stops early
        for lesson_id in taken:
            statements += _lesson(learner, lesson_id, before if lesson_id == "candlestick" else after, rng, clock,
                                  contest)
        statements += _free_play(learner, 2, after, rng, clock, free_play_days, contest)
        _advisor_exposures(learner, rng, clock, ab_log, cooling_log, exposures_per_learner - exposures_per_learner // 2)
        store.record_many(statements)
    for path in (ab_log.path, cooling_log.path):
        store.import_jsonl(path, contest=contest)
    log.info("simulated %d learners into %s", n_learners, store.path)
    return learners
