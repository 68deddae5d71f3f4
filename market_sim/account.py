"""A learner's simulated brokerage account: cash, positions, costs, P&L and the equity curve.

Cost basis includes buy fees, so realised + unrealised P&L always equals equity minus deposits
(``check_conservation`` asserts it); a teacher can trust the leaderboard's numbers to add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Position", "TradeRecord", "Account", "ConservationError"]


class ConservationError(AssertionError):
    """Cash, positions and P&L disagree: a simulator bug, never a learner error."""


@dataclass
class Position:
    qty: int = 0
    avg_cost: float = 0.0  # per share, including buy fees
    realised_pnl: float = 0.0
    bought_today: int = 0  # not sellable under T+1 until the next trading day
    reserved_qty: int = 0  # held by resting limit sells

    def unrealised_pnl(self, price: float) -> float:
        return self.qty * (price - self.avg_cost)


@dataclass(frozen=True)
class TradeRecord:
    """One fill, kept for metrics (discipline score, panic-sell detection) and reports."""

    t_step: int
    day: int
    symbol: str
    side: str
    qty: int
    price: float
    fees: float
    reason: str  # "order", "stop_loss", "take_profit", "trailing_stop"
    protected: bool  # a stop-loss or trailing stop was attached or armed on this symbol
    panic: bool = False  # a manual sell into a sharp fall (see metrics.is_panic_sell)


@dataclass
class Account:
    """Money in the market's currency; quantities in shares."""

    account_id: str
    cash: float
    deposits: float = 0.0
    positions: dict[str, Position] = field(default_factory=dict)
    reserved_cash: float = 0.0
    fees_paid: float = 0.0
    trades: list[TradeRecord] = field(default_factory=list)
    equity_curve: list[tuple[int, float]] = field(default_factory=list)  # (day, equity at the close)
    weights_curve: list[dict[str, float]] = field(default_factory=list)  # holdings' weights at each close

    def __post_init__(self) -> None:
        if self.cash < 0:
            raise ValueError(f"starting cash must be >= 0, got {self.cash}")
        if not self.deposits:
            self.deposits = self.cash

    @property
    def available_cash(self) -> float:
        return self.cash - self.reserved_cash

    def position(self, symbol: str) -> Position:
        return self.positions.setdefault(symbol, Position())

    def held(self, symbol: str) -> int:
        pos = self.positions.get(symbol)
        return pos.qty if pos else 0

    def sellable(self, symbol: str, t_plus_one: bool) -> int:
        pos = self.positions.get(symbol)
        if pos is None:
            return 0
        locked = pos.bought_today if t_plus_one else 0
        return max(0, pos.qty - pos.reserved_qty - locked)

    def apply_fill(self, record: TradeRecord) -> None:
        """Book one fill. The caller has already checked cash and position."""
        pos = self.position(record.symbol)
        notional = record.qty * record.price
        if record.side == "buy":
            cost = notional + record.fees
            pos.avg_cost = (pos.avg_cost * pos.qty + cost) / (pos.qty + record.qty)
            pos.qty += record.qty
            pos.bought_today += record.qty
            self.cash -= cost
        else:
            if record.qty > pos.qty:
                raise ConservationError(f"{self.account_id}: selling {record.qty} {record.symbol}, holding {pos.qty}")
            proceeds = notional - record.fees
            pos.realised_pnl += proceeds - pos.avg_cost * record.qty
            pos.qty -= record.qty
            pos.bought_today = min(pos.bought_today, pos.qty)
            self.cash += proceeds
            if pos.qty == 0:
                pos.avg_cost = 0.0
        self.fees_paid += record.fees
        self.trades.append(record)

    def new_day(self) -> None:
        """T+1: yesterday's purchases become sellable."""
        for pos in self.positions.values():
            pos.bought_today = 0

    def market_value(self, prices: dict[str, float]) -> float:
        return sum(pos.qty * prices[sym] for sym, pos in self.positions.items() if pos.qty)

    def equity(self, prices: dict[str, float]) -> float:
        return self.cash + self.market_value(prices)

    def realised_pnl(self) -> float:
        return sum(pos.realised_pnl for pos in self.positions.values())

    def unrealised_pnl(self, prices: dict[str, float]) -> float:
        return sum(pos.unrealised_pnl(prices[sym]) for sym, pos in self.positions.items() if pos.qty)

    def weights(self, prices: dict[str, float]) -> dict[str, float]:
        """Share of equity in each holding and in cash (sums to 1)."""
        equity = self.equity(prices)
        if equity <= 0:
            return {"cash": 1.0}
        out = {sym: pos.qty * prices[sym] / equity for sym, pos in self.positions.items() if pos.qty}
        out["cash"] = self.cash / equity
        return out

    def check_conservation(self, prices: dict[str, float], tol: float = 1e-6) -> None:
        """Equity − deposits must equal realised + unrealised P&L; cash and holdings never negative."""
        lhs = self.equity(prices) - self.deposits
        rhs = self.realised_pnl() + self.unrealised_pnl(prices)
        if abs(lhs - rhs) > tol * max(1.0, abs(self.deposits)):
            raise ConservationError(f"{self.account_id}: equity-deposits {lhs:.6f} != P&L {rhs:.6f}")
        if self.cash < -1e-6:
            raise ConservationError(f"{self.account_id}: negative cash {self.cash:.2f}")
        if self.reserved_cash < -1e-6 or self.reserved_cash > self.cash + 1e-6:
            raise ConservationError(
                f"{self.account_id}: reserved cash {self.reserved_cash:.2f} vs cash {self.cash:.2f}")
        for sym, pos in self.positions.items():
            if pos.qty < 0 or pos.reserved_qty > pos.qty:
                raise ConservationError(f"{self.account_id}: {sym} qty {pos.qty} reserved {pos.reserved_qty}")
