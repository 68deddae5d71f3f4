"""The teacher's controls: create and configure a contest, start, pause, speed, inject an event, end.

Why apart from ``room``: these are the only commands that change the room for everyone, each with a
rule worth reading on its own (settings lock at the start, an injected crash goes through the market's
own jump so price limits still bite). The room has already checked the teacher token.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vbranch.server import auth
from vbranch.server.contest import BadTransition, Contest, ContestSettings, ContestState, SettingsError, SettingsLocked
from vbranch.server.messages import Teacher, TeacherCmd
from vbranch.server.protocol import ErrorCode

if TYPE_CHECKING:
    from vbranch.server.room import Room

__all__ = ["EVENT_DEFAULT_PCT", "handle_teacher"]

log = logging.getLogger(__name__)

EVENT_DEFAULT_PCT = {"crash": -20.0, "rally": 10.0}


def handle_teacher(room: Room, conn: Any, msg: Teacher, now_s: float) -> list:
    """Apply one teacher command; returns the room's outgoing messages (errors to the teacher only)."""
    from vbranch.server.room import BROADCAST, Outgoing

    cmd, args = msg.cmd, msg.args
    try:
        if cmd is TeacherCmd.CREATE_CONTEST:
            if room.contest is not None and room.contest.state is not ContestState.ENDED:
                raise BadTransition("a contest is already open; end it first")
            settings = ContestSettings.from_args(args)
            room.build_market(settings)
            room.contest = Contest(settings, auth.join_code())
        elif room.contest is None:
            return room._refuse(conn, ErrorCode.NO_CONTEST, now_s)
        elif cmd is TeacherCmd.CONFIGURE:
            if room.contest.state is not ContestState.CREATED:
                raise SettingsLocked
            settings = ContestSettings.from_args(args, room.contest.settings)
            room.build_market(settings)
            room.contest.configure(settings)
        elif cmd is TeacherCmd.START:
            room.contest.start()
        elif cmd is TeacherCmd.PAUSE:
            room.contest.pause()
        elif cmd is TeacherCmd.RESUME:
            room.contest.resume()
        elif cmd is TeacherCmd.SET_SPEED:
            room.market.set_speed(float(args["speed"]))
        elif cmd is TeacherCmd.INJECT_EVENT:
            if room.contest.state not in (ContestState.RUNNING, ContestState.PAUSED):
                raise BadTransition("events can be injected while the contest runs or is paused")
            pct = float(args.get("pct", EVENT_DEFAULT_PCT.get(args["event"], 0.0)))
            symbols = tuple(args["symbols"]) if "symbols" in args else None
            try:
                room.market.inject_jump(pct, symbols)
            except (KeyError, ValueError) as exc:
                raise SettingsError(f"inject_event: {exc}") from None
        elif cmd is TeacherCmd.END:
            room.contest.end()
            room._journal_add("teacher", cmd.value, dict(args), now_s)
            return room._final_board()
        elif cmd is TeacherCmd.LEADERBOARD:
            return [Outgoing(conn.client_id, room.leaderboard_message())]
    except SettingsLocked:
        return room._refuse(conn, ErrorCode.SETTINGS_LOCKED, now_s)
    except BadTransition as exc:
        return room._refuse(conn, ErrorCode.BAD_STATE, now_s, detail=str(exc))
    except SettingsError as exc:
        return room._refuse(conn, ErrorCode.BAD_SETTINGS, now_s, detail=str(exc))
    journaled = {**args, "join_code": room.contest.join_code} if cmd is TeacherCmd.CREATE_CONTEST else dict(args)
    room._journal_add("teacher", cmd.value, journaled, now_s)
    log.info("room %s: teacher %s %s", room.room_id, cmd.value, args)
    # everyone learns the new state; the teacher's own copy (with the join code) comes last so it wins
    return [Outgoing(BROADCAST, room.contest_info(with_code=False)),
            Outgoing(conn.client_id, room.contest_info(with_code=True))]
