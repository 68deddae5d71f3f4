"""The learner's typed line to the advisor: T opens it, Enter sends it, Esc closes it.

While the learner types, the branch's hotkeys must stay quiet ("w" is a letter, not a step forward), so
opening the box gives every button thrower a prefix (``typing-``): ordinary bindings stop firing at
once and the box listens only to ``typing-enter``, ``typing-backspace`` and ``typing-escape``.
Characters arrive as Panda keystroke events, which carry the composed character (IME input for
Chinese included); the keystroke of the very key that opened the box is ignored.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable

from vbranch.scenes.catalogue import text
from vbranch.world.options import Theme
from vbranch.world.text import make_text

__all__ = ["ChatBox", "MAX_CHARS", "TYPING_PREFIX"]

log = logging.getLogger(__name__)

MAX_CHARS = 200
TYPING_PREFIX = "typing-"
_KEYSTROKE = "vbranch-keystroke"


def printable(ch: str) -> bool:
    """A character worth putting in the line (no control codes, which Enter and Backspace also send)."""
    return len(ch) == 1 and unicodedata.category(ch)[0] != "C"


class ChatBox:
    """A one-line text box on the HUD; ``on_send`` gets the finished message."""

    def __init__(self, base, parent, theme: Theme, aspect_ratio: float, lang: str,
                 on_send: Callable[[str], None]) -> None:
        self.base, self.lang, self._on_send = base, lang, on_send
        s = theme.text_scale
        self.path, self.node = make_text(parent, "", 0.05 * s, (1, 1, 1, 1), wrap=2 * aspect_ratio - 0.3,
                                         card=(0.05, 0.12, 0.25, 0.9), name="chat-line")
        self.path.set_pos(-aspect_ratio + 0.15, 0, -0.55 + 0.04 * (s - 1))
        self.path.hide()
        self.value = ""
        self.typing = False
        self._ignore_frame = -1

    # ----- keys ---------------------------------------------------------------------------------------
    def open(self) -> None:
        if self.typing:
            return
        self.typing, self.value = True, ""
        self._ignore_frame = self._frame()
        for thrower in self._throwers():
            thrower.node().set_prefix(TYPING_PREFIX)
            thrower.node().set_keystroke_event(_KEYSTROKE)
        self.base.accept(_KEYSTROKE, self.type_char)
        self.base.accept(TYPING_PREFIX + _KEYSTROKE, self.type_char)
        for key, handler in (("enter", self.send), ("backspace", self.backspace), ("escape", self.close)):
            self.base.accept(TYPING_PREFIX + key, handler)
            self.base.accept(f"{TYPING_PREFIX}{key}-repeat", handler)
        self._show()

    def close(self) -> None:
        if not self.typing:
            return
        self.typing = False
        for thrower in self._throwers():
            thrower.node().set_prefix("")
        for event in (_KEYSTROKE, TYPING_PREFIX + _KEYSTROKE, *(f"{TYPING_PREFIX}{k}{r}" for k in (
                "enter", "backspace", "escape") for r in ("", "-repeat"))):
            self.base.ignore(event)
        self.path.hide()

    def type_char(self, ch: str) -> None:
        if not self.typing or self._frame() == self._ignore_frame or not printable(ch):
            return
        if len(self.value) < MAX_CHARS:
            self.value += ch
            self._show()

    def backspace(self) -> None:
        if self.typing and self.value:
            self.value = self.value[:-1]
            self._show()

    def send(self) -> None:
        message = self.value.strip()
        self.close()
        if message:
            self._on_send(message)

    # ----- drawing ------------------------------------------------------------------------------------
    def _show(self) -> None:
        self.node.set_text(f"{text('chat.prompt', self.lang)}{self.value}_   [{text('chat.hint', self.lang)}]")
        self.path.show()

    def _throwers(self) -> list:
        return list(getattr(self.base, "buttonThrowers", None) or [])

    def _frame(self) -> int:
        return self.base.clock.get_frame_count()
