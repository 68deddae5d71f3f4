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

import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from vbranch.server.journal import Journal
from vbranch.server.lobby import Lobby
from vbranch.server.messages import Close, Delta, Poses
from vbranch.server.protocol import MAX_FRAME_BYTES, encode
from vbranch.server.restore import ROOM_CREATED, ReplayMismatch, restore_room
from vbranch.server.room import Room
from vbranch.server.seats import Outgoing
from vbranch.server.web import WebRoutes

__all__ = ["CLOSE_TRY_LATER", "ShellSettings", "ClassroomServer", "restore_lobby", "run_server"]

log = logging.getLogger(__name__)

CLOSE_TRY_LATER = 1013  # too many connections from one address


@dataclass(frozen=True)
class ShellSettings:
    """Transport limits. ``max_conns_per_ip`` 0 = no cap (the load benchmark connects 1,000 from loopback)."""

    max_conns_per_ip: int = 200  # a school behind one NAT address
    high_water_bytes: int = 64 * 1024  # unsent bytes above which a client misses deltas until it drains
    ping_interval_s: float = 20.0
    ping_timeout_s: float = 20.0
    allowed_hosts: tuple[str, ...] = ()  # host names (beyond IPs and localhost) browsers may use for the dashboard


def restore_lobby(journal: Journal, lobby: Lobby) -> int:
    """Rebuild every journaled room into ``lobby``; a room whose replay fails is skipped and logged."""
    restored = 0
    for room_id in journal.room_ids():
        entries = list(journal.entries(room_id))
        created = next((e for e in entries if e.kind == ROOM_CREATED), None)
        if created is None:
            log.error("room %s has no creation record; not restored", room_id)
            continue
        try:
            lobby.add_room(restore_room(room_id, created.payload["teacher_token"], entries, lobby.build_room))
            restored += 1
        except (ReplayMismatch, KeyError, ValueError, TypeError) as exc:
            log.error("room %s could not be replayed (%s); not restored", room_id, exc)
    return restored


class ClassroomServer:
    """One process, many rooms. ``clock`` is monotonic seconds for the rooms; ``wall_ms`` stamps deltas."""

    def __init__(self, lobby: Lobby, journal: Journal | None, settings: ShellSettings = ShellSettings()) -> None:
        self.lobby, self.journal, self.settings = lobby, journal, settings
        self.conns: dict[str, ServerConnection] = {}
        self.frames_sent = self.bytes_sent = self.resyncs = 0
        self._ids = itertools.count(1)
        self._per_ip: collections.Counter[str] = collections.Counter()
        self._tickers: dict[str, asyncio.Task] = {}
        self._server: websockets.asyncio.server.Server | None = None
        self.web = WebRoutes(settings.allowed_hosts)

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
                                   process_request=self.web.process_request)
        self._ensure_tickers()
        log.info("listening on ws://%s:%d (%d rooms); teacher dashboard at http://%s:%d/", host, self.port,
                 len(self.lobby.rooms), host, self.port)

    async def stop(self) -> None:
        for task in self._tickers.values():
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self.journal is not None:
            self.journal.close()

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
                if self._commit():
                    self._deliver(self.lobby.room_of(client_id), out)
                self._ensure_tickers()
        except ConnectionClosed:
            pass
        finally:
            del self.conns[client_id]
            self._per_ip[ip] -= 1
            out = self.lobby.leave(client_id, self.clock())
            if self._commit():
                self._deliver(None, out)

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
                if self._commit():
                    self._deliver(room, out, stamp_ms)
            except Exception:  # one room's bug must not stop its clock for good
                log.exception("room %s: tick failed", room.room_id)

    # ----- journal, then send -----------------------------------------------------------------------------
    def _commit(self) -> bool:
        """Persist what the rooms journaled; False (and nothing is sent) if the disk refused it."""
        entries = self.lobby.take_journal()
        if not entries or self.journal is None:
            return True
        try:
            self.journal.append(entries)
            return True
        except sqlite3.Error:
            log.exception("journal write failed: %d entries lost, their acknowledgements withheld", len(entries))
            return False

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
            if ready:
                frame = encode(message)
                websockets.broadcast(ready, frame)
                self.frames_sent += len(ready)
                self.bytes_sent += len(ready) * len(frame.encode())


async def run_server(host: str, port: int, journal: Journal | None, settings: ShellSettings = ShellSettings(),
                     stop: asyncio.Future | None = None, on_ready=None) -> None:
    """Restore the journaled rooms, serve until ``stop`` resolves (or forever), then close cleanly."""
    lobby = Lobby()
    if journal is not None:
        n = restore_lobby(journal, lobby)
        if n:
            log.info("restored %d rooms from %s", n, journal.path)
    server = ClassroomServer(lobby, journal, settings)
    await server.start(host, port)
    gc.freeze()  # startup objects (scenarios, replayed rooms) leave the collector's view: shorter gen-2 pauses
    if on_ready is not None:
        on_ready(server)
    try:
        await (stop if stop is not None else asyncio.Future())
    finally:
        with contextlib.suppress(Exception):
            await server.stop()
