"""Orders in words → intents, questions, and market-checked requests (zh and en)."""

import argparse
import json

import pytest

from vbranch.avatars.order_numbers import cn_number, normalise_numbers
from vbranch.avatars.order_parser import Amount, AmountKind, Clarify, OrderIntent, detect_lang, parse_order
from vbranch.avatars.order_request import intent_to_request
from vbranch.market_sim.instruments import CN_UNIVERSE, US_UNIVERSE
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind, OrderRequest, Reject, RejectCode, Side
from vbranch.market_sim.rules import trading_fees
from vbranch.scenes.scenario import load_scenario
from vbranch.world import cli_orders


def intent(side, symbol, kind, value, order_type="market", limit=None, stop=None, take=None):
    return {"side": side, "symbol": symbol, "amount": {"kind": kind, "value": value}, "order_type": order_type,
            "limit_price": limit, "stop_loss_pct": stop, "take_profit_pct": take}


def parsed(text, universe=CN_UNIVERSE):
    result = parse_order(text, universe)
    assert isinstance(result, OrderIntent), result
    return result.to_dict()


def clarify(text, universe=CN_UNIVERSE):
    result = parse_order(text, universe)
    assert isinstance(result, Clarify), result
    return result


# ----- the issue's four examples ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("用持仓盈利的30%买入新能源ETF并设置30%止损", intent("buy", "516160", "profit_pct", 30, stop=30)),
    ("买100股茅台，止损8%", intent("buy", "600519", "shares", 100, stop=8)),
    ("sell half my bank shares", intent("sell", "601398", "position_pct", 50)),
    ("buy 5000 yuan of the CSI 300 ETF with a 15% take-profit", intent("buy", "510300", "cash", 5000, take=15)),
])
def test_issue_examples_give_exactly_the_expected_intent(text, expected):
    assert parsed(text) == expected


# ----- more phrasings ---------------------------------------------------------------------------------
CN_PHRASINGS = [
    ("买一百股茅台", intent("buy", "600519", "shares", 100)),
    ("买两手银行股", intent("buy", "601398", "shares", 200)),
    ("买入1手贵州茅台", intent("buy", "600519", "shares", 100)),
    ("卖出茅台100股", intent("sell", "600519", "shares", 100)),
    ("买入1万元沪深300", intent("buy", "510300", "cash", 10000)),
    ("买三千五块钱的黄金", intent("buy", "518880", "cash", 3500)),
    ("用5千元买国债", intent("buy", "511010", "cash", 5000)),
    ("加仓一半新能源", intent("buy", "516160", "position_pct", 50)),
    ("减仓三成黄金", intent("sell", "518880", "position_pct", 30)),
    ("卖出一半茅台", intent("sell", "600519", "position_pct", 50)),
    ("卖掉我银行股的四分之一", intent("sell", "601398", "position_pct", 25)),
    ("卖出百分之二十的国债", intent("sell", "511010", "position_pct", 20)),
    ("清仓茅台", intent("sell", "600519", "position_pct", 100)),
    ("全部卖出黄金ETF", intent("sell", "518880", "position_pct", 100)),
    ("用盈利的一半买入黄金", intent("buy", "518880", "profit_pct", 50)),
    ("以1500元的价格买入100股茅台", intent("buy", "600519", "shares", 100, "limit", 1500)),
    ("限价4.5元买入1000股银行", intent("buy", "601398", "shares", 1000, "limit", 4.5)),
    ("挂单 4.5 买入银行 2手", intent("buy", "601398", "shares", 200, "limit", 4.5)),
    ("以4.5元买入银行股1000股", intent("buy", "601398", "shares", 1000, "limit", 4.5)),
    ("买100股茅台 止损设在8个点", intent("buy", "600519", "shares", 100, stop=8)),
    ("止损 8 个点 买入 5000 元 沪深300", intent("buy", "510300", "cash", 5000, stop=8)),
    ("买入茅台100股，止盈20%，止损百分之十", intent("buy", "600519", "shares", 100, stop=10, take=20)),
    ("买１００股茅台，止损８％", intent("buy", "600519", "shares", 100, stop=8)),
    ("在1500买入茅台100股", intent("buy", "600519", "shares", 100, "limit", 1500)),
    ("每股4.5元买入1000股银行", intent("buy", "601398", "shares", 1000, "limit", 4.5)),
    ("以市价买入100股茅台", intent("buy", "600519", "shares", 100)),
    ("买入510300 1000股", intent("buy", "510300", "shares", 1000)),
]

EN_PHRASINGS = [
    ("buy 100 moutai", intent("buy", "600519", "shares", 100)),
    ("buy one hundred shares of moutai", intent("buy", "600519", "shares", 100)),
    ("buy 2 lots of bank stock", intent("buy", "601398", "shares", 200)),
    ("buy five thousand yuan of moutai", intent("buy", "600519", "cash", 5000)),
    ("buy 5k yuan of bonds", intent("buy", "511010", "cash", 5000)),
    ("buy ¥8,000 of gold", intent("buy", "518880", "cash", 8000)),
    ("sell 30 percent of my moutai", intent("sell", "600519", "position_pct", 30)),
    ("sell a quarter of my bank shares", intent("sell", "601398", "position_pct", 25)),
    ("dump all my new energy", intent("sell", "516160", "position_pct", 100)),
    ("liquidate my gold", intent("sell", "518880", "position_pct", 100)),
    ("use 30% of my profits to buy gold", intent("buy", "518880", "profit_pct", 30)),
    ("sell 50% of my profit in the CSI 300 ETF", intent("sell", "510300", "profit_pct", 50)),
    ("buy 100 shares of moutai at 1500", intent("buy", "600519", "shares", 100, "limit", 1500)),
    ("buy 100 shares of moutai at 1500 yuan each", intent("buy", "600519", "shares", 100, "limit", 1500)),
    ("buy 100 shares of moutai at market", intent("buy", "600519", "shares", 100)),
    ("buy one lot of moutai", intent("buy", "600519", "shares", 100)),
    ("purchase 300 shares of gold etf with an 8% stop",
     intent("buy", "518880", "shares", 300, stop=8)),
    ("buy 100 moutai, take profit at 20%, stop loss at 10%",
     intent("buy", "600519", "shares", 100, stop=10, take=20)),
    ("buy one hundred shares of moutai with a stop-loss at 8 percent and a take profit of 20%",
     intent("buy", "600519", "shares", 100, stop=8, take=20)),
]

US_PHRASINGS = [
    ("buy $2000 of SPY", intent("buy", "SPY", "cash", 2000)),
    ("buy 2,500 dollars of the S&P 500 ETF with a 7% stop", intent("buy", "SPY", "cash", 2500, stop=7)),
    ("sell half my nasdaq", intent("sell", "QQQ", "position_pct", 50)),
    ("buy 10 shares of jpmorgan at 145.5", intent("buy", "JPM", "shares", 10, "limit", 145.5)),
    ("buy 10 shares of SPY limit 440", intent("buy", "SPY", "shares", 10, "limit", 440)),
    ("买入10股标普500，止损8%", intent("buy", "SPY", "shares", 10, stop=8)),
]


@pytest.mark.parametrize(("text", "expected"), CN_PHRASINGS)
def test_chinese_phrasings(text, expected):
    assert parsed(text) == expected


@pytest.mark.parametrize(("text", "expected"), EN_PHRASINGS)
def test_english_phrasings(text, expected):
    assert parsed(text) == expected


@pytest.mark.parametrize(("text", "expected"), US_PHRASINGS)
def test_us_universe_phrasings(text, expected):
    assert parsed(text, US_UNIVERSE) == expected


def test_a_third_of_a_position_is_a_percentage_with_four_decimals():
    assert parsed("卖出三分之一银行股")["amount"] == {"kind": "position_pct", "value": 33.3333}


# ----- questions instead of guesses -------------------------------------------------------------------
@pytest.mark.parametrize(("text", "key"), [
    ("买100股", "order_parse.which_instrument"),
    ("buy moutai and gold", "order_parse.several_instruments"),
    ("buy and sell moutai", "order_parse.conflicting_sides"),
    ("买入卖出茅台100股", "order_parse.conflicting_sides"),
    ("100股茅台", "order_parse.which_side"),
    ("buy moutai", "order_parse.how_much"),
    ("buy a lot of moutai", "order_parse.how_much"),
    ("sell everything", "order_parse.which_instrument"),
    ("buy 100 moutai stop at 1500", "order_parse.stop_needs_pct"),
    ("全仓买入茅台", "order_parse.how_much"),
    ("买入茅台 100", "order_parse.bare_number"),
    ("buy 100 shares and 5000 yuan of moutai", "order_parse.several_amounts"),
    ("buy $5000 of moutai", "order_parse.currency"),
    ("用30%的资金买入茅台", "order_parse.pct_of_cash"),
    ("买100股茅台，设置止损", "order_parse.stop_needs_pct"),
    ("买100股茅台止损8", "order_parse.stop_needs_pct"),
    ("buy 100 moutai with a take-profit", "order_parse.take_profit_needs_pct"),
    ("buy 100 shares of moutai with a limit order", "order_parse.limit_needs_price"),
])
def test_ambiguous_commands_get_a_question(text, key):
    assert clarify(text).question_key == key


def test_lots_are_questioned_in_a_market_without_them():
    assert clarify("buy 2 lots of SPY", US_UNIVERSE).question_key == "order_parse.lots_outside_cn"


def test_unknown_instrument_question_names_what_was_heard_in_the_learners_language():
    en = clarify("buy 100 shares of tesla")
    assert en.question_key == "order_parse.unknown_instrument"
    assert "“tesla”" in en.question("en") and "Kweichow Moutai" in en.question("en")
    zh = clarify("买100股特斯拉")
    assert "“特斯拉”" in zh.question("zh") and "贵州茅台" in zh.question("zh")


def test_several_instruments_question_lists_both_names():
    question = clarify("卖出茅台买入黄金").question("zh")
    assert "贵州茅台" in question and "黄金ETF" in question


def test_language_is_detected_from_any_cjk_character():
    assert detect_lang("买100股茅台") == "zh"
    assert detect_lang("buy 100 茅台") == "zh"
    assert detect_lang("sell half my bank shares") == "en"


# ----- spoken numbers -----------------------------------------------------------------------------
@pytest.mark.parametrize(("run", "value"), [
    ("一百", 100), ("两千", 2000), ("三千五", 3500), ("一万五", 15000), ("一百零五", 105), ("二十五", 25),
    ("十", 10), ("1万", 10000), ("1.5万", 15000), ("5千", 5000), ("一亿五千万", 150_000_000),
])
def test_chinese_numerals(run, value):
    assert cn_number(run) == value


def test_spoken_percentages_become_percent_signs():
    assert normalise_numbers("百分之三十 三成 8个点 8 percent 一半") == "30% 30% 8% 8% 50%"


# ----- against a real market ------------------------------------------------------------------------
@pytest.fixture
def market():
    m = Market(load_scenario("crash").market_config(), seed=1)
    m.open_account("a")
    return m


def request_for(text, market, account="a"):
    result = parse_order(text, market.universe)
    assert isinstance(result, OrderIntent), result
    return intent_to_request(result, market, account)


def test_cash_buys_whole_lots_within_the_budget_fees_included(market):
    req = request_for("buy 5000 yuan of the CSI 300 ETF with a 15% take-profit", market)
    assert isinstance(req, OrderRequest)
    assert (req.symbol, req.side, req.qty, req.kind, req.take_profit_pct) == ("510300", Side.BUY, 1200, "market", 15)
    price = market.price("510300")
    assert price == 4.0
    assert req.qty * price + trading_fees("buy", req.qty * price, market.rules) <= 5000 < (req.qty + 100) * price


def test_cash_of_a_limit_order_is_counted_at_the_limit_price(market):
    req = request_for("以3.7元买入5000元沪深300", market)
    assert (req.qty, req.kind, req.limit_price) == (1300, OrderKind.LIMIT, 3.7)  # 1200 at the 4.00 market price


def test_cash_below_one_lot_asks_instead_of_rounding_to_zero(market):
    result = request_for("买5000元茅台", market)
    assert isinstance(result, Clarify) and result.question_key == "order_parse.below_lot_cash"
    assert result.question("en") == "5,000 CNY buys less than one lot (100 shares) of Kweichow Moutai at 1,600.00."


def test_percent_of_a_position_you_do_not_hold_asks(market):
    result = request_for("sell half my bank shares", market)
    assert isinstance(result, Clarify) and result.question_key == "order_parse.no_position"


def test_selling_shares_bought_today_is_refused_by_market_validation(market):
    market.submit("a", OrderRequest("601398", Side.BUY, 1000))
    market.advance(1)
    result = request_for("sell half my bank shares", market)
    assert isinstance(result, Reject) and result.code is RejectCode.T_PLUS_ONE


@pytest.fixture
def holding_market(market):
    """20,000 CSI 300 ETF and 1,000 bank shares bought at the start, three days later (seed 1: both up)."""
    market.submit("a", OrderRequest("510300", Side.BUY, 20000))
    market.submit("a", OrderRequest("601398", Side.BUY, 1000))
    market.run_days(3)
    return market


@pytest.mark.parametrize(("text", "qty"), [
    ("sell half my bank shares", 500),
    ("sell a quarter of my bank shares", 200),  # 250 rounds down to whole lots
    ("卖出三分之一银行股", 300),  # 333.3 → 300
    ("清仓银行股", 1000),
])
def test_position_percent_rounds_down_to_whole_lots(holding_market, text, qty):
    req = request_for(text, holding_market)
    assert isinstance(req, OrderRequest) and (req.symbol, req.side, req.qty) == ("601398", Side.SELL, qty)


def test_profit_percent_of_a_buy_spends_that_share_of_net_unrealised_profit(holding_market):
    account = holding_market.account("a")
    profit = account.unrealised_pnl(holding_market.prices)
    assert profit == pytest.approx(1008.22, abs=0.01)
    req = request_for("用持仓盈利的30%买入新能源ETF并设置30%止损", holding_market)
    assert isinstance(req, OrderRequest)
    assert (req.symbol, req.qty, req.stop_loss_pct) == ("516160", 200, 30)
    price = holding_market.price("516160")
    assert req.qty * price <= 0.3 * profit < (req.qty + 100) * price


def test_profit_percent_of_a_sell_takes_value_from_that_holdings_own_profit(holding_market):
    pos = holding_market.account("a").positions["510300"]
    price = holding_market.price("510300")
    assert pos.unrealised_pnl(price) == pytest.approx(954.55, abs=0.01)
    req = request_for("sell 50% of my profit in the CSI 300 ETF", holding_market)
    assert (req.symbol, req.side, req.qty) == ("510300", Side.SELL, 100)  # 477.27 / 4.05 = 117 → 100


def test_profit_percent_without_profit_asks(market):
    result = request_for("用持仓盈利的30%买入新能源ETF", market)
    assert isinstance(result, Clarify) and result.question_key == "order_parse.no_profit"


@pytest.mark.parametrize(("text", "code"), [
    ("buy 150 moutai", RejectCode.BAD_LOT),
    ("buy 100 shares of moutai at 1000", RejectCode.PRICE_OUTSIDE_LIMITS),
    ("buy 200 moutai", RejectCode.INSUFFICIENT_CASH),
])
def test_market_validation_decides_acceptability(market, text, code):
    result = request_for(text, market)
    assert isinstance(result, Reject) and result.code is code


def test_an_accepted_request_is_accepted_by_the_market(market):
    req = request_for("买10手银行股，止损8%", market)
    assert isinstance(req, OrderRequest) and (req.qty, req.stop_loss_pct) == (1000, 8)
    order = market.submit("a", req)
    assert order.filled_qty == 1000
    assert market.account("a").held("601398") == 1000


def test_a_symbol_outside_the_market_asks(market):
    result = intent_to_request(OrderIntent("buy", "SPY", Amount(AmountKind.SHARES, 10)), market, "a")
    assert isinstance(result, Clarify) and "SPY" in result.question("en")


# ----- the command line ---------------------------------------------------------------------------
def run_cli(argv, capsys):
    parser = argparse.ArgumentParser()
    cli_orders.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_prints_the_intent_as_json(capsys):
    out = run_cli(["parse-order", "买100股茅台，止损8%", "--json"], capsys)
    assert out == intent("buy", "600519", "shares", 100, stop=8)


def test_cli_scenario_picks_the_us_universe(capsys):
    out = run_cli(["parse-order", "buy 10 shares of SPY", "--scenario", "crash_us", "--json"], capsys)
    assert out["symbol"] == "SPY" and out["amount"] == {"kind": "shares", "value": 10}


def test_cli_asks_in_the_detected_or_chosen_language(capsys):
    zh = run_cli(["parse-order", "买100股特斯拉", "--json"], capsys)
    assert zh["clarify"].startswith("我听到的是“特斯拉”")
    en = run_cli(["parse-order", "买100股特斯拉", "--lang", "en", "--json"], capsys)
    assert en["clarify"].startswith("I heard “特斯拉”")
