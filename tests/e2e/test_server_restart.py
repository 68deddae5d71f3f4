"""kill -9 the server, restart it on the same journal: every acknowledged order is still there."""

import asyncio
import signal

from server_process import kill

from vbranch.server.client import ClassroomClient

SYMBOL = "510300"


async def _contest(url):
    teacher = ClassroomClient(url, "Teacher", role="teacher")
    await teacher.connect()
    await teacher.teacher("create_contest", scenario="crash", seed=5, starting_cash=100000)
    contest = await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m)
    return teacher, contest["join_code"]


def test_acknowledged_orders_survive_kill_9_and_resume_tokens_restore_seats(server):
    url, start, procs = server

    async def scenario():
        teacher, code = await _contest(url)
        ann = ClassroomClient(url, "Ann", join_code=code, backoff_s=(0.05, 0.5))
        bo = ClassroomClient(url, "Bo", join_code=code, backoff_s=(0.05, 0.5))
        await ann.connect()
        await bo.connect()
        await teacher.teacher("start")
        await ann.wait_for(lambda m: m["type"] == "contest" and m["state"] == "running")
        acked = []
        for client, sizes in ((ann, [{"qty": 300}, {"cash": 20000}]), (bo, [{"qty": 500}, {"qty": 200}])):
            for size in sizes:
                coid = await client.send_order(SYMBOL, "buy", **size)
                try:
                    await client.wait_for(lambda m, c=coid: m["type"] == "fill" and m["client_order_id"] == c)
                except TimeoutError:
                    raise AssertionError((client.name, coid, list(client.recent)[-5:])) from None
                acked.append(coid)
        limit = round(bo.mirror.prices[SYMBOL] * 0.91, 3)  # inside the ±10% band, far below the market
        resting = await bo.send_order(SYMBOL, "buy", qty=100, kind="limit", limit=limit)
        await bo.wait_for(lambda m: m["type"] == "order_status" and m["client_order_id"] == resting)
        assert bo.mirror.order_status[resting] == "resting"
        before = {c.name: (c.mirror.cash, dict(c.mirror.positions),
                           sum(v == "resting" for v in c.mirror.order_status.values())) for c in (ann, bo)}
        tokens = {c.name: c.mirror.resume_token for c in (ann, bo)}
        room = ann.mirror.room

        kill(procs[-1], signal.SIGKILL)
        start()  # same port, same journal

        # Ann's client reconnects by itself (backoff + resume_token); Bo comes back as a fresh process would
        welcome = await ann.wait_for(lambda m: m["type"] == "welcome", timeout_s=15, seen=False)
        bo2 = ClassroomClient(url, "Bo", room=room, resume_token=tokens["Bo"])
        welcome_bo = await bo2.connect()
        after = {}
        for name, w in (("Ann", welcome), ("Bo", welcome_bo)):
            me = w["snapshot"]["me"]
            after[name] = (me["cash"], {s: p["qty"] for s, p in me["positions"].items()}, len(me["orders"]))
            assert w["resume_token"] == tokens[name] and w["room"] == room
        for c in (ann, bo, bo2, teacher):
            await c.close()
        return before, after, ann.reconnects

    before, after, reconnects = asyncio.run(scenario())
    assert reconnects >= 1
    assert after == before
    assert before["Ann"][1][SYMBOL] >= 300 + 4000 and before["Bo"][1:] == ({SYMBOL: 700}, 1)
    assert before["Ann"][0] < 100000 - 20000 and before["Bo"][0] < 100000 - 700 * 2.0
