"""Text in the 3D branch: one CJK-capable font, sizes that grow in elder mode.

Panda3D's default font has no hanzi, so every ``TextNode`` uses the Noto Sans SC subset shipped in
``assets/fonts`` (falling back to a system Noto CJK if the asset is missing, logged once). Sizes are
given in metres for world text and screen units for overlays, multiplied by the theme's text scale.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from pathlib import Path

from panda3d.core import DynamicTextFont, Filename, NodePath, TextNode

__all__ = ["font_path", "load_font", "make_text"]

log = logging.getLogger(__name__)

ASSET_FONT = "fonts/NotoSansSC-vbranch.otf"
SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def font_path() -> Path:
    shipped = Path(str(resources.files("vbranch.assets").joinpath(ASSET_FONT)))
    if shipped.is_file():
        return shipped
    for candidate in map(Path, SYSTEM_FONTS):
        if candidate.is_file():
            log.warning("shipped CJK font %s missing; using system font %s", ASSET_FONT, candidate)
            return candidate
    raise OSError(f"no CJK font: {ASSET_FONT} is missing from assets and no system Noto CJK is installed")


@cache
def load_font() -> DynamicTextFont:
    font = DynamicTextFont(Filename.from_os_specific(str(font_path())))
    if not font.is_valid():
        raise OSError(f"could not load font {font_path()}")
    font.set_pixels_per_unit(48)
    font.set_page_size(1024, 1024)
    return font


def make_text(
    parent: NodePath,
    text: str,
    size: float,
    color: tuple[float, float, float, float] = (1, 1, 1, 1),
    align: str = "left",
    wrap: float | None = None,
    name: str = "text",
    card: tuple[float, float, float, float] | None = None,
) -> tuple[NodePath, TextNode]:
    """A text node under ``parent``: ``size`` is the glyph height in the parent's units."""
    node = TextNode(name)
    node.set_font(load_font())
    node.set_text(text)
    node.set_text_color(*color)
    node.set_align({"left": TextNode.A_left, "center": TextNode.A_center, "right": TextNode.A_right}[align])
    if wrap is not None:
        node.set_wordwrap(wrap / size)
    if card is not None:
        node.set_card_color(*card)
        node.set_card_as_margin(0.3, 0.3, 0.2, 0.2)
        node.set_card_decal(True)
    path = parent.attach_new_node(node)
    path.set_scale(size)
    return path, node
