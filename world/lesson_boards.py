"""Pictures on the education hall's boards: a candle's anatomy, a stop-loss line, an allocation ring.

Each board teaches one idea at a glance, before any lesson starts, so a learner wandering the hall
sees what a 阳线 is or where a stop-loss sits. Drawn from quads in the board's local frame
(x across, z up, facing -y) with lighting off so the colours stay true; labels from the catalogue.
Each board is also a way into its lesson: a caption under it says so, and Enter within reach of a
board opens the lesson menu on the lesson it illustrates (``board_lesson_near``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from panda3d.core import NodePath

from vbranch.scenes.catalogue import text
from vbranch.world.geom import MeshBuilder
from vbranch.world.text import make_text

__all__ = ["draw_board", "BOARD_PICTURES", "BOARD_LESSONS", "board_lesson_near", "BOARD_REACH_M"]

INK = (0.12, 0.14, 0.2, 1.0)
RED = (0.84, 0.16, 0.16)
GREEN = (0.12, 0.62, 0.32)
FRONT_Y = -0.025
BOARD_REACH_M = 3.0
BOARD_LESSONS = {"lesson.candlestick": "candlestick", "lesson.stop_loss": "stop_loss",
                 "lesson.allocation": "diversification"}  # the lesson each picture illustrates


def _rect(m: MeshBuilder, x0: float, z0: float, x1: float, z1: float, color) -> None:
    y = FRONT_Y
    m.add_quad([(x0, y, z0), (x1, y, z0), (x1, y, z1), (x0, y, z1)], color)


def _segment(m: MeshBuilder, a: tuple[float, float], b: tuple[float, float], width: float, color) -> None:
    (x0, z0), (x1, z1) = a, b
    length = math.hypot(x1 - x0, z1 - z0) or 1.0
    nx, nz = -(z1 - z0) / length * width / 2, (x1 - x0) / length * width / 2
    y = FRONT_Y
    m.add_quad([(x0 - nx, y, z0 - nz), (x1 - nx, y, z1 - nz), (x1 + nx, y, z1 + nz), (x0 + nx, y, z0 + nz)], color)


def _label(parent: NodePath, key: str, lang: str, x: float, z: float, size: float, align: str = "left",
           color=INK) -> None:
    path, _ = make_text(parent, text(key, lang), size, color, align=align, name=key)
    path.set_pos(x, FRONT_Y - 0.005, z)


def _candles(m: MeshBuilder, parent: NodePath, lang: str, w: float, h: float) -> None:
    s = 0.13 * w
    for cx, color, (o, c), up in ((-0.22 * w, RED, (0.25, 0.62), True), (0.2 * w, GREEN, (0.62, 0.25), False)):
        lo, hi = 0.12 * h, 0.76 * h
        _rect(m, cx - 0.012 * w, lo, cx + 0.012 * w, hi, color)
        body0, body1 = min(o, c) * h, max(o, c) * h
        _rect(m, cx - s / 2, body0, cx + s / 2, body1, color)
        lx = cx + s / 2 + 0.03
        _label(parent, "board.high", lang, lx, hi - 0.04, 0.11)
        _label(parent, "board.low", lang, lx, lo - 0.02, 0.11)
        _label(parent, "board.close" if up else "board.open", lang, lx, body1 - 0.05, 0.11)
        _label(parent, "board.open" if up else "board.close", lang, lx, body0 - 0.03, 0.11)
        _label(parent, "board.up_day" if up else "board.down_day", lang, cx, 0.02 * h, 0.1, align="center")


def _stop_loss(m: MeshBuilder, parent: NodePath, lang: str, w: float, h: float) -> None:
    x0, x1 = -0.45 * w, 0.45 * w
    entry, stop, take = 0.5 * h, 0.28 * h, 0.74 * h
    path = [(0.0, entry), (0.1, 0.56 * h), (0.2, 0.47 * h), (0.32, 0.52 * h), (0.45, 0.38 * h), (0.55, 0.33 * h),
            (0.62, stop), (0.75, 0.18 * h), (0.9, 0.12 * h), (1.0, 0.15 * h)]
    points = [(x0 + f * (x1 - x0), z) for f, z in path]
    for a, b in zip(points, points[1:], strict=False):
        faded = b[0] > points[6][0] + 1e-9
        _segment(m, a, b, 0.035, (0.6, 0.62, 0.66) if faded else (0.2, 0.3, 0.55))
    for z, color in ((entry, (0.3, 0.3, 0.35)), (stop, GREEN), (take, RED)):
        for i in range(18):  # a dashed level line
            xa = x0 + i * (x1 - x0) / 18
            _segment(m, (xa, z), (xa + 0.6 * (x1 - x0) / 18, z), 0.02, color)
    sx, sz = points[6]
    _rect(m, sx - 0.06, sz - 0.06, sx + 0.06, sz + 0.06, RED)
    _label(parent, "board.entry", lang, x0, entry + 0.04, 0.1)
    _label(parent, "board.stop_line", lang, x0, stop - 0.15, 0.1)
    _label(parent, "board.take_line", lang, x0, take + 0.04, 0.1)


def _allocation(m: MeshBuilder, parent: NodePath, lang: str, w: float, h: float) -> None:
    cx, cz, r_out, r_in = -0.2 * w, 0.42 * h, 0.34 * h, 0.18 * h
    slices = (("board.stocks", 0.40, RED), ("board.bonds", 0.35, (0.2, 0.4, 0.75)),
              ("board.gold", 0.10, (0.86, 0.68, 0.2)), ("board.cash", 0.15, (0.45, 0.6, 0.5)))
    start = math.pi / 2
    for i, (key, share, color) in enumerate(slices):
        steps = max(2, int(share * 48))
        for k in range(steps):
            a0 = start - share * 2 * math.pi * k / steps
            a1 = start - share * 2 * math.pi * (k + 1) / steps
            y = FRONT_Y
            m.add_quad([(cx + r_in * math.cos(a0), y, cz + r_in * math.sin(a0)),
                        (cx + r_in * math.cos(a1), y, cz + r_in * math.sin(a1)),
                        (cx + r_out * math.cos(a1), y, cz + r_out * math.sin(a1)),
                        (cx + r_out * math.cos(a0), y, cz + r_out * math.sin(a0))][::-1], color)
        start -= share * 2 * math.pi
        lz = 0.68 * h - i * 0.17 * h
        _rect(m, 0.12 * w, lz, 0.12 * w + 0.1, lz + 0.1, color)
        _label(parent, key, lang, 0.12 * w + 0.16, lz + 0.01, 0.11)


BOARD_PICTURES: dict[str, Callable[[MeshBuilder, NodePath, str, float, float], None]] = {
    "lesson.candlestick": _candles,
    "lesson.stop_loss": _stop_loss,
    "lesson.allocation": _allocation,
}


def draw_board(anchor: NodePath, label_key: str, lang: str, size: tuple[float, float]) -> bool:
    """Draw the picture for ``label_key`` on a board of ``size`` (w, h) metres; False if it has none."""
    picture = BOARD_PICTURES.get(label_key)
    if picture is None:
        return False
    w, h = size
    node = anchor.attach_new_node(f"picture-{label_key}")
    node.set_pos(0, 0, 0.1)
    node.set_light_off(1)
    mesh = MeshBuilder()
    picture(mesh, node, lang, w, h - 0.75)
    node.attach_new_node(mesh.node("picture"))
    if label_key in BOARD_LESSONS:  # on the wall under the board: how to open its lesson
        _label(node, "lesson_desk.board_hint", lang, 0.0, -0.34, 0.17, align="center")
    return True


def board_lesson_near(layout, x: float, y: float, reach_m: float = BOARD_REACH_M) -> str | None:
    """The lesson of the nearest picture board within ``reach_m`` of floor point (x, y), if any."""
    near = [(math.hypot(fx.pos[0] - x, fx.pos[1] - y), BOARD_LESSONS[fx.label]) for fx in layout.fixtures
            if fx.kind == "lesson_board" and fx.label in BOARD_LESSONS]
    near = [item for item in near if item[0] <= reach_m]
    return min(near)[1] if near else None
