"""Two learners on a real server: they see each other's avatar, the same prices, and only their own fills."""

import asyncio

from vbranch.server.client import ClassroomClient

HEAD = [0.0, 1.6, 0.0, 0.0, 0.0, 0.0, 1.0]


def test_two_learners_share_presence_and_prices_but_not_fills(server):
    url, _, _ = server

    async def scenario():
        teacher = ClassroomClient(url, "Teacher", role="teacher")
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", seed=2)
        code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
        ann, bo = ClassroomClient(url, "Ann", join_code=code), ClassroomClient(url, "Bo", join_code=code)
        await ann.connect()
        await bo.connect()
        await teacher.teacher("start")
        await ann.send({"type": "pose", "head": HEAD})
        await bo.send({"type": "pose", "head": HEAD})
        await ann.wait_for(lambda m: m["type"] == "poses" and bo.mirror.client_id in m["avatars"])
        await bo.wait_for(lambda m: m["type"] == "poses" and ann.mirror.client_id in m["avatars"])
        coid = await ann.send_order("510300", "buy", qty=1000)
        await ann.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid)
        # both mirrors converge on the same tick's prices
        tick = max(ann.mirror.tick, bo.mirror.tick) + 3
        for c in (ann, bo):
            await c.wait_for(lambda m, t=tick: m["type"] == "delta" and m["tick"] >= t, seen=False)
        await asyncio.sleep(0.2)
        await teacher.teacher("pause")
        for c in (ann, bo):
            await c.wait_for(lambda m: m["type"] == "contest" and m["state"] == "paused")
        await asyncio.sleep(0.2)  # the last delta before the pause has arrived everywhere
        result = (dict(ann.mirror.prices), dict(bo.mirror.prices), ann.mirror.fills, bo.mirror.fills,
                  ann.mirror.positions, bo.mirror.positions, ann.mirror.cash, bo.mirror.cash)
        for c in (ann, bo, teacher):
            await c.close()
        return result

    p_ann, p_bo, fills_ann, fills_bo, pos_ann, pos_bo, cash_ann, cash_bo = asyncio.run(scenario())
    assert len(p_ann) == 7 and p_ann == p_bo
    assert [f["qty"] for f in fills_ann] == [1000] and fills_bo == []
    assert pos_ann == {"510300": 1000} and pos_bo == {}
    assert cash_bo == 100000.0 and cash_ann < 100000.0 - 1000 * 2.0
