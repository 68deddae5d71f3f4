"""The server's journal: every accepted action of every room, in SQLite (WAL), committed before the ack.

Why a journal and not a state dump: a room is a seeded market plus the actions taken in it, so the
actions are all that must survive a crash (``server/restore`` replays them). One append-only table,
one transaction per batch: the shell calls ``append`` with what ``Lobby.take_journal`` returned and only
then sends the frames of that call, so an acknowledged order is on disk even after ``kill -9``.

Durability: WAL with ``synchronous=NORMAL`` survives a crashed or killed process (the commit is in
the WAL file); a power cut may lose the last transactions (``synchronous="FULL"`` closes that gap at
the cost of an fsync per commit, which blocks the event loop). Where: ``VBRANCH_DB`` as a file path or
``sqlite:///path``, else ``<user data dir>/server/journal.sqlite3``. ``postgresql://`` is refused for now.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import platformdirs

from vbranch.server.seats import JournalEntry

__all__ = ["DB_ENV", "PostgresNotBuilt", "default_db_path", "db_path_from", "Journal", "open_journal"]

log = logging.getLogger(__name__)

DB_ENV = "VBRANCH_DB"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL,
    tick INTEGER NOT NULL,
    now_s REAL NOT NULL,
    market_step INTEGER NOT NULL,
    elapsed_s REAL NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_room ON journal (room_id, seq);
"""


class PostgresNotBuilt(ValueError):
    """``VBRANCH_DB=postgresql://…``: the Postgres adapter is a later step of issue 7."""


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("vbranch", appauthor=False)) / "server" / "journal.sqlite3"


def db_path_from(url: str | None) -> Path:
    """The SQLite file for a ``--db``/``VBRANCH_DB`` value (None or empty: the default, logged once)."""
    if not url:
        path = default_db_path()
        log.info("%s not set: journal in %s", DB_ENV, path)
        return path
    if url.startswith(("postgresql://", "postgres://")):
        raise PostgresNotBuilt("Postgres support is not built yet; use a SQLite path or sqlite:///path")
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))  # SQLAlchemy's rule: sqlite:////abs, sqlite:///relative
    if "://" in url:
        raise ValueError(f"unsupported database URL {url!r}: use a file path or sqlite:///path")
    return Path(url)


class Journal:
    """An append-only SQLite journal. Not thread-safe: one shell, one event loop, one writer."""

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)

    def append(self, entries: Iterable[tuple[str, JournalEntry]]) -> int:
        """Write and commit ``(room id, entry)`` pairs in one transaction; returns how many."""
        rows = [(room_id, e.tick, e.now_s, e.market_step, e.elapsed_s, e.actor, e.kind,
                 json.dumps(e.payload, separators=(",", ":"), ensure_ascii=False)) for room_id, e in entries]
        if not rows:
            return 0
        with self._db:  # BEGIN … COMMIT
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO journal (room_id, tick, now_s, market_step, elapsed_s, actor, kind,"
                                 " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def room_ids(self) -> list[str]:
        """Rooms in the order they were opened."""
        rows = self._db.execute("SELECT room_id FROM journal GROUP BY room_id ORDER BY MIN(seq)").fetchall()
        return [r[0] for r in rows]

    def entries(self, room_id: str) -> Iterator[JournalEntry]:
        """One room's entries in the order they were written."""
        cur = self._db.execute("SELECT tick, now_s, actor, kind, payload, market_step, elapsed_s FROM journal"
                               " WHERE room_id = ? ORDER BY seq", (room_id,))
        for tick, now_s, actor, kind, payload, step, elapsed_s in cur:
            yield JournalEntry(tick, now_s, actor, kind, json.loads(payload), step, elapsed_s)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return self._db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM journal WHERE kind = ?", (kind,)).fetchone()[0]

    def close(self) -> None:
        self._db.close()


def open_journal(url: str | None = None) -> Journal:
    """The journal named by ``url`` (else ``$VBRANCH_DB``, else the user data dir)."""
    return Journal(db_path_from(url if url is not None else os.environ.get(DB_ENV)))
