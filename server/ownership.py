"""Which process runs a room when several share one journal: owners in the journal, liveness in Redis.

Why: several ``vbranch serve`` processes on one Postgres journal must still give every room exactly one
authoritative market, and only that process may write the room's journal. The journal is the one place
all processes change atomically, so it records each room's owner (table ``room_owner``: room id ->
instance name). Whether that owner still lives is the room directory's answer: its Redis entry expires
within ``ttl_s`` once the process stops refreshing it (``kill -9``, a lost machine).

- Instance name: ``vbranch serve --instance NAME``, else the advertised address (``--advertise``, else
  ``ws://host:port``), so one process needs no flag and a process restarted on the same address is the same
  instance. A process without Redis and without ``--instance`` is alone: no owner is recorded or checked
  and every journaled room is restored, as before ownership existed.
- Creating a room records its owner (in ``append``'s transaction). On start a process restores the rooms
  it owns and claims those with no owner (older journals, rooms of a process alone); rooms of other
  instances are left to them, even while they are down (``rooms_to_restore``).
- Takeover (``acquire``): a hello for a journaled room that no process here runs first *reserves* the
  room's directory entry, which succeeds only if there is none. A live owner still has its entry, so
  the hello is redirected there; of two processes racing for a dead owner's room, one reserves and the
  other is redirected to it. The winner then claims the room in the journal, on the condition that its
  owner is still the one it read (Postgres: one conditional upsert; SQLite: a write transaction), and the
  shell replays the room from the journal as it wakes an unloaded one. A room its owner unloaded for being
  idle has no entry either, so it too may move to the process that gets the next hello for it: harmless,
  nobody was running it (the old owner forgets it at its next ownership check).
- Non-owners never write: ``append`` refuses rooms another instance owns (``RoomsLost``, nothing
  committed), and before every directory refresh (``ttl_s / 3``) the shell unloads the rooms it no longer
  owns (``lost_rooms``): a process cut off from Redis long enough to be taken over stops ticking them.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Iterable
from typing import Literal

from vbranch.server.journal import JournalBackend
from vbranch.server.scale_link import ScaleLink
from vbranch.server.scale_redis import RoomAddress

__all__ = ["instance_name", "rooms_to_restore", "lost_rooms", "acquire"]

log = logging.getLogger(__name__)


def instance_name(instance: str | None, advertise: str | None, address: str | None) -> str:
    """``--instance``, else ``--advertise``, else the bound ``ws://host:port`` (None when the port is chosen
    at bind time: then a random name, and this process's rooms come back after a restart only by takeover)."""
    name = instance or advertise or address
    if not name:
        name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        log.warning("instance name %s is random (no --port, --advertise or --instance): after a restart its rooms "
                    "come back only when another hello takes them over", name)
    return name


def rooms_to_restore(journal: JournalBackend) -> list[str]:
    """The journaled rooms this process should rebuild at start, in the order they were opened.

    Alone (``journal.owner`` None): all of them. Otherwise the rooms it owns, and the rooms with no owner
    recorded, each claimed first (of two processes starting at once, one gets each).
    """
    room_ids = journal.room_ids()
    me = journal.owner
    if me is None:
        return room_ids
    owners = journal.owners()
    mine = [r for r in room_ids if owners.get(r) == me or (r not in owners and journal.claim(r, None) == me)]
    if len(mine) < len(room_ids):
        log.info("%d journaled rooms belong to other processes; not restored here (instance %s)",
                 len(room_ids) - len(mine), me)
    return mine


def lost_rooms(journal: JournalBackend, room_ids: Iterable[str]) -> list[str]:
    """Those of ``room_ids`` that another instance owns now (rooms with no owner recorded are not lost)."""
    me = journal.owner
    return sorted(room_id for room_id, owner in journal.owners(room_ids).items() if owner != me)


async def acquire(journal: JournalBackend, link: ScaleLink | None, room_id: str) -> Literal[True] | RoomAddress | None:
    """Make this process the owner of a journaled room that no live process runs.

    Returns:
        True: the room is this process's now (replay it); a ``RoomAddress``: a live process holds it
        (redirect the hello there); None: neither (Redis is away and another instance owns it, or the
        journal refused), so the hello is refused.
    """
    me = journal.owner
    current = journal.owners([room_id]).get(room_id)
    held = await link.reserve(room_id) if link is not None else None
    if held is not None and held.address != link.address:
        return held
    if held is None and current not in (None, me):
        return None  # without the directory nobody can tell whether the owner lives
    try:
        winner = journal.claim(room_id, current)
    except Exception:
        log.exception("room %s: the journal refused the claim", room_id)
        winner = None
    if winner != me:
        log.info("room %s: claimed by %s first", room_id, winner)
        if held is not None:
            await link.release(room_id)
        return None
    if current not in (None, me):
        log.warning("room %s taken over from %s (its directory entry had expired)", room_id, current)
    return True
