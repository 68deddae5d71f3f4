"""A restart rebuilds rooms from the SQLite journal: same seats, cash, positions, orders and prices."""

import json

import pytest
from room_helpers import TEACHER_TOKEN, Classroom

from vbranch.server.journal import Journal, db_path_from
from vbranch.server.restore import ReplayMismatch, restore_room


def _order(c, cid, coid, **fields):
    return c.send(cid, {"type": "order", "client_order_id": coid, "symbol": "510300", "side": "buy", **fields})


def _busy_classroom():
    c = Classroom(scenario="crash", starting_cash=100000, seed=7)
    c.join("a", "Ann")
    c.join("b", "Bo")
    c.teacher("start")
    c.tick(30)
    _order(c, "a", "a1", cash=30000, stop_pct=3.0)  # entry with an OCO stop bracket
    _order(c, "b", "b1", qty=500)
    c.tick(40)
    _order(c, "b", "b2", qty=300, kind="limit", limit=1.0)  # rests far below the market
    c.teacher("set_speed", speed=8.0)
    c.tick(60)
    c.teacher("inject_event", event="crash")
    c.tick(200)  # the crash fires Ann's stop
    c.send("b", {"type": "cancel", "client_order_id": "b2"})
    _order(c, "a", "a2", pct=50)
    c.tick(37)
    c.teacher("pause")  # the last journaled action: the room to compare with is exactly here
    return c


def _accounts(room):
    out = {}
    for seat_id, seat in room.seats.items():
        acct = room.market.account(seat_id)
        out[seat_id] = (seat.name, seat.resume_token, round(acct.cash, 6), len(acct.trades),
                        {s: (p.qty, round(p.avg_cost, 6)) for s, p in acct.positions.items() if p.qty},
                        sorted((o.order_id, o.status.value) for o in room.market.desk.live_orders(seat_id)))
    return out


def test_replayed_room_equals_the_live_room(tmp_path):
    c = _busy_classroom()
    live = c.room
    journal = Journal(tmp_path / "j.sqlite3")
    assert journal.append(("r1", e) for e in live.take_journal()) > 10
    journal.close()
    entries = list(Journal(tmp_path / "j.sqlite3").entries("r1"))
    assert sum(e.kind == "fill" for e in entries) >= 3
    assert any(e.payload.get("reason") == "stop_loss" for e in entries if e.kind == "fill")
    back = restore_room("r1", TEACHER_TOKEN, entries)
    assert back.market.t_step == live.market.t_step and back.market.t_step > 50
    assert back.market.prices == live.market.prices
    assert _accounts(back) == _accounts(live)
    assert back.contest.join_code == live.contest.join_code and back.contest.state.name == "PAUSED"
    assert back.contest.elapsed_s == pytest.approx(live.contest.elapsed_s)
    assert back.market.clock.speed == 8.0
    assert all(s.client_id is None for s in back.seats.values()) and back.conns == {}


def test_restored_room_accepts_resume_and_new_orders(tmp_path):
    c = _busy_classroom()
    back = restore_room("r1", TEACHER_TOKEN, c.room.take_journal())
    token = c.room.seats["s2"].resume_token
    hello = {"type": "hello", "v": 1, "room": "r1", "name": "Bo", "resume_token": token}
    out = back.receive_frame("b9", json.dumps(hello), 1.0)
    me = out[-1].message.snapshot["me"]
    assert me["cash"] == round(c.room.market.account("s2").cash, 2)
    assert me["positions"]["510300"]["qty"] == c.room.market.account("s2").held("510300")


def test_a_tampered_journal_is_refused():
    c = _busy_classroom()
    entries = [e for e in c.room.take_journal() if not (e.kind == "fill" and e.actor == "s2")]
    with pytest.raises(ReplayMismatch):
        restore_room("r1", TEACHER_TOKEN, entries)


def test_database_urls():
    assert str(db_path_from("sqlite:////tmp/x.db")) == "/tmp/x.db"
    assert str(db_path_from("sqlite:///rel/x.db")) == "rel/x.db"
    assert str(db_path_from("/var/x.db")) == "/var/x.db"
    assert db_path_from(None).name == "journal.sqlite3"
    with pytest.raises(ValueError, match="names no SQLite file"):
        db_path_from("postgresql://u@h/db")
    with pytest.raises(ValueError):
        db_path_from("mysql://h/db")
