"""Redis glue for several server processes: a room directory, a district-wide board, public fan-out.

Why Redis and not the journal: these are shared *soft* state. A directory entry that outlives its
process would send learners to a dead address, so entries carry a TTL that the owner refreshes (a
crashed process simply stops refreshing); a board is recomputed from rooms every few seconds; a
public delta is worthless a second later. Losing Redis loses none of the contest (the journal has it).

Keys, all under ``prefix`` (default ``vbranch``), so one Redis can serve several deployments:

- ``{p}:room:{room_id}`` → owning process address (``ws://host:port``), TTL ``ttl_s``; a process refreshes
  and deletes only entries that name it (a Lua script each, so the check and the write are one step), and
  ``reserve_room`` creates one only where none exists: that is how one process, and only one, takes over
  the room of a process whose entries expired (``server/ownership``);
- ``{p}:code:{JOIN_CODE}`` → room id, TTL ``ttl_s`` (the code as ``auth.normalise_code`` spells it);
- ``{p}:board:{contest}`` sorted set, member ``{room_id}/{learner name}``, score = leaderboard score;
- channel ``{p}:public:{room_id}``: encoded public frames (deltas, leaderboards) of that room.

Selected by ``VBRANCH_REDIS=redis://…`` (or ``vbranch serve --redis``). Synchronous redis-py: each call
is one round trip (≈0.1 ms on a LAN); the batch calls (``sync_directory``, ``post_boards``,
``publish_many``) pipeline many commands into one. The server calls all of them from a worker thread
(``server/scale_link``), never from its event loop. Every socket operation times out after
``timeout_s`` and is not retried here: the caller decides when to try again, so a dead Redis costs
one timeout, not redis-py's default backoff of several seconds.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from vbranch.server import auth
from vbranch.server.leaderboard import Standing

__all__ = ["REDIS_ENV", "DEFAULT_TTL_S", "DEFAULT_TIMEOUT_S", "RoomAddress", "BoardLine", "RedisScale", "DeltaRelay",
           "open_scale"]

# KEYS[1] room key, KEYS[2] (optional) code key; ARGV: address, ttl ms, room id. Refresh only our own entry.
_REFRESH = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2]) end
return 1
"""
# KEYS[1] the key to drop, KEYS[2] the room key it belongs to; ARGV: address, the value KEYS[1] must hold.
# Nothing is dropped while the room key names another process (it took the room over).
_FORGET = """
local held = redis.call('GET', KEYS[2])
if held and held ~= ARGV[1] then return 0 end
if redis.call('GET', KEYS[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS[1] room key; ARGV: address, ttl ms. The entry's address afterwards: ours if there was none.
_RESERVE = """
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
"""

log = logging.getLogger(__name__)

REDIS_ENV = "VBRANCH_REDIS"
DEFAULT_TTL_S = 30.0  # a room's owner refreshes every ttl_s / 3; a dead process is forgotten within ttl_s
DEFAULT_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class RoomAddress:
    """Where a room lives: its id and the ``ws://`` address of the process that owns it."""

    room_id: str
    address: str


@dataclass(frozen=True)
class BoardLine:
    """One line of the district-wide board (rank 1 is the best score)."""

    rank: int
    room_id: str
    name: str
    score: float


class RedisScale:
    """Directory and board operations on one Redis connection pool.

    Args:
        url: ``redis://[user:password@]host:port/db``.
        prefix: the key namespace of this deployment.
        ttl_s: how long a directory entry lives without a refresh, in seconds (millisecond resolution).
        timeout_s: connect and reply timeout of every round trip, in seconds.
    """

    def __init__(self, url: str, *, prefix: str = "vbranch", ttl_s: float = DEFAULT_TTL_S,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=timeout_s,
                                          socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0))
        self.prefix, self.ttl_s = prefix, ttl_s
        self._refresh, self._forget, self._reserve = (self.redis.register_script(src)
                                                      for src in (_REFRESH, _FORGET, _RESERVE))

    # ----- room directory ---------------------------------------------------------------------------------
    def _room_key(self, room_id: str) -> str:
        return f"{self.prefix}:room:{room_id}"

    def _code_key(self, join_code: str) -> str:
        return f"{self.prefix}:code:{auth.normalise_code(join_code)}"

    def register_room(self, room_id: str, address: str, join_code: str | None = None) -> None:
        """Announce (or refresh) that ``address`` owns ``room_id``; call every ``ttl_s / 3`` seconds."""
        self.sync_directory(address, {room_id: join_code})

    def forget_room(self, room_id: str, join_code: str | None = None) -> None:
        """Drop a room's entries now, whoever they name (an operator's tool; processes use ``sync_directory``)."""
        self.redis.delete(self._room_key(room_id), *([self._code_key(join_code)] if join_code else []))

    def sync_directory(self, address: str, rooms: dict[str, str | None], *, forget_rooms: Iterable[str] = (),
                       forget_codes: dict[str, str] | None = None) -> list[str]:
        """One process's whole directory in one round trip: (re)register ``rooms``, drop what it no longer has.

        Only entries that name ``address`` are refreshed or dropped: a room another process took over keeps
        that process's entries. Returns the ids of ``rooms`` whose entry names another process.

        Args:
            address: the ``ws://`` address of this process.
            rooms: room id -> its open join code (None: the room takes no new learners).
            forget_rooms: room ids this process no longer serves.
            forget_codes: join code -> room id, for codes that no longer open a room here (the contest ended).
        """
        ttl_ms = max(1, round(self.ttl_s * 1000))
        pipe = self.redis.pipeline(transaction=False)
        for room_id, join_code in rooms.items():
            keys = [self._room_key(room_id)] + ([self._code_key(join_code)] if join_code else [])
            self._refresh(keys, [address, ttl_ms, room_id], client=pipe)
        for room_id in forget_rooms:
            self._forget([self._room_key(room_id)] * 2, [address, address], client=pipe)
        for join_code, room_id in (forget_codes or {}).items():
            self._forget([self._code_key(join_code), self._room_key(room_id)], [address, room_id], client=pipe)
        if not len(pipe):
            return []
        refreshed = pipe.execute()[:len(rooms)]
        return [room_id for room_id, ok in zip(rooms, refreshed, strict=True) if not ok]

    def reserve_room(self, room_id: str, address: str) -> RoomAddress:
        """The room's directory entry, created for ``address`` if there was none (one round trip, atomic).

        Of several processes reserving one free room at once, exactly one gets its own address back.
        """
        return RoomAddress(room_id, self._reserve([self._room_key(room_id)],
                                                  [address, max(1, round(self.ttl_s * 1000))]))

    def room_address(self, room_id: str) -> RoomAddress | None:
        """The live owner of ``room_id``, or None (unknown, or its owner stopped refreshing)."""
        address = self.redis.get(self._room_key(room_id))
        return RoomAddress(room_id, address) if address else None

    def room_for_code(self, join_code: str) -> RoomAddress | None:
        """The room a learner's join code opens, with its owner's address, or None."""
        room_id = self.redis.get(self._code_key(join_code))
        return self.room_address(room_id) if room_id else None

    # ----- district-wide board ----------------------------------------------------------------------------
    def post_standings(self, contest: str, room_id: str, standings: Iterable[Standing]) -> int:
        """Write one room's current scores into the contest's board (ZADD replaces older scores)."""
        return self.post_boards(contest, {room_id: {s.name: s.score for s in standings}})

    def post_boards(self, contest: str, boards: dict[str, dict[str, float]]) -> int:
        """Several rooms' scores (room id -> learner name -> score) in one round trip; returns how many."""
        scores = {f"{room_id}/{name}": score for room_id, board in boards.items() for name, score in board.items()}
        if scores:
            self.redis.zadd(f"{self.prefix}:board:{contest}", scores)
        return len(scores)

    def top(self, contest: str, n: int = 10) -> list[BoardLine]:
        """The contest's best ``n`` learners over every room, best first (ties: member order, reversed)."""
        rows = self.redis.zrevrange(f"{self.prefix}:board:{contest}", 0, n - 1, withscores=True)
        lines = []
        for rank, (member, score) in enumerate(rows, start=1):
            room_id, _, name = member.partition("/")
            lines.append(BoardLine(rank, room_id, name, score))
        return lines

    # ----- public fan-out ---------------------------------------------------------------------------------
    def channel(self, room_id: str) -> str:
        return f"{self.prefix}:public:{room_id}"

    def publish(self, room_id: str, frame: str) -> int:
        """Send an encoded public frame to every process relaying ``room_id``; returns how many got it."""
        return self.redis.publish(self.channel(room_id), frame)

    def publish_many(self, frames: Iterable[tuple[str, str]]) -> int:
        """Publish ``(room id, frame)`` pairs in order, in one round trip; returns how many were sent."""
        pipe = self.redis.pipeline(transaction=False)
        n = 0
        for room_id, frame in frames:
            pipe.publish(self.channel(room_id), frame)
            n += 1
        if n:
            pipe.execute()
        return n

    def relay(self, room_ids: Iterable[str] = ()) -> DeltaRelay:
        """A subscriber for other processes' public frames (subscribe to more rooms later)."""
        relay = DeltaRelay(self)
        relay.subscribe(*room_ids)
        return relay

    def close(self) -> None:
        self.redis.close()


class DeltaRelay:
    """One process's subscription to rooms it shows but does not own: frames in, ``(room id, frame)`` out."""

    def __init__(self, scale: RedisScale) -> None:
        self._scale = scale
        self._pubsub = scale.redis.pubsub()
        self._channel_prefix = scale.channel("")

    def subscribe(self, *room_ids: str) -> None:
        if room_ids:
            self._pubsub.subscribe(*(self._scale.channel(r) for r in room_ids))

    def unsubscribe(self, *room_ids: str) -> None:
        if room_ids:
            self._pubsub.unsubscribe(*(self._scale.channel(r) for r in room_ids))

    def poll(self, timeout_s: float = 0.0) -> list[tuple[str, str]]:
        """Every frame waiting now (waiting up to ``timeout_s`` for the first), in publish order."""
        out: list[tuple[str, str]] = []
        deadline_s = time.monotonic() + timeout_s
        while True:  # (un)subscribe confirmations are skipped; they do not end the wait
            wait_s = 0.0 if out else max(0.0, deadline_s - time.monotonic())
            message = self._pubsub.get_message(timeout=wait_s)
            if message is None:
                if out or time.monotonic() >= deadline_s:
                    return out
            elif message["type"] == "message":
                out.append((message["channel"].removeprefix(self._channel_prefix), message["data"]))

    def close(self) -> None:
        self._pubsub.close()


def open_scale(url: str | None = None, **kwargs) -> RedisScale | None:
    """The Redis named by ``url`` (else ``$VBRANCH_REDIS``); None, logged once, means one process alone."""
    url = url if url is not None else os.environ.get(REDIS_ENV)
    if not url:
        log.info("%s not set: single-process mode (no room directory, no district board, no fan-out)", REDIS_ENV)
        return None
    return RedisScale(url, **kwargs)
