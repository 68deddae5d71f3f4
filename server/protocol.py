"""The codec: JSON text frames in, typed messages out, and never an exception for a bad frame.

Why this shape: a room serves a whole class from one process, so one learner's broken (or hostile)
client must cost the server an ``error`` reply, not a crash or a stalled tick. ``decode`` therefore
*returns* a ``ProtocolError`` instead of raising, checks size before parsing, parses with ``json`` only
(no eval, no pickle; NaN/Infinity refused), and validates every field's type and range. Wire format
and error codes are documented in ``server/PROTOCOL.md`` (version ``v: 1``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from vbranch.server.messages import (
    CLIENT_TYPES,
    PROTOCOL_VERSION,
    SERVER_TYPES,
    Cancel,
    Chat,
    ClientMessage,
    Delta,
    Emotion,
    Hello,
    Order,
    Ping,
    Pose,
    QtyMode,
    Role,
    Teacher,
    TeacherCmd,
)

__all__ = ["MAX_FRAME_BYTES", "CLOSE_TOO_BIG", "CLOSE_POLICY", "CLOSE_REDIRECT", "ErrorCode", "ProtocolError",
           "decode", "encode", "decode_server", "to_wire"]

MAX_FRAME_BYTES = 64 * 1024
MAX_NAME_CHARS = 24
MAX_ID_CHARS = 40
MAX_CHAT_CHARS = 280
MAX_ABS_POSITION_M = 100.0
CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
CLOSE_REDIRECT = 4002  # after a ``redirect``: the room lives on another process (4001 is a replaced seat)

_SIDES = ("buy", "sell")
_KINDS = ("market", "limit", "stop_loss", "take_profit", "trailing_stop")


class ErrorCode(StrEnum):
    """Stable codes; clients switch on these, the catalogue (``error.<code>``) words them."""

    TOO_BIG = "too_big"
    BAD_JSON = "bad_json"
    NOT_OBJECT = "not_object"
    UNKNOWN_TYPE = "unknown_type"
    BAD_VERSION = "bad_version"
    BAD_FIELD = "bad_field"
    RATE_LIMITED = "rate_limited"
    NOT_JOINED = "not_joined"
    ALREADY_JOINED = "already_joined"
    BAD_JOIN = "bad_join"
    BAD_TOKEN = "bad_token"
    READ_ONLY = "read_only"
    NOT_TEACHER = "not_teacher"
    NO_CONTEST = "no_contest"
    SETTINGS_LOCKED = "settings_locked"
    BAD_STATE = "bad_state"
    BAD_SETTINGS = "bad_settings"


@dataclass(frozen=True)
class ProtocolError:
    """Why a frame was refused. ``close_code`` set means the shell should close (1009 too big)."""

    code: ErrorCode
    detail: str = ""
    close_code: int | None = None


class _Invalid(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _BadVersionError(Exception):
    pass


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


# ----- field validators ------------------------------------------------------------------------------
def _str(obj: dict, key: str, max_chars: int, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_chars:
        raise _Invalid(f"{key}: expected a non-empty string of at most {max_chars} characters")
    return value


def _num(obj: dict, key: str, lo: float = -math.inf, hi: float = math.inf, required: bool = True) -> float | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not lo <= value <= hi:
        raise _Invalid(f"{key}: expected a number in [{lo}, {hi}]")
    return float(value)


def _choice(obj: dict, key: str, options: tuple[str, ...], default: str | None = None) -> str:
    value = obj.get(key, default)
    if value not in options:
        raise _Invalid(f"{key}: expected one of {', '.join(options)}")
    return value


def _vec7(value: Any, key: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != 7:
        raise _Invalid(f"{key}: expected [x, y, z, qx, qy, qz, qw]")
    out = []
    for i, v in enumerate(value):
        limit = MAX_ABS_POSITION_M if i < 3 else 1.0001
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or abs(v) > limit:
            raise _Invalid(f"{key}[{i}]: out of range")
        out.append(round(float(v), 3))  # millimetres are plenty and keep relayed frames small
    return tuple(out)


# ----- per-type parsers ------------------------------------------------------------------------------
def _hello(o: dict) -> Hello:
    if o.get("v") != PROTOCOL_VERSION:
        raise _BadVersionError
    return Hello(room=_str(o, "room", MAX_ID_CHARS, False), name=_str(o, "name", MAX_NAME_CHARS).strip(),
                 role=Role(_choice(o, "role", tuple(Role), Role.LEARNER.value)),
                 token=_str(o, "token", 64, False), join_code=_str(o, "join_code", 16, False),
                 resume_token=_str(o, "resume_token", 64, False), lang=_choice(o, "lang", ("en", "zh"), "en"))


def _order(o: dict) -> Order:
    modes = [m for m in QtyMode if m.value in o]
    if len(modes) != 1:
        raise _Invalid("exactly one of qty, cash, pct")
    mode = modes[0]
    hi = {QtyMode.QTY: 1e9, QtyMode.CASH: 1e12, QtyMode.PCT: 100.0}[mode]
    amount = _num(o, mode.value, 0.0, hi)
    if amount <= 0 or (mode is QtyMode.QTY and amount != int(amount)):
        raise _Invalid(f"{mode.value}: must be positive" + (" whole shares" if mode is QtyMode.QTY else ""))
    price = {k: _num(o, k, 0.0, 1e9, required=False) for k in ("limit", "stop", "take_profit")}
    pct = {k: _num(o, k, 0.0, 99.0, required=False) for k in ("stop_pct", "take_profit_pct", "trail_pct")}
    return Order(client_order_id=_str(o, "client_order_id", MAX_ID_CHARS), symbol=_str(o, "symbol", 16),
                 side=_choice(o, "side", _SIDES), kind=_choice(o, "kind", _KINDS, "market"), mode=mode,
                 amount=amount, **price, **pct)


_TEACHER_ARGS: dict[TeacherCmd, frozenset[str]] = {
    TeacherCmd.CREATE_CONTEST: frozenset({"scenario", "starting_cash", "duration_s", "instruments", "order_kinds",
                                          "max_position_pct", "min_trades", "seed", "tick_hz"}),
    TeacherCmd.SET_SPEED: frozenset({"speed"}),
    TeacherCmd.INJECT_EVENT: frozenset({"event", "pct", "symbols"}),
}
_TEACHER_ARGS[TeacherCmd.CONFIGURE] = _TEACHER_ARGS[TeacherCmd.CREATE_CONTEST]


def _teacher(o: dict) -> Teacher:
    cmd = TeacherCmd(_choice(o, "cmd", tuple(TeacherCmd)))
    args = {k: v for k, v in o.items() if k not in ("type", "v", "cmd")}
    unknown = set(args) - _TEACHER_ARGS.get(cmd, frozenset())
    if unknown:
        raise _Invalid(f"{cmd.value}: unknown arguments {sorted(unknown)}")
    for key, value in args.items():
        ok = (isinstance(value, str) and len(value) <= MAX_ID_CHARS) or (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)) or (
            isinstance(value, list) and len(value) <= 32
            and all(isinstance(x, str) and len(x) <= MAX_ID_CHARS for x in value))
        if not ok:
            raise _Invalid(f"{key}: expected a string, a finite number or a short list of strings")
    if cmd is TeacherCmd.SET_SPEED:
        _num(args, "speed", 0.1, 20.0)
    if cmd is TeacherCmd.INJECT_EVENT:
        _choice(args, "event", ("crash", "rally", "jump"))
        _num(args, "pct", -90.0, 90.0, required=False)
    return Teacher(cmd, args)


def _pose(o: dict) -> Pose:
    hands = o.get("hands", [])
    if not isinstance(hands, list) or len(hands) > 2:
        raise _Invalid("hands: expected at most two poses")
    return Pose(_vec7(o.get("head"), "head"), tuple(_vec7(h, "hands") for h in hands))


_PARSERS = {
    "hello": _hello,
    "order": _order,
    "cancel": lambda o: Cancel(_str(o, "client_order_id", MAX_ID_CHARS)),
    "pose": _pose,
    "chat": lambda o: Chat(_str(o, "text", MAX_CHAT_CHARS)),
    "emotion": lambda o: Emotion(_num(o, "distress", 0.0, 1.0), _num(o, "confidence", 0.0, 1.0)),
    "teacher": _teacher,
    "ping": lambda o: Ping(_num(o, "t", -1e15, 1e15)),
}
assert set(_PARSERS) == set(CLIENT_TYPES)


def decode(frame: str | bytes) -> ClientMessage | ProtocolError:
    """One client frame to a message, or the reason it was refused (never raises).

    Args:
        frame: a WebSocket text frame (``str``) or a binary frame holding UTF-8 JSON (``bytes``).

    Returns:
        A client message dataclass, or ``ProtocolError`` (``close_code`` 1009 for frames over 64 KiB).
    """
    try:
        size = len(frame) if isinstance(frame, bytes | bytearray) else len(frame.encode("utf-8", "surrogatepass"))
        if size > MAX_FRAME_BYTES:
            return ProtocolError(ErrorCode.TOO_BIG, f"{size} bytes > {MAX_FRAME_BYTES}", CLOSE_TOO_BIG)
        obj = json.loads(frame, parse_constant=_refuse_constant)
    except (ValueError, TypeError, RecursionError, UnicodeError) as exc:
        return ProtocolError(ErrorCode.BAD_JSON, type(exc).__name__)
    if not isinstance(obj, dict):
        return ProtocolError(ErrorCode.NOT_OBJECT)
    parser = _PARSERS.get(obj.get("type")) if isinstance(obj.get("type"), str) else None
    if parser is None:
        return ProtocolError(ErrorCode.UNKNOWN_TYPE, str(obj.get("type"))[:MAX_ID_CHARS])
    if "v" in obj and obj["v"] != PROTOCOL_VERSION:
        return ProtocolError(ErrorCode.BAD_VERSION, f"v must be {PROTOCOL_VERSION}")
    try:
        return parser(obj)
    except _BadVersionError:
        return ProtocolError(ErrorCode.BAD_VERSION, f"hello needs v: {PROTOCOL_VERSION}")
    except _Invalid as exc:
        return ProtocolError(ErrorCode.BAD_FIELD, exc.detail)
    except (ValueError, TypeError, AttributeError) as exc:  # a validator missed a case: still not a crash
        return ProtocolError(ErrorCode.BAD_FIELD, type(exc).__name__)


def to_wire(message: Any) -> dict[str, Any]:
    """The JSON object for any message, ``type`` first, ``None`` fields left out to save bytes."""
    out: dict[str, Any] = {"type": message.TYPE}
    if isinstance(message, Hello):
        out["v"] = PROTOCOL_VERSION
    if isinstance(message, Order):
        out[message.mode.value] = int(message.amount) if message.mode is QtyMode.QTY else message.amount
    if isinstance(message, Teacher):
        out["cmd"] = message.cmd.value
        out.update(message.args)
        return out
    if isinstance(message, Delta):
        out["tick"] = message.tick
        out.update(message.fields)
        return out
    for f in fields(message):
        if isinstance(message, Order) and f.name in ("mode", "amount"):
            continue
        value = getattr(message, f.name)
        if value is not None:
            out[f.name] = [list(h) for h in value] if f.name == "hands" else value
    return out


def encode(message: Any) -> str:
    """A message as one compact JSON text frame (``type`` first, no spaces, UTF-8 kept readable)."""
    return json.dumps(to_wire(message), separators=(",", ":"), ensure_ascii=False)


def decode_server(frame: str) -> Any:
    """A server frame back to its dataclass (for clients and tests; trusts the server, checks names only)."""
    obj = json.loads(frame)
    kind = SERVER_TYPES[obj.pop("type")]
    if kind is Delta:
        tick = obj.pop("tick")
        return Delta(tick, obj)
    names = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in obj.items() if k in names})
