"""The branch app in one process: keyboard orders, mouse picking, the help call, market reactions."""

from __future__ import annotations

import math
import time

import pytest
from panda3d.core import Point2

from vbranch.market_sim.events import CrashStarted
from vbranch.market_sim.orders import OrderKind
from vbranch.world.app import LEARNER_ACCOUNT, BranchApp
from vbranch.world.desktop_controls import LearnerPose
from vbranch.world.options import RunOptions
from vbranch.world.order_form import Control, Key


@pytest.fixture(scope="module")
def app(base):
    branch = BranchApp(base, RunOptions(scenario="crash", speed=600, seed=3, lang="en", view="floor"))
    yield branch
    branch.advisor.close()
    # leave the shared engine as other tests expect it: camera at the origin, no lights, no branch
    base.camera.reparent_to(base.render)
    base.camera.set_pos_hpr(0, 0, 0, 0, 0, 0)
    base.render.clear_light()
    for node in (branch.world, branch.hud.root, branch.head):
        node.remove_node()
    base.set_background_color(0, 0, 0, 1)


def run_frames(app, n, dt=1 / 60):
    for _ in range(n):
        app.frame(dt, app.frames * dt)


def test_the_crash_puts_a_banner_on_the_market_wall(app):
    assert app.market.day == 0  # this test runs first: the crash is still ahead
    seen: list = []
    unsubscribe = app.market.bus.subscribe(seen.append, CrashStarted)
    shown = set()
    for _ in range(600):
        run_frames(app, 1)
        if app.wall.banner_text:
            shown.add(app.wall.banner_text)
        if app.market.day >= 6:
            break
    unsubscribe()
    assert seen, "the crash scenario crashes on day 5"
    assert any("%" in banner for banner in shown)  # "Market crash! index down 10.0%" or similar


def test_an_order_placed_from_the_keyboard_fills_with_its_stop_loss(app):
    app.form = app.form.focus_on(Control.INSTRUMENT)
    for key in (Key.NEXT, Key.NEXT, Key.INCREASE, Key.PREV, Key.PREV, Key.PREV):  # qty 2 lots, back to submit
        app.panel_key(key)
    assert app.form.focused is Control.SUBMIT and app.form.qty == 2 * app.form.lot_size
    symbol = app.form.symbol
    app.market.set_speed(1)  # a market step every 1/8 s: the fill, not a stop-out after the crash
    app.panel_key(Key.ACTIVATE)
    assert app.hud.notice.value.startswith("Submitted")
    run_frames(app, 12)
    app.market.set_speed(600)
    assert app.account.held(symbol) == 2 * app.form.lot_size
    stops = [o for o in app.market.desk.live_orders(LEARNER_ACCOUNT) if o.request.kind is OrderKind.STOP_LOSS]
    assert len(stops) == 1 and stops[0].request.symbol == symbol  # the bracket's stop-loss rests in the market
    assert stops[0].trigger_price == pytest.approx(0.95 * app.account.position(symbol).avg_cost, rel=0.01)


def test_clicking_a_panel_row_focuses_and_uses_it(app, base):
    panel = app.panel.root
    # stand 1.2 m in front of the panel screen, eye level with it
    front = base.render.get_relative_point(panel, (0, -1.2, 0))
    heading = app.layout.fixture("orders").heading
    app.pose = LearnerPose(front[0], front[1], heading)
    app._eye_z = front[2]
    app._place_head()
    base.graphicsEngine.render_frame()
    before = app.form.side
    side_row = app.panel._rows[Control.SIDE][0]
    screen = base.cam.get_relative_point(side_row, (0.3, 0, 0.02))
    point2 = Point2()
    assert base.camLens.project(screen, point2)
    app.click(point2[0], point2[1])
    assert app.form.focused is Control.SIDE and app.form.side is not before


def test_help_brings_the_advisor_to_the_learner_through_the_doors(app):
    app.market.set_speed(1)  # a quiet market: the advisor has no crash news to interrupt with
    app.pose = LearnerPose(-3.0, 14.0, 30.0)
    app._place_head()
    spoken_before = len(app.advisor.speech.spoken)
    app.call_help()
    assert "here" in app.hud.subtitle.value
    jaw_scales = []
    deadline = time.monotonic() + 30.0  # the voice is synthesized on a worker thread: give it real time
    while time.monotonic() < deadline:
        run_frames(app, 1)
        jaw_scales.append(app.advisor.view.joints["jaw"].get_sz())
        assert app.layout.walkable(app.advisor.walk.x, app.advisor.walk.y, margin=0.0)
        if app.advisor.walk.arrived and len(app.advisor.speech.spoken) > spoken_before and max(jaw_scales) > 1.05:
            break
        if app.advisor.walk.arrived:
            time.sleep(0.005)
    assert app.advisor.walk.arrived
    assert len(app.advisor.speech.spoken) > spoken_before  # spoken aloud (espeak-ng offline), not only shown
    assert max(jaw_scales) > 1.05  # the mouth moved with the words
    dx, dy = app.advisor.walk.x - app.pose.x, app.advisor.walk.y - app.pose.y
    assert 0.8 <= math.hypot(dx, dy) <= 1.5
    facing = math.radians(app.advisor.view.root.get_h())
    assert (-math.sin(facing)) * -dx + math.cos(facing) * -dy > 0.9 * math.hypot(dx, dy)  # it faces the learner
