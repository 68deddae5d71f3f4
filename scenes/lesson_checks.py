"""Did the learner do what the lesson taught? Pure checks over a real market and one account.

A lesson's task names a check here (``task.check = "placed_stop_loss"``) with parameters from its TOML
file. Each check reads only what the market already records (fills with their ``protected``/``panic``
flags, the account's closing weights, order records, daily candles), so the same run the learner saw
is what gets graded: no separate bookkeeping that could disagree with the market wall.

Every check returns a ``CheckResult`` with ``passed``, a 0–100 ``score`` and ``details`` (the numbers
behind the verdict, for the report card and the catalogue message ``check.<name>.pass|fail``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from vbranch.market_sim.account import Account, TradeRecord
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind

__all__ = ["CheckResult", "CheckFn", "CHECKS", "register_check", "check_params", "run_check"]

log = logging.getLogger(__name__)

CheckFn = Callable[..., "CheckResult"]
CHECKS: dict[str, CheckFn] = {}
_RESERVED = ("market", "account_id", "answer")


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one task: ``score`` is 0–100; ``details`` holds the numbers behind it."""

    check: str
    passed: bool
    score: float
    details: dict = field(default_factory=dict)

    @property
    def message_key(self) -> str:
        """Catalogue key of the learner's feedback (``check.placed_stop_loss.pass``)."""
        return f"check.{self.check}.{'pass' if self.passed else 'fail'}"

    def to_dict(self) -> dict:
        return {"check": self.check, "passed": self.passed, "score": self.score, "details": self.details,
                "message_key": self.message_key}


def register_check(fn: CheckFn) -> CheckFn:
    """Add a check under its function name; lesson files can then name it."""
    CHECKS[fn.__name__] = fn
    return fn


def check_params(name: str) -> dict[str, object]:
    """The parameters a check accepts (name → default), so the lesson loader can reject typos."""
    sig = inspect.signature(CHECKS[name])
    return {p.name: p.default for p in sig.parameters.values() if p.name not in _RESERVED}


def run_check(name: str, market: Market, account_id: str, params: dict | None = None,
              answer: str | None = None) -> CheckResult:
    """Run a registered check; ``answer`` is the learner's reply for observation tasks (read_candle)."""
    return CHECKS[name](market, account_id, answer=answer, **(params or {}))


def _result(name: str, passed: bool, score: float, **details: object) -> CheckResult:
    return CheckResult(name, bool(passed), round(max(0.0, min(100.0, score)), 2), details)


def _symbol(market: Market, symbol: str) -> str:
    """``"index"`` means the scenario's index instrument, whatever its code."""
    return market.universe.index.symbol if symbol == "index" else symbol


def _buys(account: Account) -> list[TradeRecord]:
    return [t for t in account.trades if t.side == "buy"]


def _orders(market: Market, account_id: str, *kinds: OrderKind) -> list:
    return [o for o in market.desk.orders.values() if o.account_id == account_id and o.kind in kinds]


def _holding_weights(market: Market, account: Account) -> list[dict[str, float]]:
    """Holdings' weights at every close plus now (cash left out)."""
    curves = [*account.weights_curve, account.weights(market.prices)]
    return [{k: w for k, w in weights.items() if k != "cash" and w > 0} for weights in curves]


# ----- observation tasks ----------------------------------------------------------------------------
@register_check
def read_candle(market: Market, account_id: str, answer: str | None = None, symbol: str = "index",
                day: int = -1) -> CheckResult:
    """The learner says whether a closed daily candle is a rising (阳线, "up") or falling ("down") one."""
    bars = market.bars(_symbol(market, symbol), include_today=False)
    if not bars:
        return _result("read_candle", False, 0, reason="no_closed_candle", truth="")
    bar = bars[day]
    truth = "up" if bar.close >= bar.open else "down"
    given = (answer or "").strip().lower()
    return _result("read_candle", given == truth, 100 if given == truth else 0, answer=given, truth=truth,
                   day=bar.day, open=round(bar.open, 4), close=round(bar.close, 4))


@register_check
def identify_regime(market: Market, account_id: str, answer: str | None = None, symbol: str = "index",
                    threshold_pct: float = 3.0) -> CheckResult:
    """The learner names the market so far: "bull" (index up > threshold), "bear" (down) or "sideways"."""
    bars = market.bars(_symbol(market, symbol), include_today=False)
    if len(bars) < 2:
        return _result("identify_regime", False, 0, reason="too_few_days", change_pct=0.0, days=len(bars))
    change_pct = 100 * (bars[-1].close / bars[0].open - 1)
    truth = "bull" if change_pct > threshold_pct else "bear" if change_pct < -threshold_pct else "sideways"
    given = (answer or "").strip().lower()
    return _result("identify_regime", given == truth, 100 if given == truth else 0, answer=given, truth=truth,
                   change_pct=round(change_pct, 2), days=len(bars))


# ----- protecting positions -------------------------------------------------------------------------
@register_check
def placed_stop_loss(market: Market, account_id: str, answer: str | None = None,
                     min_fraction: float = 1.0) -> CheckResult:
    """Every symbol bought was protected: a bracket stop on the buy, or a stop/trailing order on it."""
    account = market.account(account_id)
    bought = sorted({t.symbol for t in _buys(account)})
    if not bought:
        return _result("placed_stop_loss", False, 0, bought=0, protected=0)
    stopped = {o.symbol for o in _orders(market, account_id, OrderKind.STOP_LOSS, OrderKind.TRAILING_STOP)}
    stopped |= {t.symbol for t in _buys(account) if t.protected}
    fraction = sum(s in stopped for s in bought) / len(bought)
    return _result("placed_stop_loss", fraction >= min_fraction, 100 * fraction, bought=len(bought),
                   protected=sum(s in stopped for s in bought))


def _realised_gain_pct(account: Account, sell: TradeRecord) -> float:
    """Sell price against the average price of the earlier buys of that symbol (fees ignored)."""
    buys = [t for t in account.trades if t.side == "buy" and t.symbol == sell.symbol and t.t_step <= sell.t_step]
    qty = sum(t.qty for t in buys)
    if qty == 0:
        return 0.0
    avg = sum(t.qty * t.price for t in buys) / qty
    return 100 * (sell.price / avg - 1)


@register_check
def took_profit(market: Market, account_id: str, answer: str | None = None, min_gain_pct: float = 1.0,
                reasons: tuple[str, ...] | list[str] = ("take_profit", "trailing_stop")) -> CheckResult:
    """A planned exit (take-profit or trailing stop) sold at a gain of at least ``min_gain_pct``."""
    account = market.account(account_id)
    exits = [t for t in account.trades if t.side == "sell" and t.reason in tuple(reasons)]
    gains = [_realised_gain_pct(account, t) for t in exits]
    best = max(gains, default=0.0)
    passed = any(g >= min_gain_pct for g in gains)
    return _result("took_profit", passed, 100 if passed else 50 * bool(exits), planned_exits=len(exits),
                   best_gain_pct=round(best, 2))


@register_check
def trailing_stop_used(market: Market, account_id: str, answer: str | None = None, min_trail_pct: float = 2.0,
                       max_trail_pct: float = 20.0) -> CheckResult:
    """A trailing stop with a sensible distance was placed on a symbol the learner held."""
    account = market.account(account_id)
    held = {t.symbol for t in _buys(account)}
    trails = [o for o in _orders(market, account_id, OrderKind.TRAILING_STOP) if o.symbol in held]
    sensible = [o for o in trails if min_trail_pct <= (o.request.trail_pct or 0) <= max_trail_pct]
    return _result("trailing_stop_used", bool(sensible), 100 if sensible else 30 * bool(trails),
                   trailing_stops=len(trails), sensible=len(sensible),
                   trail_pct=[o.request.trail_pct for o in trails])


# ----- sizing and allocation ------------------------------------------------------------------------
@register_check
def position_size_within(market: Market, account_id: str, answer: str | None = None, max_pct: float = 20.0,
                         min_invested_pct: float = 5.0) -> CheckResult:
    """No single holding ever exceeded ``max_pct`` of equity at a close (or now), and money was invested."""
    account = market.account(account_id)
    curves = _holding_weights(market, account)
    largest_pct = 100 * max((max(w.values(), default=0.0) for w in curves), default=0.0)
    invested_pct = 100 * max((sum(w.values()) for w in curves), default=0.0)
    passed = largest_pct <= max_pct + 1e-9 and invested_pct >= min_invested_pct
    score = 0.0 if invested_pct < min_invested_pct else 100 - 2 * max(0.0, largest_pct - max_pct)
    return _result("position_size_within", passed, score, largest_pct=round(largest_pct, 2),
                   invested_pct=round(invested_pct, 2), max_pct=max_pct)


@register_check
def diversified(market: Market, account_id: str, answer: str | None = None, min_holdings: int = 3,
                max_weight_pct: float = 40.0, min_asset_classes: int = 2) -> CheckResult:
    """Now: at least ``min_holdings`` holdings across ``min_asset_classes`` classes, none above the cap.

    Weights are shares of the invested money, so a learner half in cash is judged on how the invested
    half is spread.
    """
    account = market.account(account_id)
    weights = _holding_weights(market, account)[-1]
    total = sum(weights.values())
    shares = {s: w / total for s, w in weights.items()} if total > 0 else {}
    classes = {market.universe.get(s).asset_class.value for s in shares}
    largest_pct = 100 * max(shares.values(), default=0.0)
    checks = (len(shares) >= min_holdings, largest_pct <= max_weight_pct + 1e-9, len(classes) >= min_asset_classes)
    return _result("diversified", all(checks), 100 * sum(checks) / 3 if shares else 0, holdings=len(shares),
                   asset_classes=len(classes), largest_pct=round(largest_pct, 2))


# ----- behaviour over time --------------------------------------------------------------------------
@register_check
def no_panic_sell_through_crash(market: Market, account_id: str, answer: str | None = None,
                                bought_by_day: int = 3, min_invested_pct: float = 30.0) -> CheckResult:
    """Invested before the fall, never sold in a panic, and still invested at the end."""
    account = market.account(account_id)
    early = [t for t in _buys(account) if t.day <= bought_by_day]
    panic = sum(t.panic for t in account.trades)
    invested_pct = 100 * sum(_holding_weights(market, account)[-1].values())
    passed = bool(early) and panic == 0 and invested_pct >= min_invested_pct
    score = (40 * bool(early) + 30 * (panic == 0) + 30 * (invested_pct >= min_invested_pct)) if early else 0
    return _result("no_panic_sell_through_crash", passed, score, early_buys=len(early), panic_sells=panic,
                   invested_pct=round(invested_pct, 2))


@register_check
def regular_investing(market: Market, account_id: str, answer: str | None = None, n_buys: int = 4,
                      spacing_days: int = 5, tolerance_days: int = 1) -> CheckResult:
    """定投: at least ``n_buys`` buys on a steady schedule (gaps of ``spacing_days`` ± tolerance)."""
    days = sorted({t.day for t in _buys(market.account(account_id))})
    longest, run = (1, 1) if days else (0, 0)
    for before, after in zip(days, days[1:], strict=False):
        run = run + 1 if abs(after - before - spacing_days) <= tolerance_days else 1
        longest = max(longest, run)
    return _result("regular_investing", longest >= n_buys, 100 * min(1.0, longest / n_buys), buy_days=days,
                   longest_schedule=longest)


@register_check
def avoided_herding(market: Market, account_id: str, answer: str | None = None, run_up_pct: float = 8.0,
                    lookback_days: int = 5, max_trades: int = 10) -> CheckResult:
    """No buy right after a hot run (≥ ``run_up_pct`` over ``lookback_days``) and no over-trading.

    Chasing what everyone is buying (追涨, herding) and trading often are the two biases the lesson
    names; a learner who never traded learnt neither lesson, so at least one buy is required.
    """
    account = market.account(account_id)
    chased = []
    for t in _buys(account):
        closes = [b.close for b in market.history[t.symbol][: t.day]][-lookback_days:]
        if closes and 100 * (t.price / closes[0] - 1) >= run_up_pct:
            chased.append(t.symbol)
    buys, trades = len(_buys(account)), len(account.trades)
    passed = buys > 0 and not chased and trades <= max_trades
    score = 0 if not buys else 100 - 50 * bool(chased) - 50 * (trades > max_trades)
    return _result("avoided_herding", passed, score, chased=chased, trades=trades, max_trades=max_trades)
