"""Token-authorised HTTP answers: the teacher's report downloads and the parent page's standing (Sans-I/O)."""

import csv
import io
import json
import re
from importlib import resources

import pytest
from report_class import board_table, run_a_class
from websockets.datastructures import Headers

from vbranch.scenes.catalogue import keys
from vbranch.server.parent_view import parent_link
from vbranch.server.web import DASHBOARD_CSP, REPORT_CSP, WebRoutes, bearer_token


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    c = run_a_class(tmp_path_factory.mktemp("class") / "journal.sqlite3")
    yield c
    c.close()


def get(routes, path, token=None, scheme="Bearer"):
    headers = {"Host": "127.0.0.1:8765"}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}"
    return routes.handle(path, Headers(headers))


def test_bearer_token_is_read_from_the_authorization_header_only():
    assert bearer_token(Headers({"Authorization": "Bearer abc-_1"})) == "abc-_1"
    assert bearer_token(Headers({"Authorization": "bearer  abc "})) == "abc"
    assert bearer_token(Headers({"Authorization": "Basic abc"})) is None
    assert bearer_token(Headers({"Authorization": "Bearer "})) is None and bearer_token(Headers()) is None


def test_csv_report_needs_the_rooms_teacher_token(classroom):
    routes = WebRoutes(lobby=classroom.lobby)
    path = f"/report/{classroom.room_id}.csv"
    missing = get(routes, path)
    assert missing.status == 401 and missing.header("WWW-Authenticate") == "Bearer"
    assert get(routes, path, "not-the-token").status == 403
    assert get(routes, path, classroom.teacher_token, scheme="Basic").status == 401
    assert get(routes, "/report/NOSUCHRM.csv", classroom.teacher_token).status == 403  # same answer: no room oracle
    assert get(WebRoutes(), path, classroom.teacher_token).status == 403  # a shell without rooms
    reply = get(routes, path, classroom.teacher_token)
    assert reply.status == 200 and reply.content_type == "text/csv; charset=utf-8"
    assert reply.header("Content-Disposition") == f'attachment; filename="contest-{classroom.join_code}.csv"'
    assert reply.header("Cache-Control") == "no-store"
    text = reply.body.decode("utf-8")
    assert text.startswith("\ufeffrank,name,score")  # a BOM, so a spreadsheet reads 小明 as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    board, bench = classroom.room.standings()
    assert [(r["rank"], r["name"], float(r["score"])) for r in rows[:-1]] == [(str(s.rank), s.name, s.score)
                                                                            for s in board]
    assert float(rows[-1]["return_pct"]) == bench


def test_html_report_comes_in_the_asked_language_as_a_locked_down_download(classroom):
    routes = WebRoutes(lobby=classroom.lobby)
    reply = get(routes, f"/report/{classroom.room_id}.html?lang=zh", classroom.teacher_token)
    assert reply.status == 200 and reply.content_type == "text/html; charset=utf-8"
    assert reply.header("Content-Security-Policy") == REPORT_CSP and "script-src" not in REPORT_CSP
    assert reply.header("Content-Disposition") == f'attachment; filename="contest-{classroom.join_code}.html"'
    page = reply.body.decode()
    assert f"比赛报告：{classroom.join_code}" in page
    assert [row[1] for row in board_table(page)[1:-1]] == [s.name for s in classroom.room.standings()[0]]
    english = get(routes, f"/report/{classroom.room_id}.html?lang=xx&a=1&b=2&c=3&d=4", classroom.teacher_token)
    assert "Contest report" in english.body.decode()  # an unknown or malformed lang falls back to English


def test_a_room_without_a_contest_has_no_report():
    from report_class import hello

    from vbranch.server.lobby import Lobby

    lobby = Lobby()
    welcome = lobby.receive_frame("t", json.dumps(hello(role="teacher")), 0.0)[0].message
    reply = get(WebRoutes(lobby=lobby), f"/report/{welcome.room}.html", welcome.teacher_token)
    assert reply.status == 404 and b"no contest" in reply.body


def test_parent_standing_is_the_childs_row_of_the_live_board(classroom):
    routes = WebRoutes(lobby=classroom.lobby)
    board, bench = classroom.room.standings()
    for seat in classroom.room.seats.values():
        reply = get(routes, "/parent/standing.json", seat.parent_token)
        assert reply.status == 200 and reply.content_type == "application/json"
        data = json.loads(reply.body)
        row = next(s for s in board if s.name == seat.name)
        assert data == {"name": seat.name, "state": "ended", "final": True, "rank": row.rank, "n": 4,
                        "row": row.to_dict(), "benchmark_return_pct": bench}
    assert get(routes, "/parent/standing.json").status == 401
    assert get(routes, "/parent/standing.json", classroom.teacher_token).status == 403  # not a parent token


def test_parent_page_is_served_under_the_dashboards_policy():
    routes = WebRoutes()
    page = get(routes, "/parent")
    assert page.status == 200 and page.header("Content-Security-Policy") == DASHBOARD_CSP
    assert b'src="/parent.js"' in page.body and b"<script>" not in page.body
    assert get(routes, "/parent.js").content_type.startswith("text/javascript")
    assert get(routes, "/parent.css").status == 200


def test_every_string_the_parent_page_uses_is_in_the_catalogue():
    files = resources.files("vbranch.server").joinpath("dashboard")
    html, js = files.joinpath("parent.html").read_text(), files.joinpath("parent.js").read_text()
    used = set(re.findall(r'data-i18n="([^"]+)"', html)) | set(re.findall(r'\bt\("([a-z_.]+)"', js))
    used |= set(re.findall(r'"(parent\.[a-z_.]+)"', js))
    used |= {f"parent.side.{s}" for s in ("buy", "sell")} | {f"state.{s}" for s in ("created", "running", "ended")}
    used |= {f"parent.reason.{r}" for r in ("stop_loss", "take_profit", "trailing_stop")}
    used |= {f"conn.{s}" for s in ("connecting", "online", "offline", "closed")} | {"col.sortino", "col.score"}
    used = {k for k in used if not k.endswith(".")}
    missing = {k for k in used if f"dashboard.{k}" not in keys()}
    assert not missing and len(used) > 40


def test_dashboard_report_strings_are_in_the_catalogue():
    js = resources.files("vbranch.server").joinpath("dashboard", "dashboard.js").read_text()
    assert 'downloadReport("csv")' in js and "Authorization" in js
    assert {"dashboard.log.report_saved", "dashboard.log.report_failed", "dashboard.download_csv",
            "dashboard.download_html", "dashboard.report"} <= set(keys())


@pytest.mark.parametrize(("server", "link"), [
    ("ws://127.0.0.1:8765", "http://127.0.0.1:8765/parent#tok_en-1"),
    ("wss://class.school.example/", "https://class.school.example/parent#tok_en-1"),
    ("http://[::1]:9000", "http://[::1]:9000/parent#tok_en-1"),
])
def test_parent_link_puts_the_token_in_the_fragment(server, link):
    assert parent_link(server, "tok_en-1") == link


def test_parent_link_refuses_what_is_not_a_server_address():
    with pytest.raises(ValueError):
        parent_link("127.0.0.1:8765", "t")
