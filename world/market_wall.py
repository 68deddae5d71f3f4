"""The branch's market wall: a live grid of mini candlestick charts, an index line, a ticker and event banners.

Why it is built this way: a learner's eye goes to the wall when the market moves, so it must keep up with
a 500-instrument universe without costing a VR frame. Every candle body and wick on the wall is a quad of
ONE ``DynamicQuads`` (one Geom, one draw call); the OHLC windows live in numpy arrays that ``sync`` keeps
up to date incrementally, so a frame in which the market stepped rewrites only today's candles (plus any
instrument whose range today broke out of its chart), and a closed day rewrites the wall once. Labels are
TextNodes only for the first few instruments, refreshed at most four times a second and only when their
text changed. The wall's local frame: origin at its centre, X right, Z up, the face looks down -Y.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
from panda3d.core import NodePath, PlaneNode, Point3, TextNode, Vec3
from panda3d.core import Plane as PandaPlane

from vbranch.market_sim.events import CrashStarted, Halted, LimitHit, MarketEvent, Resumed
from vbranch.scenes.catalogue import CatalogueError, text
from vbranch.world.chart_geom import (
    candle_geometry,
    colors_for,
    convention_of,
    polyline_quads,
    price_decimals,
    window_range,
)
from vbranch.world.geom import DynamicQuads, MeshBuilder

__all__ = ["MarketWall", "event_banner", "colors_for", "convention_of", "window_range", "candle_geometry",
           "polyline_quads", "price_decimals"]

log = logging.getLogger(__name__)

PANEL, STRIP, BANNER, TEXT = (0.05, 0.06, 0.09, 1.0), (0.09, 0.10, 0.14, 1.0), (0.55, 0.10, 0.08, 1.0), (0.92,) * 4
BANNER_S = 4.0
LABEL_INTERVAL_S = 0.25
LABELS_PER_FRAME = 2  # TextNode regeneration + width is ~50-100 us each: spread a refresh over frames
CHARTS_PER_FRAME = 32  # charts redrawn per frame after a day close or a rescale (≈0.3 ms)
_NONE = np.zeros(0, np.intp)
_PRIORITY = {CrashStarted: 3, Halted: 3, Resumed: 2, LimitHit: 1}
NOTICE_RANK = 9  # the branch's own notices (the round is over) outrank any market event


def event_banner(event: MarketEvent, universe, lang: str) -> str | None:
    """The banner text for a market-wide event (crash, limit, halt, resume); None for the rest."""
    if isinstance(event, CrashStarted):
        return text("event.crash_started", lang, drop_pct=event.drop_pct)
    if isinstance(event, LimitHit):
        name = universe.get(event.symbol).name(lang) if event.symbol in universe else event.symbol
        return text(f"event.limit_{'down' if event.direction == 'down' else 'up'}", lang, symbol=name)
    if isinstance(event, Halted):
        try:
            reason = text(f"halt.{event.reason}", lang, drop_pct=event.drop_pct or 0.0)
        except CatalogueError:
            log.warning("no catalogue text for halt reason %r", event.reason)
            reason = ""
        return text("event.halt", lang, reason=reason)
    if isinstance(event, Resumed):
        return text("event.resumed", lang)
    return None


def _grid(n: int, width_m: float, height_m: float, cell_aspect: float = 1.6) -> tuple[int, int]:
    cols = max(1, min(n, math.ceil(math.sqrt(n * width_m / (height_m * cell_aspect)))))
    return cols, math.ceil(n / cols)


class MarketWall:
    """The live wall. Call ``sync(market)`` once per frame; ``show_event`` for banners from elsewhere."""

    def __init__(self, parent: NodePath, market, lang: str, font, width_m: float, height_m: float,
                 candles: int = 30, max_labelled: int = 12) -> None:
        if candles < 2:
            raise ValueError(f"candles must be >= 2, got {candles}")
        self.lang, self.font, self.k = lang, font, candles
        if font is None and lang == "zh":
            log.warning("market wall: no CJK font given; Chinese labels will not render")
        self.universe, self.symbols = market.universe, tuple(market.symbols)
        self.up, self.down = colors_for(convention_of(market))
        n = self.n = len(self.symbols)
        insts = list(self.universe)
        self._decimals = [price_decimals(i.tick_size) for i in insts]
        self._index = next((i for i, inst in enumerate(insts) if inst.is_index), None)
        self.root = parent.attach_new_node("market-wall")
        self.root.set_light_off(1)
        w, h, m = width_m, height_m, 0.02 * height_m
        self.banner_h, ticker_h = 0.09 * h, 0.07 * h
        index_h = 0.14 * h if self._index is not None else 0.0
        top, bottom = h / 2 - m, -h / 2 + m
        self._ticker_z = bottom + ticker_h / 2
        self._index_box = (-w / 2 + m, bottom + ticker_h + m, w - 2 * m, index_h - m)
        self._banner_z = top - self.banner_h / 2
        grid_top, grid_bottom = top - self.banner_h - m, bottom + ticker_h + index_h + m
        cols, rows = _grid(n, w - 2 * m, grid_top - grid_bottom)
        cell_w, cell_h = (w - 2 * m) / cols, (grid_top - grid_bottom) / rows
        i = np.arange(n)
        cell_x0 = -w / 2 + m + (i % cols) * cell_w
        cell_z0 = grid_top - (i // cols + 1) * cell_h
        self.labelled = min(max_labelled, n)
        header = np.where(i < self.labelled, 0.3, 0.04) * cell_h
        gap = 0.05 * min(cell_w, cell_h)
        self.chart_xz = np.stack([cell_x0 + gap, cell_z0 + gap], 1)
        self.chart_wh = np.stack([np.full(n, cell_w - 2 * gap), cell_h - header - 2 * gap], 1)
        self._build_static(w, h, m, ticker_h)
        self.quads = DynamicQuads("wall-candles", n * candles * 2)
        self.root.attach_new_node(self.quads.node)
        self.index_quads = DynamicQuads("wall-index", candles)
        self.index_np = self.root.attach_new_node(self.index_quads.node)
        self._labels = [self._text_node(f"label-{j}", cell_x0[j] + gap, cell_z0[j] + cell_h - header[j] * 0.85,
                                        header[j] * 0.6, cell_w - 2 * gap) for j in range(self.labelled)]
        self._index_label = self._text_node("index-label", self._index_box[0], self._index_box[1] +
                                            self._index_box[3] - 0.05 * h, 0.04 * h, w / 2)
        self._ticker = self._text_node("ticker", w / 2, self._ticker_z - ticker_h * 0.25, ticker_h * 0.55, None)
        self._ticker_width_m = 0.0  # the ticker line's width, measured when it is filled
        self._clip_ticker(-w / 2 + m, w / 2 - m)
        self._banner = self._text_node("banner", 0.0, self._banner_z - self.banner_h * 0.2, self.banner_h * 0.5,
                                       w - 4 * m, align=TextNode.A_center)
        self._banner_np.hide()
        self._ohlc = np.zeros((n, candles, 4))
        self._valid = np.zeros((n, candles), bool)
        self._lo, self._hi = np.zeros(n), np.ones(n)
        self._n_hist, self._t_step, self._now_s = -1, -1, None
        self._label_s, self._labels_dirty, self._banner_until, self._banner_rank = -1e9, False, -1e9, 0
        self._ticker_start, self._ticker_chunk, self._width = 0, 16, w
        self.last_rescaled = _NONE  # instruments whose whole chart the last sync rewrote
        self._grown = np.zeros(n, bool)
        self._stale = np.zeros(0, np.intp)  # charts still to be redrawn after a day close
        self._pending: dict[str, tuple] = {}
        slots = np.arange(n) * candles + candles - 1
        self._today_quads = np.stack([slots * 2, slots * 2 + 1], 1).ravel()

    # ----- construction ---------------------------------------------------------------------------
    def _build_static(self, w: float, h: float, m: float, ticker_h: float) -> None:
        mesh = MeshBuilder()
        mesh.add_quad(((-w / 2, 0, -h / 2), (w / 2, 0, -h / 2), (w / 2, 0, h / 2), (-w / 2, 0, h / 2)), PANEL)
        for z0, z1 in ((-h / 2 + m, -h / 2 + m + ticker_h), (self._banner_z - self.banner_h / 2,
                                                             self._banner_z + self.banner_h / 2)):
            mesh.add_quad(((-w / 2 + m, -0.001, z0), (w / 2 - m, -0.001, z0), (w / 2 - m, -0.001, z1),
                           (-w / 2 + m, -0.001, z1)), STRIP)
        self.root.attach_new_node(mesh.node("wall-panel"))
        banner = MeshBuilder()
        z0, z1 = self._banner_z - self.banner_h / 2, self._banner_z + self.banner_h / 2
        banner.add_quad(((-w / 2 + m, -0.002, z0), (w / 2 - m, -0.002, z0), (w / 2 - m, -0.002, z1),
                         (-w / 2 + m, -0.002, z1)), BANNER)
        self._banner_np = self.root.attach_new_node(banner.node("wall-banner"))

    def _text_node(self, name: str, x: float, z: float, scale: float, max_w: float | None,
                   align: int = TextNode.A_left) -> NodePath:
        node = TextNode(name)
        if self.font is not None:
            node.set_font(self.font)
        node.set_align(align)
        node.set_text_color(*TEXT)
        parent = self._banner_np if name == "banner" else self.root
        np_ = parent.attach_new_node(node)
        np_.set_pos(x, -0.008, z)
        np_.set_scale(scale)
        np_.set_python_tag("fit", (scale, max_w))
        return np_

    def _clip_ticker(self, x_left: float, x_right: float) -> None:
        for name, normal, x in (("ticker-clip-l", Vec3(1, 0, 0), x_left), ("ticker-clip-r", Vec3(-1, 0, 0), x_right)):
            plane = self.root.attach_new_node(PlaneNode(name, PandaPlane(normal, Point3(x, 0, 0))))
            self._ticker.set_clip_plane(plane)

    @staticmethod
    def _set_text(np_: NodePath, value: str, color=None) -> bool:
        node: TextNode = np_.node()
        if node.get_text() == value:
            return False
        node.set_text(value)
        if color is not None:
            node.set_text_color(*color)
        scale, max_w = np_.get_python_tag("fit")
        width = node.calc_width(value) * scale  # from glyph advances: no geometry assembly on the frame path
        np_.set_scale(scale if max_w is None or width <= max_w else scale * max_w / width)
        return True

    # ----- per frame ------------------------------------------------------------------------------
    def sync(self, market, now_s: float | None = None) -> None:
        """Bring the wall up to ``market`` (call once per frame; cheap when the market did not step)."""
        now = time.monotonic() if now_s is None else now_s
        dt = 0.0 if self._now_s is None else min(max(now - self._now_s, 0.0), 0.25)
        self._now_s = now
        stepped = market.t_step != self._t_step
        self.last_rescaled = _NONE
        stale_before = len(self._stale)
        if stepped:
            self._t_step = market.t_step
            self._read(market)
        if stale_before and len(self._stale):  # (a day that closed this frame already wrote its first chunk)
            self._rewrite_stale()
        if stepped:
            ranked = [(_PRIORITY.get(type(e), 0), e) for e in market.events]
            best = max(ranked, key=lambda r: r[0], default=(0, None))
            if best[0]:
                self.show_event(best[1], now)
            self._labels_dirty = True
        due = now - self._label_s >= (2 * LABEL_INTERVAL_S if stepped else LABEL_INTERVAL_S)  # prefer idle frames
        if self._labels_dirty and due:
            self._label_s, self._labels_dirty = now, False
            self._rescale_grown()
            self._queue_labels()
        for name in list(self._pending)[:LABELS_PER_FRAME]:
            self._set_text(*self._pending.pop(name))
        self._scroll_ticker(dt)
        if self._banner_rank and now >= self._banner_until:
            self._banner_rank = 0
            self._banner_np.hide()

    @property
    def window(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the wall's (n, candles, 4) OHLC window (today last) and its (n, candles) valid mask."""
        return self._ohlc.copy(), self._valid.copy()

    @property
    def banner_text(self) -> str | None:
        """The banner's message while it shows, else None."""
        return self._banner.node().get_text() if self._banner_rank else None

    def show_event(self, event: MarketEvent, now_s: float | None = None) -> bool:
        """Show ``event`` on the banner for ~4 s unless a more serious one is showing; False if not shown."""
        now = time.monotonic() if now_s is None else now_s
        rank = _PRIORITY.get(type(event), 0)
        message = event_banner(event, self.universe, self.lang)
        if message is None or (self._banner_rank > rank and now < self._banner_until):
            return False
        self._set_text(self._banner, message)
        self._banner_rank, self._banner_until = rank, now + BANNER_S
        self._banner_np.show()
        return True

    def show_notice(self, message: str, now_s: float | None = None, seconds: float = math.inf) -> None:
        """Put the branch's own ``message`` on the banner (e.g. the round is over), above market events,
        for ``seconds`` (by default until the wall is rebuilt for the next round)."""
        now = time.monotonic() if now_s is None else now_s
        self._set_text(self._banner, message)
        self._banner_rank, self._banner_until = NOTICE_RANK, now + seconds
        self._banner_np.show()

    def _read(self, market) -> None:
        k, syms = self.k, self.symbols
        n_hist = len(market.history[syms[0]])
        new_days = n_hist - self._n_hist
        live = market.today_started and not market.finished
        if new_days:
            self._shift_history(market, new_days, n_hist)
        today = self._ohlc[:, -1]
        if live:
            today[:] = market.today_ohlc  # the market keeps today's candles as one array: a copy, no loop
        self._valid[:, -1] = live
        if new_days:
            # A new day shifts every chart one slot: rewrite them a chunk per frame (a 500-chart wall in
            # a few frames) instead of all at once, so a day close costs no frame more than ~1 ms.
            self._lo, self._hi = window_range(self._ohlc, self._valid, 0.08)
            self._stale = np.arange(self.n)
            self.last_rescaled, self._grown[:] = np.arange(self.n), False
            self._rewrite_stale()
        else:
            # A breakout clips at the chart's edge until the next label pass rescales that chart.
            self._grown |= live & ((today[:, 2] < self._lo) | (today[:, 1] > self._hi))
            self.quads.write(self._today_quads, *self._geometry(slice(None), first_slot=k - 1))

    def _rewrite_stale(self) -> None:
        rows, self._stale = self._stale[:CHARTS_PER_FRAME], self._stale[CHARTS_PER_FRAME:]
        if len(rows):
            self.quads.write((rows[:, None] * self.k * 2 + np.arange(self.k * 2)).ravel(), *self._geometry(rows))

    def _rescale_grown(self) -> None:
        """Refit the charts whose today broke out of their range; they are redrawn with the stale queue."""
        grow = np.flatnonzero(self._grown)
        if len(grow):
            self._grown[:] = False
            self._lo[grow], self._hi[grow] = window_range(self._ohlc[grow], self._valid[grow], 0.25)  # headroom
            self._stale = np.union1d(self._stale, grow)
            self.last_rescaled = grow

    def _geometry(self, rows, first_slot: int = 0) -> tuple[np.ndarray, np.ndarray]:
        s = slice(first_slot, None)
        return candle_geometry(self._ohlc[rows, s], self._valid[rows, s], self.chart_xz[rows], self.chart_wh[rows],
                               self._lo[rows], self._hi[rows], self.up, self.down, self.k, first_slot)

    def _shift_history(self, market, new_days: int, n_hist: int) -> None:
        slots = self.k - 1
        if self._n_hist < 0 or new_days < 0 or new_days >= slots:
            self._ohlc[:, :slots], self._valid[:, :slots], fill = 0.0, False, min(n_hist, slots)
        else:
            self._ohlc[:, :slots] = np.roll(self._ohlc[:, :slots], -new_days, axis=1)
            self._valid[:, :slots] = np.roll(self._valid[:, :slots], -new_days, axis=1)
            fill = min(new_days, n_hist)
        if fill:
            self._ohlc[:, slots - fill:slots] = [[(b.open, b.high, b.low, b.close) for b in market.history[s][-fill:]]
                                                 for s in self.symbols]
            self._valid[:, slots - fill:slots] = True
        self._n_hist = n_hist

    def _quotes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every instrument's last price and % change from the previous close (vectorised)."""
        rows, k = np.arange(self.n), self.k
        last_slot = np.where(self._valid[:, -1], k - 1, k - 2)
        last = np.where(self._valid[rows, last_slot], self._ohlc[rows, last_slot, 3], 0.0)
        prev = last_slot - 1
        ref = np.where(self._valid[rows, prev], self._ohlc[rows, prev, 3], self._ohlc[rows, last_slot, 0])
        change = np.divide(100 * (last - ref), ref, out=np.zeros(self.n), where=ref != 0)
        return last, change

    def _queue_labels(self) -> None:
        """Format every label; queue the ones whose text changed (applied a few per frame)."""
        last, change = self._quotes()
        rows = [(i, "wall.cell_label", label) for i, label in enumerate(self._labels)]
        if self._index is not None:
            rows.append((self._index, "wall.index_label", self._index_label))
        for i, key, label in rows:
            inst = self.universe.instruments[i]
            value = text(key, self.lang, name=inst.name(self.lang), price=f"{last[i]:.{self._decimals[i]}f}",
                         change_pct=change[i])
            if value != label.node().get_text():
                self._pending[label.get_name()] = (label, value, self.up if change[i] >= 0 else self.down)
        self._update_index_line()

    def _update_index_line(self) -> None:
        if self._index is None:
            return
        valid = self._valid[self._index]
        closes = self._ohlc[self._index, valid, 3]
        if len(closes) < 2:
            return
        x0, z0, w, h = self._index_box
        h *= 0.62
        lo, hi = window_range(closes[None, :, None].repeat(4, 2), np.ones((1, len(closes)), bool), 0.05)
        xs = x0 + (np.flatnonzero(valid) + 0.5) * w / self.k
        zs = z0 + (closes - lo[0]) / (hi[0] - lo[0]) * h
        corners = polyline_quads(np.stack([xs, zs], 1), 0.006 * self._width ** 0.5)
        colors = np.where((np.diff(closes) >= 0)[:, None], np.asarray(self.up, np.float32),
                          np.asarray(self.down, np.float32)).astype(np.float32)
        self.index_quads.update(corners, colors)

    def _scroll_ticker(self, dt: float) -> None:
        x = self._ticker.get_x() - dt * self._width / 14
        if x + self._ticker_width_m < -self._width / 2:
            x = self._width / 2
            self._fill_ticker()
        elif not self._ticker.node().get_text() and self._t_step >= 0:
            self._fill_ticker()
        self._ticker.set_x(x)

    def _fill_ticker(self) -> None:
        idx = [(self._ticker_start + j) % self.n for j in range(min(self._ticker_chunk, self.n))]
        self._ticker_start = (idx[-1] + 1) % self.n
        last, change = self._quotes()
        insts = self.universe.instruments
        line = "    ".join(
            text("wall.ticker_item", self.lang, symbol=insts[i].symbol, name=insts[i].name(self.lang),
                 price=f"{last[i]:.{self._decimals[i]}f}", change_pct=change[i]) for i in idx)
        self._set_text(self._ticker, line)
        self._ticker_width_m = self._ticker.node().calc_width(line) * self._ticker.get_sx()

    def destroy(self) -> None:
        self.root.remove_node()
