"""Fuzz input for the server tests: one valid client message of each kind, and an endless stream of
frames mutated from them (flipped characters, truncations, swapped field values, random bytes and text)."""

import json
import random

from vbranch.server.messages import (
    Cancel,
    Chat,
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
from vbranch.server.protocol import encode

SAMPLE_MESSAGES = [
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


def mutated_frames(rng: random.Random):
    """Frames made from ``SAMPLE_MESSAGES``; some stay valid, most do not."""
    valid = [encode(m) for m in SAMPLE_MESSAGES]
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
