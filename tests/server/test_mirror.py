"""The client mirror rebuilds public and private state from the frames a room sends one client."""

import json

from room_helpers import Classroom

from vbranch.server.mirror import Mirror
from vbranch.server.protocol import encode


def _feed(mirror, classroom, out, client_id):
    for message in classroom.delivered(out, client_id):
        mirror.apply(json.loads(encode(message)))


def test_mirror_prices_and_account_match_the_room_after_deltas_fills_and_a_resync():
    c = Classroom(scenario="crash", starting_cash=100000, seed=4)
    ann, bo = Mirror(), Mirror()
    for cid, name, m in (("a", "Ann", ann), ("b", "Bo", bo)):
        out = c.send(cid, {"type": "hello", "v": 1, "room": "r1", "name": name, "join_code": c.join_code})
        _feed(m, c, out, cid)
    out = c.teacher("start") + c.teacher("set_speed", speed=5.0)
    for cid, m in (("a", ann), ("b", bo)):
        _feed(m, c, out, cid)
    for step in range(300):
        out = c.tick()
        if step == 50:
            out += c.send("a", {"type": "order", "client_order_id": "x", "symbol": "510300", "side": "buy",
                                "qty": 800})
        if step == 120:
            c.room.resync("b")  # as if Bo's socket was too slow: his next delta is the full state
            _feed(Mirror(), c, out, "b")  # Bo misses this tick's frames
            continue
        _feed(ann, c, out, "a")
        _feed(bo, c, out, "b")
    out = c.tick()
    _feed(ann, c, out, "a")
    _feed(bo, c, out, "b")
    account = c.room.market.account("s1")
    assert ann.prices == bo.prices == c.room.last_public["p"] and len(ann.prices) == 7
    assert ann.positions == {"510300": 800} and ann.cash == round(account.cash, 2)
    assert [f["qty"] for f in ann.fills] == [800] and bo.fills == [] and bo.positions == {}
    assert ann.order_status["x"] == "filled" and ann.contest["state"] == "running"
    assert ann.tick == bo.tick == c.room.tick_no and ann.resume_token and ann.client_id == "a"
