"""The lobby: a teacher without a room opens one, join and resume codes find their room, strangers stay out."""

import json

from vbranch.server.lobby import Lobby
from vbranch.server.messages import Close, ContestInfo, Error, Welcome


def _send(lobby, cid, obj, now_s=0.0):
    return lobby.receive_frame(cid, json.dumps(obj), now_s)


def _hello(**fields):
    return {"type": "hello", "v": 1, "name": "x", **fields}


def _open_contest(lobby, cid="t"):
    welcome = _send(lobby, cid, _hello(role="teacher"))[0].message
    out = _send(lobby, cid, {"type": "teacher", "cmd": "create_contest", "scenario": "crash"})
    return welcome, out[-1].message.join_code


def test_teacher_without_room_opens_one_and_gets_its_token():
    lobby = Lobby()
    welcome, join_code = _open_contest(lobby)
    assert isinstance(welcome, Welcome) and welcome.role == "teacher"
    assert len(lobby.rooms) == 1 and welcome.room in lobby.rooms
    assert welcome.teacher_token == lobby.rooms[welcome.room].teacher_token
    assert len(welcome.teacher_token) >= 20 and len(join_code) == 7
    kinds = [e.kind for _, e in lobby.take_journal()]
    assert kinds[0] == "room_created" and "create_contest" in kinds


def test_join_code_routes_learners_to_the_right_room_of_two():
    lobby = Lobby()
    w1, code1 = _open_contest(lobby, "t1")
    w2, code2 = _open_contest(lobby, "t2")
    a = _send(lobby, "a", _hello(join_code=code2.lower()))[-1].message
    b = _send(lobby, "b", _hello(join_code=code1))[-1].message
    assert (a.room, b.room) == (w2.room, w1.room)
    assert a.teacher_token is None and a.resume_token
    assert lobby.room_of("a").room_id == w2.room
    assert list(lobby.rooms[w2.room].seats) == ["s1"]


def test_resume_token_alone_finds_the_seat_after_leaving():
    lobby = Lobby()
    w, code = _open_contest(lobby)
    first = _send(lobby, "a", _hello(join_code=code))[-1].message
    lobby.leave("a", 1.0)
    again = _send(lobby, "a2", _hello(resume_token=first.resume_token), now_s=2.0)[-1].message
    assert isinstance(again, Welcome) and again.room == w.room and again.resume_token == first.resume_token
    assert lobby.rooms[w.room].seats["s1"].client_id == "a2"


def test_teacher_token_alone_returns_to_the_room_without_opening_another():
    lobby = Lobby()
    w, _ = _open_contest(lobby)
    back = _send(lobby, "t2", _hello(role="teacher", token=w.teacher_token))
    assert back[0].message.room == w.room and back[0].message.teacher_token is None
    assert isinstance(back[-1].message, ContestInfo) and len(lobby.rooms) == 1


def test_unknown_codes_and_early_orders_get_errors_then_a_policy_close():
    lobby = Lobby()
    _open_contest(lobby)
    assert _send(lobby, "z", _hello(join_code="ZZZZZZZ"))[0].message.code == "bad_join"
    assert _send(lobby, "z", _hello(room="nope"), 5.0)[0].message.code == "bad_join"
    order = {"type": "order", "client_order_id": "o", "symbol": "510300", "side": "buy", "qty": 100}
    assert _send(lobby, "z", order, 10.0)[0].message.code == "not_joined"
    assert lobby.room_of("z") is None
    replies = [_send(lobby, "z", "not json", 10.0)[0].message for _ in range(40)]
    assert isinstance(replies[0], Error) and isinstance(replies[-1], Close) and replies[-1].code == 1008
    assert all(len(r.seats) == 0 for r in lobby.rooms.values())
