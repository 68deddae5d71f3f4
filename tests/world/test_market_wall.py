"""The market wall: candle numbers, colour conventions, in-place partial rewrites, and pixels on screen."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vbranch.market_sim.events import CrashStarted, Filled, LimitHit
from vbranch.market_sim.market import Market
from vbranch.scenes.catalogue import text
from vbranch.scenes.scenario import load_scenario
from vbranch.world.chart_geom import GREEN, RED
from vbranch.world.geom import VERTEX_FLOATS, quad_normals
from vbranch.world.market_wall import (
    MarketWall,
    candle_geometry,
    colors_for,
    convention_of,
    event_banner,
    polyline_quads,
    price_decimals,
    window_range,
)

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@pytest.fixture(scope="module")
def font():
    from panda3d.core import DynamicTextFont, Filename

    return DynamicTextFont(Filename.from_os_specific(FONT_PATH)) if __import__("os").path.exists(FONT_PATH) else None


def crash_market(days: int = 3) -> Market:
    market = Market(load_scenario("crash").market_config(), seed=1)
    market.run_days(days)
    return market


def vertices(quads) -> np.ndarray:
    vdata = quads.node.get_geom(0).get_vertex_data()
    raw = np.frombuffer(memoryview(vdata.get_array(0)), np.uint8).view(np.float32)
    return raw.reshape(quads.capacity, 4, VERTEX_FLOATS).copy()


# ----- pure functions -------------------------------------------------------------------------------
def test_colour_conventions():
    assert colors_for("CN") == (RED, GREEN)
    assert colors_for("zh") == (RED, GREEN)
    assert colors_for("US") == (GREEN, RED)
    assert colors_for("en") == (GREEN, RED)
    assert convention_of(crash_market(0)) == "CN"
    assert convention_of(Market(load_scenario("crash_us").market_config(), seed=1)) == "US"


def test_price_decimals():
    assert price_decimals(0.01) == 2
    assert price_decimals(0.001) == 3
    assert price_decimals(1.0) == 0


def test_candle_body_and_wick_scale_into_the_cell():
    ohlc = np.array([[[1.0, 3.0, 0.5, 2.0], [2.0, 2.5, 1.0, 1.5]]])  # an up candle, then a down one
    valid = np.ones((1, 2), bool)
    corners, colors = candle_geometry(ohlc, valid, np.array([[0.0, 0.0]]), np.array([[2.0, 1.0]]),
                                      np.array([0.0]), np.array([4.0]), up=RED, down=GREEN)
    assert corners.shape == (4, 4, 3) and colors.shape == (4, 4)
    body, wick = corners[0], corners[1]
    assert body[:, 2].min() == pytest.approx(0.25) and body[:, 2].max() == pytest.approx(0.5)
    assert wick[:, 2].min() == pytest.approx(0.125) and wick[:, 2].max() == pytest.approx(0.75)
    assert body[:, 0].mean() == pytest.approx(0.5) and wick[:, 0].mean() == pytest.approx(0.5)
    assert corners[2][:, 0].mean() == pytest.approx(1.5)  # second slot's centre
    np.testing.assert_allclose(colors[0], RED)
    np.testing.assert_allclose(colors[1], RED)
    np.testing.assert_allclose(colors[2], GREEN)
    assert (corners[0, :, 1] < corners[1, :, 1]).all()  # body in front of its wick
    np.testing.assert_allclose(quad_normals(corners), np.tile([0.0, -1.0, 0.0], (4, 1)), atol=1e-6)


def test_candles_auto_scale_to_their_window_and_stay_inside():
    rng = np.random.default_rng(3)
    close = 50 + np.cumsum(rng.normal(size=(5, 30)), axis=1)
    ohlc = np.stack([close + 0.3, close + 1, close - 1, close], -1)
    origin, size = rng.uniform(-2, 2, (5, 2)), np.full((5, 2), 0.4)
    corners, _ = candle_geometry(ohlc, np.ones((5, 30), bool), origin, size)
    per = corners.reshape(5, -1, 3)
    for i in range(5):
        z = per[i, :, 2]
        assert z.min() == pytest.approx(origin[i, 1], abs=1e-5)
        assert z.max() == pytest.approx(origin[i, 1] + 0.4, abs=1e-5)
        assert per[i, :, 0].min() >= origin[i, 0] - 1e-5 and per[i, :, 0].max() <= origin[i, 0] + 0.4 + 1e-5


def test_flat_series_does_not_divide_by_zero():
    ohlc = np.full((1, 10, 4), 5.0)
    corners, colors = candle_geometry(ohlc, np.ones((1, 10), bool), np.zeros((1, 2)), np.ones((1, 2)))
    assert np.isfinite(corners).all() and np.isfinite(colors).all()
    assert (corners[..., 2] >= 0).all() and (corners[..., 2] <= 1).all()
    lo, hi = window_range(ohlc, np.ones((1, 10), bool))
    assert hi[0] > lo[0]


def test_invalid_slots_collapse_to_a_point():
    ohlc = np.ones((1, 3, 4))
    valid = np.array([[False, True, True]])
    corners, _ = candle_geometry(ohlc, valid, np.array([[1.0, 2.0]]), np.ones((1, 2)))
    np.testing.assert_allclose(corners[0:2, :, [0, 2]], np.tile([1.0, 2.0], (2, 4, 1)))


def test_polyline_quads_face_the_viewer():
    corners = polyline_quads(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]), 0.1)
    assert corners.shape == (2, 4, 3)
    np.testing.assert_allclose(quad_normals(corners), [[0, -1, 0], [0, -1, 0]], atol=1e-6)


def test_event_banner_texts():
    universe = crash_market(0).universe
    assert event_banner(CrashStarted(1, 0, "510300", 7.5), universe, "en") == text(
        "event.crash_started", "en", drop_pct=7.5)
    assert universe.get("600519").name("zh") in event_banner(LimitHit(1, 0, "600519", "down", 1.0), universe, "zh")
    assert event_banner(Filled(1, 0, "a", 1, "600519", "buy", 100, 1.0, 0.1), universe, "en") is None


# ----- the live wall --------------------------------------------------------------------------------
def test_sync_after_one_step_rewrites_only_todays_quads(scene, font):
    market = crash_market(3)
    wall = MarketWall(scene, market, "zh", font, 4.0, 2.25, candles=12)
    wall.sync(market, 0.0)
    market.advance(1)  # first step of day 3: today's candle appears
    wall.sync(market, 0.1)
    k = wall.k
    checked = 0
    for t in range(2, 12):
        before = vertices(wall.quads)
        market.advance(1)
        wall.sync(market, 0.1 * t)
        changed = np.flatnonzero((vertices(wall.quads) != before).any(axis=(1, 2)))
        instrument, slot = changed // 2 // k, changed // 2 % k
        rescaled = np.isin(instrument, wall.last_rescaled)
        assert (slot[~rescaled] == k - 1).all(), "a history candle changed without a rescale"
        checked += int((~rescaled).sum())
    assert checked > 0
    ohlc, valid = wall.window
    for i, sym in enumerate(market.symbols):  # the incremental today's bar matches the market's
        bar = market.today[sym]
        np.testing.assert_allclose(ohlc[i, -1], [bar.open, bar.high, bar.low, bar.close])
        np.testing.assert_allclose(ohlc[i, -2], [getattr(market.history[sym][-1], f)
                                                 for f in ("open", "high", "low", "close")])
    assert valid[:, -4:].all() and not valid[:, :k - 4].any()


def test_a_closed_day_shifts_the_window(scene, font):
    market = crash_market(2)
    wall = MarketWall(scene, market, "en", font, 4.0, 2.25, candles=5)
    wall.sync(market, 0.0)
    for day in range(5):
        market.run_days(1)
        market.advance(7)
        wall.sync(market, float(day))
        ohlc, valid = wall.window
        for i, sym in enumerate(market.symbols):
            expected = [(b.open, b.high, b.low, b.close) for b in market.bars(sym)[-5:]]
            np.testing.assert_allclose(ohlc[i, -len(expected):], expected)
            assert valid[i].sum() == len(expected) and valid[i, -len(expected):].all()


def test_banner_shows_for_about_four_seconds_and_ranks_events(scene, font):
    market = crash_market(0)
    wall = MarketWall(scene, market, "en", font, 4.0, 2.25)
    wall.sync(market, 0.0)
    assert wall.banner_text is None
    assert wall.show_event(CrashStarted(1, 0, "510300", 6.0), now_s=1.0)
    assert wall.banner_text == text("event.crash_started", "en", drop_pct=6.0)
    assert not wall.show_event(LimitHit(2, 0, "600519", "down", 1.0), now_s=2.0)  # less serious: wait
    wall.sync(market, 4.5)
    assert wall.banner_text is not None
    wall.sync(market, 5.1)
    assert wall.banner_text is None
    assert wall.show_event(LimitHit(2, 0, "600519", "down", 1.0), now_s=6.0)


def test_labels_update_only_when_due(scene, font):
    market = crash_market(1)
    wall = MarketWall(scene, market, "zh", font, 4.0, 2.25, max_labelled=3)
    assert len(wall._labels) == 3
    wall.sync(market, 0.0)
    for t in range(3):
        wall.sync(market, 0.01 * (t + 1))  # flushes the queued label texts over frames
    label = wall._labels[0].node().get_text()
    assert market.universe.instruments[0].name("zh") in label
    market.advance(1)
    wall.sync(market, 0.05)  # stepped, but the 4 Hz refresh is not due yet
    assert wall._labels[0].node().get_text() == label


def _screen(base) -> np.ndarray:
    base.graphicsEngine.render_frame()
    base.graphicsEngine.render_frame()
    tex = base.win.get_screenshot()
    image = np.frombuffer(bytes(tex.get_ram_image_as("RGB")), np.uint8)
    return image.reshape(tex.get_y_size(), tex.get_x_size(), 3)[::-1]


def test_crash_wall_renders_red_and_green_candles(base, scene, font):
    market = crash_market(7)  # the crash came on day 5
    market.advance(60)
    base.cam.set_pos(0, 0, 0)
    base.cam.set_hpr(0, 0, 0)
    base.set_background_color(0, 0, 0, 1)
    wall = MarketWall(scene, market, "zh", font, 4.0, 2.25, max_labelled=0)
    wall.root.set_pos(0, 2.25 / math.tan(math.radians(base.camLens.get_fov()[0] / 2)) + 1.0, 0)
    wall.sync(market, 0.0)
    wall.index_np.hide()  # only candles may be red or green
    image = _screen(base).astype(int)
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    red = (r > 180) & (g < 110) & (b < 110)
    green = (g > 140) & (r < 90) & (b < 140)
    assert red.sum() > 30, "no rising (red) candles on a Chinese wall"
    assert green.sum() > 30, "no falling (green) candles in a crash"
    panel = (np.abs(image - np.array([13, 15, 23])).sum(-1) < 12)
    assert panel.sum() > 0.2 * panel.size  # the backing panel fills much of the view
