"""The websockets shell in-process: connection cap per address, oversized frames, journal before ack."""

import asyncio
import collections
import contextlib
import json
import random

from fuzz_frames import mutated_frames
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


def test_ten_thousand_fuzzed_frames_over_sockets_leave_the_room_serving_its_learner():
    async def body(url, server):
        teacher = ClassroomClient(url, "T", role="teacher", reconnect=False)
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", seed=3)
        code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
        deltas = []
        bo = ClassroomClient(url, "Bo", join_code=code, reconnect=False,
                             on_message=lambda m, n: m["type"] == "delta" and deltas.append(m["tick"]))
        await bo.connect()
        await teacher.teacher("start")
        frames, sent, connections, replies = mutated_frames(random.Random(5)), 0, 0, collections.Counter()

        async def read(ws):
            with contextlib.suppress(ConnectionClosed):
                async for frame in ws:
                    message = json.loads(frame)
                    replies[message["type"] if message["type"] != "error" else message["code"]] += 1

        while sent < 10_000:  # a fuzzer seated in the same room; closed for its refusals, it comes back
            connections += 1
            with contextlib.suppress(ConnectionClosed):
                async with connect(url) as ws:
                    reader = asyncio.create_task(read(ws))
                    await ws.send(json.dumps({"type": "hello", "v": 1, "name": "Fuzz", "join_code": code}))
                    while sent < 10_000:
                        sent += 1
                        await ws.send(next(frames))
                        if sent % 20 == 0:
                            await asyncio.sleep(0.002)  # about 10,000 frames in 1-2 s: the rate limits bite
                    await asyncio.sleep(0.2)
                    await ws.close()
            await reader
        seen = len(deltas)
        coid = await bo.send_order("510300", "buy", qty=200)
        fill = await bo.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid, seen=False)
        await asyncio.sleep(0.3)
        await bo.close()
        await teacher.close()
        return connections, replies, seen, len(deltas), fill, bo.mirror.positions.get("510300")

    connections, replies, seen, total, fill, held = _run(ShellSettings(max_conns_per_ip=0), None, body)
    assert connections > 10 and replies["welcome"] == connections  # closed for its refusals, seated again
    assert replies["bad_json"] + replies["bad_field"] + replies["unknown_type"] > 2_000  # each refused, in words
    assert seen > 0 and total > seen  # Bo's deltas kept coming through the fuzzing and after it
    assert fill["qty"] == 200 and held == 200  # and the room still trades for him
