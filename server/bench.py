"""``vbranch bench server``: a real server process and N real websocket clients, measured from the outside.

Why separate processes: the server must be measured as deployed (its own interpreter, its own GIL). The
clients run in ``client_procs`` asyncio processes (2 by default, whole rooms each): in one process, 1,000
clients kept a core at 70-95% and their own event loop's queueing became most of the measured latency,
while real learners each have a device of their own. The client side is still part of every number.
Every learner times each ``delta`` from the server's ``ts`` stamp (taken when the tick began) to its
own receipt: that is tick compute + encode + broadcast + kernel + the client's event loop. CPU seconds of
the server and of all client processes are reported so the time can be placed. Rooms hold ``room_size``
learners and one teacher; the market runs at ``speed`` (5: every tick moves it, the worst case for delta
traffic).
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from vbranch.server.client import ClassroomClient

__all__ = ["TICK_HZ", "percentile", "run_bench"]

TICK_HZ = 20.0
_CONNECT_CONCURRENCY = 50
# Frames each bench learner keeps for ``wait_for`` (it waits for nothing once joined). With the default 256,
# 1,000 learners in this one process held 256k decoded frames; the load generator's full GC collections
# then grew to 200 ms every 1.5 s, and that stall of the *clients* was the whole of the p99.
_LEARNER_RECENT = 4


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


def _rooms_of(worker: int, workers: int, clients: int, room_size: int) -> list[tuple[int, int]]:
    """(room number, learners in it) for one client process: whole rooms, dealt round-robin."""
    n_rooms = max(1, math.ceil(clients / room_size))
    sizes = [min(room_size, clients - r * room_size) for r in range(n_rooms)]
    return [(r, sizes[r]) for r in range(worker, n_rooms, workers)]


async def _load(url: str, rooms: list[tuple[int, int]], seconds: float, speed: float, barrier) -> dict:
    """One client process: open its rooms, then keep step with the others at ``barrier`` (all joined;
    the measured window opens; it closes) so every process measures the same seconds."""
    meter = _Meter()
    teachers, codes = [], []
    for r, _ in rooms:
        teacher = ClassroomClient(url, f"T{r}", role="teacher", reconnect=False)
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", seed=r + 1, duration_s=seconds + 120,
                              tick_hz=TICK_HZ)
        codes.append((await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"])
        teachers.append(teacher)
    gate = asyncio.Semaphore(_CONNECT_CONCURRENCY)

    async def join(code: str, r: int, i: int) -> ClassroomClient:
        async with gate:
            learner = ClassroomClient(url, f"L{r}-{i}", join_code=code, on_message=meter, reconnect=False,
                                      keep_recent=_LEARNER_RECENT)
            await learner.connect(timeout_s=30)
            return learner

    t0 = time.monotonic()
    learners = await asyncio.gather(*(join(code, r, i) for code, (r, n) in zip(codes, rooms, strict=True)
                                      for i in range(n)))
    connect_s = time.monotonic() - t0
    gc.freeze()  # the clients' welcome snapshots stay alive: keep them out of gen-2 collections
    await asyncio.to_thread(barrier.wait)  # every process has joined its learners
    for teacher in teachers:
        await teacher.teacher("start")
        await teacher.teacher("set_speed", speed=speed)
    await asyncio.sleep(1.0)  # warm-up: first full deltas, leaderboards
    await asyncio.to_thread(barrier.wait)
    cpu = time.process_time()
    meter.on, t_start = True, time.monotonic()
    await asyncio.sleep(seconds)
    meter.on, elapsed_s = False, time.monotonic() - t_start
    cpu = time.process_time() - cpu
    await asyncio.to_thread(barrier.wait)
    for c in [*learners, *teachers]:
        await c.close()
    return {"latencies_ms": meter.latencies_ms, "messages": meter.messages, "bytes": meter.bytes,
            "deltas": meter.deltas, "cpu_s": cpu, "elapsed_s": elapsed_s, "connect_s": connect_s}


def _worker(url: str, rooms: list[tuple[int, int]], seconds: float, speed: float, barrier, results) -> None:
    """A client process's entry point (multiprocessing, spawned)."""
    try:
        results.put(asyncio.run(_load(url, rooms, seconds, speed, barrier)))
    except BaseException as exc:
        barrier.abort()  # the others stop waiting instead of hanging
        results.put({"error": f"{type(exc).__name__}: {exc}"})


def _measure(url: str, clients: int, seconds: float, room_size: int, speed: float, server_pid: int,
             client_procs: int) -> dict:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    n_rooms = max(1, math.ceil(clients / room_size))
    workers = max(1, min(client_procs, n_rooms))
    barrier, results = ctx.Barrier(workers + 1), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, _rooms_of(w, workers, clients, room_size), seconds, speed,
                                                barrier, results), daemon=True) for w in range(workers)]
    for proc in procs:
        proc.start()
    try:
        barrier.wait(timeout=120)  # joined
        barrier.wait(timeout=30)  # the window opens
        cpu_server = _cpu_s(server_pid)
        barrier.wait(timeout=seconds + 30)  # it closes
        cpu_server = _cpu_s(server_pid) - cpu_server
    except threading.BrokenBarrierError:
        cpu_server = 0.0
    parts = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    errors = [p["error"] for p in parts if "error" in p]
    if errors:
        raise RuntimeError(f"a client process failed: {errors[0]}")
    latencies = [v for p in parts for v in p["latencies_ms"]]
    elapsed_s = max(p["elapsed_s"] for p in parts)
    ticks = elapsed_s * TICK_HZ
    return {
        "clients": clients, "rooms": n_rooms, "client_processes": workers, "seconds": round(elapsed_s, 2),
        "speed": speed,
        "p50_ms": round(percentile(latencies, 50), 2), "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies, default=0.0), 2),
        "msgs_per_s": round(sum(p["messages"] for p in parts) / elapsed_s, 1),
        "deltas_per_client_s": round(sum(p["deltas"] for p in parts) / clients / elapsed_s, 2),
        "bytes_per_client_tick": round(sum(p["bytes"] for p in parts) / clients / ticks, 1),
        "server_cpu_pct": round(100.0 * cpu_server / elapsed_s, 1),
        "client_cpu_pct": round(100.0 * sum(p["cpu_s"] for p in parts) / elapsed_s, 1),
        "connect_s": round(max(p["connect_s"] for p in parts), 2),
    }


def run_bench(clients: int = 200, seconds: float = 10.0, room_size: int = 40, speed: float = 5.0,
              client_procs: int = 2) -> dict:
    """Start a server process on a free loopback port, load it from ``client_procs`` client processes
    (whole rooms each), stop it; returns the measurements."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        proc = _start_server(port, Path(tmp) / "bench.sqlite3")
        try:
            return _measure(f"ws://127.0.0.1:{port}", clients, seconds, room_size, speed, proc.pid, client_procs)
        finally:
            proc.kill()
            proc.wait(timeout=10)
