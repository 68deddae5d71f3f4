"""A process's Redis link against a real redis-server: directory refresh, board coalescing, fan-out, outages."""

import asyncio
import contextlib
import itertools
import logging
import shutil
import socket
import subprocess
import time

import pytest
from backing_services import free_port, redis_url  # noqa: F401 - a fixture
from room_helpers import Classroom

from vbranch.server.lobby import Lobby
from vbranch.server.messages import Leaderboard
from vbranch.server.scale_link import RETRY_S, ScaleLink, ScaleSettings, board_json, board_request
from vbranch.server.scale_redis import RedisScale

_prefixes = itertools.count(1)
ME = "ws://127.0.0.1:7001"


@pytest.fixture
def prefix():
    return f"link{next(_prefixes)}"


def _lobby_with_room():
    """A lobby holding the ``Classroom`` helper's room (contest created, not started: its code is open)."""
    lobby, c = Lobby(), Classroom(scenario="crash", starting_cash=100000)
    lobby.add_room(c.room)
    return lobby, c


async def _until(predicate, timeout_s=3.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.02)
    return time.monotonic()


def test_the_directory_follows_the_rooms_and_their_open_codes_and_empties_on_a_clean_stop(redis_url, prefix):  # noqa: F811
    observer = RedisScale(redis_url, prefix=prefix)
    lobby, c = _lobby_with_room()

    async def main():
        link = ScaleLink(ScaleSettings(redis_url, ttl_s=3.0, prefix=prefix), lobby)
        await link.start(ME)
        await _until(lambda: observer.room_for_code(c.join_code) is not None)
        seen = observer.room_for_code(c.join_code)
        c.teacher("end")
        t0 = time.monotonic()
        link.note_room(c.room)  # what the shell calls after a frame: the code closed, refresh now
        closed_after_s = await _until(lambda: observer.room_for_code(c.join_code) is None) - t0
        still_there = observer.room_address("r1")
        await link.stop()
        return seen, closed_after_s, still_there, link.directory_syncs

    seen, closed_after_s, still_there, syncs = asyncio.run(main())
    assert (seen.room_id, seen.address) == ("r1", ME)
    assert closed_after_s < 0.5  # not at the next refresh (1 s), at once
    assert still_there.address == ME and syncs >= 2
    assert observer.room_address("r1") is None  # the clean stop took it out
    observer.close()


def test_leaderboards_are_coalesced_per_room_and_the_newest_is_posted(redis_url, prefix):  # noqa: F811
    observer = RedisScale(redis_url, prefix=prefix)

    async def main():
        link = ScaleLink(ScaleSettings(redis_url, prefix=prefix, board="cup", board_period_s=0.3), Lobby())
        await link.start(ME)
        for score in (10.0, 20.0, 30.0):  # three boards within one period: one post, the last one
            link.note_leaderboard("r1", Leaderboard([{"name": "Ann", "score": score}, {"name": "Bo", "score": 5.0}],
                                                    0.0))
        link.note_leaderboard("r2", Leaderboard([{"name": "Cai", "score": 25.0}], 0.0))
        await _until(lambda: link.boards_posted >= 2)
        await asyncio.sleep(0.4)
        await link.stop()
        return link.boards_posted

    posted = asyncio.run(main())
    assert posted == 2  # two rooms, one flush
    assert [(b.room_id, b.name, b.score) for b in observer.top("cup", 5)] == [
        ("r1", "Ann", 30.0), ("r2", "Cai", 25.0), ("r1", "Bo", 5.0)]
    observer.close()


def test_public_frames_reach_the_room_channel_in_order(redis_url, prefix):  # noqa: F811
    observer = RedisScale(redis_url, prefix=prefix)
    relay = observer.relay(["r1"])
    relay.poll(timeout_s=0.2)

    async def main():
        link = ScaleLink(ScaleSettings(redis_url, prefix=prefix), Lobby())
        await link.start(ME)
        for tick in range(300):
            link.note_public("r1", f'{{"type":"delta","tick":{tick}}}')
            if tick % 20 == 0:
                await asyncio.sleep(0.01)
        await _until(lambda: link.frames_published == 300)
        await link.stop()
        return link.frames_dropped

    assert asyncio.run(main()) == 0
    got = []
    while len(got) < 300:
        batch = relay.poll(timeout_s=1.0)
        assert batch, f"only {len(got)} frames arrived"
        got += batch
    assert [frame for _, frame in got] == [f'{{"type":"delta","tick":{t}}}' for t in range(300)]
    relay.close()
    observer.close()


def test_a_lookup_finds_another_process_room_but_never_sends_a_learner_back_here(redis_url, prefix):  # noqa: F811
    other = RedisScale(redis_url, prefix=prefix)
    other.register_room("far", "ws://10.1.1.1:8765", join_code="FAR7777")
    other.register_room("mine", ME, join_code="MIN7777")  # a stale entry naming this very process

    async def main():
        link = ScaleLink(ScaleSettings(redis_url, prefix=prefix), Lobby())
        await link.start(ME)
        found = (await link.lookup(None, "far-7777"), await link.lookup("far", None), await link.lookup("mine", None),
                 await link.lookup(None, "NONE777"))
        await link.stop()
        return found

    by_code, by_room, mine, unknown = asyncio.run(main())
    assert by_code == by_room and (by_code.room_id, by_code.address) == ("far", "ws://10.1.1.1:8765")
    assert mine is None and unknown is None
    other.close()


def test_a_redis_that_never_answers_does_not_stall_the_event_loop(caplog):
    """A listening socket nobody serves: every round trip hangs until its timeout, in a worker thread."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(64)
    url = f"redis://127.0.0.1:{hole.getsockname()[1]}/0"
    lobby, c = _lobby_with_room()

    async def main():
        link = ScaleLink(ScaleSettings(url, timeout_s=0.3, ttl_s=0.6, board_period_s=0.1), lobby)
        await link.start(ME)
        loop = asyncio.get_running_loop()
        gaps, t_end = [], loop.time() + 2.0

        async def ticker():  # a 100 Hz room clock while the link keeps failing in the background
            last = loop.time()
            while loop.time() < t_end:
                await asyncio.sleep(0.01)
                gaps.append(loop.time() - last)
                last = loop.time()
                link.note_public("r1", '{"type":"delta"}')
                link.note_leaderboard("r1", Leaderboard([{"name": "Ann", "score": 1.0}], 0.0))
                link.note_room(c.room)

        clock = asyncio.create_task(ticker())
        lookups = []
        while not clock.done():  # learners keep asking for rooms of other processes
            t0 = loop.time()
            lookups.append((await link.lookup(None, "ABC1234"), loop.time() - t0))
            await asyncio.sleep(0.05)
        await link.stop()
        return max(gaps), lookups, link

    with caplog.at_level(logging.WARNING, logger="vbranch.server.scale_link"):
        max_gap_s, lookups, link = asyncio.run(main())
    hole.close()
    assert max_gap_s < 0.1, max_gap_s
    assert all(found is None for found, _ in lookups) and max(t for _, t in lookups) < 0.3 * 2 + 0.2
    assert not link.healthy and link.frames_published == 0 and link.frames_dropped > 50
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1  # said once, not at every retry


def _redis_on(port):
    return subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_after_an_outage_the_directory_comes_back_by_itself(caplog):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not found (apt-get install redis-server; `make deps` installs it)")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    lobby, c = _lobby_with_room()
    proc = None

    async def main():
        nonlocal proc
        link = ScaleLink(ScaleSettings(url, ttl_s=0.9, timeout_s=0.3), lobby)
        await link.start(ME)
        await asyncio.sleep(0.5)  # nothing listens: the refresh fails
        failed = not link.healthy
        proc = _redis_on(port)
        observer = RedisScale(url)
        t0 = time.monotonic()
        back_after_s = await _until(lambda: _quiet(observer.room_for_code, c.join_code), 5.0) - t0
        await link.stop()
        observer.close()
        return failed, back_after_s, link.healthy

    try:
        with caplog.at_level(logging.INFO, logger="vbranch.server.scale_link"):
            failed, back_after_s, healthy = asyncio.run(main())
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    assert failed and healthy
    assert back_after_s < RETRY_S + 0.3 + 1.0  # retry period + a timeout + the server's start
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1 and sum("reachable again" in m for m in messages) == 1


def _quiet(fn, *args):
    with contextlib.suppress(Exception):
        return fn(*args)
    return None


def test_the_board_route_parses_names_and_sizes_strictly():
    assert board_request("/board/spring-cup.json") == ("spring-cup", 10)
    assert board_request("/board/cup_2.json?n=500") == ("cup_2", 100) and board_request("/board/c.json?n=0") == ("c", 1)
    for bad in ("/board/.json", "/board/a/b.json", "/board/%2e%2e.json", "/board/cup", "/boards/cup.json", "/"):
        assert board_request(bad) is None, bad
    assert board_json("cup", []) == {"board": "cup", "lines": []}


def test_settings_refuse_an_advertised_address_that_is_not_a_websocket_url():
    with pytest.raises(ValueError, match="ws://"):
        ScaleSettings("redis://x", advertise="http://10.0.0.1:8765")
    with pytest.raises(ValueError, match="board"):
        ScaleSettings("redis://x", board="../etc")


def test_rooms_a_process_starts_with_are_announced_at_once_not_after_a_refresh_period(redis_url, prefix):  # noqa: F811
    observer = RedisScale(redis_url, prefix=prefix)
    lobby, c = _lobby_with_room()  # as if restored from the journal before the link started

    async def main():
        link = ScaleLink(ScaleSettings(redis_url, ttl_s=30.0, prefix=prefix), lobby)
        t0 = time.monotonic()
        await link.start(ME)
        announced_after_s = await _until(lambda: observer.room_address("r1") is not None) - t0
        await link.stop()
        return announced_after_s

    assert asyncio.run(main()) < 1.0  # the refresh period is 10 s
    observer.close()


def test_an_unloaded_room_leaves_the_directory_at_once_and_the_other_rooms_stay(redis_url, prefix):  # noqa: F811
    observer = RedisScale(redis_url, prefix=prefix)
    lobby, c = _lobby_with_room()
    other = Classroom(scenario="crash", starting_cash=100000)
    other.room.room_id = "r2"
    lobby.add_room(other.room)

    async def main():
        link = ScaleLink(ScaleSettings(redis_url, ttl_s=30.0, prefix=prefix), lobby)
        await link.start(ME)
        await _until(lambda: observer.room_address("r2") is not None)
        del lobby.rooms["r1"]  # what Lobby.sweep does
        link.note_rooms_gone()
        t0 = time.monotonic()
        gone_after_s = await _until(lambda: observer.room_address("r1") is None) - t0
        left = (observer.room_for_code(c.join_code), observer.room_address("r2"))
        await link.stop()
        return gone_after_s, left

    gone_after_s, (old_code, r2) = asyncio.run(main())
    assert gone_after_s < 0.5 and old_code is None  # not after the 30 s TTL: at once, code and all
    assert r2.address == ME
    observer.close()
