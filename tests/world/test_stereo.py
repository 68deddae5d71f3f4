"""EyeCameras renders each eye where its OpenXR fov says, on a window or into textures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from panda3d.core import CS_yup_right, CS_zup_right, Mat4

from vbranch.world.geom import MeshBuilder
from vbranch.world.stereo import EyeCameras
from vbranch.world.xr.views import EyeView, Fov, lens_user_matrix, projection_matrix, simulated_eyes

ASYMMETRIC = Fov.from_degrees(-30.0, 50.0, 40.0, -20.0)
IDENTITY = (1.0, 0.0, 0.0, 0.0)


def rgba_of(texture) -> np.ndarray:
    """Top-row-first RGBA uint8 pixels of a texture with a RAM image."""
    data = np.frombuffer(bytes(texture.get_ram_image_as("RGBA")), np.uint8)
    return data.reshape(texture.get_y_size(), texture.get_x_size(), 4)[::-1]


def red_centroid(pixels: np.ndarray) -> tuple[float, float]:
    """Centroid (column, row) of the strongly red pixels, in pixel units."""
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
    assert red.any(), "the red box is not in the image"
    rows, cols = np.nonzero(red)
    return float(cols.mean()), float(rows.mean())


def expected_pixel(fov: Fov, width: int, height: int) -> tuple[float, float]:
    """Where straight ahead lands in a width x height image, from the fov alone."""
    cx, cy = fov.centre_ndc()
    return (cx + 1) / 2 * width, (1 - cy) / 2 * height


@pytest.fixture
def head(scene):
    node = scene.attach_new_node("head")
    node.set_pos(0, 0, 1.6)
    return node


def add_box_ahead(scene, head, eye: EyeView, distance_m: float = 3.0, size_m: float = 0.3) -> None:
    """A red box straight ahead of ``eye`` (eye poses are relative to ``head``, which looks along +Y)."""
    builder = MeshBuilder()
    x, y, z = eye.pose_position
    builder.add_box((x, y + distance_m, z), (size_m, size_m, size_m), (1.0, 0.0, 0.0, 1.0))
    box = head.attach_new_node(builder.node("box"))
    box.set_light_off()


def test_lens_user_matrix_is_panda_conversion_times_transposed_projection():
    fov = ASYMMETRIC
    expected = Mat4.convert_mat(CS_zup_right, CS_yup_right) * Mat4(*projection_matrix(fov, 0.1, 50.0).T.ravel())
    ours = lens_user_matrix(fov, 0.1, 50.0)
    for row in range(4):
        for col in range(4):
            assert ours[row, col] == pytest.approx(expected.get_cell(row, col), abs=1e-6)


def test_side_by_side_puts_a_box_ahead_of_the_left_eye_at_its_fov_centre(base, scene, head):
    left = EyeView((-0.0315, 0.0, 0.0), IDENTITY, ASYMMETRIC)
    right = EyeView((0.0315, 0.0, 0.0), IDENTITY, Fov.from_degrees(-50.0, 30.0, 40.0, -20.0))
    eyes = EyeCameras(head, scene=scene)
    try:
        eyes.update((left, right))
        add_box_ahead(scene, head, left)
        eyes.attach_side_by_side(base.win, clear_rgba=(0, 0, 0, 1))
        base.graphicsEngine.render_frame()
        base.graphicsEngine.render_frame()
        pixels = rgba_of(base.win.get_screenshot())
    finally:
        eyes.destroy()
    height, width = pixels.shape[:2]
    half = width // 2
    col, row = red_centroid(pixels[:, :half])
    want_col, want_row = expected_pixel(ASYMMETRIC, half, height)
    assert col == pytest.approx(want_col, abs=3)
    assert row == pytest.approx(want_row, abs=3)
    assert abs(want_col - half / 2) > 20, "the test fov must be visibly off-centre"


def test_texture_targets_render_each_eye_at_its_fov_centre(base, scene, head):
    left, right = simulated_eyes(fov_deg=(-30.0, 50.0, 40.0, -20.0))
    eyes = EyeCameras(head, scene=scene)
    try:
        eyes.update((left, right))
        add_box_ahead(scene, head, left)
        textures = eyes.attach_textures(base, (96, 80), to_ram=True)
        base.graphicsEngine.render_frame()
        base.graphicsEngine.render_frame()
        col, row = red_centroid(rgba_of(textures[0]))
        right_pixels = rgba_of(textures[1])
    finally:
        eyes.destroy()
    want_col, want_row = expected_pixel(left.fov, 96, 80)
    assert col == pytest.approx(want_col, abs=2)
    assert row == pytest.approx(want_row, abs=2)
    # The right eye sits one IPD to the right, so the same box appears left of its centre.
    right_col, _ = red_centroid(right_pixels)
    assert right_col < want_col


def test_eye_cameras_sit_at_their_pose_relative_to_the_head(scene, head):
    left, right = simulated_eyes(ipd_m=0.064, head_quat=(math.cos(math.pi / 8), 0.0, 0.0, math.sin(math.pi / 8)))
    eyes = EyeCameras(head, scene=scene)
    try:
        eyes.update((left, right))
        for cam, eye in zip(eyes.cameras, (left, right), strict=True):
            assert tuple(cam.get_pos(head)) == pytest.approx(eye.pose_position, abs=1e-6)
            assert tuple(cam.get_quat(head)) == pytest.approx(eye.pose_orientation, abs=1e-6)
        assert (eyes.cameras[1].get_pos() - eyes.cameras[0].get_pos()).length() == pytest.approx(0.064, abs=1e-6)
    finally:
        eyes.destroy()


def test_destroy_removes_regions_buffers_and_cameras(base, scene, head):
    regions_before = base.win.get_num_display_regions()
    windows_before = base.graphicsEngine.get_num_windows()
    eyes = EyeCameras(head, scene=scene)
    eyes.attach_side_by_side(base.win)
    eyes.attach_textures(base, (32, 32))
    eyes.destroy()
    assert base.win.get_num_display_regions() == regions_before
    assert base.graphicsEngine.get_num_windows() == windows_before
    assert head.get_num_children() == 0
