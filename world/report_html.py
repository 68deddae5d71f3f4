"""Report cards as one self-contained HTML file: tables from ``scenes.analytics``, charts as base64 PNGs.

One file with no external assets, so a teacher can open it offline, print it or send it on. The
functions return the HTML and the PNGs (by name) so the CLI can also write the images for checking.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from vbranch.scenes.analytics.ab_analysis import CONTROL, TREATMENT, compare_styles
from vbranch.scenes.analytics.metrics import LearnerMetrics, class_change, learner_metrics, sessions
from vbranch.scenes.analytics.statement import Statement
from vbranch.scenes.catalogue import text
from vbranch.scenes.lessons import list_lessons
from vbranch.world import report_plots

__all__ = ["Report", "learner_report", "class_report", "class_sections", "lesson_titles"]

N_BOOT = 2000
_CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;max-width:980px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.4em}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}img{max-width:100%;display:block;margin:.8em 0}
.note{color:#666;font-size:.9em}"""


@dataclass(frozen=True)
class Report:
    html: str
    pngs: dict[str, bytes]


def lesson_titles(lang: str) -> dict[str, str]:
    return {lesson.id: lesson.title[lang] for lesson in list_lessons()}


def _pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _p(value: float) -> str:
    return "&lt;0.001" if value < 0.001 else f"{value:.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _img(name: str, png: bytes) -> str:
    return f'<img alt="{name}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _page(title: str, body: str, lang: str, demo: bool) -> str:
    note = f'<p class="note">{html.escape(text("report.demo_note", lang))}</p>' if demo else ""
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{note}{body}</body></html>")


def _variant(value: str | None, lang: str) -> str:
    return text(f"report.variant_{value}", lang) if value in (CONTROL, TREATMENT) else "—"


def _behaviour_table(m: LearnerMetrics, lang: str) -> str:
    b = m.behaviour
    if b.pivot_ts_s is None:
        return f'<p class="note">{html.escape(text("report.no_pivot", lang))}</p>'
    rows = [
        [text("report.volatility", lang), _num(b.volatility_before_pct) + "%", _num(b.volatility_after_pct) + "%",
         _num(b.change("volatility_pct"))],
        [text("report.panic_rate", lang), _pct(b.panic_rate_before), _pct(b.panic_rate_after),
         _pct(b.change("panic_rate"))],
        [text("report.protected_rate", lang), _pct(b.protected_rate_before), _pct(b.protected_rate_after),
         _pct(b.change("protected_rate"))],
    ]
    return _table([text(k, lang) for k in ("report.measure", "report.before", "report.after", "report.change")], rows)


def learner_report(statements: Sequence[Statement], learner_id: str, lesson_ids: Sequence[str], lang: str = "en",
                   *, demo: bool = False) -> Report:
    """The learner's report card: summary, behaviour before/after, lessons, and three charts."""
    titles = lesson_titles(lang)
    m = learner_metrics(learner_id, statements, lesson_ids)
    mine = [s for s in statements if s.learner_id == learner_id]
    traces = sessions(mine)
    free = [t for t in traces if t.lesson_id is None]
    pngs = {"equity": report_plots.equity_png(traces, m.behaviour.pivot_ts_s, titles, lang),
            "allocation": report_plots.allocation_png(free[-1] if free else None, lang),
            "progress": report_plots.progress_png(m.lessons, titles, lang)}
    summary = _table([text(k, lang) for k in ("report.completion", "report.quiz_avg", "report.time_on_task",
                                              "report.panic_rate", "report.variant")],
                     [[_pct(m.completion_rate), _pct(None if m.quiz_avg_pct is None else m.quiz_avg_pct / 100),
                       _num(m.time_on_task_s / 60), f"{_pct(m.panic_rate)} ({m.panic_sells}/{m.sells})",
                       html.escape(_variant(m.variant, lang))]])
    status = {True: "report.status_passed"}
    lessons = _table([text(k, lang) for k in ("report.lesson", "report.status", "report.task_score", "report.quiz",
                                              "report.time_on_task")],
                     [[html.escape(titles.get(p.lesson_id, p.lesson_id)),
                       text(status.get(p.passed, "report.status_started" if p.started else "report.status_not_started"),
                            lang),
                       _num(p.task_score, 0), "—" if p.quiz_total is None else f"{p.quiz_correct}/{p.quiz_total}",
                       _num(None if p.time_on_task_s is None else p.time_on_task_s / 60)] for p in m.lessons])
    body = (f"<h2>{text('report.summary', lang)}</h2>{summary}{_img('equity', pngs['equity'])}"
            f"<h2>{html.escape(text('report.behaviour', lang))}</h2>{_behaviour_table(m, lang)}"
            f"{_img('allocation', pngs['allocation'])}<h2>{text('report.lessons', lang)}</h2>{lessons}"
            f"{_img('progress', pngs['progress'])}")
    return Report(_page(text("report.title_learner", lang, learner=learner_id), body, lang, demo), pngs)


def class_report(statements: Sequence[Statement], contest: str, lesson_ids: Sequence[str], lang: str = "en", *,
                 demo: bool = False, seed: int = 0) -> Report:
    """The teacher's view of one contest/class: per-learner table, class behaviour change, the A/B test."""
    sections = class_sections(statements, lesson_ids, lang, seed=seed)
    return Report(_page(text("report.title_class", lang, contest=contest), sections.html, lang, demo), sections.pngs)


def class_sections(statements: Sequence[Statement], lesson_ids: Sequence[str], lang: str = "en", *,
                   seed: int = 0) -> Report:
    """``class_report``'s sections without the page around them (``html`` is a fragment), so a contest
    report from the server's journal (``vbranch report --class … --journal``) can carry them too."""
    learners = sorted({s.learner_id for s in statements})
    rows = [learner_metrics(lid, statements, lesson_ids) for lid in learners]
    ab = compare_styles(statements, n_boot=N_BOOT, seed=seed)
    pngs = {"class_progress": report_plots.class_progress_png(rows, lang), "ab": report_plots.ab_png(ab, lang),
            "class_volatility": report_plots.class_volatility_png(rows, lang)}
    per_learner = _table(
        [text(k, lang) for k in ("report.learner", "report.variant", "report.completion", "report.quiz_avg",
                                 "report.time_on_task", "report.panic_rate", "report.volatility")],
        [[html.escape(r.learner_id), html.escape(_variant(r.variant, lang)), _pct(r.completion_rate),
          _pct(None if r.quiz_avg_pct is None else r.quiz_avg_pct / 100), _num(r.time_on_task_s / 60),
          f"{_pct(r.panic_rate)} ({r.panic_sells}/{r.sells})",
          f"{_num(r.behaviour.volatility_before_pct)} → {_num(r.behaviour.volatility_after_pct)}"] for r in rows])
    changes = [class_change([r.behaviour for r in rows], measure, seed=seed)
               for measure in ("volatility_pct", "panic_rate", "protected_rate")]
    labels = {"volatility_pct": "report.volatility", "panic_rate": "report.panic_rate",
              "protected_rate": "report.protected_rate"}
    fmt = {"volatility_pct": lambda v: _num(v), "panic_rate": _pct, "protected_rate": _pct}
    behaviour = _table([text(k, lang) for k in ("report.measure", "report.n_learners", "report.change", "report.ci")],
                       [[text(labels[c.measure], lang), str(c.n_learners), fmt[c.measure](c.mean_change),
                         f"[{fmt[c.measure](c.ci[0])}, {fmt[c.measure](c.ci[1])}]"] for c in changes])
    p = ab.protective
    ab_rates = _table(
        [text(k, lang) for k in ("report.variant", "report.learners", "report.exposures", "report.events",
                                 "report.rate", "report.ci")],
        [[_variant(CONTROL, lang), str(ab.learners_a), str(p.n_a), str(p.x_a), _pct(p.rate_a if p.n_a else None, 1),
          f"[{_pct(p.ci_a[0], 1)}, {_pct(p.ci_a[1], 1)}]"],
         [_variant(TREATMENT, lang), str(ab.learners_b), str(p.n_b), str(p.x_b), _pct(p.rate_b if p.n_b else None, 1),
          f"[{_pct(p.ci_b[0], 1)}, {_pct(p.ci_b[1], 1)}]"]])
    lat = ab.latency_s
    ab_diff = _table(
        [text(k, lang) for k in ("report.measure", "report.variant_standard", "report.variant_empathetic",
                                 "report.difference", "report.ci", "report.p_value")],
        [[html.escape(text("report.rate", lang)), _pct(p.rate_a if p.n_a else None, 1),
          _pct(p.rate_b if p.n_b else None, 1), _pct(p.diff, 1),
          f"[{_pct(p.diff_ci[0], 1)}, {_pct(p.diff_ci[1], 1)}]", f"{_p(p.p_value)} (z={p.z:.2f})"],
         [html.escape(text("report.ab_latency", lang)), _num(lat.mean_a, 2), _num(lat.mean_b, 2), _num(lat.diff, 2),
          f"[{_num(lat.diff_ci[0], 2)}, {_num(lat.diff_ci[1], 2)}]", f"{_p(lat.p_value)} (t={lat.t:.2f})"]])
    body = (f"<h2>{text('report.learners', lang)}</h2>{per_learner}{_img('class_progress', pngs['class_progress'])}"
            f"<h2>{html.escape(text('report.class_behaviour', lang))}</h2>{behaviour}"
            f"{_img('class_volatility', pngs['class_volatility'])}"
            f"<h2>{html.escape(text('report.ab', lang))}</h2><p>{html.escape(text('report.ab_protective', lang))}</p>"
            f"{ab_rates}{ab_diff}{_img('ab', pngs['ab'])}"
            f'<p class="note">{html.escape(text("report.ab_method", lang, n_boot=N_BOOT))}</p>')
    return Report(body, pngs)
