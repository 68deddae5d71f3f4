"""Each order type against scripted prices (see conftest: flat days, gaps between them)."""

import pytest
from scripted_market import make_market

from vbranch.market_sim.orders import OrderKind, OrderRejected, OrderRequest, OrderStatus, RejectCode, Side


def buy(market, qty, **kw):
    return market.submit("a", OrderRequest("IDX", Side.BUY, qty, **kw))


def sell(market, qty, **kw):
    return market.submit("a", OrderRequest("IDX", Side.SELL, qty, **kw))


def test_market_buy_pays_spread_and_square_root_impact():
    market = make_market([100, 100])
    market.open_account("a")
    small = buy(market, 10)
    big = buy(market, 5000)
    assert 100 < small.avg_fill_price < big.avg_fill_price
    # impact grows like sqrt(qty): (big - mid) / (small - mid) well below the 500x quantity ratio
    assert (big.avg_fill_price - 100) / (small.avg_fill_price - 100) < 100


def test_limit_buy_rests_until_the_price_comes_down_then_fills_at_its_limit_or_better():
    market = make_market([100, (100, 100, 90, 90)])
    account = market.open_account("a")
    market.run_days(1)
    order = buy(market, 100, kind=OrderKind.LIMIT, limit_price=95.0)
    assert order.status is OrderStatus.RESTING
    assert account.reserved_cash == pytest.approx(100 * 95.0)
    market.run_days(1)  # the day slides from 100 to 90
    assert order.status is OrderStatus.FILLED
    assert 90.0 <= order.avg_fill_price <= 95.0
    assert account.reserved_cash == pytest.approx(0.0)
    assert account.held("IDX") == 100


def test_limit_orders_expire_at_the_close_and_release_cash():
    market = make_market([100, 100, 100])
    account = market.open_account("a")
    order = buy(market, 100, kind=OrderKind.LIMIT, limit_price=90.0)
    market.run_days(1)
    assert order.status is OrderStatus.CANCELLED
    assert account.reserved_cash == 0


def test_stop_loss_gaps_through_its_trigger_and_fills_at_the_open_below_it():
    market = make_market([100, 100, 80, 80])
    account = market.open_account("a")
    seen = []
    market.bus.subscribe(seen.append)
    buy(market, 100)
    stop = sell(market, 100, kind=OrderKind.STOP_LOSS, trigger_price=92.0)
    market.run_days(2)
    assert stop.status is OrderStatus.ARMED
    market.advance(1)  # day 2 opens at 80
    assert stop.status is OrderStatus.FILLED
    assert stop.avg_fill_price == pytest.approx(80.0, rel=0.005)  # near 80, not the 92 trigger
    assert account.held("IDX") == 0
    (triggered,) = [e for e in seen if e.kind == "stop_triggered"]
    assert triggered.trigger_price == 92.0 and triggered.market_price == pytest.approx(80.0)


def test_take_profit_fires_when_the_price_rises_to_its_trigger():
    market = make_market([100, 100, 112, 112])
    market.open_account("a")
    buy(market, 100)
    take = sell(market, 100, kind=OrderKind.TAKE_PROFIT, trigger_price=110.0)
    market.run_days(2)
    assert take.status is OrderStatus.ARMED
    market.advance(1)
    assert take.status is OrderStatus.FILLED
    assert take.avg_fill_price == pytest.approx(112.0, rel=0.01)


def test_trailing_stop_follows_new_highs_and_fires_on_the_pullback():
    market = make_market([100, 110, 120, 115, 107, 100])
    market.open_account("a")
    buy(market, 100)
    trail = sell(market, 100, kind=OrderKind.TRAILING_STOP, trail_pct=10.0)
    market.run_days(3)  # through 120
    assert trail.trigger_price == pytest.approx(108.0)
    market.run_days(1)  # 115: above 108
    assert trail.status is OrderStatus.ARMED
    market.run_days(1)  # 107: below 108, fires
    assert trail.status is OrderStatus.FILLED
    assert trail.avg_fill_price == pytest.approx(107.0, rel=0.01)


def test_bracket_places_oco_legs_from_the_fill_and_one_leg_cancels_the_other():
    market = make_market([100, 100, 89, 89])
    market.open_account("a")
    entry = buy(market, 100, stop_loss_pct=10.0, take_profit_pct=20.0)
    legs = [o for o in market.desk.live_orders("a")]
    kinds = sorted(o.kind.value for o in legs)
    assert kinds == ["stop_loss", "take_profit"]
    stop = next(o for o in legs if o.kind is OrderKind.STOP_LOSS)
    take = next(o for o in legs if o.kind is OrderKind.TAKE_PROFIT)
    assert stop.trigger_price == pytest.approx(entry.avg_fill_price * 0.9)
    assert take.trigger_price == pytest.approx(entry.avg_fill_price * 1.2)
    market.run_days(2)
    market.advance(1)
    assert stop.status is OrderStatus.FILLED
    assert take.status is OrderStatus.CANCELLED


def test_cancel_removes_a_resting_order_and_a_second_cancel_is_rejected():
    market = make_market([100, 100])
    account = market.open_account("a")
    order = buy(market, 100, kind=OrderKind.LIMIT, limit_price=90.0)
    market.cancel("a", order.order_id)
    assert order.status is OrderStatus.CANCELLED
    assert account.reserved_cash == 0
    with pytest.raises(OrderRejected) as err:
        market.cancel("a", order.order_id)
    assert err.value.reject.code is RejectCode.UNKNOWN_ORDER


@pytest.mark.parametrize(
    ("request_kw", "code"),
    [
        (dict(symbol="NOPE", side=Side.BUY, qty=100), RejectCode.UNKNOWN_SYMBOL),
        (dict(symbol="IDX", side=Side.BUY, qty=0), RejectCode.BAD_QUANTITY),
        (dict(symbol="IDX", side=Side.BUY, qty=2.5), RejectCode.BAD_QUANTITY),
        (dict(symbol="IDX", side=Side.BUY, qty=10**6), RejectCode.INSUFFICIENT_CASH),
        (dict(symbol="IDX", side=Side.SELL, qty=100), RejectCode.INSUFFICIENT_POSITION),
        (dict(symbol="IDX", side=Side.BUY, qty=100, kind=OrderKind.LIMIT), RejectCode.BAD_ORDER),
        (dict(symbol="IDX", side=Side.SELL, qty=100, kind=OrderKind.STOP_LOSS, trigger_price=120.0),
         RejectCode.BAD_ORDER),
        (dict(symbol="IDX", side=Side.BUY, qty=100, kind=OrderKind.TRAILING_STOP, trail_pct=5.0),
         RejectCode.BAD_ORDER),
    ],
)
def test_bad_orders_are_rejected_with_a_code_and_a_message_in_both_languages(request_kw, code):
    market = make_market([100, 100])
    market.open_account("a")
    with pytest.raises(OrderRejected) as err:
        market.submit("a", OrderRequest(**request_kw, client_order_id="c1"))
    reject = err.value.reject
    assert reject.code is code
    assert reject.client_order_id == "c1"
    assert reject.message("en") and reject.message("zh") and reject.message("en") != reject.message("zh")
