"""A candlestick chart of a simulated or replayed market, with volume and the events a lesson talks about.

Teachers preview a scenario with it and learners see it in their report card, so it must read at a
glance: red/green candles in the local convention (China: red up, green down), event markers on the
days they happened, and a caption saying whether the prices are simulated, real or a stylised twin.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from vbranch.market_sim.simulate import SimulationResult  # noqa: E402
from vbranch.scenes.catalogue import text  # noqa: E402

__all__ = ["plot_candles", "cjk_font_path"]

log = logging.getLogger(__name__)

_CJK_FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "wqy-microhei.ttc", "wqy-zenhei.ttc")
# marker, colour, legend label, row below the day's low (so markers on one day don't cover each other)
_EVENT_STYLE = {
    "crash_started": ("v", "#7a1fa2", "crash", 1),
    "limit_hit": ("s", "#e65100", "limit", 2),
    "halt": ("X", "#000000", "halt", 3),
    "stop_triggered": ("D", "#1565c0", "stop", 4),
}


def cjk_font_path() -> Path | None:
    """A system font file with Chinese glyphs (Noto Sans CJK or WenQuanYi), or None."""
    for font in font_manager.findSystemFonts():
        if Path(font).name in _CJK_FONT_FILES:
            return Path(font)
    return None


def _use_cjk_font() -> None:
    path = cjk_font_path()
    if path is None:
        log.warning("no CJK font found (install fonts-noto-cjk); Chinese text will not render")
        return
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams["font.family"] = [name, "DejaVu Sans"]


def plot_candles(result: SimulationResult, symbol: str, out: Path, title: str, lang: str = "en") -> Path:
    """Write a PNG: daily candles, volume bars, event markers and the data-source caption."""
    _use_cjk_font()
    market = result.market
    bars = market.bars(symbol, include_today=False)
    if not bars:
        raise ValueError(f"no completed days to plot for {symbol}")
    up_color, down_color = ("#d32f2f", "#2e7d32") if market.universe.currency == "CNY" else ("#2e7d32", "#d32f2f")
    fig, (ax, axv) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True, gridspec_kw={"height_ratios": [3.2, 1]})
    for bar in bars:
        color = up_color if bar.close >= bar.open else down_color
        ax.vlines(bar.day, bar.low, bar.high, color=color, linewidth=1)
        body_low, body_high = sorted((bar.open, bar.close))
        ax.bar(bar.day, max(body_high - body_low, 1e-9 * bar.close), bottom=body_low, width=0.6, color=color)
        axv.bar(bar.day, bar.volume, width=0.6, color=color, alpha=0.7)
    by_day = {bar.day: bar for bar in bars}
    seen_labels: set[str] = set()
    for event in result.events:
        style = _EVENT_STYLE.get(event.kind)
        event_symbol = getattr(event, "symbol", None)
        if style is None or event.day not in by_day or event_symbol not in (symbol, None):
            continue
        marker, color, label, row = style
        y = by_day[event.day].low * (1 - 0.012 * row)
        ax.scatter(event.day, y, marker=marker, color=color, s=60, zorder=5,
                   label=label if label not in seen_labels else None)
        seen_labels.add(label)
    inst = market.universe.get(symbol)
    ax.set_title(f"{title}: {inst.name(lang)} ({symbol})")
    ax.set_ylabel(market.universe.currency)
    axv.set_ylabel("volume" if lang == "en" else "成交量")
    axv.set_xlabel("trading day" if lang == "en" else "交易日")
    if seen_labels:
        ax.legend(loc="upper right", fontsize=8)
    axv.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.25)
    axv.grid(alpha=0.25)
    caption = " · ".join(text(key, lang, **params) for key, params in market.data_labels)
    fig.text(0.01, 0.01, caption, fontsize=9, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
