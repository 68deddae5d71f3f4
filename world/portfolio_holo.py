"""A learner's portfolio as a hologram: an allocation ring, an equity curve and a one-line score, on a plinth.

Why: "how much of my money is in what, and am I up or down" should be readable at a glance from across the
room, without opening a panel. The ring's arcs are the holdings' (and cash's) shares of equity; the curve
is equity per market step against the starting line, coloured in the market's up/down convention. Both
are ``DynamicQuads`` rewritten in place only when the market stepped; the plinth is one static mesh.
Local frame: origin on the floor at the plinth's centre, Z up.
"""

from __future__ import annotations

import colorsys
import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np
from panda3d.core import NodePath, TextNode

from vbranch.scenes.catalogue import text
from vbranch.world.chart_geom import colors_for, polyline_quads
from vbranch.world.geom import DynamicQuads, MeshBuilder

__all__ = ["PortfolioHologram", "ring_spans", "ring_geometry", "curve_points", "curve_geometry", "holding_colors"]

log = logging.getLogger(__name__)

CASH_COLOR = (0.62, 0.64, 0.70, 1.0)
PLINTH_COLOR = (0.20, 0.22, 0.27, 1.0)
BASELINE_COLOR = (0.55, 0.60, 0.70, 0.8)
RING_DEG_PER_S = 8.0


def ring_spans(weights: np.ndarray) -> np.ndarray:
    """Angles (radians) of each arc for weights ``[holding_1, …, holding_n, cash]``; they sum to 2π.

    Negative weights count as zero; if nothing is left, the whole ring is cash.
    """
    w = np.clip(np.nan_to_num(np.asarray(weights, float)), 0.0, None)
    total = w.sum()
    if total <= 0:
        w = np.zeros_like(w)
        w[-1], total = 1.0, 1.0
    return w / total * (2 * math.pi)


def ring_geometry(spans: np.ndarray, inner_m: float, outer_m: float, z_m: float = 0.0, height_m: float = 0.04,
                  pieces_per_turn: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Annular arcs from angle 0 counter-clockwise: per arc piece a top face (+Z) and an outer wall.

    Returns:
        corners (q, 4, 3) and the arc index (q,) of each quad, so the caller colours arcs.
    """
    starts = np.concatenate([[0.0], np.cumsum(spans)[:-1]])
    a0, a1, seg = [], [], []
    for i, (start, span) in enumerate(zip(starts, spans, strict=True)):
        if span <= 0:
            continue
        cuts = np.linspace(start, start + span, max(1, math.ceil(span / (2 * math.pi / pieces_per_turn))) + 1)
        a0.append(cuts[:-1])
        a1.append(cuts[1:])
        seg.append(np.full(len(cuts) - 1, i))
    a0, a1, seg = np.concatenate(a0), np.concatenate(a1), np.concatenate(seg)
    c0, s0, c1, s1 = np.cos(a0), np.sin(a0), np.cos(a1), np.sin(a1)
    top, bottom = z_m + height_m, np.full_like(a0, z_m)
    t = np.full_like(a0, top)
    faces = np.stack([
        np.stack([inner_m * c0, inner_m * s0, t], 1), np.stack([outer_m * c0, outer_m * s0, t], 1),
        np.stack([outer_m * c1, outer_m * s1, t], 1), np.stack([inner_m * c1, inner_m * s1, t], 1)], 1)
    walls = np.stack([
        np.stack([outer_m * c0, outer_m * s0, bottom], 1), np.stack([outer_m * c1, outer_m * s1, bottom], 1),
        np.stack([outer_m * c1, outer_m * s1, t], 1), np.stack([outer_m * c0, outer_m * s0, t], 1)], 1)
    return np.concatenate([faces, walls]).astype(np.float32), np.concatenate([seg, seg])


def curve_points(values: np.ndarray, box: Sequence[float], baseline: float) -> np.ndarray:
    """(m, 2) XZ points of ``values`` spread across ``box`` = (x0, z0, width, height); the range includes
    ``baseline`` so the start line is always in view, and a flat series sits mid-box."""
    x0, z0, w, h = box
    v = np.asarray(values, float)
    lo, hi = min(v.min(), baseline), max(v.max(), baseline)
    span = hi - lo
    zs = z0 + (np.full_like(v, 0.5) if span <= 1e-12 * max(1.0, abs(hi)) else (v - lo) / span) * h
    xs = x0 + (np.arange(len(v)) / max(len(v) - 1, 1)) * w
    return np.stack([xs, zs], 1)


def curve_geometry(values: np.ndarray, box: Sequence[float], baseline: float, thickness_m: float,
                   up=(0.92, 0.22, 0.20, 1.0), down=(0.12, 0.74, 0.36, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """The equity line as thin quads, each segment ``up`` when its mid value is at/above ``baseline``, then
    one baseline quad across the box. Returns corners (m, 4, 3) and colors (m, 4)."""
    v = np.asarray(values, float)
    points = curve_points(v, box, baseline)
    line = polyline_quads(points, thickness_m, 0.0)
    above = (v[:-1] + v[1:]) / 2 >= baseline
    colors = np.where(above[:, None], np.asarray(up, np.float32), np.asarray(down, np.float32))
    x0, _, w, _ = box
    z = curve_points(np.concatenate([v, [baseline]]), box, baseline)[-1, 1]
    base = polyline_quads(np.array([[x0, z], [x0 + w, z]]), thickness_m * 0.4, 0.002)
    return (np.concatenate([line, base]),
            np.concatenate([colors, np.asarray([BASELINE_COLOR], np.float32)]).astype(np.float32))


def holding_colors(n: int) -> np.ndarray:
    """n distinct hologram hues (a golden-ratio walk round the colour wheel), then cash's grey: (n + 1, 4)."""
    hues = [colorsys.hsv_to_rgb((0.55 + i * 0.618034) % 1.0, 0.65, 0.95) for i in range(n)]
    return np.asarray([(*rgb, 1.0) for rgb in hues] + [CASH_COLOR], np.float32)


class PortfolioHologram:
    """Call ``sync(account, prices, t_step)`` once per frame and ``tick(dt_s)`` to turn the ring."""

    def __init__(self, parent: NodePath, symbols, lang: str, font, radius_m: float = 0.6, samples: int = 120,
                 convention: str | None = None) -> None:
        universe = symbols if hasattr(symbols, "symbols") else None
        self.symbols = tuple(universe.symbols if universe is not None else symbols)
        if convention is None:
            convention = ("CN" if universe.currency == "CNY" else "US") if universe is not None else lang
        self.up, self.down = colors_for(convention)
        self.lang, self.radius_m, self.samples = lang, radius_m, samples
        self._pos = {s: i for i, s in enumerate(self.symbols)}
        self._colors = holding_colors(len(self.symbols))
        self.root = parent.attach_new_node("portfolio-hologram")
        plinth_h, r = 0.8, radius_m
        self.ring_z = plinth_h + 0.25 * r
        mesh = MeshBuilder()
        mesh.add_cylinder((0, 0, 0), 0.45 * r, plinth_h, PLINTH_COLOR, segments=24)
        mesh.add_cylinder((0, 0, plinth_h), 0.55 * r, 0.02, (0.3, 0.7, 0.9, 1.0), segments=24)
        self.root.attach_new_node(mesh.node("holo-plinth"))
        self.ring = DynamicQuads("holo-ring", 2 * (96 + len(self.symbols) + 1), normal=None)
        self.ring_np = self.root.attach_new_node(self.ring.node)
        self.ring_np.set_z(self.ring_z)
        self.panel = self.root.attach_new_node("holo-panel")
        self.panel.set_pos(0, 0, self.ring_z + 0.2 * r)
        self.panel.set_billboard_axis()
        self.panel.set_light_off(1)
        self.panel.set_two_sided(True)
        self.box = (-0.9 * r, 0.0, 1.8 * r, 0.6 * r)
        self.curve = DynamicQuads("holo-curve", samples)
        self.panel.attach_new_node(self.curve.node)
        label = TextNode("holo-label")
        if font is None and lang == "zh":
            log.warning("portfolio hologram: no CJK font given; Chinese text will not render")
        if font is not None:
            label.set_font(font)
        label.set_align(TextNode.A_center)
        self.label = self.panel.attach_new_node(label)
        self.label.set_pos(0, -0.01, 0.6 * r + 0.25 * r)  # two lines above the curve box
        self.label.set_scale(0.1 * r)
        self._equity = np.zeros(samples)
        self.count, self._t_step, self.equity, self.return_pct = 0, None, 0.0, 0.0

    @property
    def equity_samples(self) -> np.ndarray:
        return self._equity[: self.count].copy()

    def sync(self, account, prices: Mapping[str, float] | np.ndarray, t_step: int) -> bool:
        """Read the account once; on a new market step, append an equity sample and rewrite ring, curve and
        label in place. ``prices`` is ``market.prices`` or ``market.venue.prices`` (symbol order).
        Returns True when something was rewritten."""
        if t_step == self._t_step:
            return False
        self._t_step = t_step
        values = np.zeros(len(self.symbols) + 1)
        by_name = isinstance(prices, Mapping)
        for sym, pos in account.positions.items():
            i = self._pos.get(sym)
            if pos.qty and i is not None:
                values[i] = pos.qty * float(prices[sym] if by_name else prices[i])
        values[-1] = account.cash
        equity = float(values.sum())
        if self.count == self.samples:
            self._equity[:-1] = self._equity[1:]
            self.count -= 1
        self._equity[self.count] = equity
        self.count += 1
        self.equity = equity
        self.return_pct = 100 * (equity / account.deposits - 1) if account.deposits else 0.0
        corners, segs = ring_geometry(ring_spans(values if equity > 0 else np.zeros_like(values)),
                                      0.7 * self.radius_m, self.radius_m)
        self.ring.update(corners, self._colors[segs])
        if self.count >= 2:
            self.curve.update(*curve_geometry(self._equity[: self.count], self.box, account.deposits,
                                              0.012 * self.radius_m, self.up, self.down))
        value = text("holo.equity", self.lang, equity=f"{equity:,.2f}", return_pct=self.return_pct)
        node: TextNode = self.label.node()
        if node.get_text() != value:
            node.set_text(value)
            node.set_text_color(*(self.up if self.return_pct >= 0 else self.down))
        return True

    def tick(self, dt_s: float) -> None:
        """Turn the ring slowly (frame time, not market time)."""
        self.ring_np.set_h(self.ring_np, RING_DEG_PER_S * dt_s)

    def destroy(self) -> None:
        self.root.remove_node()
