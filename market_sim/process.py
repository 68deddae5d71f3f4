"""The simulated "fundamental" price of every instrument at once: regimes, fat tails, clustering, crashes.

Why: learners should meet the market's real texture, not a textbook random walk. Market regimes (bull,
bear, a mean-reverting sideways market) are picked day by day by one Markov chain shared by every
instrument; volatility clusters (GARCH(1,1) on unit-variance Student-t shocks), so storms follow storms
and big days are commoner than a bell curve says; instruments co-move through a beta one-factor model or
an explicit correlation matrix, so diversification can be taught honestly; scenarios can schedule jumps
such as a -20% crash day. Price limits, halts and order books live elsewhere: this is the price the
market "wants" before any rule bites.

Randomness is drawn in per-day blocks (the day's regime draw, then its steps x N shocks), and
`PriceProcess.step`, `PriceProcess.simulate` and `simulate_paths` all run the one day kernel behind
`simulate_days`, so a seed replays the identical path however a caller walks it. Per day the kernel does
one matmul through the correlation factor, then a two-ufunc-per-step GARCH loop (m' = w + m (a z^2 + b)
is affine in m, so a z^2 + b is computed for the whole block first). ``garch_a``/``garch_b`` are per
trading day: S steps a day use persistence (a+b)^(1/S) and news weight a/sqrt(S), so daily returns
cluster alike whatever the step size. The news z^2 is capped at 9 (and rescaled to mean 1) because
Student-t tails would otherwise give the multiplier infinite variance: rare 50x variance spikes and a
typical vol well below the instrument's stated ``vol_annual``.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vbranch.market_sim.instruments import AssetClass, Instrument
from vbranch.market_sim.process_spec import (
    JUMP_PROFILES,
    PRESET_NAMES,
    Jump,
    ProcessSpec,
    Regime,
    _require,
    preset_spec,
    validate_correlation,
)

__all__ = [
    "Regime", "Jump", "ProcessSpec", "ProcessModel", "ProcessState", "PriceProcess", "JUMP_PROFILES",
    "PRESET_NAMES", "preset_spec", "correlation_from_betas", "validate_correlation", "build_model",
    "initial_state", "simulate_days", "simulate_paths", "synthetic_instruments", "bench_instrument_steps",
]

logger = logging.getLogger(__name__)

_MAX_LOADING = 0.99  # one-factor loadings are clipped here so the correlation matrix stays positive definite
_MIN_JUMP_FACTOR = 0.01  # a jump never takes more than 99% off a price
_KICK_UNIT_LOG = 0.10  # jump_vol_kick is the variance-multiplier rise per 0.10 of absolute log jump
_NEWS_CAP = 9.0  # GARCH news is min(z^2, 9) / E[min(z^2, 9)]

def correlation_from_betas(vol_annual: Sequence[float], beta: Sequence[float],
                           market_vol_annual: float) -> np.ndarray:
    """One-factor correlation corr_ij = l_i l_j, loading l_i = beta_i * market_vol / vol_i.

    Loadings are clipped into [-0.99, 0.99] (0 for zero-vol instruments), which keeps the matrix positive
    definite even when a beta is inconsistent with the instrument's own vol.

    Returns:
        An (n, n) correlation matrix with a unit diagonal.
    """
    vol, b = np.asarray(vol_annual, dtype=float), np.asarray(beta, dtype=float)
    loading = np.divide(b * market_vol_annual, vol, out=np.zeros_like(vol), where=vol > 0)
    corr = np.outer(*(np.clip(loading, -_MAX_LOADING, _MAX_LOADING),) * 2)
    np.fill_diagonal(corr, 1.0)
    return corr


@dataclass(frozen=True, eq=False)
class ProcessModel:
    """A spec compiled against instruments: per-step arrays (rows = regimes, columns = instruments)."""

    symbols: tuple[str, ...]
    regime_names: tuple[str, ...]
    steps_per_day: int
    t_dof: float
    factor_t: np.ndarray  # (N, N): raw Student-t rows @ factor_t = correlated unit-variance shocks
    mu_step: np.ndarray  # (R, N) log drift per step before the Ito term
    half_var_step: np.ndarray  # (R, N) Ito term, times the GARCH multiplier
    sig_step: np.ndarray  # (R, N)
    phi_step: np.ndarray  # (R, N) OU retention per step
    reverting: np.ndarray  # (R,) bool
    carry_step: np.ndarray  # (N,) the anchor's drift in a reverting regime, so carry keeps accruing
    cum_transition: np.ndarray  # (R, R)
    garch_step: tuple[float, float, float]  # (w, a on the capped news, b) per step
    jumps: dict  # day -> (log jump block (S, N), variance kick block (S, N), forced regime or None)
    start_log_price: np.ndarray
    initial_regime: int


@dataclass(frozen=True, eq=False)
class ProcessState:
    """Where the process stands after a whole day: ``regime`` is that day's, ``day`` the next day."""

    log_price: np.ndarray
    anchor: np.ndarray
    var_mult: np.ndarray
    regime: int
    day: int


def build_model(spec: ProcessSpec, instruments: Sequence[Instrument], steps_per_day: int) -> ProcessModel:
    """Compile ``spec`` for ``instruments`` at ``steps_per_day`` steps per trading day.

    In regime r an instrument's drift is beta * drift_annual_r + carry_annual and its vol is
    vol_annual * (1 + (vol_scale_r - 1) * min(1, |beta|)); the OU pull scales by min(1, |beta|) too, so a
    bond or money fund barely feels the equity market's regime.

    Returns:
        The ProcessModel; raises ValueError for an empty universe, bad steps or unknown jump symbols.
    """
    insts = tuple(instruments)
    _require(bool(insts), "PriceProcess needs at least one instrument")
    _require(not isinstance(steps_per_day, bool) and isinstance(steps_per_day, int) and steps_per_day > 0,
             f"steps_per_day must be a positive integer, got {steps_per_day!r}")
    s, dt_years = steps_per_day, 1.0 / (spec.trading_days_per_year * steps_per_day)
    vol, beta, carry = (np.array([getattr(i, f) for i in insts], dtype=float)
                        for f in ("vol_annual", "beta", "carry_annual"))
    _require(bool(np.all(np.isfinite(vol)) and np.all(vol >= 0)), f"vol_annual must be >= 0: {vol.tolist()}")
    weight = np.minimum(1.0, np.abs(beta))
    drift_r, scale_r, kappa_r = (np.array([getattr(r, f) for r in spec.regimes])[:, None]
                                 for f in ("drift_annual", "vol_scale", "mean_reversion_per_year"))
    vol_r = vol * (1.0 + (scale_r - 1.0) * weight)
    if spec.correlation is None:
        corr = correlation_from_betas(vol, beta, next((i for i in insts if i.is_index), insts[0]).vol_annual)
    else:
        corr = validate_correlation(spec.correlation, len(insts))
    try:
        factor = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:  # PSD but singular: any F with F F^T = corr will do
        eigval, eigvec = np.linalg.eigh(corr)
        factor = eigvec * np.sqrt(np.clip(eigval, 0.0, None))
    persistence, a_step = (spec.garch_a + spec.garch_b) ** (1.0 / s), spec.garch_a / math.sqrt(s)
    cum = np.cumsum(np.array(spec.transition_per_day), axis=1)
    return ProcessModel(
        symbols=tuple(i.symbol for i in insts), regime_names=spec.regime_names, steps_per_day=s,
        t_dof=spec.t_dof, factor_t=factor.T * math.sqrt((spec.t_dof - 2.0) / spec.t_dof),
        mu_step=(drift_r * beta + carry) * dt_years, half_var_step=0.5 * vol_r**2 * dt_years,
        sig_step=vol_r * math.sqrt(dt_years), phi_step=np.exp(-kappa_r * weight * dt_years),
        reverting=kappa_r[:, 0] > 0, carry_step=carry * dt_years,
        cum_transition=cum / cum[:, -1:],
        garch_step=(1.0 - persistence, a_step / _capped_square_mean(spec.t_dof), persistence - a_step),
        jumps=_jump_blocks(spec, insts, beta, s), start_log_price=np.log([i.start_price for i in insts]),
        initial_regime=spec.regime_names.index(spec.initial_regime))


def _capped_square_mean(t_dof: float) -> float:
    """E[min(z^2, cap)] for a unit-variance Student-t z, by trapezoid quadrature on |z| < sqrt(cap)."""
    scale, x = math.sqrt(t_dof / (t_dof - 2.0)), np.linspace(-1.0, 1.0, 4001) * math.sqrt(_NEWS_CAP)
    const = math.exp(math.lgamma((t_dof + 1) / 2) - math.lgamma(t_dof / 2)) / math.sqrt(t_dof * math.pi)
    pdf = const * scale * (1.0 + (x * scale) ** 2 / t_dof) ** (-(t_dof + 1) / 2)
    integral = [(x[1] - x[0]) * (y.sum() - 0.5 * (y[0] + y[-1])) for y in (x * x * pdf, pdf)]
    return float(integral[0] + _NEWS_CAP * (1.0 - integral[1]))


def _jump_blocks(spec: ProcessSpec, insts: tuple[Instrument, ...], beta: np.ndarray, s: int) -> dict:
    position = {inst.symbol: k for k, inst in enumerate(insts)}
    blocks: dict[int, tuple[np.ndarray, np.ndarray, int | None]] = {}
    for jump in spec.jumps:
        factor = 1.0 + jump.size_pct / 100.0 * beta
        if jump.symbols is not None:
            missing = [sym for sym in jump.symbols if sym not in position]
            _require(not missing, f"Jump on day {jump.day}: unknown symbols {missing}")
            factor = np.ones(len(insts))
            factor[[position[sym] for sym in jump.symbols]] = 1.0 + jump.size_pct / 100.0
        if np.any(factor < _MIN_JUMP_FACTOR):
            logger.warning("jump on day %d clipped to a 99%% fall for high-beta instruments", jump.day)
        weights = np.eye(1, s)[0] if jump.profile == "open" else (s - np.arange(s, dtype=float)) ** 2
        move = np.outer(weights / weights.sum(), np.log(np.maximum(factor, _MIN_JUMP_FACTOR)))
        log_block, kick_block, forced = blocks.get(jump.day, (np.zeros((s, len(insts))),) * 2 + (None,))
        if jump.regime_after is not None:
            forced = spec.regime_names.index(jump.regime_after)
        kick_block = kick_block + spec.jump_vol_kick * np.abs(move) / _KICK_UNIT_LOG
        blocks[jump.day] = (log_block + move, kick_block, forced)
    return blocks


def initial_state(model: ProcessModel) -> ProcessState:
    """The state before day 0: start prices, anchor at the start price, GARCH multiplier at its mean 1."""
    start = model.start_log_price
    return ProcessState(start.copy(), start.copy(), np.ones(len(start)), model.initial_regime, 0)


def _simulate_day(model: ProcessModel, st: ProcessState, rng: np.random.Generator,
                  out: np.ndarray) -> ProcessState:
    s, draw = model.steps_per_day, rng.random()
    z = rng.standard_t(model.t_dof, size=(s, len(model.symbols))) @ model.factor_t
    reg = st.regime
    if st.day > 0:
        row = model.cum_transition[reg]
        reg = min(int(np.searchsorted(row, draw, side="right")), len(row) - 1)
    jump = model.jumps.get(st.day)
    if jump is not None and jump[2] is not None:
        reg = jump[2]
    anchor = st.anchor if reg == st.regime else st.log_price
    w, a, b = model.garch_step
    g = z * z
    np.minimum(g, _NEWS_CAP, out=g)
    g *= a
    g += b
    mult = np.empty((s + 1, z.shape[1]))
    mult[0] = st.var_mult
    for k, add in enumerate(itertools.repeat(w, s) if jump is None else jump[1] + w):
        np.multiply(mult[k], g[k], out=mult[k + 1])
        mult[k + 1] += add
    r = np.sqrt(mult[:s])
    r *= z
    r *= model.sig_step[reg]
    r -= model.half_var_step[reg] * mult[:s]
    r += model.mu_step[reg] if jump is None else model.mu_step[reg] + jump[0]
    if model.reverting[reg]:  # OU around an anchor that accrues carry: dev' = phi dev + (r - carry)
        phi, carry = model.phi_step[reg], model.carry_step
        dev, anchor = st.log_price - anchor, anchor.copy()
        r -= carry
        for k in range(s):
            dev *= phi
            dev += r[k]
            anchor += carry
            np.add(anchor, dev, out=out[k])
    else:
        np.cumsum(r, axis=0, out=out)
        out += st.log_price
    return ProcessState(out[-1].copy(), anchor, mult[s].copy(), reg, st.day + 1)


def simulate_days(model: ProcessModel, state: ProcessState, rng: np.random.Generator,
                  n_days: int) -> tuple[np.ndarray, np.ndarray, ProcessState]:
    """The day kernel: advance ``state`` by ``n_days`` whole days, drawing each day's block from ``rng``.

    Returns:
        (log prices (n_days * steps_per_day, N), regime index per day (n_days,), the new state).
    """
    s = model.steps_per_day
    log_prices, regimes = np.empty((n_days * s, len(model.symbols))), np.empty(n_days, dtype=np.intp)
    for d in range(n_days):
        state = _simulate_day(model, state, rng, log_prices[d * s:(d + 1) * s])
        regimes[d] = state.regime
    return log_prices, regimes, state


def simulate_paths(spec: ProcessSpec, instruments: Sequence[Instrument], n_steps: int,
                   steps_per_day: int = 48, seed: int | None = None) -> np.ndarray:
    """Batch prices, equal to ``PriceProcess(spec, instruments, steps_per_day, seed).simulate(n_steps)``.

    Returns:
        Prices after each step, shape (n_steps, N).
    """
    model = build_model(spec, instruments, steps_per_day)
    n_days = -(-n_steps // steps_per_day)
    log_prices, _, _ = simulate_days(model, initial_state(model), np.random.default_rng(seed), n_days)
    return np.exp(log_prices[:n_steps])


class PriceProcess:
    """Seeded, steppable prices for a universe. ``day``/``step_in_day`` locate the next step ((d, 0) means
    day d-1 has closed); ``regime``/``regime_name`` belong to the day of the latest step."""

    def __init__(self, spec: ProcessSpec, instruments: Sequence[Instrument], steps_per_day: int = 48,
                 seed: int | None = None) -> None:
        self.spec, self.model = spec, build_model(spec, instruments, steps_per_day)
        self._rng, self._state = np.random.default_rng(seed), initial_state(self.model)
        self._prices = np.array([i.start_price for i in instruments], dtype=float)
        self._block, self._steps_done = np.empty((0, len(self._prices))), 0

    @property
    def prices(self) -> np.ndarray:
        return self._prices.copy()

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.model.symbols

    @property
    def day(self) -> int:
        return self._steps_done // self.model.steps_per_day

    @property
    def step_in_day(self) -> int:
        return self._steps_done % self.model.steps_per_day

    @property
    def regime(self) -> int:
        return self._state.regime

    @property
    def regime_name(self) -> str:
        return self.model.regime_names[self._state.regime]

    def _row(self) -> int:
        if self.step_in_day == 0:
            log_prices, _, self._state = simulate_days(self.model, self._state, self._rng, 1)
            self._block = np.exp(log_prices)
        return self.step_in_day

    def step(self) -> np.ndarray:
        """Advance one intraday step.

        Returns:
            The prices after the step, shape (N,).
        """
        row = self._row()  # may generate the day's block, so read self._block after it
        self._prices = self._block[row].copy()
        self._steps_done += 1
        return self._prices.copy()

    def shift(self, log_move: np.ndarray, vol_kick: float = 0.0) -> None:
        """Move every future price by ``log_move`` (log units, per instrument) from the next step on.

        Why: a teacher injects a crash while the class is trading. The rest of today's pre-drawn block and
        the end-of-day state move together, so the path stays continuous and the seed's later shocks are
        unchanged; the OU anchor moves too, so a sideways regime does not pull the crash straight back.
        ``vol_kick`` raises the GARCH variance multiplier per 0.10 of absolute log move, like scheduled jumps.
        """
        move = np.asarray(log_move, dtype=float)
        if move.shape != self._prices.shape or not np.all(np.isfinite(move)):
            raise ValueError(f"log_move must be {self._prices.shape} finite values, got {move!r}")
        if self.step_in_day:
            self._block[self.step_in_day:] *= np.exp(move)
        st = self._state
        self._state = ProcessState(st.log_price + move, st.anchor + move,
                                   st.var_mult + vol_kick * np.abs(move) / _KICK_UNIT_LOG, st.regime, st.day)

    def simulate(self, n_steps: int) -> np.ndarray:
        """Advance ``n_steps`` steps, exactly as that many ``step()`` calls would.

        Returns:
            Prices after each step, shape (n_steps, N).
        """
        out, done = np.empty((n_steps, len(self._prices))), 0
        while done < n_steps:
            row = self._row()
            take = min(self.model.steps_per_day - row, n_steps - done)
            out[done:done + take] = self._block[row:row + take]
            done, self._steps_done = done + take, self._steps_done + take
        if n_steps:
            self._prices = out[-1].copy()
        return out


def synthetic_instruments(n_instruments: int, seed: int = 0) -> tuple[Instrument, ...]:
    """A made-up universe for benchmarks: an index first, then equities with varied vol and beta."""
    rng = np.random.default_rng(seed)
    return (Instrument("IDX", "指数", "Index", AssetClass.EQUITY_INDEX, 100.0, 0.20, 1.0, 3, is_index=True),
            *(Instrument(f"S{k:04d}", f"股票{k}", f"Stock {k}", AssetClass.EQUITY, float(rng.uniform(5, 200)),
                         float(rng.uniform(0.10, 0.60)), float(rng.uniform(-0.3, 1.8)), 4)
              for k in range(1, n_instruments)))


def bench_instrument_steps(n_instruments: int = 500, n_steps: int = 20_000, seed: int = 0,
                           steps_per_day: int = 48, preset: str = "bull") -> dict:
    """Time the vectorised generation (``simulate_paths``, model build included), best of 3.

    Returns:
        {"instrument_steps_per_s", "n_instruments", "n_steps", "steps_per_day", "seconds"}.
    """
    instruments, spec, best = synthetic_instruments(n_instruments, seed), preset_spec(preset), math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        simulate_paths(spec, instruments, n_steps, steps_per_day, seed)
        best = min(best, time.perf_counter() - t0)
    return {"instrument_steps_per_s": n_instruments * n_steps / best, "n_instruments": n_instruments,
            "n_steps": n_steps, "steps_per_day": steps_per_day, "seconds": best}
