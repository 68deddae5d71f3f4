"""Classmates in a multiplayer room: remote avatars moved smoothly from ~15 Hz pose updates.

Each remote client owns its pose (owner-authoritative): it stamps samples with its time and the server
relays them. ``PoseBuffer`` is the pure part: it keeps the last samples of one client and answers "where
was this client ``interp_delay_s`` ago", interpolating between the two samples around that moment, so
motion stays smooth even though updates arrive 66 ms apart and jitter. When samples stop (packet loss, a
lagging client) it extrapolates along the last velocity for at most ``max_extrapolation_s`` and then
holds still, so a frozen client never drifts off through a wall.

``Crowd`` is the thin shell: one ``AvatarView`` per client, built once on its first sample, and per
frame one ``set_pos_hpr`` per avatar. Times are in the senders' clock (server time as the client
estimates it); aligning clocks is the network layer's job.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Hashable, Sequence

from panda3d.core import NodePath

from vbranch.avatars.render import AvatarView, classmate_palette

__all__ = ["INTERP_DELAY_S", "MAX_EXTRAPOLATION_S", "PoseBuffer", "Crowd"]

log = logging.getLogger(__name__)

INTERP_DELAY_S = 0.1  # 1.5 update intervals at 15 Hz: there is almost always a sample on each side
MAX_EXTRAPOLATION_S = 0.25
_HISTORY = 16  # ~1 s of samples at 15 Hz; older ones can never be needed with a 100 ms delay
_CROWD_DETAIL = 8  # segments per ring: classmates are seen from metres away

Sample = tuple[float, float, float, float, float]  # t_s, x_m, y_m, z_m, heading_deg


def _wrap180(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


class PoseBuffer:
    """Timestamped root poses of one remote client, sampled with a fixed interpolation delay.

    Args:
        interp_delay_s: how far behind the newest time the avatar is shown.
        max_extrapolation_s: how far past the newest sample motion is predicted before holding.
    """

    def __init__(self, interp_delay_s: float = INTERP_DELAY_S,
                 max_extrapolation_s: float = MAX_EXTRAPOLATION_S) -> None:
        if interp_delay_s < 0 or max_extrapolation_s < 0:
            raise ValueError("delays must not be negative")
        self.interp_delay_s = interp_delay_s
        self.max_extrapolation_s = max_extrapolation_s
        self._samples: deque[Sample] = deque(maxlen=_HISTORY)

    def __len__(self) -> int:
        return len(self._samples)

    def push(self, t_s: float, position_m: Sequence[float], heading_deg: float) -> bool:
        """Add a sample; returns False (and drops it) when it is not newer than the last one.

        The owner's timestamps are authoritative, so a late or duplicated packet is simply stale.
        """
        if self._samples and t_s <= self._samples[-1][0]:
            return False
        x, y, z = position_m
        self._samples.append((float(t_s), float(x), float(y), float(z), float(heading_deg)))
        return True

    def sample(self, render_time_s: float) -> tuple[float, float, float, float] | None:
        """(x_m, y_m, z_m, heading_deg) shown at ``render_time_s``: the state at ``render_time_s - delay``.

        Before the first sample it holds the first; between samples it interpolates (positions linearly,
        heading along the shorter arc); past the last it extrapolates up to ``max_extrapolation_s``, then
        holds. None when nothing has arrived yet.
        """
        samples = self._samples
        if not samples:
            return None
        t = render_time_s - self.interp_delay_s
        newest = samples[-1]
        if t >= newest[0]:
            if len(samples) < 2:
                return newest[1], newest[2], newest[3], newest[4]
            older = samples[-2]
            ahead_s = min(t - newest[0], self.max_extrapolation_s)
            return _lerp(older, newest, 1.0 + ahead_s / (newest[0] - older[0]))
        # Walk back from the newest: render time sits near the end, so this is O(1) in practice.
        for i in range(len(samples) - 2, -1, -1):
            a = samples[i]
            if a[0] <= t:
                b = samples[i + 1]
                return _lerp(a, b, (t - a[0]) / (b[0] - a[0]))
        first = samples[0]
        return first[1], first[2], first[3], first[4]


def _lerp(a: Sample, b: Sample, u: float) -> tuple[float, float, float, float]:
    """Between ``a`` (u = 0) and ``b`` (u = 1); u > 1 extrapolates. Heading goes the shorter way."""
    return (
        a[1] + (b[1] - a[1]) * u,
        a[2] + (b[2] - a[2]) * u,
        a[3] + (b[3] - a[3]) * u,
        (a[4] + _wrap180(b[4] - a[4]) * u) % 360.0,
    )


class _Remote:
    __slots__ = ("buffer", "view", "seat_index")

    def __init__(self, buffer: PoseBuffer, view: AvatarView, seat_index: int) -> None:
        self.buffer = buffer
        self.view = view
        self.seat_index = seat_index


class Crowd:
    """The remote classmates' avatars under ``parent``, one per client id.

    Args:
        parent: the room node the avatars stand in (positions are in its frame).
        max_avatars: seats; samples from further clients are dropped (logged once).
        interp_delay_s: see ``PoseBuffer``.
    """

    def __init__(self, parent: NodePath, max_avatars: int = 50, interp_delay_s: float = INTERP_DELAY_S) -> None:
        if max_avatars <= 0:
            raise ValueError(f"max_avatars must be positive, got {max_avatars}")
        self.root = parent.attach_new_node("crowd")
        self.max_avatars = max_avatars
        self.interp_delay_s = interp_delay_s
        self._remotes: dict[Hashable, _Remote] = {}
        self._free_seats = list(range(max_avatars - 1, -1, -1))  # pop() hands out the lowest seat first
        self._warned_full = False

    def __len__(self) -> int:
        return len(self._remotes)

    def __contains__(self, client_id: Hashable) -> bool:
        return client_id in self._remotes

    def view(self, client_id: Hashable) -> AvatarView:
        """The avatar of ``client_id`` (to pose its body or attach a name tag)."""
        return self._remotes[client_id].view

    def seat_index(self, client_id: Hashable) -> int:
        return self._remotes[client_id].seat_index

    def push(self, client_id: Hashable, t_s: float, position_m: Sequence[float], heading_deg: float) -> None:
        """Record a pose update of ``client_id``; its avatar is built on its first update."""
        remote = self._remotes.get(client_id)
        if remote is None:
            if not self._free_seats:
                if not self._warned_full:
                    log.warning("crowd is full (%d avatars): ignoring further clients", self.max_avatars)
                    self._warned_full = True
                return
            seat = self._free_seats.pop()
            view = AvatarView(self.root, classmate_palette(seat), name=f"classmate-{client_id}", detail=_CROWD_DETAIL)
            remote = _Remote(PoseBuffer(self.interp_delay_s), view, seat)
            self._remotes[client_id] = remote
        remote.buffer.push(t_s, position_m, heading_deg)

    def remove(self, client_id: Hashable) -> None:
        """Take a client's avatar out of the scene and free its seat (unknown ids are ignored)."""
        remote = self._remotes.pop(client_id, None)
        if remote is None:
            return
        remote.view.destroy()
        self._free_seats.append(remote.seat_index)
        self._free_seats.sort(reverse=True)

    def update(self, now_s: float) -> None:
        """Move every avatar to its buffered pose at ``now_s`` (senders' clock). O(n), no node churn."""
        for remote in self._remotes.values():
            pose = remote.buffer.sample(now_s)
            if pose is not None:
                x, y, z, h = pose
                remote.view.root.set_pos_hpr(x, y, z, h, 0.0, 0.0)

    def destroy(self) -> None:
        """Remove all avatars and the crowd node."""
        for client_id in list(self._remotes):
            self.remove(client_id)
        self.root.remove_node()
