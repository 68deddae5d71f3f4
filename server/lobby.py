"""Many rooms in one process: a connection's first ``hello`` decides which room it belongs to.

Why a Sans-I/O lobby: routing is a rule (a join code finds its room, a teacher without a room opens
one), so it lives in a plain class the tests drive with frames, like ``Room``. The shell gives every
connection an id, feeds its frames to ``receive_frame`` and sends what comes back; after the first
accepted ``hello`` the lobby just forwards to that connection's room.

Routing a ``hello``: ``room`` names the room; without it a ``join_code`` finds the room whose open
contest has that code, a ``resume_token`` (learner) or a parent ``token`` finds the room holding that
seat, and a teacher with no room opens a new one and gets its ``teacher_token`` in the ``welcome``.
Before a connection is routed the lobby applies the same hello rate limit and strike budget a room does.

Several processes (``VBRANCH_REDIS``): a lobby built with ``directory=True`` does not refuse a ``hello``
whose ``room`` or ``join_code`` it does not know; it answers ``Lookup`` (a shell instruction, like
``Close``), the shell asks the room directory, and ``directory_answer`` turns what it found into a
``redirect`` to the owning process (then a close) or the usual ``bad_join``.

Idle rooms: ``sweep`` unloads a room nobody is connected to whose contest is over or never started,
once it has been idle for ``idle_s``. It keeps only the room's ``RoomKeys`` (ids and secrets, a few
hundred bytes); the journal keeps everything else. A later ``hello`` that matches those keys (a
learner's resume code, the teacher's token, the room id, an open contest's join code) is answered with
``Wake`` (another shell instruction): the shell rebuilds the room from the journal, off the event loop
(a 10-minute, 40-seat contest replays in ~0.5 s), and hands it to ``woken``; the hello then goes on as
if the room had never left. A lobby built with ``wakeable=False`` (no journal) unloads nothing, since
nothing could bring it back.

Rooms taken over (a shared journal, ``server/ownership``): the shell may answer a ``Lookup`` by taking over
a dead process's room; it hands the replayed room to ``woken`` with ``adopted=True`` (the room was never
dormant here). A room this process no longer owns leaves with ``drop``: its connections are forgotten
here, and the shell closes them so that they reconnect and are redirected to the new owner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from vbranch.server import auth
from vbranch.server.contest import ContestState
from vbranch.server.messages import Close, Hello, Lookup, Redirect, Role, Wake, Welcome
from vbranch.server.protocol import CLOSE_POLICY, CLOSE_REDIRECT, ErrorCode, ProtocolError, decode
from vbranch.server.ratelimit import DEFAULT_LIMITS, RateLimiter, RateLimits
from vbranch.server.restore import ROOM_CREATED
from vbranch.server.room import Room, error_for
from vbranch.server.seats import JournalEntry, Outgoing

__all__ = ["ROOM_ID_CHARS", "LEADERBOARD_PERIOD_S", "DEFAULT_IDLE_S", "RoomKeys", "open_join_code", "Lobby"]

log = logging.getLogger(__name__)

ROOM_ID_CHARS = 8
# A 40-row board is ~6 KB: every 10 s it costs ~30 B per client per tick (at 5 s it was ~63 B, a third of the budget)
LEADERBOARD_PERIOD_S = 10.0
DEFAULT_IDLE_S = 30 * 60.0  # an empty room with no contest running is unloaded after this long


def open_join_code(room: Room) -> str | None:
    """The join code that seats new learners in ``room`` now: its contest's, unless there is none or it ended."""
    contest = room.contest
    return contest.join_code if contest is not None and contest.state is not ContestState.ENDED else None


@dataclass(frozen=True)
class RoomKeys:
    """What routes a ``hello`` to a room: its id and its secrets (for unloaded rooms, all that stays in memory)."""

    room_id: str
    teacher_token: str
    join_code: str | None  # only while the contest is open
    resume_tokens: tuple[str, ...] = ()
    parent_tokens: tuple[str, ...] = ()

    @classmethod
    def of(cls, room: Room) -> RoomKeys:
        seats = room.seats.values()
        return cls(room.room_id, room.teacher_token, open_join_code(room), tuple(s.resume_token for s in seats),
                   tuple(s.parent_token for s in seats))

    def matches(self, hello: Hello) -> bool:
        """True if ``hello`` asks for this room (the routing rule of the module docstring)."""
        if hello.room is not None:
            return hello.room == self.room_id
        if hello.role is Role.TEACHER:
            return hello.token is not None and auth.same_secret(hello.token, self.teacher_token)
        if hello.role is Role.PARENT:
            return hello.token is not None and any(auth.same_secret(hello.token, t) for t in self.parent_tokens)
        if hello.resume_token is not None:
            code = auth.normalise_code(hello.resume_token)
            return any(auth.same_secret(code, t) for t in self.resume_tokens)
        if hello.join_code is not None and self.join_code is not None:
            return auth.same_secret(auth.normalise_code(hello.join_code), self.join_code)
        return False


def _idle(room: Room) -> bool:
    """Nobody connected and no contest under way (none, not started, or ended)."""
    return not room.conns and (room.contest is None or room.contest.state in (ContestState.CREATED,
                                                                              ContestState.ENDED))


class Lobby:
    """Rooms by id and which room each connection is in. ``room_factory(room_id, teacher_token)`` builds one.

    Args:
        limits: rate limits for connections not yet in a room (and for the rooms the default factory builds).
        room_factory: builds an empty room.
        wakeable: the shell can rebuild a room from the journal (``Wake``), so idle rooms may be unloaded.
        directory: ask the shell (``Lookup``) about rooms and join codes this process does not have.
    """

    def __init__(self, *, limits: RateLimits = DEFAULT_LIMITS,
                 room_factory: Callable[[str, str], Room] | None = None,
                 wakeable: bool = False, directory: bool = False) -> None:
        self.limits, self.wakeable, self.directory = limits, wakeable, directory
        self.rooms: dict[str, Room] = {}
        self.dormant: dict[str, RoomKeys] = {}  # unloaded rooms, woken by a matching hello
        self._idle_since: dict[str, float] = {}
        self._asking: dict[str, Hello] = {}  # client id -> its hello, while the shell looks up or wakes
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
        if target is not None:
            return self._enter(client_id, limiter, message, target, extra, now_s)
        asleep = next((k for k in self.dormant.values() if k.matches(message)), None)
        if asleep is not None:
            return self._ask(client_id, message, Wake(asleep.room_id))
        if self.directory and (message.room is not None or message.join_code is not None):
            return self._ask(client_id, message, Lookup(message.room, message.join_code))
        return self._refuse(client_id, limiter, ErrorCode.BAD_JOIN, now_s, lang)

    def woken(self, client_id: str, room: Room | None, now_s: float, *, adopted: bool = False) -> list[Outgoing]:
        """The room the shell rebuilt for the ``Wake`` of ``client_id`` (None: it failed); the hello goes on.

        Two hellos may wake one room at once: the first room handed back is kept, later copies are dropped.
        ``adopted``: the shell took the room over from another process (it was not dormant here).
        """
        hello = self._asking.pop(client_id, None)
        if hello is None:
            return []
        limiter = self._pending.setdefault(client_id, RateLimiter(self.limits))
        if room is not None and room.room_id not in self.rooms:
            if self.dormant.pop(room.room_id, None) is None and not adopted:
                room = None  # not ours to wake (never unloaded here)
            else:
                self.add_room(room)
                log.info("room %s %s from the journal", room.room_id, "taken over" if adopted else "woken")
        target = self.rooms.get(room.room_id) if room is not None else None
        if target is None:
            return self._refuse(client_id, limiter, ErrorCode.BAD_JOIN, now_s, hello.lang)
        return self._enter(client_id, limiter, hello, target, {}, now_s)

    def directory_answer(self, client_id: str, room_id: str | None, address: str | None,
                         now_s: float) -> list[Outgoing]:
        """What the directory said about the ``Lookup`` of ``client_id``: a ``redirect`` there, or ``bad_join``.

        Args:
            client_id: the connection whose hello asked.
            room_id: the room the directory found (None: not found, or the directory is unreachable).
            address: the ``ws://`` address of the process that owns it (never this process's own).
        """
        hello = self._asking.pop(client_id, None)
        if hello is None:
            return []
        limiter = self._pending.setdefault(client_id, RateLimiter(self.limits))
        if room_id is None or address is None:
            return self._refuse(client_id, limiter, ErrorCode.BAD_JOIN, now_s, hello.lang)
        self._pending.pop(client_id, None)
        return [Outgoing(client_id, Redirect(address, room_id)), Outgoing(client_id, Close(CLOSE_REDIRECT, "redirect"))]

    def sweep(self, now_s: float, idle_s: float = DEFAULT_IDLE_S) -> list[Room]:
        """Unload the rooms idle (see ``_idle``) since at least ``idle_s`` ago; returns them (stop their ticks).

        Idleness is first noticed by a sweep, so a room goes between ``idle_s`` and ``idle_s`` plus the
        sweep period after it became idle. Its last journal entries move to the lobby's (``take_journal``).
        """
        if not self.wakeable:
            return []
        unloaded = []
        for room_id, room in list(self.rooms.items()):
            if not _idle(room):
                self._idle_since.pop(room_id, None)
                continue
            if now_s - self._idle_since.setdefault(room_id, now_s) < idle_s:
                continue
            self._journal += [(room_id, entry) for entry in room.take_journal()]
            del self.rooms[room_id], self._idle_since[room_id]
            self.dormant[room_id] = RoomKeys.of(room)
            unloaded.append(room)
            log.info("room %s unloaded after %.0f s idle (the journal keeps it)", room_id, idle_s)
        return unloaded

    def drop(self, room_id: str) -> list[str]:
        """Forget a room another process owns now (loaded or dormant); returns the connections that were in it.

        Its unsaved journal entries are discarded: they are not this process's to write any more.
        """
        room = self.rooms.pop(room_id, None)
        self.dormant.pop(room_id, None)
        self._idle_since.pop(room_id, None)
        clients = [c for c, r in self._route.items() if r == room_id]
        for client_id in clients:
            del self._route[client_id]
        if room is not None:
            room.take_journal()
        self._journal = [(r, e) for r, e in self._journal if r != room_id]
        return clients

    def leave(self, client_id: str, now_s: float) -> list[Outgoing]:
        """The connection closed."""
        self._pending.pop(client_id, None)
        self._asking.pop(client_id, None)
        room = self.room_of(client_id)
        self._route.pop(client_id, None)
        return room.leave(client_id, now_s) if room is not None else []

    # ----- internals --------------------------------------------------------------------------------------
    def _refuse(self, client_id: str, limiter: RateLimiter, code: ErrorCode, now_s: float, lang: str,
                detail: str = "") -> list[Outgoing]:
        if not limiter.strike(now_s):
            return [Outgoing(client_id, Close(CLOSE_POLICY, "too many refused messages"))]
        return [Outgoing(client_id, error_for(code, lang, detail))]

    def _ask(self, client_id: str, hello: Hello, instruction: Any) -> list[Outgoing]:
        """Park ``hello`` while the shell does the I/O ``instruction`` asks for (``Lookup`` or ``Wake``)."""
        self._asking[client_id] = hello
        return [Outgoing(client_id, instruction)]

    def _enter(self, client_id: str, limiter: RateLimiter, message: Hello, target: Room, extra: dict,
               now_s: float) -> list[Outgoing]:
        """Hand the hello to its room; on a ``welcome`` the connection belongs to that room from now on."""
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

    def _find_room(self, hello: Hello, now_s: float) -> tuple[Room | None, dict]:
        """The loaded room this hello asks for, plus hello fields to fill in (a new room's teacher token)."""
        if hello.room is None and hello.role is Role.TEACHER and hello.token is None:
            room = self.open_room(now_s)
            return room, {"token": room.teacher_token}
        if hello.room is not None:  # by id: no need to look at anyone's secrets
            return self.rooms.get(hello.room), {}
        return next((r for r in self.rooms.values() if RoomKeys.of(r).matches(hello)), None), {}
