"""The interface between the market and whatever fills orders: quotes or a limit-order book.

The market owns accounts, rules and conditional orders; a venue only turns fundamental prices into
traded prices and orders into executions. Two venues implement it: ``QuoteVenue`` (fast, a spread
plus square-root impact) and ``BookVenue`` (a limit-order book with background traders, where a
class panic-selling really moves the price).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["Execution", "Venue", "NoLiquidity"]


@dataclass(frozen=True)
class Execution:
    """Part or all of one learner order, filled at ``price`` per share."""

    order_id: int
    qty: int
    price: float


class NoLiquidity(Exception):
    """Nothing to trade against right now (e.g. selling into a locked limit-down)."""

    def __init__(self, reason_key: str) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key


class Venue(Protocol):
    def open_day(self, bands: np.ndarray) -> None:
        """Start a trading day; ``bands`` is (N, 2) limit-down/limit-up prices (0/inf when none)."""

    def update(self, fundamentals: np.ndarray, halted: np.ndarray) -> list[Execution]:
        """Advance one step. Returns learners' resting orders that filled; ``prices`` is updated."""

    @property
    def prices(self) -> np.ndarray:
        """Last traded price per instrument."""

    @property
    def step_volume(self) -> np.ndarray:
        """Shares traded per instrument in the last step (background plus learners)."""

    def quote(self, idx: int, side: int, qty: int) -> float:
        """The average price a market order of ``qty`` would get now (raises NoLiquidity)."""

    def execute_market(self, order_id: int, owner: int, idx: int, side: int, qty: int) -> list[Execution]:
        """Fill a market order now, immediate-or-cancel (raises NoLiquidity when nothing can fill)."""

    def place_limit(self, order_id: int, owner: int, idx: int, side: int, qty: int, price: float) -> list[Execution]:
        """Place a limit order; returns any immediate fills, the rest rests."""

    def cancel(self, order_id: int) -> int:
        """Remove a resting order; returns the quantity removed."""
