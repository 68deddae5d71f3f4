"""``bench server`` runs end to end: a server process, real clients, stamped deltas measured."""

from vbranch.server.bench import _rooms_of, percentile, run_bench


def test_bench_reports_latency_and_bytes_from_stamped_deltas():
    result = run_bench(clients=12, seconds=1.0, room_size=5, speed=5.0)
    assert result["clients"] == 12 and result["rooms"] == 3 and result["client_processes"] == 2
    assert result["deltas_per_client_s"] > 0 and 40 < result["bytes_per_client_tick"] < 400
    assert 0 <= result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]


def test_percentile_is_nearest_rank():
    assert percentile(list(range(1, 101)), 99) == 99 and percentile([5.0], 50) == 5.0 and percentile([], 99) == 0.0


def test_client_processes_share_whole_rooms_and_every_learner():
    parts = [_rooms_of(w, 3, clients=1001, room_size=40) for w in range(3)]
    rooms = sorted(r for part in parts for r, _ in part)
    assert rooms == list(range(26))  # 25 full rooms and one of a single learner, each in one process
    assert sum(n for part in parts for _, n in part) == 1001 and min(len(p) for p in parts) == 8
