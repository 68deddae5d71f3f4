"""The headset ("system") and its stereo view configuration: how big each eye's image should be.

``xrGetSystem`` fails with FORM_FACTOR_UNAVAILABLE when the runtime is installed but no headset is
plugged in, the most common classroom case, so that becomes a readable ``XrUnavailable``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vbranch.world.xr.instance import Instance, XrUnavailable, describe_xr_error

__all__ = ["EyeImageSize", "System"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EyeImageSize:
    """The runtime's recommended (and maximum) per-eye image size in pixels."""

    width_px: int
    height_px: int
    max_width_px: int
    max_height_px: int
    sample_count: int


class System:
    """A head-mounted display with the primary stereo view configuration."""

    def __init__(self, instance: Instance) -> None:
        import xr

        self.instance = instance
        self.view_configuration_type = xr.ViewConfigurationType.PRIMARY_STEREO
        try:
            self.system_id = xr.get_system(
                instance.handle, xr.SystemGetInfo(form_factor=xr.FormFactor.HEAD_MOUNTED_DISPLAY)
            )
            configs = xr.enumerate_view_configurations(instance.handle, self.system_id)
            if self.view_configuration_type not in configs:
                raise XrUnavailable("the headset offers no stereo view configuration")
            views = xr.enumerate_view_configuration_views(
                instance.handle, self.system_id, self.view_configuration_type
            )
            props = xr.get_system_properties(instance.handle, self.system_id)
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc
        name = props.system_name
        self.name = name.decode() if isinstance(name, bytes) else str(name)
        self.eye_sizes = tuple(
            EyeImageSize(
                int(v.recommended_image_rect_width),
                int(v.recommended_image_rect_height),
                int(v.max_image_rect_width),
                int(v.max_image_rect_height),
                max(1, int(v.recommended_swapchain_sample_count)),
            )
            for v in views
        )
        if len(self.eye_sizes) != 2:
            raise XrUnavailable(f"expected two eyes, the headset reports {len(self.eye_sizes)} views")
        log.info("headset %s: %d x %d px per eye", self.name, self.eye_sizes[0].width_px, self.eye_sizes[0].height_px)

    def check_gl_requirements(self, gl_version: tuple[int, int]) -> None:
        """xrGetOpenGLGraphicsRequirementsKHR must be called before a session; also check the GL version."""
        import xr

        try:
            req = xr.get_opengl_graphics_requirements_khr(self.instance.handle, self.system_id)
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc
        minimum = xr.Version(req.min_api_version_supported)
        if gl_version < (minimum.major, minimum.minor):
            raise XrUnavailable(
                f"the headset needs OpenGL {minimum.major}.{minimum.minor}, this context is "
                f"{gl_version[0]}.{gl_version[1]}"
            )

    def destroy(self) -> None:
        """Systems are not handles in OpenXR; this drops the reference so the instance can go."""
        self.instance = None  # type: ignore[assignment]
