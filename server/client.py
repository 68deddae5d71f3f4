"""An asyncio client for the classroom server: join, mirror the state, place orders, come back after a drop.

Used by the load benchmark now and by ``world/`` later (``vbranch run --server ws://… --join CODE``).
``connect`` sends ``hello`` and waits for ``welcome``; a reader task then folds every frame into a
``Mirror`` and calls ``on_message``. If the connection drops (not closed by us, not replaced by a
newer connection of the same seat), the client reconnects with exponential backoff and says ``hello``
again with its ``resume_token`` (a learner) or ``teacher_token`` (a teacher), so the seat and its
private state come back.

Several server processes: a ``redirect`` answer to ``hello`` (the room lives on another process) is
followed once: the client connects to the given address and says the same hello there, naming the
room. ``url`` and ``room`` then point at the owner, so later reconnects go straight there. A second
redirect in a row, an address that is not ``ws://``/``wss://``, or a ``wss://`` → ``ws://`` downgrade
is refused (``JoinRefused``) rather than followed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from vbranch.server.mirror import Mirror
from vbranch.server.seats import CLOSE_REPLACED

__all__ = ["RECENT_MESSAGES", "MAX_REDIRECTS", "JoinRefused", "ClassroomClient"]

log = logging.getLogger(__name__)

_NO_RECONNECT = {CLOSE_REPLACED, 1008, 1009, 1013}
RECENT_MESSAGES = 256  # kept so ``wait_for`` also sees a reply that beat it
MAX_REDIRECTS = 1  # a room's owner is one hop away; more means two processes disagree about it


class JoinRefused(RuntimeError):
    """The server answered ``hello`` with an ``error`` (code in ``.code``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class ClassroomClient:
    """One seat (or a teacher) on a server. ``on_message(msg, n_bytes)`` sees every decoded frame."""

    def __init__(self, url: str, name: str, *, room: str | None = None, role: str = "learner",
                 join_code: str | None = None, token: str | None = None, resume_token: str | None = None,
                 lang: str = "en", on_message: Callable[[dict, int], None] | None = None,
                 reconnect: bool = True, backoff_s: tuple[float, float] = (0.1, 5.0),
                 on_state: Callable[[str], None] | None = None, keep_recent: int = RECENT_MESSAGES) -> None:
        self.url, self.name, self.role, self.lang = url, name, role, lang
        self.room, self.join_code, self.token, self.resume_token = room, join_code, token, resume_token
        self.on_message, self.reconnect, self.backoff_s = on_message, reconnect, backoff_s
        self.on_state = on_state  # "reconnecting" / "online" / "closed": lets a UI say what the link is doing
        self.mirror = Mirror()
        self.bytes_received = self.messages_received = self.reconnects = self.redirects = 0
        self._redirect: dict | None = None  # the latest redirect, until followed
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False
        self._waiters: list[tuple[Callable[[dict], bool], asyncio.Future]] = []
        self._coids = itertools.count(1)
        # ``keep_recent``: a load generator with a thousand clients in one process keeps few, since the
        # retained frames (dicts, so tracked by the cyclic GC) made its full collections stall for 200 ms
        self.recent: collections.deque[dict] = collections.deque(maxlen=keep_recent)

    # ----- connection ---------------------------------------------------------------------------------------
    def _hello(self) -> dict[str, Any]:
        hello: dict[str, Any] = {"type": "hello", "v": 1, "name": self.name, "role": self.role, "lang": self.lang}
        if self.room:
            hello["room"] = self.room
        if self.role == "teacher" and (self.token or self.mirror.teacher_token):
            hello["token"] = self.token or self.mirror.teacher_token
        elif self.role == "parent":
            hello["token"] = self.token
        elif self.resume_token or self.mirror.resume_token:
            hello["resume_token"] = self.mirror.resume_token or self.resume_token
        elif self.join_code:
            hello["join_code"] = self.join_code
        return hello

    async def connect(self, timeout_s: float = 10.0) -> dict:
        """Open the connection, say hello, return the ``welcome`` (raises ``JoinRefused`` on an error).

        A ``redirect`` is followed ``MAX_REDIRECTS`` time(s); ``timeout_s`` applies to each hop.
        """
        for hop in range(MAX_REDIRECTS + 1):
            ws = await connect(self.url, max_size=2**20, compression=None, open_timeout=timeout_s)
            await ws.send(json.dumps(self._hello(), separators=(",", ":")))
            async with asyncio.timeout(timeout_s):
                while True:
                    frame = await ws.recv()
                    msg = self._receive(frame)
                    if msg.get("type") in ("welcome", "redirect"):
                        break
                    if msg.get("type") == "error":
                        await ws.close()
                        raise JoinRefused(msg["code"], msg["message"])
            if msg["type"] == "welcome":
                break
            await ws.close()
            if hop == MAX_REDIRECTS:
                raise JoinRefused("too_many_redirects", f"sent on again to {msg.get('address')}")
            self._follow_redirect()
        self._ws = ws
        self.room = self.mirror.room
        self._reader = asyncio.create_task(self._read_loop(ws))
        return msg

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    def _follow_redirect(self) -> None:
        """Point ``url`` and ``room`` at the process the last ``redirect`` named (JoinRefused if unsafe)."""
        msg, self._redirect = self._redirect, None
        address = str((msg or {}).get("address", ""))
        if not address.startswith(("ws://", "wss://")) or (self.url.startswith("wss://")
                                                            and address.startswith("ws://")):
            raise JoinRefused("bad_redirect", f"refusing to follow a redirect to {address!r} from {self.url}")
        log.info("room %s lives at %s: following the redirect from %s", msg.get("room"), address, self.url)
        self.url, self.room = address, msg.get("room") or self.room
        self.redirects += 1

    def _receive(self, frame: str | bytes) -> dict:
        self.bytes_received += len(frame)
        self.messages_received += 1
        msg = json.loads(frame)
        if msg.get("type") == "redirect":
            self._redirect = msg
        self.mirror.apply(msg)
        self.recent.append(msg)
        if self.on_message is not None:
            self.on_message(msg, len(frame))
        if self._waiters:
            for pair in list(self._waiters):
                predicate, future = pair
                if not future.done() and predicate(msg):
                    future.set_result(msg)
                    self._waiters.remove(pair)
        return msg

    async def _read_loop(self, ws: ClientConnection) -> None:
        while True:
            try:
                async for frame in ws:
                    self._receive(frame)
            except ConnectionClosed:
                pass
            code = ws.close_code
            if self._redirect is not None and not self._closing:  # the room moved while we were away
                try:
                    self._follow_redirect()
                except JoinRefused as exc:
                    log.warning("%s; not reconnecting", exc)
                    self._state("closed")
                    return
            elif self._closing or not self.reconnect or code in _NO_RECONNECT:
                log.info("connection closed (%s); not reconnecting", code)
                self._state("closed")
                return
            self._state("reconnecting")
            ws = self._ws = await self._reconnect()
            self._state("online")

    def _state(self, state: str) -> None:
        if self.on_state is not None:
            self.on_state(state)

    async def _reconnect(self) -> ClientConnection:
        delay_s, max_s = self.backoff_s
        while True:
            await asyncio.sleep(delay_s)
            try:
                ws = await connect(self.url, max_size=2**20, compression=None, open_timeout=10)
                await ws.send(json.dumps(self._hello(), separators=(",", ":")))
                self.reconnects += 1
                log.info("reconnected to %s", self.url)
                return ws
            except (OSError, TimeoutError, ConnectionClosed) as exc:
                log.info("reconnect failed (%s); next try in %.1f s", exc, min(max_s, delay_s * 2))
                delay_s = min(max_s, delay_s * 2)

    # ----- sending ------------------------------------------------------------------------------------------
    async def send(self, obj: dict[str, Any]) -> None:
        if self._ws is None:
            raise RuntimeError("not connected")
        await self._ws.send(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))

    async def send_order(self, symbol: str, side: str, *, qty: int | None = None, cash: float | None = None,
                         pct: float | None = None, kind: str = "market", client_order_id: str | None = None,
                         **extra: Any) -> str:
        """Send an order sized by exactly one of qty/cash/pct; returns its ``client_order_id``."""
        sizes = {k: v for k, v in (("qty", qty), ("cash", cash), ("pct", pct)) if v is not None}
        if len(sizes) != 1:
            raise ValueError("give exactly one of qty, cash, pct")
        coid = client_order_id or f"{self.name[:8]}-{next(self._coids)}"
        await self.send({"type": "order", "client_order_id": coid, "symbol": symbol, "side": side, "kind": kind,
                         **sizes, **extra})
        return coid

    async def teacher(self, cmd: str, **args: Any) -> None:
        await self.send({"type": "teacher", "cmd": cmd, **args})

    async def wait_for(self, predicate: Callable[[dict], bool], timeout_s: float = 5.0, *, seen: bool = True) -> dict:
        """A message for which ``predicate`` is true: among the last ``keep_recent`` (``seen``), else the next.

        Raises ``TimeoutError``. Looking back closes the race where the reply arrives while ``send`` is
        still returning; pass ``seen=False`` to wait strictly for a new message.
        """
        if seen:
            match = next((m for m in reversed(self.recent) if predicate(m)), None)
            if match is not None:
                return match
        future = asyncio.get_running_loop().create_future()
        pair = (predicate, future)
        self._waiters.append(pair)
        try:
            return await asyncio.wait_for(future, timeout_s)
        finally:
            if pair in self._waiters:
                self._waiters.remove(pair)
