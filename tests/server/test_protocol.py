"""The codec: typed round trips, and every bad frame becomes a ProtocolError, never an exception."""

import json
import random

import pytest
from fuzz_frames import SAMPLE_MESSAGES, mutated_frames

from vbranch.server.messages import SERVER_TYPES, Redirect
from vbranch.server.protocol import MAX_FRAME_BYTES, ErrorCode, ProtocolError, decode, decode_server, encode


@pytest.mark.parametrize("message", SAMPLE_MESSAGES, ids=lambda m: m.TYPE)
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


def test_fuzzed_frames_never_raise_from_decode():
    rng = random.Random(7)
    gen = mutated_frames(rng)
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
