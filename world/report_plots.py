"""The report cards' charts as PNG bytes: equity, allocation, lesson progress, and the class views.

Charts are returned as bytes (not files) because the report embeds them in one self-contained HTML
page a teacher can e-mail; the CLI can also write them next to it for checking. Labels come from the
catalogue, with the CJK font set the same way as ``world.chart`` so Chinese renders.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from vbranch.scenes.analytics.ab_analysis import CONTROL, TREATMENT, ABResult  # noqa: E402
from vbranch.scenes.analytics.metrics import LearnerMetrics, LessonProgress, SessionTrace  # noqa: E402
from vbranch.scenes.catalogue import text  # noqa: E402
from vbranch.world.chart import cjk_font_path  # noqa: E402

__all__ = ["equity_png", "allocation_png", "progress_png", "class_progress_png", "ab_png", "class_volatility_png"]

log = logging.getLogger(__name__)
_BEFORE, _AFTER, _LESSON = "#c62828", "#1565c0", "#9e9e9e"


def _font() -> None:
    path = cjk_font_path()
    if path is None:
        log.warning("no CJK font found (install fonts-noto-cjk); Chinese labels will not render")
        return
    font_manager.fontManager.addfont(str(path))
    plt.rcParams["font.family"] = [font_manager.FontProperties(fname=str(path)).get_name(), "DejaVu Sans"]


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def _empty(ax: plt.Axes, lang: str) -> None:
    ax.text(0.5, 0.5, text("report.no_data", lang), ha="center", va="center", transform=ax.transAxes, color="#777")


def equity_png(traces: Sequence[SessionTrace], pivot_ts_s: float | None, lesson_titles: dict[str, str],
               lang: str) -> bytes:
    """Each session's equity rebased to 100: free play before the risk lesson red, after blue, lessons grey."""
    _font()
    fig, ax = plt.subplots(figsize=(8, 4))
    free_n = 0
    for trace in traces:
        if len(trace.equity) < 2:
            continue
        curve = 100 * np.asarray(trace.equity) / trace.equity[0]
        if trace.lesson_id is None:
            free_n += 1
            after = pivot_ts_s is not None and trace.start_ts_s >= pivot_ts_s
            when = text("report.after" if after else "report.before", lang)
            ax.plot(curve, color=_AFTER if after else _BEFORE, linewidth=2,
                    label=f"{text('report.free_play', lang, n=free_n)} ({when})")
        else:
            ax.plot(curve, color=_LESSON, linewidth=1, linestyle="--",
                    label=text("report.lesson_session", lang,
                               lesson=lesson_titles.get(trace.lesson_id, trace.lesson_id)))
    if not ax.lines:
        _empty(ax, lang)
    else:
        ax.axhline(100, color="#555", linewidth=0.6)
        ax.legend(fontsize=8, loc="lower left")
    ax.set_title(text("report.plot_equity", lang))
    ax.set_xlabel(text("report.trading_day", lang))
    ax.grid(alpha=0.25)
    return _png(fig)


def allocation_png(trace: SessionTrace | None, lang: str) -> bytes:
    """Stacked weights per day (cash on top) for one session."""
    _font()
    fig, ax = plt.subplots(figsize=(8, 3.4))
    if trace is None or not trace.weights:
        _empty(ax, lang)
    else:
        symbols = sorted({k for w in trace.weights for k in w if k != "cash"})
        rows = [[100 * w.get(s, 0.0) for w in trace.weights] for s in symbols]
        rows.append([100 * w.get("cash", max(0.0, 1 - sum(v for k, v in w.items() if k != "cash")))
                     for w in trace.weights])
        colors = [plt.cm.tab10(i % 10) for i in range(len(symbols))] + ["#e0e0e0"]
        ax.stackplot(range(len(trace.weights)), rows, labels=symbols + [text("report.cash", lang)], colors=colors)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(text("report.plot_allocation", lang))
    ax.set_xlabel(text("report.trading_day", lang))
    return _png(fig)


def progress_png(lessons: Sequence[LessonProgress], lesson_titles: dict[str, str], lang: str) -> bytes:
    """Task score and quiz percentage side by side for each assigned lesson (passed lessons marked ✓)."""
    _font()
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.55 * max(1, len(lessons))))
    y = np.arange(len(lessons))
    ax.barh(y - 0.2, [p.task_score or 0 for p in lessons], height=0.38, color="#2e7d32",
            label=text("report.task_score", lang))
    ax.barh(y + 0.2, [p.quiz_pct or 0 for p in lessons], height=0.38, color="#f9a825", label=text("report.quiz", lang))
    ax.set_yticks(y, [("✓ " if p.passed else "") + lesson_titles.get(p.lesson_id, p.lesson_id) for p in lessons],
                  fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(text("report.plot_progress", lang))
    return _png(fig)


def class_progress_png(rows: Sequence[LearnerMetrics], lang: str) -> bytes:
    _font()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [100 * r.completion_rate for r in rows], width=0.38, color="#2e7d32",
           label=text("report.completion", lang))
    ax.bar(x + 0.2, [r.quiz_avg_pct or 0 for r in rows], width=0.38, color="#f9a825",
           label=text("report.quiz_avg", lang))
    ax.set_xticks(x, [r.learner_id for r in rows], rotation=30, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(text("report.plot_class_progress", lang))
    return _png(fig)


def ab_png(result: ABResult, lang: str) -> bytes:
    """Protective-action rate per style with Wilson CIs as error bars."""
    _font()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    p = result.protective
    rates = [100 * p.rate_a if p.n_a else 0, 100 * p.rate_b if p.n_b else 0]
    lo = [rates[0] - 100 * p.ci_a[0], rates[1] - 100 * p.ci_b[0]]
    hi = [100 * p.ci_a[1] - rates[0], 100 * p.ci_b[1] - rates[1]]
    ax.bar([0, 1], rates, yerr=[lo, hi], capsize=8, color=["#90a4ae", "#7e57c2"], width=0.5)
    ax.set_xticks([0, 1], [f"{text(f'report.variant_{v}', lang)}\n(n={n})" for v, n in ((CONTROL, p.n_a),
                                                                                          (TREATMENT, p.n_b))])
    ax.set_ylabel("%")
    ax.set_ylim(0, max(100 * max(p.ci_a[1], p.ci_b[1]) * 1.15, 10))
    ax.set_title(text("report.plot_ab", lang), fontsize=10)
    return _png(fig)


def class_volatility_png(rows: Sequence[LearnerMetrics], lang: str) -> bytes:
    """One line per learner from free-play volatility before to after the risk lessons."""
    _font()
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for r in rows:
        b = r.behaviour
        if b.volatility_before_pct is not None and b.volatility_after_pct is not None:
            down = b.volatility_after_pct <= b.volatility_before_pct
            ax.plot([0, 1], [b.volatility_before_pct, b.volatility_after_pct], marker="o",
                    color=_AFTER if down else _BEFORE, alpha=0.7)
    if not ax.lines:
        _empty(ax, lang)
    ax.set_xticks([0, 1], [text("report.before", lang), text("report.after", lang)])
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylabel("%")
    ax.set_title(text("report.plot_class_volatility", lang), fontsize=10)
    ax.grid(alpha=0.25)
    return _png(fig)
