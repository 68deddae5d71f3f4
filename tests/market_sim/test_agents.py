"""Background agents: the traded price follows the fundamental, absorbs a shock and recovers."""

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from vbranch.market_sim.agents import AgentParams, AgentPopulation
from vbranch.market_sim.book import BUY, SELL, OrderBook

TICK = 0.001
START = 4.0  # a CSI 300 ETF on a 0.001 tick: 4000 ticks


def _market(seed: int = 0, start: float = START, **kwargs) -> tuple[OrderBook, AgentPopulation]:
    book = OrderBook(band=kwargs.pop("band", None))
    pop = AgentPopulation(TICK, np.random.default_rng(seed), **kwargs)
    pop.seed_book(book, start)
    return book, pop


def _run(book: OrderBook, pop: AgentPopulation, steps: int, fundamental: Callable[[int], float],
         prices: list[float] | None = None) -> list[float]:
    """Step the agents; return the last traded price (in price units) after each step."""
    prices = [] if prices is None else prices
    for step in range(steps):
        pop.act(book, fundamental(step))
        bid, ask = book.best_bid(), book.best_ask()
        assert bid is None or ask is None or bid < ask, f"crossed at step {step}: {bid} >= {ask}"
        prices.append(book.last_price_ticks * TICK)
    return prices


def test_traded_price_tracks_a_constant_fundamental():
    book, pop = _market()
    prices = _run(book, pop, 300, lambda s: START)
    assert max(abs(p / START - 1) for p in prices[20:]) < 0.02
    assert abs(np.mean(prices[20:]) / START - 1) < 0.005


def test_price_started_off_the_fundamental_converges_to_it():
    book, pop = _market(start=4.4)
    prices = _run(book, pop, 150, lambda s: START)
    assert prices[0] > 4.3
    assert abs(np.mean(prices[-20:]) / START - 1) < 0.02


def test_traded_price_follows_a_twenty_percent_fundamental_drop():
    book, pop = _market()
    prices = _run(book, pop, 200, lambda s: START if s < 50 else START * 0.8)
    assert abs(prices[49] / START - 1) < 0.01
    assert prices[55] > 3.5  # it does not teleport: the book has to be walked down
    new_value = START * 0.8
    assert all(abs(p / new_value - 1) < 0.03 for p in prices[150:])


def test_large_learner_market_sell_moves_price_then_value_traders_restore_it():
    book, pop = _market()
    _run(book, pop, 100, lambda s: START)
    before = book.mid() * TICK
    shock = book.add_market(10**12, 1, SELL, 40_000)
    pop.observe(shock)
    assert sum(t.qty for t in shock) == 40_000
    assert all(t.taker_owner == 1 and t.maker_owner < 0 for t in shock)
    hit = book.last_price_ticks * TICK
    assert hit < before * 0.98  # a noticeable move, not a rounding error
    prices = _run(book, pop, 80, lambda s: START)
    assert np.mean(prices[60:]) > hit + 0.75 * (START - hit)  # most of the gap closed again
    assert abs(np.mean(prices[60:]) / START - 1) < 0.01


def test_momentum_traders_deepen_the_dip_after_a_panic_sale():
    def after_shock(n_momentum: int, seed: int) -> float:
        book, pop = _market(seed=seed, n_momentum=n_momentum)
        _run(book, pop, 100, lambda s: START)
        pop.observe(book.add_market(10**12, 1, SELL, 40_000))
        return float(np.mean(_run(book, pop, 15, lambda s: START)))

    seeds = (0, 1, 2)
    calm = np.mean([after_shock(0, s) for s in seeds])
    chased = np.mean([after_shock(10, s) for s in seeds])
    assert chased < calm - 0.01  # at least 10 ticks (0.25%) lower on average


def test_learner_resting_order_is_filled_by_agents_and_reported_by_act():
    book, pop = _market()
    _run(book, pop, 30, lambda s: START)
    bid = book.best_bid()
    book.add_limit(10**12, 1, BUY, bid + 1, 500)
    trades = [t for _ in range(20) for t in pop.act(book, START * 0.95)]  # agents turn sellers
    mine = [t for t in trades if t.maker_owner == 1]
    assert sum(t.qty for t in mine) == 500
    assert all(t.price_ticks == bid + 1 and t.taker_side == SELL for t in mine)


def test_spreads_stay_positive_through_a_crash():
    book, pop = _market(seed=3)
    spreads = []
    for step in range(200):
        pop.act(book, START if step < 40 else START * 0.7)
        bid, ask = book.best_bid(), book.best_ask()
        if bid is not None and ask is not None:
            spreads.append(ask - bid)
    assert len(spreads) > 150
    assert min(spreads) >= 1


def test_market_makers_quote_wider_when_volatile():
    params = AgentParams(maker_max_inventory_lots=10**6)  # keep both sides quoted
    book, pop = _market(params=params)
    maker = pop.maker_owners[0]

    def maker_spread() -> int:
        orders = book.owner_orders(maker)
        return min(p for _, s, p, _ in orders if s == SELL) - max(p for _, s, p, _ in orders if s == BUY)

    _run(book, pop, 100, lambda s: START)
    calm, calm_vol = maker_spread(), pop.volatility_per_step
    _run(book, pop, 30, lambda s: START * (1.06 if s % 2 else 0.94))  # a whipsawing fundamental
    assert pop.volatility_per_step > 5 * calm_vol
    assert maker_spread() > 1.5 * calm


def test_maker_inventory_equals_its_net_fills():
    book, pop = _market(seed=5)
    trades = []
    for step in range(150):
        trades += pop.act(book, START if step < 50 else 3.6)
        if step == 70:
            learner = book.add_market(10**12, 1, BUY, 30_000)
            pop.observe(learner)
            trades += learner
    for i, owner in enumerate(pop.maker_owners):
        bought = sum(t.qty for t in trades if (t.taker_owner == owner) == (t.taker_side == BUY)
                     and owner in (t.maker_owner, t.taker_owner))
        sold = sum(t.qty for t in trades if owner in (t.maker_owner, t.taker_owner)) - bought
        assert pop.maker_inventory_shares[i] == bought - sold
    assert any(pop.maker_inventory_shares)


def test_agents_respect_the_daily_band_and_pin_at_limit_down():
    book, pop = _market(band=(3_600, 4_400))
    trades = [t for s in range(150) for t in pop.act(book, START if s < 30 else 3.0)]
    assert all(3_600 <= t.price_ticks <= 4_400 for t in trades)
    assert book.last_price_ticks == 3_600
    assert book.best_bid() is None  # locked limit-down: sellers queue, nobody bids
    assert book.best_ask() == 3_600


def test_shared_id_source_keeps_ids_unique_and_owners_negative():
    ids = itertools.count(1)
    book = OrderBook()
    pop = AgentPopulation(TICK, np.random.default_rng(0), next_id=ids.__next__)
    pop.seed_book(book, START)
    book.add_limit(next(ids), 7, BUY, 3_990, 100)  # a learner order between agent steps
    trades = [t for _ in range(50) for t in pop.act(book, START)]
    order_ids = [t.maker_order_id for t in trades] + [t.taker_order_id for t in trades]
    assert min(order_ids) >= 1
    assert next(ids) > 1_000  # the agents drew from the same counter
    agent_owners = pop.maker_owners + pop.value_owners + pop.momentum_owners + pop.noise_owners
    assert len(set(agent_owners)) == 2 + 10 + 5 + 30
    assert max(agent_owners) < 0
    assert pop.owner_kind(pop.value_owners[0]) == "value"
    assert pop.owner_kind(7) is None


def test_default_ids_count_down_from_minus_one():
    book, pop = _market()
    orders = [oid for owner in pop.noise_owners for oid, *_ in book.owner_orders(owner)]
    assert max(orders) == -1
    assert len(set(orders)) == len(orders)


@pytest.mark.parametrize("seed", [0, 11])
def test_same_seed_gives_identical_trades(seed):
    def tape(s: int) -> list[tuple[int, int, int, int]]:
        book, pop = _market(seed=s)
        out = []
        for step in range(120):
            out += [(t.maker_order_id, t.taker_order_id, t.price_ticks, t.qty)
                    for t in pop.act(book, START if step < 60 else 3.5)]
        return out

    assert tape(seed) == tape(seed)
    assert tape(seed) != tape(seed + 1)


def test_constructor_rejects_nonpositive_tick():
    with pytest.raises(ValueError):
        AgentPopulation(0.0, np.random.default_rng(0))
