"""The OpenXR session: the GL binding to Panda's context and the runtime-driven state machine.

The runtime, not the app, decides when a session runs: it sends SESSION_STATE_CHANGED events and the
app must answer READY with ``xrBeginSession``, STOPPING with ``xrEndSession`` and EXITING /
LOSS_PENDING by shutting down. The answer to each state is the pure table ``action_for_state`` so it
is tested without a runtime; ``Session`` only carries the answers out.

On Linux the binding is GLX: it needs the X display, drawable and context current on this thread,
which Panda's windowed ``pandagl`` pipe gives and the headless EGL pipe (tests, CI) does not.
"""

from __future__ import annotations

import ctypes
import enum
import logging
import sys
from collections.abc import Callable

from vbranch.world.xr.instance import Instance, XrUnavailable, describe_xr_error
from vbranch.world.xr.system import System

__all__ = ["SessionAction", "action_for_state", "glx_graphics_binding", "Session"]

log = logging.getLogger(__name__)


class SessionAction(enum.Enum):
    """What the app must do when the session enters a state."""

    NONE = "none"
    BEGIN = "begin"
    END = "end"
    QUIT = "quit"


def action_for_state(state: int) -> SessionAction:
    """READY -> begin, STOPPING -> end, EXITING / LOSS_PENDING -> quit, anything else -> nothing."""
    import xr

    state = xr.SessionState(state)
    if state == xr.SessionState.READY:
        return SessionAction.BEGIN
    if state == xr.SessionState.STOPPING:
        return SessionAction.END
    if state in (xr.SessionState.EXITING, xr.SessionState.LOSS_PENDING):
        return SessionAction.QUIT
    return SessionAction.NONE


def glx_graphics_binding():
    """An ``XrGraphicsBindingOpenGLXlibKHR`` for the GL context current on this thread.

    Raises:
        XrUnavailable: not Linux/X11, or no GLX context is current (e.g. Panda's headless EGL pipe).
    """
    if not sys.platform.startswith("linux"):
        raise XrUnavailable(f"the OpenXR GL binding is implemented for Linux/GLX only, not {sys.platform}")
    try:
        import xr
        from OpenGL import GLX
    except Exception as exc:  # PyOpenGL raises various errors when libGL/GLX is missing
        raise XrUnavailable(f"GLX is not available ({exc})") from exc
    context = GLX.glXGetCurrentContext()
    display = GLX.glXGetCurrentDisplay()
    if not context or not display:
        raise XrUnavailable("VR needs a desktop window with a GLX OpenGL context (the offscreen EGL renderer has none)")
    return xr.GraphicsBindingOpenGLXlibKHR(
        x_display=display, glx_drawable=GLX.glXGetCurrentDrawable(), glx_context=context
    )


class Session:
    """An ``XrSession`` bound to Panda's GL context, following the runtime's state changes.

    Args:
        instance, system: the handles it is created from.
        graphics_binding: from ``glx_graphics_binding()`` (kept alive here; the runtime reads it).
        on_quit: called with a one-line reason when the runtime ends the session for good.
    """

    def __init__(self, instance: Instance, system: System, graphics_binding, on_quit: Callable[[str], None]) -> None:
        import xr

        self.instance = instance
        self.system = system
        self.on_quit = on_quit
        self.state = xr.SessionState.UNKNOWN
        self.running = False
        self.frame_state = xr.FrameState()
        self._binding = graphics_binding
        info = xr.SessionCreateInfo(
            system_id=system.system_id,
            next=ctypes.cast(ctypes.pointer(graphics_binding), ctypes.c_void_p),
        )
        try:
            self.handle = xr.create_session(instance.handle, info)
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc

    @property
    def should_render(self) -> bool:
        """The runtime wants pixels this frame (false while the headset is off the head)."""
        return self.running and bool(self.frame_state.should_render)

    def swapchain_formats(self) -> list[int]:
        import xr

        return [int(f) for f in xr.enumerate_swapchain_formats(self.handle)]

    def poll_events(self) -> None:
        """Drain the runtime's event queue, answering session state changes."""
        import xr

        while True:
            try:
                event = xr.poll_event(self.instance.handle)
            except xr.EventUnavailable:
                return
            kind = xr.StructureType(event.type)
            if kind == xr.StructureType.EVENT_DATA_SESSION_STATE_CHANGED:
                changed = ctypes.cast(ctypes.byref(event), ctypes.POINTER(xr.EventDataSessionStateChanged)).contents
                self.apply_state(xr.SessionState(changed.state))
            elif kind == xr.StructureType.EVENT_DATA_INSTANCE_LOSS_PENDING:
                self.on_quit("the OpenXR runtime is shutting down")
            elif kind == xr.StructureType.EVENT_DATA_EVENTS_LOST:
                log.warning("OpenXR event queue overflowed; some events were lost")
            else:
                log.debug("ignoring OpenXR event %s", kind.name)

    def apply_state(self, state) -> None:
        """Record a new session state and carry out ``action_for_state``."""
        import xr

        log.info("OpenXR session %s -> %s", self.state.name, state.name)
        self.state = state
        action = action_for_state(state)
        if action is SessionAction.BEGIN:
            xr.begin_session(self.handle, xr.SessionBeginInfo(self.system.view_configuration_type))
            self.running = True
        elif action is SessionAction.END:
            self.running = False
            xr.end_session(self.handle)
        elif action is SessionAction.QUIT:
            self.running = False
            self.on_quit(f"the OpenXR session ended ({state.name.lower()})")

    def wait_frame(self) -> None:
        import xr

        self.frame_state = xr.wait_frame(self.handle, xr.FrameWaitInfo())

    def begin_frame(self) -> None:
        import xr

        xr.begin_frame(self.handle, xr.FrameBeginInfo())

    def end_frame(self, layers: list) -> None:
        """Submit ``layers`` (composition layer structs; empty when nothing was rendered)."""
        import xr

        header = ctypes.POINTER(xr.CompositionLayerBaseHeader)
        pointers = [ctypes.cast(ctypes.pointer(layer), header) for layer in layers]
        xr.end_frame(
            self.handle,
            xr.FrameEndInfo(
                display_time=self.frame_state.predicted_display_time,
                environment_blend_mode=xr.EnvironmentBlendMode.OPAQUE,
                layers=pointers,
            ),
        )

    def request_exit(self) -> None:
        """Ask the runtime to stop the session (it answers with STOPPING, then EXITING)."""
        import xr

        if self.running:
            xr.request_exit_session(self.handle)

    def destroy(self) -> None:
        if self.handle is not None:
            import xr

            try:
                xr.destroy_session(self.handle)
            finally:
                self.handle = None
                self.running = False
