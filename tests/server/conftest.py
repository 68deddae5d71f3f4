"""The ``classroom`` fixture: a crash-scenario contest with a teacher joined."""

import pytest
from room_helpers import Classroom


@pytest.fixture
def classroom():
    return Classroom(scenario="crash", starting_cash=100000)
