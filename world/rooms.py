"""Rooms from the layout file: floors, walls with doorways, ceilings, skirting and each room's light.

Each room becomes one static mesh plus one point light that only lights that room (fixed-function GL
allows eight lights per node, and a room's light should not leak through its walls anyway).
Walls are built inside each room's rectangle, so two rooms sharing a boundary never z-fight.
"""

from __future__ import annotations

from panda3d.core import AmbientLight, DirectionalLight, NodePath, PointLight

from vbranch.scenes.layout import Layout, Room, wall_side
from vbranch.world.geom import MeshBuilder

__all__ = ["WALL_THICKNESS_M", "DOOR_HEIGHT_M", "wall_segments", "build_rooms", "add_global_lights"]

WALL_THICKNESS_M = 0.2
DOOR_HEIGHT_M = 2.6


def wall_segments(room: Room, layout: Layout) -> dict[str, list[tuple[float, float, float]]]:
    """For each side, the (start, end, door_top_z) spans along it; door gaps have door_top_z > 0.

    Spans are in the side's own coordinate (x for south/north, y for west/east). A span with
    ``door_top_z == 0`` is solid wall; a door span gets a lintel above ``door_top_z``.
    """
    x0, y0, x1, y1 = room.rect
    extent = {"south": (x0, x1), "north": (x0, x1), "west": (y0, y1), "east": (y0, y1)}
    gaps: dict[str, list[tuple[float, float]]] = {side: [] for side in extent}
    for door in layout.doors_of(room.id):
        side = wall_side(room.rect, door.at)
        if side is None:
            continue
        along = door.at[0] if side in ("south", "north") else door.at[1]
        gaps[side].append((along - door.width / 2, along + door.width / 2))
    out: dict[str, list[tuple[float, float, float]]] = {}
    for side, (lo, hi) in extent.items():
        spans: list[tuple[float, float, float]] = []
        cursor = lo
        for g0, g1 in sorted(gaps[side]):
            if g0 > cursor:
                spans.append((cursor, g0, 0.0))
            spans.append((g0, g1, min(DOOR_HEIGHT_M, room.height)))
            cursor = g1
        if cursor < hi:
            spans.append((cursor, hi, 0.0))
        out[side] = spans
    return out


def _shade(rgb: tuple[float, float, float], k: float) -> tuple[float, float, float]:
    return tuple(min(1.0, max(0.0, c * k)) for c in rgb)  # type: ignore[return-value]


def _room_mesh(room: Room, layout: Layout, mesh: MeshBuilder) -> None:
    x0, y0, x1, y1 = room.rect
    t = WALL_THICKNESS_M
    h = room.height
    cx, cy = room.center
    mesh.add_box((cx, cy, -0.05), (x1 - x0, y1 - y0, 0.1), room.floor)
    # a rug or floor inlay in the middle of the room so the floor reads as a floor, not a void
    mesh.add_box((cx, cy, 0.003), ((x1 - x0) * 0.55, (y1 - y0) * 0.55, 0.006), _shade(room.floor, 0.82))
    mesh.add_box((cx, cy, h + 0.05), (x1 - x0, y1 - y0, 0.1), _shade(room.wall, 1.05))
    skirting = _shade(room.wall, 0.55)
    for side, spans in wall_segments(room, layout).items():
        for a, b, door_top in spans:
            length = b - a
            if length <= 1e-6:
                continue
            mid = (a + b) / 2
            if side in ("south", "north"):
                y = y0 + t / 2 if side == "south" else y1 - t / 2
                center, size = (mid, y), (length, t)
            else:
                x = x0 + t / 2 if side == "west" else x1 - t / 2
                center, size = (x, mid), (t, length)
            if door_top == 0.0:
                mesh.add_box((*center, h / 2), (*size, h), room.wall)
                mesh.add_box((*center, 0.06), (size[0] + 0.02, size[1] + 0.02, 0.12), skirting)
            elif door_top < h:
                mesh.add_box((*center, (door_top + h) / 2), (*size, h - door_top), room.wall)


def build_rooms(parent: NodePath, layout: Layout) -> dict[str, NodePath]:
    """One node per room under ``parent``, each with its own point light."""
    nodes: dict[str, NodePath] = {}
    for room in layout.rooms:
        mesh = MeshBuilder()
        _room_mesh(room, layout, mesh)
        node = parent.attach_new_node(f"room-{room.id}")
        node.attach_new_node(mesh.node(f"room-{room.id}-shell"))
        light = PointLight(f"light-{room.id}")
        light.set_color((*(0.85 * c for c in room.light), 1))
        size = max(room.rect[2] - room.rect[0], room.rect[3] - room.rect[1])
        light.set_attenuation((1.0, 0.0, 1.2 / (size * size)))
        light_np = node.attach_new_node(light)
        light_np.set_pos(*room.center, room.height - 0.4)
        node.set_light(light_np)
        nodes[room.id] = node
    return nodes


def add_global_lights(render: NodePath) -> None:
    """Soft ambient plus a gentle sun so faces are told apart even far from a room's lamp."""
    ambient = AmbientLight("ambient")
    ambient.set_color((0.42, 0.42, 0.45, 1))
    render.set_light(render.attach_new_node(ambient))
    sun = DirectionalLight("sun")
    sun.set_color((0.35, 0.34, 0.32, 1))
    sun_np = render.attach_new_node(sun)
    sun_np.set_hpr(35, -55, 0)
    render.set_light(sun_np)
