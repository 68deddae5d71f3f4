"""Helpers for in-process branch tests: drive frames and the order panel, reach the crash, clean up."""

from __future__ import annotations

from vbranch.market_sim.events import CrashStarted
from vbranch.world.app import BranchApp
from vbranch.world.options import RunOptions
from vbranch.world.order_form import Control, Key


def frames(app, n, dt=1 / 60):
    for _ in range(n):
        app.frame(dt, app.now_s + dt)


def press(app, control, *keys):
    app.form = app.form.focus_on(control)
    for key in keys:
        app.panel_key(key)


def crashed_branch(base, lang: str = "en") -> BranchApp:
    """A learner who bought 60 lots without a stop-loss, half a second after the day-5 crash."""
    app = BranchApp(base, RunOptions(scenario="crash", speed=1, seed=3, lang=lang))
    press(app, Control.QUANTITY, *[Key.INCREASE] * 19)
    press(app, Control.STOP_LOSS, Key.DECREASE, Key.DECREASE, Key.DECREASE)
    press(app, Control.SUBMIT, Key.ACTIVATE)
    frames(app, 20)
    run_to_crash(app)
    return app


def run_to_crash(app) -> None:
    """Fast-forward the app's market to its crash, then half a second past it at speed 1."""
    crashes: list = []
    app.market.bus.subscribe(crashes.append, CrashStarted)
    app.market.set_speed(600)
    while not crashes:
        frames(app, 1)
    app.market.set_speed(1)
    frames(app, 30)


def remove_branch(base, app) -> None:
    """Take one app's nodes off the shared ShowBase so the next test starts from an empty scene."""
    app.chat_box.close()
    app.advisor.close()
    base.camera.reparent_to(base.render)
    base.render.clear_light()
    for node in (app.world, app.hud.root, app.head):
        node.remove_node()
