"""The wording detector on hand-written learner phrases (zh + en), negation and content validation."""

from __future__ import annotations

import pytest

from vbranch.emotion.text_cues import detect, load_cues
from vbranch.scenes.content_error import ContentError

DISTRESS = [
    "我好慌啊", "慌了慌了，怎么办", "割肉吧，不等了", "完了完了，全亏了", "跌麻了", "真的扛不住了",
    "全卖了算了", "我要清仓", "好害怕明天继续跌", "受不了了，赶紧卖", "心态崩溃了", "亏惨了，睡不着",
    "快跑啊", "吓死我了", "撑不住了，割肉", "太焦虑了", "血亏，绝望",
    "I'm panicking", "Panic! The market is falling", "sell everything now", "just sell it all",
    "get me out of this", "I can't take this anymore", "I'm so scared", "I'm terrified of losing more",
    "freaking out right now", "I'm losing everything", "we got wiped out", "dump it all", "I'm worried, cut my losses",
    "this is a nightmare, I'm anxious", "I'm afraid it keeps crashing",
]
CALM = [
    "我不慌", "别慌，长期持有", "没有慌，按计划来", "不用割肉，设了止损", "今天买点债券基金", "市场波动很正常",
    "我想看看持仓", "这个指数的市盈率是多少", "下单买入100股", "定投继续", "我不怕波动", "我们复盘一下",
    "I'm not panicking", "don't panic", "no need to panic, I have a plan", "what is a stop-loss order?",
    "show me my portfolio", "buy 100 shares of the index", "I'm not scared, holding", "let's rebalance to 60/40",
    "how did the market do in 2008?", "I never panic sell",
]
GREEDY = [
    "梭哈！", "满仓干", "这只股票要翻倍", "加杠杆冲", "我要暴富", "稳赚不赔",
    "all in on tech", "to the moon", "YOLO", "I'm going to double my money", "can't lose, easy money",
]


def test_phrase_counts_meet_the_brief() -> None:
    assert len(DISTRESS) >= 30
    assert len(CALM) + len(GREEDY) >= 30
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(DISTRESS))


@pytest.mark.parametrize("phrase", DISTRESS)
def test_distress_phrases_score_at_least_half(phrase: str) -> None:
    signal = detect(phrase)
    assert signal.distress_p >= 0.5, signal
    assert signal.greed_p < 0.5


@pytest.mark.parametrize("phrase", CALM)
def test_neutral_and_negated_phrases_stay_below_half(phrase: str) -> None:
    signal = detect(phrase)
    assert signal.distress_p < 0.5, signal
    assert signal.greed_p < 0.5, signal


@pytest.mark.parametrize("phrase", GREEDY)
def test_greed_phrases_read_as_greed_not_distress(phrase: str) -> None:
    signal = detect(phrase)
    assert signal.greed_p >= 0.5, signal
    assert signal.distress_p < 0.5, signal


def test_negation_is_reported_and_cancels_the_cue() -> None:
    assert detect("不慌").distress_p == 0.0
    assert detect("不慌").cues == ("not:慌",)
    assert detect("don't panic").cues == ("not:panic*",)
    assert detect("慌").distress_p == pytest.approx(0.7)


def test_negation_does_not_cross_a_clause() -> None:
    assert detect("I don't know, I'm panicking").distress_p == pytest.approx(0.8)
    assert detect("不知道，好慌").distress_p == pytest.approx(0.7)


def test_two_cues_combine_above_either_alone() -> None:
    both = detect("慌了，全卖了").distress_p
    assert both == pytest.approx(1 - 0.3 * 0.1)


def test_bad_weight_names_file_and_field(tmp_path) -> None:
    bad = tmp_path / "cues.toml"
    bad.write_text(
        '[negation]\nzh=["不"]\nen=["not"]\nzh_window_chars=2\nen_window_words=3\n'
        '[distress]\nzh=[{cue="慌", weight=2}]\nen=[{cue="panic", weight=0.5}]\n'
        '[greed]\nzh=[{cue="梭哈", weight=0.5}]\nen=[{cue="yolo", weight=0.5}]\n', "utf-8")
    with pytest.raises(ContentError) as err:
        load_cues(bad)
    assert err.value.field == "distress.zh[0].weight"


def test_missing_section_is_a_content_error(tmp_path) -> None:
    bad = tmp_path / "cues.toml"
    bad.write_text('[negation]\nzh=["不"]\nen=["not"]\nzh_window_chars=2\nen_window_words=3\n', "utf-8")
    with pytest.raises(ContentError, match="distress"):
        load_cues(bad)
