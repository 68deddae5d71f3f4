"""Rooms rebuilt from the journal: all of this process's rooms at start, one room when a hello wakes it or
takes it over from a process that is gone.

Why apart from the shell: it is the journal-to-room rule (find the creation record, replay the entries
through ``restore_room``, skip and log a room that does not replay) with no sockets in it, and the
shell runs ``replay_entries`` in a worker thread, where only an unshared new room may be touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from vbranch.server.journal import JournalBackend
from vbranch.server.lobby import Lobby
from vbranch.server.ownership import rooms_to_restore
from vbranch.server.restore import ROOM_CREATED, ReplayMismatch, restore_room
from vbranch.server.room import Room
from vbranch.server.seats import JournalEntry

__all__ = ["replay_entries", "restore_lobby"]

log = logging.getLogger(__name__)


def replay_entries(room_id: str, entries: list[JournalEntry], build: Callable[[str, str], Room]) -> Room | None:
    """One journaled room rebuilt from its ``entries`` (``build`` makes the empty room), or None (logged) if it
    cannot be replayed. Safe in a worker thread: the room is new and unshared."""
    created = next((e for e in entries if e.kind == ROOM_CREATED), None)
    if created is None:
        log.error("room %s has no creation record; not restored", room_id)
        return None
    try:
        return restore_room(room_id, created.payload["teacher_token"], entries, build)
    except (ReplayMismatch, KeyError, ValueError, TypeError) as exc:
        log.error("room %s could not be replayed (%s); not restored", room_id, exc)
        return None


def restore_lobby(journal: JournalBackend, lobby: Lobby) -> int:
    """Rebuild the journaled rooms this process owns (``ownership.rooms_to_restore``: all of them for a
    process alone) into ``lobby``; a room whose replay fails is skipped and logged."""
    restored = 0
    for room_id in rooms_to_restore(journal):
        room = replay_entries(room_id, list(journal.entries(room_id)), lobby.build_room)
        if room is not None:
            lobby.add_room(room)
            restored += 1
    return restored
