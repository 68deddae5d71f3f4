"""``vbranch bench server``: a real server process and N real websocket clients, measured from the outside.

Why two processes: the server must be measured as deployed (its own interpreter, its own GIL); the
clients share one asyncio process, as in STACK.md's reference numbers, so at 1,000 clients the client
side is a large share of the latency. Every learner times each ``delta`` from the server's ``ts``
stamp (taken when the tick began) to its own receipt: that is tick compute + encode + broadcast +
kernel + the client's event loop. CPU seconds of both processes are reported so the time can be
placed. Rooms hold ``room_size`` learners and one teacher; the market runs at ``speed`` (5: every tick
moves it, the worst case for delta traffic).
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vbranch.server.client import ClassroomClient

__all__ = ["TICK_HZ", "percentile", "run_bench"]

TICK_HZ = 20.0
_CONNECT_CONCURRENCY = 50


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100.0 * len(ordered)) - 1))]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _start_server(port: int, db: Path) -> subprocess.Popen:
    import socket

    proc = subprocess.Popen([sys.executable, "-m", "vbranch.world.cli", "serve", "--port", str(port),
                             "--db", str(db), "--max-conns-per-ip", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise TimeoutError("server did not start")


class _Meter:
    """Counts what learners receive while ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.latencies_ms: list[float] = []
        self.messages = self.bytes = self.deltas = 0

    def __call__(self, msg: dict, n_bytes: int) -> None:
        if not self.on:
            return
        self.messages += 1
        self.bytes += n_bytes
        if msg["type"] == "delta" and "ts" in msg:
            self.deltas += 1
            self.latencies_ms.append(time.time() * 1000.0 - msg["ts"])


async def _load(url: str, clients: int, seconds: float, room_size: int, speed: float, server_pid: int) -> dict:
    meter = _Meter()
    n_rooms = max(1, math.ceil(clients / room_size))
    teachers, codes = [], []
    for r in range(n_rooms):
        teacher = ClassroomClient(url, f"T{r}", role="teacher", reconnect=False)
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", seed=r + 1, duration_s=seconds + 120,
                              tick_hz=TICK_HZ)
        codes.append((await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"])
        teachers.append(teacher)
    gate = asyncio.Semaphore(_CONNECT_CONCURRENCY)

    async def join(i: int) -> ClassroomClient:
        async with gate:
            learner = ClassroomClient(url, f"L{i}", join_code=codes[i // room_size], on_message=meter,
                                      reconnect=False)
            await learner.connect(timeout_s=30)
            return learner

    t0 = time.monotonic()
    learners = await asyncio.gather(*(join(i) for i in range(clients)))
    connect_s = time.monotonic() - t0
    gc.freeze()  # the clients' welcome snapshots stay alive: keep them out of gen-2 collections
    for teacher in teachers:
        await teacher.teacher("start")
        await teacher.teacher("set_speed", speed=speed)
    await asyncio.sleep(1.0)  # warm-up: first full deltas, leaderboards
    cpu_server, cpu_client = _cpu_s(server_pid), time.process_time()
    meter.on, t_start = True, time.monotonic()
    await asyncio.sleep(seconds)
    meter.on, elapsed_s = False, time.monotonic() - t_start
    cpu_server, cpu_client = _cpu_s(server_pid) - cpu_server, time.process_time() - cpu_client
    for c in [*learners, *teachers]:
        await c.close()
    ticks = elapsed_s * TICK_HZ
    return {
        "clients": clients, "rooms": n_rooms, "seconds": round(elapsed_s, 2), "speed": speed,
        "p50_ms": round(percentile(meter.latencies_ms, 50), 2), "p99_ms": round(percentile(meter.latencies_ms, 99), 2),
        "max_ms": round(max(meter.latencies_ms, default=0.0), 2),
        "msgs_per_s": round(meter.messages / elapsed_s, 1),
        "deltas_per_client_s": round(meter.deltas / clients / elapsed_s, 2),
        "bytes_per_client_tick": round(meter.bytes / clients / ticks, 1),
        "server_cpu_pct": round(100.0 * cpu_server / elapsed_s, 1),
        "client_cpu_pct": round(100.0 * cpu_client / elapsed_s, 1),
        "connect_s": round(connect_s, 2),
    }


def run_bench(clients: int = 200, seconds: float = 10.0, room_size: int = 40, speed: float = 5.0) -> dict:
    """Start a server process on a free loopback port, load it, stop it; returns the measurements."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        proc = _start_server(port, Path(tmp) / "bench.sqlite3")
        try:
            return asyncio.run(_load(f"ws://127.0.0.1:{port}", clients, seconds, room_size, speed, proc.pid))
        finally:
            proc.kill()
            proc.wait(timeout=10)
