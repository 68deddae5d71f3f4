"""Per-eye view maths shared by the OpenXR path and the desktop stereo simulation (pure numpy).

OpenXR describes each eye by a pose in its reference space (Y up, -Z forward, right-handed, metres) and
four field-of-view angles; Panda3D is Z up, +Y forward and multiplies row vectors (``p' = p · M``).
Everything that converts between the two lives here, once, so the headset and ``--stereo-sim`` can't
drift apart and every number can be tested without a runtime or a GPU.

Conventions:
    * ``Fov`` angles are radians, left/down negative, exactly as in ``XrFovf``.
    * ``projection_matrix`` is OpenXR's asymmetric GL frustum for column vectors (clip = P @ v) in the
      OpenXR view space.
    * Quaternions are ``(w, x, y, z)`` tuples, the order ``LQuaternion(r, i, j, k)`` takes.
    * ``EyeView`` poses are in Panda coordinates, relative to the node the eye cameras hang under.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Fov",
    "EyeView",
    "projection_matrix",
    "lens_user_matrix",
    "xr_to_panda_position",
    "xr_to_panda_quat",
    "panda_to_xr_position",
    "panda_to_xr_quat",
    "quat_to_rotation",
    "pose_matrix",
    "symmetric_fov_deg",
    "simulated_eyes",
]

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]

IDENTITY_QUAT: Quat = (1.0, 0.0, 0.0, 0.0)

# Row-vector matrix taking Panda's Z-up right-handed coordinates to Y-up right-handed (OpenXR/GL) ones:
# (x, y, z)_panda -> (x, z, -y)_xr. Equal to Panda's Mat4.convert_mat(CS_zup_right, CS_yup_right).
ZUP_TO_YUP_ROWS = np.array(
    [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)


@dataclass(frozen=True)
class Fov:
    """An eye's field of view in radians, as OpenXR reports it (left and down are negative)."""

    angle_left: float
    angle_right: float
    angle_up: float
    angle_down: float

    def __post_init__(self) -> None:
        if not self.angle_left < self.angle_right or not self.angle_down < self.angle_up:
            raise ValueError(f"empty field of view: {self}")
        if max(abs(a) for a in (self.angle_left, self.angle_right, self.angle_up, self.angle_down)) >= math.pi / 2:
            raise ValueError(f"each fov angle must be under 90 degrees: {self}")

    @classmethod
    def from_degrees(cls, left_deg: float, right_deg: float, up_deg: float, down_deg: float) -> Fov:
        return cls(math.radians(left_deg), math.radians(right_deg), math.radians(up_deg), math.radians(down_deg))

    @classmethod
    def from_xr(cls, fov) -> Fov:
        """From an ``xr.Fovf`` (or anything with the four ``angle_*`` attributes)."""
        return cls(float(fov.angle_left), float(fov.angle_right), float(fov.angle_up), float(fov.angle_down))

    def centre_ndc(self) -> tuple[float, float]:
        """Where the eye's straight-ahead direction lands in normalised device coordinates (-1..1)."""
        tl, tr, tu, td = (math.tan(a) for a in (self.angle_left, self.angle_right, self.angle_up, self.angle_down))
        return (-(tr + tl) / (tr - tl), -(tu + td) / (tu - td))


@dataclass(frozen=True)
class EyeView:
    """One eye: its pose (Panda coordinates, metres, relative to the eye cameras' parent) and its fov."""

    pose_position: Vec3
    pose_orientation: Quat
    fov: Fov

    @classmethod
    def from_xr(cls, position: Sequence[float], orientation_xyzw: Sequence[float], fov) -> EyeView:
        """From an OpenXR view: ``position`` (x, y, z) and ``orientation`` as ``XrQuaternionf`` (x, y, z, w)."""
        x, y, z, w = (float(v) for v in orientation_xyzw)
        return cls(xr_to_panda_position(position), xr_to_panda_quat((w, x, y, z)), Fov.from_xr(fov))


def projection_matrix(fov: Fov, near_m: float, far_m: float) -> np.ndarray:
    """OpenXR's asymmetric perspective frustum for OpenGL (clip z in -1..1), column-vector convention.

    Args:
        fov: the eye's field of view.
        near_m, far_m: clip plane distances along -Z, ``0 < near_m < far_m``.

    Returns:
        A 4x4 float64 array ``P`` with ``clip = P @ (x, y, z, 1)`` for points in OpenXR view space.
    """
    if not 0 < near_m < far_m:
        raise ValueError(f"need 0 < near_m < far_m, got {near_m}, {far_m}")
    tl, tr = math.tan(fov.angle_left), math.tan(fov.angle_right)
    tu, td = math.tan(fov.angle_up), math.tan(fov.angle_down)
    width, height = tr - tl, tu - td
    m = np.zeros((4, 4))
    m[0, 0] = 2.0 / width
    m[0, 2] = (tr + tl) / width
    m[1, 1] = 2.0 / height
    m[1, 2] = (tu + td) / height
    m[2, 2] = -(far_m + near_m) / (far_m - near_m)
    m[2, 3] = -2.0 * far_m * near_m / (far_m - near_m)
    m[3, 2] = -1.0
    return m


def lens_user_matrix(fov: Fov, near_m: float, far_m: float) -> np.ndarray:
    """The row-major matrix for ``MatrixLens.set_user_mat``: Panda lens space (Z up) -> GL clip space.

    Panda applies a MatrixLens's user matrix to points in its own Z-up camera space and then converts
    to GL's Y-up itself, so the OpenXR frustum needs the Z-up -> Y-up change of basis in front of it
    (``Mat4.convert_mat(CS_zup_right, CS_yup_right) * Mat4(P^T)`` in Panda terms).
    """
    return ZUP_TO_YUP_ROWS @ projection_matrix(fov, near_m, far_m).T


def xr_to_panda_position(position: Sequence[float]) -> Vec3:
    """OpenXR (x right, y up, -z forward) -> Panda (x right, y forward, z up)."""
    x, y, z = (float(v) for v in position)
    return (x, -z, y)


def panda_to_xr_position(position: Sequence[float]) -> Vec3:
    x, y, z = (float(v) for v in position)
    return (x, z, -y)


def xr_to_panda_quat(quat_wxyz: Sequence[float]) -> Quat:
    """The same rotation expressed on Panda's axes: the vector part maps like a position."""
    w, x, y, z = (float(v) for v in quat_wxyz)
    return (w, x, -z, y)


def panda_to_xr_quat(quat_wxyz: Sequence[float]) -> Quat:
    w, x, y, z = (float(v) for v in quat_wxyz)
    return (w, x, z, -y)


def quat_to_rotation(quat_wxyz: Sequence[float]) -> np.ndarray:
    """3x3 rotation for column vectors (``v' = R @ v``) from a (w, x, y, z) quaternion (normalised here)."""
    q = np.asarray(quat_wxyz, float)
    norm = float(np.linalg.norm(q))
    if norm < 1e-12:
        raise ValueError("zero quaternion")
    w, x, y, z = q / norm
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def pose_matrix(position: Sequence[float], quat_wxyz: Sequence[float]) -> np.ndarray:
    """A pose as Panda's row-major 4x4 (row vectors: ``p' = p · M``), ready for ``Mat4(*M.ravel())``."""
    m = np.eye(4)
    m[:3, :3] = quat_to_rotation(quat_wxyz).T
    m[3, :3] = np.asarray(position, float)
    return m


def symmetric_fov_deg(horizontal_deg: float, aspect: float) -> tuple[float, float, float, float]:
    """(left, right, up, down) degrees for a centred eye of ``horizontal_deg`` and width/height ``aspect``.

    The stereo simulation uses it so a half-window eye isn't stretched.
    """
    half_h = math.radians(horizontal_deg) / 2
    half_v = math.degrees(math.atan(math.tan(half_h) / aspect))
    return (-horizontal_deg / 2, horizontal_deg / 2, half_v, -half_v)


def simulated_eyes(
    ipd_m: float = 0.063,
    fov_deg: Sequence[float] = (-45.0, 45.0, 45.0, -45.0),
    head_position: Sequence[float] = (0.0, 0.0, 0.0),
    head_quat: Sequence[float] = IDENTITY_QUAT,
) -> tuple[EyeView, EyeView]:
    """A fixed-IPD, fixed-fov stereo pair for a head pose (all Panda coordinates): (left, right).

    Each eye sits ipd/2 along the head's right axis (left eye on the negative side) and looks where the
    head looks, which is what a headset reports for a perfectly fitted user.
    """
    if ipd_m < 0:
        raise ValueError(f"ipd_m must be non-negative, got {ipd_m}")
    fov = Fov.from_degrees(*fov_deg)
    q = tuple(float(v) for v in head_quat)
    right_axis = quat_to_rotation(q) @ np.array([1.0, 0.0, 0.0])
    head = np.asarray(head_position, float)
    eyes = []
    for side in (-1.0, 1.0):
        p = head + side * ipd_m / 2 * right_axis
        eyes.append(EyeView((float(p[0]), float(p[1]), float(p[2])), q, fov))  # type: ignore[arg-type]
    return eyes[0], eyes[1]

