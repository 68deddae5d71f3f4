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
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from vbranch.server.journal import JournalWriteError, encode_payload
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
"""
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
    """

    def __init__(self, url: str, *, connect_timeout_s: float = 10.0) -> None:
        self._url, self._timeout_s = url, connect_timeout_s
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
            JournalWriteError: the server refused or was unreachable; nothing of the batch is committed.
        """
        rows = [(room_id, e.tick, e.now_s, e.market_step, e.elapsed_s, e.actor, e.kind,
                 encode_payload(e.payload)) for room_id, e in entries]
        if not rows:
            return 0
        try:
            db = self._conn()
            with db.transaction(), db.cursor() as cur:  # BEGIN … COMMIT, ROLLBACK on any error
                cur.executemany(_INSERT, rows)
        except psycopg.Error as exc:
            raise JournalWriteError(f"Postgres refused {len(rows)} journal entries: {exc}") from exc
        return len(rows)

    def room_ids(self) -> list[str]:
        """Rooms in the order they were opened."""
        return [r[0] for r in self._read("SELECT room_id FROM journal GROUP BY room_id ORDER BY MIN(seq)")]

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
