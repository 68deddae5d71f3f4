"""Every lesson's task on its real market: a scripted good learner passes, a bad learner fails."""

from __future__ import annotations

import pytest

from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind, OrderRequest, Side
from vbranch.scenes.lesson_checks import CHECKS, run_check
from vbranch.scenes.lessons import Lesson, load_lesson

ME = "learner"


def _start(lesson_id: str) -> tuple[Lesson, Market]:
    lesson = load_lesson(lesson_id)
    market = lesson.build_market()
    market.open_account(ME)
    market.advance(1)  # the first step of day 0 sets traded prices
    return lesson, market


def _buy(market: Market, symbol: str, pct_of_cash: float, **kw) -> None:
    """Buy ``pct_of_cash`` percent of the starting cash in whole lots."""
    lot = market.universe.get(symbol).lot_size or market.rules.lot_size
    qty = int(market.config.starting_cash * pct_of_cash / 100 / market.price(symbol) / lot) * lot
    market.submit(ME, OrderRequest(symbol, Side.BUY, qty, **kw))


def _sell_all(market: Market, symbol: str) -> None:
    market.submit(ME, OrderRequest(symbol, Side.SELL, market.account(ME).sellable(symbol, market.rules.t_plus_one)))


def _index(market: Market) -> str:
    return market.universe.index.symbol


def test_every_lesson_check_is_exercised_below():
    names = {load_lesson(p).task.check for p in ["candlestick", "market_regimes", "stop_loss", "take_profit",
                                                  "trailing_stop", "position_sizing", "diversification",
                                                  "crash_survival", "regular_investing", "behaviour"]}
    assert names == set(CHECKS)


@pytest.mark.parametrize("good", [True, False])
def test_candlestick_reads_the_last_closed_candle(good):
    lesson, market = _start("candlestick")
    market.run_days(lesson.days)
    bar = market.bars(_index(market), include_today=False)[-1]
    truth = "up" if bar.close >= bar.open else "down"
    answer = truth if good else {"up": "down", "down": "up"}[truth]
    result = lesson.check(market, ME, answer)
    assert result.passed is good
    assert result.score == (100 if good else 0)
    assert result.details["day"] == lesson.days - 1


@pytest.mark.parametrize(("answer", "good"), [("bear", True), ("bull", False), ("sideways", False)])
def test_market_regimes_lesson_market_really_is_a_bear(answer, good):
    lesson, market = _start("market_regimes")
    market.run_days(lesson.days)
    result = lesson.check(market, ME, answer)
    assert result.details["change_pct"] < -3.0
    assert result.passed is good


@pytest.mark.parametrize("good", [True, False])
def test_stop_loss_needs_every_buy_protected(good):
    lesson, market = _start("stop_loss")
    _buy(market, "510300", 30, stop_loss_pct=5.0 if good else None)
    _buy(market, "601398", 20)
    if good:  # the second holding is protected by a separate stop order the next day (T+1)
        market.run_days(1)
        qty = market.account(ME).held("601398")
        trigger = round(market.price("601398") * 0.93, 2)
        market.submit(ME, OrderRequest("601398", Side.SELL, qty, OrderKind.STOP_LOSS, trigger_price=trigger))
    market.run_days(lesson.days - 1)
    result = lesson.check(market, ME)
    assert result.passed is good
    assert result.details == {"bought": 2, "protected": 2 if good else 0}


@pytest.mark.parametrize("good", [True, False])
def test_take_profit_passes_only_a_planned_exit_at_a_gain(good):
    lesson, market = _start("take_profit")
    _buy(market, "510300", 50, take_profit_pct=3.0 if good else None, stop_loss_pct=8.0)
    market.run_days(lesson.days)
    result = lesson.check(market, ME)
    assert result.passed is good
    if good:
        assert result.details["best_gain_pct"] >= 2.9
    else:
        assert result.details["planned_exits"] == 0


@pytest.mark.parametrize(("trail_pct", "good"), [(5.0, True), (0.5, False), (None, False)])
def test_trailing_stop_needs_a_sensible_trail_on_a_holding(trail_pct, good):
    lesson, market = _start("trailing_stop")
    _buy(market, "510300", 50)
    market.run_days(1)
    if trail_pct is not None:
        qty = market.account(ME).held("510300")
        market.submit(ME, OrderRequest("510300", Side.SELL, qty, OrderKind.TRAILING_STOP, trail_pct=trail_pct))
    market.run_days(lesson.days - 1)
    result = lesson.check(market, ME)
    assert result.passed is good
    assert result.details["trailing_stops"] == (0 if trail_pct is None else 1)


@pytest.mark.parametrize(("sizes", "good"), [({"510300": 15, "518880": 15}, True), ({"510300": 90}, False),
                                             ({}, False)])
def test_position_sizing_caps_every_holding_at_every_close(sizes, good):
    lesson, market = _start("position_sizing")
    for symbol, pct in sizes.items():
        _buy(market, symbol, pct)
    market.run_days(lesson.days)
    result = lesson.check(market, ME)
    assert result.passed is good
    if sizes == {"510300": 90}:
        assert result.details["largest_pct"] > 80
        assert result.score == 0.0


@pytest.mark.parametrize(("sizes", "good"), [({"510300": 25, "511010": 27, "518880": 20}, True),
                                             ({"516160": 90}, False),
                                             ({"510300": 60, "601398": 10, "516160": 10}, False)])
def test_diversification_counts_holdings_classes_and_the_largest_share(sizes, good):
    lesson, market = _start("diversification")
    for symbol, pct in sizes.items():
        _buy(market, symbol, pct)
    market.run_days(lesson.days)
    result = lesson.check(market, ME)
    assert result.passed is good
    assert result.details["holdings"] == len(sizes)


@pytest.mark.parametrize("good", [True, False])
def test_crash_survival_fails_a_panic_seller(good):
    lesson, market = _start("crash_survival")
    _buy(market, _index(market), 50)
    _buy(market, "TLT", 20)
    if not good:  # hold until the index is 25% below its start, then dump it
        start = market.price(_index(market))
        while market.price(_index(market)) > 0.75 * start:
            market.run_days(1)
        market.advance(10)
        _sell_all(market, _index(market))
        _sell_all(market, "TLT")
    market.run_days(lesson.days)
    result = lesson.check(market, ME)
    assert result.passed is good
    assert result.details["panic_sells"] == (0 if good else 1)  # the index sale is a panic, the bond's is not
    assert result.details["invested_pct"] > (30 if good else -1)


@pytest.mark.parametrize(("gap_days", "good"), [(5, True), (None, False), (2, False)])
def test_regular_investing_needs_a_steady_schedule(gap_days, good):
    lesson, market = _start("regular_investing")
    if gap_days is None:
        _buy(market, "510300", 60)
        market.run_days(lesson.days)
    else:
        for _ in range(5):
            _buy(market, "510300", 10)
            market.run_days(gap_days)
    result = lesson.check(market, ME)
    assert result.passed is good
    assert result.details["longest_schedule"] == (5 if gap_days == 5 else 1)


@pytest.mark.parametrize("good", [True, False])
def test_behaviour_fails_a_learner_who_chases_a_hot_run(good):
    lesson, market = _start("behaviour")
    if good:
        _buy(market, "510300", 30)
        _buy(market, "511010", 30)
        market.run_days(lesson.days)
    else:
        chased = False
        for _ in range(lesson.days):
            market.run_days(1)
            market.advance(1)
            for symbol in market.symbols:
                if symbol == "600519":  # one lot of Moutai costs more than the chaser's 40%
                    continue
                closes = [b.close for b in market.history[symbol]][-5:]
                if not chased and len(closes) == 5 and market.price(symbol) / closes[0] - 1 >= 0.09:
                    _buy(market, symbol, 40)
                    chased = True
        assert chased, "the lesson's bull market should tempt a chaser at least once"
    result = lesson.check(market, ME)
    assert result.passed is good
    assert len(result.details["chased"]) == (0 if good else 1)


def test_overtrading_fails_the_behaviour_check_even_without_chasing():
    lesson, market = _start("behaviour")
    for _ in range(6):
        _buy(market, "511010", 15)
        market.run_days(1)
        _sell_all(market, "511010")
    result = run_check("avoided_herding", market, ME, {"max_trades": 10})
    assert result.details["trades"] == 12
    assert not result.passed
    assert result.score == 50


def test_every_check_has_zh_and_en_feedback_that_formats_with_its_details():
    from vbranch.scenes.catalogue import text

    lesson, market = _start("diversification")
    _buy(market, "516160", 50)
    market.run_days(1)
    for name in CHECKS:
        result = run_check(name, market, ME, answer="up")
        for lang in ("zh", "en"):
            assert text(result.message_key, lang, **result.details)
            assert text(f"check.{name}.pass", lang, **result.details)
