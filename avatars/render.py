"""The placeholder avatar on screen: primitives on a NodePath skeleton that mirrors ``avatars.body``.

This is the one module of ``avatars/`` that imports Panda3D. Each rigid part (torso, head, upper arm, …)
is one static ``GeomNode`` baked with ``MeshBuilder`` and parented to its joint's NodePath, so posing is
only ``set_hpr`` on ~18 existing nodes: no node is created or destroyed per frame. The look is friendly
and plain on purpose (an advisor in a navy suit, classmates in coloured jumpers) until the real avatar
replaces it; blinking squashes the eyes and the mouth opens only from a viseme timeline.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from dataclasses import dataclass

from panda3d.core import NodePath, Point3

from vbranch.avatars.body import JOINTS, GazeLimits, Pose, gaze_angles
from vbranch.world.geom import MeshBuilder

__all__ = ["AvatarPalette", "ADVISOR_PALETTE", "classmate_palette", "AvatarView"]

Color = tuple[float, float, float]
_MIN_EYELID = 0.08  # a closed eye is a thin line, not gone
_MOUTH_OPEN_SCALE = 3.5  # how much taller the mouth gets when fully open
_NECK_SHARE = 0.4  # of a gaze turn: the neck takes this, the head the rest
_GAZE_LIMITS = GazeLimits()


@dataclass(frozen=True)
class AvatarPalette:
    """Vertex colours (linear RGB 0..1) for one avatar; ``tie``/``badge`` None leaves them off."""

    skin: Color = (0.87, 0.69, 0.56)
    hair: Color = (0.16, 0.11, 0.08)
    jacket: Color = (0.10, 0.15, 0.32)
    shirt: Color = (0.96, 0.96, 0.97)
    tie: Color | None = (0.78, 0.10, 0.12)
    badge: Color | None = (0.98, 0.98, 0.94)
    trousers: Color = (0.09, 0.12, 0.25)
    shoes: Color = (0.07, 0.06, 0.06)
    iris: Color = (0.12, 0.09, 0.07)
    mouth: Color = (0.55, 0.22, 0.22)


ADVISOR_PALETTE = AvatarPalette()
_SKIN_TONES: tuple[Color, ...] = ((0.96, 0.80, 0.69), (0.87, 0.69, 0.56), (0.76, 0.57, 0.42),
                                  (0.60, 0.42, 0.30), (0.45, 0.30, 0.21))
_HAIR: tuple[Color, ...] = ((0.10, 0.08, 0.07), (0.30, 0.19, 0.10), (0.55, 0.40, 0.22), (0.20, 0.20, 0.22))
_GOLDEN = 0.618033988749895


def classmate_palette(seat_index: int) -> AvatarPalette:
    """A casual, distinct look per seat: jumper hue by the golden ratio, so neighbours never match."""
    hue = (seat_index * _GOLDEN) % 1.0
    jumper = colorsys.hsv_to_rgb(hue, 0.55, 0.85)
    return AvatarPalette(
        skin=_SKIN_TONES[seat_index % len(_SKIN_TONES)],
        hair=_HAIR[(seat_index // 2) % len(_HAIR)],
        jacket=jumper,
        shirt=tuple(0.5 + 0.5 * c for c in jumper),
        tie=None,
        badge=None,
        trousers=(0.22, 0.25, 0.33) if seat_index % 2 else (0.30, 0.27, 0.24),
    )


def _part(palette: AvatarPalette, joint: str, detail: int) -> MeshBuilder:
    """The rigid mesh hanging from ``joint``, in that joint's frame (metres). ``detail`` = cylinder segments."""
    pal, mesh = palette, MeshBuilder()
    seg, rings = detail, max(4, detail * 2 // 3)

    def cyl(base, radius, height, color):
        mesh.add_cylinder(base, radius, height, color, segments=seg)

    def ball(center, radius, color, scale=(1.0, 1.0, 1.0)):
        mesh.add_sphere(center, radius, color, rings=rings, segments=seg, scale=scale)

    side = -1.0 if joint.endswith("_l") else 1.0
    if joint == "pelvis":
        mesh.add_box((0, 0, -0.02), (0.34, 0.20, 0.17), pal.trousers)
        mesh.add_box((0, 0, 0.065), (0.345, 0.205, 0.03), pal.shoes)  # belt
    elif joint == "spine":
        mesh.add_box((0, 0, 0.10), (0.36, 0.21, 0.22), pal.jacket)
    elif joint == "chest":
        mesh.add_box((0, 0, 0.09), (0.42, 0.23, 0.26), pal.jacket)
        for x in (-0.19, 0.19):
            ball((x, 0, 0.165), 0.07, pal.jacket)
        mesh.add_box((0, 0.117, 0.14), (0.12, 0.01, 0.16), pal.shirt)
        if pal.tie is not None:
            mesh.add_box((0, 0.125, 0.07), (0.045, 0.01, 0.23), pal.tie)
            mesh.add_box((0, 0.128, 0.2), (0.055, 0.014, 0.035), pal.tie)  # knot
        if pal.badge is not None:
            mesh.add_box((-0.12, 0.12, 0.13), (0.07, 0.01, 0.045), pal.badge)
    elif joint == "neck":
        cyl((0, 0, -0.03), 0.05, 0.12, pal.skin)
    elif joint == "head":
        ball((0, 0, 0.11), 0.10, pal.skin, (0.92, 1.0, 1.15))
        ball((0, -0.02, 0.14), 0.112, pal.hair, (0.98, 1.0, 0.9))
        mesh.add_box((0, 0.105, 0.075), (0.022, 0.03, 0.04), pal.skin)  # nose
        if detail >= 10:
            for x in (-0.092, 0.092):
                ball((x, 0, 0.1), 0.025, pal.skin, (0.5, 1.0, 1.3))
    elif joint.startswith("eye"):
        ball((0, 0, 0), 0.02, (0.98, 0.98, 0.98), (1.0, 0.5, 1.0))
        ball((0, 0.008, 0), 0.011, pal.iris, (1.0, 0.5, 1.0))
    elif joint == "jaw":
        mesh.add_box((0, 0.002, 0), (0.05, 0.012, 0.012), pal.mouth)
    elif joint.startswith("shoulder"):
        cyl((0, 0, -0.29), 0.048, 0.29, pal.jacket)
    elif joint.startswith("elbow"):
        ball((0, 0, 0), 0.047, pal.jacket)
        cyl((0, 0, -0.24), 0.043, 0.24, pal.jacket)
        cyl((0, 0, -0.265), 0.037, 0.03, pal.shirt)  # cuff
    elif joint.startswith("hand"):
        ball((0.0, 0.0, -0.065), 0.05, pal.skin, (0.45, 0.9, 1.4))
        ball((-0.03 * side, 0.02, -0.04), 0.018, pal.skin, (1.0, 1.0, 1.8))  # thumb
    elif joint.startswith("hip"):
        cyl((0, 0, -0.45), 0.072, 0.45, pal.trousers)
    elif joint.startswith("knee"):
        cyl((0, 0, -0.43), 0.056, 0.43, pal.trousers)
        mesh.add_box((0, 0.035, -0.415), (0.10, 0.25, 0.07), pal.shoes)
    return mesh


class AvatarView:
    """One avatar's nodes. Place ``root``; call ``apply(pose)`` (then ``look_at``) each frame.

    Args:
        parent: where the avatar hangs in the scene graph.
        palette: its colours (``ADVISOR_PALETTE`` or ``classmate_palette(seat)``).
        name: the root node's name.
        detail: segments per cylinder/sphere ring; 8 is plenty for a crowd seen from a distance.
    """

    def __init__(self, parent: NodePath, palette: AvatarPalette = ADVISOR_PALETTE, name: str = "advisor",
                 detail: int = 16) -> None:
        self.root: NodePath = parent.attach_new_node(name)
        self._body = self.root.attach_new_node("body")
        self.joints: dict[str, NodePath] = {}
        for joint in JOINTS:
            holder = self._body if joint.parent is None else self.joints[joint.parent]
            node = holder.attach_new_node(joint.name)
            node.set_pos(*joint.rest_offset_m)
            node.attach_new_node(_part(palette, joint.name, detail).node(f"{joint.name}-mesh"))
            self.joints[joint.name] = node
        self._ordered = tuple(self.joints[j.name] for j in JOINTS)
        self._eyes = (self.joints["eye_l"], self.joints["eye_r"])
        self._jaw = self.joints["jaw"]
        self._pose = Pose()

    def apply(self, pose: Pose) -> None:
        """Copy ``pose`` onto the existing joint nodes (rotations, root offset, eyelids, mouth)."""
        for node, (h, p, r) in zip(self._ordered, pose.joint_hpr_deg, strict=True):
            node.set_hpr(h, p, r)
        x, y, z = pose.root_position_m
        self._body.set_pos_hpr(x, y, z, pose.root_heading_deg, 0.0, 0.0)
        eyelid = max(_MIN_EYELID, min(1.0, pose.eyelid_open))
        for eye in self._eyes:
            eye.set_sz(eyelid)
        self._jaw.set_sz(1.0 + _MOUTH_OPEN_SCALE * max(0.0, min(1.0, pose.mouth_open)))
        self._pose = pose

    def look_at(self, target: NodePath | Sequence[float], limits: GazeLimits = _GAZE_LIMITS) -> tuple[float, float]:
        """Turn neck and head (on top of the last applied pose) towards ``target``; returns (yaw, pitch)°.

        ``target`` is a NodePath or a point in the scene's top (``render``) frame. Call after ``apply``.
        """
        top = self.root.get_top()
        point = target.get_pos(top) if isinstance(target, NodePath) else Point3(*target)
        head = self.joints["head"].get_pos(top)
        heading_deg = self.joints["chest"].get_h(top)
        yaw, pitch = gaze_angles(head, point, heading_deg, limits)
        for joint, share in (("neck", _NECK_SHARE), ("head", 1.0 - _NECK_SHARE)):
            h, p, r = self._pose.hpr_deg(joint)
            self.joints[joint].set_hpr(h + share * yaw, p + share * pitch, r)
        return yaw, pitch

    def destroy(self) -> None:
        """Remove every node of this avatar from the scene graph."""
        self.root.remove_node()
