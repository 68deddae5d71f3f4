"""The order panel on the trading floor: the ``OrderForm`` drawn as rows on a 3D screen.

One text row per control plus a highlight bar behind the focused row. Each row carries a collision
box named after its control, so a mouse click (or a VR controller ray) picks the same control that
Tab would reach. Text is only re-set when a row's text changes.
"""

from __future__ import annotations

from panda3d.core import (
    BitMask32,
    CollisionBox,
    CollisionHandlerQueue,
    CollisionNode,
    CollisionRay,
    CollisionTraverser,
    NodePath,
    Point3,
)

from vbranch.market_sim.orders import Side
from vbranch.scenes.catalogue import text
from vbranch.world.geom import MeshBuilder
from vbranch.world.options import Theme
from vbranch.world.order_form import CONTROLS, Control, OrderForm
from vbranch.world.text import make_text

__all__ = ["OrderPanelView", "PICK_MASK", "control_from_pick", "make_picker"]

PICK_MASK = BitMask32.bit(4)
SCREEN_W, SCREEN_H = 1.2, 1.0  # metres, the dark screen built by fixtures._order_panel
SCREEN_CENTER = (0.0, 0.185, 1.6)
ROW_H = 0.125  # six rows end above the status line (the Submit highlight must not cover it)


def control_from_pick(node_name: str) -> Control | None:
    prefix = "panel-row-"
    if node_name.startswith(prefix):
        try:
            return Control(node_name[len(prefix):])
        except ValueError:
            return None
    return None


def make_picker(camera: NodePath) -> tuple[CollisionTraverser, CollisionHandlerQueue, CollisionRay]:
    """A ray from ``camera`` that hits only the panel rows' boxes (aim it with ``set_from_lens`` or by hand)."""
    ray = CollisionRay()
    node = CollisionNode("mouse-ray")
    node.add_solid(ray)
    node.set_from_collide_mask(PICK_MASK)
    node.set_into_collide_mask(0)
    ray_np = camera.attach_new_node(node)
    traverser, queue = CollisionTraverser("picker"), CollisionHandlerQueue()
    traverser.add_collider(ray_np, queue)
    return traverser, queue, ray


def _pct(value: float | None, lang: str) -> str:
    return text("panel.off", lang) if value is None else f"{value:g}%"


class OrderPanelView:
    def __init__(self, anchor: NodePath, lang: str, theme: Theme, names: dict[str, str]) -> None:
        self.lang, self.theme, self.names = lang, theme, names
        self.root = anchor.attach_new_node("order-panel")
        cx, cy, cz = SCREEN_CENTER
        self.root.set_pos(cx, cy, cz)
        s = min(theme.text_scale, 1.25)  # the screen is a fixed size; elder mode gets the larger end of it
        top = SCREEN_H / 2 - 0.08
        self._rows = {}
        title, _ = make_text(self.root, text("panel.title", lang), 0.075 * s, (1, 0.85, 0.35, 1), name="title")
        title.set_pos(-SCREEN_W / 2 + 0.06, -0.002, top - 0.02)
        highlight = MeshBuilder()
        highlight.add_quad([(-SCREEN_W / 2 + 0.03, 0, -0.05), (SCREEN_W / 2 - 0.03, 0, -0.05),
                            (SCREEN_W / 2 - 0.03, 0, 0.075), (-SCREEN_W / 2 + 0.03, 0, 0.075)],
                           tuple(0.45 * c for c in theme.focus[:3]))  # dark enough for light text on it
        self.highlight = self.root.attach_new_node(highlight.node("focus"))
        self.highlight.set_light_off()
        for i, control in enumerate(CONTROLS):
            z = top - 0.16 - i * ROW_H
            path, node = make_text(self.root, "", 0.055 * s, theme.panel_fg, name=f"row-{control}")
            path.set_pos(-SCREEN_W / 2 + 0.06, -0.004, z)
            box = CollisionNode(f"panel-row-{control}")
            box.add_solid(CollisionBox(Point3(0, -0.01, z + 0.012), SCREEN_W / 2 - 0.03, 0.01, ROW_H / 2 - 0.005))
            box.set_into_collide_mask(PICK_MASK)
            self.root.attach_new_node(box)
            self._rows[control] = [path, node, "", z]
        status_path, self._status = make_text(self.root, "", 0.042, (0.8, 0.9, 1, 1), wrap=SCREEN_W - 0.1,
                                              name="panel-status")
        status_path.set_pos(-SCREEN_W / 2 + 0.06, -0.004, -SCREEN_H / 2 + 0.035)
        self._status_text = ""
        self._shown: tuple[OrderForm, float] | None = None

    def _set(self, control: Control, value: str) -> None:
        row = self._rows[control]
        if row[2] != value:
            row[1].set_text(value)
            row[2] = value

    def show(self, form: OrderForm, price: float) -> None:
        if (form, price) == self._shown:
            return
        self._shown = (form, price)
        lang = self.lang
        name = self.names.get(form.symbol, form.symbol)
        side = text(f"side.{form.side.value}", lang)
        self._set(Control.INSTRUMENT, f"{text('panel.instrument', lang)}:  ◀ {name} ▶  "
                                      f"{text('panel.price', lang, price=f'{price:.2f}')}")
        self._set(Control.SIDE, f"{text('panel.side', lang)}:  ◀ {side} ▶")
        self._set(Control.QUANTITY, f"{text('panel.quantity', lang)}:  − {form.qty} +")
        stop = _pct(form.stop_loss_pct, lang) if form.side is Side.BUY else "—"
        take = _pct(form.take_profit_pct, lang) if form.side is Side.BUY else "—"
        self._set(Control.STOP_LOSS, f"{text('panel.stop_loss', lang)}:  ◀ {stop} ▶")
        self._set(Control.TAKE_PROFIT, f"{text('panel.take_profit', lang)}:  ◀ {take} ▶")
        self._set(Control.SUBMIT, f"[ {text('panel.submit', lang)} ]")
        self.highlight.set_z(self._rows[form.focused][3])

    def rebind(self, names: dict[str, str]) -> None:
        """A new round's instruments: their names, a redraw on the next ``show``, no stale status line."""
        self.names, self._shown = names, None
        self.status("")

    def status(self, message: str) -> None:
        if message != self._status_text:
            self._status.set_text(message)
            self._status_text = message
