"""A replay: the index instrument walks through real (or twin) daily bars, the rest follow it by beta.

Daily closes are the data's closes exactly; the steps in between come from a Brownian bridge inside
each day's high/low (labelled interpolated in the UI). Other instruments move with the index through
their beta plus their own noise and carry, so diversification still matters during a historical crash.
"""

from __future__ import annotations

import math

import numpy as np

from vbranch.market_sim.bridge import intraday_path
from vbranch.market_sim.history import DailyBars
from vbranch.market_sim.instruments import Universe

__all__ = ["ReplayProcess"]


class ReplayProcess:
    """Same interface as ``PriceProcess``: ``prices`` and ``step()``; seeded."""

    def __init__(self, bars: DailyBars, universe: Universe, steps_per_day: int, seed) -> None:
        rng = np.random.default_rng(seed)
        self.steps_per_day = steps_per_day
        self._index = universe.position(universe.index.symbol)
        self._path = intraday_path(bars, steps_per_day, rng).reshape(-1)
        self._n_steps = len(self._path)
        dt_years = 1 / (252 * steps_per_day)
        index_log_r = np.diff(np.log(np.concatenate([[bars.open[0]], self._path])))
        index_vol = float(np.std(np.log(bars.close[1:] / bars.close[:-1])) * math.sqrt(252)) if len(bars) > 2 else 0.2
        betas = np.array([inst.beta for inst in universe])
        vols = np.array([inst.vol_annual for inst in universe])
        carry = np.array([inst.carry_annual for inst in universe])
        # Idiosyncratic vol: what is left of each instrument's own vol after the index's share, with a floor.
        idio = np.sqrt(np.maximum(vols**2 - (betas * min(index_vol, 0.6)) ** 2, (0.3 * vols) ** 2))
        shocks = rng.standard_normal((self._n_steps, len(universe)))
        log_r = index_log_r[:, None] * betas[None, :] + idio * math.sqrt(dt_years) * shocks + carry * dt_years
        start = np.array([inst.start_price for inst in universe], dtype=float)
        self._log_paths = np.log(start) + np.cumsum(log_r, axis=0)
        self.prices = start.copy()
        self.prices[self._index] = bars.open[0]
        self.t = 0

    @property
    def n_steps(self) -> int:
        return self._n_steps

    def shift(self, log_move: np.ndarray, vol_kick: float = 0.0) -> None:
        """Move every remaining price by ``log_move`` (log units) from the next step on (an injected event).

        ``vol_kick`` is accepted for interface parity with ``PriceProcess.shift`` and ignored: a replay's
        volatility is the data's.
        """
        move = np.asarray(log_move, dtype=float)
        if move.shape != self.prices.shape or not np.all(np.isfinite(move)):
            raise ValueError(f"log_move must be {self.prices.shape} finite values, got {move!r}")
        self._log_paths[self.t:] += move
        self._path[self.t:] *= math.exp(float(move[self._index]))

    def step(self) -> np.ndarray:
        if self.t >= self._n_steps:
            raise IndexError("replay finished: no more data")
        self.prices = np.exp(self._log_paths[self.t])
        self.prices[self._index] = self._path[self.t]
        self.t += 1
        return self.prices
