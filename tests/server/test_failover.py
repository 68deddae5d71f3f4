"""In-process servers on one real Postgres journal and one real redis-server: a gone owner's room is taken
over by exactly one process, and a process that lost a room stops running it and sends its people on."""

import asyncio
import itertools
import time

import pytest
from backing_services import free_port, fresh_database, pg_cluster, redis_url  # noqa: F401 - fixtures
from websockets.exceptions import ConnectionClosed

from vbranch.server.app import CLOSE_ROOM_MOVED, ClassroomServer, ShellSettings
from vbranch.server.client import ClassroomClient
from vbranch.server.journal import open_journal
from vbranch.server.lobby import Lobby
from vbranch.server.scale_link import RETRY_S, ScaleLink, ScaleSettings
from vbranch.server.scale_redis import RedisScale

_n = itertools.count(1)
SYMBOL = "510300"


@pytest.fixture
def shared(pg_cluster, redis_url):  # noqa: F811
    """``(journal url, redis url, key prefix)``: an empty journal and a fresh key space."""
    n = next(_n)
    return fresh_database(pg_cluster, f"failover_{n}"), redis_url, f"failover{n}"


async def _server(shared, instance, ttl_s=30.0):
    journal_url, redis, prefix = shared
    lobby = Lobby(directory=True, wakeable=True)
    scale = ScaleLink(ScaleSettings(redis, prefix=prefix, ttl_s=ttl_s), lobby)
    server = ClassroomServer(lobby, open_journal(journal_url, owner=instance), ShellSettings(), scale)
    await server.start("127.0.0.1", 0)
    return server, f"ws://127.0.0.1:{server.port}"


async def _classroom(url, learners, running=True):
    """A teacher's contest at ``url`` with ``learners`` seated; each buys 100 × (i + 1) shares if ``running``."""
    teacher = ClassroomClient(url, "Teacher", role="teacher", reconnect=False)
    await teacher.connect()
    await teacher.teacher("create_contest", scenario="crash", seed=3, starting_cash=100000)
    code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
    seated = []
    for name in learners:
        c = ClassroomClient(url, name, join_code=code, backoff_s=(0.05, 0.2))
        await c.connect()
        seated.append(c)
    if running:
        await teacher.teacher("start")
        for i, c in enumerate(seated):
            coid = await c.send_order(SYMBOL, "buy", qty=100 * (i + 1))
            await c.wait_for(lambda m, coid=coid: m["type"] == "fill" and m["client_order_id"] == coid)
    return teacher, code, seated


def _account(c):
    return round(c.mirror.cash, 2), {s: q for s, q in c.mirror.positions.items() if q}


def _me(welcome):
    me = welcome["snapshot"]["me"]
    return round(me["cash"], 2), {s: p["qty"] for s, p in me["positions"].items() if p["qty"]}


def test_of_two_processes_racing_for_a_gone_processs_room_one_takes_it_over_and_the_other_redirects(shared):
    async def main():
        a, url_a = await _server(shared, "A")
        teacher, _, (ann, bo) = await _classroom(url_a, ["Ann", "Bo"])
        room, before = ann.mirror.room, {c.name: _account(c) for c in (ann, bo)}
        tokens = {c.name: c.mirror.resume_token for c in (ann, bo)}
        for c in (ann, bo, teacher):
            await c.close()
        await a.stop()  # A is gone and its directory entries with it (after a crash: within the TTL)
        (b, url_b), (c, url_c) = await _server(shared, "B"), await _server(shared, "C")
        ann2 = ClassroomClient(url_b, "Ann", room=room, resume_token=tokens["Ann"], reconnect=False)
        bo2 = ClassroomClient(url_c, "Bo", room=room, resume_token=tokens["Bo"], reconnect=False)
        welcomes = await asyncio.gather(ann2.connect(), bo2.connect())
        running = {name: room in s.lobby.rooms for name, s in (("B", b), ("C", c))}
        owners = open_journal(shared[0]).owners()
        after = {"Ann": _me(welcomes[0]), "Bo": _me(welcomes[1])}
        result = (room, before, after, running, owners, (ann2.url, bo2.url), ann2.redirects + bo2.redirects,
                  {"B": url_b, "C": url_c})
        for client in (ann2, bo2):
            await client.close()
        for s in (b, c):
            await s.stop()
        return result

    room, before, after, running, owners, urls, redirects, url_of = asyncio.run(main())
    winner = next(name for name, has in running.items() if has)
    assert sum(running.values()) == 1 and owners == {room: winner}  # one market, one owner in the journal
    assert urls == (url_of[winner], url_of[winner]) and redirects == 1  # the loser sent its learner there
    assert after == before and before["Bo"][1] == {SYMBOL: 200}  # seats and acknowledged orders came back


async def _taken_over_by_b(shared, ttl_a_s):
    """A runs a contest (not started) with Ann; A is cut off from Redis long enough for its entries to expire,
    B takes the room over when the teacher comes back at B, then A reaches Redis again. Returns what the
    tests look at."""
    a, url_a = await _server(shared, "A", ttl_s=ttl_a_s)
    teacher, code, (ann,) = await _classroom(url_a, ["Ann"], running=False)
    room, token = teacher.mirror.room, teacher.mirror.teacher_token
    observer = RedisScale(shared[1], prefix=shared[2])
    for _ in range(100):
        if observer.room_for_code(code) is not None:
            break
        await asyncio.sleep(0.02)
    reachable, a.scale.scale = a.scale.scale, RedisScale(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.2)
    await asyncio.sleep(0.3)  # a refresh already under way lands before the entries go
    observer.forget_room(room, code)  # what the TTL does to the entries of a process that cannot refresh them
    b, url_b = await _server(shared, "B")
    teacher_b = ClassroomClient(url_b, "Teacher", role="teacher", room=room, token=token, reconnect=False)
    await teacher_b.connect()
    taken_at = time.monotonic()
    a.scale.scale = reachable  # the network heals: A may refresh (and look up) again
    await teacher.close()
    return a, url_a, b, url_b, room, code, ann, teacher_b, observer, taken_at


def test_a_process_whose_room_was_taken_over_refuses_its_next_write_and_sends_its_learners_to_the_new_owner(shared):
    async def main():
        a, url_a, b, url_b, room, code, ann, teacher_b, observer, _ = await _taken_over_by_b(shared, 30.0)
        still_running_on_a = room in a.lobby.rooms  # A has not noticed: its ownership check runs every 10 s
        cai = ClassroomClient(url_a, "Cai", join_code=code, reconnect=False)
        try:  # A accepts the join, but the seat is B's to write: refused, and nobody hears of it
            await cai.connect()
            first_try = "seated"
        except ConnectionClosed as exc:
            first_try = exc.rcvd.code
        back = await ann.wait_for(lambda m: m["type"] == "welcome", timeout_s=10, seen=False)
        cai = ClassroomClient(url_a, "Cai", join_code=code, reconnect=False)
        cai_welcome = await cai.connect()
        seats_b = sorted(s.name for s in b.lobby.rooms[room].seats.values())
        result = (still_running_on_a, first_try, room in a.lobby.rooms, room in a._tickers, a.rooms_lost,
                  (ann.url, cai.url, cai.redirects), back["room"], cai_welcome["room"], seats_b,
                  observer.room_address(room).address, open_journal(shared[0]).owners(), url_b)
        for c in (ann, cai, teacher_b):
            await c.close()
        for s in (a, b):
            await s.stop()
        observer.close()
        return room, result

    room, (was_running, first_try, on_a, ticking_on_a, lost, urls, ann_room, cai_room, seats_b, entry, owners,
           url_b) = asyncio.run(main())
    assert was_running and first_try == CLOSE_ROOM_MOVED
    assert not on_a and not ticking_on_a and lost == 1  # A stopped running it at the refused write
    assert urls == (url_b, url_b, 1) and ann_room == cai_room == room  # Ann by reconnecting, Cai by a redirect
    assert seats_b == ["Ann", "Cai"] and owners == {room: "B"}  # Cai's refused seat at A was never written
    assert entry == url_b  # A's directory refreshes and forgets left B's entry alone


def test_a_process_whose_idle_room_was_taken_over_unloads_it_at_its_next_directory_refresh(shared):
    ttl_s = 1.5

    async def main():
        a, _, b, url_b, room, _, ann, teacher_b, observer, taken_at = await _taken_over_by_b(shared, ttl_s)
        while room in a.lobby.rooms and time.monotonic() - taken_at < 5:
            await asyncio.sleep(0.02)
        unloaded_after_s = time.monotonic() - taken_at
        back = await ann.wait_for(lambda m: m["type"] == "welcome", timeout_s=10, seen=False)
        result = (unloaded_after_s, a.rooms_lost, ann.url, back["room"], observer.room_address(room).address, url_b)
        for c in (ann, teacher_b):
            await c.close()
        for s in (a, b):
            await s.stop()
        observer.close()
        return room, result

    room, (unloaded_after_s, lost, ann_url, ann_room, entry, url_b) = asyncio.run(main())
    # no write needed: the check before a refresh found it (refreshes failed meanwhile: one retry pause more)
    assert unloaded_after_s < ttl_s / 3 + RETRY_S + 0.5 and lost == 1
    assert ann_url == url_b and ann_room == room and entry == url_b
