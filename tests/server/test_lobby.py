"""The lobby: a teacher without a room opens one, join and resume codes find their room, strangers stay out."""

import json

from vbranch.server.lobby import Lobby
from vbranch.server.messages import Close, ContestInfo, Error, Lookup, Redirect, Wake, Welcome
from vbranch.server.protocol import CLOSE_REDIRECT
from vbranch.server.restore import ROOM_CREATED, restore_room


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


# ----- several processes: the directory lookup ------------------------------------------------------------------
def test_a_code_this_process_lacks_is_looked_up_and_answered_with_a_redirect_then_a_close():
    lobby = Lobby(directory=True)
    _, code = _open_contest(lobby)
    assert isinstance(_send(lobby, "a", _hello(join_code=code))[-1].message, Welcome)  # ours: no lookup
    ask = _send(lobby, "b", _hello(join_code="QQQQ777"))
    assert [o.message for o in ask] == [Lookup(None, "QQQQ777")]
    redirect, close = (o.message for o in lobby.directory_answer("b", "room42", "ws://10.0.0.7:8765", 0.1))
    assert redirect == Redirect("ws://10.0.0.7:8765", "room42") and close == Close(CLOSE_REDIRECT, "redirect")
    assert lobby.room_of("b") is None and lobby.directory_answer("b", "room42", "ws://x:1", 0.2) == []  # answered once
    assert [o.message for o in _send(lobby, "c", _hello(room="room42"), 1.0)] == [Lookup("room42", None)]
    assert lobby.directory_answer("c", None, None, 1.1)[0].message.code == "bad_join"  # unknown everywhere


def test_without_a_directory_an_unknown_code_is_refused_at_once():
    lobby = Lobby()
    assert _send(lobby, "b", _hello(join_code="QQQQ777"))[0].message.code == "bad_join"
    assert _send(lobby, "c", _hello(resume_token="ABCDEFGHJK"), 2.0)[0].message.code == "bad_join"


# ----- idle rooms: unloaded, then woken from the journal ----------------------------------------------------------
class _Journal:
    """The entries the shell would have committed, and the rebuilt room a shell hands to ``Lobby.woken``."""

    def __init__(self):
        self.entries, self.lobby, self.wakes = [], None, 0

    def commit(self):
        self.entries += self.lobby.take_journal()

    def answer(self, out, now_s):
        """What the shell does with a ``Wake``: replay the room's journal, give the room back to the lobby."""
        if not (out and isinstance(out[0].message, Wake)):
            return out
        self.wakes += 1
        room_id = out[0].message.room_id
        entries = [e for r, e in self.entries if r == room_id]
        token = next(e.payload["teacher_token"] for e in entries if e.kind == ROOM_CREATED)
        return self.lobby.woken(out[0].target, restore_room(room_id, token, entries, self.lobby.build_room), now_s)

    def send(self, cid, obj, now_s):
        return self.answer(_send(self.lobby, cid, obj, now_s), now_s)


def _lobby_with_journal():
    journal = _Journal()
    journal.lobby = lobby = Lobby(wakeable=True)
    return lobby, journal


def _trade_and_end(lobby, journal):
    welcome, code = _open_contest(lobby)
    ann = _send(lobby, "a", _hello(join_code=code))[-1].message
    room = lobby.rooms[welcome.room]
    _send(lobby, "t", {"type": "teacher", "cmd": "start"})
    for i in range(20):
        room.tick(0.05 * (i + 1))
    _send(lobby, "a", {"type": "order", "client_order_id": "o1", "symbol": "510300", "side": "buy", "qty": 300}, 1.0)
    for i in range(20):
        room.tick(1.0 + 0.05 * (i + 1))
    journal.commit()
    return welcome, ann, room


def test_an_empty_room_with_a_running_contest_stays_and_an_ended_one_goes_after_the_idle_time():
    lobby, journal = _lobby_with_journal()
    welcome, _, room = _trade_and_end(lobby, journal)
    for cid in ("a", "t"):
        lobby.leave(cid, 2.0)
    assert lobby.sweep(10.0, idle_s=60) == [] and lobby.sweep(100.0, idle_s=60) == []  # running: never idle
    _send(lobby, "t2", _hello(role="teacher", token=welcome.teacher_token), 100.0)
    _send(lobby, "t2", {"type": "teacher", "cmd": "end"}, 100.5)
    assert lobby.sweep(101.0, idle_s=60) == []  # ended, but the teacher is still there
    lobby.leave("t2", 102.0)
    assert lobby.sweep(103.0, idle_s=60) == []  # idle from now on
    assert lobby.sweep(162.0, idle_s=60) == []  # 59 s
    assert lobby.sweep(163.0, idle_s=60) == [room]
    assert lobby.rooms == {} and set(lobby.dormant) == {welcome.room}
    assert [e.kind for _, e in lobby.take_journal()][-1:] == ["end"]  # its last entries are not lost


def test_a_resume_code_wakes_an_unloaded_room_with_the_seat_as_it_was():
    lobby, journal = _lobby_with_journal()
    welcome, ann, room = _trade_and_end(lobby, journal)
    _send(lobby, "t", {"type": "teacher", "cmd": "end"}, 2.0)
    before = (room.market.account("s1").cash, room.market.account("s1").held("510300"))
    for cid in ("a", "t"):
        lobby.leave(cid, 2.0)
    journal.commit()
    lobby.sweep(3.0, idle_s=1)
    assert lobby.sweep(4.5, idle_s=1) == [room] and journal.wakes == 0
    back = journal.send("a2", _hello(resume_token=ann.resume_token.lower()), 10.0)[-1].message
    assert isinstance(back, Welcome) and back.room == welcome.room and journal.wakes == 1
    woken = lobby.rooms[welcome.room]
    assert woken is not room and lobby.dormant == {}
    assert (woken.market.account("s1").cash, woken.market.account("s1").held("510300")) == before
    assert before[1] == 300 and woken.contest.state.name == "ENDED"


def test_the_teacher_token_and_the_room_id_wake_it_too_but_a_stranger_does_not():
    lobby, journal = _lobby_with_journal()
    welcome, _, room = _trade_and_end(lobby, journal)
    _send(lobby, "t", {"type": "teacher", "cmd": "end"}, 2.0)
    for cid in ("a", "t"):
        lobby.leave(cid, 2.0)
    journal.commit()
    lobby.sweep(3.0, idle_s=1)
    lobby.sweep(5.0, idle_s=1)
    assert journal.send("z", _hello(resume_token="ABCDEFGHJK"), 6.0)[0].message.code == "bad_join"
    assert journal.wakes == 0
    back = journal.send("t2", _hello(role="teacher", token=welcome.teacher_token), 7.0)
    assert back[0].message.room == welcome.room and journal.wakes == 1 and len(lobby.rooms) == 1
    lobby.leave("t2", 8.0)
    lobby.sweep(9.0, idle_s=1)
    assert lobby.sweep(10.5, idle_s=1) != [] and not lobby.rooms
    assert journal.send("t3", _hello(role="teacher", room=welcome.room, token=welcome.teacher_token),
                        11.0)[0].message.room == welcome.room
    assert journal.wakes == 2


def test_without_a_way_to_wake_rooms_nothing_is_unloaded():
    lobby = Lobby()
    _open_contest(lobby)
    lobby.leave("t", 1.0)
    assert lobby.sweep(0.0, idle_s=0) == [] and lobby.sweep(1e6, idle_s=0) == [] and len(lobby.rooms) == 1


def test_two_hellos_waking_one_room_share_the_first_copy_and_a_failed_wake_is_a_bad_join():
    lobby, journal = _lobby_with_journal()
    welcome, ann, room = _trade_and_end(lobby, journal)
    _send(lobby, "t", {"type": "teacher", "cmd": "end"}, 2.0)
    for cid in ("a", "t"):
        lobby.leave(cid, 2.0)
    journal.commit()
    lobby.sweep(3.0, idle_s=1)
    lobby.sweep(5.0, idle_s=1)
    first = _send(lobby, "a2", _hello(resume_token=ann.resume_token), 6.0)
    second = _send(lobby, "t2", _hello(role="teacher", token=welcome.teacher_token), 6.0)
    assert [o.message for o in first + second] == [Wake(welcome.room), Wake(welcome.room)]
    assert lobby.woken("x", None, 6.1) == []  # nobody by that id was waiting
    copy_1, copy_2 = (restore_room(welcome.room, welcome.teacher_token, [e for _, e in journal.entries],
                                   lobby.build_room) for _ in range(2))
    assert isinstance(lobby.woken("t2", copy_1, 6.5)[0].message, Welcome)
    assert isinstance(lobby.woken("a2", copy_2, 6.6)[-1].message, Welcome)
    assert lobby.rooms[welcome.room] is copy_1 and lobby.room_of("a2") is copy_1
    lobby.leave("a2", 7.0)
    lobby.leave("t2", 7.0)
    lobby.sweep(8.0, idle_s=1)
    lobby.sweep(9.5, idle_s=1)
    assert _send(lobby, "a3", _hello(resume_token=ann.resume_token), 10.0)[0].message == Wake(welcome.room)
    assert lobby.woken("a3", None, 10.5)[0].message.code == "bad_join"  # the journal could not rebuild it
    assert welcome.room in lobby.dormant  # still asleep: the next hello tries again


# ----- several processes on one journal: rooms taken over, rooms lost -----------------------------------------------
def test_a_room_taken_over_from_a_dead_process_is_adopted_though_it_never_slept_here():
    elsewhere, journal = _lobby_with_journal()  # the process that died
    welcome, ann, _ = _trade_and_end(elsewhere, journal)
    entries = [e for _, e in journal.entries]
    here = Lobby(directory=True, wakeable=True)
    hello = _hello(room=welcome.room, resume_token=ann.resume_token)
    assert [o.message for o in _send(here, "a1", hello, 5.0)] == [Lookup(welcome.room, None)]
    stray = restore_room(welcome.room, welcome.teacher_token, entries, here.build_room)
    assert here.woken("a1", stray, 5.1)[0].message.code == "bad_join"  # not adopted, never dormant: refused
    assert here.rooms == {}
    _send(here, "a2", hello, 6.0)
    copy = restore_room(welcome.room, welcome.teacher_token, entries, here.build_room)
    back = here.woken("a2", copy, 6.5, adopted=True)[-1].message
    assert isinstance(back, Welcome) and back.resume_token == ann.resume_token and here.rooms == {welcome.room: copy}
    assert copy.market.account("s1").held("510300") == 300


def test_a_room_another_process_owns_now_is_dropped_with_its_connections_and_unsaved_entries():
    lobby, journal = _lobby_with_journal()
    welcome, ann, room = _trade_and_end(lobby, journal)
    _, other_code = _open_contest(lobby, "t9")
    _send(lobby, "a", {"type": "order", "client_order_id": "o2", "symbol": "510300", "side": "buy", "qty": 100}, 2.0)
    assert sorted(lobby.drop(welcome.room)) == ["a", "t"]
    assert welcome.room not in lobby.rooms and lobby.room_of("a") is None and len(lobby.rooms) == 1
    assert {r for r, _ in lobby.take_journal()} == set(lobby.rooms)  # o2 was never ours to write
    assert lobby.drop("never-here") == []
    assert _send(lobby, "a", _hello(join_code=other_code), 3.0)[-1].message.room != welcome.room
