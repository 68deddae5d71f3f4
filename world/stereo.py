"""Two eye cameras: the one per-eye rendering path shared by the headset and ``--stereo-sim``.

Each eye is a Panda ``Camera`` with a ``MatrixLens`` fed OpenXR's asymmetric frustum
(``views.lens_user_matrix``) and placed at its ``EyeView`` pose under a head (or tracking-origin) node.
Only the output differs: ``attach_side_by_side`` shows both eyes on one desktop window (the
simulation), ``attach_textures`` renders each eye into an offscreen texture buffer (the XR path, where
a draw callback redirects it into the runtime's swapchain image). Because both targets use the same
cameras and the same ``update``, what a developer sees in the simulation is what the headset gets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from panda3d.core import Camera, Mat4, MatrixLens, NodePath, Texture

from vbranch.world.xr.views import EyeView, lens_user_matrix, pose_matrix

__all__ = ["EyeCameras", "EYE_NAMES"]

log = logging.getLogger(__name__)

EYE_NAMES = ("left", "right")


def _mat4(rows) -> Mat4:
    return Mat4(*(float(v) for v in rows.ravel()))


class EyeCameras:
    """A left and a right camera under ``parent``, poses and lenses set from ``EyeView`` values.

    Args:
        parent: the node eye poses are relative to (the head for the simulation, the tracking origin in XR).
        scene: what the eyes render; None renders the scene graph ``parent`` belongs to.
        near_m, far_m: clip distances in metres.
    """

    def __init__(self, parent: NodePath, scene: NodePath | None = None, near_m: float = 0.05,
                 far_m: float = 200.0, name: str = "eye") -> None:
        if not 0 < near_m < far_m:
            raise ValueError(f"need 0 < near_m < far_m, got {near_m}, {far_m}")
        self.near_m = near_m
        self.far_m = far_m
        self.cameras: list[NodePath] = []
        for side in EYE_NAMES:
            node = Camera(f"{name}-{side}", MatrixLens())
            if scene is not None:
                node.set_scene(scene)
            self.cameras.append(parent.attach_new_node(node))
        self.display_regions: list = []
        self.buffers: list = []
        self.textures: list[Texture] = []
        self._windows: list = []
        self._engine = None

    def update(self, eyes: Sequence[EyeView]) -> None:
        """Set both eyes' lenses and transforms; call once per frame before rendering."""
        if len(eyes) != 2:
            raise ValueError(f"need two eye views, got {len(eyes)}")
        for cam, eye in zip(self.cameras, eyes, strict=True):
            cam.node().get_lens().set_user_mat(_mat4(lens_user_matrix(eye.fov, self.near_m, self.far_m)))
            cam.set_mat(_mat4(pose_matrix(eye.pose_position, eye.pose_orientation)))

    def attach_side_by_side(self, win, sort: int = 10, clear_rgba: Sequence[float] | None = None) -> list:
        """Left eye on the left half of ``win``, right eye on the right half (the stereo simulation).

        The regions clear colour and depth themselves, so whatever drew underneath (the desktop camera)
        can't leak through; deactivate that camera to save its render.
        """
        clear = tuple(clear_rgba) if clear_rgba is not None else tuple(win.get_clear_color())
        for i, cam in enumerate(self.cameras):
            dr = win.make_display_region(0.5 * i, 0.5 * (i + 1), 0.0, 1.0)
            dr.set_sort(sort)
            dr.set_camera(cam)
            dr.set_clear_color_active(True)
            dr.set_clear_color(clear)
            dr.set_clear_depth_active(True)
            self.display_regions.append(dr)
            self._windows.append(win)
        return list(self.display_regions[-2:])

    def attach_textures(self, base, size_px: tuple[int, int] | Sequence[tuple[int, int]], to_ram: bool = False,
                        clear_rgba: Sequence[float] = (0.0, 0.0, 0.0, 1.0)) -> list[Texture]:
        """Render each eye into its own offscreen texture buffer (the XR path); returns the textures.

        Args:
            base: the ShowBase (its window owns the GL context the buffers share).
            size_px: (width, height) for both eyes, or one per eye (runtimes may differ per eye).
            to_ram: also copy each frame to RAM (tests read pixels; XR doesn't need it).
        """
        sizes = [tuple(size_px)] * 2 if isinstance(size_px[0], int) else [tuple(s) for s in size_px]
        self._engine = base.graphicsEngine
        for side, cam, (width, height) in zip(EYE_NAMES, self.cameras, sizes, strict=True):
            texture = Texture(f"eye-{side}")
            buffer = base.win.make_texture_buffer(f"eye-{side}", int(width), int(height), texture, to_ram)
            if buffer is None:
                raise RuntimeError(f"could not create a {width}x{height} offscreen buffer for the {side} eye")
            buffer.set_sort(-100)
            buffer.set_clear_color(tuple(clear_rgba))
            buffer.set_clear_color_active(True)
            buffer.set_clear_depth_active(True)
            dr = buffer.make_display_region(0, 1, 0, 1)
            dr.set_camera(cam)
            self.display_regions.append(dr)
            self._windows.append(buffer)
            self.buffers.append(buffer)
            self.textures.append(texture)
        return list(self.textures)

    def set_active(self, active: bool) -> None:
        """Pause or resume rendering of both eyes (e.g. while the headset is off the head)."""
        for dr in self.display_regions:
            dr.set_active(active)

    def destroy(self) -> None:
        """Remove display regions, offscreen buffers and the camera nodes."""
        for win, dr in zip(self._windows, self.display_regions, strict=True):
            win.remove_display_region(dr)
        for buffer in self.buffers:
            self._engine.remove_window(buffer)
        self.display_regions, self._windows, self.buffers, self.textures = [], [], [], []
        for cam in self.cameras:
            cam.remove_node()
        self.cameras = []
