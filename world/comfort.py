"""Comfort vignette: darken the edge of vision while the viewpoint moves artificially.

Vection (seeing motion the inner ear doesn't feel) is what makes VR locomotion sickening; narrowing the
field of view during artificial motion is the standard remedy. ``vignette_strength`` is the rule (pure);
``VignetteOverlay`` only shows it, on a radial alpha card in front of each eye camera (VR and the stereo
simulation) or over ``render2d`` (desktop).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["VignetteParams", "vignette_strength", "radial_alpha", "VignetteOverlay"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VignetteParams:
    """Speeds where the vignette starts and where it reaches ``max_strength`` (linear or turning)."""

    start_linear_mps: float = 0.3
    full_linear_mps: float = 2.5
    start_angular_dps: float = 15.0
    full_angular_dps: float = 90.0
    max_strength: float = 0.9

    def __post_init__(self) -> None:
        linear_ok = 0 <= self.start_linear_mps < self.full_linear_mps
        if not (linear_ok and 0 <= self.start_angular_dps < self.full_angular_dps):
            raise ValueError(f"each start speed must be below its full speed: {self}")
        if not 0 <= self.max_strength <= 1:
            raise ValueError(f"max_strength must be in 0..1, got {self.max_strength}")


def _ramp(value: float, start: float, full: float) -> float:
    t = min(max((abs(value) - start) / (full - start), 0.0), 1.0)
    return t * t * (3 - 2 * t)  # smoothstep: no visible pop at either end


def vignette_strength(linear_speed_mps: float, angular_speed_dps: float,
                      params: VignetteParams = VignetteParams()) -> float:
    """0 (no vignette) .. ``max_strength``, driven by whichever motion is more provocative."""
    linear = _ramp(linear_speed_mps, params.start_linear_mps, params.full_linear_mps)
    angular = _ramp(angular_speed_dps, params.start_angular_dps, params.full_angular_dps)
    return max(linear, angular) * params.max_strength


def radial_alpha(size_px: int = 128, inner: float = 0.55, outer: float = 1.0) -> np.ndarray:
    """(size, size) float alpha: 0 inside radius ``inner``, 1 beyond ``outer`` (radii in half-widths)."""
    coords = (np.arange(size_px) + 0.5) / size_px * 2 - 1
    r = np.hypot(*np.meshgrid(coords, coords))
    t = np.clip((r - inner) / (outer - inner), 0.0, 1.0)
    return t * t * (3 - 2 * t)


class VignetteOverlay:
    """Black cards whose alpha is a radial gradient times the current strength.

    Use ``for_cameras`` for eye cameras (a card just beyond the near plane, large enough to cover a
    wide fov) or ``for_render2d`` for the desktop window.
    """

    def __init__(self, parents: Sequence, distance_m: float | None, half_size: float, size_px: int = 128) -> None:
        from panda3d.core import CardMaker, Texture, TransparencyAttrib

        alpha = radial_alpha(size_px)
        pixels = np.zeros((size_px, size_px, 4), np.uint8)  # BGRA: black, alpha from the gradient
        pixels[..., 3] = np.round(alpha * 255).astype(np.uint8)
        self.texture = Texture("comfort-vignette")
        self.texture.setup_2d_texture(size_px, size_px, Texture.T_unsigned_byte, Texture.F_rgba8)
        self.texture.set_ram_image(pixels.tobytes())
        self.texture.set_wrap_u(Texture.WM_clamp)
        self.texture.set_wrap_v(Texture.WM_clamp)
        maker = CardMaker("comfort-vignette")
        maker.set_frame(-half_size, half_size, -half_size, half_size)
        self.cards = []
        for parent in parents:
            card = parent.attach_new_node(maker.generate())
            if distance_m is not None:
                card.set_pos(0, distance_m, 0)
            card.set_texture(self.texture)
            card.set_transparency(TransparencyAttrib.M_alpha)
            card.set_bin("fixed", 100)
            card.set_depth_test(False)
            card.set_depth_write(False)
            card.set_light_off()
            self.cards.append(card)
        self.strength = 0.0
        self.set_strength(0.0)

    @classmethod
    def for_cameras(cls, cameras: Sequence, near_m: float, max_half_fov_deg: float = 60.0) -> VignetteOverlay:
        """One card per eye camera at 1.5x the near distance, covering ``max_half_fov_deg`` each side."""
        distance = near_m * 1.5
        half = distance * float(np.tan(np.radians(max_half_fov_deg))) * 1.05
        return cls(cameras, distance, half)

    @classmethod
    def for_render2d(cls, render2d) -> VignetteOverlay:
        return cls([render2d], None, 1.0)

    def set_strength(self, strength: float) -> None:
        """Show the vignette at ``strength`` (0..1); hidden entirely at 0 so it costs nothing."""
        self.strength = min(max(float(strength), 0.0), 1.0)
        for card in self.cards:
            if self.strength <= 0.0:
                card.hide()
            else:
                card.show()
                card.set_color_scale(1, 1, 1, self.strength)

    def destroy(self) -> None:
        for card in self.cards:
            card.remove_node()
        self.cards = []
