import pytest

from vbranch.market_sim.orders import OrderKind, Side
from vbranch.world.order_form import Action, Control, Key, OrderForm


def press(form, *keys):
    for key in keys:
        form, action = form.press(key)
    return form, action


def test_tab_reaches_every_control_and_wraps_around():
    form = OrderForm(("510300", "600519"))
    seen = []
    for _ in range(len(Control)):
        seen.append(form.focused)
        form, _ = form.press(Key.NEXT)
    assert seen == list(Control)
    assert form.focused is Control.INSTRUMENT
    assert form.press(Key.PREV)[0].focused is Control.SUBMIT


def test_arrows_change_the_focused_control_only():
    form = OrderForm(("510300", "600519"), lot_size=100)
    form, _ = press(form, Key.INCREASE)
    assert form.symbol == "600519"
    form, _ = press(form, Key.NEXT, Key.INCREASE)
    assert form.side is Side.SELL and form.symbol == "600519"
    form, _ = press(form, Key.NEXT, Key.INCREASE, Key.INCREASE)
    assert form.qty == 300


def test_quantity_steps_grow_with_size_and_never_reach_zero():
    form = OrderForm(("510300",), lot_size=100).focus_on(Control.QUANTITY)
    form, _ = press(form, *[Key.INCREASE] * 9)
    assert form.lots == 10
    form, _ = press(form, Key.INCREASE)
    assert form.lots == 15
    form, _ = press(form, Key.DECREASE, Key.DECREASE)
    assert form.lots == 9
    form, _ = press(form, *[Key.DECREASE] * 20)
    assert form.lots == 1 and form.qty == 100


def test_stop_loss_defaults_on_and_can_be_switched_off():
    form = OrderForm(("510300",))
    assert form.stop_loss_pct == 5.0 and form.take_profit_pct is None
    form, _ = press(form.focus_on(Control.STOP_LOSS), Key.DECREASE, Key.DECREASE, Key.DECREASE)
    assert form.stop_loss_pct is None


def test_enter_on_submit_asks_for_submission_and_builds_a_bracketed_market_buy():
    form = OrderForm(("510300",), lot_size=100).focus_on(Control.TAKE_PROFIT)
    form, action = press(form, Key.INCREASE, Key.NEXT, Key.ACTIVATE)
    assert action is Action.SUBMIT
    request = form.request("c1")
    assert request.kind is OrderKind.MARKET and request.side is Side.BUY and request.qty == 100
    assert request.stop_loss_pct == 5.0 and request.take_profit_pct == 5.0 and request.client_order_id == "c1"


def test_a_sell_carries_no_bracket():
    form = OrderForm(("510300",)).focus_on(Control.SIDE)
    form, _ = press(form, Key.ACTIVATE)
    request = form.request()
    assert request.side is Side.SELL and request.stop_loss_pct is None and request.take_profit_pct is None


def test_an_empty_form_is_refused():
    with pytest.raises(ValueError):
        OrderForm(())
