"""A contest rebuilt from the server's journal, for reports written after class (``vbranch report --class``).

Why replay and not a stored result: the journal already holds every accepted action, and replaying it
through ``restore.restore_room`` (the code a restarted server uses) rebuilds the room's market, seats
and leaderboard samples exactly, so the report equals the board the class saw, with no second copy of
the results to keep in step. A room can host several contests one after another; a join code names
one of them, and replay stops where the next one was created. A room id names the room's latest.
"""

from __future__ import annotations

from collections.abc import Callable

from vbranch.server import auth
from vbranch.server.journal import JournalBackend
from vbranch.server.messages import TeacherCmd
from vbranch.server.restore import ROOM_CREATED, restore_room
from vbranch.server.room import Room
from vbranch.server.seats import JournalEntry

__all__ = ["ContestNotFound", "journal_contests", "find_contest", "replay_contest"]

_CREATE = TeacherCmd.CREATE_CONTEST.value


class ContestNotFound(LookupError):
    """No room id or join code in the journal matches; ``str()`` lists what the journal does hold."""


def _is_create(entry: JournalEntry) -> bool:
    return entry.actor == "teacher" and entry.kind == _CREATE


def journal_contests(journal: JournalBackend) -> list[tuple[str, str]]:
    """Every (room id, join code) in the journal, in the order the contests were created."""
    return [(room_id, e.payload.get("join_code", "?")) for room_id in journal.room_ids()
            for e in journal.entries(room_id) if _is_create(e)]


def find_contest(journal: JournalBackend, contest: str) -> tuple[str, list[JournalEntry]]:
    """The room id and the journal entries that rebuild ``contest`` (a room id or a join code).

    Raises:
        ContestNotFound: nothing matches, or the room never had a contest.
    """
    rooms = journal.room_ids()
    if contest in rooms:
        entries = list(journal.entries(contest))
        if any(_is_create(e) for e in entries):
            return contest, entries
    code = auth.normalise_code(contest)
    for room_id in rooms:
        entries = list(journal.entries(room_id))
        starts = [i for i, e in enumerate(entries) if _is_create(e)]
        for n, i in enumerate(starts):
            if auth.same_secret(code, str(entries[i].payload.get("join_code"))):
                end = starts[n + 1] if n + 1 < len(starts) else len(entries)
                return room_id, entries[:end]
    known = ", ".join(f"{code} (room {room})" for room, code in journal_contests(journal)) or "none"
    raise ContestNotFound(f"no contest {contest!r} in the journal {journal.path}; contests there: {known}")


def replay_contest(journal: JournalBackend, contest: str, build: Callable[[str, str], Room] = Room) -> Room:
    """The room of ``contest`` as it stood at its last journaled action (see ``find_contest``)."""
    room_id, entries = find_contest(journal, contest)
    created = next((e for e in entries if e.kind == ROOM_CREATED), None)
    if created is None:
        raise ContestNotFound(f"room {room_id} has no creation record in {journal.path}")
    return restore_room(room_id, created.payload["teacher_token"], entries, build)
