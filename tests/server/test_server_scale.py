"""The websockets shell with a real redis-server: redirects between two in-process servers, the board route,
idle rooms unloaded and woken from the journal."""

import asyncio
import itertools
import json
import urllib.error
import urllib.request

import pytest
from backing_services import redis_url  # noqa: F401 - a fixture

from vbranch.server.app import ClassroomServer, ShellSettings
from vbranch.server.client import ClassroomClient, JoinRefused
from vbranch.server.journal import Journal
from vbranch.server.lobby import Lobby
from vbranch.server.scale_link import ScaleLink, ScaleSettings

_prefixes = itertools.count(1)


async def _server(scale=None, journal=None, settings=None):
    lobby = Lobby(directory=scale is not None, wakeable=journal is not None)
    server = ClassroomServer(lobby, journal, settings or ShellSettings(), ScaleLink(scale, lobby) if scale else None)
    await server.start("127.0.0.1", 0)
    return server


def _get(url, host=None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


async def _contest(url):
    teacher = ClassroomClient(url, "Teacher", role="teacher")
    await teacher.connect()
    await teacher.teacher("create_contest", scenario="crash", seed=4)
    code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
    return teacher, code


def test_a_learner_at_the_wrong_process_is_redirected_once_and_seated_where_the_room_lives(redis_url):  # noqa: F811
    scale = ScaleSettings(redis_url, prefix=f"shell{next(_prefixes)}", board="cup", board_period_s=0.1)

    async def main():
        a, b = await _server(scale), await _server(scale)
        url_a, url_b = f"ws://127.0.0.1:{a.port}", f"ws://127.0.0.1:{b.port}"
        teacher, code = await _contest(url_a)
        ann = ClassroomClient(url_b, "Ann", join_code=code.lower())
        for _ in range(50):  # the directory learns the code at once, but let the pipeline land
            try:
                welcome = await ann.connect()
                break
            except JoinRefused:
                await asyncio.sleep(0.05)
        stranger = ClassroomClient(url_b, "Zed", join_code="ZZZZ999")
        with pytest.raises(JoinRefused, match="bad_join"):
            await stranger.connect()
        await teacher.teacher("start")
        coid = await ann.send_order("510300", "buy", qty=500, stop_pct=5.0)
        await ann.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid)
        await teacher.teacher("leaderboard")
        await teacher.wait_for(lambda m: m["type"] == "leaderboard" and m["rows"][0]["trades"] == 1, seen=False)
        board = None
        for _ in range(50):
            status, body = await asyncio.to_thread(_get, f"http://127.0.0.1:{b.port}/board/cup.json?n=5")
            board = json.loads(body)
            if board["lines"]:
                break
            await asyncio.sleep(0.05)
        foreign = await asyncio.to_thread(_get, f"http://127.0.0.1:{b.port}/board/cup.json", "evil.example")
        room_a, seats_a, seats_b = welcome["room"], len(a.lobby.rooms[welcome["room"]].seats), \
            sum(len(r.seats) for r in b.lobby.rooms.values())
        result = (ann.url, ann.redirects, room_a, seats_a, seats_b, status, board, foreign[0], url_a)
        for c in (ann, teacher):
            await c.close()
        await a.stop()
        await b.stop()
        return result

    ann_url, redirects, room, seats_a, seats_b, status, board, foreign, url_a = asyncio.run(main())
    assert ann_url == url_a and redirects == 1 and seats_a == 1 and seats_b == 0
    assert status == 200 and board["board"] == "cup"
    assert [(line["room"], line["name"]) for line in board["lines"]] == [(room, "Ann")]
    assert 0 < board["lines"][0]["score"] <= 100
    assert foreign == 403  # the dashboard's host rule holds for the board too


def test_the_board_route_of_a_server_alone_says_there_is_none():
    async def main():
        server = await _server()
        got = await asyncio.to_thread(_get, f"http://127.0.0.1:{server.port}/board/district.json")
        dashboard = await asyncio.to_thread(_get, f"http://127.0.0.1:{server.port}/catalogue.json")
        await server.stop()
        return got, dashboard[0]

    (status, body), dashboard = asyncio.run(main())
    assert status == 404 and b"VBRANCH_REDIS" in body and dashboard == 200  # other routes still go to WebRoutes


def test_an_idle_room_is_unloaded_and_a_returning_learner_wakes_it_from_the_journal(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    settings = ShellSettings(idle_room_s=0.3, sweep_period_s=0.1)

    async def main():
        server = await _server(journal=journal, settings=settings)
        url = f"ws://127.0.0.1:{server.port}"
        teacher, code = await _contest(url)
        ann = ClassroomClient(url, "Ann", join_code=code, reconnect=False)
        await ann.connect()
        await teacher.teacher("start")
        coid = await ann.send_order("510300", "buy", qty=400)
        fill = await ann.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid)
        await teacher.teacher("end")
        await ann.wait_for(lambda m: m["type"] == "contest" and m["state"] == "ended")
        room, token = ann.mirror.room, ann.mirror.resume_token
        for c in (ann, teacher):
            await c.close()
        await asyncio.sleep(0.8)
        unloaded = (server.rooms_unloaded, list(server.lobby.rooms), room in server._tickers)
        back = ClassroomClient(url, "Ann", resume_token=token)
        welcome = await back.connect()
        await back.close()
        await server.stop()
        return fill, unloaded, welcome, room

    fill, (n_unloaded, rooms_left, ticking), welcome, room = asyncio.run(main())
    assert n_unloaded == 1 and rooms_left == [] and not ticking
    me = welcome["snapshot"]["me"]
    assert welcome["room"] == room and me["positions"]["510300"]["qty"] == 400 and me["cash"] == fill["cash"]
    assert welcome["snapshot"]["contest"]["state"] == "ended"


async def _redirecting_server(address_of):
    """A websocket server that answers every hello the way a process without the room does."""
    from websockets.asyncio.server import serve

    from vbranch.server.messages import Redirect
    from vbranch.server.protocol import CLOSE_REDIRECT, encode

    async def handler(ws):
        await ws.recv()
        await ws.send(encode(Redirect(address_of(ws), "ROOM0001")))
        await ws.close(CLOSE_REDIRECT, "redirect")

    return await serve(handler, "127.0.0.1", 0)


def test_the_client_follows_one_redirect_but_not_a_second_nor_a_scheme_it_must_not_trust():
    async def main():
        loop_server = await _redirecting_server(lambda ws: f"ws://127.0.0.1:{ws.local_address[1]}")
        port = loop_server.sockets[0].getsockname()[1]
        looping = ClassroomClient(f"ws://127.0.0.1:{port}", "Ann", join_code="ABC1234")
        with pytest.raises(JoinRefused, match="too_many_redirects"):
            await looping.connect(timeout_s=2)
        odd_server = await _redirecting_server(lambda ws: "http://127.0.0.1:1/")
        odd = ClassroomClient(f"ws://127.0.0.1:{odd_server.sockets[0].getsockname()[1]}", "Bo", join_code="ABC1234")
        with pytest.raises(JoinRefused, match="bad_redirect"):
            await odd.connect(timeout_s=2)
        for server in (loop_server, odd_server):
            server.close()
            await server.wait_closed()
        return looping, odd

    looping, odd = asyncio.run(main())
    assert looping.redirects == 1 and looping.room == "ROOM0001"  # it did follow the first one
    assert odd.redirects == 0 and odd.url.startswith("ws://127.0.0.1:")  # and went nowhere it should not
