"""vbranch.server: the classroom server's Sans-I/O core (codec, rooms, contests); the websockets shell plugs in."""

from vbranch.server.protocol import decode, encode
from vbranch.server.room import BROADCAST, PARTICIPANTS, Outgoing, Room

__all__ = ["BROADCAST", "PARTICIPANTS", "Outgoing", "Room", "decode", "encode"]
