"""Start a real ``serve`` process on a free loopback port and wait until it accepts connections."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"server on port {port} not ready in {timeout_s} s")


def start_server(db: Path, port: int, log_path: Path, *extra: str) -> subprocess.Popen:
    """``vbranch serve`` in a child process."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process by the caller's kill
    proc = subprocess.Popen([sys.executable, "-m", "vbranch.world.cli", "-v", "serve", "--port", str(port),
                             "--db", str(db), *extra], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_for_port(port, proc)
    except BaseException:
        kill(proc)
        raise
    return proc


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        proc.wait(timeout=10)


@contextlib.contextmanager
def restartable_server(db, port: int, log_path: Path):
    """``(url, start, procs)``: a running server; ``start()`` (re)starts it on the same port and DB."""
    procs: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = start_server(db, port, log_path)
        procs.append(proc)
        return proc

    start()
    try:
        yield f"ws://127.0.0.1:{port}", start, procs
    finally:
        for proc in procs:
            kill(proc)
