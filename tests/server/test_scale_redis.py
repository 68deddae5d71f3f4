"""The multi-process Redis glue against a real redis-server: directory TTLs, district board, fan-out."""

import itertools
import threading
import time

import pytest
from backing_services import redis_url  # noqa: F401 - a fixture
from room_helpers import Classroom

from vbranch.server.scale_redis import BoardLine, RedisScale, open_scale

_prefixes = itertools.count(1)


@pytest.fixture
def scale(redis_url):  # noqa: F811
    s = RedisScale(redis_url, prefix=f"t{next(_prefixes)}", ttl_s=1)
    yield s
    s.close()


def test_directory_finds_rooms_by_id_and_code_until_the_owner_stops_refreshing(scale):
    scale.register_room("r1", "ws://10.0.0.5:8765", join_code="ab-c12")
    assert scale.room_for_code(" abc12 ").address == "ws://10.0.0.5:8765"  # typed the way a learner types
    assert scale.room_address("r1").room_id == "r1" and scale.room_address("r9") is None
    time.sleep(0.6)
    scale.register_room("r1", "ws://10.0.0.5:8765", join_code="ABC12")  # the owner's refresh
    time.sleep(0.6)
    assert scale.room_for_code("ABC12") is not None  # 1.2 s after the first write, alive thanks to the refresh
    time.sleep(1.1)
    assert scale.room_address("r1") is None and scale.room_for_code("ABC12") is None  # the owner went silent
    scale.register_room("r2", "ws://b:1", join_code="ZZZ99")
    scale.forget_room("r2", join_code="ZZZ99")
    assert scale.room_address("r2") is None and scale.room_for_code("ZZZ99") is None


def _room_with_trades(seed, names):
    c = Classroom(scenario="crash", starting_cash=100000, seed=seed)
    for i, name in enumerate(names):
        c.join(f"s{i}", name)
    c.teacher("start")
    c.tick(20)
    for i, _ in enumerate(names):
        c.send(f"s{i}", {"type": "order", "client_order_id": "o1", "symbol": "510300", "side": "buy",
                         "qty": 100 * (i + 1), "stop_pct": 3.0})
    c.tick(150)
    return c.room


def test_a_process_refreshes_and_forgets_only_the_entries_that_name_it(scale):
    scale.sync_directory("ws://a:1", {"r1": "CODE111", "r2": None})
    scale.forget_room("r1")  # A's entry expired (A was cut off) ...
    assert scale.reserve_room("r1", "ws://b:2").address == "ws://b:2"  # ... and B took the room over
    assert scale.sync_directory("ws://a:1", {"r1": "CODE111", "r2": None}) == ["r1"]  # A's refresh leaves it
    scale.sync_directory("ws://a:1", {}, forget_rooms=["r1", "r2"], forget_codes={"CODE111": "r1"})
    assert scale.room_address("r1").address == "ws://b:2" and scale.room_address("r2") is None
    assert scale.room_for_code("CODE111").address == "ws://b:2"  # the code still leads to the room, at B


def test_of_eight_processes_reserving_a_free_room_one_gets_it_and_the_others_learn_where(scale):
    start, got = threading.Barrier(8), {}

    def reserve(i):
        start.wait()
        got[i] = scale.reserve_room("r1", f"ws://p{i}:1").address

    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    winners = [i for i, address in got.items() if address == f"ws://p{i}:1"]
    assert len(got) == 8 and len(winners) == 1 and set(got.values()) == {f"ws://p{winners[0]}:1"}
    time.sleep(1.1)  # a reservation lives one TTL unless its holder refreshes it
    assert scale.room_address("r1") is None and scale.reserve_room("r1", "ws://p9:1").address == "ws://p9:1"


def test_the_district_board_ranks_learners_of_two_rooms_together(scale):
    rooms = {"r1": _room_with_trades(3, ["Ann", "Bo"]), "r2": _room_with_trades(4, ["Cai", "Ann"])}
    for room_id, room in rooms.items():
        assert scale.post_standings("spring-cup", room_id, room.standings()[0]) == 2
    expected = sorted(((s.score, room_id, s.name) for room_id, room in rooms.items() for s in room.standings()[0]),
                      reverse=True)
    top = scale.top("spring-cup", 3)
    assert [(line.room_id, line.name) for line in top] == [(r, n) for _, r, n in expected[:3]]
    assert top[0] == BoardLine(1, expected[0][1], expected[0][2], pytest.approx(expected[0][0]))
    scale.post_standings("spring-cup", "r1", rooms["r1"].standings()[0])  # a repost replaces, never duplicates
    assert len(scale.top("spring-cup", 100)) == 4 and scale.top("other-cup") == []


def test_public_frames_reach_every_subscribed_process_in_order_and_only_their_rooms(scale, redis_url):  # noqa: F811
    other = RedisScale(redis_url, prefix=scale.prefix)  # a second process: its own connection pool
    relay_a, relay_b = scale.relay(["r1"]), other.relay(["r1", "r2"])
    assert scale.publish("r1", '{"type":"delta","tick":1}') == 2
    assert other.publish("r2", '{"type":"delta","tick":7}') == 1
    scale.publish("r3", "nobody listens")
    assert relay_a.poll(timeout_s=1.0) == [("r1", '{"type":"delta","tick":1}')]
    got = relay_b.poll(timeout_s=1.0)
    got += [] if len(got) == 2 else relay_b.poll(timeout_s=1.0)  # the second may land just after the first
    assert got == [("r1", '{"type":"delta","tick":1}'), ("r2", '{"type":"delta","tick":7}')]
    relay_b.unsubscribe("r1")
    assert relay_b.poll(timeout_s=0.2) == []  # only the unsubscribe confirmation was waiting
    assert scale.publish("r1", "x") == 1 and relay_a.poll(timeout_s=1.0) == [("r1", "x")]
    for relay in (relay_a, relay_b):
        relay.close()
    other.close()


def test_without_a_url_the_server_stays_single_process(monkeypatch):
    monkeypatch.delenv("VBRANCH_REDIS", raising=False)
    assert open_scale() is None
