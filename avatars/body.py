"""The advisor's body as data: a skeleton, poses, and the pure functions that move it.

Nothing here knows about Panda3D, so idle motion, gaze, gestures and the mouth are tested as numbers in
milliseconds; ``avatars.render`` only copies a ``Pose`` onto nodes. Axes and angles follow Panda3D so the
two never disagree: metres, Z up, +Y forward, +X to the avatar's right; a joint's (h, p, r) in degrees is
heading about Z (positive turns left), pitch about X (positive tips +Y up, so an arm hanging down swings
forward) and roll about Y (positive swings a hanging arm towards -X). Every joint's rotation is relative
to its parent, applied as ``Rz(h) @ Rx(p) @ Ry(r)``.

The mouth only moves when a viseme timeline is given: the placeholder never fakes speech.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

__all__ = [
    "Joint", "JOINTS", "JOINT_NAMES", "JOINT_INDEX", "HPR", "Pose", "REST_POSE", "GazeLimits", "Viseme",
    "BREATH_HZ", "GESTURE_KEYFRAMES", "idle_pose", "eyelid_open", "gaze_angles", "gesture_pose",
    "gesture_joints", "blend", "mouth_open", "joint_positions_m", "hpr_matrix",
]

HPR = tuple[float, float, float]


@dataclass(frozen=True)
class Joint:
    """One rigid part's pivot: where it sits in its parent's frame when the avatar stands at rest."""

    name: str
    parent: str | None
    rest_offset_m: tuple[float, float, float]


# Parents come before children, so one pass over JOINTS is a valid traversal. Sizes give a ~1.75 m adult
# whose feet touch z = 0 at the root.
JOINTS: tuple[Joint, ...] = (
    Joint("pelvis", None, (0.0, 0.0, 0.95)),
    Joint("spine", "pelvis", (0.0, 0.0, 0.10)),
    Joint("chest", "spine", (0.0, 0.0, 0.20)),
    Joint("neck", "chest", (0.0, 0.0, 0.22)),
    Joint("head", "neck", (0.0, 0.0, 0.08)),
    Joint("eye_l", "head", (-0.038, 0.09, 0.10)),
    Joint("eye_r", "head", (0.038, 0.09, 0.10)),
    Joint("jaw", "head", (0.0, 0.075, 0.035)),
    Joint("shoulder_l", "chest", (-0.21, 0.0, 0.17)),
    Joint("elbow_l", "shoulder_l", (0.0, 0.0, -0.29)),
    Joint("hand_l", "elbow_l", (0.0, 0.0, -0.26)),
    Joint("shoulder_r", "chest", (0.21, 0.0, 0.17)),
    Joint("elbow_r", "shoulder_r", (0.0, 0.0, -0.29)),
    Joint("hand_r", "elbow_r", (0.0, 0.0, -0.26)),
    Joint("hip_l", "pelvis", (-0.09, 0.0, -0.05)),
    Joint("knee_l", "hip_l", (0.0, 0.0, -0.45)),
    Joint("hip_r", "pelvis", (0.09, 0.0, -0.05)),
    Joint("knee_r", "hip_r", (0.0, 0.0, -0.45)),
)
JOINT_NAMES: tuple[str, ...] = tuple(j.name for j in JOINTS)
JOINT_INDEX: Mapping[str, int] = {name: i for i, name in enumerate(JOINT_NAMES)}
_REST_HPR: tuple[HPR, ...] = tuple((0.0, 0.0, 0.0) for _ in JOINTS)


@dataclass(frozen=True)
class Pose:
    """A whole-body pose: per-joint (h, p, r) in ``JOINT_NAMES`` order plus the root's local offset.

    ``root_position_m``/``root_heading_deg`` are small offsets from wherever the avatar is placed (weight
    shift, a turn towards the learner); ``eyelid_open`` is 1 open … 0 closed; ``mouth_open`` 0 … 1.
    """

    joint_hpr_deg: tuple[HPR, ...] = _REST_HPR
    root_position_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    root_heading_deg: float = 0.0
    eyelid_open: float = 1.0
    mouth_open: float = 0.0

    def __post_init__(self) -> None:
        if len(self.joint_hpr_deg) != len(JOINTS):
            raise ValueError(f"a pose needs {len(JOINTS)} joint rotations, got {len(self.joint_hpr_deg)}")

    def hpr_deg(self, joint: str) -> HPR:
        return self.joint_hpr_deg[JOINT_INDEX[joint]]

    def with_joints(self, hpr_by_joint: Mapping[str, Sequence[float]], **fields) -> Pose:
        """A copy with some joints (and optionally other fields) replaced."""
        hprs = list(self.joint_hpr_deg)
        for name, hpr in hpr_by_joint.items():
            h, p, r = hpr
            hprs[JOINT_INDEX[name]] = (float(h), float(p), float(r))
        return Pose(tuple(hprs), **{**_fields(self), **fields})


def _fields(pose: Pose) -> dict:
    return {"root_position_m": pose.root_position_m, "root_heading_deg": pose.root_heading_deg,
            "eyelid_open": pose.eyelid_open, "mouth_open": pose.mouth_open}


REST_POSE = Pose()


def _wrap180(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def _unit_hash(seed: int, k: int) -> float:
    """A deterministic uniform in [0, 1) from (seed, k): splitmix64, cheap enough to call per frame."""
    x = (seed * 0x9E3779B97F4A7C15 + k * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return ((x ^ (x >> 31)) >> 11) / float(1 << 53)


# --- idle: breathing, weight shift, blinking -----------------------------------------------------------
BREATH_HZ = 0.25  # a calm adult at rest: 15 breaths a minute
BREATH_CHEST_DEG = 1.5
BREATH_SHOULDER_DEG = 1.0
SWAY_HZ = 0.07  # weight moves from foot to foot every ~14 s
SWAY_PELVIS_DEG = 1.5
SWAY_ROOT_M = 0.012
BLINK_SPACING_S = 4.5  # blink centres at 4.5 k ± 0.75 s, so gaps stay within 3 … 6 s
BLINK_JITTER_S = 0.75
BLINK_HALF_S = 0.075  # a blink closes and reopens in 0.15 s


def eyelid_open(t_s: float, seed: int = 0) -> float:
    """1 open … 0 closed; blinks come every 3–6 s at times fixed by ``seed`` (O(1), no state)."""
    k = round(t_s / BLINK_SPACING_S)
    nearest_s = min(
        abs(t_s - (j * BLINK_SPACING_S + BLINK_JITTER_S * (2.0 * _unit_hash(seed, j) - 1.0)))
        for j in (k - 1, k, k + 1)
    )
    return min(1.0, nearest_s / BLINK_HALF_S)


def idle_pose(t_s: float, seed: int = 0) -> Pose:
    """Standing still but alive: breathing (chest, shoulders), a slow weight shift, a small head drift, blinks.

    ``seed`` de-synchronises avatars (phase offsets, blink times); the same (t_s, seed) gives the same pose.
    The mouth stays closed: idling is not speaking.
    """
    breath_phase = _unit_hash(seed, -1)
    sway_phase = _unit_hash(seed, -2)
    breath = math.sin(2.0 * math.pi * (BREATH_HZ * t_s + breath_phase))
    sway = math.sin(2.0 * math.pi * (SWAY_HZ * t_s + sway_phase))
    drift = math.sin(2.0 * math.pi * (0.05 * t_s + _unit_hash(seed, -3)))
    chest_p = -BREATH_CHEST_DEG * breath  # inhaling lifts the chest
    shoulder_r = BREATH_SHOULDER_DEG * breath
    pelvis_r = SWAY_PELVIS_DEG * sway
    return REST_POSE.with_joints(
        {
            "pelvis": (0.0, 0.0, pelvis_r),
            "spine": (0.0, 0.0, -0.6 * pelvis_r),
            "chest": (0.0, chest_p, -0.4 * pelvis_r),
            "head": (2.0 * drift, -0.5 * chest_p, 0.0),
            "shoulder_l": (0.0, 0.0, shoulder_r),
            "shoulder_r": (0.0, 0.0, -shoulder_r),
            "hip_l": (0.0, 0.0, -pelvis_r),
            "hip_r": (0.0, 0.0, -pelvis_r),
        },
        root_position_m=(SWAY_ROOT_M * sway, 0.0, 0.0),
        eyelid_open=eyelid_open(t_s, seed),
    )


# --- gaze ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GazeLimits:
    """How far a head turns before the body should turn instead (degrees from facing straight ahead)."""

    yaw_deg: float = 70.0
    pitch_up_deg: float = 30.0
    pitch_down_deg: float = 40.0


def gaze_angles(head_world_pos: Sequence[float], target_world_pos: Sequence[float], heading_deg: float,
                limits: GazeLimits = GazeLimits()) -> tuple[float, float]:
    """Head (yaw, pitch) in degrees relative to a body facing ``heading_deg``, clamped to ``limits``.

    Yaw is positive to the avatar's left and pitch positive up, matching a joint's h and p. A target at the
    head itself gives (0, 0).
    """
    dx = float(target_world_pos[0]) - float(head_world_pos[0])
    dy = float(target_world_pos[1]) - float(head_world_pos[1])
    dz = float(target_world_pos[2]) - float(head_world_pos[2])
    horizontal = math.hypot(dx, dy)
    if horizontal < 1e-9 and abs(dz) < 1e-9:
        return 0.0, 0.0
    yaw = _wrap180(math.degrees(math.atan2(-dx, dy)) - heading_deg) if horizontal > 1e-9 else 0.0
    pitch = math.degrees(math.atan2(dz, horizontal))
    yaw = max(-limits.yaw_deg, min(limits.yaw_deg, yaw))
    pitch = max(-limits.pitch_down_deg, min(limits.pitch_up_deg, pitch))
    return yaw, pitch


# --- gestures as data ----------------------------------------------------------------------------------
# name -> keyframes (phase 0..1, {joint: (h, p, r)}); joints missing from a keyframe are at rest there, and
# "aim" (0..1) says how much of ``aim_yaw_deg`` the right shoulder takes. First and last keyframes are rest,
# so a gesture starts and ends where idling left off.
_WAVE_UP = {"shoulder_r": (20.0, 0.0, -95.0), "elbow_r": (0.0, 0.0, -80.0), "head": (-4.0, 0.0, -3.0)}
_PALMS_DOWN_UP = {"shoulder_l": (10.0, 30.0, 0.0), "elbow_l": (0.0, 55.0, 0.0), "hand_l": (-90.0, 0.0, 0.0),
                  "shoulder_r": (-10.0, 30.0, 0.0), "elbow_r": (0.0, 55.0, 0.0), "hand_r": (90.0, 0.0, 0.0)}
_PALMS_DOWN_PRESSED = {"shoulder_l": (10.0, 18.0, 0.0), "elbow_l": (0.0, 50.0, 0.0), "hand_l": (-90.0, 0.0, 0.0),
                       "shoulder_r": (-10.0, 18.0, 0.0), "elbow_r": (0.0, 50.0, 0.0), "hand_r": (90.0, 0.0, 0.0),
                       "head": (0.0, -4.0, 0.0)}
_POINT = {"shoulder_r": (0.0, 80.0, 0.0), "elbow_r": (0.0, 8.0, 0.0), "chest": (0.0, 0.0, -2.0), "aim": 1.0}
GESTURE_KEYFRAMES: Mapping[str, tuple[tuple[float, Mapping], ...]] = {
    "greet": (
        (0.0, {}),
        (0.25, _WAVE_UP),
        (0.37, {**_WAVE_UP, "elbow_r": (0.0, 0.0, -105.0)}),
        (0.49, _WAVE_UP),
        (0.61, {**_WAVE_UP, "elbow_r": (0.0, 0.0, -105.0)}),
        (0.73, _WAVE_UP),
        (1.0, {}),
    ),
    "point": ((0.0, {}), (0.3, _POINT), (0.7, _POINT), (1.0, {})),
    "calm_down": (
        (0.0, {}),
        (0.2, _PALMS_DOWN_UP),
        (0.4, _PALMS_DOWN_PRESSED),
        (0.6, _PALMS_DOWN_UP),
        (0.8, _PALMS_DOWN_PRESSED),
        (1.0, {}),
    ),
}


def _compile(keys: tuple[tuple[float, Mapping], ...]) -> tuple[list[float], np.ndarray, np.ndarray]:
    phases = [float(p) for p, _ in keys]
    if phases != sorted(phases) or phases[0] != 0.0 or phases[-1] != 1.0:
        raise ValueError("gesture keyframes must run from phase 0 to 1 in order")
    values = np.zeros((len(keys), len(JOINTS), 3))
    aims = np.zeros(len(keys))
    for i, (_, frame) in enumerate(keys):
        for name, hpr in frame.items():
            if name == "aim":
                aims[i] = float(hpr)
            else:
                values[i, JOINT_INDEX[name]] = hpr
    return phases, values, aims


_COMPILED = {name: _compile(keys) for name, keys in GESTURE_KEYFRAMES.items()}


@cache
def gesture_joints(name: str) -> frozenset[str]:
    """The joints a gesture moves: the ones to take from it when layering it over an idle pose."""
    _, values, _ = _COMPILED[name]
    moved = np.any(values != 0.0, axis=(0, 2))
    return frozenset(JOINT_NAMES[i] for i in np.flatnonzero(moved))


def gesture_pose(name: str, phase: float, aim_yaw_deg: float = 0.0) -> Pose:
    """The pose at ``phase`` (0..1, clamped) of gesture ``name``, eased between keyframes.

    ``aim_yaw_deg`` turns a pointing arm towards a direction (degrees, positive to the avatar's left).
    """
    if name not in _COMPILED:
        raise KeyError(f"unknown gesture {name!r}; known: {sorted(_COMPILED)}")
    phases, values, aims = _COMPILED[name]
    phase = min(1.0, max(0.0, float(phase)))
    i = min(bisect_right(phases, phase), len(phases) - 1) - 1
    span = phases[i + 1] - phases[i]
    u = (phase - phases[i]) / span if span > 0 else 1.0
    w = u * u * (3.0 - 2.0 * u)  # smoothstep: no jerk at keyframes
    hpr = values[i] + (values[i + 1] - values[i]) * w
    aim = aims[i] + (aims[i + 1] - aims[i]) * w
    hpr[JOINT_INDEX["shoulder_r"], 0] += aim * aim_yaw_deg
    return Pose(tuple((float(h), float(p), float(r)) for h, p, r in hpr))


def blend(a: Pose, b: Pose, w: float, joints: Iterable[str] | None = None) -> Pose:
    """``a`` moved a fraction ``w`` (0..1) towards ``b``; with ``joints`` only those joints move.

    Angles go the short way round. Layering a gesture over idling is
    ``blend(idle, gesture_pose(...), 1.0, gesture_joints(name))``.
    """
    w = min(1.0, max(0.0, float(w)))
    picked = range(len(JOINTS)) if joints is None else [JOINT_INDEX[n] for n in joints]
    hprs = list(a.joint_hpr_deg)
    for i in picked:
        ha, hb = a.joint_hpr_deg[i], b.joint_hpr_deg[i]
        hprs[i] = tuple(x + _wrap180(y - x) * w for x, y in zip(ha, hb, strict=True))
    if joints is not None:
        return Pose(tuple(hprs), **_fields(a))
    return Pose(
        tuple(hprs),
        root_position_m=tuple(x + (y - x) * w for x, y in zip(a.root_position_m, b.root_position_m, strict=True)),
        root_heading_deg=a.root_heading_deg + _wrap180(b.root_heading_deg - a.root_heading_deg) * w,
        eyelid_open=a.eyelid_open + (b.eyelid_open - a.eyelid_open) * w,
        mouth_open=a.mouth_open + (b.mouth_open - a.mouth_open) * w,
    )


# --- mouth ---------------------------------------------------------------------------------------------
class Viseme(NamedTuple):
    """One mouth shape from a lip-sync timeline: how open (0..1) between ``start_s`` and ``end_s``.

    ``shape`` names the lip shape (``avatars.voice.visemes.SHAPES``: "AA", "MBP", "rest", …) for a face
    that can show more than a jaw; it defaults so three-field timelines keep working.
    """

    start_s: float
    end_s: float
    openness: float
    shape: str = "rest"


MOUTH_RAMP_S = 0.04  # open and close over 40 ms instead of snapping
_TOUCH_S = 1e-6  # visemes closer than this are one stretch of speech: blend, don't close in between


def mouth_open(visemes: Sequence[Viseme | tuple[float, float, float]], t_s: float) -> float:
    """How open the mouth is at ``t_s``: 0 with no timeline (never fake speech), else the active viseme.

    ``visemes`` must be sorted by start time (as a TTS engine emits them); lookup is a bisection. Each
    viseme eases in and out over ``MOUTH_RAMP_S``: from/to closed at a gap, and from the previous viseme's
    openness when the two touch (the later one blends, so the level stays continuous): phoneme-level
    timelines glide instead of snapping shut at every phoneme.
    """
    if not visemes:
        return 0.0
    i = bisect_right(visemes, (t_s, math.inf, math.inf)) - 1
    if i < 0:
        return 0.0
    start_s, end_s, openness = visemes[i][:3]
    if t_s >= end_s:
        return 0.0
    openness = float(openness)
    ramp_s = min(MOUTH_RAMP_S, (end_s - start_s) / 2.0)
    level = openness
    if ramp_s > 0 and t_s - start_s < ramp_s:
        prev = visemes[i - 1] if i > 0 else None
        before = float(prev[2]) if prev is not None and start_s - prev[1] <= _TOUCH_S else 0.0
        level = before + (openness - before) * (t_s - start_s) / ramp_s
    elif ramp_s > 0 and end_s - t_s < ramp_s:
        nxt = visemes[i + 1] if i + 1 < len(visemes) else None
        if nxt is None or nxt[0] - end_s > _TOUCH_S:  # a touching neighbour blends in at its own start
            level = openness * (end_s - t_s) / ramp_s
    return max(0.0, min(1.0, level))


# --- forward kinematics (for tests, gaze and placement; matches Panda3D's HPR convention) ---------------
def hpr_matrix(h_deg: float, p_deg: float, r_deg: float) -> np.ndarray:
    """The 3×3 rotation Panda3D builds from (h, p, r): ``Rz(h) @ Rx(p) @ Ry(r)``."""
    h, p, r = (math.radians(v) for v in (h_deg, p_deg, r_deg))
    ch, sh, cp, sp, cr, sr = math.cos(h), math.sin(h), math.cos(p), math.sin(p), math.cos(r), math.sin(r)
    rz = np.array([[ch, -sh, 0.0], [sh, ch, 0.0], [0.0, 0.0, 1.0]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]])
    ry = np.array([[cr, 0.0, sr], [0.0, 1.0, 0.0], [-sr, 0.0, cr]])
    return rz @ rx @ ry


def joint_positions_m(pose: Pose) -> dict[str, np.ndarray]:
    """Each joint's position in the avatar's placement frame (metres), root offset included."""
    rotation = {None: hpr_matrix(pose.root_heading_deg, 0.0, 0.0)}
    position = {None: np.asarray(pose.root_position_m, float)}
    for joint, hpr in zip(JOINTS, pose.joint_hpr_deg, strict=True):
        parent_rot = rotation[joint.parent]
        position[joint.name] = position[joint.parent] + parent_rot @ np.asarray(joint.rest_offset_m)
        rotation[joint.name] = parent_rot @ hpr_matrix(*hpr)
    del position[None]
    return position
