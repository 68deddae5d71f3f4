"""Everything a market needs to start, as one frozen value, and the factories that build its parts.

Scenario files (``vbranch.scenes``) produce a ``MarketConfig``; the client, the server and the tests all
build markets from one, so a classroom contest and a single learner see the same rules and prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from vbranch.market_sim.history import DailyBars
from vbranch.market_sim.instruments import Universe
from vbranch.market_sim.process import PriceProcess, ProcessSpec
from vbranch.market_sim.quote import QuoteParams, QuoteVenue
from vbranch.market_sim.rules import MarketRules

__all__ = ["ReplaySource", "MarketConfig", "build_process", "build_venue"]


@dataclass(frozen=True)
class ReplaySource:
    """Daily bars that drive the universe's index instrument, and how to label them in the UI.

    ``kind`` is "real" (a CSV from the data directory) or "twin" (a calibrated stylised twin).
    """

    bars: DailyBars
    kind: Literal["real", "twin"]
    source_name: str


@dataclass(frozen=True)
class MarketConfig:
    """A market's setup. ``days`` None runs forever; replays end with their data."""

    universe: Universe
    rules: MarketRules
    process: ProcessSpec | None = None
    replay: ReplaySource | None = None
    steps_per_day: int = 240
    seconds_per_day: float = 30.0
    days: int | None = None
    fill_mode: Literal["quote", "book"] = "quote"
    starting_cash: float = 100_000.0
    drawdown_thresholds_pct: tuple[float, ...] = (5.0, 10.0, 20.0)
    quote: QuoteParams = field(default_factory=QuoteParams)

    def __post_init__(self) -> None:
        if (self.process is None) == (self.replay is None):
            raise ValueError("a market needs exactly one of process (simulated) or replay (historical)")
        if self.steps_per_day < 1:
            raise ValueError(f"steps_per_day must be >= 1, got {self.steps_per_day}")
        if not self.seconds_per_day > 0:
            raise ValueError(f"seconds_per_day must be > 0, got {self.seconds_per_day}")
        if self.fill_mode not in ("quote", "book"):
            raise ValueError(f"fill_mode must be 'quote' or 'book', got {self.fill_mode!r}")
        if self.starting_cash < 0:
            raise ValueError(f"starting_cash must be >= 0, got {self.starting_cash}")

    @property
    def data_labels(self) -> tuple[tuple[str, dict], ...]:
        """Catalogue keys (with parameters) that tell the learner where the prices come from."""
        if self.replay is None:
            return (("label.simulated", {}),)
        if self.replay.kind == "twin":
            return (("label.stylised_twin", {}), ("label.simulated", {}))
        return (("label.real_replay", {"source": self.replay.source_name}), ("label.interpolated", {}))


def build_process(config: MarketConfig, seed: np.random.SeedSequence):
    """The fundamental price process: simulated, or a replay of daily bars."""
    if config.replay is not None:
        from vbranch.market_sim.replay_process import ReplayProcess

        return ReplayProcess(config.replay.bars, config.universe, config.steps_per_day, seed)
    return PriceProcess(config.process, tuple(config.universe), config.steps_per_day, seed)


def build_venue(config: MarketConfig, rng: np.random.Generator, start_prices: np.ndarray):
    vol = np.array([inst.vol_annual for inst in config.universe])
    if config.fill_mode == "book":
        from vbranch.market_sim.book_venue import BookVenue

        ticks = np.array([inst.tick_size for inst in config.universe])
        return BookVenue(start_prices, ticks, vol, config.steps_per_day, rng)
    return QuoteVenue(start_prices, vol, config.steps_per_day, rng, config.quote)
