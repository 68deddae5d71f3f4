"""The knowledge base answers paraphrased questions, says "I don't know" off-topic, and declines advice."""

from __future__ import annotations

import pytest

from vbranch.avatars.knowledge import THRESHOLD, AnswerKind, answer, default_kb, is_advice_seeking, load_kb
from vbranch.avatars.lang import has_cjk
from vbranch.scenes.content_error import ContentError

PARAPHRASES = [
    ("什么是止损?", "stop_loss"),
    ("止损是什么意思", "stop_loss"),
    ("割肉是啥意思？", "stop_loss"),
    ("How does a stop-loss order work?", "stop_loss"),
    ("what is a trailing stop?", "trailing_stop"),
    ("跟踪止损怎么用", "trailing_stop"),
    ("What does take profit mean?", "take_profit"),
    ("止盈单是什么", "take_profit"),
    ("K线怎么看？", "candlestick"),
    ("How do I read a candlestick chart?", "candlestick"),
    ("阳线和阴线有什么区别", "up_down_candle"),
    ("what is a bearish candle", "up_down_candle"),
    ("为什么会跌停？", "price_limit"),
    ("What does limit down mean?", "price_limit"),
    ("熔断机制是什么", "circuit_breaker"),
    ("why was there a trading halt", "circuit_breaker"),
    ("T+1是什么意思", "t_plus_1"),
    ("Can I sell the same day I buy? What is T+1?", "t_plus_1"),
    ("仓位应该怎么管理", "position_sizing"),
    ("what is position sizing", "position_sizing"),
    ("为什么不要把鸡蛋放在一个篮子里", "diversification"),
    ("Why should I diversify?", "diversification"),
    ("资产配置是什么", "asset_allocation"),
    ("what's asset allocation", "asset_allocation"),
    ("基金定投是什么", "regular_investing"),
    ("what is dollar cost averaging", "regular_investing"),
    ("复利是怎么回事", "compounding"),
    ("how does compound interest work", "compounding"),
    ("最大回撤是什么", "drawdown"),
    ("explain maximum drawdown", "drawdown"),
    ("波动率怎么理解", "volatility"),
    ("what does volatility mean", "volatility"),
    ("夏普比率是什么", "sharpe_ratio"),
    ("what is the sharpe ratio", "sharpe_ratio"),
    ("市价单是什么", "market_order"),
    ("what's a market order", "market_order"),
    ("限价委托怎么用", "limit_order"),
    ("how does a limit order work", "limit_order"),
    ("什么叫牛市", "bull_market"),
    ("what is a bear market", "bear_market"),
    ("横盘震荡是什么行情", "sideways_market"),
    ("what is a choppy market", "sideways_market"),
    ("损失厌恶是什么", "loss_aversion"),
    ("why do losses hurt more than gains", "loss_aversion"),
    ("羊群效应是什么", "herding"),
    ("what is herd mentality", "herding"),
    ("我的风险等级C3是什么意思", "risk_profile"),
    ("what is a risk questionnaire for", "risk_profile"),
    ("产品风险等级R1到R5是什么", "product_risk_rating"),
    ("印花税怎么收", "stamp_duty"),
    ("what is stamp duty", "stamp_duty"),
    ("ETF是什么", "etf"),
    ("what is an exchange-traded fund", "etf"),
    ("债券基金风险大吗", "bond_fund"),
    ("what is a bond fund", "bond_fund"),
    ("货币基金是什么", "money_market_fund"),
    ("what's a money market fund", "money_market_fund"),
    ("止损线设多少合适", "stop_loss"),
    ("股票是什么", "stock"),
    ("what is a stock", "stock"),
    ("大盘指数是什么", "stock_index"),
]

OFF_TOPIC = [
    "what's the weather",
    "今天天气怎么样",
    "what is the capital of France?",
    "讲个笑话",
    "how do I cook rice",
    "你叫什么名字",
    "who won the football match yesterday",
    "北京有什么好吃的",
    "what time is it",
    "帮我写一首诗",
    "how tall is Mount Everest",
    "怎么做红烧肉",
    # near misses: share a word with an entry, but are not about it
    "how do I stop my dog from barking",
    "what's the best bond movie",
    "how to limit screen time for kids",
    "what is the order of planets",
    "熊猫吃什么",
]

ADVICE_SEEKING = [
    "推荐一只股票",
    "should I buy Tesla",
    "which stock should I buy?",
    "现在买哪只股票好",
    "茅台能买吗",
    "can you recommend a good fund",
    "is Apple a good buy right now",
    "600519 明天会涨吗",
    "要不要抄底",
    "what's the price target for $NVDA",
]


def test_retrieval_top1_accuracy_is_at_least_90_percent_on_61_paraphrases() -> None:
    assert len(PARAPHRASES) >= 40
    misses = [(q, want, answer(q).entry_id) for q, want in PARAPHRASES if answer(q).entry_id != want]
    accuracy = 1 - len(misses) / len(PARAPHRASES)
    assert accuracy >= 0.90, misses


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_question_gets_dont_know_in_its_own_language(question: str) -> None:
    reply = answer(question)
    assert reply.kind is AnswerKind.DONT_KNOW and reply.entry_id is None
    assert reply.score < THRESHOLD
    assert has_cjk(reply.text) == has_cjk(question)
    assert reply.text == default_kb().replies["dont_know"][reply.lang]


def test_threshold_separates_17_off_topic_from_61_on_topic_scores() -> None:
    on_topic = [answer(q).score for q, _ in PARAPHRASES]
    off_topic = [answer(q).score for q in OFF_TOPIC]
    assert max(off_topic) < THRESHOLD
    assert sum(s >= THRESHOLD for s in on_topic) >= 0.9 * len(on_topic)


@pytest.mark.parametrize("question", ADVICE_SEEKING)
def test_advice_seeking_gets_the_fixed_boundary_line(question: str) -> None:
    reply = answer(question)
    assert reply.kind is AnswerKind.BOUNDARY and reply.entry_id is None
    assert reply.text == default_kb().replies["boundary"][reply.lang]


def test_term_questions_are_not_mistaken_for_advice_seeking_in_all_61_paraphrases() -> None:
    flagged = [q for q, _ in PARAPHRASES if is_advice_seeking(q)]
    assert flagged == []


def test_answer_comes_in_the_requested_language_not_the_question_language() -> None:
    assert has_cjk(answer("what is a stop-loss?", "zh").text)
    assert not has_cjk(answer("什么是止损", "en").text)
    assert answer("什么是止损", "en").entry_id == "stop_loss"


def test_kb_has_at_least_25_entries_each_with_zh_and_en_answers() -> None:
    kb = default_kb()
    assert len(kb.entries) >= 25
    for entry in kb.entries:
        assert has_cjk(entry.answer["zh"]) and not has_cjk(entry.answer["en"]), entry.id


def _write_kb(tmp_path, entries: str):
    path = tmp_path / "kb.toml"
    path.write_text(f"""
[replies.dont_know]
zh = "不知道。"
en = "I don't know."
[replies.boundary]
zh = "不推荐。"
en = "No advice."
[advice]
patterns_en = ["\\\\bshould i buy\\\\b"]
patterns_zh = ["推荐"]
names = ["tesla"]
{entries}
""", encoding="utf-8")
    return path


def test_kb_missing_english_answer_names_file_entry_and_field(tmp_path) -> None:
    path = _write_kb(tmp_path, """
[[entry]]
id = "stop_loss"
term = { zh = "止损", en = "stop-loss" }
aliases = { zh = [], en = [] }
answer = { zh = "止损是卖出价。" }
""")
    with pytest.raises(ContentError) as err:
        load_kb(path)
    assert str(err.value) == "kb.toml: entry[0] (stop_loss).answer: expected a table with exactly ['zh', 'en']"


def test_kb_bad_advice_regex_is_reported_with_its_index(tmp_path) -> None:
    path = _write_kb(tmp_path, '[[entry]]\nid = "x"')
    path.write_text(path.read_text("utf-8").replace('"推荐"', '"推荐("'), encoding="utf-8")
    with pytest.raises(ContentError, match=r"^kb.toml: advice.patterns_zh\[0\]: bad regular expression"):
        load_kb(path)


def test_kb_answer_over_three_sentences_is_rejected(tmp_path) -> None:
    path = _write_kb(tmp_path, """
[[entry]]
id = "x"
term = { zh = "止损", en = "stop-loss" }
aliases = { zh = [], en = [] }
answer = { zh = "一。二。三。四。", en = "One." }
""")
    with pytest.raises(ContentError, match=r"answer.zh: 4 sentences"):
        load_kb(path)
