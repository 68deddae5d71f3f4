"""Shared fixtures. Market CSVs are read from ``shared/data/market`` beside the repo, never copied in."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def market_data_dir() -> Path:
    """The shared market data directory; skips the test when it is not checked out."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"
    if not path.is_dir():
        pytest.skip(f"market data not found at {path} (check out shared/ beside the repository)")
    return path


@pytest.fixture(autouse=True)
def _learner_logs_in_tmp(tmp_path_factory, monkeypatch):
    """Decision logs (advisor A/B, cooling-off) go to a temp dir, never the developer's state dir."""
    monkeypatch.setenv("VBRANCH_STATE", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.fixture(scope="session")
def base():
    """The one offscreen Panda3D engine of the test process (ShowBase can start only once)."""
    import builtins

    existing = getattr(builtins, "base", None)
    if existing is not None:
        yield existing
        return
    from vbranch.world.engine import EngineConfig, start_showbase

    yield start_showbase(EngineConfig(offscreen=True, width=640, height=360))


@pytest.fixture
def scene(base):
    """A fresh node under ``render`` for one test, removed afterwards."""
    node = base.render.attach_new_node("test-scene")
    yield node
    node.remove_node()
