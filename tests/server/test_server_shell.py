"""The websockets shell in-process: connection cap per address, oversized frames, journal before ack."""

import asyncio
import contextlib
import json

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from vbranch.server.app import CLOSE_TRY_LATER, ClassroomServer, ShellSettings
from vbranch.server.client import ClassroomClient
from vbranch.server.journal import Journal
from vbranch.server.lobby import Lobby


async def _closed_code(ws):
    with contextlib.suppress(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 5)
    return ws.close_code


def _run(settings, journal, body):
    async def main():
        server = ClassroomServer(Lobby(), journal, settings)
        await server.start("127.0.0.1", 0)
        try:
            return await body(f"ws://127.0.0.1:{server.port}", server)
        finally:
            await server.stop()

    return asyncio.run(main())


def test_third_connection_from_one_address_is_closed_try_later():
    async def body(url, server):
        first, second = await connect(url), await connect(url)
        third = await connect(url)
        code = await _closed_code(third)
        await first.close()
        await asyncio.sleep(0.05)
        fourth = await connect(url)  # a slot is free again
        await fourth.send(json.dumps({"type": "ping", "t": 1}))
        reply = json.loads(await asyncio.wait_for(fourth.recv(), 5))
        await second.close()
        await fourth.close()
        return code, reply["code"]

    code, reply = _run(ShellSettings(max_conns_per_ip=2), None, body)
    assert code == CLOSE_TRY_LATER and reply == "not_joined"


def test_frames_over_64_kib_close_the_connection_with_1009():
    async def body(url, server):
        ws = await connect(url, max_size=None)
        await ws.send("x" * (64 * 1024 + 1))
        return await _closed_code(ws)

    assert _run(ShellSettings(), None, body) == 1009


def test_an_acknowledged_order_is_already_in_the_journal(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    reader = Journal(tmp_path / "j.sqlite3")
    seen = {}

    async def body(url, server):
        teacher = ClassroomClient(url, "T", role="teacher")
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash")
        code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
        ann = ClassroomClient(url, "Ann", join_code=code,
                              on_message=lambda m, n: m["type"] == "order_status" and seen.setdefault(
                                  "orders_in_journal", reader.count("order")))
        await ann.connect()
        await teacher.teacher("start")
        await ann.wait_for(lambda m: m["type"] == "contest" and m["state"] == "running")
        coid = await ann.send_order("510300", "buy", qty=200)
        await ann.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid)
        await ann.close()
        await teacher.close()
        return server.frames_sent

    frames = _run(ShellSettings(), journal, body)
    assert seen["orders_in_journal"] == 1  # read by another connection at the moment the ack arrived
    assert reader.count("fill") == 1 and reader.count("seat") == 1 and reader.count("room_created") == 1
    assert frames > 3
