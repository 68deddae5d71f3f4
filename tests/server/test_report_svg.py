"""The report's SVG pictures: round axis ticks, curves where the data says, untrusted names escaped."""

import re
import xml.etree.ElementTree as ET

import pytest

from vbranch.server.report_svg import OTHERS_COLOUR, PALETTE, Series, equity_svg, nice_ticks, risk_return_svg

LABELS = {"title": "T", "x_label": "days", "y_label": "return %", "benchmark_label": "bench"}
NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("lo", "hi", "ticks"), [
    (0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]),
    (-5.52, 0.47, [-6.0, -4.0, -2.0, 0.0, 2.0]),
    (0.0, 7.0, [0.0, 2.0, 4.0, 6.0, 8.0]),
    (0.0, 0.0, [-1.0, -0.5, 0.0, 0.5, 1.0]),  # a flat line still gets an axis
    (0.0, 30.0, [0.0, 10.0, 20.0, 30.0]),
])
def test_ticks_are_round_and_cover_the_data(lo, hi, ticks):
    assert nice_ticks(lo, hi) == ticks


def _points(polyline) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in polyline.get("points").split()]


def test_curves_are_returns_and_a_late_joiner_ends_with_the_others():
    bench = [100.0, 90.0, 95.0, 99.0, 110.0]  # 5 samples, 2 per day -> 2 trading days
    svg = equity_svg([Series("early", (100.0, 100.0, 120.0, 120.0, 120.0)), Series("late", (50.0, 55.0))], bench, 2,
                     **LABELS)
    root = ET.fromstring(svg)
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 3
    late, early, benchmark = lines  # drawn last = on top: the leader over the rest, the benchmark over all
    assert early.get("stroke") == PALETTE[0] and late.get("stroke") == PALETTE[1]
    assert benchmark.get("stroke-dasharray") == "6 4"
    early_pts, late_pts, bench_pts = _points(early), _points(late), _points(benchmark)
    assert len(early_pts) == 5 and len(late_pts) == 2
    assert late_pts[-1][0] == early_pts[-1][0] == bench_pts[-1][0]  # everyone's last sample is the same moment
    assert late_pts[0][0] == early_pts[3][0]
    # +20 % for early and +10 % for late and the benchmark: early's end sits higher (smaller y) than theirs
    assert early_pts[-1][1] < late_pts[-1][1] == pytest.approx(bench_pts[-1][1])
    assert [t.text for t in root.iter(f"{NS}text")][-3:] == ["bench", "early", "late"]  # the legend


def test_past_ten_learners_are_grey_and_counted():
    learners = [Series(f"n{i}", (100.0, 100.0 + i)) for i in range(13)]
    svg = equity_svg(learners, [100.0, 101.0], 10, **LABELS, more_label="+3 more")
    strokes = re.findall(r'<polyline [^>]*stroke="(#[0-9a-f]+)"', svg)
    assert strokes.count(OTHERS_COLOUR) == 3 and len(set(strokes) & set(PALETTE)) == 10
    assert "+3 more" in svg and ">n9<" in svg and ">n10<" not in svg


def test_names_cannot_break_out_of_the_picture():
    svg = risk_return_svg([("<script>x</script>", 2.0, -1.0)], (5.0, -3.0), **LABELS)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed XML
    (dot,) = root.findall(f"{NS}circle")
    (bench,) = root.findall(f"{NS}rect")
    assert float(dot.get("cx")) < float(bench.get("x"))  # less drawdown: further left
    assert float(dot.get("cy")) < float(bench.get("y"))  # more return: higher up
