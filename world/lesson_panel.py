"""The lesson panel on screen: one card under the HUD that shows a ``PanelView`` and knows its rows.

Screen space (``aspect2d``) rather than a board in the hall, because a lesson follows the learner from
the hall to the trading floor and back, and elder mode needs the text large wherever they stand. The
card is laid out top-down (title, body, numbered options, detail, keys) at the theme's text scale and
shrunk as a whole if it would run into the subtitles. Text nodes are made once and re-set only when
the view changes; the rows' rectangles are kept so a mouse click can pick an option.
"""

from __future__ import annotations

from panda3d.core import CardMaker, NodePath, TransparencyAttrib

from vbranch.world.lesson_view import PanelView, Placement, Tone
from vbranch.world.options import Theme
from vbranch.world.text import make_text

__all__ = ["LessonPanel", "MAX_OPTIONS"]

MAX_OPTIONS = 10
PAD = 0.05
GAP = 0.025
ASCENT = 0.92  # of the glyph size, above the first baseline (Noto Sans SC)
DESCENT = 0.3
CENTER_TOP = 0.66  # under the HUD's notices (0.72)
SIDE_TOP = 0.6
OPTION_GAP = 0.016
TONE_CARDS = {Tone.SELECTED: (0.16, 0.38, 0.72, 0.95), Tone.RIGHT: (0.10, 0.48, 0.24, 0.95),
              Tone.WRONG: (0.62, 0.14, 0.14, 0.95)}
MOOD_COLOURS = {Tone.RIGHT: (0.45, 0.95, 0.55, 1.0), Tone.WRONG: (1.0, 0.55, 0.5, 1.0)}
DIM = (0.62, 0.65, 0.7, 1.0)
CARD_ALPHA = 0.95  # opaque enough that the market wall behind doesn't show through the words
KEYS_COLOUR = (0.8, 0.84, 0.9, 1.0)


class _Text:
    def __init__(self, parent: NodePath, name: str) -> None:
        self.path, self.node = make_text(parent, "", 1.0, name=name)
        self.path.hide()


class LessonPanel:
    """``show(view)`` draws it (``None`` hides it); ``option_at(x, y)`` is the row under a point."""

    def __init__(self, parent: NodePath, theme: Theme, aspect_ratio: float, center_bottom: float = -0.88,
                 side_bottom: float = -0.64) -> None:
        """A centred card may reach down to ``center_bottom`` (the key help); a side card, which goes with
        spoken lines, stops at ``side_bottom`` (the subtitles)."""
        self.theme, self.aspect = theme, aspect_ratio
        self.center_bottom, self.side_bottom = center_bottom, side_bottom
        self.root = parent.attach_new_node("lesson-panel")
        self.content = self.root.attach_new_node("content")
        card = CardMaker("lesson-panel-card")
        card.set_frame(0, 1, -1, 0)  # a unit square hanging down from the content's origin
        self.card = self.content.attach_new_node(card.generate())
        self.card.set_transparency(TransparencyAttrib.M_alpha)
        self.title = _Text(self.content, "lesson-title")
        self.body = _Text(self.content, "lesson-body")
        self.options = [_Text(self.content, f"lesson-option-{i}") for i in range(MAX_OPTIONS)]
        self.verdict = _Text(self.content, "lesson-verdict")
        self.detail = _Text(self.content, "lesson-detail")
        self.footer = _Text(self.content, "lesson-keys")
        self.view: PanelView | None = None
        self._rows: list[tuple[float, float]] = []  # options' (top, bottom) in content units
        self._width = 0.0
        self.root.hide()

    # ----- geometry ----------------------------------------------------------------------------------
    def _frame(self, placement: Placement) -> tuple[float, float, float, float]:
        """(left, width, top, bottom) of the card on screen for a placement."""
        s = self.theme.text_scale
        if placement is Placement.CENTER:
            width = min(2 * self.aspect - 0.16, 1.9 * s)
            return -width / 2, width, CENTER_TOP, self.center_bottom
        width = min(self.aspect - 0.1, 1.05 * s)
        return -self.aspect + 0.04, width, SIDE_TOP, self.side_bottom

    def _place(self, item: _Text, value: str, size: float, colour, cursor: float, wrap: float,
               card=None, gap: float = GAP) -> float:
        """Put ``value`` with its top at ``cursor``; returns the cursor below it."""
        if not value:
            item.path.hide()
            return cursor
        node = item.node
        node.set_text(value)
        node.set_wordwrap(wrap / size)
        node.set_text_color(*colour)
        if card is None:
            node.clear_card()
        else:
            node.set_card_color(*card)
            node.set_card_as_margin(0.25, 0.25, 0.1, 0.1)
        item.path.set_scale(size)
        item.path.set_pos(PAD, 0, cursor - ASCENT * size)
        item.path.show()
        rows = max(1, node.get_num_rows())
        return cursor - (ASCENT + DESCENT + (rows - 1) * node.get_line_height()) * size - gap

    # ----- drawing -----------------------------------------------------------------------------------
    def show(self, view: PanelView | None) -> None:
        if view == self.view:
            return
        self.view = view
        if view is None:
            self.root.hide()
            return
        s, theme = self.theme.text_scale, self.theme
        fg = theme.panel_fg
        left, width, top, bottom = self._frame(view.placement)
        wrap = width - 2 * PAD
        cursor = -PAD
        mood = MOOD_COLOURS.get(view.mood, fg)
        cursor = self._place(self.title, view.title, 0.058 * s, fg if view.verdict else mood, cursor, wrap)
        cursor = self._place(self.body, view.body, 0.05 * s, fg, cursor, wrap)
        self._rows = []
        for i, item in enumerate(self.options):
            if i >= len(view.options):
                item.path.hide()
                continue
            option = view.options[i]
            colour = DIM if option.tone is Tone.DIM and not theme.high_contrast else fg
            if option.tone in TONE_CARDS:
                colour = (1.0, 1.0, 1.0, 1.0)
            row_top = cursor
            cursor = self._place(item, option.label, 0.046 * s, colour, cursor - 0.004 * s, wrap,
                                 TONE_CARDS.get(option.tone), OPTION_GAP)
            self._rows.append((row_top, cursor + OPTION_GAP / 2))
        cursor = self._place(self.verdict, view.verdict, 0.05 * s, mood, cursor - GAP, wrap)
        cursor = self._place(self.detail, view.detail, 0.044 * s, fg, cursor - (0 if view.verdict else GAP), wrap)
        cursor = self._place(self.footer, view.footer, 0.036 * s, KEYS_COLOUR if not theme.high_contrast else fg,
                             cursor - 0.01, wrap)
        height = -cursor + PAD - GAP
        self.card.set_scale(width, 1, height)
        r, g, b, a = theme.panel_bg
        self.card.set_color(r, g, b, max(a, CARD_ALPHA))
        fit = min(1.0, (top - bottom) / height)  # shrink rather than run into the subtitles
        self.content.set_scale(fit)
        self.content.set_pos(left + width * (1 - fit) / 2 if view.placement is Placement.CENTER else left, 0, top)
        self._width = width
        self.root.show()

    def option_at(self, x: float, y: float) -> int | None:
        """The option under screen point (x, y) in ``aspect2d`` units, if the panel shows one there."""
        if self.view is None or self.root.is_hidden():
            return None
        fit = self.content.get_sx()
        pos = self.content.get_pos()
        lx, ly = (x - pos[0]) / fit, (y - pos[2]) / fit
        if not 0 <= lx <= self._width:
            return None
        for i, (row_top, row_bottom) in enumerate(self._rows):
            if row_bottom <= ly <= row_top:
                return i
        return None

    def text_of(self) -> str:
        """Everything the panel shows, top to bottom (tests and logs read it)."""
        if self.view is None:
            return ""
        items = [self.title, self.body, *self.options, self.verdict, self.detail, self.footer]
        return "\n".join(item.node.get_text() for item in items if not item.path.is_hidden())
