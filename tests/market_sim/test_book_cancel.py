"""Cancels: only the remainder goes, unknown ids are harmless, and quantity is conserved overall."""

import numpy as np

from vbranch.market_sim.book import BUY, SELL, OrderBook


def test_cancel_returns_the_resting_qty_and_removes_the_order():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 99, 300)
    assert book.cancel(1) == 300
    assert book.resting_qty(1) == 0
    assert book.best_bid() is None
    assert book.depth() == ([], [])


def test_cancel_of_partially_filled_order_removes_only_the_remainder():
    book = OrderBook()
    book.add_limit(1, 1, SELL, 101, 500)
    trades = book.add_market(2, 2, BUY, 120)
    assert sum(t.qty for t in trades) == 120
    assert book.cancel(1) == 380
    assert book.add_market(3, 2, BUY, 100) == []


def test_cancel_of_unknown_filled_or_cancelled_order_returns_zero():
    book = OrderBook()
    book.add_limit(1, 1, SELL, 101, 100)
    book.add_limit(2, 1, SELL, 102, 100)
    book.add_market(3, 2, BUY, 100)  # fills order 1
    assert book.cancel(1) == 0
    assert book.cancel(999) == 0
    assert book.cancel(2) == 100
    assert book.cancel(2) == 0


def test_cancelled_front_order_loses_its_priority_to_the_next():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 100, 100)
    book.add_limit(2, 2, BUY, 100, 100)
    book.add_limit(3, 3, BUY, 99, 100)
    book.cancel(1)
    trades = book.add_limit(4, 4, SELL, 99, 150)
    assert [(t.maker_order_id, t.qty) for t in trades] == [(2, 100), (3, 50)]


def test_cancelling_the_whole_best_level_exposes_the_next_price():
    book = OrderBook()
    book.add_limit(1, 1, SELL, 101, 100)
    book.add_limit(2, 1, SELL, 101, 100)
    book.add_limit(3, 1, SELL, 104, 100)
    book.cancel(1)
    book.cancel(2)
    assert book.best_ask() == 104
    assert book.depth() == ([], [(104, 100)])


def test_cancel_owner_removes_only_that_owners_orders():
    book = OrderBook()
    book.add_limit(1, 5, BUY, 99, 100)
    book.add_limit(2, 6, BUY, 99, 200)
    book.add_limit(3, 5, SELL, 103, 300)
    assert book.cancel_owner(5) == [(1, 5, 100), (3, 5, 300)]
    assert book.depth() == ([(99, 200)], [])


def test_many_cancels_compact_the_book_without_changing_it():
    book = OrderBook()
    for i in range(10_000):
        book.add_limit(i, 1, BUY, 1_000 - i % 50, 10)
    book.add_limit(99_999, 2, SELL, 2_000, 10)
    for i in range(0, 10_000, 10):
        book.add_limit(10_000 + i, 3, BUY, 1_000 - i % 50, 10)  # survivors, interleaved
    for i in range(10_000):
        assert book.cancel(i) == 10
    assert len(book) == 1_001
    bids, asks = book.depth(levels=100)
    assert sum(q for _, q in bids) == 10_000
    assert len(bids) == 5  # i % 50 for multiples of 10
    assert asks == [(2_000, 10)]
    assert book.best_bid() == 1_000


def test_random_stream_conserves_quantity_and_stays_uncrossed():
    rng = np.random.default_rng(7)
    book = OrderBook()
    submitted: dict[int, int] = {}
    side_of: dict[int, int] = {}
    traded: dict[int, int] = {}
    cancelled: dict[int, int] = {}
    market_ids: set[int] = set()
    for oid in range(4_000):
        kind = rng.random()
        side = BUY if rng.random() < 0.5 else SELL
        qty = int(rng.integers(1, 20)) * 10
        if kind < 0.6:
            price_ticks = 1_000 - side * int(rng.integers(-3, 8))
            trades = book.add_limit(oid, int(rng.integers(0, 5)), side, price_ticks, qty)
        elif kind < 0.85:
            trades = book.add_market(oid, int(rng.integers(0, 5)), side, qty)
            market_ids.add(oid)
        else:
            if submitted:
                target = int(rng.integers(0, oid))
                cancelled[target] = cancelled.get(target, 0) + book.cancel(target)
            continue
        submitted[oid] = qty
        side_of[oid] = side
        for t in trades:
            traded[t.maker_order_id] = traded.get(t.maker_order_id, 0) + t.qty
            traded[t.taker_order_id] = traded.get(t.taker_order_id, 0) + t.qty
            assert side_of[t.maker_order_id] == -t.taker_side
        bid, ask = book.best_bid(), book.best_ask()
        assert bid is None or ask is None or bid < ask

    bought = sum(q for oid, q in traded.items() if side_of[oid] == BUY)
    sold = sum(q for oid, q in traded.items() if side_of[oid] == SELL)
    assert bought == sold > 0
    for oid, qty in submitted.items():
        done = traded.get(oid, 0) + cancelled.get(oid, 0) + book.resting_qty(oid)
        if oid in market_ids:
            assert done <= qty and book.resting_qty(oid) == 0
        else:
            assert done == qty, oid
    bids, asks = book.depth(levels=10_000)
    assert sum(q for _, q in bids + asks) == sum(book.resting_qty(oid) for oid in submitted)
