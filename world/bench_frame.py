"""``vbranch bench frame``: what one frame costs on the Python side, and how soon the first one shows.

The scene is the busiest the branch gets: the trading floor with 500 instruments on the market wall
and 30 classmates walking about (poses arriving at 15 Hz, interpolated every frame), offscreen.
``python_update_ms`` is the frame's Python work — reading the market's state, writing the wall,
hologram, panel, advisor and crowd into the scene graph — and excludes the GL draw and the market's own
step (a core cost, reported as ``market_step_ms``; in a classroom the server pays it). ``render_ms``
is the draw itself, timed with ``glFinish`` so software GL can't hide its work; on these machines
(Mesa llvmpipe) it says nothing about a headset's GPU. Targets: Python p99 ≤ 1.5 ms (a 90 Hz VR frame
is 11.1 ms), first frame ≤ 3 s from process start.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

__all__ = ["bench_frame", "process_age_s"]

POSE_RATE_HZ = 15.0
FPS = 60.0


def process_age_s() -> float:
    """Seconds since this process started (Linux /proc), so start-up before ``main`` is counted too."""
    try:
        with open(f"/proc/{os.getpid()}/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime_s = float(f.read().split()[0])
        return uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


def _walker(i: int, t_s: float) -> tuple[tuple[float, float, float], float]:
    """Classmate ``i`` strolls a circle on the trading floor; returns position and heading."""
    cx, cy = -4.0 + (i % 6) * 1.6, 13.0 + (i // 6) * 1.8
    w = 0.35 + 0.03 * i
    a = w * t_s + i
    x, y = cx + 0.6 * math.cos(a), cy + 0.6 * math.sin(a)
    return (x, y, 0.0), math.degrees(a) + 180.0


def bench_frame(frames: int = 300, instruments: int = 500, avatars: int = 30, width: int = 1280,
                height: int = 720, speed: float = 30.0, seed: int = 0) -> dict:
    from vbranch.world.bench_scene import synthetic_market
    from vbranch.world.engine import EngineConfig, gl_finish, gl_renderer, start_showbase
    from vbranch.world.options import RunOptions

    if frames < 10:
        raise ValueError(f"--frames must be at least 10, got {frames}")
    base = start_showbase(EngineConfig(offscreen=True, width=width, height=height))
    from vbranch.world.app import BranchApp
    from vbranch.world.crowd import Crowd

    market = synthetic_market(instruments, seed=seed)
    app = BranchApp(base, RunOptions(view="floor", speed=speed, seed=seed), market=market)
    crowd = Crowd(app.world, max_avatars=max(avatars, 1))
    for i in range(avatars):  # classmates join before the measured frames (building an avatar is ~6 ms, once)
        pos, heading = _walker(i, 0.0)
        crowd.push(i, 0.0, pos, heading)
    dt = 1.0 / FPS
    next_pose_t = 0.0
    python_ms, render_ms, market_ms = [], [], []
    first_frame_s = None
    for frame in range(frames):
        now = frame * dt
        t_market = time.perf_counter()
        events = market.step(dt)  # the core's work, reported apart: it runs on the server in multiplayer
        t0 = time.perf_counter()
        market_ms.append((t0 - t_market) * 1e3)
        if now >= next_pose_t:  # the network's 15 Hz pose relay, stamped with the sender's time
            for i in range(avatars):
                pos, heading = _walker(i, now)
                crowd.push(i, now, pos, heading)
            next_pose_t += 1.0 / POSE_RATE_HZ
        app.update_scene(events, dt, now)
        crowd.update(now)
        t1 = time.perf_counter()
        base.graphicsEngine.render_frame()
        gl_finish()
        t2 = time.perf_counter()
        if first_frame_s is None:
            first_frame_s = process_age_s()
        python_ms.append((t1 - t0) * 1e3)
        render_ms.append((t2 - t1) * 1e3)
    warm = slice(min(10, frames // 10), None)  # the first frames upload textures and glyphs
    py = np.asarray(python_ms[warm])
    rd = np.asarray(render_ms[warm])
    return {
        "frames": frames,
        "instruments": instruments,
        "remote_avatars": avatars,
        "resolution": f"{width}x{height}",
        "renderer": gl_renderer(base),
        "python_update_ms_p50": round(float(np.percentile(py, 50)), 3),
        "python_update_ms_p99": round(float(np.percentile(py, 99)), 3),
        "python_update_ms_max": round(float(py.max()), 3),
        "render_ms_p50": round(float(np.percentile(rd, 50)), 2),
        "market_step_ms_p50": round(float(np.percentile(np.asarray(market_ms[warm]), 50)), 3),
        "market_speed": speed,
        "first_frame_s": round(float(first_frame_s), 3),
        "market_days_simulated": market.day,
    }
