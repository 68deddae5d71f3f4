"""Rebuild ``NotoSansSC-vbranch.otf``: Noto Sans CJK SC cut down to what the branch shows.

Why a subset: the full collection is 19 MB; the branch needs ASCII, Latin-1, CJK punctuation, the
3,755 common hanzi of GB 2312 level 1 (learner names in a class leaderboard) and every character in
the zh/en catalogue and instrument names. Run it after adding catalogue text with rare characters:

    python assets/fonts/make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The font is under the SIL Open Font License 1.1 (see OFL.txt beside it), which allows subsetting
and redistribution with the licence.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "NotoSansSC-vbranch.otf"
SC_INDEX = 2  # face index of "Noto Sans CJK SC" in NotoSansCJK-Regular.ttc


def gb2312_level1() -> str:
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def wanted_text() -> str:
    text = [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)]
    text.append("，。、；：？！“”‘’（）【】《》…—·％￥●○■□▲△▼▽◀▶‹›«»−＋★☆→←↑↓")
    text.append(gb2312_level1())
    for folder in ("scenes", "market_sim", "world", "avatars"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".toml", ".py"):
                text.append(path.read_text("utf-8"))
    return "".join(sorted({ch for ch in "".join(text) if ch.isprintable()}))


def main(source: str) -> None:
    collection = TTCollection(source)
    font = collection.fonts[SC_INDEX]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=wanted_text())
    subsetter.subset(font)
    font.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
