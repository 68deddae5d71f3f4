"""``XrMode``: the headset path assembled from the handle modules, for the app to start or fall back from.

Creation order is OpenXR's: instance -> system -> (GL requirements) -> session -> swapchains, spaces,
actions; anything failing on the way raises ``XrUnavailable`` with one readable line after releasing what
was already created, so the CLI can log it once and carry on in desktop mode (or stop, with ``--vr``).

Per frame the ``FrameLoop`` tasks poll events, wait for and begin the frame, locate the eyes (feeding
``EyeCameras.update``, the same code the stereo simulation uses), read the controllers into an
``XrInput`` snapshot, arm the eye buffers so Panda's render draws them into swapchain images, and end
the frame with one projection layer. The app reads ``xr_mode.input`` from its own tasks (sort 0),
which run after the input phase and before the render.

Colour: swapchains are preferably sRGB and GL_FRAMEBUFFER_SRGB stays off, so Panda's (sRGB-valued)
colours reach the headset as they look on the desktop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from vbranch.world.stereo import EyeCameras
from vbranch.world.xr.actions import ActionSet, RawHand
from vbranch.world.xr.frame_loop import FrameLoop
from vbranch.world.xr.input_state import XrInput, next_input
from vbranch.world.xr.instance import Instance, XrUnavailable, describe_xr_error
from vbranch.world.xr.session import Session, glx_graphics_binding
from vbranch.world.xr.space import ReferenceSpace, locate
from vbranch.world.xr.swapchain import Swapchain, pick_format, texture_draw_callback
from vbranch.world.xr.system import System
from vbranch.world.xr.views import EyeView

__all__ = ["XrMode", "XrUnavailable"]

log = logging.getLogger(__name__)


class XrMode:
    """Render the scene to a headset and expose its input; raises ``XrUnavailable`` when it can't.

    Args:
        base: the ShowBase; its window must be a GLX (desktop) window on Linux.
        tracking_origin: node the runtime's STAGE/LOCAL origin maps to (move it to move the user).
        scene: what the eyes render (default: the graph ``tracking_origin`` is in).
        on_quit: called with a reason when the runtime ends the session (default: ``base.userExit``).
    """

    def __init__(self, base, tracking_origin, scene=None, near_m: float = 0.05, far_m: float = 200.0,
                 on_quit: Callable[[str], None] | None = None) -> None:
        self.base = base
        self.input = XrInput()
        self.eye_views: tuple[EyeView, EyeView] | None = None
        self._on_quit = on_quit
        self._armed = False
        self._rendered = [False, False]
        self.instance = self.system = self.session = None
        self.swapchains: list[Swapchain] = []
        self.app_space = self.view_space = self.actions = self.eyes = self.loop = None
        try:
            self._create(base, tracking_origin, scene, near_m, far_m)
        except BaseException:
            self.destroy()
            raise

    def _create(self, base, tracking_origin, scene, near_m: float, far_m: float) -> None:
        import xr
        from panda3d.core import PythonCallbackObject

        self.instance = Instance()
        self.system = System(self.instance)
        gsg = base.win.get_gsg()
        self.system.check_gl_requirements((gsg.get_driver_version_major(), gsg.get_driver_version_minor()))
        self.session = Session(self.instance, self.system, glx_graphics_binding(), self._quit)
        gl_format = pick_format(self.session.swapchain_formats())
        self.swapchains = [Swapchain(self.session, size, gl_format) for size in self.system.eye_sizes]
        self.app_space = ReferenceSpace(self.session)
        self.view_space = ReferenceSpace(self.session, preferred=("VIEW",))
        self.actions = ActionSet(self.instance, self.session)

        # Built through __init__ so each view's structure type is set (a bare ctypes array would be zeros).
        view_type = xr.CompositionLayerProjectionView
        self._layer_views = (view_type * 2)(view_type(), view_type())
        for view, swapchain in zip(self._layer_views, self.swapchains, strict=True):
            swapchain.fill_sub_image(view.sub_image)
        self.layer = xr.CompositionLayerProjection(space=self.app_space.handle, views=self._layer_views)

        self.eyes = EyeCameras(tracking_origin, scene, near_m, far_m, name="xr-eye")
        self.eyes.attach_textures(base, [(s.width_px, s.height_px) for s in self.swapchains])
        for i, region in enumerate(self.eyes.display_regions):
            region.set_draw_callback(PythonCallbackObject(texture_draw_callback(partial(self._render_eye, i))))
        self.eyes.set_active(False)

        self.loop = FrameLoop(lambda: self.session.running, lambda: self.session.should_render)
        for name, fn in (
            ("poll_events", self.session.poll_events),
            ("wait_frame", self.session.wait_frame),
            ("begin_frame", self._begin_frame),
            ("locate_views", self._locate_views),
            ("sync_actions", self._sync_actions),
            ("render", self._arm_eyes),
            ("end_frame", self._end_frame),
        ):
            self.loop.register(name, fn)
        self.loop.install(base.taskMgr)
        log.info("VR mode on %s (%s space)", self.system.name, self.app_space.kind)

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.running

    def _quit(self, reason: str) -> None:
        log.info("leaving VR: %s", reason)
        if self._on_quit is not None:
            self._on_quit(reason)
        else:
            self.base.userExit()

    def _begin_frame(self) -> None:
        self.session.begin_frame()
        self._rendered = [False, False]

    def _locate_views(self) -> None:
        import xr

        time = self.session.frame_state.predicted_display_time
        state, views = xr.locate_views(self.session.handle, xr.ViewLocateInfo(
            view_configuration_type=self.system.view_configuration_type, display_time=time,
            space=self.app_space.handle))
        valid = xr.ViewStateFlags.POSITION_VALID_BIT | xr.ViewStateFlags.ORIENTATION_VALID_BIT
        if (state.view_state_flags & valid) != valid or len(views) != 2:
            self.eye_views = None
            return
        eye_views = []
        for layer_view, view in zip(self._layer_views, views, strict=True):
            layer_view.pose = view.pose
            layer_view.fov = view.fov
            p, q = view.pose.position, view.pose.orientation
            eye_views.append(EyeView.from_xr((p.x, p.y, p.z), (q.x, q.y, q.z, q.w), view.fov))
        self.eye_views = (eye_views[0], eye_views[1])
        self.eyes.update(self.eye_views)

    def _sync_actions(self) -> None:
        time = self.session.frame_state.predicted_display_time
        head = locate(self.view_space.handle, self.app_space.handle, time)
        if self.actions.sync():
            hands = [self.actions.read_hand(i, self.app_space.handle, time) for i in (0, 1)]
        else:  # not focused (a system menu is up): report no buttons so nothing fires underneath
            hands = [RawHand(), RawHand()]
        self.input = next_input(head, hands[0], hands[1], self.input)

    def _arm_eyes(self) -> None:
        self._armed = self.eye_views is not None
        self.eyes.set_active(self._armed)

    def _render_eye(self, index: int, draw) -> bool:
        if not self._armed:
            return False
        self._rendered[index] = self.swapchains[index].render(draw)
        return True

    def _end_frame(self) -> None:
        layers = [self.layer] if self._armed and all(self._rendered) else []
        self._armed = False
        self.eyes.set_active(False)
        self.session.end_frame(layers)

    def destroy(self) -> None:
        """Stop the tasks and destroy everything created, newest first (safe after a failed start)."""
        if self.loop is not None:
            self.loop.uninstall()
            self.loop = None
        if self.eyes is not None:
            self.eyes.destroy()
            self.eyes = None
        parts = [self.actions, self.view_space, self.app_space, *reversed(self.swapchains), self.session,
                 self.system, self.instance]
        for part in parts:
            if part is None:
                continue
            try:
                part.destroy()
            except Exception as exc:  # keep tearing down; the instance's destruction frees the rest anyway
                log.warning("destroying %s failed: %s", type(part).__name__, describe_xr_error(exc))
        self.actions = self.view_space = self.app_space = self.session = self.system = self.instance = None
        self.swapchains = []

