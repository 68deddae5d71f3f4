"""Fixtures for tests that start real server processes (always killed at the end)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from chromium import open_browser  # noqa: E402
from server_process import free_port, restartable_server  # noqa: E402


@pytest.fixture
def server(tmp_path):
    """A running server: ``(url, start)``; ``start()`` (re)starts it on the same port and DB."""
    with restartable_server(tmp_path / "journal.sqlite3", free_port(), tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def browser():
    """Headless Chromium, closed at the end (tests that use it are marked ``chromium.needs_chromium``)."""
    driver = open_browser()
    try:
        yield driver
    finally:
        driver.quit()
