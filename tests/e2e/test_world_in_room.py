"""Two branches in one classroom: a real server, a teacher, one in-process branch (Ann) and one headless
``vbranch run --server … --join …`` process (Bo). They see each other, the same prices and the same
leaderboard; Ann's order goes to the server and comes back as a position on her hologram."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import pytest
from server_process import kill

from vbranch.world.app import BranchApp
from vbranch.world.classroom_join import ClassroomError, join_room
from vbranch.world.classroom_mode import ClassroomSession
from vbranch.world.desktop_controls import LearnerPose
from vbranch.world.net_client import NetClient
from vbranch.world.options import RunOptions


def wait_until(predicate, timeout_s: float, tick=None, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        value = predicate()
        if value:
            return value
        time.sleep(1 / 60)
    raise AssertionError(f"timed out waiting for {what}")


def first(net: NetClient, predicate, timeout_s: float = 5.0) -> dict:
    seen: list[dict] = []
    return wait_until(lambda: next((m for m in seen if predicate(m)), None), timeout_s,
                      lambda: seen.extend(net.drain()), "a message")


@pytest.fixture
def teacher(server):
    url, _, _ = server
    net = NetClient(url, "Teacher", role="teacher")
    net.start()
    net.teacher("create_contest", scenario="crash", seed=2, duration_s=120)
    code = first(net, lambda m: m["type"] == "contest" and m.get("join_code"))["join_code"]
    yield url, code, net
    net.close()


@pytest.fixture
def ann(base, teacher):
    url, code, _ = teacher
    options = RunOptions(lang="en", server=url, join_code=code, name="Ann", skip_visit=True)
    session = ClassroomSession(*join_room(options), "en")
    app = BranchApp(base, options, market=session.market, place=session.place)
    session.attach(app)
    yield session
    session.close()
    app.advisor.close()
    base.camera.reparent_to(base.render)
    base.camera.set_pos_hpr(0, 0, 0, 0, 0, 0)
    base.render.clear_light()
    for node in (app.world, app.hud.root, app.head):
        node.remove_node()


def test_two_branches_see_each_other_the_same_prices_and_the_leaderboard(ann, teacher, tmp_path):
    url, code, teacher_net = teacher
    app, remote = ann.app, ann.market
    # Ann stands in the classroom, in front of the leaderboard wall, where Bo's camera looks
    app.pose = LearnerPose(14.5, 16.6, math.degrees(math.atan2(4.5, -1.6)), 0.0)
    app._place_head()
    shot = tmp_path / "bo.png"
    bo = subprocess.Popen([sys.executable, "-m", "vbranch.world.cli", "run", "--offscreen", "--frames", "2400",
                           "--size", "640x360", "--lang", "en", "--view", "classroom", "--server", url,
                           "--join", code, "--name", "Bo", "--print-state", "--screenshot", str(shot)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()

    def frame():
        now = time.monotonic() - t0
        ann.frame(1 / 60, now)

    try:
        wait_until(lambda: len(ann.crowd) == 1, 20, frame, "Bo's avatar in Ann's branch")
        teacher_net.teacher("start")
        wait_until(lambda: {r["name"] for r in remote.mirror.leaderboard.get("rows", [])} == {"Ann", "Bo"}, 10, frame,
                   "both names on the leaderboard")
        wait_until(lambda: "Ann" in ann.board_text and "Bo" in ann.board_text, 2, frame, "the wall's text")
        symbol = app.form.symbol
        app.submit_order()  # the panel's order: through the cooling-off gate, then to the server
        wait_until(lambda: remote.account("learner").held(symbol) > 0, 5, frame, "Ann's fill")
        wait_until(lambda: app.holo.equity > app.account.cash + 1.0, 2, frame, "the position on the hologram")
        assert "Filled" in app.hud.notice.value or "Sent" in app.hud.notice.value
        for _ in range(30):  # Bo keeps seeing Ann for half a second more
            frame()
            time.sleep(1 / 60)
        teacher_net.teacher("end")
        wait_until(lambda: remote.state == "ended", 5, frame, "the contest's end")
        out, err = bo.communicate(timeout=30)
    finally:
        if bo.poll() is None:
            bo.kill()
            bo.wait()
    assert bo.returncode == 0, err[-2000:]
    time.sleep(0.2)
    frame()
    line = next(ln for ln in out.splitlines() if ln.startswith("classroom-state: "))
    bo_state = json.loads(line.removeprefix("classroom-state: "))
    truth = teacher_net.client.mirror.prices
    assert len(truth) == 7
    assert bo_state["prices"] == truth and remote.prices == truth  # both walls show the room's prices
    assert remote.mirror.client_id in bo_state["classmates"]  # Bo saw Ann's avatar
    assert set(bo_state["leaderboard"]) == {"Ann", "Bo"} and "Ann" in bo_state["board_text"]
    assert bo_state["state"] == "ended" and bo_state["positions"] == {}
    assert shot.is_file()
    # Ann's wall shows the room's prices: the last candle's close is the server's price
    assert app.wall.window[0][0, -1, 3] == pytest.approx(truth[remote.symbols[0]])


def test_a_wrong_join_code_or_dead_server_is_one_line_and_exit_2(teacher, tmp_path):
    url, _, _ = teacher
    with pytest.raises(ClassroomError, match="did not let you in"):
        join_room(RunOptions(lang="en", server=url, join_code="ZZZZZZ", name="Cy"))
    dead = subprocess.run([sys.executable, "-m", "vbranch.world.cli", "run", "--offscreen", "--frames", "1",
                           "--lang", "en", "--server", "ws://127.0.0.1:9", "--join", "ABC123"],
                          capture_output=True, text=True, timeout=30)
    assert dead.returncode == 2
    assert dead.stderr.strip().splitlines()[-1].startswith("Can't reach the classroom server at ws://127.0.0.1:9")
    assert "Traceback" not in dead.stderr


def test_a_dropped_link_shows_one_notice_and_the_seat_comes_back(ann, teacher, server):
    _, start, procs = server
    _, _, teacher_net = teacher
    app, remote = ann.app, ann.market
    t0 = time.monotonic()

    def frame():
        ann.frame(1 / 60, time.monotonic() - t0)

    teacher_net.teacher("start")
    wait_until(lambda: remote.state == "running", 5, frame, "the start")
    symbol = app.form.symbol
    app.submit_order()
    wait_until(lambda: remote.account("learner").held(symbol) > 0, 5, frame, "Ann's fill")
    held, token = remote.account("learner").held(symbol), remote.mirror.resume_token
    kill(procs[-1])
    wait_until(lambda: "reconnecting" in app.hud.notice.value, 5, frame, "the reconnecting notice")
    start()
    wait_until(lambda: "seat was kept" in app.hud.notice.value, 20, frame, "the link back")
    wait_until(lambda: remote.mirror.resume_token == token and remote.account("learner").held(symbol) == held, 5,
               frame, "the same seat and position")
