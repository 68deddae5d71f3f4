"""The cooling-off step in the branch: an anxious panic sell after the crash is held, then decided."""

from __future__ import annotations

import pytest
from branch_helpers import crashed_branch, frames, press, remove_branch

from vbranch.world.order_form import Control, Key


@pytest.fixture
def crashed_app(base):
    app = crashed_branch(base)
    yield app
    remove_branch(base, app)


def sell_everything(app):
    press(app, Control.SIDE, Key.ACTIVATE)
    press(app, Control.SUBMIT, Key.ACTIVATE)


def test_a_panic_sell_after_the_crash_is_held_with_history_and_a_calm_word(crashed_app):
    app = crashed_app
    held = app.account.held(app.form.symbol)
    assert held >= 6000
    sell_everything(app)
    assert app.cooling.active and app.cooling.learner_state().anxious
    assert "paused" in app.hud.subtitle.value            # the advisor's empathetic line, spoken and subtitled
    assert "Black Monday 1987" in app.hud.notice.value   # past crashes and their recoveries
    frames(app, 60)
    assert app.account.held(app.form.symbol) == held     # nothing sold while cooling off
    app.panel_key(Key.ACTIVATE)                          # confirming too early is refused
    assert "Still cooling off" in app.hud.subtitle.value and app.account.held(app.form.symbol) == held


def test_after_the_cooling_off_a_confirmation_sells_at_the_then_current_price(crashed_app):
    app = crashed_app
    held = app.account.held(app.form.symbol)
    sell_everything(app)
    frames(app, 31 * 4, dt=0.25)
    assert "Confirm or cancel" in app.hud.subtitle.value
    day = app.market.day  # the crash day is locked limit-down; let the market reopen before confirming
    app.market.set_speed(600)
    while app.market.day < day + 2:
        frames(app, 1)
    app.market.set_speed(1)
    app.panel_key(Key.ACTIVATE)
    frames(app, 4)
    assert app.account.held(app.form.symbol) == 0 and not app.cooling.active
    sells = [t for t in app.account.trades if t.side == "sell"]
    assert sells and sells[-1].qty == held


def test_cancelling_keeps_the_holding(crashed_app):
    app = crashed_app
    held = app.account.held(app.form.symbol)
    sell_everything(app)
    app.cooling_answer("breathe")
    assert "Breathe in" in app.hud.subtitle.value
    app.cooling_answer("cancel")
    frames(app, 40 * 4, dt=0.25)
    assert app.account.held(app.form.symbol) == held and not app.cooling.active
    verbs = [s.verb for s in app.cooling.cooling.event_log.statements]
    assert verbs == ["gated", "gated", "held", "started_breathing", "cancelled"]  # the buy, then the held sell
