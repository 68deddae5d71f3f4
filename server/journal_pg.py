"""The server's journal in Postgres: the same append-only table as SQLite, for several server processes.

Why Postgres at all: one SQLite file belongs to one machine; a school district running several server
processes (issue 7) needs one journal they all write to and any of them can restore from. The contract
is ``journal.Journal``'s: ``append`` writes one batch in one transaction and returns only after COMMIT,
so the shell still sends an ack only for what is durable; ``entries`` gives a room's rows in write order.

Choices: psycopg 3, synchronous, autocommit off (each ``append`` and each read is one explicit
transaction, so no connection sits "idle in transaction"); ``executemany`` is pipelined by psycopg,
one round trip per batch. ``payload`` is TEXT, not JSONB: JSONB re-orders keys and re-prints numbers,
and replay must see exactly what was journaled. Durability follows the server's ``synchronous_commit``
(default ``on``: the commit is flushed to the WAL before ``append`` returns, ~1 ms on a local SSD,
which the event loop waits for). A broken connection is reopened on the next call, logged once per loss.

Ownership (``journal.Journal``'s contract, ``server/ownership``): here the table is really shared, so the
rules are enforced by row locks. ``append`` reads the owners of the rooms it writes ``FOR SHARE`` in its
own transaction, and ``claim`` is one ``INSERT … ON CONFLICT DO UPDATE … WHERE owner = expected``: a claim
waits for a running append of that room to commit (and then the new owner's replay reads it), an append
after a claim sees the new owner and is refused (``RoomsLost``), and of two claims racing for one room the
second re-checks ``owner = expected`` on the row the first wrote, so exactly one wins.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from vbranch.server import auth
from vbranch.server.journal import JournalWriteError, RoomsLost, created_and_written, encode_payload
from vbranch.server.messages import TeacherCmd
from vbranch.server.seats import JournalEntry

__all__ = ["PgJournal", "redact_url"]

log = logging.getLogger(__name__)

_SCHEMA_LOCK = 0x76627261  # "vbra": two processes starting at once must not race on CREATE TABLE
_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id TEXT NOT NULL,
    tick BIGINT NOT NULL,
    now_s DOUBLE PRECISION NOT NULL,
    market_step BIGINT NOT NULL,
    elapsed_s DOUBLE PRECISION NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_room ON journal (room_id, seq);
CREATE TABLE IF NOT EXISTS room_owner (room_id TEXT PRIMARY KEY, owner TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_join_code ON journal (((payload::jsonb) ->> 'join_code'))
    WHERE kind = 'create_contest';
"""
_CREATE = TeacherCmd.CREATE_CONTEST.value
_CLAIM = ("INSERT INTO room_owner (room_id, owner) VALUES (%(room)s, %(me)s) ON CONFLICT (room_id) DO UPDATE"
          " SET owner = EXCLUDED.owner WHERE room_owner.owner = %(expected)s OR room_owner.owner = %(me)s"
          " RETURNING owner")
_INSERT = ("INSERT INTO journal (room_id, tick, now_s, market_step, elapsed_s, actor, kind, payload)"
           " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")


def redact_url(url: str) -> str:
    """The URL without its password, for logs and ``journal.path``."""
    params = conninfo_to_dict(url)
    if "password" in params:
        params["password"] = "***"
    return make_conninfo(**params)


class PgJournal:
    """An append-only Postgres journal. Not thread-safe: one shell, one event loop, one connection.

    Args:
        url: a libpq URL, ``postgresql://user[:password]@host[:port]/dbname[?…]``.
        connect_timeout_s: how long to wait for the server when (re)connecting.
        owner: this process's instance name (ownership recorded and enforced); None for one process alone.
    """

    def __init__(self, url: str, *, connect_timeout_s: float = 10.0, owner: str | None = None) -> None:
        self._url, self._timeout_s, self.owner = url, connect_timeout_s, owner
        self.path = redact_url(url)
        self._db = self._connect()
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            self._db.execute(_SCHEMA)
        log.info("journal in Postgres at %s", self.path)

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self._url, autocommit=False, connect_timeout=max(1, round(self._timeout_s)))

    def _conn(self) -> psycopg.Connection:
        if self._db.closed:
            log.warning("journal connection to %s was lost; reconnecting", self.path)
            self._db = self._connect()
        return self._db

    def append(self, entries: Iterable[tuple[str, JournalEntry]]) -> int:
        """Write and commit ``(room id, entry)`` pairs in one transaction; returns how many.

        Raises:
            RoomsLost: with ``owner`` set, the batch writes rooms another process owns; nothing is committed.
            JournalWriteError: the server refused or was unreachable; nothing of the batch is committed.
        """
        rows = [(room_id, e.tick, e.now_s, e.market_step, e.elapsed_s, e.actor, e.kind,
                 encode_payload(e.payload)) for room_id, e in entries]
        if not rows:
            return 0
        try:
            db = self._conn()
            with db.transaction(), db.cursor() as cur:  # BEGIN … COMMIT, ROLLBACK on any error
                if self.owner is not None:
                    self._own_or_refuse(cur, rows)
                cur.executemany(_INSERT, rows)
        except psycopg.Error as exc:
            raise JournalWriteError(f"Postgres refused {len(rows)} journal entries: {exc}") from exc
        return len(rows)

    def _own_or_refuse(self, cur: psycopg.Cursor, rows: list[tuple]) -> None:
        """Inside ``append``'s transaction: record the rooms it creates as ours, refuse rooms owned elsewhere.

        ``FOR SHARE`` holds the owner rows until COMMIT, so no ``claim`` of these rooms lands in between.
        """
        created, written = created_and_written(rows)
        if created:
            cur.executemany("INSERT INTO room_owner (room_id, owner) VALUES (%s, %s) ON CONFLICT (room_id) DO NOTHING",
                            [(room_id, self.owner) for room_id in created])
        cur.execute("SELECT room_id FROM room_owner WHERE room_id = ANY(%s) AND owner <> %s ORDER BY room_id"
                    " FOR SHARE", (written, self.owner))
        lost = [r[0] for r in cur.fetchall()]
        if lost:
            raise RoomsLost(lost)

    def room_ids(self) -> list[str]:
        """Rooms in the order they were opened."""
        return [r[0] for r in self._read("SELECT room_id FROM journal GROUP BY room_id ORDER BY MIN(seq)")]

    def owners(self, room_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Room id -> owning instance, for ``room_ids`` (None: every room) that have one recorded."""
        if room_ids is None:
            return dict(self._read("SELECT room_id, owner FROM room_owner"))
        return dict(self._read("SELECT room_id, owner FROM room_owner WHERE room_id = ANY(%s)", (list(room_ids),)))

    def claim(self, room_id: str, expected: str | None) -> str | None:
        """Make ``owner`` the room's owner if it is still ``expected`` (None: no owner recorded) or already
        ``owner``; returns the owner afterwards (``owner`` if this call won). One statement, one transaction."""
        if self.owner is None:
            raise ValueError("a journal without an owner cannot claim rooms")
        try:
            db = self._conn()
            with db.transaction(), db.cursor() as cur:
                cur.execute(_CLAIM, {"room": room_id, "me": self.owner, "expected": expected})
                if cur.fetchone() is not None:
                    return self.owner
                cur.execute("SELECT owner FROM room_owner WHERE room_id = %s", (room_id,))
                row = cur.fetchone()
                return row[0] if row else None
        except psycopg.Error as exc:
            raise JournalWriteError(f"Postgres refused the claim of room {room_id}: {exc}") from exc

    def find_room(self, room_id: str | None = None, join_code: str | None = None) -> str | None:
        """A journaled room by id, else the room whose latest contest with that join code it is; None if none."""
        if room_id is not None:
            rows = self._read("SELECT room_id FROM journal WHERE room_id = %s LIMIT 1", (room_id,))
        elif join_code:
            rows = self._read(f"SELECT room_id FROM journal WHERE kind = '{_CREATE}' AND"
                              " ((payload::jsonb) ->> 'join_code') = %s ORDER BY seq DESC LIMIT 1",
                              (auth.normalise_code(join_code),))
        else:
            rows = []
        return rows[0][0] if rows else None

    def entries(self, room_id: str) -> Iterator[JournalEntry]:
        """One room's entries in the order they were written (read in one transaction, then yielded)."""
        rows = self._read("SELECT tick, now_s, actor, kind, payload, market_step, elapsed_s FROM journal"
                          " WHERE room_id = %s ORDER BY seq", (room_id,))
        for tick, now_s, actor, kind, payload, step, elapsed_s in rows:
            yield JournalEntry(tick, now_s, actor, kind, json.loads(payload), step, elapsed_s)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return self._read("SELECT COUNT(*) FROM journal")[0][0]
        return self._read("SELECT COUNT(*) FROM journal WHERE kind = %s", (kind,))[0][0]

    def close(self) -> None:
        self._db.close()

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        db = self._conn()
        with db.transaction(), db.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
