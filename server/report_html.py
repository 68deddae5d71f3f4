"""The contest's final report as one self-contained HTML page (zh/en): settings, board, benchmark, pictures.

Why one file with no external assets: the teacher downloads it from the dashboard (or writes it with
``vbranch report --class``) and opens it offline, prints it for a parents' evening or mails it on.
The board's numbers are the leaderboard's own (``report.contest_result``); the page adds the formula
in one line so nobody has to trust a black box, and two pictures: everyone's equity against doing
nothing (the benchmark), and return against the worst fall along the way. Learner nicknames are
untrusted text: every string goes through ``html.escape``.
"""

from __future__ import annotations

import html

from vbranch.market_sim.metrics import max_drawdown_pct
from vbranch.scenes.catalogue import text
from vbranch.scenes.scenario import ScenarioError, load_scenario
from vbranch.server.leaderboard import DISCIPLINE_WEIGHT, RISK_WEIGHT
from vbranch.server.report import ContestResult
from vbranch.server.report_svg import PALETTE, Series, equity_svg, risk_return_svg

__all__ = ["REPORT_CSS", "page", "contest_sections", "contest_report_html", "report_filename"]

REPORT_CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;max-width:1000px;
margin:2em auto;padding:0 1em;color:#1d2733}h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0 1em;font-variant-numeric:tabular-nums}
td,th{border:1px solid #d5dbe1;padding:4px 10px;text-align:right}th{background:#f1f4f7}
th:first-child,td:first-child,.name{text-align:left}table.settings td{text-align:left}
img,svg{max-width:100%;display:block;margin:.8em 0}.note{color:#5b6b7c;font-size:.9em}
.formula{background:#f6f8fa;border-left:4px solid #1f6feb;padding:.5em .8em}
.up{color:#c62828}.down{color:#2e7d32}tr.unqualified td{color:#8795a1}.bench{font-weight:600}
@media print{body{margin:0}}"""


def page(title: str, body: str, lang: str) -> str:
    """A complete HTML document around ``body`` (already escaped HTML)."""
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{REPORT_CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>")


def report_filename(result: ContestResult, extension: str) -> str:
    """``contest-<join code>.<extension>``: what the teacher's download is called."""
    return f"contest-{result.join_code}.{extension}"


def _t(key: str, lang: str, **params: object) -> str:
    return html.escape(text(key, lang, **params))


def _mmss(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _signed(value: float, digits: int = 2) -> str:
    cls = "up" if value > 0 else "down" if value < 0 else ""
    return f'<td class="{cls}">{value:+.{digits}f}</td>' if cls else f"<td>{value:.{digits}f}</td>"


def _instrument_names(result: ContestResult, lang: str) -> str:
    return "、".join(zh for _, zh, _ in result.instruments) if lang == "zh" else \
        ", ".join(en for _, _, en in result.instruments)


def _settings(result: ContestResult, lang: str) -> str:
    s = result.settings
    try:
        scenario = load_scenario(s.scenario).title[lang]
    except (ScenarioError, OSError):  # a scenario file removed since the contest ran: its id still says which
        scenario = s.scenario
    instruments = _instrument_names(result, lang) if s.instruments else \
        text("contest_report.all_instruments", lang, n=len(result.instruments))
    kinds = ("、" if lang == "zh" else ", ").join(text(f"contest_report.kind.{k}", lang) for k in s.order_kinds)
    rows = [("scenario", scenario), ("starting_cash", f"{s.starting_cash:,.0f}"), ("duration", _mmss(s.duration_s)),
            ("instruments", instruments), ("order_kinds", kinds), ("max_position_pct", f"{s.max_position_pct:g}%"),
            ("min_trades", str(s.min_trades)), ("seed", str(s.seed))]
    body = "".join(f"<tr><th>{_t(f'contest_report.setting.{k}', lang)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    return f'<table class="settings">{body}</table>'


def _board(result: ContestResult, lang: str) -> str:
    cols = ("rank", "name", "score", "return_pct", "sortino", "max_drawdown_pct", "discipline", "trades",
            "panic_sells", "qualified")
    head = "".join(f"<th{' class=name' if c == 'name' else ''}>{_t(f'dashboard.col.{c}', lang)}</th>" for c in cols)
    rows = []
    for s in result.board:
        qualified = _t("contest_report.qualified_yes" if s.qualified else "contest_report.qualified_no", lang,
                       min_trades=result.settings.min_trades)
        rows.append(f'<tr{"" if s.qualified else " class=unqualified"}><td>{s.rank}</td>'
                    f'<td class="name">{html.escape(s.name)}</td><td>{s.score:.2f}</td>{_signed(s.return_pct)}'
                    f"<td>{s.sortino:.2f}</td><td>{s.max_drawdown_pct:.2f}</td><td>{s.discipline:.0f}</td>"
                    f"<td>{s.trades}</td><td>{s.panic_sells}</td><td>{qualified}</td></tr>")
    bench = result.benchmark_return_pct
    rows.append(f'<tr class="bench"><td></td><td class="name">{_t("contest_report.benchmark_short", lang)}</td>'
                f"<td></td>{_signed(bench)}<td></td>"
                f"<td>{max_drawdown_pct(result.benchmark_equity):.2f}</td><td></td><td></td><td></td><td></td></tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _formula(result: ContestResult, lang: str) -> str:
    line = _t("contest_report.formula", lang, risk=RISK_WEIGHT, discipline=DISCIPLINE_WEIGHT)
    if result.settings.min_trades:
        line += " " + _t("contest_report.min_trades_rule", lang, min_trades=result.settings.min_trades)
    return f'<p class="formula">{line}</p>'


def _pictures(result: ContestResult, lang: str) -> str:
    learners = result.learners
    hidden = max(0, len(learners) - len(PALETTE))
    equity = equity_svg([Series(x.standing.name, x.equity) for x in learners], result.benchmark_equity,
                        result.samples_per_day, title=text("contest_report.chart_equity", lang),
                        x_label=text("contest_report.axis_days", lang),
                        y_label=text("contest_report.axis_return", lang),
                        benchmark_label=text("contest_report.benchmark_chart", lang),
                        more_label=text("contest_report.more_learners", lang, n=hidden) if hidden else "")
    risk = risk_return_svg([(x.standing.name, x.standing.max_drawdown_pct, x.standing.return_pct) for x in learners],
                           (max_drawdown_pct(result.benchmark_equity), result.benchmark_return_pct),
                           title=text("contest_report.chart_risk", lang),
                           x_label=text("contest_report.axis_drawdown", lang),
                           y_label=text("contest_report.axis_return", lang),
                           benchmark_label=text("contest_report.benchmark_chart", lang))
    return equity + risk


def contest_sections(result: ContestResult, lang: str = "en") -> str:
    """The report's body (no ``<html>``), so the class report can put the learning sections after it."""
    state = text(f"dashboard.state.{result.state}", lang)
    subtitle = _t("contest_report.subtitle", lang, room=result.room_id, code=result.join_code, state=state,
                  elapsed=_mmss(min(result.elapsed_s, result.settings.duration_s)),
                  duration=_mmss(result.settings.duration_s))
    board = result.board
    title = "dashboard.final" if result.state == "ended" else "contest_report.standings_so_far"
    parts = [f'<p class="note">{subtitle}</p>', f'<p class="note">{_t("contest_report.prices_note", lang)}</p>',
             f"<h2>{_t('contest_report.settings', lang)}</h2>{_settings(result, lang)}",
             f"<h2>{_t(title, lang)}</h2>", _formula(result, lang)]
    if not board:
        parts.append(f"<p>{_t('contest_report.no_learners', lang)}</p>")
        return "".join(parts)
    bench = _t("contest_report.benchmark", lang, instruments=_instrument_names(result, lang),
               pct=f"{result.benchmark_return_pct:+.2f}")
    beat = _t("contest_report.beat_benchmark", lang, n=sum(s.return_pct > result.benchmark_return_pct for s in board),
              total=len(board))
    parts += [_board(result, lang), f"<p>{bench} {beat}</p>", _pictures(result, lang)]
    return "".join(parts)


def contest_report_html(result: ContestResult, lang: str = "en", extra_sections: str = "") -> str:
    """The whole page; ``extra_sections`` (already escaped HTML) goes after the contest's own sections."""
    title = text("contest_report.title", lang, code=result.join_code)
    return page(title, contest_sections(result, lang) + extra_sections, lang)
