"""The XR frame as named phases in a fixed order, each gated on the session state.

OpenXR is strict about order within a frame (wait -> begin -> render -> end) and about not touching
frames at all while the session isn't running, yet events must still be polled or the session never
starts. Expressing the frame as data — an ordered list of phases with a gate each — lets the order and
the gating be tested with plain functions, and gives each phase a Panda task sort derived from its
position: everything before rendering runs before the app's own tasks (sort 0), ``render`` arms the eyes
just before Panda's ``igLoop`` draws them, and ``end_frame`` submits right after it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Gate", "PhaseSpec", "PHASES", "IGLOOP_SORT", "FIRST_SORT", "FrameLoop"]

log = logging.getLogger(__name__)

IGLOOP_SORT = 50  # ShowBase's render task
FIRST_SORT = -1000


class Gate(enum.Enum):
    """When a phase may run."""

    ALWAYS = "always"  # even with no running session
    RUNNING = "running"  # the session has begun
    RENDERING = "rendering"  # running and the runtime wants pixels this frame
    FRAME_BEGUN = "frame_begun"  # this frame's begin_frame ran


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    gate: Gate


PHASES = (
    PhaseSpec("poll_events", Gate.ALWAYS),
    PhaseSpec("wait_frame", Gate.RUNNING),
    PhaseSpec("begin_frame", Gate.RUNNING),
    PhaseSpec("locate_views", Gate.RUNNING),
    PhaseSpec("sync_actions", Gate.RUNNING),
    PhaseSpec("render", Gate.RENDERING),
    PhaseSpec("end_frame", Gate.FRAME_BEGUN),
)


def _task_sorts() -> dict[str, int]:
    sorts = {}
    render_at = [p.name for p in PHASES].index("render")
    for i, phase in enumerate(PHASES):
        if i < render_at:
            sorts[phase.name] = FIRST_SORT + i
        elif i == render_at:
            sorts[phase.name] = IGLOOP_SORT - 1
        else:
            sorts[phase.name] = IGLOOP_SORT + (i - render_at)
    return sorts


class FrameLoop:
    """Runs registered phase callables in ``PHASES`` order, honouring each phase's gate.

    Args:
        is_running: whether the session has begun (wait/begin/end frame are legal).
        should_render: whether the runtime wants this frame rendered (read after ``wait_frame``).
    """

    task_sorts = _task_sorts()

    def __init__(self, is_running: Callable[[], bool], should_render: Callable[[], bool]) -> None:
        self._is_running = is_running
        self._should_render = should_render
        self._phases: dict[str, Callable[[], None]] = {}
        self._frame_begun = False
        self._tasks: list[str] = []
        self._task_mgr = None

    def register(self, name: str, fn: Callable[[], None]) -> None:
        if name not in self.task_sorts:
            raise KeyError(f"unknown phase {name!r}; phases are {[p.name for p in PHASES]}")
        self._phases[name] = fn

    def _allowed(self, gate: Gate) -> bool:
        if gate is Gate.ALWAYS:
            return True
        if gate is Gate.FRAME_BEGUN:
            return self._frame_begun
        running = self._is_running()
        return running and (gate is Gate.RUNNING or self._should_render())

    def run_phase(self, name: str) -> bool:
        """Run one phase if its gate allows; returns whether it ran."""
        spec = next(p for p in PHASES if p.name == name)
        if name == "wait_frame":
            self._frame_begun = False
        if not self._allowed(spec.gate):
            return False
        fn = self._phases.get(name)
        if fn is not None:
            fn()
        if name == "begin_frame":
            self._frame_begun = True
        elif name == "end_frame":
            self._frame_begun = False
        return True

    def run_once(self) -> list[str]:
        """One whole frame outside Panda's task manager; returns the phases that ran, in order."""
        return [p.name for p in PHASES if self.run_phase(p.name)]

    def install(self, task_mgr, prefix: str = "xr") -> None:
        """Add one task per phase to Panda's task manager at its derived sort."""
        self._task_mgr = task_mgr
        for phase in PHASES:
            task_name = f"{prefix}-{phase.name}"

            def step(task, name=phase.name):
                self.run_phase(name)
                return task.cont

            task_mgr.add(step, task_name, sort=self.task_sorts[phase.name])
            self._tasks.append(task_name)

    def uninstall(self) -> None:
        if self._task_mgr is not None:
            for name in self._tasks:
                self._task_mgr.remove(name)
        self._tasks = []
        self._task_mgr = None
