"""Every character any shipped zh/en content can show has a glyph in the shipped font subset.

The subset (assets/fonts/make_subset.py) is cut from the catalogues; a string added later with a new
character would render as a blank box in the branch. Rebuild the subset when this fails.
"""

import glob
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ("scenes/**/*.toml", "avatars/**/*.toml", "emotion/*.toml")


def strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def test_every_character_of_the_shipped_content_is_in_the_font():
    ttlib = pytest.importorskip("fontTools.ttLib")
    from vbranch.world.text import font_path

    cmap = ttlib.TTFont(str(font_path())).getBestCmap()
    files = sorted({p for pattern in CONTENT for p in glob.glob(str(ROOT / pattern), recursive=True)})
    assert len(files) > 20
    shown = {ch for f in files for s in strings(tomllib.loads(Path(f).read_text("utf-8"))) for ch in s}
    missing = sorted(ch for ch in shown if ch.isprintable() and not ch.isspace() and ord(ch) not in cmap)
    assert missing == [], f"no glyph for {missing}: rebuild assets/fonts with make_subset.py"
