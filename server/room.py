"""One classroom: an authoritative market, its contest, its seats, as a Sans-I/O state machine.

Why Sans-I/O (python-websockets' model): the room owns no socket and reads no clock. The shell feeds
it ``receive_frame``/``receive`` (what a connection said), ``leave`` (a connection closed) and
``tick(now_s)`` at ``tick_hz``; each returns ``Outgoing`` items (who gets which message) that the shell
encodes and sends. So every rule here runs in tests in microseconds, and a bad frame costs its sender
an ``error`` (or a ``Close`` decision), never the room.

Targets: a client id, ``BROADCAST`` (everyone joined: learners, teacher, parents) or ``PARTICIPANTS``
(learners and teacher: chat and avatars never reach parents). ``recipients(target)`` resolves them.
Private state (fills, notices, order status) goes to the owner's connection and their parent views.
Acknowledgement: the transport is reliable and ordered, so a delta handed to the shell counts as
acknowledged; a shell that drops frames for a slow client calls ``resync(client_id)`` and that client's
next delta carries the full state.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from vbranch.market_sim.events import MarketEvent
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderRejected, Reject, RejectCode
from vbranch.scenes.catalogue import text
from vbranch.server import auth
from vbranch.server.contest import Contest, ContestSettings, ContestState, check_order_policy, market_for
from vbranch.server.delta import delta_fields, diff, private_messages, public_state, snapshot
from vbranch.server.leaderboard import Standing, board_and_benchmark, sample_standings
from vbranch.server.messages import (
    Cancel,
    Chat,
    ChatRelay,
    Close,
    ContestInfo,
    Delta,
    Emotion,
    Error,
    Fill,
    Hello,
    Leaderboard,
    Order,
    OrderStatus,
    Ping,
    Pong,
    Pose,
    Poses,
    Role,
    Teacher,
    Welcome,
)
from vbranch.server.messages import Reject as RejectMsg
from vbranch.server.order_entry import to_request
from vbranch.server.protocol import CLOSE_POLICY, ErrorCode, ProtocolError, decode, to_wire
from vbranch.server.ratelimit import DEFAULT_LIMITS, RateLimiter, RateLimits
from vbranch.server.seats import (
    BROADCAST,
    CLOCK_JOURNAL_PERIOD_S,
    CLOSE_REPLACED,
    MAX_TICK_DT_S,
    PARTICIPANTS,
    SAMPLES_PER_DAY,
    Conn,
    JournalEntry,
    Outgoing,
    Seat,
)
from vbranch.server.teacher import handle_teacher

__all__ = ["BROADCAST", "PARTICIPANTS", "CLOSE_REPLACED", "CLOCK_JOURNAL_PERIOD_S", "Outgoing", "JournalEntry", "Seat",
           "Room", "error_for"]

log = logging.getLogger(__name__)

def error_for(code: ErrorCode, lang: str, detail: str = "") -> Error:
    """An ``error`` message worded from the catalogue (the code alone if the catalogue lacks it)."""
    try:
        return Error(code.value, text(f"error.{code.value}", lang, detail=detail))
    except (KeyError, IndexError, ValueError):
        return Error(code.value, code.value)


class Room:
    """See the module docstring. ``teacher_token`` authorises ``teacher`` commands in this room."""

    def __init__(self, room_id: str, teacher_token: str, *, limits: RateLimits = DEFAULT_LIMITS,
                 pose_hz: float = 15.0, leaderboard_period_s: float = 5.0) -> None:
        self.room_id, self.teacher_token, self.limits = room_id, teacher_token, limits
        self.pose_period_s, self.leaderboard_period_s = 1.0 / pose_hz, leaderboard_period_s
        self.contest: Contest | None = None
        self.market: Market | None = None
        self.seats: dict[str, Seat] = {}
        self.conns: dict[str, Conn] = {}
        self.tick_no = 0
        self.last_public: dict | None = None
        self.price_samples: list[list[float]] = []
        self._journal: list[JournalEntry] = []
        self._resync: set[str] = set()
        self._last_now: float | None = None
        self._next_pose_s = self._next_board_s = self._next_clock_s = 0.0
        self._next_sample_step = 0
        self._seat_ids = 0
        self._pending: list[Outgoing] = []

    # ----- shell API ---------------------------------------------------------------------------------------
    @property
    def tick_hz(self) -> float:
        return self.contest.settings.tick_hz if self.contest else 20.0

    def recipients(self, target: str) -> list[str]:
        """Client ids an ``Outgoing`` target stands for (joined connections only)."""
        if target == BROADCAST:
            return [c.client_id for c in self.conns.values() if c.role is not None]
        if target == PARTICIPANTS:
            return [c.client_id for c in self.conns.values() if c.role in (Role.LEARNER, Role.TEACHER)]
        return [target] if target in self.conns else []

    def take_journal(self) -> list[JournalEntry]:
        out, self._journal = self._journal, []
        return out

    def resync(self, client_id: str) -> None:
        self._resync.add(client_id)

    def receive_frame(self, client_id: str, frame: str | bytes, now_s: float) -> list[Outgoing]:
        """Decode one frame and handle it; a bad frame gets an ``error`` or a ``Close``, nothing else."""
        message = decode(frame)
        if isinstance(message, ProtocolError):
            conn = self._conn(client_id)
            if message.close_code is not None:
                return [Outgoing(client_id, Close(message.close_code, message.code.value))]
            return self._refuse(conn, message.code, now_s, detail=message.detail)
        return self.receive(client_id, message, now_s)

    def receive(self, client_id: str, message: Any, now_s: float) -> list[Outgoing]:
        """Handle one decoded message from ``client_id`` at ``now_s``."""
        conn = self._conn(client_id)
        if not conn.limiter.allow(message.TYPE, now_s):
            return self._refuse(conn, ErrorCode.RATE_LIMITED, now_s)
        if isinstance(message, Hello):
            return self._hello(conn, message, now_s)
        if conn.role is None:
            return self._refuse(conn, ErrorCode.NOT_JOINED, now_s)
        if isinstance(message, Ping):
            return [Outgoing(client_id, Pong(message.t))]
        if isinstance(message, Teacher):
            if conn.role is not Role.TEACHER:
                return self._refuse(conn, ErrorCode.NOT_TEACHER, now_s)
            return handle_teacher(self, conn, message, now_s)
        if conn.role is Role.TEACHER and isinstance(message, Pose | Chat):
            return self._social(conn, message)
        if conn.role is not Role.LEARNER:  # parents watch; teachers steer, they do not trade
            return self._refuse(conn, ErrorCode.READ_ONLY, now_s)
        if isinstance(message, Order):
            return self._order(conn, message, now_s)
        if isinstance(message, Cancel):
            return self._cancel(conn, message, now_s)
        if isinstance(message, Emotion):
            self.seats[conn.seat_id].emotion = (message.distress, message.confidence)
            return []
        return self._social(conn, message)

    def leave(self, client_id: str, now_s: float) -> list[Outgoing]:
        """A connection closed; a learner's seat stays for ``resume_token``."""
        conn = self.conns.pop(client_id, None)
        if conn is not None and conn.role is Role.LEARNER:
            seat = self.seats[conn.seat_id]
            if seat.client_id == client_id:
                seat.client_id = None
        self._resync.discard(client_id)
        return []

    def tick(self, now_s: float) -> list[Outgoing]:
        """Advance the market by the wall time since the last tick and emit deltas, poses, leaderboards."""
        dt_s = 0.0 if self._last_now is None else min(MAX_TICK_DT_S, max(0.0, now_s - self._last_now))
        self._last_now = now_s
        self.tick_no += 1
        out, self._pending = self._pending, []
        if self.market is None or self.contest is None:
            return out
        contest, market = self.contest, self.market
        events: list[MarketEvent] = []
        if contest.state is ContestState.RUNNING:
            events = market.step(dt_s)
            if contest.run_for(dt_s) or market.finished:
                contest.end()
                self._journal_add("room", "end", {}, now_s)
                out += self._final_board()
            elif now_s >= self._next_clock_s:
                self._next_clock_s = now_s + CLOCK_JOURNAL_PERIOD_S
                self._journal_add("room", "clock", {}, now_s)
        out += self._route(events)
        self._sample()
        out += self._deltas(events)
        if now_s >= self._next_pose_s:
            self._next_pose_s = max(self._next_pose_s + self.pose_period_s, now_s - self.pose_period_s)
            avatars = {c.client_id: c.pose for c in self.conns.values() if c.pose is not None}
            for c in self.conns.values():
                c.pose = None
            if avatars:
                out.append(Outgoing(PARTICIPANTS, Poses(self.tick_no, avatars)))
        if contest.state is ContestState.RUNNING and now_s >= self._next_board_s:
            self._next_board_s = now_s + self.leaderboard_period_s
            out.append(Outgoing(BROADCAST, self.leaderboard_message()))
        return out

    # ----- leaderboard ------------------------------------------------------------------------------------
    def standings(self) -> tuple[list[Standing], float]:
        """(ranked board, buy-and-hold benchmark return in percent)."""
        if self.market is None or self.contest is None:
            return [], 0.0
        return board_and_benchmark(self.market, self.contest.settings, self.seats.values(), self.price_samples)

    def leaderboard_message(self, final: bool = False) -> Leaderboard:
        board, bench = self.standings()
        return Leaderboard([s.to_dict() for s in board], bench, final)

    def _final_board(self) -> list[Outgoing]:
        self._sample(force=True)
        return [Outgoing(BROADCAST, self.leaderboard_message(final=True)),
                Outgoing(BROADCAST, self.contest_info(with_code=False))]

    # ----- internals --------------------------------------------------------------------------------------
    def _conn(self, client_id: str) -> Conn:
        conn = self.conns.get(client_id)
        if conn is None:
            conn = self.conns[client_id] = Conn(client_id, RateLimiter(self.limits))
        return conn

    def _refuse(self, conn: Conn, code: ErrorCode, now_s: float, detail: str = "") -> list[Outgoing]:
        if not conn.limiter.strike(now_s):
            return [Outgoing(conn.client_id, Close(CLOSE_POLICY, "too many refused messages"))]
        return [Outgoing(conn.client_id, error_for(code, conn.lang, detail))]

    def _journal_add(self, actor: str, kind: str, payload: dict, now_s: float) -> None:
        step = self.market.t_step if self.market is not None else 0
        elapsed_s = self.contest.elapsed_s if self.contest is not None else 0.0
        self._journal.append(JournalEntry(self.tick_no, now_s, actor, kind, payload, step, elapsed_s))

    def _owner_targets(self, seat_id: str) -> list[str]:
        return [c.client_id for c in self.conns.values()
                if c.seat_id == seat_id and c.role in (Role.LEARNER, Role.PARENT)]

    def _to_owner(self, seat_id: str, message: Any) -> list[Outgoing]:
        return [Outgoing(cid, message) for cid in self._owner_targets(seat_id)]

    def contest_info(self, with_code: bool) -> ContestInfo:
        c = self.contest
        return ContestInfo(c.state.name.lower(), c.settings.to_dict(), c.join_code if with_code else None)

    def snapshot(self, seat_id: str | None) -> dict:
        """Everything a (re)joining client needs: public state, instruments, bars, contest, own account."""
        return snapshot(self.market, self.contest, self.last_public, self.tick_no, seat_id)

    def _hello(self, conn: Conn, msg: Hello, now_s: float) -> list[Outgoing]:
        if conn.role is not None:
            return self._refuse(conn, ErrorCode.ALREADY_JOINED, now_s)
        conn.lang = msg.lang
        if msg.room != self.room_id:
            return self._refuse(conn, ErrorCode.BAD_JOIN, now_s)
        out: list[Outgoing] = []
        seat: Seat | None = None
        if msg.role is Role.TEACHER:
            if not auth.same_secret(msg.token, self.teacher_token):
                return self._refuse(conn, ErrorCode.BAD_TOKEN, now_s)
        elif msg.role is Role.PARENT:
            seat = next((s for s in self.seats.values() if auth.same_secret(msg.token, s.parent_token)), None)
            if seat is None:
                return self._refuse(conn, ErrorCode.BAD_TOKEN, now_s)
        elif msg.resume_token is not None:
            code = auth.normalise_code(msg.resume_token)
            seat = next((s for s in self.seats.values() if auth.same_secret(code, s.resume_token)), None)
            if seat is None:
                return self._refuse(conn, ErrorCode.BAD_TOKEN, now_s)
            if seat.client_id is not None and seat.client_id != conn.client_id:
                out.append(Outgoing(seat.client_id, Close(CLOSE_REPLACED, "seat resumed elsewhere")))
                old = self.conns.get(seat.client_id)
                if old is not None:
                    old.role, old.seat_id = None, None
        else:
            if self.contest is None or self.contest.state is ContestState.ENDED or msg.join_code is None \
                    or not auth.same_secret(auth.normalise_code(msg.join_code), self.contest.join_code):
                return self._refuse(conn, ErrorCode.BAD_JOIN, now_s)
            seat = self.new_seat(msg.name, now_s)
        conn.role = msg.role
        if seat is not None:
            conn.seat_id = seat.seat_id
            if msg.role is Role.LEARNER:
                seat.client_id = conn.client_id
        own = msg.role is Role.LEARNER
        out.append(Outgoing(conn.client_id, Welcome(
            client_id=conn.client_id, resume_token=seat.resume_token if own else None, room=self.room_id,
            role=msg.role, snapshot=self.snapshot(seat.seat_id if seat else None),
            parent_token=seat.parent_token if own else None)))
        if msg.role is Role.TEACHER and self.contest is not None:
            out.append(Outgoing(conn.client_id, self.contest_info(with_code=True)))
        return out

    def new_seat(self, name: str, now_s: float, resume_token: str | None = None,
                 parent_token: str | None = None) -> Seat:
        """A learner's seat with a fresh account (tokens given only when a restart restores the seat)."""
        self._seat_ids += 1
        seat = Seat(f"s{self._seat_ids}", name, resume_token or auth.resume_code(), parent_token or auth.new_token())
        self.seats[seat.seat_id] = seat
        self._journal_add(seat.seat_id, "seat", {"name": name, "resume_token": seat.resume_token,
                                                 "parent_token": seat.parent_token}, now_s)
        self.market.open_account(seat.seat_id, self.contest.settings.starting_cash)
        return seat

    def _reject(self, conn: Conn, reject: Reject | tuple[str, dict], coid: str | None) -> list[Outgoing]:
        if isinstance(reject, Reject):
            code, message = reject.code.value, reject.message(conn.lang)
        else:
            code, message = reject[0], text(f"reject.{reject[0]}", conn.lang, **reject[1])
        return [Outgoing(conn.client_id, RejectMsg(coid, code, message))]

    def _order(self, conn: Conn, msg: Order, now_s: float) -> list[Outgoing]:
        seat, market, contest = self.seats[conn.seat_id], self.market, self.contest
        coid = msg.client_order_id
        if msg.client_order_id in seat.order_ids:
            return self._reject(conn, ("duplicate_order_id", {"client_order_id": coid}), coid)
        request = to_request(msg, market, seat.seat_id)
        if isinstance(request, Reject):
            return self._reject(conn, request, coid)
        price = request.limit_price or market.price(request.symbol)
        policy = check_order_policy(contest.settings, contest.state, symbol=request.symbol, kind=msg.kind,
                                    side=msg.side, qty=request.qty, price=price,
                                    account=market.account(seat.seat_id), prices=market.prices)
        if policy is not None:
            return self._reject(conn, policy, coid)
        n_events = len(market.events)
        try:
            order = market.submit(seat.seat_id, request)
        except OrderRejected as exc:
            return self._reject(conn, exc.reject, coid)
        seat.order_ids[coid], seat.client_order_ids[order.order_id] = order.order_id, coid
        self._journal_add(seat.seat_id, "order", {"order_id": order.order_id, "qty": request.qty, "msg": to_wire(msg)},
                          now_s)
        status = OrderStatus(coid, order.order_id, order.status.value, order.filled_qty)
        return self._to_owner(seat.seat_id, status) + self._route(market.events[n_events:])

    def _cancel(self, conn: Conn, msg: Cancel, now_s: float) -> list[Outgoing]:
        seat, coid = self.seats[conn.seat_id], msg.client_order_id
        order_id = seat.order_ids.get(coid)
        try:
            if order_id is None or self.market is None:
                raise OrderRejected(Reject(RejectCode.UNKNOWN_ORDER, {"order_id": coid}, coid))
            order = self.market.cancel(seat.seat_id, order_id)
        except OrderRejected as exc:
            return self._reject(conn, exc.reject, coid)
        self._journal_add(seat.seat_id, "cancel", {"order_id": order_id, "client_order_id": coid}, now_s)
        return self._to_owner(seat.seat_id, OrderStatus(coid, order_id, order.status.value, order.filled_qty))

    def _social(self, conn: Conn, msg: Pose | Chat) -> list[Outgoing]:
        if isinstance(msg, Pose):  # kept until the next pose relay; only the latest one travels
            conn.pose = {"head": list(msg.head), "hands": [list(h) for h in msg.hands]}
            return []
        name = self.seats[conn.seat_id].name if conn.seat_id else "teacher"
        return [Outgoing(PARTICIPANTS, ChatRelay(name, msg.text))]

    def _route(self, events: list[MarketEvent]) -> list[Outgoing]:
        """Private events to their owners; public ones are carried by the next delta."""
        out: list[Outgoing] = []
        for account_id, message in private_messages(events, self.market, self.seats):
            if isinstance(message, Fill):
                self._journal_add(account_id, "fill", asdict(message), self._last_now or 0.0)
            out += self._to_owner(account_id, message)
        return out

    def _deltas(self, events: list[MarketEvent]) -> list[Outgoing]:
        market = self.market
        current = public_state(market, self.contest.state.name.lower(), market.clock.speed)
        fields = delta_fields(self.last_public, current, events, market)
        self.last_public = current
        out = [Outgoing(BROADCAST, Delta(self.tick_no, fields))] if fields else []
        for cid in sorted(self._resync):
            if cid in self.conns:
                out.append(Outgoing(cid, Delta(self.tick_no, {**diff(None, current), "full": True})))
        self._resync.clear()
        return out

    def _sample(self, force: bool = False) -> None:
        market = self.market
        if market is None or (market.t_step < self._next_sample_step and not force):
            return
        self._next_sample_step = market.t_step + max(1, market.config.steps_per_day // SAMPLES_PER_DAY)
        sample_standings(market, self.seats.values(), self.contest.settings.instruments, self.price_samples)

    def build_market(self, settings: ContestSettings) -> None:
        """A fresh market for ``settings`` with every seat's account reopened (before the start only)."""
        market = market_for(settings)
        for seat in self.seats.values():
            market.open_account(seat.seat_id, settings.starting_cash)
            seat.order_ids.clear()
            seat.client_order_ids.clear()
            seat.equity_samples.clear()
            seat.weights_samples.clear()
        self.market, self.last_public, self.price_samples, self._next_sample_step = market, None, [], 0

