"""The comfort vignette grows with artificial motion and darkens only the edge of the view."""

from __future__ import annotations

import numpy as np
import pytest

from vbranch.world.comfort import VignetteOverlay, VignetteParams, radial_alpha, vignette_strength
from vbranch.world.geom import MeshBuilder
from vbranch.world.stereo import EyeCameras
from vbranch.world.xr.views import simulated_eyes


def test_standing_still_has_no_vignette():
    assert vignette_strength(0.0, 0.0) == 0.0
    assert vignette_strength(0.2, 10.0) == 0.0  # head-sway speeds stay clear


def test_fast_walking_or_turning_reaches_the_maximum():
    params = VignetteParams(max_strength=0.8)
    assert vignette_strength(3.0, 0.0, params) == pytest.approx(0.8)
    assert vignette_strength(0.0, -120.0, params) == pytest.approx(0.8)


def test_strength_grows_monotonically_with_speed():
    values = [vignette_strength(v, 0.0) for v in np.linspace(0, 3, 31)]
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))
    assert 0 < vignette_strength(1.4, 0.0) < vignette_strength(2.0, 0.0)


def test_the_more_provocative_motion_wins():
    assert vignette_strength(0.5, 60.0) == pytest.approx(vignette_strength(0.0, 60.0))


def test_bad_params_are_rejected():
    with pytest.raises(ValueError):
        VignetteParams(start_linear_mps=3.0, full_linear_mps=1.0)


def test_radial_alpha_is_clear_in_the_middle_and_opaque_in_the_corners():
    alpha = radial_alpha(64)
    assert alpha[32, 32] == 0.0
    assert alpha[0, 0] == pytest.approx(1.0)


def _render_eye(base, scene, strength: float) -> np.ndarray:
    head = scene.attach_new_node("head")
    wall = MeshBuilder()
    wall.add_box((0.0, 3.0, 0.0), (10.0, 0.2, 10.0), (1.0, 1.0, 1.0, 1.0))
    head.attach_new_node(wall.node("wall")).set_light_off()
    eyes = EyeCameras(head, scene=scene)
    overlay = VignetteOverlay.for_cameras(eyes.cameras, eyes.near_m)
    try:
        eyes.update(simulated_eyes())
        textures = eyes.attach_textures(base, (64, 64), to_ram=True)
        overlay.set_strength(strength)
        base.graphicsEngine.render_frame()
        data = np.frombuffer(bytes(textures[0].get_ram_image_as("RGBA")), np.uint8)
        return data.reshape(64, 64, 4)[..., :3].mean(axis=2)
    finally:
        overlay.destroy()
        eyes.destroy()
        head.remove_node()


def test_the_overlay_darkens_the_edges_in_proportion_and_leaves_the_centre(base, scene):
    clear = _render_eye(base, scene, 0.0)
    half = _render_eye(base, scene, 0.5)
    full = _render_eye(base, scene, 1.0)
    assert clear[32, 32] > 240 and clear[1, 1] > 240
    assert full[32, 32] > 240 and half[32, 32] > 240
    assert full[1, 1] < 20
    assert 100 < half[1, 1] < 160
