"""Many rooms in one process: a connection's first ``hello`` decides which room it belongs to.

Why a Sans-I/O lobby: routing is a rule (a join code finds its room, a teacher without a room opens
one), so it lives in a plain class the tests drive with frames, like ``Room``. The shell gives every
connection an id, feeds its frames to ``receive_frame`` and sends what comes back; after the first
accepted ``hello`` the lobby just forwards to that connection's room.

Routing a ``hello``: ``room`` names the room; without it a ``join_code`` finds the room whose open
contest has that code, a ``resume_token`` (learner) or a parent ``token`` finds the room holding that
seat, and a teacher with no room opens a new one and gets its ``teacher_token`` in the ``welcome``.
Before a connection is routed the lobby applies the same hello rate limit and strike budget a room does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from vbranch.server import auth
from vbranch.server.contest import ContestState
from vbranch.server.messages import Close, Hello, Role, Welcome
from vbranch.server.protocol import CLOSE_POLICY, ErrorCode, ProtocolError, decode
from vbranch.server.ratelimit import DEFAULT_LIMITS, RateLimiter, RateLimits
from vbranch.server.restore import ROOM_CREATED
from vbranch.server.room import Room, error_for
from vbranch.server.seats import JournalEntry, Outgoing

__all__ = ["ROOM_ID_CHARS", "LEADERBOARD_PERIOD_S", "Lobby"]

log = logging.getLogger(__name__)

ROOM_ID_CHARS = 8
# A 40-row board is ~6 KB: every 10 s it costs ~30 B per client per tick (at 5 s it was ~63 B, a third of the budget)
LEADERBOARD_PERIOD_S = 10.0


class Lobby:
    """Rooms by id and which room each connection is in. ``room_factory(room_id, teacher_token)`` builds one."""

    def __init__(self, *, limits: RateLimits = DEFAULT_LIMITS,
                 room_factory: Callable[[str, str], Room] | None = None) -> None:
        self.limits = limits
        self.rooms: dict[str, Room] = {}
        self._room_factory = room_factory or (lambda room_id, token: Room(
            room_id, token, limits=limits, leaderboard_period_s=LEADERBOARD_PERIOD_S))
        self._route: dict[str, str] = {}  # client id -> room id, after an accepted hello
        self._pending: dict[str, RateLimiter] = {}  # connected, not yet in a room
        self._journal: list[tuple[str, JournalEntry]] = []

    # ----- shell API ---------------------------------------------------------------------------------------
    def room_of(self, client_id: str) -> Room | None:
        room_id = self._route.get(client_id)
        return self.rooms.get(room_id) if room_id is not None else None

    def open_room(self, now_s: float) -> Room:
        """A new, empty room with a fresh teacher token (journaled as ``room_created``)."""
        room_id = auth.new_code(ROOM_ID_CHARS)
        while room_id in self.rooms:
            room_id = auth.new_code(ROOM_ID_CHARS)
        token = auth.new_token()
        room = self.rooms[room_id] = self.build_room(room_id, token)
        self._journal.append((room_id, JournalEntry(0, now_s, "lobby", ROOM_CREATED, {"teacher_token": token})))
        log.info("room %s opened", room_id)
        return room

    def build_room(self, room_id: str, teacher_token: str) -> Room:
        """An empty room with this lobby's settings (not yet listed: ``open_room`` or ``add_room`` does that)."""
        return self._room_factory(room_id, teacher_token)

    def add_room(self, room: Room) -> None:
        """A room restored from the journal after a restart."""
        self.rooms[room.room_id] = room

    def take_journal(self) -> list[tuple[str, JournalEntry]]:
        """Every room's new journal entries (room id, entry), in order; persist them before sending."""
        out, self._journal = self._journal, []
        for room_id, room in self.rooms.items():
            out += [(room_id, entry) for entry in room.take_journal()]
        return out

    def receive_frame(self, client_id: str, frame: str | bytes, now_s: float) -> list[Outgoing]:
        """One frame from ``client_id``: forwarded to its room, or routed by its first ``hello``."""
        room = self.room_of(client_id)
        if room is not None:
            return room.receive_frame(client_id, frame, now_s)
        limiter = self._pending.setdefault(client_id, RateLimiter(self.limits))
        message = decode(frame)
        if isinstance(message, ProtocolError):
            if message.close_code is not None:
                return [Outgoing(client_id, Close(message.close_code, message.code.value))]
            return self._refuse(client_id, limiter, message.code, now_s, "en", message.detail)
        lang = getattr(message, "lang", "en")
        if not limiter.allow(message.TYPE, now_s):
            return self._refuse(client_id, limiter, ErrorCode.RATE_LIMITED, now_s, lang)
        if not isinstance(message, Hello):
            return self._refuse(client_id, limiter, ErrorCode.NOT_JOINED, now_s, lang)
        target, extra = self._find_room(message, now_s)
        if target is None:
            return self._refuse(client_id, limiter, ErrorCode.BAD_JOIN, now_s, lang)
        hello = replace(message, room=target.room_id, **extra)
        out = target.receive(client_id, hello, now_s)
        if not any(isinstance(o.message, Welcome) for o in out):  # the room said no: stay in the lobby
            target.leave(client_id, now_s)
            limiter.strike(now_s)
            return out
        self._pending.pop(client_id, None)
        self._route[client_id] = target.room_id
        if "token" in extra:  # the teacher who opened the room learns its token, once
            out = [replace(o, message=replace(o.message, teacher_token=extra["token"]))
                   if isinstance(o.message, Welcome) else o for o in out]
        return out

    def leave(self, client_id: str, now_s: float) -> list[Outgoing]:
        """The connection closed."""
        self._pending.pop(client_id, None)
        room = self.room_of(client_id)
        self._route.pop(client_id, None)
        return room.leave(client_id, now_s) if room is not None else []

    # ----- internals --------------------------------------------------------------------------------------
    def _refuse(self, client_id: str, limiter: RateLimiter, code: ErrorCode, now_s: float, lang: str,
                detail: str = "") -> list[Outgoing]:
        if not limiter.strike(now_s):
            return [Outgoing(client_id, Close(CLOSE_POLICY, "too many refused messages"))]
        return [Outgoing(client_id, error_for(code, lang, detail))]

    def _find_room(self, hello: Hello, now_s: float) -> tuple[Room | None, dict]:
        """The room this hello asks for, plus hello fields to fill in (a new room's teacher token)."""
        if hello.room is not None:
            return self.rooms.get(hello.room), {}
        if hello.role is Role.TEACHER:
            if hello.token is not None:  # a teacher token alone finds its room again
                return next((r for r in self.rooms.values() if auth.same_secret(hello.token, r.teacher_token)),
                            None), {}
            room = self.open_room(now_s)
            return room, {"token": room.teacher_token}
        if hello.role is Role.PARENT:
            return next((r for r in self.rooms.values()
                         if any(auth.same_secret(hello.token, s.parent_token) for s in r.seats.values())), None), {}
        if hello.resume_token is not None:
            code = auth.normalise_code(hello.resume_token)
            return next((r for r in self.rooms.values()
                         if any(auth.same_secret(code, s.resume_token) for s in r.seats.values())), None), {}
        if hello.join_code is not None:
            code = auth.normalise_code(hello.join_code)
            return next((r for r in self.rooms.values() if r.contest is not None
                         and r.contest.state is not ContestState.ENDED
                         and auth.same_secret(code, r.contest.join_code)), None), {}
        return None, {}
