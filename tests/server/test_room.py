"""The room: deltas carry only changes, private state reaches only its owner, resume, parents, fuzz."""

import random

from fuzz_frames import mutated_frames
from room_helpers import frame_bytes

from vbranch.market_sim.account import Account
from vbranch.server.messages import Close, Delta, Error, Fill, Welcome
from vbranch.server.messages import Reject as RejectMsg
from vbranch.server.room import BROADCAST


def _buy(classroom, client_id, coid, symbol="510300", cash=20000):
    return classroom.send(client_id, {"type": "order", "client_order_id": coid, "symbol": symbol, "side": "buy",
                                      "cash": cash, "kind": "market"})


def test_deltas_carry_only_changed_symbols_rounded_to_tick(classroom):
    classroom.join("a", "Ann")
    classroom.teacher("start")
    first = [m for m in classroom.delivered(classroom.tick(), "a", "delta")]
    assert len(first[0].fields["p"]) == 7  # the first delta after the start is the whole state
    market = classroom.room.market
    previous = dict(first[0].fields["p"])
    for _ in range(200):
        for delta in classroom.delivered(classroom.tick(), "a", "delta"):
            moved = delta.fields.get("p", {})
            assert moved  # no delta is sent without a change
            for sym, price in moved.items():
                assert price != previous[sym]
                decimals = 3 if market.universe.get(sym).tick_size == 0.001 else 2
                assert round(price, decimals) == price
            assert set(delta.fields) <= {"p", "day", "halt", "state", "speed", "ev", "bars"}
            previous.update(moved)
    assert previous == classroom.room.last_public["p"]


def test_delta_frames_stay_under_200_bytes_per_client_per_tick():
    from room_helpers import Classroom

    room = Classroom(scenario="crash", starting_cash=100000)
    room.join("a", "Ann")
    room.teacher("start")
    room.teacher("set_speed", speed=5.0)  # every tick moves the market
    room.tick()
    sizes = [frame_bytes(m) for m in room.delivered(room.tick(2000), "a", "delta")]  # 100 s, ~16 trading days
    per_tick = sum(sizes) / 2000
    typical = sorted(sizes)[len(sizes) // 2]
    assert typical <= 200
    assert per_tick <= 200
    print(f"delta bytes: median {typical}, max {max(sizes)}, mean per tick {per_tick:.1f}, frames {len(sizes)}")


def test_private_fills_reach_only_their_owner(classroom):
    classroom.join("a", "Ann")
    classroom.join("b", "Bo")
    classroom.teacher("start")
    classroom.tick(3)
    out = _buy(classroom, "a", "a1")
    assert any(isinstance(m, Fill) and m.client_order_id == "a1" for m in classroom.delivered(out, "a"))
    assert classroom.delivered(out, "b") == []
    assert all(o.target == "a" for o in out)
    for o in classroom.tick(100):  # nothing from Ann's account is ever broadcast
        if o.target == BROADCAST and o.message.TYPE == "delta":
            assert "cash" not in o.message.fields and "positions" not in o.message.fields


def test_resume_token_restores_seat_and_private_state(classroom):
    welcome = classroom.join("a", "Ann")
    classroom.teacher("start")
    classroom.tick(3)
    _buy(classroom, "a", "a1")
    before = classroom.room.market.account("s1").cash
    classroom.room.leave("a", classroom.now_s)
    classroom.tick(5)
    out = classroom.send("a2", {"type": "hello", "v": 1, "room": "r1", "name": "Ann",
                                "resume_token": welcome.resume_token.lower()})
    again = out[-1].message
    assert isinstance(again, Welcome)
    assert again.resume_token == welcome.resume_token
    assert again.snapshot["me"]["cash"] == round(before, 2)
    assert again.snapshot["me"]["positions"]["510300"]["qty"] > 0
    assert len(classroom.room.seats) == 1
    # a duplicate client order id is still known to the resumed seat
    assert classroom.delivered(_buy(classroom, "a2", "a1"), "a2")[0].code == "duplicate_order_id"


def test_resume_elsewhere_closes_the_old_connection(classroom):
    welcome = classroom.join("a", "Ann")
    out = classroom.send("a2", {"type": "hello", "v": 1, "room": "r1", "name": "Ann",
                                "resume_token": welcome.resume_token})
    assert Close(4001, "seat resumed elsewhere") in classroom.delivered(out, "a")


def test_parent_view_is_read_only_and_sees_only_its_learner(classroom):
    welcome = classroom.join("a", "Ann")
    classroom.join("b", "Bo")
    out = classroom.send("p", {"type": "hello", "v": 1, "room": "r1", "name": "Mum", "role": "parent",
                               "token": welcome.parent_token})
    parent_welcome = out[-1].message
    assert parent_welcome.resume_token is None and parent_welcome.snapshot["me"]["cash"] == 100000.0
    classroom.teacher("start")
    classroom.tick(3)
    refused = classroom.send("p", {"type": "order", "client_order_id": "p1", "symbol": "510300", "side": "buy",
                                   "qty": 100})
    assert [m.code for m in classroom.delivered(refused, "p")] == ["read_only"]
    assert classroom.delivered(classroom.send("p", {"type": "chat", "text": "hi"}), "p")[0].code == "read_only"
    assert classroom.room.market.account("s1").trades == []
    ann_fill = _buy(classroom, "a", "a1")
    bo_fill = _buy(classroom, "b", "b1")
    assert any(isinstance(m, Fill) for m in classroom.delivered(ann_fill, "p"))
    assert classroom.delivered(bo_fill, "p") == []


def test_wrong_join_code_and_wrong_teacher_token_are_refused(classroom):
    out = classroom.send("x", {"type": "hello", "v": 1, "room": "r1", "name": "X", "join_code": "AAAAAAA"})
    assert out[0].message.code == "bad_join"
    out = classroom.send("y", {"type": "hello", "v": 1, "room": "r1", "name": "Y", "role": "teacher", "token": "no"})
    assert out[0].message.code == "bad_token"
    out = classroom.send("z", {"type": "order", "client_order_id": "1", "symbol": "510300", "side": "buy", "qty": 1})
    assert out[0].message.code == "not_joined"
    out = classroom.join("w", "W")  # the code typed in lower case with a dash still works
    assert isinstance(out, Welcome)


def test_poses_are_relayed_at_15_hz_from_a_90_hz_headset(classroom):
    classroom.join("a", "Ann")
    classroom.join("b", "Bo")
    pose = {"type": "pose", "head": [0, 1.6, 0, 0, 0, 0, 1], "hands": []}
    relays = 0
    for _ in range(400):  # 20 s of ticks; the headset sends ~4.5 poses per 50 ms tick (90 Hz)
        for j in range(4):
            classroom.send("a", pose, now_s=classroom.now_s + j * 0.011)
        relays += len(classroom.delivered(classroom.tick(), "b", "poses"))
    assert 14.5 * 20 <= relays <= 15.5 * 20
    assert all(o.target != "p" for o in classroom.tick())


def test_fuzzed_frames_never_crash_the_room_nor_touch_other_clients(classroom):
    classroom.join("a", "Ann")
    classroom.join("b", "Bo")
    classroom.teacher("start")
    classroom.tick(3)
    _buy(classroom, "b", "b1")
    bob = classroom.room.market.account("s2")
    bob_before = (bob.cash, dict((s, p.qty) for s, p in bob.positions.items()), len(bob.trades))
    gen = mutated_frames(random.Random(11))
    closes = 0
    for i in range(10_000):
        out = classroom.send(f"f{i % 5}", next(gen), now_s=classroom.now_s + i * 0.01)
        for o in out:
            assert o.target in (f"f{i % 5}", BROADCAST, "@participants")
            assert not (o.target == "b" or isinstance(o.message, Fill))
            closes += isinstance(o.message, Close)
        if i % 500 == 0:
            classroom.tick()
    assert (bob.cash, dict((s, p.qty) for s, p in bob.positions.items()), len(bob.trades)) == bob_before
    assert closes > 0  # persistent offenders are told to go (1008)
    assert isinstance(classroom.room.market.account("s1"), Account)
    deltas = classroom.delivered(classroom.tick(), "b", "delta")
    assert deltas and isinstance(deltas[0], Delta)


def test_rate_limited_orders_get_an_error_and_a_flood_gets_closed(classroom):
    classroom.join("a", "Ann")
    classroom.teacher("start")
    classroom.tick(3)
    replies = [classroom.send("a", {"type": "cancel", "client_order_id": f"c{i}"})[0].message for i in range(40)]
    codes = [m.code if isinstance(m, Error | RejectMsg) else m.TYPE for m in replies]
    assert codes[:10] == ["unknown_order"] * 10  # burst of 10 in the order class
    assert codes[10] == "rate_limited"
    assert "close" in codes  # 20 strikes at the same instant: close 1008
    assert next(m for m in replies if isinstance(m, Close)).code == 1008
