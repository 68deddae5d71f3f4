"""Market orders: immediate-or-cancel walks through levels, remainder dropped, band respected."""

import pytest

from vbranch.market_sim.book import BUY, SELL, OrderBook, bench_orders


def _ask_ladder(book: OrderBook) -> None:
    book.add_limit(1, -1, SELL, 101, 100)
    book.add_limit(2, -2, SELL, 101, 100)
    book.add_limit(3, -3, SELL, 102, 300)
    book.add_limit(4, -4, SELL, 105, 500)


def test_market_buy_walks_the_levels_at_each_makers_price():
    book = OrderBook()
    _ask_ladder(book)
    trades = book.add_market(10, 1, BUY, 400)
    assert [(t.maker_order_id, t.price_ticks, t.qty) for t in trades] == [(1, 101, 100), (2, 101, 100),
                                                                         (3, 102, 200)]
    assert all(t.taker_order_id == 10 and t.taker_owner == 1 and t.taker_side == BUY for t in trades)
    assert book.best_ask() == 102
    assert book.resting_qty(3) == 100
    assert book.last_price_ticks == 102


def test_market_order_remainder_is_dropped_not_rested():
    book = OrderBook()
    _ask_ladder(book)
    trades = book.add_market(10, 1, BUY, 5000)
    assert sum(t.qty for t in trades) == 1000
    assert book.best_ask() is None
    assert book.best_bid() is None
    assert book.resting_qty(10) == 0
    assert book.last_price_ticks == 105


def test_market_order_on_empty_side_fills_nothing():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 100, 100)
    assert book.add_market(2, 2, BUY, 100) == []
    assert book.last_price_ticks is None
    assert book.resting_qty(1) == 100


def test_market_sell_hits_highest_bids_first():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 98, 100)
    book.add_limit(2, 2, BUY, 100, 100)
    book.add_limit(3, 3, BUY, 99, 100)
    trades = book.add_market(4, 4, SELL, 250)
    assert [(t.maker_owner, t.price_ticks, t.qty) for t in trades] == [(2, 100, 100), (3, 99, 100),
                                                                      (1, 98, 50)]
    assert book.depth() == ([(98, 50)], [])


def test_market_order_never_trades_outside_the_band():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 100, 100)
    book.add_limit(2, 2, BUY, 92, 100)
    book.add_limit(3, 3, BUY, 85, 100)  # below the band set below
    book.set_band(90, 110)
    trades = book.add_market(4, 9, SELL, 1000)
    assert [t.price_ticks for t in trades] == [100, 92]
    assert min(t.price_ticks for t in trades) >= 90


def test_market_order_skips_cancelled_orders_at_the_front():
    book = OrderBook()
    _ask_ladder(book)
    book.cancel(1)
    book.cancel(3)
    trades = book.add_market(10, 1, BUY, 300)
    assert [(t.maker_order_id, t.qty) for t in trades] == [(2, 100), (4, 200)]


def test_market_quote_predicts_the_fill_without_touching_the_book():
    book = OrderBook()
    _ask_ladder(book)
    assert book.market_quote(BUY, 400) == (400, (200 * 101 + 200 * 102) / 400)
    assert book.market_quote(BUY, 5000) == (1000, (200 * 101 + 300 * 102 + 500 * 105) / 1000)
    assert book.market_quote(SELL, 100) == (0, None)
    assert book.depth() == ([], [(101, 200), (102, 300), (105, 500)])
    trades = book.add_market(10, 1, BUY, 400)
    assert sum(t.qty * t.price_ticks for t in trades) / 400 == (200 * 101 + 200 * 102) / 400


def test_market_quote_ignores_cancelled_orders():
    book = OrderBook()
    _ask_ladder(book)
    book.cancel(1)
    assert book.market_quote(BUY, 200) == (200, (100 * 101 + 100 * 102) / 200)


@pytest.mark.parametrize(("side", "qty"), [(0, 100), (BUY, 0)])
def test_malformed_market_orders_are_rejected(side, qty):
    with pytest.raises(ValueError):
        OrderBook().add_market(1, 1, side, qty)


def test_bench_reports_a_consistent_throughput():
    result = bench_orders(n_orders=20_000, seed=1)
    assert result["n_orders"] == 20_000
    assert result["trades"] > 1_000
    assert result["orders_per_s"] == pytest.approx(20_000 / result["seconds"])
    assert result["orders_per_s"] > 5e4  # the real target is 2e5 on an idle core; this catches regressions
