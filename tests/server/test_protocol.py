"""The codec: typed round trips, and every bad frame becomes a ProtocolError, never an exception."""

import json
import random

import pytest

from vbranch.server.messages import (
    SERVER_TYPES,
    Cancel,
    Chat,
    Emotion,
    Hello,
    Order,
    Ping,
    Pose,
    QtyMode,
    Redirect,
    Role,
    Teacher,
    TeacherCmd,
)
from vbranch.server.protocol import MAX_FRAME_BYTES, ErrorCode, ProtocolError, decode, decode_server, encode

ROUND_TRIPS = [
    Hello("r1", "Ann", Role.PARENT, token="tok", lang="zh"),
    Hello("r1", "Bo", join_code="ABCDEFG", resume_token="0123456789"),
    Order("o1", "510300", "buy", "market", QtyMode.QTY, 100.0, stop_pct=8.0, take_profit_pct=15.0),
    Order("o2", "600519", "sell", "limit", QtyMode.PCT, 50.0, limit=1650.5),
    Order("o3", "518880", "buy", "stop_loss", QtyMode.CASH, 5000.0, stop=4.5),
    Cancel("o1"),
    Pose((0.0, 1.6, 0.0, 0.0, 0.0, 0.0, 1.0), ((0.2, 1.1, 0.3, 0.0, 0.0, 0.0, 1.0),)),
    Chat("加油！"),
    Emotion(0.7, 0.9),
    Teacher(TeacherCmd.SET_SPEED, {"speed": 2.0}),
    Teacher(TeacherCmd.INJECT_EVENT, {"event": "crash", "pct": -20.0}),
    Ping(12.5),
]


@pytest.mark.parametrize("message", ROUND_TRIPS, ids=lambda m: m.TYPE)
def test_every_client_message_round_trips_with_type_first(message):
    frame = encode(message)
    assert frame.startswith(f'{{"type":"{message.TYPE}"')
    assert decode(frame) == message


@pytest.mark.parametrize("frame, code", [
    ("not json", ErrorCode.BAD_JSON),
    ("[1, 2]", ErrorCode.NOT_OBJECT),
    ('{"type": "teleport"}', ErrorCode.UNKNOWN_TYPE),
    ('{"no_type": 1}', ErrorCode.UNKNOWN_TYPE),
    ('{"type": "hello", "room": "r", "name": "a"}', ErrorCode.BAD_VERSION),  # hello must say v: 1
    ('{"type": "ping", "v": 2, "t": 1}', ErrorCode.BAD_VERSION),
    ('{"type": "ping", "t": NaN}', ErrorCode.BAD_JSON),
    ('{"type": "ping", "t": true}', ErrorCode.BAD_FIELD),
    ('{"type": "order", "client_order_id": "a", "symbol": "X", "side": "buy", "qty": 1, "cash": 5}',
     ErrorCode.BAD_FIELD),  # two sizes
    ('{"type": "order", "client_order_id": "a", "symbol": "X", "side": "buy", "qty": 1.5}', ErrorCode.BAD_FIELD),
    ('{"type": "order", "client_order_id": "a", "symbol": "X", "side": "hold", "qty": 1}', ErrorCode.BAD_FIELD),
    ('{"type": "order", "client_order_id": "a", "symbol": "X", "side": "buy", "qty": -100}', ErrorCode.BAD_FIELD),
    ('{"type": "emotion", "distress": 1.5, "confidence": 0.5}', ErrorCode.BAD_FIELD),
    ('{"type": "pose", "head": [0, 1, 0, 0, 0, 0]}', ErrorCode.BAD_FIELD),
    ('{"type": "pose", "head": [1e9, 1, 0, 0, 0, 0, 1]}', ErrorCode.BAD_FIELD),
    ('{"type": "teacher", "cmd": "start", "extra": 1}', ErrorCode.BAD_FIELD),
    ('{"type": "teacher", "cmd": "set_speed", "speed": 1000}', ErrorCode.BAD_FIELD),
    ('{"type": "teacher", "cmd": "self_destruct"}', ErrorCode.BAD_FIELD),
    ('{"type": "chat", "text": "' + "x" * 281 + '"}', ErrorCode.BAD_FIELD),
    (b"\xff\xfe{", ErrorCode.BAD_JSON),
    ("[" * 100_000, ErrorCode.TOO_BIG),
    ("[" * 60_000, ErrorCode.BAD_JSON),  # deep nesting: RecursionError is caught, not raised
])
def test_bad_frames_are_refused_with_a_stable_code(frame, code):
    result = decode(frame)
    assert isinstance(result, ProtocolError)
    assert result.code is code


def test_oversized_frame_asks_for_close_1009_before_parsing():
    frame = json.dumps({"type": "chat", "text": "x" * MAX_FRAME_BYTES})
    result = decode(frame)
    assert result.code is ErrorCode.TOO_BIG and result.close_code == 1009
    assert decode(frame.encode()).close_code == 1009


def _mutations(rng: random.Random):
    valid = [encode(m) for m in ROUND_TRIPS]
    alphabet = '{}[]":,0123456789.-eEtruefalsn \\u' + "type" + "\x00\xff中"
    while True:
        base = rng.choice(valid)
        pick = rng.random()
        if pick < 0.3:  # flip characters
            chars = list(base)
            for _ in range(rng.randint(1, 6)):
                chars[rng.randrange(len(chars))] = rng.choice(alphabet)
            yield "".join(chars)
        elif pick < 0.5:  # truncate
            yield base[: rng.randrange(len(base))]
        elif pick < 0.7:  # swap a field's value for a random JSON value
            obj = json.loads(base)
            key = rng.choice(list(obj))
            obj[key] = rng.choice([None, True, -1, 1e308, "", "x" * 50, [], {}, [1, [2]], {"a": 1}, 2**70])
            yield json.dumps(obj)
        elif pick < 0.85:  # random bytes
            yield bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        else:  # random text from the alphabet
            yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))


def test_fuzzed_frames_never_raise_from_decode():
    rng = random.Random(7)
    gen = _mutations(rng)
    kinds = {"ok": 0, "error": 0}
    for _ in range(10_000):
        result = decode(next(gen))
        kinds["error" if isinstance(result, ProtocolError) else "ok"] += 1
    assert kinds["error"] > 5_000  # the fuzzer really produces bad frames
    assert kinds["ok"] > 100  # and some mutated frames stay valid (so accepted paths are exercised too)


def test_redirect_is_a_versioned_server_message_clients_can_decode():
    frame = encode(Redirect("ws://10.0.0.7:8765", "ab12cd34"))
    assert frame == '{"type":"redirect","address":"ws://10.0.0.7:8765","room":"ab12cd34"}'
    assert decode_server(frame) == Redirect("ws://10.0.0.7:8765", "ab12cd34")
    assert "lookup" not in SERVER_TYPES  # a shell instruction, never a frame
    assert decode(frame).code is ErrorCode.UNKNOWN_TYPE  # servers send it, clients may not
