from pathlib import Path

import pytest

from vbranch.scenes.layout import VIEW_NAMES, LayoutError, load_layout, wall_side


def test_shipped_layout_has_every_room_the_branch_promises():
    layout = load_layout()
    assert {room.id for room in layout.rooms} == {"lobby", "desk", "floor", "hall", "classroom"}
    assert set(VIEW_NAMES) <= set(layout.views)
    kinds = {fx.kind for fx in layout.fixtures}
    assert {"reception_desk", "kiosk", "advisor_desk", "market_wall", "order_panel", "portfolio_plinth",
            "lesson_board", "leaderboard_wall"} <= kinds


def test_every_fixture_stands_inside_its_room_and_views_start_inside_the_branch():
    layout = load_layout()
    for fx in layout.fixtures:
        assert layout.room(fx.room).contains(*fx.pos)
    for name, view in layout.views.items():
        assert layout.room_at(view.pos[0], view.pos[1]) is not None, name


def test_doorways_are_walkable_and_walls_are_not():
    layout = load_layout()
    assert layout.walkable(0.0, 10.0)        # lobby → trading floor door
    assert layout.walkable(6.0, 5.0)         # lobby → advisor's desk door
    assert not layout.walkable(6.0, 2.0)     # the wall between lobby and desk, away from the door
    assert not layout.walkable(3.0, 10.0)    # the lobby's north wall beside the door
    assert not layout.walkable(0.0, 0.0)     # the street door leads outside, not into the branch walk area


def test_wall_side_names_the_wall_a_point_is_on():
    rect = (0.0, 0.0, 10.0, 8.0)
    assert wall_side(rect, (5.0, 0.0)) == "south"
    assert wall_side(rect, (5.0, 8.0)) == "north"
    assert wall_side(rect, (0.0, 4.0)) == "west"
    assert wall_side(rect, (10.0, 4.0)) == "east"
    assert wall_side(rect, (5.0, 4.0)) is None


def _write(tmp_path: Path, body: str) -> Path:
    shipped = load_layout().path.read_text("utf-8")
    path = tmp_path / "branch.toml"
    path.write_text(shipped + "\n" + body, "utf-8")
    return path


def test_a_fixture_outside_its_room_is_rejected_with_file_and_field(tmp_path):
    path = _write(tmp_path, '[[fixtures]]\nkind = "plant"\nroom = "lobby"\npos = [30.0, 3.0]\n')
    with pytest.raises(LayoutError) as err:
        load_layout(path)
    assert str(path) in str(err.value) and "pos" in err.value.field and "outside room 'lobby'" in err.value.reason


def test_unknown_fixture_kind_and_label_are_rejected(tmp_path):
    with pytest.raises(LayoutError, match="unknown fixture kind 'fountain'"):
        load_layout(_write(tmp_path, '[[fixtures]]\nkind = "fountain"\nroom = "lobby"\npos = [1.0, 1.0]\n'))
    with pytest.raises(LayoutError, match="not in scenes/strings.toml"):
        load_layout(_write(tmp_path, '[[fixtures]]\nkind = "sign"\nroom = "lobby"\npos = [1.0, 1.0]\n'
                                     'label = "sign.nope"\n'))


def test_a_door_not_on_a_shared_wall_is_rejected(tmp_path):
    with pytest.raises(LayoutError, match="not on a wall of room 'lobby'"):
        load_layout(_write(tmp_path, '[[doors]]\nbetween = ["lobby", "hall"]\nat = [0.0, 5.0]\nwidth = 2.0\n'))


def test_overlapping_rooms_and_bad_toml_are_rejected(tmp_path):
    overlap = ('[[rooms]]\nid = "annex"\ntitle = "room.lobby"\nrect = [0.0, 0.0, 4.0, 4.0]\n'
               'floor = [0.5, 0.5, 0.5]\nwall = [0.5, 0.5, 0.5]\n')
    with pytest.raises(LayoutError, match="'lobby' and 'annex' overlap"):
        load_layout(_write(tmp_path, overlap))
    broken = tmp_path / "broken.toml"
    broken.write_text("rooms = [", "utf-8")
    with pytest.raises(LayoutError, match="toml"):
        load_layout(broken)
