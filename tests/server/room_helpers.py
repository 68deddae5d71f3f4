"""Helpers that make room tests read like the behaviour: a room with a teacher and joined learners."""

import json

from vbranch.server.protocol import encode
from vbranch.server.room import Room

TEACHER_TOKEN = "teacher-secret-token"


class Classroom:
    """A ``Room`` driven with frames, the way the shell would drive it."""

    def __init__(self, **settings):
        self.room = Room("r1", TEACHER_TOKEN)
        self.now_s = 0.0
        self.send("t", {"type": "hello", "v": 1, "room": "r1", "name": "T", "role": "teacher", "token": TEACHER_TOKEN})
        out = self.send("t", {"type": "teacher", "cmd": "create_contest", **settings})
        self.join_code = out[-1].message.join_code

    def send(self, client_id, obj, now_s=None):
        frame = obj if isinstance(obj, str | bytes) else json.dumps(obj)
        return self.room.receive_frame(client_id, frame, self.now_s if now_s is None else now_s)

    def join(self, client_id, name):
        out = self.send(client_id, {"type": "hello", "v": 1, "room": "r1", "name": name, "join_code": self.join_code})
        return out[-1].message

    def teacher(self, cmd, **args):
        return self.send("t", {"type": "teacher", "cmd": cmd, **args})

    def tick(self, n=1, dt_s=0.05):
        out = []
        for _ in range(n):
            self.now_s += dt_s
            out += self.room.tick(self.now_s)
        return out

    def delivered(self, out, client_id, type_name=None):
        """Messages in ``out`` that reach ``client_id`` (broadcasts resolved like the shell does)."""
        return [o.message for o in out if client_id in self.room.recipients(o.target)
                and (type_name is None or type_name == o.message.TYPE)]


def frame_bytes(message) -> int:
    return len(encode(message).encode("utf-8"))
