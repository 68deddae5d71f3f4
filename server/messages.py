"""The wire protocol's messages as frozen data: what a client may say and what the server answers.

Why a module of its own: the room, the contest and the shell all speak in these types, never in raw
dicts, so a field rename is a type error in one place instead of a silent ``KeyError`` at 20 Hz. The
codec (``vbranch.server.protocol``) turns frames into these and back; see ``server/PROTOCOL.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "PROTOCOL_VERSION",
    "Role",
    "TeacherCmd",
    "QtyMode",
    "Hello",
    "Order",
    "Cancel",
    "Pose",
    "Chat",
    "Emotion",
    "Teacher",
    "Ping",
    "ClientMessage",
    "Welcome",
    "Delta",
    "Poses",
    "Fill",
    "OrderStatus",
    "Reject",
    "Leaderboard",
    "ContestInfo",
    "ChatRelay",
    "Notice",
    "Error",
    "Pong",
    "Redirect",
    "Close",
    "Lookup",
    "Wake",
    "ServerMessage",
    "CLIENT_TYPES",
    "SERVER_TYPES",
]

PROTOCOL_VERSION = 1


class Role(StrEnum):
    LEARNER = "learner"
    TEACHER = "teacher"
    PARENT = "parent"  # 亲子财商账户: read-only view of one learner


class TeacherCmd(StrEnum):
    CREATE_CONTEST = "create_contest"
    CONFIGURE = "configure"  # change settings before the start (locked afterwards)
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SET_SPEED = "set_speed"
    INJECT_EVENT = "inject_event"
    END = "end"
    LEADERBOARD = "leaderboard"


class QtyMode(StrEnum):
    """How an order says its size: shares, an amount of cash, or a percent of equity/position."""

    QTY = "qty"
    CASH = "cash"
    PCT = "pct"


# ----- client -> server ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Hello:
    TYPE: ClassVar[str] = "hello"
    room: str | None  # None: the lobby routes by join/resume code, or a teacher opens a new room
    name: str
    role: Role = Role.LEARNER
    token: str | None = None  # teacher token, or a parent token for role=parent
    join_code: str | None = None
    resume_token: str | None = None
    lang: str = "en"


@dataclass(frozen=True)
class Order:
    """``amount`` is shares (``qty``), currency (``cash``) or percent 0-100 (``pct``) per ``mode``.

    Prices: ``limit`` for limit orders, ``stop``/``take_profit`` trigger prices for those kinds;
    ``stop_pct``/``take_profit_pct`` attach an OCO bracket to an entry; ``trail_pct`` for trailing stops.
    """

    TYPE: ClassVar[str] = "order"
    client_order_id: str
    symbol: str
    side: str
    kind: str
    mode: QtyMode
    amount: float
    limit: float | None = None
    stop: float | None = None
    take_profit: float | None = None
    stop_pct: float | None = None
    take_profit_pct: float | None = None
    trail_pct: float | None = None


@dataclass(frozen=True)
class Cancel:
    TYPE: ClassVar[str] = "cancel"
    client_order_id: str


@dataclass(frozen=True)
class Pose:
    """Head and hands as ``[x, y, z, qx, qy, qz, qw]`` in metres / unit quaternion, room frame."""

    TYPE: ClassVar[str] = "pose"
    head: tuple[float, ...]
    hands: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True)
class Chat:
    TYPE: ClassVar[str] = "chat"
    text: str


@dataclass(frozen=True)
class Emotion:
    """Only scores in [0, 1] ever leave the device, never audio."""

    TYPE: ClassVar[str] = "emotion"
    distress: float
    confidence: float


@dataclass(frozen=True)
class Teacher:
    TYPE: ClassVar[str] = "teacher"
    cmd: TeacherCmd
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ping:
    TYPE: ClassVar[str] = "ping"
    t: float


ClientMessage = Hello | Order | Cancel | Pose | Chat | Emotion | Teacher | Ping
CLIENT_TYPES: dict[str, type] = {m.TYPE: m for m in (Hello, Order, Cancel, Pose, Chat, Emotion, Teacher, Ping)}


# ----- server -> client ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Welcome:
    TYPE: ClassVar[str] = "welcome"
    client_id: str
    resume_token: str | None
    room: str
    role: Role
    snapshot: dict[str, Any]
    parent_token: str | None = None
    teacher_token: str | None = None  # only to the teacher who just opened a new room
    v: int = PROTOCOL_VERSION


@dataclass(frozen=True)
class Delta:
    """Only what changed since the client's last acknowledged tick; ``fields`` are flattened on the wire."""

    TYPE: ClassVar[str] = "delta"
    tick: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Poses:
    """Avatar poses relayed as their owners sent them (owner-authoritative), decimated to ~15 Hz."""

    TYPE: ClassVar[str] = "poses"
    tick: int
    avatars: dict[str, Any]


@dataclass(frozen=True)
class Fill:
    """One execution of the owner's order, with the cash and position it left (private)."""

    TYPE: ClassVar[str] = "fill"
    order_id: int
    client_order_id: str | None
    symbol: str
    side: str
    qty: int
    price: float
    fees: float
    reason: str
    cash: float
    position_qty: int


@dataclass(frozen=True)
class OrderStatus:
    TYPE: ClassVar[str] = "order_status"
    client_order_id: str | None
    order_id: int
    status: str
    filled_qty: int = 0


@dataclass(frozen=True)
class Reject:
    TYPE: ClassVar[str] = "reject"
    client_order_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class Leaderboard:
    TYPE: ClassVar[str] = "leaderboard"
    rows: list[dict[str, Any]]
    benchmark_return_pct: float
    final: bool = False


@dataclass(frozen=True)
class ContestInfo:
    """The contest as the teacher (full, with ``join_code``) or a learner (settings and state) sees it."""

    TYPE: ClassVar[str] = "contest"
    state: str
    settings: dict[str, Any]
    join_code: str | None = None


@dataclass(frozen=True)
class ChatRelay:
    TYPE: ClassVar[str] = "chat"
    name: str
    text: str


@dataclass(frozen=True)
class Notice:
    """A private market event for the owner (stop triggered, drawdown crossed)."""

    TYPE: ClassVar[str] = "notice"
    event: dict[str, Any]


@dataclass(frozen=True)
class Error:
    TYPE: ClassVar[str] = "error"
    code: str
    message: str


@dataclass(frozen=True)
class Pong:
    TYPE: ClassVar[str] = "pong"
    t: float


@dataclass(frozen=True)
class Redirect:
    """The room lives on another server process: say the same ``hello`` again at ``address`` (``ws://…``).

    Sent, then the connection is closed (``CLOSE_REDIRECT``), when a ``hello`` names a room or join code
    that only the room directory (``VBRANCH_REDIS``) knows. A client older than this message sees the
    close and stops waiting for a ``welcome`` instead of hanging.
    """

    TYPE: ClassVar[str] = "redirect"
    address: str
    room: str


@dataclass(frozen=True)
class Close:
    """Not a frame: the shell must close the connection with this WebSocket close code (1008, 1009, 4001)."""

    TYPE: ClassVar[str] = "close"
    code: int
    reason: str


@dataclass(frozen=True)
class Lookup:
    """Not a frame: the shell must ask the room directory for ``room`` (or ``join_code``), then give the
    answer to ``Lobby.directory_answer``. Only a lobby built with ``directory=True`` asks."""

    TYPE: ClassVar[str] = "lookup"
    room: str | None
    join_code: str | None


@dataclass(frozen=True)
class Wake:
    """Not a frame: the shell must rebuild unloaded room ``room_id`` from the journal (off the event loop),
    then give it to ``Lobby.woken``."""

    TYPE: ClassVar[str] = "wake"
    room_id: str


ServerMessage = (Welcome | Delta | Poses | Fill | OrderStatus | Reject | Leaderboard | ContestInfo | ChatRelay
                 | Notice | Error | Pong | Redirect | Close | Lookup | Wake)
SERVER_TYPES: dict[str, type] = {m.TYPE: m for m in (Welcome, Delta, Poses, Fill, OrderStatus, Reject, Leaderboard,
                                                    ContestInfo, ChatRelay, Notice, Error, Pong, Redirect)}
