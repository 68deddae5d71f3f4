"""Typing to the advisor in the branch: answers, a read-back order sent only on Enter, and feelings that
count in the emotion reading."""

from __future__ import annotations

import pytest
from branch_helpers import crashed_branch, frames, remove_branch
from panda3d.core import ButtonThrower

from vbranch.avatars.advisor_chat import ChatKind
from vbranch.scenes.catalogue import text
from vbranch.world.app import BranchApp
from vbranch.world.chat_box import MAX_CHARS, TYPING_PREFIX
from vbranch.world.options import RunOptions
from vbranch.world.order_form import Key


@pytest.fixture
def app(base):
    app = BranchApp(base, RunOptions(scenario="crash", speed=1, seed=3, lang="en"))
    frames(app, 2)
    yield app
    remove_branch(base, app)


def test_a_question_is_answered_aloud_and_in_the_subtitles(app):
    reply = app.chat_message("what is a stop loss?")
    assert reply.kind is ChatKind.ANSWER
    assert app.hud.subtitle.value == reply.text and "stop-loss" in reply.text.lower()
    assert app.ticket is None


def test_a_worried_message_makes_the_fused_reading_anxious_and_then_fades(app):
    assert not app.cooling.learner_state().anxious
    app.chat_message("I'm panicking, this is terrible")
    state = app.cooling.learner_state()
    assert state.anxious and "text" in {c.source for c in state.contributions}
    frames(app, 10, dt=13.0)  # two minutes later the words no longer count
    assert "text" not in {c.source for c in app.cooling.learner_state().contributions}


def test_a_typed_order_waits_for_enter_and_esc_drops_it(app):
    reply = app.chat_message("buy 10000 yuan of the CSI 300 ETF")
    assert reply.kind is ChatKind.TICKET and app.ticket is not None
    assert not app.account.trades                       # read back, not sent
    app.cooling_answer("cancel")                        # Esc
    assert app.ticket is None and app.hud.subtitle.value == text("chat.ticket_dropped", "en")
    app.chat_message("buy 10000 yuan of the CSI 300 ETF")
    app.panel_key(Key.ACTIVATE)                         # Enter
    frames(app, 2)
    assert app.account.held("510300") == reply.request.qty > 0


def test_a_panicked_typed_sell_after_the_crash_is_held_for_cooling_off(base):
    app = crashed_branch(base, "zh")
    try:
        symbol = app.form.symbol
        held = app.account.held(symbol)
        reply = app.chat_message(f"慌了，{app.names[symbol]}全部卖掉")
        assert reply.kind is ChatKind.TICKET and reply.request.qty == held
        app.panel_key(Key.ACTIVATE)
        assert app.cooling.active                       # held, not sold
        assert app.account.held(symbol) == held
        assert "text" in {c.source for c in app.cooling.learner_state().contributions}
        app.cooling_answer("cancel")
        assert not app.cooling.active and app.account.held(symbol) == held
    finally:
        remove_branch(base, app)


@pytest.fixture
def throwers(base):
    """Offscreen there is no keyboard: give ShowBase two real button throwers, as a window would have."""
    saved = base.buttonThrowers
    if saved is None:
        base.buttonThrowers = [base.dataRoot.attach_new_node(ButtonThrower(f"bt{i}")) for i in range(2)]
    yield base.buttonThrowers
    if saved is None:
        for t in base.buttonThrowers:
            t.remove_node()
    base.buttonThrowers = saved


def test_the_chat_box_silences_hotkeys_while_typing_and_sends_on_enter(app, base, throwers):
    sent: list[str] = []
    app.chat_box._on_send = sent.append
    app.chat_box.open()
    assert all(t.node().get_prefix() == TYPING_PREFIX for t in throwers)
    base.messenger.send("vbranch-keystroke", ["t"])   # the key that opened the box: not typed
    base.task_mgr.step()
    for ch in "sell\x08 ok慌":
        base.messenger.send("vbranch-keystroke", [ch])
    base.messenger.send(TYPING_PREFIX + "backspace")
    assert app.chat_box.value == "sell ok"
    base.messenger.send(TYPING_PREFIX + "enter")
    assert sent == ["sell ok"] and not app.chat_box.typing
    assert all(t.node().get_prefix() == "" for t in throwers)


def test_the_chat_line_has_a_length_limit_and_esc_closes_without_sending(app, base):
    sent: list[str] = []
    app.chat_box._on_send = sent.append
    app.chat_box.open()
    base.task_mgr.step()
    for _ in range(MAX_CHARS + 20):
        app.chat_box.type_char("x")
    assert len(app.chat_box.value) == MAX_CHARS
    base.messenger.send(TYPING_PREFIX + "escape")
    assert sent == [] and not app.chat_box.typing
