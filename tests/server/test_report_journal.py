"""A contest rebuilt from the journal, by room id or join code, shows the board the class saw."""

import pytest
from report_class import JournaledClass, run_a_class

from vbranch.server.journal import Journal
from vbranch.server.journal_report import ContestNotFound, find_contest, journal_contests, replay_contest
from vbranch.server.report import contest_result


def test_replay_by_join_code_gives_the_live_board_and_curves(tmp_path):
    c = run_a_class(tmp_path / "j.sqlite3")
    live = contest_result(c.room)
    c.close()
    with_code = contest_result(replay_contest(Journal(tmp_path / "j.sqlite3"), live.join_code.lower()))
    assert with_code.board == live.board and with_code.benchmark_return_pct == live.benchmark_return_pct
    assert with_code.learners == live.learners and with_code.benchmark_equity == live.benchmark_equity
    assert with_code.state == "ended" and with_code.room_id == live.room_id


def test_a_contest_that_ran_out_of_time_replays_its_last_sample(tmp_path):
    c = JournaledClass(tmp_path / "j.sqlite3", scenario="crash", seed=5, duration_s=12)
    c.join("a", "Ann")
    c.teacher("start")
    c.tick(33)
    c.order("a", "a1", cash=40000, stop_pct=2.0)
    c.tick(300)  # 12 s of running time end it
    assert c.room.contest.state.name == "ENDED"
    live = contest_result(c.room)
    back = contest_result(replay_contest(c.journal, c.room_id))
    assert back.board == live.board and back.learners[0].equity == live.learners[0].equity


def test_a_join_code_picks_its_contest_when_a_room_held_several(tmp_path):
    c = JournaledClass(tmp_path / "j.sqlite3", scenario="crash", seed=2)
    first_code = c.join_code
    c.join("a", "Ann")
    c.teacher("start")
    c.tick(20)
    c.order("a", "a1", qty=1000)
    c.tick(20)
    c.teacher("end")
    first = contest_result(c.room)
    c.join_code = second_code = c.teacher("create_contest", scenario="bull", seed=3)[-1].message.join_code
    c.join("b", "Bo")
    assert journal_contests(c.journal) == [(c.room_id, first_code), (c.room_id, second_code)]
    older = contest_result(replay_contest(c.journal, first_code))
    assert older.board == first.board and older.settings.scenario == "crash" and older.state == "ended"
    latest = contest_result(replay_contest(c.journal, c.room_id))
    assert latest.join_code == second_code and latest.settings.scenario == "bull" and latest.state == "created"
    assert [s.name for s in latest.board] == ["Ann", "Bo"]  # seats stay in the room for the next contest


def test_an_unknown_contest_names_the_ones_there(tmp_path):
    c = JournaledClass(tmp_path / "j.sqlite3", scenario="crash")
    with pytest.raises(ContestNotFound, match=f"no contest 'NOPE123'.*{c.join_code} \\(room {c.room_id}\\)"):
        find_contest(c.journal, "NOPE123")
