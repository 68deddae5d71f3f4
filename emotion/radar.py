"""Behaviour radar (情绪雷达): anxiety and greed read from what a learner does, not what they say.

Five axes, each 0..1, each a pure function of a few numbers so a teacher can be told why:

- ``order_rate``: orders submitted in the last window compared with a calm pace.
- ``sell_after_drop``: the largest share of a holding a learner tried to sell soon after a crash event.
- ``stop_cancel``: stop-losses cancelled while the account is in a drawdown (removing the seat belt).
- ``concentration``: how much of equity sits in one holding.
- ``revenge``: buying again soon after selling at a loss (trying to win it back).

The radar listens to the market's event bus (``observe``) for crashes, fills and drawdowns, and the
shell tells it about submissions and cancels (``order_submitted``/``order_cancelled``), which the bus
does not carry. Time is the market's step counter (one step is one market minute in the scenarios).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

from vbranch.emotion.signals import BehaviourSignal
from vbranch.market_sim.events import CrashStarted, DrawdownCrossed, Filled, MarketEvent
from vbranch.market_sim.orders import OrderKind, OrderRequest, Side

__all__ = [
    "RadarConfig",
    "BehaviourRadar",
    "order_rate_score",
    "sell_after_drop_score",
    "concentration_score",
    "combine",
]

log = logging.getLogger(__name__)

AXES = ("order_rate", "sell_after_drop", "stop_cancel", "concentration", "revenge")
_ANXIETY_WEIGHTS = {"order_rate": 0.4, "sell_after_drop": 0.85, "stop_cancel": 0.7}
_GREED_WEIGHTS = {"concentration": 0.6, "revenge": 0.7}


@dataclass(frozen=True)
class RadarConfig:
    """Windows in market steps; ``calm_orders_per_window`` is the pace that scores 0."""

    window_steps: int = 30
    calm_orders_per_window: int = 2
    spike_orders_per_window: int = 8
    after_crash_steps: int = 120
    drawdown_pct: float = 5.0
    revenge_steps: int = 60
    memory_steps: int = 240


def order_rate_score(n_recent: int, calm: int, spike: int) -> float:
    """0 at or below the calm pace, 1 at the spike pace, linear between."""
    if spike <= calm:
        raise ValueError(f"spike ({spike}) must exceed calm ({calm})")
    return min(1.0, max(0.0, (n_recent - calm) / (spike - calm)))


def sell_after_drop_score(sell_qty: int, held_qty: int, full_share: float = 0.5) -> float:
    """Share of the holding sold (or asked to be sold) over ``full_share``: dumping half or more right
    after a crash is already the whole signal, a tenth is a fifth of it."""
    return 0.0 if held_qty <= 0 else min(1.0, sell_qty / held_qty / full_share)


def concentration_score(weights: dict[str, float]) -> float:
    """0 when the largest holding is ≤ 40 % of equity, 1 when all of it is in one holding."""
    top = max((w for k, w in weights.items() if k != "cash"), default=0.0)
    return min(1.0, max(0.0, (top - 0.4) / 0.6))


def combine(scores: dict[str, float], weights: dict[str, float]) -> float:
    """Noisy-OR: each axis is independent evidence, ``1 − Π(1 − w·s)``."""
    keep = 1.0
    for axis, w in weights.items():
        keep *= 1 - w * scores.get(axis, 0.0)
    return 1 - keep


class BehaviourRadar:
    """One learner's radar. Feed it events and order actions; ask ``reading(t_step)`` any time."""

    def __init__(self, account_id: str, config: RadarConfig | None = None) -> None:
        self.account_id = account_id
        self.config = config or RadarConfig()
        self._submits: deque[int] = deque()
        self._last_crash_step: int | None = None
        self._panic_sells: deque[tuple[int, float]] = deque()  # (t_step, share of holding)
        self._stop_cancels: deque[int] = deque()
        self._loss_sell_step: int | None = None
        self._revenge_buys: deque[int] = deque()
        self._drawdown_pct = 0.0
        self._held: dict[str, int] = {}
        self._avg_cost: dict[str, float] = {}
        self._weights: dict[str, float] = {}

    # ----- inputs ---------------------------------------------------------------------------------
    def observe(self, event: MarketEvent) -> None:
        """Subscribe this to ``market.bus``: crashes, this account's fills and drawdowns."""
        if isinstance(event, CrashStarted):
            self._last_crash_step = event.t_step
        elif isinstance(event, DrawdownCrossed) and event.account_id == self.account_id:
            self._drawdown_pct = max(self._drawdown_pct, event.drawdown_pct)
        elif isinstance(event, Filled) and event.account_id == self.account_id:
            self._on_fill(event)

    def _on_fill(self, fill: Filled) -> None:
        held = self._held.get(fill.symbol, 0)
        if fill.side == Side.BUY.value:
            cost = self._avg_cost.get(fill.symbol, 0.0)
            self._avg_cost[fill.symbol] = (cost * held + fill.price * fill.qty) / (held + fill.qty)
            self._held[fill.symbol] = held + fill.qty
            if self._loss_sell_step is not None and fill.t_step - self._loss_sell_step <= self.config.revenge_steps:
                self._revenge_buys.append(fill.t_step)
                log.info("radar %s: buy %d steps after a losing sell (revenge axis)", self.account_id,
                         fill.t_step - self._loss_sell_step)
        else:
            if fill.price < self._avg_cost.get(fill.symbol, 0.0):
                self._loss_sell_step = fill.t_step
            self._held[fill.symbol] = max(0, held - fill.qty)

    def order_submitted(self, t_step: int, request: OrderRequest, held_qty: int | None = None) -> None:
        """The learner asked for an order (counted even if it is later held, rejected or cancelled)."""
        self._submits.append(t_step)
        crash = self._last_crash_step
        if request.side is Side.SELL and crash is not None and 0 <= t_step - crash <= self.config.after_crash_steps:
            held = self._held.get(request.symbol, 0) if held_qty is None else held_qty
            share = sell_after_drop_score(request.qty, held)
            self._panic_sells.append((t_step, share))
            log.info("radar %s: sell of %.0f%% of %s %d steps after a crash", self.account_id, 100 * share,
                     request.symbol, t_step - crash)

    def order_cancelled(self, t_step: int, kind: OrderKind) -> None:
        """The learner cancelled an order; a stop-loss cancelled in a drawdown lights the stop_cancel axis."""
        if kind in (OrderKind.STOP_LOSS, OrderKind.TRAILING_STOP) and self._drawdown_pct >= self.config.drawdown_pct:
            self._stop_cancels.append(t_step)
            log.info("radar %s: stop cancelled in a %.1f%% drawdown", self.account_id, self._drawdown_pct)

    def set_weights(self, weights: dict[str, float]) -> None:
        """Holdings' weights (``Account.weights(prices)``), for the concentration axis."""
        self._weights = dict(weights)

    # ----- output ---------------------------------------------------------------------------------
    def _forget(self, t_step: int) -> None:
        horizon = t_step - self.config.memory_steps
        for queue in (self._submits, self._stop_cancels, self._revenge_buys):
            while queue and queue[0] < horizon:
                queue.popleft()
        while self._panic_sells and self._panic_sells[0][0] < horizon:
            self._panic_sells.popleft()

    def reading(self, t_step: int) -> BehaviourSignal:
        """The radar now: per-axis scores, overall anxiety and greed, and how much it has seen."""
        cfg = self.config
        self._forget(t_step)
        recent = sum(1 for s in self._submits if t_step - s <= cfg.window_steps)
        scores = {
            "order_rate": order_rate_score(recent, cfg.calm_orders_per_window, cfg.spike_orders_per_window),
            "sell_after_drop": max((share for _, share in self._panic_sells), default=0.0),
            "stop_cancel": min(1.0, float(len(self._stop_cancels))),
            "concentration": concentration_score(self._weights),
            "revenge": min(1.0, len(self._revenge_buys) / 2),
        }
        evidence = min(1.0, (len(self._submits) + len(self._stop_cancels)) / 2 + (0.5 if self._weights else 0.0))
        signal = BehaviourSignal(
            axes={k: round(v, 4) for k, v in scores.items()},
            anxiety_p=round(combine(scores, _ANXIETY_WEIGHTS), 4),
            greed_p=round(combine(scores, _GREED_WEIGHTS), 4),
            evidence=round(evidence, 4),
        )
        log.debug("radar %s at step %d: %s", self.account_id, t_step, signal)
        return signal
