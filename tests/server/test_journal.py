"""One journal contract, two backends: SQLite (a file) and Postgres (a real server in a temp dir)."""

import itertools

import pytest
from backing_services import fresh_database, pg_cluster  # noqa: F401 - pg_cluster is a fixture
from room_helpers import TEACHER_TOKEN
from test_restore import _accounts, _busy_classroom

from vbranch.server.journal import Journal, JournalWriteError, open_journal
from vbranch.server.restore import restore_room
from vbranch.server.seats import JournalEntry

_dbs = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgres"])
def journal_url(request, tmp_path):
    """A URL naming an empty journal; every ``open_journal(url)`` is a new connection to it."""
    if request.param == "sqlite":
        return str(tmp_path / "j.sqlite3")
    return fresh_database(request.getfixturevalue("pg_cluster"), f"journal_{next(_dbs)}")


def _entry(tick, kind="order", actor="s1", payload=None):
    return JournalEntry(tick, tick * 0.1, actor, kind, payload or {"n": tick}, tick * 2, tick * 0.5)


def test_append_commits_a_batch_that_another_connection_reads_back_exactly(journal_url):
    writer, reader = open_journal(journal_url), open_journal(journal_url)
    payload = {"msg": {"b": 1, "a": [0.1, 1e-07, 3.0]}, "name": "张三 ✓", "nested": {"z": None, "y": True}}
    batch = [("r2", _entry(1, "room_created", "teacher", {"teacher_token": "t"})), ("r2", _entry(2, payload=payload)),
             ("r1", _entry(3, "room_created", "teacher", {"teacher_token": "u"})), ("r2", _entry(4, "fill"))]
    assert writer.append(iter(batch)) == 4
    assert writer.append([]) == 0
    assert reader.room_ids() == ["r2", "r1"]  # the order rooms were opened in, not alphabetical
    assert list(reader.entries("r2")) == [e for room, e in batch if room == "r2"]
    assert next(e for e in reader.entries("r2") if e.kind == "order").payload == payload
    assert list(reader.entries("nope")) == []
    assert (reader.count(), reader.count("fill"), reader.count("cancel")) == (4, 1, 0)
    writer.close()
    reader.close()


def test_a_reopened_journal_keeps_everything_and_appends_after_it(journal_url):
    first = open_journal(journal_url)
    first.append([("r1", _entry(t)) for t in range(5)])
    first.close()
    again = open_journal(journal_url)  # the schema step is idempotent
    again.append([("r1", _entry(9))])
    assert [e.tick for e in again.entries("r1")] == [0, 1, 2, 3, 4, 9]
    again.close()


def test_a_refused_batch_commits_nothing_and_raises_the_shells_error(journal_url):
    journal = open_journal(journal_url)
    journal.append([("r1", _entry(1))])
    with pytest.raises(JournalWriteError):  # NOT NULL violated halfway through the batch
        journal.append([("r1", _entry(2)), (None, _entry(3))])
    journal.append([("r1", _entry(4))])  # the connection is usable again
    assert [e.tick for e in journal.entries("r1")] == [1, 4]
    journal.close()


def test_a_room_replayed_from_either_backend_equals_the_live_room(journal_url):
    live = _busy_classroom().room
    journal = open_journal(journal_url)
    journal.append(("r1", e) for e in live.take_journal())
    journal.close()
    back = restore_room("r1", TEACHER_TOKEN, list(open_journal(journal_url).entries("r1")))
    assert back.market.prices == live.market.prices
    assert _accounts(back) == _accounts(live)


def test_postgres_urls_open_postgres_and_never_fall_back_to_sqlite(pg_cluster, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("VBRANCH_DB", fresh_database(pg_cluster, "from_env"))
    journal = open_journal()
    assert type(journal).__name__ == "PgJournal" and "dbname=from_env" in str(journal.path)
    journal.close()
    assert isinstance(open_journal(str(tmp_path / "x.sqlite3")), Journal)
    dead = pg_cluster.rsplit(":", 1)[0] + ":1/postgres"  # nothing listens on port 1
    with pytest.raises(Exception, match="(?i)connect"):
        open_journal(dead)
