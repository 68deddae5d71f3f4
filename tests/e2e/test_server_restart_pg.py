"""The kill -9 restart test of ``test_server_restart``, with the journal in a real Postgres server."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: the backing-services helpers

from backing_services import fresh_database, pg_cluster  # noqa: E402, F401 - pg_cluster is a fixture
from server_process import free_port, restartable_server  # noqa: E402
from test_server_restart import (  # noqa: E402
    test_acknowledged_orders_survive_kill_9_and_resume_tokens_restore_seats as _restart_contract,
)


@pytest.fixture
def server(tmp_path, pg_cluster):  # noqa: F811
    """``conftest.server`` with ``--db postgresql://…``: the same ``(url, start, procs)``."""
    with restartable_server(fresh_database(pg_cluster, "restart_e2e"), free_port(), tmp_path / "server.log") as running:
        yield running


def test_acknowledged_orders_survive_kill_9_on_postgres(server, tmp_path):
    _restart_contract(server)
    log = (tmp_path / "server.log").read_text()
    assert log.count("journal in Postgres") == 2 and "restored 1 rooms" in log  # both runs, no SQLite fallback
