"""A classroom contest end to end, plus its pure parts: settings lock, leaderboard formula, CSV, codes."""

import csv
import io
import math

import pytest
from room_helpers import Classroom

from vbranch.server import auth
from vbranch.server.contest import ContestSettings, SettingsError
from vbranch.server.leaderboard import Standing, normalised_risk, rank, score, sortino
from vbranch.server.ratelimit import TokenBucket
from vbranch.server.report import REPORT_COLUMNS, report_csv


def _order(room, client_id, coid, symbol, **size):
    body = {"type": "order", "client_order_id": coid, "symbol": symbol, "side": size.pop("side", "buy"),
            "kind": "market", **size}
    return room.send(client_id, body)


def test_full_contest_lifecycle_ranks_by_formula_and_writes_csv():
    room = Classroom(scenario="bull", starting_cash=100000, min_trades=1, max_position_pct=60, duration_s=300)
    for cid, name in (("a", "Ann"), ("b", "Bo"), ("c", "Cy")):
        room.join(cid, name)
    room.teacher("start")
    room.teacher("set_speed", speed=4.0)
    room.tick(20)
    for k, sym in enumerate(("510300", "511010", "518880")):  # Ann: diversified, every buy protected
        _order(room, "a", f"a{k}", sym, cash=25000, stop_pct=8)
    _order(room, "b", "b1", "516160", pct=55)  # Bo: one high-beta bet, no stop
    room.tick(100)
    index_before = room.room.market.process.prices[0]
    info = room.teacher("inject_event", event="crash")
    assert info[-1].message.state == "running"
    room.tick(1)
    assert room.room.market.process.prices[0] < 0.85 * index_before  # the crash reached the market
    for attempt in range(40):  # Bo sells into the fall as soon as the locked limit-down lets him: a panic sell
        room.tick(20)
        reply = _order(room, "b", f"b-sell{attempt}", "516160", side="sell", pct=100)[0].message
        if reply.TYPE == "order_status":
            break
        assert reply.code in ("t_plus_one", "no_liquidity")  # bought today, or locked at limit-down
    room.tick(100)
    final = room.teacher("end")
    boards = [o.message for o in final if o.message.TYPE == "leaderboard"]
    assert boards and boards[0].final
    rows = boards[0].rows
    assert [r["name"] for r in rows][-1] == "Cy" and rows[-1]["qualified"] is False  # no trades: below everyone
    for r in rows:
        assert r["score"] == pytest.approx(score(r["sortino"], r["discipline"]), abs=0.02)
    qualified = [r for r in rows if r["qualified"]]
    assert [r["score"] for r in qualified] == sorted((r["score"] for r in qualified), reverse=True)
    ann = next(r for r in rows if r["name"] == "Ann")
    bo = next(r for r in rows if r["name"] == "Bo")
    assert ann["discipline"] > bo["discipline"] and bo["panic_sells"] >= 1
    assert ann["rank"] < bo["rank"]
    board, bench = room.room.standings()
    parsed = list(csv.DictReader(io.StringIO(report_csv(board, bench))))
    assert tuple(parsed[0]) == REPORT_COLUMNS
    assert [p["name"] for p in parsed] == [r["name"] for r in rows] + ["benchmark: buy and hold"]
    assert float(parsed[-1]["return_pct"]) == pytest.approx(bench)
    refused = _order(room, "a", "late", "510300", qty=100)
    assert refused[0].message.code == "contest_not_running"


def test_settings_can_change_before_start_and_are_locked_after(classroom):
    classroom.join("a", "Ann")
    classroom.teacher("configure", starting_cash=50000, instruments=["510300", "511010"])
    assert classroom.room.market.account("s1").cash == 50000
    classroom.teacher("start")
    out = classroom.teacher("configure", starting_cash=1e9)
    assert out[0].message.code == "settings_locked"
    assert classroom.room.contest.settings.starting_cash == 50000
    classroom.tick(3)
    out = _order(classroom, "a", "x", "600519", qty=100)
    assert out[0].message.code == "instrument_not_allowed"


def test_only_the_teacher_token_controls_the_contest(classroom):
    classroom.join("a", "Ann")
    out = classroom.send("a", {"type": "teacher", "cmd": "start"})
    assert out[0].message.code == "not_teacher"
    assert classroom.room.contest.state.name == "CREATED"


def test_bad_settings_are_refused_with_a_reason(classroom):
    out = classroom.teacher("end")
    assert out[-1].message.state == "ended"
    out = classroom.teacher("create_contest", scenario="no_such_scenario")
    assert out[0].message.code == "bad_settings"
    with pytest.raises(SettingsError):
        ContestSettings(max_position_pct=0)
    with pytest.raises(SettingsError):
        ContestSettings.from_args({"min_trades": 1.5})


def test_order_kinds_and_position_cap_are_enforced():
    room = Classroom(scenario="crash", order_kinds=["market"], max_position_pct=30)
    room.join("a", "Ann")
    room.teacher("start")
    room.tick(3)
    out = room.send("a", {"type": "order", "client_order_id": "l", "symbol": "510300", "side": "buy", "qty": 100,
                          "kind": "limit", "limit": 3.9})
    assert out[0].message.code == "kind_not_allowed"
    assert _order(room, "a", "big", "510300", pct=31)[0].message.code == "position_limit"
    assert _order(room, "a", "ok", "510300", pct=29)[0].message.status == "filled"


def test_sortino_and_score_formula():
    assert sortino([100, 100, 100]) == 0.0
    assert sortino([100, 101, 102]) == 4.0  # no down sample, positive mean
    r = [0.02, -0.01, 0.03, -0.02]
    equity = [100.0]
    for x in r:
        equity.append(equity[-1] * (1 + x))
    expected = (sum(r) / 4) / math.sqrt((0.01**2 + 0.02**2) / 4) * 2
    assert sortino(equity) == pytest.approx(expected)
    assert normalised_risk(0.0) == 0.5
    assert score(0.0, 50.0) == pytest.approx(100 * (0.6 * 0.5 + 0.4 * 0.5))
    lucky = Standing("lucky", score(0.5, 0.0), 30.0, 0.5, 25.0, 0.0, 3, 1, True)
    careful = Standing("careful", score(0.3, 90.0), 5.0, 0.3, 4.0, 90.0, 6, 0, True)
    idle = Standing("idle", 99.0, 0.0, 0.0, 0.0, 0.0, 0, 0, False)
    assert [s.name for s in rank([lucky, idle, careful])] == ["careful", "lucky", "idle"]


def test_join_codes_are_short_unguessable_and_typo_tolerant():
    codes = {auth.join_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 7 and set(c) <= set(auth.CODE_ALPHABET) for c in codes)
    assert auth.code_bits(auth.JOIN_CODE_CHARS) == 35.0
    assert auth.code_bits(auth.RESUME_CODE_CHARS) == 50.0
    assert auth.normalise_code("ab-cd o1l") == "ABCD011"


def test_token_bucket_refills_at_its_rate_with_injected_time():
    bucket = TokenBucket(rate_per_s=2.0, capacity=3.0)
    assert [bucket.allow(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.allow(0.25) is False  # half a token
    assert bucket.allow(0.5) is True  # one token after 0.5 s
    assert bucket.allow(0.4) is False  # a clock going backwards refills nothing
    assert [bucket.allow(10.0) for _ in range(4)] == [True, True, True, False]  # capped at capacity
