"""Server mode of the branch: the room's market on the walls, classmates in the hall, orders to the server.

Why a separate shell around ``BranchApp``: single player stays exactly as it was; the classroom only
swaps the market for a ``RemoteMarket`` and the order sink for the server, and adds what a room has
and a lone learner hasn't — classmates' avatars (``Crowd``, interpolated from ~15 Hz ``poses``), the
live leaderboard on the classroom wall, the learner's own head pose going out at 15 Hz, and a HUD line
while the link is down (the client library reconnects with the seat's ``resume_token``).

The cooling-off gate stays in front of every order: ``BranchApp`` runs it and calls ``place`` only for
an order the learner really sends; ``held`` and the last crash come from the mirrored account and the
translated ``CrashStarted`` events.
"""

from __future__ import annotations

import itertools
import logging
import os
import time

from panda3d.core import Quat

from vbranch.market_sim.orders import OrderRequest
from vbranch.scenes.catalogue import text
from vbranch.world.crowd import Crowd
from vbranch.world.net_client import LINK, SEND_FAILED, NetClient
from vbranch.world.remote_market import RemoteMarket

__all__ = ["ClassroomSession", "POSE_HZ", "BOARD_REFRESH_S", "AVATAR_TIMEOUT_S", "leaderboard_lines"]

log = logging.getLogger(__name__)

POSE_HZ = 15.0  # what the server relays; sending faster only burns the rate limit
BOARD_REFRESH_S = 0.25  # rebuilding text geometry is the expensive part: at most 4 times a second
AVATAR_TIMEOUT_S = 5.0  # a classmate who sent no pose for this long has left (or frozen): take them out
BOARD_ROWS = 10


def leaderboard_lines(msg: dict, lang: str, rows: int = BOARD_ROWS) -> str:
    """The wall's text for a ``leaderboard`` message: a title, then one line per learner (top ``rows``)."""
    lines = [text("classroom.leaderboard_title", lang)]
    for row in (msg.get("rows") or [])[:rows]:
        lines.append(text("classroom.leaderboard_row", lang, rank=row.get("rank", "?"), name=row.get("name", "?"),
                          score=f"{float(row.get('score', 0.0)):.1f}",
                          return_pct=f"{float(row.get('return_pct', 0.0)):+.2f}"))
    if len(lines) == 1:
        lines.append(text("classroom.leaderboard_waiting", lang))
    return "\n".join(lines)


class ClassroomSession:
    """One learner's seat in a room, wrapped around a ``BranchApp`` built with ``market=self.market``.

    Build the app with ``place=session.place``, then ``attach(app)``; call ``frame(dt_s, now_s)`` instead of
    ``app.frame`` and ``close()`` at the end.
    """

    def __init__(self, net: NetClient, market: RemoteMarket, lang: str) -> None:
        self.net, self.market, self.lang = net, market, lang
        self.app = None
        self.crowd: Crowd | None = None
        self.board_text = ""
        self._board_pending: str | None = None
        self._board_set_s = -1e9
        self._next_pose_s = 0.0
        self._seen_s: dict[str, float] = {}
        self._coids = itertools.count(1)
        self._nonce = f"{os.getpid() % 10000:04d}{int(time.time()) % 100000:05d}"  # unique per run

    def attach(self, app) -> None:
        self.app = app
        self.crowd = Crowd(app.world)
        self._board_pending = leaderboard_lines(self.market.mirror.leaderboard, self.lang)

    @property
    def over(self) -> bool:
        """The contest ended (a headless run stops here; a learner keeps looking at the board)."""
        return self.market.state == "ended"

    # ----- orders -----------------------------------------------------------------------------------
    def place(self, request: OrderRequest) -> str:
        """Send the panel's order (already through the cooling-off gate); the fill comes back later."""
        coid = f"w{self._nonce}-{next(self._coids)}"
        fields: dict = {"qty": request.qty, "kind": request.kind.value}
        for wire, value in (("limit", request.limit_price), ("stop", request.trigger_price),
                            ("trail_pct", request.trail_pct), ("stop_pct", request.stop_loss_pct),
                            ("take_profit_pct", request.take_profit_pct)):
            if value is not None:
                fields[wire] = value
        self.net.send_order(coid, request.symbol, request.side.value, **fields)
        names = self.app.names if self.app is not None else {}
        return text("classroom.order_sent", self.lang, side=text(f"side.{request.side.value}", self.lang),
                    qty=request.qty, name=names.get(request.symbol, request.symbol))

    # ----- the frame --------------------------------------------------------------------------------
    def frame(self, dt_s: float, now_s: float) -> None:
        """The app's frame (which drains the network into the market), then the room's own updates."""
        app = self.app
        app.frame(dt_s, now_s)
        for msg in self.market.received:
            self._handle(msg, now_s)
        self._expire(now_s)
        self.crowd.update(now_s)
        if self._board_pending is not None and now_s - self._board_set_s >= BOARD_REFRESH_S:
            self._set_board(self._board_pending, now_s)
        if now_s >= self._next_pose_s:
            self._next_pose_s = max(self._next_pose_s + 1.0 / POSE_HZ, now_s)
            self._send_pose()

    def _handle(self, msg: dict, now_s: float) -> None:
        kind, hud = msg.get("type"), self.app.hud
        if kind == "poses":
            self._poses(msg.get("avatars") or {}, now_s)
        elif kind == "leaderboard":
            self._board_pending = leaderboard_lines(msg, self.lang)
        elif kind == "reject":
            message = msg.get("message") or msg.get("code", "")
            self.app.panel.status(message)
            hud.notify(message, now_s, 5.0)
        elif kind == SEND_FAILED:
            hud.notify(text("classroom.send_failed", self.lang), now_s, 5.0)
        elif kind == LINK:
            state = msg.get("state")
            log.info("classroom link: %s", state)
            seconds = {"reconnecting": 3600.0, "online": 3.0, "closed": 10.0}.get(state)
            if seconds is not None:  # the reconnecting line stays until the link is back
                hud.notify(text(f"classroom.{state}", self.lang), now_s, seconds)
        elif kind == "contest" and msg.get("state") == "ended":
            hud.notify(text("classroom.ended", self.lang), now_s, 10.0)
        elif kind == "error":
            log.info("server error %s: %s", msg.get("code"), msg.get("message"))

    def _poses(self, avatars: dict, now_s: float) -> None:
        mine = self.market.mirror.client_id
        for client_id, pose in avatars.items():
            head = pose.get("head") if isinstance(pose, dict) else None
            if client_id == mine or not head or len(head) != 7:
                continue
            x, y, _z, qx, qy, qz, qw = (float(v) for v in head)
            heading = Quat(qw, qx, qy, qz).get_hpr()[0]
            self.crowd.push(client_id, now_s, (x, y, 0.0), heading)  # the avatar stands on the floor
            self._seen_s[client_id] = now_s

    def _expire(self, now_s: float) -> None:
        for client_id, seen_s in list(self._seen_s.items()):
            if now_s - seen_s > AVATAR_TIMEOUT_S:
                del self._seen_s[client_id]
                self.crowd.remove(client_id)

    def _set_board(self, value: str, now_s: float) -> None:
        self._board_pending = None
        if value != self.board_text and self.app.leaderboard_text is not None:
            self.app.leaderboard_text.set_text(value)
            self._board_set_s = now_s
        self.board_text = value

    def _send_pose(self) -> None:
        head, render = self.app.head, self.app.base.render
        x, y, z = head.get_pos(render)
        q = head.get_quat(render)
        q.normalize()
        self.net.send({"type": "pose", "head": [round(x, 3), round(y, 3), round(z, 3), round(q.get_i(), 4),
                                                 round(q.get_j(), 4), round(q.get_k(), 4), round(q.get_r(), 4)]})

    # ----- state and shutdown ----------------------------------------------------------------------
    def state(self) -> dict:
        """What this client shows now, as plain data (``--print-state``, tests)."""
        mirror = self.market.mirror
        account = self.market.account(self.market.account_id)
        return {"client_id": mirror.client_id, "room": mirror.room, "state": self.market.state, "tick": mirror.tick,
                "day": self.market.day, "prices": self.market.prices,
                "classmates": sorted(str(c) for c in self._seen_s),
                "leaderboard": [r.get("name") for r in (mirror.leaderboard.get("rows") or [])],
                "positions": {s: p.qty for s, p in account.positions.items() if p.qty},
                "cash": account.cash, "board_text": self.board_text}

    def close(self) -> None:
        if self.crowd is not None:
            self.crowd.destroy()
            self.crowd = None
        self.net.close()
