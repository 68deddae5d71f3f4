"""Joining a classroom before the 3D engine starts: one clear line when it can't be done.

Why before Panda3D: an unreachable server or a mistyped join code should cost the learner a second,
not an engine start-up, and should read as one sentence (exit 2), never a traceback. No Panda3D here.
"""

from __future__ import annotations

import logging

from websockets.exceptions import WebSocketException

from vbranch.scenes.catalogue import text
from vbranch.server.client import JoinRefused
from vbranch.server.parent_view import parent_link
from vbranch.world.net_client import NetClient
from vbranch.world.options import RunOptions
from vbranch.world.remote_market import RemoteMarket

__all__ = ["ClassroomError", "join_room", "DEFAULT_NAME", "JOIN_TIMEOUT_S"]

log = logging.getLogger(__name__)

DEFAULT_NAME = "Learner"
JOIN_TIMEOUT_S = 5.0


class ClassroomError(RuntimeError):
    """Could not join; ``str(exc)`` is the learner's one-line message (catalogue text)."""


def join_room(options: RunOptions, account_id: str = "learner",
              timeout_s: float = JOIN_TIMEOUT_S) -> tuple[NetClient, RemoteMarket]:
    """Connect to ``options.server`` with ``options.join_code``; the running link and the room's market."""
    url, lang = options.server or "", options.lang
    net = NetClient(url, options.name or DEFAULT_NAME, join_code=options.join_code, lang=lang)
    try:
        welcome = net.start(timeout_s)
        market = RemoteMarket(welcome, net.inbox, account_id=account_id)
    except JoinRefused as exc:
        raise ClassroomError(text("classroom.refused", lang, message=str(exc))) from None
    except (OSError, TimeoutError, WebSocketException) as exc:
        reason = str(exc) or type(exc).__name__
        raise ClassroomError(text("classroom.unreachable", lang, url=url, reason=reason)) from None
    except ValueError as exc:  # the room has no contest (or an unknown scenario)
        net.close()
        raise ClassroomError(text("classroom.refused", lang, message=str(exc))) from None
    log.info("joined room %s as %s (%s)", welcome.get("room"), options.name, welcome.get("client_id"))
    if welcome.get("parent_token"):  # to the console, never the log: the link is the family's key to the view
        print(text("classroom.parent_link", lang, url=parent_link(url, welcome["parent_token"])))
    return net, market
