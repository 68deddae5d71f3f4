import pytest

from vbranch.avatars.advisor_chat import AdvisorChat, ChatKind, describe_order
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind, OrderRequest, Side
from vbranch.scenes.catalogue import text
from vbranch.scenes.scenario import load_scenario

MOUTAI = "600519"


@pytest.fixture(scope="module")
def holder():
    """A learner holding 200 Moutai bought yesterday (sellable under T+1)."""
    m = Market(load_scenario("crash").market_config(), seed=1)
    m.open_account("a", 1_000_000)
    m.submit("a", OrderRequest(MOUTAI, Side.BUY, 200))
    while m.day < 1:
        m.step(60.0)
    assert m.account("a").held(MOUTAI) == 200
    return m


def test_a_full_order_becomes_a_ticket_read_back_and_not_sent(holder):
    chat = AdvisorChat(holder, "a", "en")
    trades_before = len(holder.account("a").trades)
    reply = chat.reply("sell half my Kweichow Moutai")
    assert reply.kind is ChatKind.TICKET
    assert (reply.request.symbol, reply.request.side, reply.request.qty) == (MOUTAI, Side.SELL, 100)
    assert reply.text == ("Here is what I understood: sell 100 × Kweichow Moutai, at market. "
                          "Press Enter to send it, Esc to drop it.")
    assert len(holder.account("a").trades) == trades_before  # the chat never trades by itself


def test_a_missing_instrument_is_asked_for_and_the_answer_completes_the_order(holder):
    chat = AdvisorChat(holder, "a", "zh")
    first = chat.reply("慌了，全部卖掉")
    assert first.kind is ChatKind.CLARIFY
    assert "慌" not in first.text.split("。", 1)[1]  # the feeling word is not taken for an instrument's name
    assert first.text.startswith(text("chat.acknowledge", "zh"))
    second = chat.reply("茅台")
    assert second.kind is ChatKind.TICKET and second.request.qty == 200 and second.request.side is Side.SELL


def test_a_question_in_the_middle_of_an_unfinished_order_is_answered_and_the_order_dropped(holder):
    chat = AdvisorChat(holder, "a", "zh")
    assert chat.reply("卖一半").kind is ChatKind.CLARIFY
    assert chat.reply("什么是分散投资").kind is ChatKind.ANSWER
    third = chat.reply("茅台")  # no longer completes "卖一半": the instrument alone is no order
    assert third.kind is not ChatKind.TICKET


def test_cut_loss_slang_is_a_sell_and_keeps_its_distress(holder):
    reply = AdvisorChat(holder, "a", "zh").reply("割肉茅台，卖一半")
    assert reply.kind is ChatKind.TICKET and reply.request.side is Side.SELL and reply.request.qty == 100
    assert reply.words.distress_p >= 0.8 and "割肉" in reply.words.cues


def test_asking_whether_to_buy_a_real_company_gets_the_boundary_not_a_ticket(holder):
    reply = AdvisorChat(holder, "a", "zh").reply("我应该买茅台吗？")
    assert reply.kind is ChatKind.BOUNDARY and reply.request is None


def test_questions_are_answered_from_the_knowledge_base(holder):
    reply = AdvisorChat(holder, "a", "en").reply("what is a stop loss?")
    assert reply.kind is ChatKind.ANSWER and "stop-loss" in reply.text.lower()


def test_a_worried_message_alone_gets_a_calming_line(holder):
    reply = AdvisorChat(holder, "a", "en").reply("I'm so scared right now")
    assert reply.kind is ChatKind.REASSURE and reply.text == text("chat.reassure", "en")
    assert reply.words.distress_p >= 0.5


def test_small_talk_gets_an_honest_dont_know(holder):
    reply = AdvisorChat(holder, "a", "zh").reply("今天天气怎么样")
    assert reply.kind is ChatKind.DONT_KNOW and reply.words.distress_p == 0


def test_an_order_the_market_would_refuse_says_why(holder):
    reply = AdvisorChat(holder, "a", "en").reply("sell 300 shares of Kweichow Moutai")
    assert reply.kind is ChatKind.REJECT and reply.request is None
    assert "200" in reply.text  # what is actually held


def test_in_a_classroom_orders_go_through_the_desk_but_questions_are_answered(holder):
    chat = AdvisorChat(holder, "a", "en", orders=False)
    assert chat.reply("sell half my Kweichow Moutai").text == text("chat.panel_only", "en")
    assert chat.reply("what is a stop loss?").kind is ChatKind.ANSWER


def test_an_empty_message_is_refused():
    m = Market(load_scenario("crash").market_config(), seed=1)
    with pytest.raises(ValueError):
        AdvisorChat(m, "a", "en").reply("   ")


def test_a_limit_order_with_a_bracket_is_described_in_full():
    request = OrderRequest("510300", Side.BUY, 1200, OrderKind.LIMIT, limit_price=3.7, stop_loss_pct=5.0,
                           take_profit_pct=15.0)
    assert describe_order(request, {"510300": "沪深300ETF"}, "zh") == \
        "买入 1,200 股 沪深300ETF，限价 3.70，止损 5%，止盈 15%"
