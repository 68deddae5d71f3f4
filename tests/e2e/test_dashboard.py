"""The teacher dashboard in real headless Chromium against a real ``vbranch serve`` process.

A teacher opens the page, creates a contest, sees the join code and its QR code; two scripted learners
(``ClassroomClient`` in this process) join; the teacher starts, watches the live leaderboard, reloads the
tab (the token in sessionStorage brings the same room back), injects a crash, ends, switches to Chinese.
Screenshots go to the test's tmp dir, and a copy to /tmp/dashboard.png (and /tmp/dashboard-zh.png).
"""

import asyncio
import re
import shutil

import pytest
from chromium import LoopThread, needs_chromium, text_of, wait_until

from vbranch.server.client import ClassroomClient

pytestmark = needs_chromium
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install -e '.[test]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402


@pytest.fixture
def learners():
    loop = LoopThread()
    clients: list[ClassroomClient] = []
    try:
        yield loop, clients
    finally:
        for c in clients:
            loop.run(c.close())
        loop.stop()


def board_rows(driver) -> list[list[str]]:
    """The leaderboard's cells, read in one script call (the page re-renders rows as messages arrive)."""
    return driver.execute_script("return [...document.querySelectorAll('#board-rows tr')]"
                                 ".map(tr => [...tr.cells].map(td => td.textContent))")


def test_teacher_runs_a_contest_from_the_dashboard(server, browser, learners, tmp_path):
    ws_url, _, _ = server
    http_url = ws_url.replace("ws://", "http://") + "/"
    loop, clients = learners
    d = browser

    d.get(http_url)
    wait_until(d, lambda d: "online" in d.find_element(By.ID, "conn").get_attribute("class"), what="connected")
    assert text_of(d, "title") == "vbranch teacher dashboard"
    room = text_of(d, "room")
    assert re.fullmatch(r"Room [0-9A-Z]{8}", room)

    Select(d.find_element(By.ID, "scenario")).select_by_value("crash")
    for field, value in (("cash", "50000"), ("duration", "2")):
        d.find_element(By.ID, field).clear()
        d.find_element(By.ID, field).send_keys(value)
    d.find_element(By.ID, "create").click()
    wait_until(d, lambda d: re.fullmatch(r"[0-9A-Z]{7}", text_of(d, "join-code")), what="join code")
    code = text_of(d, "join-code")
    assert text_of(d, "state") == "Waiting to start"
    wait_until(d, lambda d: d.execute_script("const i = document.getElementById('qr');"
                                             "return i.complete && i.naturalWidth > 0"), what="QR image")
    assert d.find_element(By.ID, "qr").get_attribute("src").endswith(f"/qr?text={code}")

    async def join(name: str) -> ClassroomClient:
        client = ClassroomClient(ws_url, name, join_code=code)
        welcome = await client.connect()
        assert welcome["snapshot"]["me"]["cash"] == 50000.0  # the teacher's settings reached the room
        return client

    ann, bo = loop.run(join("Ann")), loop.run(join("Bo"))
    clients += [ann, bo]

    d.find_element(By.ID, "start").click()
    wait_until(d, lambda d: text_of(d, "state") == "Running", what="running")
    coid = loop.run(ann.send_order("510300", "buy", qty=1000))
    loop.run(ann.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid))
    wait_until(d, lambda d: {r[1] for r in board_rows(d)} == {"Ann", "Bo"}
               and any(r[1] == "Ann" and r[6] == "1" for r in board_rows(d)), what="both learners on the board")

    # a reload keeps the teacher in the same room: the token is in this tab's sessionStorage, nowhere else
    token, n_local = d.execute_script("return [sessionStorage.getItem('vbranch.teacher_token'), localStorage.length]")
    assert token and n_local == 0
    d.refresh()
    wait_until(d, lambda d: text_of(d, "join-code") == code and text_of(d, "room") == room, what="same room")
    wait_until(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#price-rows tr")) == 7, what="all prices")

    before = dict(ann.mirror.prices)
    d.find_element(By.ID, "crash").click()
    wait_until(d, lambda d: "Inject a crash (-20%)" in text_of(d, "log"), what="crash logged")

    async def crashed() -> None:
        while not any(ann.mirror.prices[s] <= 0.95 * p for s, p in before.items()):
            await asyncio.sleep(0.05)

    loop.run(crashed(), timeout_s=8)  # some instrument fell >= 5 % (a 2 s drift is far smaller)
    wait_until(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#price-rows td.down"), what="prices down")
    wait_until(d, lambda d: len(board_rows(d)) == 2, what="board after reload")
    d.save_screenshot(str(tmp_path / "dashboard-running.png"))

    d.find_element(By.ID, "end").click()
    wait_until(d, lambda d: text_of(d, "state") == "Ended", what="ended")
    wait_until(d, lambda d: text_of(d, "board-title") == "Final standings", what="final board")
    assert {r[1] for r in board_rows(d)} == {"Ann", "Bo"}
    assert text_of(d, "benchmark").startswith("Benchmark")
    assert not d.find_element(By.ID, "crash").is_enabled() and d.find_element(By.ID, "create").is_enabled()
    loop.run(ann.wait_for(lambda m: m["type"] == "leaderboard" and m["final"]))

    d.find_element(By.ID, "lang").click()
    assert text_of(d, "title") == "vbranch 教师控制台"
    assert text_of(d, "state") == "已结束" and text_of(d, "board-title") == "最终排名"
    d.save_screenshot(str(tmp_path / "dashboard-zh.png"))

    severe = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe  # no CSP violation, no script error, no failed fetch
    shutil.copy(tmp_path / "dashboard-running.png", "/tmp/dashboard.png")
    shutil.copy(tmp_path / "dashboard-zh.png", "/tmp/dashboard-zh.png")
