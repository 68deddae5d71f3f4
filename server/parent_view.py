"""The parent view's server side (亲子财商账户): which seat a parent token opens, its standing, its link.

Why a parent link and not a parent login: a parent only ever watches one child's simulated account,
so the learner's ``parent_token`` (128 bits, in the learner's ``welcome``) is the whole credential.
The link puts it in the URL *fragment* (``/parent#token``): browsers never send a fragment to the
server, so the token stays out of access logs, proxies and ``Referer`` headers. The page then says
``hello`` as role ``parent`` over the websocket (cash, positions, prices, fills) and asks for the
standing over HTTP with the token in an ``Authorization`` header, because the live board names rows
by nickname and only the server knows which row is this child's.

The teacher never receives parent tokens (the room sends them to the learner alone): sharing the view
with the family is the learner's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from vbranch.server import auth
from vbranch.server.contest import ContestState
from vbranch.server.report import ranked_seats
from vbranch.server.room import Room
from vbranch.server.seats import Seat

__all__ = ["PARENT_PATH", "parent_link", "find_parent_seat", "parent_standing"]

PARENT_PATH = "/parent"
_HTTP_FOR = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def parent_link(server_url: str, parent_token: str) -> str:
    """The page a parent opens: ``ws://host:port/…`` -> ``http://host:port/parent#<token>``."""
    parts = urlsplit(server_url)
    scheme = _HTTP_FOR.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"not a classroom server address: {server_url!r}")
    return urlunsplit((scheme, parts.netloc, PARENT_PATH, "", quote(parent_token, safe="-_")))


def find_parent_seat(rooms: Iterable[Room], token: str | None) -> tuple[Room, Seat] | None:
    """The room and seat whose ``parent_token`` is ``token`` (constant-time comparisons), else None."""
    if not token:
        return None
    for room in rooms:
        for seat in room.seats.values():
            if auth.same_secret(token, seat.parent_token):
                return room, seat
    return None


def parent_standing(room: Room, seat: Seat) -> dict[str, Any]:
    """What the parent page shows beside the account: the child's row of the live board, and the benchmark.

    Returns:
        ``{"name", "state", "final", "rank", "n", "row", "benchmark_return_pct"}``; ``rank`` and ``row``
        are None before the room has a contest.
    """
    rows, bench_pct = ranked_seats(room)
    mine = next((row for row, s in rows if s is seat), None)
    state = room.contest.state.name.lower() if room.contest is not None else None
    return {"name": seat.name, "state": state, "final": room.contest is not None
            and room.contest.state is ContestState.ENDED, "rank": mine.rank if mine else None, "n": len(rows),
            "row": mine.to_dict() if mine else None, "benchmark_return_pct": bench_pct}
