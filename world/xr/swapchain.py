"""Per-eye swapchains and the GL hook that makes Panda draw an eye straight into a swapchain image.

Panda renders each eye into its own offscreen texture buffer (``EyeCameras.attach_textures``). A
draw callback on that buffer's display region swaps the bound framebuffer's colour attachment to the
runtime's image for this frame, lets Panda draw (``cbdata.upcall()``), then puts Panda's own texture
back, so no copy is made and Panda's bookkeeping never sees the swap.

Format: SteamVR on Linux offers only sRGB formats, so GL_SRGB8_ALPHA8 is preferred, then RGBA8.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from vbranch.world.xr.instance import XrUnavailable, describe_xr_error
from vbranch.world.xr.system import EyeImageSize

__all__ = [
    "GL_SRGB8_ALPHA8",
    "GL_RGBA8",
    "PREFERRED_FORMATS",
    "pick_format",
    "Swapchain",
    "draw_into_texture",
    "texture_draw_callback",
]

log = logging.getLogger(__name__)

GL_SRGB8_ALPHA8 = 0x8C43
GL_RGBA8 = 0x8058
PREFERRED_FORMATS = (GL_SRGB8_ALPHA8, GL_RGBA8)

# draw(texture_id) renders the eye into that GL texture; a target calls it (or not) and says if it did.
DrawInto = Callable[[int], None]
Target = Callable[[DrawInto], bool]


def pick_format(runtime_formats: Sequence[int], preferred: Sequence[int] = PREFERRED_FORMATS) -> int:
    """The first of ``preferred`` the runtime offers (runtimes list theirs best-first, we keep our order).

    Raises:
        XrUnavailable: none of the formats we can render to is offered.
    """
    offered = {int(f) for f in runtime_formats}
    for fmt in preferred:
        if fmt in offered:
            return fmt
    listed = ", ".join(hex(int(f)) for f in runtime_formats) or "none"
    raise XrUnavailable(f"the headset offers no 8-bit RGBA swapchain format (offered: {listed})")


class Swapchain:
    """One eye's ring of runtime-owned GL textures."""

    def __init__(self, session, size: EyeImageSize, gl_format: int) -> None:
        import xr

        self.width_px = size.width_px
        self.height_px = size.height_px
        self.gl_format = gl_format
        info = xr.SwapchainCreateInfo(
            usage_flags=xr.SwapchainUsageFlags.COLOR_ATTACHMENT_BIT | xr.SwapchainUsageFlags.SAMPLED_BIT,
            format=gl_format,
            sample_count=1,
            width=self.width_px,
            height=self.height_px,
            face_count=1,
            array_size=1,
            mip_count=1,
        )
        try:
            self.handle = xr.create_swapchain(session.handle, info)
            images = xr.enumerate_swapchain_images(self.handle, xr.SwapchainImageOpenGLKHR)
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc
        self.texture_ids = [int(image.image) for image in images]

    def render(self, draw: DrawInto) -> bool:
        """Acquire and wait for the next image, ``draw`` into its GL texture id, release it (always)."""
        import xr

        index = xr.acquire_swapchain_image(self.handle, xr.SwapchainImageAcquireInfo())
        xr.wait_swapchain_image(self.handle, xr.SwapchainImageWaitInfo(timeout=xr.INFINITE_DURATION))
        try:
            draw(self.texture_ids[index])
        finally:
            xr.release_swapchain_image(self.handle, xr.SwapchainImageReleaseInfo())
        return True

    def fill_sub_image(self, sub_image) -> None:
        """Point a composition layer view's ``sub_image`` at this whole swapchain."""
        sub_image.swapchain = self.handle
        sub_image.image_rect.offset.x = 0
        sub_image.image_rect.offset.y = 0
        sub_image.image_rect.extent.width = self.width_px
        sub_image.image_rect.extent.height = self.height_px
        sub_image.image_array_index = 0

    def destroy(self) -> None:
        if self.handle is not None:
            import xr

            try:
                xr.destroy_swapchain(self.handle)
            finally:
                self.handle = None
                self.texture_ids = []


def draw_into_texture(cbdata, texture_id: int) -> None:
    """Inside a Panda draw callback: draw the region into ``texture_id`` instead of Panda's texture.

    Panda already cleared its own attachment before calling us, so the clear is repeated on the new
    target with the clear colour Panda just set; depth/colour write masks are restored afterwards so
    Panda's cached GL state stays true.
    """
    from OpenGL import GL

    target, attachment = GL.GL_DRAW_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0
    previous_type = int(GL.glGetFramebufferAttachmentParameteriv(
        target, attachment, GL.GL_FRAMEBUFFER_ATTACHMENT_OBJECT_TYPE))
    previous = int(GL.glGetFramebufferAttachmentParameteriv(
        target, attachment, GL.GL_FRAMEBUFFER_ATTACHMENT_OBJECT_NAME))
    GL.glFramebufferTexture2D(target, attachment, GL.GL_TEXTURE_2D, texture_id, 0)
    try:
        depth_mask = GL.glGetBooleanv(GL.GL_DEPTH_WRITEMASK)
        color_mask = GL.glGetBooleanv(GL.GL_COLOR_WRITEMASK)
        GL.glDepthMask(GL.GL_TRUE)
        GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
        GL.glDepthMask(bool(depth_mask))
        GL.glColorMask(*(bool(c) for c in color_mask))
        cbdata.upcall()
    finally:
        # Panda renders into a texture (bind mode) or a renderbuffer (copy-to-RAM mode): put back whichever.
        if previous_type == GL.GL_RENDERBUFFER:
            GL.glFramebufferRenderbuffer(target, attachment, GL.GL_RENDERBUFFER, previous)
        else:
            GL.glFramebufferTexture2D(target, attachment, GL.GL_TEXTURE_2D, previous, 0)


def texture_draw_callback(target: Target) -> Callable[[object], None]:
    """A display-region draw callback that renders into whatever texture ``target`` supplies this frame.

    ``target(draw)`` calls ``draw(texture_id)`` when it has an image (a swapchain's ``render``) and
    returns True; when it returns False the region draws normally into Panda's own texture.
    Wrap the result in ``PythonCallbackObject`` for ``DisplayRegion.set_draw_callback``.
    """

    def callback(cbdata) -> None:
        if not target(lambda texture_id: draw_into_texture(cbdata, texture_id)):
            cbdata.upcall()

    return callback
