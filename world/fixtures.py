"""Furniture and signs from the layout: desks, kiosks, plants, boards — procedural, one mesh each.

Every fixture is built in its own local frame (front facing -y, standing on z = 0) and then placed
by the layout's position and heading, so adding a kiosk to a room is one entry in ``branch.toml``.
Live widgets (market wall, order panel, portfolio hologram, leaderboard) hang off the anchors this
module returns; it only builds their static frames.
"""

from __future__ import annotations

from collections.abc import Callable

from panda3d.core import NodePath, TextNode

from vbranch.scenes.catalogue import text
from vbranch.scenes.layout import Fixture, Layout
from vbranch.world.geom import MeshBuilder
from vbranch.world.lesson_boards import draw_board
from vbranch.world.text import make_text

__all__ = ["build_fixtures", "leaderboard_rows", "PALETTE"]

PALETTE = {
    "wood": (0.55, 0.38, 0.24),
    "wood_light": (0.78, 0.62, 0.44),
    "stone": (0.88, 0.87, 0.84),
    "metal": (0.55, 0.58, 0.62),
    "dark": (0.10, 0.12, 0.16),
    "screen": (0.05, 0.09, 0.16),
    "brand": (0.78, 0.12, 0.16),  # the branch's red, also the CN "up" colour
    "gold": (0.86, 0.68, 0.26),
    "leaf": (0.20, 0.52, 0.28),
    "pot": (0.85, 0.84, 0.80),
    "fabric": (0.20, 0.32, 0.52),
}

Builder = Callable[[MeshBuilder, Fixture], None]


def _reception(m: MeshBuilder, fx: Fixture) -> None:
    m.add_box((0, 0, 0.55), (3.2, 0.8, 1.1), PALETTE["stone"])
    m.add_box((0, 0, 1.12), (3.4, 0.95, 0.05), PALETTE["wood_light"])
    m.add_box((0, -0.41, 0.62), (3.0, 0.02, 0.16), PALETTE["brand"])


def _kiosk(m: MeshBuilder, fx: Fixture) -> None:
    m.add_cylinder((0, 0, 0), 0.25, 0.05, PALETTE["metal"])
    m.add_box((0, 0, 0.55), (0.16, 0.16, 1.1), PALETTE["metal"])
    m.add_box((0, -0.02, 1.35), (0.75, 0.08, 0.55), PALETTE["dark"])
    m.add_box((0, -0.065, 1.35), (0.68, 0.01, 0.48), (0.16, 0.42, 0.70))


def _plant(m: MeshBuilder, fx: Fixture) -> None:
    m.add_cylinder((0, 0, 0), 0.28, 0.5, PALETTE["pot"])
    m.add_sphere((0, 0, 1.0), 0.5, PALETTE["leaf"], scale=(1.0, 1.0, 1.3))
    m.add_sphere((0.2, 0.1, 1.5), 0.3, (0.26, 0.60, 0.32))


def _bench(m: MeshBuilder, fx: Fixture) -> None:
    m.add_box((0, 0, 0.45), (1.8, 0.5, 0.08), PALETTE["wood"])
    for x in (-0.8, 0.8):
        m.add_box((x, 0, 0.21), (0.08, 0.45, 0.42), PALETTE["metal"])


def _advisor_desk(m: MeshBuilder, fx: Fixture) -> None:
    m.add_box((0, 0, 0.74), (2.0, 0.9, 0.06), PALETTE["wood"])
    m.add_box((0, 0.35, 0.37), (1.9, 0.05, 0.7), PALETTE["wood"])
    for x in (-0.95, 0.95):
        m.add_box((x, 0, 0.37), (0.06, 0.85, 0.74), PALETTE["wood"])
    m.add_box((0.55, 0.25, 1.02), (0.55, 0.04, 0.34), PALETTE["dark"])
    m.add_box((0.55, 0.27, 0.8), (0.06, 0.06, 0.12), PALETTE["metal"])
    m.add_box((-0.5, -0.1, 0.8), (0.3, 0.2, 0.06), PALETTE["gold"])


def _chair(m: MeshBuilder, fx: Fixture) -> None:
    m.add_box((0, 0, 0.46), (0.5, 0.5, 0.07), PALETTE["fabric"])
    m.add_box((0, 0.23, 0.8), (0.5, 0.06, 0.6), PALETTE["fabric"])
    m.add_cylinder((0, 0, 0), 0.05, 0.44, PALETTE["metal"])
    m.add_cylinder((0, 0, 0), 0.3, 0.03, PALETTE["metal"])


def _market_wall(m: MeshBuilder, fx: Fixture) -> None:
    w, h = fx.size or (10.0, 4.0)
    m.add_box((0, 0.12, h / 2), (w + 0.5, 0.1, h + 0.5), PALETTE["dark"])
    m.add_box((0, 0.05, -0.12), (w + 0.5, 0.3, 0.12), PALETTE["brand"])


def _order_panel(m: MeshBuilder, fx: Fixture) -> None:
    m.add_box((0, 0.1, 0.5), (0.9, 0.5, 1.0), PALETTE["stone"])
    m.add_box((0, 0.1, 1.02), (1.0, 0.6, 0.04), PALETTE["metal"])
    m.add_box((0, 0.22, 1.6), (1.3, 0.06, 1.1), PALETTE["dark"])


def _plinth(m: MeshBuilder, fx: Fixture) -> None:
    m.add_cylinder((0, 0, 0), 1.1, 0.04, PALETTE["stone"], segments=32)  # a floor disc; the hologram brings its plinth


def _board(m: MeshBuilder, fx: Fixture) -> None:
    w, h = fx.size or (4.0, 2.5)
    m.add_box((0, 0.05, h / 2), (w + 0.2, 0.08, h + 0.2), PALETTE["wood"])
    m.add_box((0, 0.0, h / 2), (w, 0.04, h), (0.97, 0.96, 0.92))


def _leaderboard(m: MeshBuilder, fx: Fixture) -> None:
    w, h = fx.size or (6.0, 3.0)
    m.add_box((0, 0.05, h / 2), (w + 0.3, 0.08, h + 0.3), PALETTE["metal"])
    m.add_box((0, 0.0, h / 2), (w, 0.04, h), PALETTE["screen"])


def _student_desks(m: MeshBuilder, fx: Fixture) -> None:
    w, d = fx.size or (3.0, 4.0)
    for row in range(3):
        for col in range(3):
            x = (col - 1) * w / 2
            y = (row - 1) * d / 2.5
            m.add_box((x, y, 0.72), (1.1, 0.55, 0.05), PALETTE["wood_light"])
            m.add_box((x, y + 0.2, 0.36), (1.0, 0.05, 0.7), PALETTE["metal"])
            m.add_box((x, y - 0.55, 0.45), (0.45, 0.42, 0.06), PALETTE["fabric"])


def _sign(m: MeshBuilder, fx: Fixture) -> None:
    m.add_box((0, 0.04, 0), (6.4, 0.04, 0.8), PALETTE["brand"])


BUILDERS: dict[str, Builder] = {
    "reception_desk": _reception, "kiosk": _kiosk, "plant": _plant, "bench": _bench,
    "advisor_desk": _advisor_desk, "chair": _chair, "market_wall": _market_wall, "order_panel": _order_panel,
    "portfolio_plinth": _plinth, "lesson_board": _board, "leaderboard_wall": _leaderboard,
    "student_desks": _student_desks, "sign": _sign,
}

# Where each kind's label goes in its local frame: (x, y, z, size_m, colour).
LABELS = {
    "reception_desk": (0.0, -0.43, 0.78, 0.16, (0.12, 0.14, 0.2, 1)),
    "kiosk": (0.0, -0.08, 1.52, 0.07, (1, 1, 1, 1)),
    "advisor_desk": (0.0, -0.46, 0.55, 0.09, PALETTE["gold"] + (1,)),
    "order_panel": (0.0, 0.17, 2.25, 0.12, (1, 1, 1, 1)),
    "portfolio_plinth": (0.0, -1.0, 0.1, 0.12, (0.85, 0.9, 1.0, 1)),
    "sign": (0.0, 0.0, -0.12, 0.36, (1, 1, 1, 1)),
}


def build_fixtures(parent: NodePath, layout: Layout, lang: str) -> dict[str, NodePath]:
    """Build every fixture; returns anchors (placed, heading applied) keyed by fixture id."""
    anchors: dict[str, NodePath] = {}
    for i, fx in enumerate(layout.fixtures):
        anchor = parent.attach_new_node(f"{fx.kind}-{fx.id or i}")
        anchor.set_pos(fx.pos[0], fx.pos[1], fx.z)
        anchor.set_h(fx.heading)
        mesh = MeshBuilder()
        BUILDERS[fx.kind](mesh, fx)
        anchor.attach_new_node(mesh.node(f"{fx.kind}-mesh"))
        if fx.label:
            _label(anchor, fx, lang)
        if fx.kind == "lesson_board" and fx.label:
            anchor.set_light_off(1)  # a lit display: its picture reads the same from any angle
            draw_board(anchor, fx.label, lang, fx.size or (4.0, 2.5))
        if fx.id:
            anchors[fx.id] = anchor
    return anchors


def leaderboard_rows(anchor: NodePath, fx: Fixture, lang: str) -> TextNode:
    """The leaderboard wall's rows: empty until a classroom contest writes its standings into them."""
    w, h = fx.size or (6.0, 3.0)
    path, node = make_text(anchor, text("fixture.leaderboard_empty", lang), 0.2, (0.8, 0.85, 0.95, 1),
                           align="center", wrap=w - 0.4, name="leaderboard-rows")
    path.set_pos(0, -0.03, h / 2)
    return node


def _label(anchor: NodePath, fx: Fixture, lang: str) -> None:
    label = text(fx.label, lang)  # type: ignore[arg-type]
    if fx.kind in ("lesson_board", "leaderboard_wall"):
        w, h = fx.size or (4.0, 2.5)
        color = (0.1, 0.1, 0.15, 1) if fx.kind == "lesson_board" else (1, 0.85, 0.35, 1)
        path, _ = make_text(anchor, label, 0.28, color, align="center", name="label")
        path.set_pos(0, -0.03, h - 0.45)
        return
    x, y, z, size, color = LABELS.get(fx.kind, (0.0, -0.5, 1.2, 0.1, (1, 1, 1, 1)))
    path, _ = make_text(anchor, label, size, color, align="center", name="label")
    path.set_pos(x, y - 0.005, z)
    if fx.kind == "kiosk":
        path.set_p(0)
