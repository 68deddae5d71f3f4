"""Room ownership in the journal, on both backends: who creates a room owns it, a claim moves it only from
the owner it expects (one winner in a race), a non-owner's writes are refused, restarts restore only one's own."""

import itertools
import threading
import time

import psycopg
import pytest
from backing_services import fresh_database, pg_cluster  # noqa: F401 - pg_cluster is a fixture

from vbranch.server.journal import RoomsLost, open_journal
from vbranch.server.ownership import lost_rooms, rooms_to_restore
from vbranch.server.restore import ROOM_CREATED
from vbranch.server.seats import JournalEntry

_dbs = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgres"])
def journal_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "j.sqlite3")
    return fresh_database(request.getfixturevalue("pg_cluster"), f"owners_{next(_dbs)}")


def _created(room_id):
    return room_id, JournalEntry(0, 0.0, "lobby", ROOM_CREATED, {"teacher_token": f"tok-{room_id}"})


def _order(room_id, tick=1):
    return room_id, JournalEntry(tick, tick * 0.1, "s1", "order", {"n": tick}, tick, 0.0)


def test_the_process_that_creates_a_room_owns_it_and_a_process_alone_records_no_owner(journal_url):
    a, alone = open_journal(journal_url, owner="A"), open_journal(journal_url)
    a.append([_created("r1"), _order("r1")])
    alone.append([_created("r2"), _order("r2")])
    assert a.owners() == {"r1": "A"} and alone.owners(["r1", "r2", "r9"]) == {"r1": "A"}
    assert alone.room_ids() == ["r1", "r2"] and a.count() == 4
    for j in (a, alone):
        j.close()


def test_a_claim_moves_a_room_only_from_the_expected_owner_and_the_old_owner_can_no_longer_write_it(journal_url):
    a, b = open_journal(journal_url, owner="A"), open_journal(journal_url, owner="B")
    a.append([_created("r1"), _created("r2"), _order("r1")])
    assert b.claim("r1", "C") == "A"  # B read a stale owner: no change
    assert b.claim("r1", "A") == "B" and b.claim("r1", "A") == "B"  # idempotent for the winner
    assert a.claim("r1", "A") == "B"  # A cannot take it back by expecting itself
    with pytest.raises(RoomsLost) as refused:
        a.append([_order("r2", 2), _order("r1", 3)])
    assert refused.value.room_ids == {"r1"}
    assert [e.tick for e in a.entries("r2")] == [0] and a.count() == 3  # nothing of the batch went in
    a.append([_order("r2", 2)])  # its own rooms go on
    b.append([_order("r1", 4)])
    assert [e.tick for e in b.entries("r1")] == [0, 1, 4] and lost_rooms(a, ["r1", "r2"]) == ["r1"]
    assert b.claim("r9", None) == "B" and a.claim("r9", None) == "B"  # no owner yet: the first claim wins
    for j in (a, b):
        j.close()


def test_of_eight_processes_claiming_a_dead_owners_room_at_once_exactly_one_wins(journal_url):
    open_journal(journal_url, owner="A").append([_created("r1")])
    start, results = threading.Barrier(8), {}

    def claim(owner):
        j = open_journal(journal_url, owner=owner)  # a connection of its own, like a process
        start.wait()
        results[owner] = j.claim("r1", "A")
        j.close()

    threads = [threading.Thread(target=claim, args=(f"P{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    winners = {owner for owner, got in results.items() if got == owner}
    assert len(results) == 8 and len(winners) == 1 and set(results.values()) == winners
    assert open_journal(journal_url).owners() == {"r1": winners.pop()}


def test_rooms_are_found_by_id_and_by_the_join_code_of_their_latest_contest(journal_url):
    j = open_journal(journal_url, owner="A")
    create = JournalEntry(1, 0.1, "teacher", "create_contest", {"scenario": "crash", "join_code": "AB12CD3"}, 0, 0.0)
    j.append([_created("r1"), ("r1", create), _created("r2")])
    assert j.find_room(room_id="r2") == "r2" and j.find_room(room_id="r7") is None
    assert j.find_room(join_code="ab-12 cd3") == "r1"  # typed the way a learner types it
    assert j.find_room(join_code="ZZZZ999") is None and j.find_room() is None
    j.close()


def test_a_restart_restores_its_own_rooms_and_claims_unowned_ones_but_leaves_other_processes_rooms(journal_url):
    alone = open_journal(journal_url)
    alone.append([_created("old1"), _created("old2")])  # written before ownership, or by a process alone
    open_journal(journal_url, owner="A").append([_created("a1")])
    open_journal(journal_url, owner="B").append([_created("b1")])
    a, c = open_journal(journal_url, owner="A"), open_journal(journal_url, owner="C")
    assert rooms_to_restore(a) == ["old1", "old2", "a1"]
    assert rooms_to_restore(c) == []  # the unowned rooms went to A, which claimed them first
    assert rooms_to_restore(alone) == ["old1", "old2", "a1", "b1"]  # alone: every room, as before
    assert a.owners() == {"old1": "A", "old2": "A", "a1": "A", "b1": "B"}
    for j in (alone, a, c):
        j.close()


def test_on_postgres_a_claim_waits_for_an_append_of_that_room_and_then_replays_it(pg_cluster):  # noqa: F811
    url = fresh_database(pg_cluster, f"owners_{next(_dbs)}")
    a, b = open_journal(url, owner="A"), open_journal(url, owner="B")
    a.append([_created("r1")])
    with psycopg.connect(url) as held:  # what A's append does between its ownership check and its COMMIT
        held.execute("SELECT owner FROM room_owner WHERE room_id = 'r1' FOR SHARE")
        held.execute("INSERT INTO journal (room_id, tick, now_s, market_step, elapsed_s, actor, kind, payload)"
                     " VALUES ('r1', 5, 0.5, 5, 0, 's1', 'order', '{}')")
        claimed = {}
        t = threading.Thread(target=lambda: claimed.update(owner=b.claim("r1", "A"), at=time.monotonic()))
        t.start()
        time.sleep(0.4)
        assert claimed == {}  # blocked behind the append's row lock
        committed_at = time.monotonic()
        held.commit()
        t.join(10)
    assert claimed["owner"] == "B" and claimed["at"] >= committed_at
    assert [e.tick for e in b.entries("r1")] == [0, 5]  # the new owner's replay sees the acknowledged write
    with pytest.raises(RoomsLost):
        a.append([_order("r1", 6)])
    for j in (a, b):
        j.close()
