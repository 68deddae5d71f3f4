"""Fixtures for tests that start real server processes (always killed at the end)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from server_process import free_port, kill, start_server  # noqa: E402


@pytest.fixture
def server(tmp_path):
    """A running server: ``(url, start)``; ``start()`` (re)starts it on the same port and DB."""
    port, procs = free_port(), []

    def start():
        proc = start_server(tmp_path / "journal.sqlite3", port, tmp_path / "server.log")
        procs.append(proc)
        return proc

    start()
    try:
        yield f"ws://127.0.0.1:{port}", start, procs
    finally:
        for proc in procs:
            kill(proc)
