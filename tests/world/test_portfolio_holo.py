"""The portfolio hologram: ring and curve numbers, once-per-step sampling, and that it draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.catalogue import text
from vbranch.scenes.scenario import load_scenario
from vbranch.world.chart_geom import GREEN, RED
from vbranch.world.geom import quad_normals
from vbranch.world.portfolio_holo import (
    CASH_COLOR,
    PortfolioHologram,
    curve_geometry,
    curve_points,
    holding_colors,
    ring_geometry,
    ring_spans,
)


def test_ring_spans_sum_to_a_turn_in_proportion():
    spans = ring_spans(np.array([0.2, 0.3, 0.5]))
    assert spans.sum() == pytest.approx(2 * math.pi)
    np.testing.assert_allclose(spans / (2 * math.pi), [0.2, 0.3, 0.5])
    np.testing.assert_allclose(ring_spans(np.array([2.0, -1.0, 2.0])), [math.pi, 0.0, math.pi])


def test_zero_weights_make_an_all_cash_ring():
    spans = ring_spans(np.zeros(4))
    np.testing.assert_allclose(spans, [0, 0, 0, 2 * math.pi])
    corners, segs = ring_geometry(spans, 0.4, 0.6)
    assert (segs == 3).all() and len(corners) > 0


def test_ring_geometry_covers_each_arc_with_outward_normals():
    spans = ring_spans(np.array([0.25, 0.0, 0.75]))
    corners, segs = ring_geometry(spans, 0.4, 0.6, z_m=1.0, height_m=0.05, pieces_per_turn=64)
    assert set(np.unique(segs)) == {0, 2}
    tops = corners[: len(corners) // 2]
    normals = quad_normals(tops)
    np.testing.assert_allclose(normals, np.tile([0, 0, 1], (len(tops), 1)), atol=1e-5)
    angles = np.unwrap(np.arctan2(tops[:, [0, 2], 1], tops[:, [0, 2], 0]), axis=1)
    covered = np.bincount(segs[: len(tops)], weights=(angles[:, 1] - angles[:, 0]) % (2 * math.pi), minlength=3)
    np.testing.assert_allclose(covered, spans, atol=1e-5)
    radii = np.linalg.norm(corners[..., :2], axis=-1)
    assert radii.min() == pytest.approx(0.4, abs=1e-5) and radii.max() == pytest.approx(0.6, abs=1e-5)
    walls = corners[len(corners) // 2:]
    outward = (quad_normals(walls)[:, :2] * walls[:, 0, :2]).sum(1)
    assert (outward > 0).all()
    assert corners[..., 2].min() == pytest.approx(1.0) and corners[..., 2].max() == pytest.approx(1.05)


def test_curve_points_fit_their_box_and_include_the_start_line():
    box = (-1.0, 2.0, 2.0, 0.5)
    pts = curve_points(np.array([100.0, 120.0, 90.0, 110.0]), box, baseline=100.0)
    assert pts[:, 0].min() == pytest.approx(-1.0) and pts[:, 0].max() == pytest.approx(1.0)
    assert pts[:, 1].min() == pytest.approx(2.0) and pts[:, 1].max() == pytest.approx(2.5)
    high = curve_points(np.array([150.0, 160.0]), box, baseline=100.0)
    assert (high[:, 1] > 2.0).all()  # the baseline is the bottom, not the series minimum
    flat = curve_points(np.full(5, 100.0), box, baseline=100.0)
    np.testing.assert_allclose(flat[:, 1], 2.25)


def test_curve_colours_by_the_start_line():
    corners, colors = curve_geometry(np.array([100.0, 110.0, 95.0, 90.0]), (0, 0, 1, 1), 100.0, 0.01, RED, GREEN)
    assert corners.shape == (4, 4, 3)  # three segments and the baseline
    np.testing.assert_allclose(colors[0], RED)  # mid 105: above the start
    np.testing.assert_allclose(colors[2], GREEN)  # mid 92.5: below
    assert np.isfinite(corners).all()


def test_holding_colours_are_distinct_and_end_with_cash():
    colors = holding_colors(7)
    assert colors.shape == (8, 4)
    np.testing.assert_allclose(colors[-1], CASH_COLOR)
    assert len({tuple(np.round(c, 3)) for c in colors}) == 8


@pytest.fixture
def invested():
    market = Market(load_scenario("crash").market_config(), seed=1)
    account = market.open_account("learner")
    market.advance(2)
    market.submit("learner", OrderRequest("510300", Side.BUY, 5000))
    market.submit("learner", OrderRequest("518880", Side.BUY, 3000))
    market.advance(1)
    return market, account


def test_sync_samples_once_per_step_and_matches_the_account(scene, invested):
    market, account = invested
    holo = PortfolioHologram(scene, market.universe, "en", None)
    assert holo.sync(account, market.prices, market.t_step)
    assert not holo.sync(account, market.prices, market.t_step)  # same step: nothing to do
    assert holo.count == 1
    for _ in range(5):
        market.advance(1)
        holo.sync(account, market.venue.prices, market.t_step)  # the numpy price vector works too
    assert holo.count == 6
    assert holo.equity == pytest.approx(account.equity(market.prices))
    assert holo.label.node().get_text() == text("holo.equity", "en", equity=f"{holo.equity:,.2f}",
                                                return_pct=100 * (holo.equity / account.deposits - 1))
    assert holo.ring.count > 0 and holo.curve.count == 6  # five segments and the baseline
    heading = holo.ring_np.get_h()
    holo.tick(0.5)
    assert holo.ring_np.get_h() != heading


def test_samples_keep_the_last_n(scene, invested):
    market, account = invested
    holo = PortfolioHologram(scene, market.universe, "zh", None, samples=4)
    for _ in range(7):
        market.advance(1)
        holo.sync(account, market.prices, market.t_step)
    assert holo.count == 4 and len(holo.equity_samples) == 4


def test_hologram_draws(base, scene, invested):
    market, account = invested
    base.cam.set_pos(0, -3.0, 1.1)
    base.cam.look_at(0, 0, 1.0)
    base.set_background_color(0, 0, 0, 1)
    holo = PortfolioHologram(scene, market.universe, "en", None)
    for _ in range(4):
        market.advance(1)
        holo.sync(account, market.prices, market.t_step)
    base.graphicsEngine.render_frame()
    base.graphicsEngine.render_frame()
    tex = base.win.get_screenshot()
    image = np.frombuffer(bytes(tex.get_ram_image_as("RGB")), np.uint8).reshape(tex.get_y_size(), -1, 3)
    assert (image.max(-1) > 40).mean() > 0.02  # ring, plinth and curve cover part of the view
