"""Two real server processes on one real Postgres journal and one real redis-server: a room has one owner.

Restarting both brings the room back only on its owner (the other redirects to it); after a ``kill -9``
of the owner, a learner resuming at the other process gets their seat and every acknowledged order back,
because that process took the room over."""

import asyncio
import signal
import sys
import time
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: the backing-services helpers

from backing_services import fresh_database, pg_cluster, redis_server  # noqa: E402, F401 - pg_cluster is a fixture
from server_process import free_port, kill, start_server  # noqa: E402

from vbranch.server.client import ClassroomClient  # noqa: E402
from vbranch.server.scale_redis import RedisScale  # noqa: E402

TTL_S = 1.5
SYMBOL = "510300"


@pytest.fixture
def deployment(tmp_path, pg_cluster):  # noqa: F811
    """``(start(name), urls, procs, journal url, redis url)``: processes a and b share one journal and one Redis."""
    db = fresh_database(pg_cluster, "shared_e2e")
    with redis_server() as redis_url:
        ports = {"a": free_port(), "b": free_port()}
        procs: dict[str, list] = {"a": [], "b": []}

        def start(name):
            proc = start_server(db, ports[name], tmp_path / f"{name}.log", "--redis", redis_url,
                                "--redis-ttl", str(TTL_S))
            procs[name].append(proc)
            return proc

        urls = {name: f"ws://127.0.0.1:{port}" for name, port in ports.items()}
        try:
            yield start, urls, procs, db, redis_url
        finally:
            for proc in procs["a"] + procs["b"]:
                kill(proc)


def _owners(db):
    with psycopg.connect(db) as conn:
        return dict(conn.execute("SELECT room_id, owner FROM room_owner").fetchall())


async def _until(fn, predicate, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while True:
        value = await asyncio.to_thread(fn)
        if predicate(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(value)
        await asyncio.sleep(0.05)


def _me(welcome):
    me = welcome["snapshot"]["me"]
    return (round(me["cash"], 2), {s: p["qty"] for s, p in me["positions"].items() if p["qty"]},
            sorted(o["client_order_id"] for o in me["orders"]))


def test_a_room_runs_only_on_its_owner_and_moves_to_the_survivor_after_a_kill_9(deployment, tmp_path):
    start, urls, procs, db, redis_url = deployment
    observer = RedisScale(redis_url)

    async def scenario():
        for name in ("a", "b"):
            start(name)
        teacher = ClassroomClient(urls["a"], "Teacher", role="teacher", reconnect=False)
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", seed=5, starting_cash=100000)
        code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
        room = teacher.mirror.room
        await _until(lambda: observer.room_for_code(code), lambda found: found is not None)
        ann = ClassroomClient(urls["a"], "Ann", join_code=code, reconnect=False)
        bo = ClassroomClient(urls["b"], "Bo", join_code=code, reconnect=False)  # redirected to A
        await ann.connect()
        await bo.connect()
        await teacher.teacher("start")
        await ann.wait_for(lambda m: m["type"] == "contest" and m["state"] == "running")
        for client, sizes in ((ann, [{"qty": 300}, {"cash": 20000}]), (bo, [{"qty": 500}])):
            for size in sizes:
                coid = await client.send_order(SYMBOL, "buy", **size)
                await client.wait_for(lambda m, c=coid: m["type"] == "fill" and m["client_order_id"] == c)
        limit = round(bo.mirror.prices[SYMBOL] * 0.91, 3)  # rests far below the market
        resting = await bo.send_order(SYMBOL, "buy", qty=100, kind="limit", limit=limit)
        await bo.wait_for(lambda m: m["type"] == "order_status" and m["client_order_id"] == resting)
        before = {c.name: (round(c.mirror.cash, 2), {s: q for s, q in c.mirror.positions.items() if q},
                           sorted(k for k, v in c.mirror.order_status.items() if v == "resting")) for c in (ann, bo)}
        tokens = {c.name: c.mirror.resume_token for c in (ann, bo)}
        bo_went_to_a = (bo.url, bo.redirects)
        for c in (ann, bo, teacher):
            await c.close()

        # ---- restart both, B first: B must not take A's room just because it starts while A is down ----
        for name in ("a", "b"):
            kill(procs[name][-1], signal.SIGTERM)
        start("b")
        start("a")
        await _until(lambda: observer.room_address(room), lambda found: found is not None)
        owners_after_restart = _owners(db)
        cai = ClassroomClient(urls["b"], "Cai", join_code=code, reconnect=False)
        await cai.connect()
        cai_went = (cai.url, cai.redirects)
        await cai.close()

        # ---- kill -9 A: after the TTL, learners resuming at B get everything back ----------------------------
        kill(procs["a"][-1], signal.SIGKILL)
        killed_at = time.monotonic()
        await _until(lambda: observer.room_address(room), lambda found: found is None, timeout_s=TTL_S + 5)
        gone_after_s = time.monotonic() - killed_at
        ann2 = ClassroomClient(urls["b"], "Ann", room=room, resume_token=tokens["Ann"], reconnect=False)
        bo2 = ClassroomClient(urls["b"], "Bo", room=room, resume_token=tokens["Bo"], reconnect=False)
        after = {"Ann": _me(await ann2.connect()), "Bo": _me(await bo2.connect())}
        # B runs the market now, and journals it
        coid = await bo2.send_order(SYMBOL, "buy", qty=100, client_order_id="bo-at-b")
        fill = await bo2.wait_for(lambda m: m.get("client_order_id") == coid and m["type"] in ("fill", "reject"))
        owners_after_kill = _owners(db)
        entry = observer.room_address(room)
        for c in (ann2, bo2):
            await c.close()
        return (room, before, after, bo_went_to_a, owners_after_restart, cai_went, gone_after_s,
                (ann2.url, bo2.url, ann2.redirects + bo2.redirects), fill, owners_after_kill, entry)

    (room, before, after, bo_went_to_a, owners_after_restart, cai_went, gone_after_s, urls_after, fill,
     owners_after_kill, entry) = asyncio.run(scenario())
    observer.close()
    log_a, log_b = ((tmp_path / f"{name}.log").read_text() for name in ("a", "b"))

    assert bo_went_to_a == (urls["a"], 1)
    assert before["Ann"][1][SYMBOL] >= 300 + 4000 and before["Bo"][1:] == ({SYMBOL: 500}, [before["Bo"][2][0]])
    # after the restart: one owner in the journal, the room restored on A only, B redirects to it
    assert owners_after_restart == {room: urls["a"]}
    assert cai_went == (urls["a"], 1)
    assert log_a.count("restored 1 rooms") == 1 and "restored 1 rooms" not in log_b
    assert "1 journaled rooms belong to other processes" in log_b
    # after kill -9 of A: B took the room over, with every acknowledged order
    assert gone_after_s <= TTL_S + 0.5, gone_after_s
    assert urls_after == (urls["b"], urls["b"], 0)  # seated at B itself, no redirect
    assert after == before
    assert fill["type"] == "fill" and fill["qty"] == 100, fill
    assert owners_after_kill == {room: urls["b"]} and entry.address == urls["b"]
    assert f"room {room} taken over from {urls['a']}" in log_b
