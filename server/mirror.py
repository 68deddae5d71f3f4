"""A client's copy of what the server told it: public market state from ``welcome`` + ``delta``s, and
its own private state (cash, positions, order statuses) from fills, acks and notices.

Why Sans-I/O and apart from the socket code: the 3D world, the load tester and tests all need the same
"apply this frame" rules; a plain class keeps them testable without a server. Frames are applied as
the decoded JSON objects (dicts) to keep the per-message cost low at 20 Hz × many clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Mirror"]


@dataclass
class Mirror:
    """State as the server described it. ``positions`` is shares by symbol (the seat's own)."""

    client_id: str | None = None
    room: str | None = None
    role: str | None = None
    resume_token: str | None = None
    parent_token: str | None = None
    teacher_token: str | None = None
    join_code: str | None = None
    tick: int = 0
    last_ts_ms: int | None = None  # server send stamp of the latest delta
    prices: dict[str, float] = field(default_factory=dict)
    market: dict[str, Any] = field(default_factory=dict)  # day, halt, state, speed
    contest: dict[str, Any] = field(default_factory=dict)
    instruments: list[dict] = field(default_factory=list)
    cash: float | None = None
    positions: dict[str, int] = field(default_factory=dict)
    order_status: dict[str, str] = field(default_factory=dict)  # client_order_id -> latest status
    rejects: dict[str, str] = field(default_factory=dict)  # client_order_id -> reject code
    fills: list[dict] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    avatars: dict[str, dict] = field(default_factory=dict)  # client id -> latest pose (presence)
    leaderboard: dict[str, Any] = field(default_factory=dict)
    chat: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, msg: dict[str, Any]) -> None:
        """Fold one server message (a decoded frame) into the mirror; unknown types are ignored."""
        handler = getattr(self, "_on_" + str(msg.get("type")), None)
        if handler is not None:
            handler(msg)

    def _on_welcome(self, m: dict) -> None:
        self.client_id, self.room, self.role = m["client_id"], m["room"], m["role"]
        for key in ("resume_token", "parent_token", "teacher_token"):
            if m.get(key):
                setattr(self, key, m[key])
        snap = m.get("snapshot") or {}
        self.tick = snap.get("tick", 0)
        market = snap.get("market") or {}
        self.prices = dict(market.get("p", {}))
        self.market = {k: v for k, v in market.items() if k != "p"}
        self.contest = dict(snap.get("contest") or {})
        self.instruments = list(snap.get("instruments") or [])
        me = snap.get("me")
        if me:
            self.cash = me["cash"]
            self.positions = {sym: pos["qty"] for sym, pos in me["positions"].items()}
            for order in me["orders"]:
                if order.get("client_order_id"):
                    self.order_status[order["client_order_id"]] = order["status"]

    def _on_delta(self, m: dict) -> None:
        self.tick = m["tick"]
        self.last_ts_ms = m.get("ts", self.last_ts_ms)
        if "p" in m:
            if m.get("full"):
                self.prices = dict(m["p"])
            else:
                self.prices.update(m["p"])
        for key in ("day", "halt", "state", "speed"):
            if key in m:
                self.market[key] = m[key]
        if "state" in m:
            self.contest["state"] = m["state"]

    def _on_fill(self, m: dict) -> None:
        self.fills.append(m)
        self.cash = m["cash"]
        self.positions[m["symbol"]] = m["position_qty"]
        if m.get("client_order_id"):
            self.order_status.setdefault(m["client_order_id"], "filled")

    def _on_order_status(self, m: dict) -> None:
        if m.get("client_order_id"):
            self.order_status[m["client_order_id"]] = m["status"]

    def _on_reject(self, m: dict) -> None:
        self.rejects[m.get("client_order_id") or ""] = m["code"]

    def _on_contest(self, m: dict) -> None:
        self.contest.update(state=m["state"], settings=m["settings"])
        self.market["state"] = m["state"]
        if m.get("join_code"):
            self.join_code = m["join_code"]

    def _on_poses(self, m: dict) -> None:
        self.avatars.update(m["avatars"])

    def _on_leaderboard(self, m: dict) -> None:
        self.leaderboard = m

    def _on_notice(self, m: dict) -> None:
        self.notices.append(m["event"])

    def _on_error(self, m: dict) -> None:
        self.errors.append(m)

    def _on_chat(self, m: dict) -> None:
        self.chat.append((m["name"], m["text"]))
