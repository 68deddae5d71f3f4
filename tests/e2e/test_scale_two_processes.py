"""Two real server processes, one real redis-server: a learner at the wrong door is sent to the right one,
the district board reads the same from either process, and a killed process leaves the directory by itself."""

import asyncio
import json
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: the backing-services helpers

from backing_services import redis_server  # noqa: E402
from server_process import free_port, kill, start_server  # noqa: E402

from vbranch.server.client import ClassroomClient, JoinRefused  # noqa: E402
from vbranch.server.scale_redis import RedisScale  # noqa: E402

TTL_S = 1.5


@pytest.fixture
def two_servers(tmp_path):
    """``(redis url, (url A, url B), (proc A, proc B))``: own SQLite journals, one Redis, a short directory TTL."""
    with redis_server() as redis_url:
        procs, urls = [], []
        try:
            for name in ("a", "b"):
                port = free_port()
                procs.append(start_server(tmp_path / f"{name}.sqlite3", port, tmp_path / f"{name}.log",
                                          "--redis", redis_url, "--redis-ttl", str(TTL_S), "--board", "cup",
                                          "--allowed-host", "class.example", "--allowed-host", "Hall.Example"))
                urls.append(f"ws://127.0.0.1:{port}")
            yield redis_url, tuple(urls), tuple(procs)
        finally:
            for proc in procs:
                kill(proc)


def _board(http_url):
    with urllib.request.urlopen(http_url, timeout=5) as response:
        return json.loads(response.read())


def _status(http_url, host):
    try:
        with urllib.request.urlopen(urllib.request.Request(http_url, headers={"Host": host}), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def _poll(fn, predicate, timeout_s=10.0, every_s=0.1):
    deadline = time.monotonic() + timeout_s
    while True:
        value = await asyncio.to_thread(fn)
        if predicate(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(value)
        await asyncio.sleep(every_s)


def test_a_learner_joining_process_b_is_seated_in_process_a_and_a_dead_a_leaves_the_directory(two_servers, tmp_path):
    redis_url, (url_a, url_b), (proc_a, proc_b) = two_servers
    board_via_b = url_b.replace("ws://", "http://") + "/board/cup.json?n=10"
    observer = RedisScale(redis_url)

    async def scenario():
        teacher = ClassroomClient(url_a, "Teacher", role="teacher")
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", seed=6)
        code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
        room = teacher.mirror.room
        await _poll(lambda: observer.room_for_code(code), lambda found: found is not None, timeout_s=5)
        relay = observer.relay([room])

        ann = ClassroomClient(url_b, "Ann", join_code=code)
        welcome = await ann.connect()
        await teacher.teacher("start")
        coid = await ann.send_order("510300", "buy", qty=800, stop_pct=4.0)
        fill = await ann.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid)
        await teacher.teacher("leaderboard")
        board = await _poll(lambda: _board(board_via_b), lambda b: any(line["name"] == "Ann" for line in b["lines"]))
        published = await asyncio.to_thread(relay.poll, 2.0)
        relay.close()
        hosts = {host: await asyncio.to_thread(_status, board_via_b, host)
                 for host in ("class.example", "hall.example:80", "evil.example")}

        for c in (ann, teacher):
            await c.close()
        kill(proc_a, signal.SIGKILL)
        killed_at = time.monotonic()
        await _poll(lambda: observer.room_address(room), lambda found: found is None, timeout_s=TTL_S + 5, every_s=0.05)
        gone_after_s = time.monotonic() - killed_at
        late = ClassroomClient(url_b, "Bo", join_code=code)
        try:
            await late.connect()
            late_outcome = "seated"
        except JoinRefused as exc:
            late_outcome = exc.code

        teacher_b = ClassroomClient(url_b, "Teacher B", role="teacher")  # a room on B, then B stops cleanly
        await teacher_b.connect()
        room_b = teacher_b.mirror.room
        await _poll(lambda: observer.room_address(room_b), lambda found: found is not None, timeout_s=5)
        await teacher_b.close()
        proc_b.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc_b.wait, 10)
        b_left = observer.room_address(room_b)  # right away: its entry had ≥ 1 s of TTL left
        return room, welcome, ann, fill, board, published, hosts, gone_after_s, late_outcome, (proc_b.returncode,
                                                                                              b_left)

    room, welcome, ann, fill, board, published, hosts, gone_after_s, late_outcome, b_stop = asyncio.run(scenario())
    observer.close()
    assert ann.redirects == 1 and ann.url == url_a and welcome["room"] == room
    assert fill["qty"] == 800 and ann.mirror.positions == {"510300": 800}
    lines = [(line["room"], line["name"]) for line in board["lines"]]
    assert lines == [(room, "Ann")] and board["board"] == "cup"
    kinds = {json.loads(frame)["type"] for _, frame in published}
    assert "delta" in kinds and all(r == room for r, _ in published)  # A's room, fanned out through Redis
    assert hosts == {"class.example": 200, "hall.example:80": 200, "evil.example": 403}  # --allowed-host, twice
    assert gone_after_s <= TTL_S + 0.5, gone_after_s  # a dead process stops refreshing: gone within the TTL
    assert late_outcome == "bad_join"  # B no longer sends anyone to the dead address
    assert b_stop == (0, None)  # a clean stop takes its rooms out of the directory at once
    log_b = (tmp_path / "b.log").read_text()
    assert "this process is ws://127.0.0.1:" in log_b and "unreachable" not in log_b
