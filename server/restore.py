"""Rebuild a room after a restart from its journal: the seeded market is replayed, not stored.

Why replay instead of snapshots: the market is deterministic (same seed, same calls → same prices and
fills), so the journal of accepted actions is the whole truth. Each ``JournalEntry`` carries the
market step it happened at; replay advances a fresh market one step at a time to that step and applies
the action through the same code the live room used (``Room._order``, ``handle_teacher``), so a rule
still lives once. Fills are journaled too, as an audit trail: replay counts the fills it reproduces and
logs loudly if they differ from the journal.

What is not exact: the market's sub-step clock remainder (under one step) and, when a tick moved the
market by more than one step (speed above ~2.5), leaderboard samples, which the live room takes once
per tick and replay once per step; cash, positions and orders are exact. Otherwise replay samples where
the live room did: at a tick boundary (before the action journaled after it), and at the end of a contest
that ran out of time with a forced sample in place of that tick's own, so a report rebuilt from the
journal shows the leaderboard the class saw.
A room that ran after its last journaled entry resumes from the last ``clock`` entry (at most
``CLOCK_JOURNAL_PERIOD_S`` of market time is replayed differently: it is simply run again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from vbranch.server.messages import Cancel, Order, Role, Teacher, TeacherCmd
from vbranch.server.protocol import decode
from vbranch.server.room import Room
from vbranch.server.seats import Conn, JournalEntry
from vbranch.server.teacher import handle_teacher

__all__ = ["ROOM_CREATED", "ReplayMismatch", "restore_room"]

log = logging.getLogger(__name__)

ROOM_CREATED = "room_created"  # the lobby's first entry of a room: {"teacher_token": …}
_REPLAY_ID = "~replay"


class ReplayMismatch(RuntimeError):
    """The replayed room disagrees with its journal (a code change broke determinism)."""


def _advance_to(room: Room, market_step: int, sample_last: bool = True) -> None:
    market = room.market
    while market is not None and market.t_step < market_step and not market.finished:
        room._route(market.advance(1))  # fills and notices are re-derived; their messages go nowhere
        if sample_last or market.t_step < market_step:
            room._sample()


def _replay_conn(room: Room, role: Role, seat_id: str | None) -> Conn:
    conn = room._conn(_REPLAY_ID)
    conn.role, conn.seat_id = role, seat_id
    return conn


def _apply(room: Room, entry: JournalEntry) -> None:
    payload, now_s = entry.payload, entry.now_s
    if entry.kind == "seat":
        seat = room.new_seat(payload["name"], now_s, payload["resume_token"], payload["parent_token"])
        if seat.seat_id != entry.actor:
            raise ReplayMismatch(f"seat {entry.actor} came back as {seat.seat_id}")
    elif entry.actor == "teacher":
        args = {k: v for k, v in payload.items() if k != "join_code"}
        handle_teacher(room, _replay_conn(room, Role.TEACHER, None), Teacher(TeacherCmd(entry.kind), args), now_s)
        if entry.kind == TeacherCmd.CREATE_CONTEST.value:
            room.contest.join_code = payload["join_code"]
    elif entry.actor == "room" and entry.kind == "end":
        room.contest.end()
        room._sample(force=True)  # the live room's last sample (``Room._final_board``)
    elif entry.kind == "order":
        msg = decode(json.dumps(payload["msg"]))
        if not isinstance(msg, Order):
            raise ReplayMismatch(f"journaled order does not decode: {msg}")
        room._order(_replay_conn(room, Role.LEARNER, entry.actor), msg, now_s)
        order_id = room.seats[entry.actor].order_ids.get(msg.client_order_id)
        if order_id != payload["order_id"]:
            raise ReplayMismatch(f"order {msg.client_order_id} replayed as {order_id}, not {payload['order_id']}")
    elif entry.kind == "cancel":
        room._cancel(_replay_conn(room, Role.LEARNER, entry.actor), Cancel(payload["client_order_id"]), now_s)
    # "clock" and "fill" entries only move the clock (above) or are checked at the end


def restore_room(room_id: str, teacher_token: str, entries: Iterable[JournalEntry],
                 build: Callable[[str, str], Room] = Room) -> Room:
    """The room as it was at its last journaled entry (seats free, waiting for ``resume_token``).

    Args:
        room_id: the room's id.
        teacher_token: the token from the room's creation record.
        entries: the room's journal in the order it was written (``ROOM_CREATED`` entries are skipped).
        build: makes the empty room (the lobby's own factory, so restored rooms have its settings).

    Returns:
        A ``Room`` whose market, contest, seats, cash, positions and live orders equal the journaled ones.

    Raises:
        ReplayMismatch: an order id or the number of fills differs from the journal.
    """
    room = build(room_id, teacher_token)
    journaled_fills = 0
    last: JournalEntry | None = None
    for entry in entries:
        if entry.kind == ROOM_CREATED:
            continue
        # the live room samples once per tick; the tick that ran out of time took a forced sample instead
        in_tick_end = entry.actor == "room" and entry.kind == "end"
        _advance_to(room, entry.market_step, sample_last=not in_tick_end)
        if last is not None and entry.tick > last.tick and not in_tick_end:
            room._sample()  # this action came after a tick, which sampled if a sample was due
        if room.contest is not None:
            room.contest.elapsed_s = entry.elapsed_s
        journaled_fills += entry.kind == "fill"
        _apply(room, entry)
        last = entry
    replayed_fills = sum(e.kind == "fill" for e in room.take_journal())
    room.leave(_REPLAY_ID, 0.0)
    if last is not None:
        room.tick_no = last.tick
        if room.contest is not None:
            room.contest.elapsed_s = last.elapsed_s
    if replayed_fills != journaled_fills:
        raise ReplayMismatch(f"room {room_id}: replay made {replayed_fills} fills, the journal has {journaled_fills}")
    log.info("room %s restored: %d seats, market step %d", room_id, len(room.seats),
             room.market.t_step if room.market else 0)
    return room
