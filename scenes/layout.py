"""The branch floor plan as data: rooms, doors, fixtures and named views, validated on load.

The 3D shell builds whatever this file describes, so a broker's education team can rearrange the
branch (or add a room) without touching rendering code. Validation is strict because a typo here
would otherwise show up as a desk floating in a wall: every error names the file, the field and why.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vbranch.scenes.catalogue import CatalogueError, text
from vbranch.scenes.content_error import ContentError

__all__ = ["LayoutError", "Room", "Door", "Fixture", "View", "Layout", "load_layout", "wall_side", "FIXTURE_KINDS",
           "VIEW_NAMES"]

FIXTURE_KINDS = frozenset({
    "reception_desk", "kiosk", "sign", "plant", "bench", "advisor_desk", "chair", "market_wall", "order_panel",
    "portfolio_plinth", "lesson_board", "leaderboard_wall", "student_desks",
})
VIEW_NAMES = ("lobby", "desk", "floor", "hall", "classroom")
DEFAULT_LAYOUT = "branch.toml"


class LayoutError(ContentError):
    """A layout file that can't be built: the message names the file, the field and the reason."""


@dataclass(frozen=True)
class Room:
    id: str
    title: str  # catalogue key
    rect: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max (metres)
    height: float
    floor: tuple[float, float, float]
    wall: tuple[float, float, float]
    light: tuple[float, float, float]

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.rect
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        x0, y0, x1, y1 = self.rect
        return x0 + margin <= x <= x1 - margin and y0 + margin <= y <= y1 - margin


@dataclass(frozen=True)
class Door:
    rooms: tuple[str, str]
    at: tuple[float, float]
    width: float


@dataclass(frozen=True)
class Fixture:
    kind: str
    room: str
    pos: tuple[float, float]
    heading: float = 0.0
    z: float = 0.0
    size: tuple[float, float] | None = None
    label: str | None = None  # catalogue key
    id: str | None = None


@dataclass(frozen=True)
class View:
    pos: tuple[float, float, float]
    look_at: tuple[float, float, float]


@dataclass(frozen=True)
class Layout:
    path: Path
    rooms: tuple[Room, ...]
    doors: tuple[Door, ...]
    fixtures: tuple[Fixture, ...]
    views: dict[str, View]
    spawn: tuple[float, float, float]  # x, y, heading
    advisor: tuple[float, float, float]

    def room(self, room_id: str) -> Room:
        for room in self.rooms:
            if room.id == room_id:
                return room
        raise KeyError(f"no room {room_id!r} in {self.path}")

    def room_at(self, x: float, y: float) -> Room | None:
        for room in self.rooms:
            if room.contains(x, y):
                return room
        return None

    def fixture(self, fixture_id: str) -> Fixture:
        for fixture in self.fixtures:
            if fixture.id == fixture_id:
                return fixture
        raise KeyError(f"no fixture {fixture_id!r} in {self.path}")

    def doors_of(self, room_id: str) -> list[Door]:
        return [d for d in self.doors if room_id in d.rooms]

    def walkable(self, x: float, y: float, margin: float = 0.3) -> bool:
        """Inside a room (away from its walls) or passing through a doorway."""
        if any(room.contains(x, y, margin) for room in self.rooms):
            return True
        return any(_in_doorway(d, x, y, margin) for d in self.doors if "outside" not in d.rooms)


def _in_doorway(door: Door, x: float, y: float, margin: float) -> bool:
    dx, dy = door.at
    half = door.width / 2 - margin
    reach = margin + 0.35  # the wall thickness on both sides of the boundary
    return (abs(x - dx) <= half and abs(y - dy) <= reach) or (abs(y - dy) <= half and abs(x - dx) <= reach)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, field: str, reason: str) -> LayoutError:
        return LayoutError(self.path, field, reason)

    def numbers(self, value: object, n: int, field: str) -> tuple[float, ...]:
        if not isinstance(value, list) or len(value) != n or not all(isinstance(v, int | float) for v in value):
            raise self.fail(field, f"expected {n} numbers, got {value!r}")
        out = tuple(float(v) for v in value)
        if not all(math.isfinite(v) for v in out):
            raise self.fail(field, "numbers must be finite")
        return out

    def colour(self, value: object, field: str) -> tuple[float, float, float]:
        rgb = self.numbers(value, 3, field)
        if not all(0.0 <= v <= 1.0 for v in rgb):
            raise self.fail(field, f"colour components must be within 0..1, got {value!r}")
        return rgb  # type: ignore[return-value]

    def label(self, value: object, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected a catalogue key, got {value!r}")
        try:
            text(value, "zh"), text(value, "en")
        except CatalogueError:
            raise self.fail(field, f"{value!r} is not in scenes/strings.toml") from None
        return value


def load_layout(path: Path | str | None = None) -> Layout:
    """Read and validate a layout file (the shipped ``scenes/branch.toml`` by default)."""
    if path is None:
        path = Path(str(resources.files("vbranch.scenes").joinpath(DEFAULT_LAYOUT)))
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(path, "toml", str(exc)) from None
    return _parse(_Reader(path), raw)


def _parse(r: _Reader, raw: dict) -> Layout:
    rooms: list[Room] = []
    for i, item in enumerate(raw.get("rooms") or []):
        f = f"rooms[{i}]"
        room_id = item.get("id")
        if not isinstance(room_id, str) or not room_id or room_id == "outside":
            raise r.fail(f"{f}.id", f"expected a room id, got {room_id!r}")
        if any(room.id == room_id for room in rooms):
            raise r.fail(f"{f}.id", f"duplicate room {room_id!r}")
        rect = r.numbers(item.get("rect"), 4, f"{f}.rect")
        if rect[2] - rect[0] < 2 or rect[3] - rect[1] < 2:
            raise r.fail(f"{f}.rect", "a room must be at least 2 m on each side")
        height = item.get("height", 4.0)
        if not isinstance(height, int | float) or not 2.2 <= height <= 20:
            raise r.fail(f"{f}.height", f"expected 2.2..20 metres, got {height!r}")
        rooms.append(Room(room_id, r.label(item.get("title"), f"{f}.title"), rect, float(height),  # type: ignore[arg-type]
                          r.colour(item.get("floor"), f"{f}.floor"), r.colour(item.get("wall"), f"{f}.wall"),
                          r.colour(item.get("light", [1, 1, 1]), f"{f}.light")))
    if not rooms:
        raise r.fail("rooms", "a layout needs at least one room")
    for a in range(len(rooms)):
        for b in range(a + 1, len(rooms)):
            if _overlap(rooms[a].rect, rooms[b].rect):
                raise r.fail("rooms", f"rooms {rooms[a].id!r} and {rooms[b].id!r} overlap")
    by_id = {room.id: room for room in rooms}

    doors: list[Door] = []
    for i, item in enumerate(raw.get("doors") or []):
        f = f"doors[{i}]"
        between = item.get("between")
        if not isinstance(between, list) or len(between) != 2:
            raise r.fail(f"{f}.between", "expected two room ids")
        for room_id in between:
            if room_id != "outside" and room_id not in by_id:
                raise r.fail(f"{f}.between", f"unknown room {room_id!r}")
        at = r.numbers(item.get("at"), 2, f"{f}.at")
        width = item.get("width", 2.0)
        if not isinstance(width, int | float) or not 0.9 <= width <= 10:
            raise r.fail(f"{f}.width", f"expected 0.9..10 metres, got {width!r}")
        for room_id in between:
            if room_id != "outside" and wall_side(by_id[room_id].rect, at) is None:
                raise r.fail(f"{f}.at", f"{list(at)} is not on a wall of room {room_id!r}")
        doors.append(Door((between[0], between[1]), at, float(width)))  # type: ignore[arg-type]

    fixtures: list[Fixture] = []
    for i, item in enumerate(raw.get("fixtures") or []):
        f = f"fixtures[{i}]"
        kind = item.get("kind")
        if kind not in FIXTURE_KINDS:
            raise r.fail(f"{f}.kind", f"unknown fixture kind {kind!r}; known: {', '.join(sorted(FIXTURE_KINDS))}")
        room_id = item.get("room")
        if room_id not in by_id:
            raise r.fail(f"{f}.room", f"unknown room {room_id!r}")
        pos = r.numbers(item.get("pos"), 2, f"{f}.pos")
        if not by_id[room_id].contains(*pos):
            raise r.fail(f"{f}.pos", f"{list(pos)} is outside room {room_id!r}")
        size = r.numbers(item["size"], 2, f"{f}.size") if "size" in item else None
        label = r.label(item["label"], f"{f}.label") if "label" in item else None
        fixtures.append(Fixture(kind, room_id, pos, float(item.get("heading", 0.0)), float(item.get("z", 0.0)),  # type: ignore[arg-type]
                                size, label, item.get("id")))  # type: ignore[arg-type]
    ids = [fx.id for fx in fixtures if fx.id]
    if len(ids) != len(set(ids)):
        raise r.fail("fixtures", "fixture ids must be unique")

    views: dict[str, View] = {}
    for name, item in (raw.get("views") or {}).items():
        views[name] = View(r.numbers(item.get("pos"), 3, f"views.{name}.pos"),  # type: ignore[arg-type]
                           r.numbers(item.get("look_at"), 3, f"views.{name}.look_at"))  # type: ignore[arg-type]
    missing = [v for v in VIEW_NAMES if v not in views]
    if missing:
        raise r.fail("views", f"missing views: {', '.join(missing)}")

    spawn = _placement(r, raw.get("spawn"), "spawn")
    advisor = _placement(r, raw.get("advisor"), "advisor")
    layout = Layout(r.path, tuple(rooms), tuple(doors), tuple(fixtures), views, spawn, advisor)
    for name, (x, y, _) in (("spawn", spawn), ("advisor", advisor)):
        if layout.room_at(x, y) is None:
            raise r.fail(f"{name}.pos", f"{[x, y]} is not inside any room")
    return layout


def _placement(r: _Reader, item: object, field: str) -> tuple[float, float, float]:
    if not isinstance(item, dict):
        raise r.fail(field, "expected a table with pos and heading")
    x, y = r.numbers(item.get("pos"), 2, f"{field}.pos")
    return (x, y, float(item.get("heading", 0.0)))


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def wall_side(rect: tuple[float, ...], at: tuple[float, float], tol: float = 1e-6) -> str | None:
    """Which wall of ``rect`` the point lies on ("south", "north", "west", "east"), or None."""
    x0, y0, x1, y1 = rect
    x, y = at
    if abs(y - y0) < tol and x0 < x < x1:
        return "south"
    if abs(y - y1) < tol and x0 < x < x1:
        return "north"
    if abs(x - x0) < tol and y0 < y < y1:
        return "west"
    if abs(x - x1) < tol and y0 < y < y1:
        return "east"
    return None


