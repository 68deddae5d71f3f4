"""The investment pet grows on patient, diversified days and shrinks on over-trading."""

from __future__ import annotations

from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.lessons import load_lesson
from vbranch.scenes.pet import PetRules, PetState, day_well_held, grow_day, pet_from_account

RULES = PetRules(min_holdings=3, max_weight_pct=40, min_invested_pct=50, growth_per_day=1.0, max_trades_per_day=3,
                 shrink_per_extra_trade=2.0, stage_points=(5.0, 15.0, 30.0))
SPREAD = {"a": 0.3, "b": 0.3, "c": 0.2, "cash": 0.2}


def test_a_diversified_day_counts_and_a_concentrated_one_does_not():
    assert day_well_held(RULES, SPREAD)
    assert not day_well_held(RULES, {"a": 0.9, "b": 0.05, "c": 0.05})  # one holding too large
    assert not day_well_held(RULES, {"a": 0.3, "b": 0.3, "cash": 0.4})  # only two holdings
    assert not day_well_held(RULES, {"a": 0.1, "b": 0.1, "c": 0.1, "cash": 0.7})  # mostly cash


def test_growth_per_day_and_stages():
    state = PetState()
    for _ in range(16):
        state = grow_day(state, RULES, SPREAD, trades_today=1)
    assert (state.points, state.stage, state.days_grown, state.extra_trades) == (16.0, 2, 16, 0)


def test_over_trading_shrinks_the_pet_but_never_below_zero():
    state = PetState(points=10.0, stage=1, days_grown=10)
    state = grow_day(state, RULES, SPREAD, trades_today=6)  # +1 growth, 3 extra trades: -6
    assert (state.points, state.stage, state.extra_trades) == (5.0, 1, 3)
    state = grow_day(state, RULES, {"cash": 1.0}, trades_today=11)  # 8 extra: -16, floored
    assert (state.points, state.stage) == (0.0, 0)


def test_pet_from_a_real_account_rewards_holding_not_trading():
    lesson = load_lesson("diversification")
    market = lesson.build_market()
    patient, trader = market.open_account("patient"), market.open_account("trader")
    market.advance(1)
    for sym, qty in (("510300", 6000), ("511010", 200), ("518880", 5000)):
        market.submit("patient", OrderRequest(sym, Side.BUY, qty))
    for _ in range(6):
        market.submit("trader", OrderRequest("516160", Side.BUY, 20000))
        market.run_days(1)
        market.advance(1)
        market.submit("trader", OrderRequest("516160", Side.SELL, trader.held("516160")))
    market.run_days(4)
    grown = pet_from_account(RULES, patient)
    assert grown.days_grown == len(patient.equity_curve) == 10
    assert (grown.points, grown.stage) == (10.0, 1)
    shrunk = pet_from_account(PetRules(max_trades_per_day=1), trader)
    assert shrunk.points == 0.0 and shrunk.days_grown == 0
