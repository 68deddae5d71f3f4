"""The websockets shell: connections in, frames out; every rule stays in the Sans-I/O lobby and rooms.

Why this is thin (python-websockets' model): the shell gives each connection an id, feeds its frames to
``Lobby.receive_frame``, commits what the rooms journaled, then sends what they answered, and runs
one tick task per room at ``room.tick_hz``. The order matters: the journal is committed *before* the
frames of the same call go out, so an acknowledged order survives ``kill -9``.

Sending: each ``Outgoing`` is encoded once and handed to ``websockets.broadcast`` for all its
recipients (no per-client JSON, no awaiting slow sockets). Deltas carry ``ts``, the Unix time in ms
when the tick began, so clients (and the benchmark) can measure tick-to-receive latency. A client
whose write buffer is above ``high_water_bytes`` is skipped for deltas and poses and gets a full
resync delta once it drains (``Room.resync``); private messages (fills, acks) are never skipped.
Compression is off: per-connection deflate would defeat encode-once broadcasting, and frames are small.
Plain HTTP GETs (the teacher dashboard, its QR code) are answered by ``web.WebRoutes`` through websockets'
``process_request`` hook before any handshake, which also refuses browser websockets from foreign origins.

Several processes (``ScaleSettings``, ``VBRANCH_REDIS``): a ``scale_link.ScaleLink`` keeps this process's
rooms in the shared room directory, feeds the district board from the leaderboards the rooms compute and
publishes their public frames; the shell only calls its memory-only ``note_*`` hooks, and awaits it for
the lobby's ``Lookup`` (a hello for another process's room, answered with a ``redirect``) and for
``GET /board/NAME.json`` (that route is answered here, before ``WebRoutes``, with the same host rule).
Idle rooms: every ``sweep_period_s`` the lobby unloads rooms idle for ``idle_room_s`` (their tick tasks
stop); a hello for one is answered with ``Wake``: the shell reads the room's journal and replays it in a
worker thread (``replay_entries``; the replay builds a fresh room that nothing else touches yet), so the
other rooms keep ticking while it runs.
Rooms of a shared journal (``server/ownership``): with an instance name (``run_server(instance=…)`` or
Redis), a ``Lookup`` the directory cannot answer may name a journaled room whose owner is gone; the shell
then takes it over (``ownership.acquire``) and replays it like a woken room. A journal write refused
because another process owns a room now (``RoomsLost``), or the ownership check before each directory
refresh, unloads that room here and closes its connections with 1012 so they reconnect and are redirected.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import itertools
import logging
import sqlite3
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from vbranch.server.journal import Journal, RoomsLost
from vbranch.server.lobby import DEFAULT_IDLE_S, Lobby
from vbranch.server.messages import Close, Delta, Leaderboard, Lookup, Poses, Wake
from vbranch.server.ownership import acquire, instance_name, lost_rooms
from vbranch.server.protocol import MAX_FRAME_BYTES, encode
from vbranch.server.rebuild import replay_entries, restore_lobby
from vbranch.server.room import Room
from vbranch.server.scale_link import ScaleLink, ScaleSettings, advertised_address, board_json, board_request
from vbranch.server.seats import BROADCAST, Outgoing
from vbranch.server.web import WebRoutes, host_allowed, json_reply, text_reply, to_response

__all__ = ["CLOSE_TRY_LATER", "CLOSE_ROOM_MOVED", "ShellSettings", "ClassroomServer", "run_server"]

log = logging.getLogger(__name__)

CLOSE_TRY_LATER = 1013  # too many connections from one address
CLOSE_ROOM_MOVED = 1012  # another process took the room over: reconnect (and be redirected there)


@dataclass(frozen=True)
class ShellSettings:
    """Transport limits. ``max_conns_per_ip`` 0 = no cap (the load benchmark connects 1,000 from loopback)."""

    max_conns_per_ip: int = 200  # a school behind one NAT address
    high_water_bytes: int = 64 * 1024  # unsent bytes above which a client misses deltas until it drains
    ping_interval_s: float = 20.0
    ping_timeout_s: float = 20.0
    allowed_hosts: tuple[str, ...] = ()  # host names (beyond IPs and localhost) browsers may use for the dashboard
    idle_room_s: float = DEFAULT_IDLE_S  # an empty room with no contest under way is unloaded after this long
    sweep_period_s: float = 60.0  # how often idle rooms are looked for


class ClassroomServer:
    """One process, many rooms. ``clock`` is monotonic seconds for the rooms; ``wall_ms`` stamps deltas.

    ``scale``: this process's link to the other processes (None: it runs alone); its lobby must have been
    built with ``directory=True`` for hellos to be redirected. A journal with an ``owner`` (instance name)
    makes this process enforce room ownership (see the module docstring).
    """

    def __init__(self, lobby: Lobby, journal: Journal | None, settings: ShellSettings = ShellSettings(),
                 scale: ScaleLink | None = None) -> None:
        self.lobby, self.journal, self.settings, self.scale = lobby, journal, settings, scale
        self.rooms_unloaded = self.rooms_lost = 0
        self._sweeper: asyncio.Task | None = None
        self.conns: dict[str, ServerConnection] = {}
        self.frames_sent = self.bytes_sent = self.resyncs = 0
        self._ids = itertools.count(1)
        self._per_ip: collections.Counter[str] = collections.Counter()
        self._tickers: dict[str, asyncio.Task] = {}
        self._server: websockets.asyncio.server.Server | None = None
        self.web = WebRoutes(settings.allowed_hosts, lobby=lobby)
        if scale is not None and self._owning:
            scale.before_refresh = self._check_ownership

    @property
    def _owning(self) -> bool:
        """Rooms have owners here: several processes share the journal (or may)."""
        return self.journal is not None and self.journal.owner is not None

    @staticmethod
    def clock() -> float:
        return time.monotonic()

    @property
    def port(self) -> int:
        return self._server.sockets[0].getsockname()[1] if self._server else 0

    async def start(self, host: str, port: int) -> None:
        s = self.settings
        self._server = await serve(self._handler, host, port, max_size=MAX_FRAME_BYTES, compression=None,
                                   ping_interval=s.ping_interval_s, ping_timeout=s.ping_timeout_s,
                                   process_request=self._process_request)
        self._ensure_tickers()
        self._sweeper = asyncio.create_task(self._sweep_loop(), name="idle rooms")
        if self.scale is not None:
            await self.scale.start(advertised_address(host, self.port))
        log.info("listening on ws://%s:%d (%d rooms); teacher dashboard at http://%s:%d/", host, self.port,
                 len(self.lobby.rooms), host, self.port)

    async def stop(self) -> None:
        for task in [*self._tickers.values(), *([self._sweeper] if self._sweeper else [])]:
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self.scale is not None:
            await self.scale.stop()
        if self.journal is not None:
            self.journal.close()

    # ----- plain HTTP: the district board, then the dashboard's routes -------------------------------------
    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        route = None if "websocket" in request.headers.get("Upgrade", "").lower() else board_request(request.path)
        if route is None:
            return self.web.process_request(connection, request)
        try:
            host = urlsplit("//" + request.headers.get("Host", "")).hostname
        except ValueError:
            host = None
        if not host or not host_allowed(host, self.web.allowed_hosts):
            return to_response(text_reply(403, "Forbidden: unknown host name"))
        if self.scale is None:
            return to_response(text_reply(404, "Not found: no district board, this server runs alone "
                                                    "(set VBRANCH_REDIS)"))
        lines = await self.scale.top(*route)
        if lines is None:
            return to_response(text_reply(503, "The district board is unavailable (Redis unreachable); "
                                                    "contests go on"))
        return to_response(json_reply(200, board_json(route[0], lines)))

    # ----- per connection ---------------------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        ip = str(ws.remote_address[0]) if ws.remote_address else "?"
        cap = self.settings.max_conns_per_ip
        if cap and self._per_ip[ip] >= cap:
            log.warning("refused a connection from %s: %d already open", ip, cap)
            await ws.close(CLOSE_TRY_LATER, "too many connections from this address")
            return
        self._per_ip[ip] += 1
        client_id = f"c{next(self._ids)}"
        self.conns[client_id] = ws
        try:
            async for frame in ws:
                out = self.lobby.receive_frame(client_id, frame, self.clock())
                if out and isinstance(out[0].message, Lookup | Wake):
                    out = await self._answer(client_id, out[0].message)
                room = self.lobby.room_of(client_id)
                if self._commit(room):
                    self._deliver(room, out)
                self._ensure_tickers()
                if self.scale is not None and room is not None:
                    self.scale.note_room(room)
        except ConnectionClosed:
            pass
        finally:
            del self.conns[client_id]
            self._per_ip[ip] -= 1
            out = self.lobby.leave(client_id, self.clock())
            if self._commit():
                self._deliver(None, out)

    async def _answer(self, client_id: str, ask: Lookup | Wake) -> list[Outgoing]:
        """Do the I/O the lobby asked for (directory lookup, or waking a room from the journal), off the loop."""
        if isinstance(ask, Wake):
            held = await self._acquire(ask.room_id) if self._owning else True
            if held is not True:  # another process runs it now (a RoomAddress), or the journal said no
                if held is not None:
                    self._unload_lost([ask.room_id])
                return self.lobby.directory_answer(client_id, held and held.room_id, held and held.address,
                                                   self.clock())
            return self.lobby.woken(client_id, await self._replay(ask.room_id), self.clock())
        found = await self.scale.lookup(ask.room, ask.join_code) if self.scale is not None else None
        if found is None and self._owning:  # in the journal, but nobody alive announces it: take it over
            room_id = self._journaled_room(ask)
            if room_id in self.lobby.rooms:  # another hello's takeover finished while we asked the directory
                return self.lobby.woken(client_id, self.lobby.rooms[room_id], self.clock(), adopted=True)
            if room_id is not None:
                held = await self._acquire(room_id)
                if held is True:
                    return self.lobby.woken(client_id, await self._replay(room_id), self.clock(), adopted=True)
                found = held
        return self.lobby.directory_answer(client_id, found and found.room_id, found and found.address, self.clock())

    def _journaled_room(self, ask: Lookup) -> str | None:
        try:
            return self.journal.find_room(ask.room, ask.join_code)
        except Exception:
            log.exception("could not look for room %s / code %s in the journal", ask.room, ask.join_code)
            return None

    async def _acquire(self, room_id: str):
        """``ownership.acquire``, with a failing journal or directory logged and taken as "not ours"."""
        try:
            return await acquire(self.journal, self.scale, room_id)
        except Exception:
            log.exception("room %s: could not settle who owns it", room_id)
            return None

    async def _replay(self, room_id: str) -> Room | None:
        entries = list(self.journal.entries(room_id)) if self.journal is not None else []  # one indexed read
        return await asyncio.to_thread(replay_entries, room_id, entries, self.lobby.build_room) if entries else None

    # ----- rooms another process owns now -----------------------------------------------------------------
    def _check_ownership(self) -> None:
        """Before each directory refresh: unload the rooms (loaded or dormant) another process took over."""
        lost = lost_rooms(self.journal, [*self.lobby.rooms, *self.lobby.dormant])
        if lost:
            self._unload_lost(lost)

    def _unload_lost(self, room_ids) -> None:
        """Stop running rooms this process no longer owns; their clients reconnect and get redirected."""
        for room_id in room_ids:
            clients = self.lobby.drop(room_id)
            task = self._tickers.pop(room_id, None)
            if task is not None:
                task.cancel()
            for client_id in clients:
                ws = self.conns.get(client_id)
                if ws is not None:
                    asyncio.create_task(ws.close(CLOSE_ROOM_MOVED, "room moved to another process"))
            self.rooms_lost += 1
            log.warning("room %s belongs to another process now: unloaded here, %d connections sent there",
                        room_id, len(clients))
        if self.scale is not None:
            self.scale.note_rooms_gone()

    # ----- per room ---------------------------------------------------------------------------------------
    def _ensure_tickers(self) -> None:
        for room_id, room in self.lobby.rooms.items():
            if room_id not in self._tickers:
                self._tickers[room_id] = asyncio.create_task(self._tick_loop(room), name=f"tick {room_id}")

    async def _tick_loop(self, room: Room) -> None:
        loop = asyncio.get_running_loop()
        next_s = loop.time()
        while True:
            period_s = 1.0 / room.tick_hz
            next_s += period_s
            delay_s = next_s - loop.time()
            if delay_s < -period_s:  # fell behind by more than a tick: skip, do not burst
                next_s, delay_s = loop.time(), 0.0
            await asyncio.sleep(max(0.0, delay_s))
            stamp_ms = int(time.time() * 1000)
            try:
                out = room.tick(self.clock())
                if self._commit(room):
                    self._deliver(room, out, stamp_ms)
                if self.scale is not None:
                    self.scale.note_room(room)  # a contest that ran out of time closes its join code
            except Exception:  # one room's bug must not stop its clock for good
                log.exception("room %s: tick failed", room.room_id)

    async def _sweep_loop(self) -> None:
        """Unload idle rooms (``Lobby.sweep``): their tick tasks end, their directory entries go."""
        while True:
            await asyncio.sleep(self.settings.sweep_period_s)
            try:
                unloaded = self.lobby.sweep(self.clock(), self.settings.idle_room_s)
            except Exception:  # a bug here must not leave every room in memory for good
                log.exception("idle-room sweep failed")
                continue
            for room in unloaded:
                task = self._tickers.pop(room.room_id, None)
                if task is not None:
                    task.cancel()
            if unloaded:
                self.rooms_unloaded += len(unloaded)
                self._commit()
                if self.scale is not None:
                    self.scale.note_rooms_gone()

    # ----- journal, then send -----------------------------------------------------------------------------
    def _commit(self, room: Room | None = None) -> bool:
        """Persist what the rooms journaled; False (and nothing of ``room`` is sent) if the disk refused it.

        Entries of rooms another process owns now are dropped with those rooms (``RoomsLost``); the rest
        is written again, so one room's takeover costs the other rooms nothing.
        """
        entries = self.lobby.take_journal()
        if not entries or self.journal is None:
            return True
        lost_here = False
        while entries:
            try:
                self.journal.append(entries)
                break
            except RoomsLost as lost:
                self._unload_lost(lost.room_ids)
                lost_here = lost_here or (room is not None and room.room_id in lost.room_ids)
                entries = [(room_id, e) for room_id, e in entries if room_id not in lost.room_ids]
            except sqlite3.Error:
                log.exception("journal write failed: %d entries lost, their acknowledgements withheld", len(entries))
                return False
        return not lost_here

    def _deliver(self, room: Room | None, out: list[Outgoing], stamp_ms: int | None = None) -> None:
        high_water = self.settings.high_water_bytes
        for item in out:
            message = item.message
            if isinstance(message, Close):
                ws = self.conns.get(item.target)
                if ws is not None:
                    asyncio.create_task(ws.close(message.code, message.reason))
                continue
            if isinstance(message, Delta) and stamp_ms is not None:
                message = Delta(message.tick, {**message.fields, "ts": stamp_ms})
            droppable = isinstance(message, Delta | Poses)
            targets = room.recipients(item.target) if room is not None else [item.target]
            ready: list[ServerConnection] = []
            for client_id in targets:
                ws = self.conns.get(client_id)
                if ws is None:
                    continue
                if droppable and ws.transport.get_write_buffer_size() > high_water:
                    if isinstance(message, Delta) and room is not None:
                        room.resync(client_id)
                        self.resyncs += 1
                    continue
                ready.append(ws)
            frame = None
            if ready:
                frame = encode(message)
                websockets.broadcast(ready, frame)
                self.frames_sent += len(ready)
                self.bytes_sent += len(ready) * len(frame.encode())
            if self.scale is not None and room is not None and isinstance(message, Delta | Leaderboard):
                if isinstance(message, Leaderboard):
                    self.scale.note_leaderboard(room.room_id, message)
                if item.target == BROADCAST:
                    self.scale.note_public(room.room_id, frame or encode(message))


async def run_server(host: str, port: int, journal: Journal | None, settings: ShellSettings = ShellSettings(),
                     stop: asyncio.Future | None = None, on_ready=None, scale: ScaleSettings | None = None,
                     instance: str | None = None) -> None:
    """Restore the journaled rooms, serve until ``stop`` resolves (or forever), then close cleanly.

    ``scale`` joins this process to others through Redis (room directory, district board, fan-out).
    ``instance``: this process's name as a room owner in the journal (``server/ownership``); with Redis it
    defaults to the advertised address, without Redis and without a name the process is alone.
    """
    if journal is not None and (instance is not None or scale is not None):
        address = advertised_address(host, port, warn=False) if port else None
        journal.owner = instance_name(instance, scale.advertise if scale is not None else None, address)
        log.info("room owner in the journal: instance %s", journal.owner)
    lobby = Lobby(wakeable=journal is not None, directory=scale is not None)
    if journal is not None:
        n = restore_lobby(journal, lobby)
        if n:
            log.info("restored %d rooms from %s", n, journal.path)
    link = ScaleLink(scale, lobby) if scale is not None else None
    server = ClassroomServer(lobby, journal, settings, link)
    await server.start(host, port)
    gc.freeze()  # startup objects (scenarios, replayed rooms) leave the collector's view: shorter gen-2 pauses
    if on_ready is not None:
        on_ready(server)
    try:
        await (stop if stop is not None else asyncio.Future())
    finally:
        with contextlib.suppress(Exception):
            await server.stop()
