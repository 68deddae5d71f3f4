import pytest

from vbranch.scenes.layout import load_layout
from vbranch.world.desktop_controls import LearnerPose, walk
from vbranch.world.help_call import HelpWalk, heading_towards, help_spot, route


@pytest.fixture(scope="module")
def layout():
    return load_layout()


def test_heading_towards_uses_panda_convention():
    assert heading_towards((0, 0), (0, 1)) == pytest.approx(0.0)
    assert heading_towards((0, 0), (-1, 0)) == pytest.approx(90.0)
    assert abs(heading_towards((0, 0), (0, -1))) == pytest.approx(180.0)


def test_help_spot_is_in_front_of_the_learner_and_walkable(layout):
    x, y = help_spot(layout, (0.0, 14.0), 0.0)
    assert (x, y) == pytest.approx((0.0, 15.3))
    # facing a wall: the advisor still ends up somewhere walkable near the learner
    x, y = help_spot(layout, (0.0, 25.0), 0.0)
    assert layout.walkable(x, y, margin=0.45) and abs(x) + abs(y - 25.0) < 2.0


def test_route_goes_through_the_doors(layout):
    assert route(layout, (10.0, 6.0), (12.0, 20.0)) == [(6.0, 5.0), (0.0, 10.0), (8.0, 18.0), (12.0, 20.0)]
    assert route(layout, (1.0, 1.0), (2.0, 2.0)) == [(2.0, 2.0)]


def test_advisor_walks_the_route_and_faces_the_learner_on_arrival(layout):
    walker = HelpWalk(10.0, 6.0, 180.0, speed_mps=1.6)
    walker.call(route(layout, (10.0, 6.0), (0.0, 13.0)), face=(0.0, 12.0))
    arrived_at = None
    for frame in range(2000):
        if walker.tick(1 / 60):
            arrived_at = frame
            break
        assert layout.walkable(walker.x, walker.y, margin=0.0)
    path_m = 4.123 + 7.810 + 3.0  # desk → lobby door → floor door → the spot
    assert arrived_at == pytest.approx(path_m / 1.6 * 60, rel=0.02)
    assert (walker.x, walker.y) == pytest.approx((0.0, 13.0)) and abs(walker.heading_deg) == pytest.approx(180.0)


def test_walking_into_a_wall_slides_along_it(layout):
    pose = LearnerPose(3.0, 9.5, heading_deg=-45.0)  # facing north-east, just south of the lobby's north wall
    moved = walk(pose, 1.0, 0.0, 0.5, 2.0, layout.walkable)
    assert moved.y == pytest.approx(9.5) and moved.x > 3.0
    assert walk(pose, 0.0, 0.0, 0.5, 2.0, layout.walkable) is pose
