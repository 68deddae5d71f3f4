"""The server's journal: every accepted action of every room, in SQLite (WAL), committed before the ack.

Why a journal and not a state dump: a room is a seeded market plus the actions taken in it, so the
actions are all that must survive a crash (``server/restore`` replays them). One append-only table,
one transaction per batch: the shell calls ``append`` with what ``Lobby.take_journal`` returned and only
then sends the frames of that call, so an acknowledged order is on disk even after ``kill -9``.

Durability: WAL with ``synchronous=NORMAL`` survives a crashed or killed process (the commit is in
the WAL file); a power cut may lose the last transactions (``synchronous="FULL"`` closes that gap at
the cost of an fsync per commit, which blocks the event loop). Where: ``VBRANCH_DB`` as a file path or
``sqlite:///path``, else ``<user data dir>/server/journal.sqlite3``; ``postgresql://…`` selects
``server/journal_pg`` (several server processes, one database), imported only then so psycopg stays optional.

Room ownership (several processes, ``server/ownership``): a second table, ``room_owner``, names the process
(``owner``, its instance name) that may run and write each room. A journal opened with ``owner`` set records
it for the rooms it creates, in the same transaction as their ``room_created`` entry, and refuses to write
a room another process owns (``RoomsLost``); ``claim`` moves a room to it atomically. With ``owner`` None
(one process alone, the default) nothing is recorded or checked: the journal behaves as it always did.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import platformdirs

from vbranch.server import auth
from vbranch.server.messages import TeacherCmd
from vbranch.server.restore import ROOM_CREATED
from vbranch.server.seats import JournalEntry

__all__ = ["DB_ENV", "PG_SCHEMES", "JournalWriteError", "RoomsLost", "JournalBackend", "default_db_path",
           "db_path_from", "encode_payload", "created_and_written", "Journal", "open_journal"]

log = logging.getLogger(__name__)

DB_ENV = "VBRANCH_DB"
PG_SCHEMES = ("postgresql://", "postgres://")

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
CREATE TABLE IF NOT EXISTS room_owner (room_id TEXT PRIMARY KEY, owner TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_join_code ON journal (json_extract(payload, '$.join_code'))
    WHERE kind = 'create_contest';
"""
_CREATE = TeacherCmd.CREATE_CONTEST.value  # the entry that holds a contest's join code


class JournalWriteError(sqlite3.DatabaseError):
    """A journal backend refused a batch: nothing of it was committed, so its acks must not go out.

    Why a ``sqlite3.DatabaseError``: the shell withholds acks on ``sqlite3.Error``; deriving from it makes
    that one handler cover every backend (Postgres included) without the shell knowing which it runs on.
    """


class RoomsLost(JournalWriteError):
    """The batch wrote rooms that another process owns now (``room_ids``); nothing of it was committed.

    The writer must stop running those rooms (they were taken over) and may append the rest again.
    """

    def __init__(self, room_ids: Iterable[str]) -> None:
        self.room_ids = frozenset(room_ids)
        super().__init__(f"rooms owned by another process: {', '.join(sorted(self.room_ids))}")


class JournalBackend(Protocol):
    """What the shell and ``restore_lobby`` need from a journal (SQLite ``Journal`` or ``PgJournal``)."""

    path: object
    owner: str | None  # this process's instance name; None: alone, ownership neither recorded nor checked

    def append(self, entries: Iterable[tuple[str, JournalEntry]]) -> int: ...
    def room_ids(self) -> list[str]: ...
    def owners(self, room_ids: Iterable[str] | None = None) -> dict[str, str]: ...
    def claim(self, room_id: str, expected: str | None) -> str | None: ...
    def find_room(self, room_id: str | None = None, join_code: str | None = None) -> str | None: ...
    def entries(self, room_id: str) -> Iterator[JournalEntry]: ...
    def count(self, kind: str | None = None) -> int: ...
    def close(self) -> None: ...


def encode_payload(payload: dict) -> str:
    """The payload column, byte-identical in every backend (compact JSON, UTF-8 kept as is)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def created_and_written(rows: list[tuple]) -> tuple[list[str], list[str]]:
    """(rooms a batch of journal rows creates, every room it writes), each sorted; ``rows[i][0]`` is the room
    id and ``rows[i][6]`` the kind (the column order of ``append``)."""
    return (sorted({r[0] for r in rows if r[6] == ROOM_CREATED}, key=str), sorted({r[0] for r in rows}, key=str))


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("vbranch", appauthor=False)) / "server" / "journal.sqlite3"


def db_path_from(url: str | None) -> Path:
    """The SQLite file for a ``--db``/``VBRANCH_DB`` value (None or empty: the default, logged once)."""
    if not url:
        path = default_db_path()
        log.info("%s not set: journal in %s", DB_ENV, path)
        return path
    if url.startswith(PG_SCHEMES):
        raise ValueError("a postgresql:// URL names no SQLite file; open_journal() opens it with journal_pg")
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))  # SQLAlchemy's rule: sqlite:////abs, sqlite:///relative
    if "://" in url:
        raise ValueError(f"unsupported database URL {url!r}: use a file path or sqlite:///path")
    return Path(url)


class Journal:
    """An append-only SQLite journal. Not thread-safe: one shell, one event loop, one writer.

    ``owner``: this process's instance name (see the module docstring); None for one process alone.
    SQLite files are not shared across machines, so a write transaction (``BEGIN IMMEDIATE``, one writer
    at a time even between processes on one machine) is all the atomicity ownership needs.
    """

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL", owner: str | None = None) -> None:
        self.path, self.owner = Path(path), owner
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)

    def append(self, entries: Iterable[tuple[str, JournalEntry]]) -> int:
        """Write and commit ``(room id, entry)`` pairs in one transaction; returns how many."""
        rows = [(room_id, e.tick, e.now_s, e.market_step, e.elapsed_s, e.actor, e.kind,
                 encode_payload(e.payload)) for room_id, e in entries]
        if not rows:
            return 0
        try:
            with self._db:  # BEGIN … COMMIT
                self._db.execute("BEGIN" if self.owner is None else "BEGIN IMMEDIATE")
                if self.owner is not None:
                    self._own_or_refuse(rows)
                self._db.executemany("INSERT INTO journal (room_id, tick, now_s, market_step, elapsed_s, actor,"
                                     " kind, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        except RoomsLost:
            raise
        except sqlite3.Error as exc:
            raise JournalWriteError(f"SQLite refused {len(rows)} journal entries: {exc}") from exc
        return len(rows)

    def _own_or_refuse(self, rows: list[tuple]) -> None:
        """Inside ``append``'s transaction: record the rooms it creates as ours, refuse rooms owned elsewhere."""
        created, written = created_and_written(rows)
        self._db.executemany("INSERT OR IGNORE INTO room_owner (room_id, owner) VALUES (?, ?)",
                             [(room_id, self.owner) for room_id in created])
        lost = [room_id for room_id, owner in self.owners(written).items() if owner != self.owner]
        if lost:
            raise RoomsLost(lost)

    def room_ids(self) -> list[str]:
        """Rooms in the order they were opened."""
        rows = self._db.execute("SELECT room_id FROM journal GROUP BY room_id ORDER BY MIN(seq)").fetchall()
        return [r[0] for r in rows]

    def owners(self, room_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Room id -> owning instance, for ``room_ids`` (None: every room) that have one recorded."""
        if room_ids is None:
            return dict(self._db.execute("SELECT room_id, owner FROM room_owner").fetchall())
        ids = list(room_ids)
        found: dict[str, str] = {}
        for i in range(0, len(ids), 500):  # SQLite caps the number of ? in one statement
            chunk = ids[i:i + 500]
            found.update(self._db.execute("SELECT room_id, owner FROM room_owner WHERE room_id IN"
                                          f" ({','.join('?' * len(chunk))})", chunk).fetchall())
        return found

    def claim(self, room_id: str, expected: str | None) -> str | None:
        """Make ``owner`` the room's owner if it is still ``expected`` (None: no owner recorded) or already
        ``owner``; returns the owner afterwards (``owner`` if this call won)."""
        if self.owner is None:
            raise ValueError("a journal without an owner cannot claim rooms")
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT owner FROM room_owner WHERE room_id = ?", (room_id,)).fetchone()
                current = row[0] if row else None
                if current not in (expected, self.owner):
                    return current
                self._db.execute("INSERT OR REPLACE INTO room_owner (room_id, owner) VALUES (?, ?)",
                                 (room_id, self.owner))
        except sqlite3.Error as exc:
            raise JournalWriteError(f"SQLite refused the claim of room {room_id}: {exc}") from exc
        return self.owner

    def find_room(self, room_id: str | None = None, join_code: str | None = None) -> str | None:
        """A journaled room by id, else the room whose latest contest with that join code it is; None if none."""
        if room_id is not None:
            row = self._db.execute("SELECT room_id FROM journal WHERE room_id = ? LIMIT 1", (room_id,)).fetchone()
        elif join_code:
            row = self._db.execute(f"SELECT room_id FROM journal WHERE kind = '{_CREATE}' AND"
                                   " json_extract(payload, '$.join_code') = ? ORDER BY seq DESC LIMIT 1",
                                   (auth.normalise_code(join_code),)).fetchone()
        else:
            row = None
        return row[0] if row else None

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


def open_journal(url: str | None = None, *, owner: str | None = None) -> JournalBackend:
    """The journal named by ``url`` (else ``$VBRANCH_DB``, else the user data dir); ``owner`` as in ``Journal``.

    A ``postgresql://`` URL never falls back to SQLite: rooms written elsewhere would silently vanish
    on the next restart, so a missing driver or an unreachable server is an error, not a fallback.
    """
    url = url if url is not None else os.environ.get(DB_ENV)
    if url and url.startswith(PG_SCHEMES):
        from vbranch.server.journal_pg import PgJournal  # psycopg is needed only here

        return PgJournal(url, owner=owner)
    return Journal(db_path_from(url), owner=owner)
