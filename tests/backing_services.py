"""Real ``postgres`` and ``redis-server`` processes for tests, in a temp dir on a free loopback port.

Why real processes and not mocks: the journal's promise (committed before the ack) and Redis' TTLs and
pub/sub are properties of the servers, not of our calls. Postgres refuses to run as root, so as root
the cluster is owned by and run as the ``postgres`` user (the Debian package creates it), else
``nobody``. Tests skip, with the reason, only when the binaries are not installed (``make`` installs them).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["free_port", "pg_bin_dir", "postgres_server", "redis_server", "fresh_database", "pg_cluster", "redis_url"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, what: str, log: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} on port {port} not ready in {timeout_s} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def pg_bin_dir() -> Path | None:
    """Where ``initdb``/``postgres`` live (PATH, else Debian's /usr/lib/postgresql/<version>/bin)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _run_as() -> tuple[list[str], pwd.struct_passwd | None]:
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return ["runuser", "-u", name, "--"], pwd.getpwnam(name)
    pytest.skip("running as root and neither a 'postgres' nor a 'nobody' user exists to run postgres")


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away cluster; yields the URL of its ``postgres`` database (user ``vbranch``, trust auth)."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        pytest.skip("postgres binaries not found (apt-get install postgresql; `make deps` installs them)")
    prefix, user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="vbranch-pg-"))  # not pytest's tmp: it is 0700 root, unreadable to postgres
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    data, log = root / "data", root / "postgres.log"
    subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "vbranch", "--auth=trust",
                    "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([*prefix, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                                 "-k", str(root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"postgresql://vbranch@127.0.0.1:{port}/postgres"
    try:
        _wait_for_port(port, proc, "postgres", log)
        _wait_until_accepting(url)
        yield url
    finally:
        _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_accepting(url: str, timeout_s: float = 30.0) -> None:
    """The port opens before startup ends ("the database system is starting up"): wait for a session."""
    import psycopg

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def fresh_database(admin_url: str, name: str) -> str:
    """Create an empty database ``name`` on the cluster of ``admin_url``; returns its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away ``redis-server`` without persistence; yields ``redis://127.0.0.1:PORT/0``."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not found (apt-get install redis-server; `make deps` installs it)")
    root = Path(tempfile.mkdtemp(prefix="vbranch-redis-"))
    port, log = free_port(), root / "redis.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(root)], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """One Postgres cluster for the session (initdb costs ~1 s); tests make their own databases in it."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """One redis-server for the session; tests use their own key prefixes or FLUSHDB."""
    with redis_server() as url:
        yield url
