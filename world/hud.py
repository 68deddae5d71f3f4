"""The screen overlay: status line, where you are, subtitles, short notices and the key help.

Subtitles show every line the advisor says (always in elder mode, where they are also larger and
high-contrast). Text nodes are created once and only re-set when their text changes, because
regenerating glyph geometry is the expensive part of text in Panda3D.
"""

from __future__ import annotations

from panda3d.core import NodePath, TextNode

from vbranch.world.options import Theme
from vbranch.world.text import make_text

__all__ = ["Hud"]


class _Line:
    def __init__(self, path: NodePath, node: TextNode) -> None:
        self.path, self.node, self.value = path, node, ""

    def set(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self.node.set_text(value)


class Hud:
    """Screen-space text under ``aspect2d`` (x from -aspect to +aspect, y from -1 to 1)."""

    def __init__(self, aspect2d: NodePath, theme: Theme, aspect_ratio: float) -> None:
        self.root = aspect2d.attach_new_node("hud")
        self.theme = theme
        s = theme.text_scale
        fg = theme.panel_fg
        card = theme.panel_bg
        left, right = -aspect_ratio + 0.04, aspect_ratio - 0.04
        self.status = _Line(*make_text(self.root, "", 0.045 * s, fg, card=card, name="status"))
        self.status.path.set_pos(left, 0, 0.93 - 0.02 * s)
        self.room = _Line(*make_text(self.root, "", 0.05 * s, fg, align="right", card=card, name="room"))
        self.room.path.set_pos(right, 0, 0.93 - 0.02 * s)
        self.subtitle = _Line(*make_text(self.root, "", 0.06 * s, (1, 1, 1, 1) if not theme.high_contrast else fg,
                                         align="center", wrap=2 * aspect_ratio - 0.3, card=(0, 0, 0, 0.75),
                                         name="subtitle"))
        self.subtitle.path.set_pos(0, 0, -0.72 + 0.05 * (s - 1))
        self.subtitle_top = -0.72 + 0.05 * (s - 1) + 0.075 * s  # its first line's card top: panels stay above
        self.notice = _Line(*make_text(self.root, "", 0.05 * s, (1, 0.9, 0.4, 1), align="center", card=card,
                                       name="notice"))
        self.notice.path.set_pos(0, 0, 0.72)
        self.hint = _Line(*make_text(self.root, "", 0.032 * s, (0.85, 0.88, 0.92, 1), align="center", card=card,
                                     wrap=2 * aspect_ratio - 0.2, name="hint"))
        self.hint.path.set_pos(0, 0, -0.95)
        self.hint_top = -0.95 + 0.04 * s
        self._subtitle_until = 0.0
        self._notice_until = 0.0

    def say(self, line: str, now_s: float, seconds: float = 5.0) -> None:
        """Show a spoken line as a subtitle (elder mode keeps it 1.5× longer)."""
        if self.theme.subtitles:
            self.subtitle.set(line)
            self._subtitle_until = now_s + seconds * (1.5 if self.theme.high_contrast else 1.0)

    def clear_subtitle(self) -> None:
        """Take the subtitle down early (a panel that needs the room shows the words itself)."""
        self.subtitle.set("")

    def notify(self, message: str, now_s: float, seconds: float = 3.0) -> None:
        self.notice.set(message)
        self._notice_until = now_s + seconds

    def tick(self, now_s: float) -> None:
        if self.subtitle.value and now_s > self._subtitle_until:
            self.subtitle.set("")
        if self.notice.value and now_s > self._notice_until:
            self.notice.set("")
