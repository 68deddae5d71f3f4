"""The contest report's two pictures as inline SVG: equity curves against the benchmark, risk against return.

Why hand-written SVG and not matplotlib: the classroom server renders the report inside its event loop
when a teacher presses "download"; SVG is a few milliseconds of string building, needs no plotting
library in the server process, stays sharp when printed, and its text uses the reader's own fonts (so
Chinese names render wherever the page is opened). Every label arrives already translated and every
piece of text is escaped, because learner nicknames are untrusted input.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["PALETTE", "OTHERS_COLOUR", "BENCHMARK_COLOUR", "Series", "nice_ticks", "equity_svg", "risk_return_svg"]

# Ten colours that stay apart for colour-blind readers (Tableau 10); learners past the tenth are grey.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
OTHERS_COLOUR = "#c8c8c8"
BENCHMARK_COLOUR = "#222222"
_W, _H = 860, 380  # viewBox, px
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 170, 34, 48  # plot margins; the legend lives in the right margin
_FONT = 'font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif"'


@dataclass(frozen=True)
class Series:
    """One learner's line or point: a label and its values (equity for curves)."""

    label: str
    values: tuple[float, ...]


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × 10^k apart) covering ``[lo, hi]``, about ``n`` of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    raw = (hi - lo) / max(1, n - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    first = math.floor(lo / step + 1e-9) * step
    return [round(first + i * step, 10) for i in range(int(math.ceil((hi - first) / step - 1e-9)) + 1)]


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:g}"


class _Frame:
    """Maps data to the plot area and draws its grid, axes and labels."""

    def __init__(self, x_ticks: list[float], y_ticks: list[float]) -> None:
        self.x0, self.x1, self.y0, self.y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]
        self.x_ticks, self.y_ticks = x_ticks, y_ticks

    def px(self, x: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return _LEFT + (x - self.x0) / span * (_W - _LEFT - _RIGHT)

    def py(self, y: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return _H - _BOTTOM - (y - self.y0) / span * (_H - _TOP - _BOTTOM)

    def axes(self, title: str, x_label: str, y_label: str) -> list[str]:
        out = [f'<text x="{_LEFT}" y="20" font-size="15" font-weight="600">{html.escape(title)}</text>']
        for y in self.y_ticks:
            py = self.py(y)
            colour = "#888" if abs(y) < 1e-12 else "#e4e4e4"
            out.append(f'<line x1="{_LEFT}" y1="{py:.1f}" x2="{_W - _RIGHT}" y2="{py:.1f}" stroke="{colour}"/>')
            out.append(f'<text x="{_LEFT - 6}" y="{py + 4:.1f}" font-size="11" text-anchor="end">{_fmt(y)}</text>')
        for x in self.x_ticks:
            px = self.px(x)
            out.append(f'<line x1="{px:.1f}" y1="{_H - _BOTTOM}" x2="{px:.1f}" y2="{_H - _BOTTOM + 4}" stroke="#888"/>')
            out.append(f'<text x="{px:.1f}" y="{_H - _BOTTOM + 17}" font-size="11" text-anchor="middle">'
                       f'{_fmt(x)}</text>')
        out.append(f'<line x1="{_LEFT}" y1="{_H - _BOTTOM}" x2="{_W - _RIGHT}" y2="{_H - _BOTTOM}" stroke="#888"/>')
        out.append(f'<text x="{(_LEFT + _W - _RIGHT) / 2:.0f}" y="{_H - 8}" font-size="12" text-anchor="middle" '
                   f'fill="#555">{html.escape(x_label)}</text>')
        out.append(f'<text transform="translate(16 {(_TOP + _H - _BOTTOM) / 2:.0f}) rotate(-90)" font-size="12" '
                   f'text-anchor="middle" fill="#555">{html.escape(y_label)}</text>')
        return out


def _legend(entries: Sequence[tuple[str, str, bool]], more: str | None) -> list[str]:
    """(label, colour, dashed) rows in the right margin; ``more`` says how many are not listed."""
    out, x = [], _W - _RIGHT + 14
    for i, (label, colour, dashed) in enumerate(entries):
        y = _TOP + 8 + 18 * i
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<line x1="{x}" y1="{y}" x2="{x + 22}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{x + 28}" y="{y + 4}" font-size="12">{html.escape(label[:16])}</text>')
    if more:
        out.append(f'<text x="{x}" y="{_TOP + 12 + 18 * len(entries)}" font-size="11" fill="#777">'
                   f'{html.escape(more)}</text>')
    return out


def _svg(parts: list[str], description: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="100%" role="img" {_FONT}>'
            f"<title>{html.escape(description)}</title>{''.join(parts)}</svg>")


def _colour(i: int) -> str:
    return PALETTE[i] if i < len(PALETTE) else OTHERS_COLOUR


def equity_svg(learners: Sequence[Series], benchmark: Sequence[float], samples_per_day: int, *, title: str,
               x_label: str, y_label: str, benchmark_label: str, more_label: str = "") -> str:
    """Each learner's return (percent of their first sample) over trading days, and the benchmark's, dashed.

    Args:
        learners: in rank order; the first ten get colours and a legend row, the rest are grey.
        benchmark: the buy-and-hold equity, one value per sample; a learner with fewer samples (joined
            late) is drawn against the benchmark's last samples.
        samples_per_day: samples per trading day (the x axis is in trading days).
        more_label: legend text for the unlisted learners, with ``{n}`` for how many.
    """
    n = max([len(benchmark)] + [len(s.values) for s in learners])

    def returns(values: Sequence[float]) -> list[float]:
        base = values[0] if values and values[0] > 0 else 1.0
        return [100.0 * (v / base - 1.0) for v in values]

    curves = [(returns(s.values), n - len(s.values)) for s in learners]
    bench = (returns(benchmark), n - len(benchmark))
    ys = [y for curve, _ in [*curves, bench] for y in curve] or [0.0]
    days = max(1.0, (n - 1) / samples_per_day)
    frame = _Frame(nice_ticks(0.0, days), nice_ticks(min(0.0, *ys), max(0.0, *ys)))
    out = frame.axes(title, x_label, y_label)

    def path(curve: list[float], offset: int, colour: str, width: float, dashed: bool = False) -> str:
        if len(curve) < 2:
            return ""
        points = " ".join(f"{frame.px((offset + i) / samples_per_day):.1f},{frame.py(y):.1f}"
                          for i, y in enumerate(curve))
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        return (f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}"'
                f' stroke-linejoin="round"{dash}/>')

    out += [path(c, off, OTHERS_COLOUR, 1.2) for i, (c, off) in enumerate(curves) if i >= len(PALETTE)]
    out += [path(c, off, _colour(i), 2.0) for i, (c, off) in enumerate(curves) if i < len(PALETTE)][::-1]
    out.append(path(*bench, BENCHMARK_COLOUR, 2.2, dashed=True))
    listed = [(s.label, _colour(i), False) for i, s in enumerate(learners[:len(PALETTE)])]
    hidden = len(learners) - len(listed)
    out += _legend([(benchmark_label, BENCHMARK_COLOUR, True), *listed],
                   more_label.replace("{n}", str(hidden)) if hidden else None)
    return _svg(out, title)


def risk_return_svg(points: Sequence[tuple[str, float, float]], benchmark: tuple[float, float], *, title: str,
                    x_label: str, y_label: str, benchmark_label: str) -> str:
    """One dot per learner at (max drawdown %, return %), labelled, and the benchmark as a black square.

    Up and to the left is better: more return for less of a fall along the way.
    """
    xs = [p[1] for p in points] + [benchmark[0]]
    ys = [p[2] for p in points] + [benchmark[1]]
    frame = _Frame(nice_ticks(0.0, max(1.0, *xs)), nice_ticks(min(0.0, *ys), max(0.0, *ys)))
    out = frame.axes(title, x_label, y_label)
    dots, labels, placed = [], [], []  # placed: label anchors so far; a label near one moves down a line
    for i, (label, x, y) in enumerate(points):
        px, py = frame.px(x), frame.py(y)
        dots.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{_colour(i)}" stroke="#fff"/>')
        if i < len(PALETTE):
            ly = py - 6
            while any(abs(lx - (px + 8)) < 90 and abs(ly - other) < 13 for lx, other in placed):
                ly += 13
            placed.append((px + 8, ly))
            labels.append(f'<text x="{px + 8:.1f}" y="{ly:.1f}" font-size="11">{html.escape(label[:16])}</text>')
    out += dots[::-1] + labels  # the leader's dot drawn last, on top; labels over every dot
    bx, by = frame.px(benchmark[0]), frame.py(benchmark[1])
    out.append(f'<rect x="{bx - 5:.1f}" y="{by - 5:.1f}" width="10" height="10" fill="{BENCHMARK_COLOUR}"/>')
    out.append(f'<text x="{bx + 8:.1f}" y="{by + 14:.1f}" font-size="11" font-style="italic">'
               f'{html.escape(benchmark_label)}</text>')
    return _svg(out, title)
