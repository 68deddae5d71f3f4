"""The kill -9 restart test of ``test_server_restart``, with the journal in a real Postgres server."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: the backing-services helpers

from backing_services import fresh_database, pg_cluster  # noqa: E402, F401 - pg_cluster is a fixture
from server_process import free_port, kill, start_server  # noqa: E402
from test_server_restart import (  # noqa: E402
    test_acknowledged_orders_survive_kill_9_and_resume_tokens_restore_seats as _restart_contract,
)


@pytest.fixture
def server(tmp_path, pg_cluster):  # noqa: F811
    """``conftest.server`` with ``--db postgresql://…``: the same ``(url, start, procs)``."""
    db_url, port, procs = fresh_database(pg_cluster, "restart_e2e"), free_port(), []

    def start():
        proc = start_server(db_url, port, tmp_path / "server.log")
        procs.append(proc)
        return proc

    start()
    try:
        yield f"ws://127.0.0.1:{port}", start, procs
    finally:
        for proc in procs:
            kill(proc)


def test_acknowledged_orders_survive_kill_9_on_postgres(server, tmp_path):
    _restart_contract(server)
    log = (tmp_path / "server.log").read_text()
    assert log.count("journal in Postgres") == 2 and "restored 1 rooms" in log  # both runs, no SQLite fallback
