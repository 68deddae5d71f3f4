"""The learner's event store: xAPI-style statements in a local SQLite file (WAL), queried by learner, verb, time.

Why SQLite and not the JSON-lines logs themselves: reports ask "all of this learner's trades after the
risk lesson" or "every learner in contest X", which is an indexed query, and several logs must be merged
without counting a line twice. Each statement's canonical JSON is UNIQUE, so ``import_jsonl`` is
idempotent: the shell can re-import the same logs at every start. The path is always passed in (scenes
must not import world); the CLI uses ``world.options.learner_log_dir() / DEFAULT_FILENAME``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vbranch.scenes.analytics.statement import Statement, UnknownRecord, from_record

__all__ = ["DEFAULT_FILENAME", "LearningStore", "ImportReport"]

log = logging.getLogger(__name__)

DEFAULT_FILENAME = "learning.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id TEXT NOT NULL,
    verb TEXT NOT NULL,
    object_id TEXT NOT NULL,
    ts_s REAL NOT NULL,
    contest TEXT,
    result TEXT NOT NULL,
    context TEXT NOT NULL,
    canonical TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS statements_learner ON statements (learner_id, ts_s);
CREATE INDEX IF NOT EXISTS statements_verb ON statements (verb, ts_s);
CREATE INDEX IF NOT EXISTS statements_contest ON statements (contest, learner_id);
"""


@dataclass(frozen=True)
class ImportReport:
    """What one ``import_jsonl`` did: new statements, ones already stored, unreadable lines."""

    added: int
    duplicates: int
    skipped: int


class LearningStore:
    """Statements in SQLite at ``path`` (``":memory:"`` for tests); folders are created as needed."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LearningStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, statement: Statement) -> bool:
        """Store one statement; False if the identical statement was already stored."""
        return self.record_many([statement]) == 1

    def record_many(self, statements: Iterable[Statement]) -> int:
        """Store statements in one transaction; returns how many were new."""
        rows = [(s.learner_id, s.verb, s.object_id, float(s.ts_s), s.contest,
                 json.dumps(dict(s.result), ensure_ascii=False), json.dumps(dict(s.context), ensure_ascii=False),
                 s.key()) for s in statements]
        with self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO statements (learner_id, verb, object_id, ts_s, contest, result, context, "
                "canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            return self._db.total_changes - before

    def import_jsonl(self, path: Path | str, *, contest: str | None = None) -> ImportReport:
        """Ingest an A/B, cooling-off, suitability or exported log; malformed lines are skipped and logged.

        Records without wall-clock time (cooling-off ``t_s``) are placed at the file's modification time
        plus ``t_s`` (see ``statement.from_record``).
        """
        path = Path(path)
        fallback_ts_s = path.stat().st_mtime
        statements, skipped = [], 0
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                statements.append(from_record(json.loads(line), fallback_ts_s=fallback_ts_s, contest=contest))
            except (json.JSONDecodeError, UnknownRecord, KeyError, TypeError, ValueError) as exc:
                skipped += 1
                log.warning("%s:%d skipped: %s", path, n, exc)
        added = self.record_many(statements)
        report = ImportReport(added, len(statements) - added, skipped)
        log.info("imported %s: %d new, %d already stored, %d skipped", path, added, report.duplicates, skipped)
        return report

    def statements(self, learner_id: str | None = None, verb: str | None = None, *, since_s: float | None = None,
                   until_s: float | None = None, contest: str | None = None,
                   object_prefix: str | None = None) -> list[Statement]:
        """Statements matching every given filter, oldest first (``until_s`` exclusive)."""
        where, params = [], []
        for clause, value in (("learner_id = ?", learner_id), ("verb = ?", verb), ("ts_s >= ?", since_s),
                              ("ts_s < ?", until_s), ("contest = ?", contest)):
            if value is not None:
                where.append(clause)
                params.append(value)
        if object_prefix is not None:
            where.append("substr(object_id, 1, ?) = ?")
            params += [len(object_prefix), object_prefix]
        sql = "SELECT learner_id, verb, object_id, ts_s, result, context, contest FROM statements"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY ts_s, id"
        return [Statement(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6])
                for r in self._db.execute(sql, params)]

    def learners(self, contest: str | None = None) -> list[str]:
        sql, params = "SELECT DISTINCT learner_id FROM statements", ()
        if contest is not None:
            sql, params = sql + " WHERE contest = ?", (contest,)
        return sorted(r[0] for r in self._db.execute(sql, params))

    def contests(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT contest FROM statements WHERE contest IS NOT NULL")
        return sorted(r[0] for r in rows)

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM statements").fetchone()[0]

    def export_jsonl(self, path: Path | str, **filters: object) -> int:
        """Write matching statements as JSON lines (re-importable); returns how many."""
        rows = self.statements(**filters)  # type: ignore[arg-type]
        Path(path).write_text("".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in rows), "utf-8")
        return len(rows)
