"""The classroom connection for the render loop: a ``ClassroomClient`` on its own thread and asyncio loop.

Why a thread: Panda3D's frame loop is synchronous and must never wait on the network. The client's
reader runs on a private event loop in a daemon thread and drops every decoded frame into a
thread-safe queue; the frame drains it (``RemoteMarket.step``). Sends go the other way with
``run_coroutine_threadsafe`` and are fire-and-forget: a pose lost while reconnecting is replaced 66 ms
later, and an order that could not be sent comes back as a synthetic ``send_failed`` message so the
learner is told. Link changes (reconnecting, online, closed) arrive in the same queue as
``{"type": "link", "state": …}`` so the frame sees them in order with the data.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from vbranch.server.client import ClassroomClient

__all__ = ["NetClient", "LINK", "SEND_FAILED"]

log = logging.getLogger(__name__)

LINK = "link"  # queue-only message type: {"type": "link", "state": "reconnecting" | "online" | "closed"}
SEND_FAILED = "send_failed"  # queue-only: {"type": "send_failed", "client_order_id": …}


class NetClient:
    """Join a room from a synchronous program; ``inbox`` holds every server message in arrival order.

    Args:
        url: ``ws://HOST:PORT``.
        name: the learner's nickname (the server cuts it at 24 characters).
        join_code: the contest's code (a new seat); ``resume_token`` reclaims a seat instead.
        role, token, lang: as in ``ClassroomClient`` (a teacher passes ``role="teacher"``).
    """

    def __init__(self, url: str, name: str, *, join_code: str | None = None, role: str = "learner",
                 token: str | None = None, resume_token: str | None = None, lang: str = "en",
                 backoff_s: tuple[float, float] = (0.2, 5.0)) -> None:
        self.inbox: queue.SimpleQueue[dict] = queue.SimpleQueue()
        self.client = ClassroomClient(url, name, role=role, join_code=join_code, token=token,
                                      resume_token=resume_token, lang=lang, backoff_s=backoff_s,
                                      on_message=lambda msg, _n: self.inbox.put(msg),
                                      on_state=lambda state: self.inbox.put({"type": LINK, "state": state}))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="vbranch-net", daemon=True)
        self.welcome: dict | None = None

    def start(self, timeout_s: float = 5.0) -> dict:
        """Connect and join; returns the ``welcome``. Raises ``JoinRefused``, ``OSError`` or ``TimeoutError``.

        The welcome is also the first message in ``inbox``, so a reader of the queue starts from it.
        """
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.client.connect(timeout_s), self._loop)
        try:
            self.welcome = future.result(timeout_s + 1.0)
        except BaseException:
            self.close()
            raise
        return self.welcome

    @property
    def client_id(self) -> str | None:
        return self.welcome["client_id"] if self.welcome else None

    def send(self, obj: dict[str, Any]) -> None:
        """Queue ``obj`` for the server (never blocks); a failure is logged at debug level."""
        self._submit(self.client.send(obj), None)

    def send_order(self, client_order_id: str, symbol: str, side: str, **fields: Any) -> None:
        """Send an order; if it cannot leave (link down) a ``send_failed`` message lands in ``inbox``."""
        coro = self.client.send_order(symbol, side, client_order_id=client_order_id, **fields)
        self._submit(coro, client_order_id)

    def teacher(self, cmd: str, **args: Any) -> None:
        self.send({"type": "teacher", "cmd": cmd, **args})

    def _submit(self, coro, client_order_id: str | None) -> None:
        if not self._thread.is_alive():
            coro.close()
            self._failed(client_order_id, "not connected")
            return
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        future.add_done_callback(lambda f: self._done(f, client_order_id))

    def _done(self, future: Future, client_order_id: str | None) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self._failed(client_order_id, exc)

    def _failed(self, client_order_id: str | None, why: object) -> None:
        log.debug("send failed: %s", why)
        if client_order_id is not None:
            self.inbox.put({"type": SEND_FAILED, "client_order_id": client_order_id})

    def drain(self) -> list[dict]:
        """Every message received since the last call (the frame's share of the network)."""
        out = []
        while True:
            try:
                out.append(self.inbox.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        """Close the connection (no reconnect) and stop the thread; safe to call twice."""
        if self._thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self.client.close(), self._loop)
            try:
                future.result(3.0)
            except Exception:  # noqa: BLE001 - closing a dead link must not fail the exit
                log.debug("close failed", exc_info=True)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(3.0)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()
