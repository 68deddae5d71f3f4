"""Swapchain format choice, and the draw callback that renders an eye into a foreign GL texture."""

from __future__ import annotations

import numpy as np
import pytest
from panda3d.core import PythonCallbackObject

from vbranch.world.geom import MeshBuilder
from vbranch.world.stereo import EyeCameras
from vbranch.world.xr.instance import XrUnavailable
from vbranch.world.xr.swapchain import GL_RGBA8, GL_SRGB8_ALPHA8, pick_format, texture_draw_callback
from vbranch.world.xr.views import simulated_eyes

GL_RGBA16F = 0x881A
GL_SRGB8 = 0x8C41


def texture_pixels(base, texture, size: int) -> np.ndarray:
    if not texture.has_ram_image():
        assert base.graphicsEngine.extract_texture_data(texture, base.win.get_gsg())
    return np.frombuffer(bytes(texture.get_ram_image_as("RGBA")), np.uint8).reshape(size, size, 4)


def test_srgb_rgba_is_preferred_whatever_the_runtime_order():
    assert pick_format([GL_RGBA16F, GL_RGBA8, GL_SRGB8_ALPHA8]) == GL_SRGB8_ALPHA8


def test_rgba8_is_taken_when_srgb_is_missing():
    assert pick_format([GL_RGBA16F, GL_RGBA8]) == GL_RGBA8


def test_no_usable_format_is_a_readable_xr_unavailable():
    with pytest.raises(XrUnavailable, match="0x881a"):
        pick_format([GL_RGBA16F, GL_SRGB8])


@pytest.mark.parametrize("to_ram", [True, False], ids=["renderbuffer", "bound-texture"])
def test_draw_callback_renders_the_eye_into_the_supplied_gl_texture(base, scene, to_ram):
    """A GL texture we own stands in for a swapchain image: the eye must land in it, not in Panda's.

    Panda attaches a renderbuffer when copying to RAM and its texture otherwise; both are restored.
    """
    from OpenGL import GL

    size = 64
    head = scene.attach_new_node("head")
    builder = MeshBuilder()
    builder.add_box((0.0, 3.0, 0.0), (4.0, 0.2, 4.0), (0.0, 1.0, 0.0, 1.0))  # fills the view
    head.attach_new_node(builder.node("wall")).set_light_off()
    eyes = EyeCameras(head, scene=scene)
    calls = []
    read_back = {}

    def target(draw) -> bool:
        texture_id = int(GL.glGenTextures(1))
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture_id)
        GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, size, size, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None)
        GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
        draw(texture_id)
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture_id)
        data = GL.glGetTexImage(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE)
        GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
        GL.glDeleteTextures([texture_id])
        read_back["pixels"] = np.frombuffer(bytes(data), np.uint8).reshape(size, size, 4)
        calls.append(texture_id)
        return True

    try:
        eyes.update(simulated_eyes())
        textures = eyes.attach_textures(base, (size, size), to_ram=to_ram, clear_rgba=(0.0, 0.0, 1.0, 1.0))
        eyes.display_regions[0].set_draw_callback(PythonCallbackObject(texture_draw_callback(target)))
        base.graphicsEngine.render_frame()
        base.graphicsEngine.render_frame()
        panda_left, panda_right = (texture_pixels(base, tex, size) for tex in textures)
    finally:
        eyes.destroy()
    assert len(calls) == 2
    centre = read_back["pixels"][size // 2, size // 2]
    assert centre[1] > 200 and centre[0] < 50 and centre[2] < 50, f"wall not drawn into the target: {centre}"
    # Panda's own left texture only saw its clear (blue); the untouched right eye drew the wall itself.
    assert panda_left[size // 2, size // 2, 1] < 50
    assert panda_right[size // 2, size // 2, 1] > 200


def test_draw_callback_falls_back_to_panda_texture_when_no_image(base, scene):
    head = scene.attach_new_node("head")
    builder = MeshBuilder()
    builder.add_box((0.0, 3.0, 0.0), (4.0, 0.2, 4.0), (0.0, 1.0, 0.0, 1.0))
    head.attach_new_node(builder.node("wall")).set_light_off()
    eyes = EyeCameras(head, scene=scene)
    try:
        eyes.update(simulated_eyes())
        textures = eyes.attach_textures(base, (32, 32), to_ram=True)
        eyes.display_regions[0].set_draw_callback(PythonCallbackObject(texture_draw_callback(lambda draw: False)))
        base.graphicsEngine.render_frame()
        pixels = np.frombuffer(bytes(textures[0].get_ram_image_as("RGBA")), np.uint8).reshape(32, 32, 4)
    finally:
        eyes.destroy()
    assert pixels[16, 16, 1] > 200
