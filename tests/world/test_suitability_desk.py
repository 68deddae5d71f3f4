import json

from vbranch.market_sim.instruments import CN_UNIVERSE
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.world.suitability_desk import SuitabilityDesk


def riskiest():
    return max(CN_UNIVERSE, key=lambda i: i.risk_level)


def test_a_buy_above_the_learners_level_needs_a_warning_and_a_logged_yes(tmp_path):
    log = tmp_path / "suitability.jsonl"
    desk = SuitabilityDesk(CN_UNIVERSE, "ann", "en", log, level=1)
    buy = OrderRequest(riskiest().symbol, Side.BUY, 100)
    go, message = desk.review(buy)
    assert not go and "Risk warning" in message and "C1" in message
    assert not log.exists()
    go, message = desk.review(buy)  # Submit again: the explicit acknowledgement
    assert go and message is None
    line = json.loads(log.read_text().splitlines()[0])
    assert "acknowledged" in json.dumps(line["verb"]) and line["actor"] == {"account": "ann"}
    assert line["result"]["learner_level"] == "C1" and line["result"]["product_level"] == f"R{riskiest().risk_level}"
    assert desk.review(buy) == (True, None)  # acknowledged at this level: no second warning


def test_sells_are_never_gated_and_suitable_buys_pass(tmp_path):
    desk = SuitabilityDesk(CN_UNIVERSE, "ann", "en", tmp_path / "s.jsonl", level=1)
    assert desk.review(OrderRequest(riskiest().symbol, Side.SELL, 100)) == (True, None)
    safest = min(CN_UNIVERSE, key=lambda i: i.risk_level)
    assert desk.review(OrderRequest(safest.symbol, Side.BUY, 100)) == (True, None)


def test_before_the_questionnaire_the_learner_is_reminded_once(tmp_path):
    desk = SuitabilityDesk(CN_UNIVERSE, "ann", "zh", tmp_path / "s.jsonl")
    go, message = desk.review(OrderRequest(riskiest().symbol, Side.BUY, 100))
    assert go and "风险" in message
    assert desk.review(OrderRequest(riskiest().symbol, Side.BUY, 100)) == (True, None)
