"""The contest report page: the board with the leaderboard's numbers, the formula, the benchmark, two pictures."""

import re

import pytest
from report_class import board_table, run_a_class, tables

from vbranch.market_sim.metrics import max_drawdown_pct
from vbranch.server.report import contest_result
from vbranch.server.report_html import contest_report_html, report_filename


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    c = run_a_class(tmp_path_factory.mktemp("class") / "journal.sqlite3")
    yield contest_result(c.room)
    c.close()


def test_board_rows_are_the_leaderboards_in_rank_order(result):
    rows = board_table(contest_report_html(result, "en"))
    assert rows[0] == ["Rank", "Name", "Score", "Return %", "Sortino", "Max drawdown %", "Discipline", "Trades",
                       "Panic sells", "Qualified"]
    learners, bench = rows[1:-1], rows[-1]
    assert len(learners) == 4
    for cells, s in zip(learners, result.board, strict=True):
        assert cells[:2] == [str(s.rank), s.name]
        assert float(cells[2]) == pytest.approx(s.score, abs=0.005)
        assert float(cells[3]) == pytest.approx(s.return_pct, abs=0.005)
        assert float(cells[4]) == pytest.approx(s.sortino, abs=0.005)
        assert float(cells[5]) == pytest.approx(s.max_drawdown_pct, abs=0.005)
        assert cells[6:9] == [f"{s.discipline:.0f}", str(s.trades), str(s.panic_sells)]
    assert [c[9] for c in learners] == ["yes", "yes", "yes", "no (under 1)"]
    assert bench[1] == "Benchmark: buy and hold"
    assert float(bench[3]) == pytest.approx(result.benchmark_return_pct, abs=0.005)
    assert float(bench[5]) == pytest.approx(max_drawdown_pct(result.benchmark_equity), abs=0.005)


def test_page_explains_the_formula_and_compares_with_the_benchmark(result):
    page = contest_report_html(result, "en")
    assert "score = 100 × (0.6 × R + 0.4 × D/100)" in page and "Sortino" in page
    assert "fewer trades than the minimum (1) rank after everyone who qualified" in page
    beat = sum(s.return_pct > result.benchmark_return_pct for s in result.board)
    assert f"{result.benchmark_return_pct:+.2f}%" in page and f"{beat} of 4 learners beat it." in page
    assert "CSI 300 ETF" in page and "Final standings" in page


def test_settings_are_listed_in_the_readers_language(result):
    settings = tables(contest_report_html(result, "zh"))[0]
    assert ["场景", "股灾：单日暴跌20%"] in settings and ["初始资金", "100,000"] in settings
    assert ["时长", "10:00"] in settings and ["最少成交笔数", "1"] in settings
    assert ["可交易品种", "全部 7 个"] in settings


def test_chinese_page_is_chinese(result):
    page = contest_report_html(result, "zh")
    assert page.startswith('<!DOCTYPE html><html lang="zh-CN">')
    assert f"比赛报告：{result.join_code}" in page and "最终排名" in page
    assert "得分 = 100 × (0.6 × R + 0.4 × D / 100)" in page
    assert board_table(page)[0][:2] == ["名次", "昵称"]


def test_names_are_escaped_everywhere(result):
    page = contest_report_html(result, "en")
    assert "<b>Dee</b>" not in page
    assert page.count("&lt;b&gt;Dee&lt;/b&gt;") == 3  # the board, the equity legend, the scatter label


def test_page_is_self_contained_with_two_pictures(result):
    page = contest_report_html(result, "en")
    assert not re.search(r"<script|<link|src=\"http|url\(", page)
    svgs = re.findall(r"<svg .*?</svg>", page)
    assert len(svgs) == 2
    equity, scatter = svgs
    assert equity.count("<polyline") == 4 + 1  # every learner and the benchmark
    assert scatter.count("<circle") == 4 and scatter.count("<rect") == 1


def test_a_contest_without_learners_says_so(tmp_path):
    from report_class import JournaledClass

    c = JournaledClass(tmp_path / "j.sqlite3", scenario="bull")
    page = contest_report_html(contest_result(c.room), "en")
    assert "No learner joined this contest." in page and "<svg" not in page
    assert "Standings so far (the contest has not ended)" in page and "Waiting to start" in page
    c.close()


def test_download_names_carry_the_join_code(result):
    assert report_filename(result, "csv") == f"contest-{result.join_code}.csv"
