import json

from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.scenario import load_scenario
from vbranch.world.quest_desk import QuestDesk


def held_market(orders):
    market = Market(load_scenario("sideways").market_config(), seed=4)
    market.open_account("a")
    for symbol, qty in orders:
        market.submit("a", OrderRequest(symbol, Side.BUY, qty))
    market.advance(1)
    return market


def test_the_sapling_grows_while_a_diversified_portfolio_is_held(tmp_path):
    notices: list[str] = []
    desk = QuestDesk(tmp_path / "quests.json", "en", notices.append)
    market = held_market([("510300", 6000), ("511010", 200), ("518880", 5000)])  # ~24k, 26k, 25k
    for _ in range(12):
        market.run_days(1)
        desk.day_closed(market.account("a"))
    assert desk.pet.days_grown >= 10 and desk.pet.points > 0
    concentrated = QuestDesk(tmp_path / "other.json", "en", notices.append)
    one = held_market([("601398", 15000)])
    for _ in range(12):
        one.run_days(1)
        concentrated.day_closed(one.account("a"))
    assert concentrated.pet.points == 0  # one holding is not patience with a diversified portfolio


def test_awards_are_saved_and_announced(tmp_path):
    notices: list[str] = []
    desk = QuestDesk(tmp_path / "quests.json", "en", notices.append)
    award = desk.task_passed("stop_loss")
    assert award.coins > 0 or desk.progress.coins > 0
    saved = json.loads((tmp_path / "quests.json").read_text())
    assert "stop_loss" in saved["tasks"] and notices and "coins" in notices[-1].lower()
    again = QuestDesk(tmp_path / "quests.json", "en", notices.append)  # the learner comes back
    assert again.progress.coins == desk.progress.coins
