"""A contest run through the Sans-I/O lobby the way the shell runs it: frames in, journal committed after each call.

Used by the report tests (server and ``vbranch report --class``) so a report is always checked against a
real room: real seats, real fills, a real SQLite journal a restarted server would read.
"""

import json
from html.parser import HTMLParser

from vbranch.server.journal import Journal
from vbranch.server.lobby import Lobby


def hello(**fields):
    return {"type": "hello", "v": 1, "name": fields.pop("name", "x"), **fields}


class JournaledClass:
    """A teacher opens a room in a ``Lobby`` and creates a contest; ``journal`` gets every accepted action."""

    def __init__(self, journal_path, **settings):
        self.lobby, self.journal, self.now_s = Lobby(), Journal(journal_path), 0.0
        welcome = self.send("t", hello(role="teacher"))[0].message
        self.room_id, self.teacher_token = welcome.room, welcome.teacher_token
        self.join_code = self.teacher("create_contest", **settings)[-1].message.join_code

    @property
    def room(self):
        return self.lobby.rooms[self.room_id]

    def send(self, client_id, obj):
        out = self.lobby.receive_frame(client_id, json.dumps(obj), self.now_s)
        self.journal.append(self.lobby.take_journal())
        return out

    def teacher(self, cmd, **args):
        return self.send("t", {"type": "teacher", "cmd": cmd, **args})

    def join(self, client_id, name):
        """The learner's ``welcome`` (it carries their ``parent_token``)."""
        return self.send(client_id, hello(name=name, join_code=self.join_code))[-1].message

    def order(self, client_id, coid, symbol="510300", side="buy", **size):
        return self.send(client_id, {"type": "order", "client_order_id": coid, "symbol": symbol, "side": side,
                                     **size})

    def tick(self, n=1, dt_s=0.05):
        for _ in range(n):
            self.now_s += dt_s
            self.room.tick(self.now_s)
            self.journal.append(self.lobby.take_journal())

    def close(self):
        self.journal.close()


def run_a_class(journal_path, **settings):
    """Four learners through a crash: a protected buyer, an all-in buyer, a diversifier, one who never trades."""
    c = JournaledClass(journal_path, scenario="crash", starting_cash=100000, seed=7, min_trades=1, **settings)
    for client_id, name in (("a", "Ann"), ("b", "Bo"), ("d", "<b>Dee</b>"), ("z", "小明")):
        c.join(client_id, name)
    c.teacher("start")
    c.tick(30)
    c.order("a", "a1", cash=30000, stop_pct=3.0)
    c.order("b", "b1", pct=90)
    c.order("d", "d1", symbol="518880", cash=30000)
    c.order("d", "d2", symbol="511010", cash=30000)
    c.tick(100)
    c.teacher("inject_event", event="crash")
    c.tick(200)
    c.order("a", "a2", pct=50)
    c.tick(80)
    c.teacher("end")
    c.tick(3)
    return c


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> list[list[list[str]]]:
    """Every ``<table>`` of an HTML page as rows of cell texts (entities decoded), header row included."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def board_table(page: str) -> list[list[str]]:
    """The contest report's ranked table (the one whose header starts with the rank column)."""
    return next(t for t in tables(page) if t and t[0][:2] in (["Rank", "Name"], ["名次", "昵称"]))
