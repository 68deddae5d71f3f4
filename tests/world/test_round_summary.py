"""The numbers a finished round is summed up with, and the advisor's words for them (no engine)."""

from __future__ import annotations

import pytest

from vbranch.market_sim.market import Bar, Market
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.scenario import load_scenario
from vbranch.world.round_summary import RoundSummary, buy_and_hold_pct, summarise_round, summary_line


def test_buy_and_hold_runs_from_the_first_open_to_the_last_close():
    bars = [Bar(0, 10.0, 10.5, 9.8, 11.0), Bar(1, 11.0, 12.6, 10.9, 12.5)]
    assert buy_and_hold_pct(bars) == pytest.approx(25.0)
    assert buy_and_hold_pct([]) is None


def test_a_finished_round_is_measured_against_the_index_and_an_equal_weight_basket():
    market = Market(load_scenario("crash").market_config(), seed=3)
    account = market.open_account("learner")
    market.advance(1)
    market.submit("learner", OrderRequest("510300", Side.BUY, 10_000))
    market.run_days(20)
    assert market.finished
    summary = summarise_round(market, "learner")
    history = market.history
    index = history["510300"]
    others = [s for s in market.symbols if s != "510300"]
    basket = sum(100 * (history[s][-1].close / history[s][0].open - 1) for s in others) / len(others)
    assert summary.days == 20 and summary.trades == 1 and summary.panic_sells == 0
    assert summary.starting_cash == 100_000
    assert summary.equity == pytest.approx(account.cash + 10_000 * index[-1].close)
    assert summary.return_pct == pytest.approx(100 * (summary.equity / 100_000 - 1))
    assert summary.index_return_pct == pytest.approx(100 * (index[-1].close / index[0].open - 1))
    assert summary.index_return_pct < -10  # the crash scenario's 20% fall is in the index
    assert summary.basket_return_pct == pytest.approx(basket)


def test_the_advisor_sums_up_result_yardsticks_and_panic_sells_then_offers_a_new_round():
    summary = RoundSummary(days=20, starting_cash=100_000, equity=92_500.0, index_return_pct=-23.24,
                           basket_return_pct=-8.71, panic_sells=2, trades=5)
    assert summary.return_pct == pytest.approx(-7.5)
    assert summary_line(summary, "en", "CSI 300 ETF") == (
        "The round is over: after 20 trading days your equity is 92,500 against 100,000 starting cash (-7.5%). "
        "Buying and holding the CSI 300 ETF over the same days: -23.2%. "
        "An equal-weight basket of the other instruments: -8.7%. "
        "Panic sells: 2. Next round, try a stop-loss set in advance instead of selling into the fall. "
        "Press R or Enter for a new round: same scenario, new prices.")
    assert summary_line(summary, "zh", "沪深300ETF").startswith(
        "本轮结束：20个交易日后，您的总资产92,500，起始资金100,000，收益-7.5%。同期买入持有沪深300ETF：-23.2%。")


def test_a_round_without_trades_or_an_index_says_only_what_it_has():
    summary = RoundSummary(days=15, starting_cash=50_000, equity=50_000.0, index_return_pct=None,
                           basket_return_pct=None, panic_sells=0, trades=0)
    assert summary_line(summary, "en", "") == (
        "The round is over: after 15 trading days your equity is 50,000 against 50,000 starting cash (+0.0%). "
        "You made no trades this round. Press R or Enter for a new round: same scenario, new prices.")


def test_a_loss_too_small_to_show_is_said_as_zero_not_minus_zero():
    summary = RoundSummary(days=20, starting_cash=100_000, equity=99_969.0, index_return_pct=-0.04,
                           basket_return_pct=None, panic_sells=0, trades=1)
    line = summary_line(summary, "en", "CSI 300 ETF")
    assert "(+0.0%)" in line and "same days: +0.0%." in line and "-0.0" not in line
