"""Limit orders: resting, crossing at the makers' prices, price-time priority, the daily band."""

import pytest

from vbranch.market_sim.book import BUY, SELL, OrderBook, Trade


def test_non_crossing_orders_rest_and_set_best_prices():
    book = OrderBook()
    assert book.add_limit(1, 10, BUY, 99, 100) == []
    assert book.add_limit(2, 11, SELL, 101, 200) == []
    assert book.best_bid() == 99
    assert book.best_ask() == 101
    assert book.mid() == 100.0
    assert book.last_price_ticks is None
    assert len(book) == 2


def test_empty_book_has_no_prices():
    book = OrderBook()
    assert book.best_bid() is None
    assert book.best_ask() is None
    assert book.mid() is None
    assert book.depth() == ([], [])


def test_crossing_buy_fills_at_the_makers_price_not_its_limit():
    book = OrderBook()
    book.add_limit(1, 10, SELL, 101, 100)
    trades = book.add_limit(2, 20, BUY, 105, 100)
    assert trades == [Trade(1, 2, 10, 20, 101, 100, BUY)]
    assert book.last_price_ticks == 101
    assert book.best_ask() is None
    assert book.best_bid() is None  # fully filled, nothing rests


def test_partial_cross_rests_the_remainder_at_the_limit_price():
    book = OrderBook()
    book.add_limit(1, 10, SELL, 101, 300)
    trades = book.add_limit(2, 20, BUY, 102, 500)
    assert [(t.price_ticks, t.qty) for t in trades] == [(101, 300)]
    assert book.resting_qty(2) == 200
    assert book.best_bid() == 102
    assert book.best_ask() is None


def test_partially_filled_maker_keeps_its_remainder_and_place_in_queue():
    book = OrderBook()
    book.add_limit(1, 10, BUY, 100, 500)
    book.add_limit(2, 11, BUY, 100, 500)
    book.add_limit(3, 20, SELL, 100, 200)
    assert book.resting_qty(1) == 300
    trades = book.add_limit(4, 20, SELL, 100, 400)
    assert [(t.maker_order_id, t.qty) for t in trades] == [(1, 300), (2, 100)]
    assert book.resting_qty(2) == 400


def test_earlier_order_at_same_price_fills_first():
    book = OrderBook()
    book.add_limit(1, 10, SELL, 101, 100)
    book.add_limit(2, 11, SELL, 101, 100)
    book.add_limit(3, 12, SELL, 101, 100)
    trades = book.add_limit(4, 20, BUY, 101, 250)
    assert [(t.maker_order_id, t.qty) for t in trades] == [(1, 100), (2, 100), (3, 50)]


def test_better_price_fills_before_earlier_worse_price():
    book = OrderBook()
    book.add_limit(1, 10, BUY, 98, 100)
    book.add_limit(2, 11, BUY, 99, 100)
    book.add_limit(3, 12, BUY, 97, 100)
    trades = book.add_limit(4, 20, SELL, 97, 300)
    assert [(t.maker_order_id, t.price_ticks) for t in trades] == [(2, 99), (1, 98), (3, 97)]
    assert book.last_price_ticks == 97


def test_sell_limit_stops_walking_at_its_limit():
    book = OrderBook()
    book.add_limit(1, 10, BUY, 100, 100)
    book.add_limit(2, 10, BUY, 99, 100)
    trades = book.add_limit(3, 20, SELL, 100, 300)
    assert sum(t.qty for t in trades) == 100
    assert book.best_bid() == 99
    assert book.best_ask() == 100
    assert book.resting_qty(3) == 200


def test_book_is_never_crossed_at_rest():
    book = OrderBook()
    prices = [100, 103, 97, 101, 99, 102, 98, 100, 104, 96]
    for i, p in enumerate(prices * 5):
        book.add_limit(i, i % 7, BUY if i % 2 else SELL, p, 100 + 10 * i)
        bid, ask = book.best_bid(), book.best_ask()
        if bid is not None and ask is not None:
            assert bid < ask


def test_self_trade_is_just_a_trade():
    book = OrderBook()
    book.add_limit(1, 7, SELL, 100, 100)
    trades = book.add_limit(2, 7, BUY, 100, 100)
    assert trades == [Trade(1, 2, 7, 7, 100, 100, BUY)]


def test_depth_aggregates_levels_best_first():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 99, 100)
    book.add_limit(2, 2, BUY, 99, 50)
    book.add_limit(3, 3, BUY, 98, 70)
    book.add_limit(4, 4, BUY, 97, 10)
    book.add_limit(5, 5, SELL, 101, 30)
    book.add_limit(6, 6, SELL, 103, 40)
    bids, asks = book.depth(levels=2)
    assert bids == [(99, 150), (98, 70)]
    assert asks == [(101, 30), (103, 40)]


def test_owner_orders_lists_live_orders_oldest_first():
    book = OrderBook()
    book.add_limit(1, 5, BUY, 99, 100)
    book.add_limit(2, 6, BUY, 98, 100)
    book.add_limit(3, 5, SELL, 105, 300)
    book.add_limit(4, 9, SELL, 99, 40)  # partially fills order 1
    assert book.owner_orders(5) == [(1, BUY, 99, 60), (3, SELL, 105, 300)]
    assert book.owner_orders(42) == []


@pytest.mark.parametrize(("side", "qty"), [(0, 100), (2, 100), (BUY, 0), (SELL, -5)])
def test_malformed_orders_are_rejected(side, qty):
    with pytest.raises(ValueError):
        OrderBook().add_limit(1, 1, side, 100, qty)


def test_duplicate_live_order_id_is_rejected():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 100, 100)
    with pytest.raises(ValueError):
        book.add_limit(1, 2, SELL, 120, 100)
    assert book.best_ask() is None


def test_limit_outside_band_raises_and_inside_is_accepted():
    book = OrderBook(band=(90, 110))
    with pytest.raises(ValueError):
        book.add_limit(1, 1, BUY, 89, 100)
    with pytest.raises(ValueError):
        book.add_limit(2, 1, SELL, 111, 100)
    book.add_limit(3, 1, BUY, 90, 100)
    book.add_limit(4, 1, SELL, 110, 100)
    assert (book.best_bid(), book.best_ask()) == (90, 110)
    assert book.band == (90, 110)


def test_narrowing_the_band_cancels_resting_orders_outside_it():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 80, 100)
    book.add_limit(2, 2, BUY, 95, 200)
    book.add_limit(3, 3, SELL, 120, 300)
    removed = book.set_band(90, 110)
    assert sorted(removed) == [(1, 1, 100), (3, 3, 300)]
    assert book.depth() == ([(95, 200)], [])
    assert book.set_band(None, None) == []
    assert book.band is None
    book.add_limit(4, 4, SELL, 200, 1)  # allowed again once the band is lifted
    assert book.best_ask() == 200


def test_clear_empties_the_book_and_reports_what_it_dropped():
    book = OrderBook()
    book.add_limit(1, 1, BUY, 99, 100)
    book.add_limit(2, 2, SELL, 101, 100)
    book.add_limit(3, 3, SELL, 101, 40)
    book.add_limit(4, 4, BUY, 101, 30)  # trades 30 against order 2
    assert book.clear() == [(1, 1, 100), (2, 2, 70), (3, 3, 40)]
    assert len(book) == 0
    assert book.best_bid() is None and book.best_ask() is None
    assert book.last_price_ticks == 101
