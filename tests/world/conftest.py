"""One offscreen Panda3D engine per test process (ShowBase can start only once)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def base():
    from vbranch.world.engine import EngineConfig, start_showbase

    showbase = start_showbase(EngineConfig(offscreen=True, width=640, height=360))
    yield showbase


@pytest.fixture
def scene(base):
    """A fresh node under ``render`` for one test, removed afterwards."""
    node = base.render.attach_new_node("test-scene")
    yield node
    node.remove_node()
