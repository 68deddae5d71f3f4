"""Price limits, limit-locked days, circuit-breaker halts, T+1, lots and fees, as an exchange applies them."""

import math

import pytest
from scripted_market import STEPS_PER_DAY, make_market

from vbranch.market_sim.orders import OrderKind, OrderRejected, OrderRequest, OrderStatus, RejectCode, Side
from vbranch.market_sim.rules import CN_2016_RULES, CN_RULES, US_RULES, breaker_to_trigger, limit_band, trading_fees

CN_NO_FEES = CN_RULES.with_changes(commission_pct=0.0, min_commission=0.0, stamp_duty_sell_pct=0.0)


def reject_code(market, request):
    with pytest.raises(OrderRejected) as err:
        market.submit("a", request)
    return err.value.reject.code


def test_limit_band_rounds_half_up_to_the_tick():
    assert limit_band(10.05, 10.0, 0.01) == (9.05, 11.06)  # 9.045 -> 9.05, 11.055 -> 11.06
    assert limit_band(3.289, 10.0, 0.001) == (2.960, 3.618)
    assert limit_band(100.0, None, 0.01) == (0.0, math.inf)


def test_fees_charge_minimum_commission_and_stamp_duty_on_sells_only():
    assert trading_fees("buy", 10_000, CN_RULES) == 5.0  # 2.5 commission is below the 5 minimum
    assert trading_fees("sell", 100_000, CN_RULES) == pytest.approx(25.0 + 50.0)
    assert trading_fees("buy", 0, CN_RULES) == 0.0


def test_limit_locked_day_accepts_no_sells_and_a_stop_gaps_through_on_the_next_open():
    # The index "wants" 80 on day 1 but A-share limits stop it at 90 (locked); day 2 opens at 80.
    market = make_market([100, 80, 80], rules=CN_NO_FEES, limited=True)
    market.open_account("a")
    market.submit("a", OrderRequest("IDX", Side.BUY, 1000))
    stop = market.submit("a", OrderRequest("IDX", Side.SELL, 1000, OrderKind.STOP_LOSS, trigger_price=95.0))
    market.run_days(1)
    market.advance(1)
    assert market.price("IDX") == pytest.approx(90.0)  # limit-down
    assert stop.status is OrderStatus.TRIGGERED  # fired, but nobody buys at a locked limit-down
    market.accounts["a"].new_day()  # (T+1 aside) the shares are sellable, the market still is not
    assert reject_code(market, OrderRequest("IDX", Side.SELL, 100)) is RejectCode.NO_LIQUIDITY
    market.run_days(1)
    bar = market.history["IDX"][1]
    assert (bar.open, bar.high, bar.low, bar.close) == (90.0, 90.0, 90.0, 90.0)
    market.advance(1)  # day 2: new band 81..99, price 81 (limit-down again but not locked: 80 < 81)
    assert market.price("IDX") == pytest.approx(81.0)


def test_buys_still_fill_at_a_locked_limit_down():
    market = make_market([100, 80], rules=CN_NO_FEES, limited=True)
    market.open_account("a")
    market.run_days(1)
    market.advance(1)
    order = market.submit("a", OrderRequest("IDX", Side.BUY, 100))
    assert order.status is OrderStatus.FILLED and order.avg_fill_price == pytest.approx(90.0)


def test_limit_order_outside_todays_band_is_rejected():
    market = make_market([100, 100], rules=CN_NO_FEES, limited=True)
    market.open_account("a")
    code = reject_code(market, OrderRequest("IDX", Side.BUY, 100, OrderKind.LIMIT, limit_price=89.0))
    assert code is RejectCode.PRICE_OUTSIDE_LIMITS


def test_t_plus_one_blocks_selling_todays_purchase_until_the_next_day():
    market = make_market([100, 100, 100], rules=CN_NO_FEES)
    market.open_account("a")
    market.submit("a", OrderRequest("IDX", Side.BUY, 200))
    assert reject_code(market, OrderRequest("IDX", Side.SELL, 200)) is RejectCode.T_PLUS_ONE
    market.run_days(1)
    market.advance(1)
    assert market.submit("a", OrderRequest("IDX", Side.SELL, 200)).status is OrderStatus.FILLED


def test_t_plus_one_is_optional():
    market = make_market([100, 100], rules=CN_NO_FEES.with_changes(t_plus_one=False))
    market.open_account("a")
    market.submit("a", OrderRequest("IDX", Side.BUY, 200))
    assert market.submit("a", OrderRequest("IDX", Side.SELL, 200)).status is OrderStatus.FILLED


def test_a_share_buys_come_in_100_share_lots_and_odd_lots_sell_only_whole():
    market = make_market([100, 100, 100], rules=CN_NO_FEES.with_changes(t_plus_one=False))
    account = market.open_account("a")
    assert reject_code(market, OrderRequest("IDX", Side.BUY, 150)) is RejectCode.BAD_LOT
    market.submit("a", OrderRequest("IDX", Side.BUY, 200))
    account.position("IDX").qty += 0  # 200 held
    assert reject_code(market, OrderRequest("IDX", Side.SELL, 150)) is RejectCode.BAD_LOT
    assert market.submit("a", OrderRequest("IDX", Side.SELL, 100)).status is OrderStatus.FILLED


def test_breaker_levels_fire_once_each_and_not_after_the_cutoff():
    breakers = US_RULES.circuit_breakers
    assert breaker_to_trigger(6.9, 10, breakers, frozenset()) is None
    assert breaker_to_trigger(7.0, 10, breakers, frozenset()) == (0, 15.0)
    assert breaker_to_trigger(7.5, 10, breakers, frozenset({0})) is None
    assert breaker_to_trigger(13.2, 10, breakers, frozenset({0})) == (1, 15.0)
    assert breaker_to_trigger(8.0, 360, breakers, frozenset()) is None  # after 15:25 level 1 does not halt
    assert breaker_to_trigger(20.0, 389, breakers, frozenset({0, 1})) == (2, None)
    assert breaker_to_trigger(5.5, 230, CN_2016_RULES.circuit_breakers, frozenset()) == (0, None)


def test_us_circuit_breaker_halts_15_minutes_then_closes_the_day_at_minus_20():
    # One day sliding from 100 down to 75: halts at -7% and -13%, then trading stops for the day at -20%.
    market = make_market([100, (100, 100, 75, 79), 79], rules=US_RULES)
    seen = []
    market.bus.subscribe(seen.append)
    market.run_days(1)
    prices = []
    for _ in range(STEPS_PER_DAY):
        market.advance(1)
        prices.append(market.price("IDX"))
    halts = [e for e in seen if e.kind == "halt"]
    assert [h.drop_pct for h in halts] == [7.0, 13.0, 20.0]
    assert halts[0].until_step == halts[0].t_step + 1 and halts[-1].until_step is None
    frozen_from = halts[-1].t_step - STEPS_PER_DAY  # step within day 1
    assert prices[frozen_from] <= 80.0
    assert all(p == prices[frozen_from] for p in prices[frozen_from:])  # no trading after the close-out
    assert [e.kind for e in seen].count("resumed") == 2


def test_orders_are_rejected_during_a_halt():
    market = make_market([100, 75, 75], rules=US_RULES)
    market.open_account("a")
    market.run_days(1)
    market.advance(1)
    assert market.session.market_halted(market.t_step)
    code = reject_code(market, OrderRequest("IDX", Side.BUY, 10))
    assert code is RejectCode.HALTED
    market.run_days(1)
    market.advance(1)  # next day: trading resumes
    assert market.submit("a", OrderRequest("IDX", Side.BUY, 10)).status is OrderStatus.FILLED


def test_halt_steps_follow_the_trading_day_length():
    market = make_market([100, 92, 92], rules=US_RULES)
    market.run_days(1)
    events = market.advance(1)
    (halt,) = [e for e in events if e.kind == "halt"]
    assert halt.drop_pct == 7.0
    # 15 minutes of a 390-minute day is less than one 48.75-minute step: one step
    assert halt.until_step == halt.t_step + 1
    assert STEPS_PER_DAY == 8


def test_halt_rejection_explains_the_circuit_breaker_in_the_learners_language():
    market = make_market([100, 75, 75], rules=US_RULES)
    market.open_account("a")
    market.run_days(1)
    market.advance(1)
    with pytest.raises(OrderRejected) as err:
        market.submit("a", OrderRequest("IDX", Side.BUY, 10))
    assert "circuit breaker: index down 20%" in err.value.reject.message("en")
    assert "熔断：指数下跌 20%" in err.value.reject.message("zh")
