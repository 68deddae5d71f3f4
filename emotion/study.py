"""Does the cooling-off step reduce panic sells, and what does it do to P&L? A simulation, not a finding.

Simulated learners with a panic propensity hold the index through crash scenarios. At each crash event
a learner panics with probability = propensity and, a few market minutes later, tries to sell half or
more of the holding. Each learner is run twice in the same market (same prices, same random draws):
once without the intervention (the sell goes straight to the market) and once with it (behaviour radar
+ voice → fusion → ``gate_order`` → ``CoolingOff``). What a held learner then does (breathe, cancel,
confirm, not answer) is the ``ResponseModel``: explicit ASSUMPTIONS, printed beside every result.
Learners' orders don't move quote-mode prices, so both arms of many learners share one market.

Time: one market step is one market minute; the cooling-off machine gets ``t_step × 60`` seconds.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from vbranch.emotion.cooling_off import (
    CoolingOff,
    CoolingOffConfig,
    CoolingState,
    Execute,
    gate_order,
)
from vbranch.emotion.crash_history import past_drawdowns
from vbranch.emotion.event_log import EventLog
from vbranch.emotion.fusion import fuse
from vbranch.emotion.radar import BehaviourRadar
from vbranch.emotion.signals import VoiceSignal
from vbranch.market_sim.events import CrashStarted
from vbranch.market_sim.market import Market
from vbranch.market_sim.order_entry import lot_size_for
from vbranch.market_sim.orders import OrderRejected, OrderRequest, Side
from vbranch.scenes.scenario import load_scenario

__all__ = ["ResponseModel", "StudyConfig", "run_study", "run_market"]

log = logging.getLogger(__name__)

DEFAULT_SCENARIOS = ("crash", "crash_us", "covid_2020", "gfc_2008", "china_circuit_breaker_2016")
_MAX_EVENTS = 64


@dataclass(frozen=True)
class ResponseModel:
    """ASSUMPTIONS about a held learner, not measurements.

    ``p_cancel = clip(cancel_p × (1 − propensity_slope × propensity) + breathing_bonus × breathed)``;
    the learner completes the breathing exercise with ``breathing_completion_p`` and never answers
    (the hold expires and the order is dropped) with ``no_response_p``.
    """

    cancel_p: float = 0.5
    propensity_slope: float = 0.5
    breathing_completion_p: float = 0.6
    breathing_bonus: float = 0.15
    no_response_p: float = 0.05
    voice_consent_p: float = 0.6

    def p_cancel(self, propensity: float, breathed: bool) -> float:
        p = self.cancel_p * (1 - self.propensity_slope * propensity) + (self.breathing_bonus if breathed else 0.0)
        return min(1.0, max(0.0, p))


@dataclass(frozen=True)
class StudyConfig:
    scenarios: tuple[str, ...] = DEFAULT_SCENARIOS
    learners_per_arm: int = 200
    learners_per_market: int = 5
    propensities: tuple[float, ...] = (0.2, 0.5, 0.8)
    invest_share: float = 0.8
    reaction_steps: int = 15  # market minutes from a crash event to the panic order
    retry_steps: int = 30  # a sell refused by a halt or locked limit is tried again this much later
    cooling_off_min: float = 30.0
    expiry_min: float = 120.0
    crash_window_min: float = 60.0
    response: ResponseModel = field(default_factory=ResponseModel)
    seed: int = 0
    bootstrap: int = 2000


@dataclass
class _Learner:
    index: int
    propensity: float
    draws: np.ndarray  # (_MAX_EVENTS, 4): panic, breathe, respond, cancel
    account_id: str
    intervention: bool
    radar: BehaviourRadar | None = None
    cooling: CoolingOff | None = None
    panic_intents: int = 0
    panic_sells: int = 0
    held: int = 0
    cancelled: int = 0
    confirmed: int = 0
    expired: int = 0
    dropped_busy: int = 0
    pnl: float = 0.0
    deposit: float = 0.0


class _Run:
    """One market with ``n`` paired learners; a step-scheduled loop of learner actions."""

    def __init__(self, scenario_id: str, seed: int, learners: list[tuple[int, float, np.ndarray]],
                 cfg: StudyConfig, context) -> None:
        self.cfg = cfg
        self.market = Market(load_scenario(scenario_id).market_config(prefer_twin=True), seed=seed)
        self.symbol = self.market.universe.index.symbol
        self.lot = lot_size_for(self.market.universe, self.market.rules, self.symbol)
        self.queue: list[tuple[int, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.crashes: list[int] = []
        self.market.bus.subscribe(self._on_crash, CrashStarted)
        cool = CoolingOffConfig(cooling_off_s=cfg.cooling_off_min * 60, expiry_s=cfg.expiry_min * 60,
                                crash_window_s=cfg.crash_window_min * 60)
        self.learners: list[_Learner] = []
        for index, propensity, draws in learners:
            for intervention in (False, True):
                lr = _Learner(index, propensity, draws, f"L{index}-{'with' if intervention else 'without'}",
                              intervention)
                if intervention:
                    lr.radar = BehaviourRadar(lr.account_id)
                    self.market.bus.subscribe(lr.radar.observe)
                    lr.cooling = CoolingOff(cool, context, lr.account_id, EventLog())
                self.learners.append(lr)
                self.market.open_account(lr.account_id)
                self._buy(lr)

    def at(self, t_step: int, fn: Callable[[], None]) -> None:
        heapq.heappush(self.queue, (t_step, next(self._seq), fn))

    def _buy(self, lr: _Learner) -> None:
        account = self.market.account(lr.account_id)
        price = self.market.price(self.symbol)
        qty = int(account.cash * self.cfg.invest_share / price / self.lot) * self.lot
        if qty > 0:
            self.market.submit(lr.account_id, OrderRequest(self.symbol, Side.BUY, qty))

    def _on_crash(self, event: CrashStarted) -> None:
        if event.symbol != self.symbol:
            return
        k = len(self.crashes)
        self.crashes.append(event.t_step)
        if k >= _MAX_EVENTS:
            return
        for lr in self.learners:
            if lr.draws[k, 0] < lr.propensity:
                self.at(event.t_step + self.cfg.reaction_steps, lambda lr=lr, k=k: self._panic(lr, k))

    def _sell_request(self, lr: _Learner) -> OrderRequest | None:
        held = self.market.account(lr.account_id).sellable(self.symbol, self.market.rules.t_plus_one)
        share = 0.5 + 0.5 * lr.propensity
        qty = held if share >= 0.999 else int(held * share / self.lot) * self.lot
        return OrderRequest(self.symbol, Side.SELL, qty) if qty > 0 else None

    def _send(self, lr: _Learner, request: OrderRequest) -> None:
        """Submit now; a refusal (halt, locked limit-down) is retried later, as a panicking learner would."""
        if self.market.finished:
            return
        held = self.market.account(lr.account_id).held(self.symbol)
        request = OrderRequest(self.symbol, Side.SELL, min(request.qty, held))
        if request.qty <= 0:
            return
        try:
            self.market.submit(lr.account_id, request)
            lr.panic_sells += 1
        except OrderRejected:
            self.at(self.market.t_step + self.cfg.retry_steps, lambda: self._send(lr, request))

    def _panic(self, lr: _Learner, k: int) -> None:
        request = self._sell_request(lr)
        if request is None:
            return
        lr.panic_intents += 1
        if lr.cooling is not None and lr.cooling.active:
            lr.cooling.submit(request, self.market.t_step * 60.0)  # refused: one hold at a time
            lr.dropped_busy += 1
            return
        if not lr.intervention:
            self._send(lr, request)
            return
        assert lr.radar is not None and lr.cooling is not None
        t, now_s = self.market.t_step, self.market.t_step * 60.0
        held = self.market.account(lr.account_id).held(self.symbol)
        lr.radar.order_submitted(t, request, held)
        has_voice = lr.draws[k, 1] * 7 % 1 < self.cfg.response.voice_consent_p  # an independent-looking draw
        voice = VoiceSignal(min(1.0, 0.3 + 0.6 * lr.propensity), 0.7) if has_voice else None
        state = fuse(voice, None, lr.radar.reading(t))
        actions = gate_order(lr.cooling, request, state, held, now_s, self.crashes[-1] * 60.0)
        if any(isinstance(a, Execute) for a in actions):
            self._send(lr, request)
            return
        lr.held += 1
        resp = self.cfg.response
        breathed = lr.draws[k, 1] < resp.breathing_completion_p
        if breathed:
            lr.cooling.start_breathing(now_s)
        cool_steps = math.ceil(self.cfg.cooling_off_min)
        self.at(t + cool_steps, lambda: self._decide(lr, k, breathed, request))

    def _decide(self, lr: _Learner, k: int, breathed: bool, request: OrderRequest) -> None:
        assert lr.cooling is not None
        now_s = self.market.t_step * 60.0
        lr.cooling.tick(now_s)
        resp = self.cfg.response
        if lr.draws[k, 2] < resp.no_response_p:
            lr.cooling.tick(lr.cooling.expires_at_s)
            lr.expired += lr.cooling.state is CoolingState.EXPIRED
        elif lr.draws[k, 3] < resp.p_cancel(lr.propensity, breathed):
            lr.cooling.cancel(now_s)
            lr.cancelled += 1
        else:
            actions = lr.cooling.confirm(now_s)
            if any(isinstance(a, Execute) for a in actions):
                lr.confirmed += 1
                self._send(lr, request)

    def run(self) -> list[_Learner]:
        m = self.market
        while not m.finished:
            due = self.queue[0][0] if self.queue else m.t_step + self.cfg.reaction_steps
            m.advance(max(1, min(due - m.t_step, self.cfg.reaction_steps)))
            while self.queue and self.queue[0][0] <= m.t_step:
                heapq.heappop(self.queue)[2]()
        prices = m.prices
        for lr in self.learners:
            account = m.account(lr.account_id)
            lr.pnl = account.equity(prices) - account.deposits
            lr.deposit = account.deposits
        return self.learners


def run_market(scenario_id: str, seed: int, n_learners: int, cfg: StudyConfig, first_index: int = 0,
               context=()) -> list[_Learner]:
    """One market with ``n_learners`` learners, each in both arms (2 × n accounts)."""
    learners = []
    for j in range(n_learners):
        i = first_index + j
        rng = np.random.default_rng([cfg.seed, seed, i])
        learners.append((i, cfg.propensities[i % len(cfg.propensities)], rng.random((_MAX_EVENTS, 4))))
    return _Run(scenario_id, seed, learners, cfg, context).run()


def _summary(pairs: list[tuple[int, _Learner, _Learner]], cfg: StudyConfig, rng: np.random.Generator) -> dict:
    """Counts and the paired P&L difference with a cluster bootstrap over markets (95 %)."""
    without = sum(w.panic_sells for _, w, _ in pairs)
    with_ = sum(x.panic_sells for _, _, x in pairs)
    clusters: dict[int, list[float]] = {}
    for cluster, w, x in pairs:
        clusters.setdefault(cluster, []).append(x.pnl - w.pnl)
    sums = np.array([sum(v) for v in clusters.values()])
    counts = np.array([len(v) for v in clusters.values()])
    diffs = np.concatenate([np.array(v) for v in clusters.values()]) if clusters else np.zeros(0)
    idx = rng.integers(0, len(sums), (cfg.bootstrap, len(sums))) if len(sums) else np.zeros((0, 0), int)
    boots = sums[idx].sum(1) / counts[idx].sum(1) if len(sums) else np.zeros(1)
    deposits = float(np.mean([w.deposit for _, w, _ in pairs])) if pairs else 1.0
    return {
        "learners": len(pairs),
        "panic_intents_without": sum(w.panic_intents for _, w, _ in pairs),
        "panic_intents_with": sum(x.panic_intents for _, _, x in pairs),
        "panic_sells_without": without,
        "panic_sells_with": with_,
        "panic_sell_reduction": round(1 - with_ / without, 4) if without else None,
        "held": sum(x.held for _, _, x in pairs),
        "cancelled": sum(x.cancelled for _, _, x in pairs),
        "confirmed": sum(x.confirmed for _, _, x in pairs),
        "expired": sum(x.expired for _, _, x in pairs),
        "dropped_busy": sum(x.dropped_busy for _, _, x in pairs),
        "pnl_diff_mean": round(float(diffs.mean()), 2) if len(diffs) else 0.0,
        "pnl_diff_ci95": [round(float(np.percentile(boots, 2.5)), 2), round(float(np.percentile(boots, 97.5)), 2)],
        "pnl_diff_pct_of_deposit_mean": round(float(diffs.mean()) / deposits * 100, 3) if len(diffs) else 0.0,
        "markets": len(sums),
    }


def run_study(cfg: StudyConfig | None = None) -> dict:
    """Both arms over every scenario; returns the JSON-ready report (totals, per-scenario rows, assumptions)."""
    cfg = cfg or StudyConfig()
    context = past_drawdowns(prefer_twin=True)
    per_scenario = max(1, math.ceil(cfg.learners_per_arm / len(cfg.scenarios)))
    all_pairs, rows = [], []
    cluster = 0
    rng = np.random.default_rng(cfg.seed)
    for scenario_id in cfg.scenarios:
        pairs = []
        done, seed = 0, 0
        while done < per_scenario:
            n = min(cfg.learners_per_market, per_scenario - done)
            learners = run_market(scenario_id, cfg.seed * 10_007 + seed, n, cfg, done, context)
            by_index: dict[int, dict[bool, _Learner]] = {}
            for lr in learners:
                by_index.setdefault(lr.index, {})[lr.intervention] = lr
            pairs += [(cluster, arms[False], arms[True]) for arms in by_index.values()]
            done, seed, cluster = done + n, seed + 1, cluster + 1
        row = {"scenario": scenario_id, **_summary(pairs, cfg, rng)}
        row["intervention_helped_pnl"] = row["pnl_diff_ci95"][0] > 0
        row["intervention_hurt_pnl"] = row["pnl_diff_ci95"][1] < 0
        log.info("study %s: %s", scenario_id, row)
        rows.append(row)
        all_pairs += pairs
    return {
        "simulated": True,
        "note": "simulated learners; the response to a cooling-off is an assumption, not a measurement on people",
        **_summary(all_pairs, cfg, rng),
        "scenarios": rows,
        "assumptions": {
            "response_model": asdict(cfg.response),
            "propensities": list(cfg.propensities),
            "panic_rule": "at each crash event a learner panics with p = propensity and sells (0.5 + 0.5 x "
                          "propensity) of the holding after reaction_steps; refused sells are retried",
            "invest_share": cfg.invest_share,
            "reaction_steps": cfg.reaction_steps,
            "cooling_off_min": cfg.cooling_off_min,
            "expiry_min": cfg.expiry_min,
            "voice_distress_p": "0.3 + 0.6 x propensity at confidence 0.7 when consented",
            "ci": "95% cluster bootstrap over markets (learners in one market share its prices)",
        },
        "config": {"learners_per_arm": cfg.learners_per_arm, "learners_per_market": cfg.learners_per_market,
                   "scenarios": list(cfg.scenarios), "seed": cfg.seed, "bootstrap": cfg.bootstrap},
    }
