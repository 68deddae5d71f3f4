"""The asyncio side of several server processes: when to talk to Redis, and never from the event loop.

Why apart from ``scale_redis``: that module is the key layout and the round trips (synchronous redis-py,
tested against a real redis-server); this one decides *when* a process makes them and runs each in a
worker thread (``asyncio.to_thread``), so a slow or dead Redis never delays a tick or an acknowledgement.
Redis holds soft state only: the journal is the truth, and a contest goes on while Redis is away.

What a process does with it (``ClassroomServer`` calls the ``note_*`` hooks, which only touch memory):

- Directory: every ``ttl_s / 3`` (sooner when a room opens, gets a contest or ends one) it writes all its
  rooms with its ``advertise`` address and their open join codes in one pipeline, and drops the entries
  of rooms it unloaded and of codes whose contest ended. A ``kill -9`` stops the refresh, so the entries
  of a dead process vanish within ``ttl_s``; a clean stop deletes them at once.
- District board: the leaderboards the rooms compute anyway (every ``LEADERBOARD_PERIOD_S``, on the
  teacher's request, the final one) are kept per room, newest wins, and flushed together at most every
  ``board_period_s``. The board is never computed for Redis alone: one 40-seat board costs ~20 ms.
- Fan-out: every public frame a room broadcasts (deltas, leaderboards) is queued, exactly as encoded for
  the room's own clients, and published in order on the room's channel, in batches gathered for
  ``PUBLISH_BATCH_S`` (one thread hop and round trip per frame cost ~0.5 ms of CPU each: 5 rooms at
  20 Hz took 5 % of a core). If Redis is away the queue is dropped, not kept: a delta is worthless a
  second later.
- Lookups: ``lookup`` finds a room or join code of another process for ``Lobby.directory_answer``.
- Ownership (a shared journal, ``server/ownership``): ``reserve`` creates a room's entry for this process
  only where none exists (the first step of taking over a dead process's room), and ``before_refresh``,
  set by the shell, runs before every refresh so the rooms this process no longer owns are unloaded
  (and their entries, now another process's, left alone) rather than announced again.

Outages: the first failure is logged once as a warning, recovery once as info; while Redis is failing
each kind of call is tried again at most every ``RETRY_S`` (a lookup then answers "not found" at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis

from vbranch.server.lobby import Lobby, open_join_code
from vbranch.server.messages import Leaderboard
from vbranch.server.scale_redis import DEFAULT_TIMEOUT_S, DEFAULT_TTL_S, BoardLine, RedisScale, RoomAddress

__all__ = ["RETRY_S", "PUBLISH_BATCH_S", "BOARD_NAME_RE", "MAX_BOARD_LINES", "ScaleSettings", "ScaleLink",
           "board_request", "board_json", "advertised_address"]

log = logging.getLogger(__name__)

RETRY_S = 1.0  # while Redis fails, each kind of call is retried this often
PUBLISH_BATCH_S = 0.025  # frames wait this long for company: one round trip per half tick, not one per frame
BOARD_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_BOARD_LINES = 100
_T = TypeVar("_T")
_FAILED = object()


@dataclass(frozen=True)
class ScaleSettings:
    """One process's part in a multi-process deployment.

    ``advertise``: the ``ws://host:port`` other processes send learners to (None: derived from the bound
    address). ``board``: the district board this process's rooms post to. Times in seconds.
    """

    url: str
    advertise: str | None = None
    ttl_s: float = DEFAULT_TTL_S
    board: str = "district"
    board_period_s: float = 0.5
    prefix: str = "vbranch"
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_queued_frames: int = 10_000

    def __post_init__(self) -> None:
        if self.advertise is not None and not self.advertise.startswith(("ws://", "wss://")):
            raise ValueError(f"advertise address must start with ws:// or wss://, not {self.advertise!r}")
        if not BOARD_NAME_RE.fullmatch(self.board):
            raise ValueError(f"board name must be 1-40 of A-Z a-z 0-9 _ -, not {self.board!r}")
        if not 0.3 <= self.ttl_s <= 3600:
            raise ValueError("directory TTL must be in [0.3, 3600] s")


def board_request(path: str) -> tuple[str, int] | None:
    """``/board/NAME.json[?n=N]`` -> (board name, lines wanted, 1-100, default 10); None if not that route."""
    route, _, query = path.partition("?")
    if not route.startswith("/board/") or not route.endswith(".json"):
        return None
    name = route[len("/board/"):-len(".json")]
    if not BOARD_NAME_RE.fullmatch(name):
        return None
    n = 10
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "n" and value.isdigit():
            n = max(1, min(MAX_BOARD_LINES, int(value)))
    return name, n


def board_json(board: str, lines: list[BoardLine]) -> dict[str, Any]:
    """The district board as served over HTTP (rank 1 best; ``room`` tells where the learner sits)."""
    return {"board": board, "lines": [{"rank": b.rank, "room": b.room_id, "name": b.name, "score": b.score}
                                      for b in lines]}


class ScaleLink:
    """A server process's link to Redis. ``start(address)`` begins the background tasks; ``stop`` ends them.

    Args:
        settings: see ``ScaleSettings``.
        lobby: the process's rooms (read by the directory refresh; never changed here).
    """

    def __init__(self, settings: ScaleSettings, lobby: Lobby) -> None:
        self.settings, self.lobby = settings, lobby
        self.scale = RedisScale(settings.url, prefix=settings.prefix, ttl_s=settings.ttl_s,
                                timeout_s=settings.timeout_s)
        self.address = settings.advertise or ""
        self.healthy = True
        self.frames_published = self.frames_dropped = self.boards_posted = self.directory_syncs = 0
        self._registered: dict[str, str | None] = {}  # room id -> join code, as Redis has them from us
        self._directory_due = asyncio.Event()
        self._boards: dict[str, dict[str, float]] = {}  # room id -> name -> score, waiting for the next flush
        self._frames: asyncio.Queue[tuple[str, str]] = asyncio.Queue(settings.max_queued_frames)
        self._last_failure: dict[str, float] = {}
        self._tasks: list[asyncio.Task] = []
        self._contested: set[str] = set()  # our rooms whose entry names another process (logged once each)
        self.before_refresh: Callable[[], None] | None = None  # the shell's ownership check (memory + journal)

    # ----- life cycle ----------------------------------------------------------------------------------------
    async def start(self, address: str) -> None:
        """Begin refreshing, flushing and publishing; ``address`` is used unless ``advertise`` was given."""
        self.address = self.settings.advertise or address
        self._directory_due.set()  # rooms restored from the journal are announced now, not in ttl_s / 3
        self._tasks = [asyncio.create_task(loop(), name=f"redis {loop.__name__}")
                       for loop in (self._directory_loop, self._board_loop, self._publish_loop)]
        log.info("room directory, district board %r and fan-out in Redis %s; this process is %s",
                 self.settings.board, self._redacted_url(), self.address)

    async def stop(self) -> None:
        """Cancel the tasks, post the last boards and drop this process's directory entries (best effort)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._flush_boards()
        codes = {c: r for r, c in self._registered.items() if c}
        if self._registered:
            await self._call("directory", self.scale.sync_directory, self.address, {},
                             forget_rooms=list(self._registered), forget_codes=codes)
        self.scale.close()

    # ----- hooks for the shell (memory only, called from the event loop) -------------------------------------
    def note_room(self, room) -> None:
        """A room may have opened, got a contest or ended one: refresh the directory now if its code changed."""
        if self._registered.get(room.room_id, _FAILED) != open_join_code(room):
            self._directory_due.set()

    def note_rooms_gone(self) -> None:
        """Rooms were unloaded: drop their entries now rather than at the next refresh."""
        self._directory_due.set()

    def note_leaderboard(self, room_id: str, board: Leaderboard) -> None:
        self._boards[room_id] = {row["name"]: row["score"] for row in board.rows}

    def note_public(self, room_id: str, frame: str) -> None:
        """An encoded public frame of ``room_id`` to publish (dropped if the queue is full: Redis is away)."""
        try:
            self._frames.put_nowait((room_id, frame))
        except asyncio.QueueFull:
            self.frames_dropped += 1

    # ----- reads ---------------------------------------------------------------------------------------------
    async def lookup(self, room_id: str | None, join_code: str | None) -> RoomAddress | None:
        """Another process's room by id (else by join code); None if unknown, ours, or Redis is away."""
        def find() -> RoomAddress | None:
            return self.scale.room_address(room_id) if room_id else self.scale.room_for_code(join_code or "")

        found = await self._call("lookup", find)
        if found is _FAILED or found is None or found.address == self.address:
            return None
        return found

    async def reserve(self, room_id: str) -> RoomAddress | None:
        """The room's directory entry, created for this process if there was none; None if Redis is away.

        Its address is ours if the room was free (or already ours): no live process runs it, we may take it.
        """
        held = await self._call("lookup", self.scale.reserve_room, room_id, self.address)
        return None if held is _FAILED else held

    async def release(self, room_id: str) -> None:
        """Drop a reserved entry that turned out not to be ours to keep (best effort)."""
        await self._call("directory", self.scale.sync_directory, self.address, {}, forget_rooms=[room_id])

    async def top(self, board: str, n: int) -> list[BoardLine] | None:
        """The district board's best ``n``; None if Redis is away."""
        lines = await self._call("board", self.scale.top, board, n)
        return None if lines is _FAILED else lines

    # ----- background tasks ----------------------------------------------------------------------------------
    async def _directory_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._directory_due.wait(), self.settings.ttl_s / 3)
            self._directory_due.clear()
            if self.before_refresh is not None:
                try:
                    self.before_refresh()
                except Exception:  # a journal hiccup must not stop the refresh: ownership is checked again later
                    log.exception("ownership check before the directory refresh failed")
            if not await self._sync_directory():
                await asyncio.sleep(RETRY_S)

    async def _sync_directory(self) -> bool:
        rooms = {room_id: open_join_code(room) for room_id, room in self.lobby.rooms.items()}
        gone_rooms = [r for r in self._registered if r not in rooms]
        gone_codes = {c: r for r, c in self._registered.items() if c and rooms.get(r) != c}
        result = await self._call("directory", self.scale.sync_directory, self.address, rooms,
                                  forget_rooms=gone_rooms, forget_codes=gone_codes)
        if result is _FAILED:
            return False
        for room_id in set(result) - self._contested:
            log.warning("room %s: its directory entry names another process; left as it is", room_id)
        self._contested = set(result)
        self._registered = rooms
        self.directory_syncs += 1
        return True

    async def _board_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.board_period_s)
            await self._flush_boards()

    async def _flush_boards(self) -> None:
        if not self._boards:
            return
        boards, self._boards = self._boards, {}
        if await self._call("board", self.scale.post_boards, self.settings.board, boards) is _FAILED:
            self._boards = {**boards, **self._boards}  # keep the newest of each room for the next try
        else:
            self.boards_posted += len(boards)

    async def _publish_loop(self) -> None:
        while True:
            batch = [await self._frames.get()]
            await asyncio.sleep(PUBLISH_BATCH_S)  # let the other rooms' ticks join this round trip
            while not self._frames.empty() and len(batch) < 1000:
                batch.append(self._frames.get_nowait())
            sent = await self._call("publish", self.scale.publish_many, batch)
            if sent is _FAILED:
                self.frames_dropped += len(batch)
            else:
                self.frames_published += sent

    # ----- one round trip, off the loop ----------------------------------------------------------------------
    async def _call(self, kind: str, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | object:
        """``fn`` in a worker thread; ``_FAILED`` if Redis failed (now or less than ``RETRY_S`` ago)."""
        failed_s = self._last_failure.get(kind)
        if failed_s is not None and time.monotonic() - failed_s < RETRY_S:
            return _FAILED
        try:
            result = await asyncio.to_thread(fn, *args, **kwargs)
        except (redis.RedisError, OSError) as exc:
            self._last_failure[kind] = time.monotonic()
            if self.healthy:
                self.healthy = False
                log.warning("Redis %s unreachable (%s): rooms and contests go on; directory, district board "
                            "and fan-out are paused and retried every %.0f s", self._redacted_url(), exc, RETRY_S)
            return _FAILED
        if not self.healthy:
            self.healthy = True
            self._last_failure.clear()  # Redis answers again: every kind may try at once
            log.info("Redis %s reachable again", self._redacted_url())
        return result

    def _redacted_url(self) -> str:
        """The Redis URL without its password, for logs."""
        return re.sub(r"//[^@/]*@", "//***@", self.settings.url)


def advertised_address(host: str, port: int, *, warn: bool = True) -> str:
    """``ws://host:port`` for other processes; a wildcard bind (0.0.0.0, ::) advertises this machine's name."""
    if host in ("", "0.0.0.0", "::"):
        name = socket.gethostname()
        if warn:
            log.warning("bound to %s: advertising ws://%s:%d to other processes (pass --advertise to choose)",
                        host or "*", name, port)
        host = name
    return f"ws://[{host}]:{port}" if ":" in host else f"ws://{host}:{port}"
