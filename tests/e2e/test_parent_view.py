"""The parent view (亲子财商账户) in real headless Chromium against a real ``vbranch serve`` process.

A teacher (``ClassroomClient``) opens a contest; two learners join (one the way ``vbranch run --server … --join``
does, which prints the parent link) and the contest starts; a parent opens that printed link; the learner trades
while the page is open; the
teacher pauses so prices hold still; the page must then show exactly the learner's own cash, holdings and
equity (cash + shares × the last prices) and the row the teacher's leaderboard gives them. Then the page
switches to Chinese; a wrong or missing access code is said plainly. Screenshots go to the test's tmp
dir and a copy to /tmp/parent_view.png (and /tmp/parent_view-zh.png).
"""

import asyncio
import shutil
import time

from chromium import LoopThread, needs_chromium, text_of, wait_until
from selenium.webdriver.common.by import By

from vbranch.server.client import ClassroomClient
from vbranch.world.classroom_join import join_room
from vbranch.world.options import RunOptions

pytestmark = needs_chromium

def money(x: float) -> str:
    return f"{x:,.2f}"


def table(driver, body_id: str) -> list[list[str]]:
    return driver.execute_script(f"return [...document.querySelectorAll('#{body_id} tr')]"
                                 ".map(tr => [...tr.cells].map(td => td.textContent))")


def wait_for(predicate, what: str, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(what)


def test_a_parent_watches_their_childs_account_and_standing(server, browser, tmp_path, capsys):
    ws_url, _, _ = server
    http_url = ws_url.replace("ws://", "http://")
    loop, d = LoopThread(), browser
    clients: list[ClassroomClient] = []
    net = None

    async def setup():
        teacher = ClassroomClient(ws_url, "Teacher", role="teacher")
        await teacher.connect()
        await teacher.teacher("create_contest", scenario="crash", starting_cash=50000, seed=4)
        code = (await teacher.wait_for(lambda m: m["type"] == "contest" and "join_code" in m))["join_code"]
        bo = ClassroomClient(ws_url, "Bo", join_code=code)
        await bo.connect()
        return teacher, bo, code

    try:
        teacher, bo, code = loop.run(setup())
        clients += [teacher, bo]
        net, _ = join_room(RunOptions(server=ws_url, join_code=code, name="小安", lang="en"))
        ann = net.client
        printed = capsys.readouterr().out
        token = ann.mirror.parent_token
        link = f"{http_url}/parent#{token}"
        assert f"Parent view link (read-only; share it with your family only): {link}" in printed.splitlines()
        assert token and bo.mirror.parent_token != token and teacher.mirror.parent_token is None
        loop.run(teacher.teacher("start"))

        d.get(link)
        wait_until(d, lambda d: "online" in d.find_element(By.ID, "conn").get_attribute("class"), what="connected")
        wait_until(d, lambda d: text_of(d, "learner") == "Learner: 小安", what="the child's name")
        assert text_of(d, "title") == "Family view of a learner's account"
        assert text_of(d, "cash") == money(50000) and text_of(d, "no-fills") == "No trades yet."

        net.send_order("a1", "510300", "buy", qty=2000, stop_pct=5.0)  # the branch app's own send path
        wait_for(lambda: any(f["client_order_id"] == "a1" for f in ann.mirror.fills), "Ann's first fill")
        net.send_order("a2", "518880", "buy", cash=15000)
        wait_for(lambda: any(f["client_order_id"] == "a2" for f in ann.mirror.fills), "Ann's second fill")

        async def pause_and_rank():
            await bo.send_order("510300", "buy", pct=95)
            await asyncio.sleep(4.0)  # a few leaderboard samples (10 a trading day, a day is 30 s at speed 1)
            await teacher.teacher("pause")
            await bo.wait_for(lambda m: m["type"] == "contest" and m["state"] == "paused")
            await asyncio.sleep(0.3)  # the last delta before the pause has reached every client
            await teacher.teacher("leaderboard")
            return await teacher.wait_for(lambda m: m["type"] == "leaderboard", seen=False)

        board = loop.run(pause_and_rank())
        wait_for(lambda: ann.mirror.contest.get("state") == "paused", "Ann sees the pause")
        m = ann.mirror
        equity = m.cash + sum(qty * m.prices[sym] for sym, qty in m.positions.items())
        wait_until(d, lambda d: text_of(d, "cash") == money(m.cash), what="cash after the fills")
        wait_until(d, lambda d: text_of(d, "equity") == money(equity), what="equity at the paused prices")
        rows = {r[0]: r for r in table(d, "position-rows")}
        assert set(rows) == {"CSI 300 ETF 510300", "Gold ETF 518880"}
        for name, sym in (("CSI 300 ETF 510300", "510300"), ("Gold ETF 518880", "518880")):
            qty, price = m.positions[sym], m.prices[sym]
            assert rows[name][1:4] == [str(qty), f"{price:.3f}", money(qty * price)]
            assert rows[name][4] == f"{100 * qty * price / equity:.1f}%"
        assert rows["CSI 300 ETF 510300"][1] == "2000"
        fills = text_of(d, "fills").splitlines()
        assert len(fills) == 2 and "Bought 2000 CSI 300 ETF at" in fills[1] and "Bought" in fills[0]

        mine = next(r for r in board["rows"] if r["name"] == "小安")
        wait_until(d, lambda d: text_of(d, "rank") == f"Rank {mine['rank']} of 2", what="the child's rank")
        standing = dict(table(d, "standing-rows"))
        assert standing["Score"] == f"{mine['score']:.1f}" and standing["Trades"] == "2"
        assert standing["Discipline"] == f"{mine['discipline']:.0f}"
        assert text_of(d, "benchmark") == f"Benchmark (equal-weight buy and hold): " \
                                          f"{board['benchmark_return_pct']:.2f}%"
        assert "Crash: a 20% one-day fall" in text_of(d, "contest-line") and "Paused" in text_of(d, "contest-line")
        d.save_screenshot(str(tmp_path / "parent_view.png"))

        d.find_element(By.ID, "lang").click()
        assert text_of(d, "title") == "亲子财商账户" and text_of(d, "learner") == "学员：小安"
        assert text_of(d, "rank") == f"第 {mine['rank']} 名（共 2 名）"
        assert "已暂停" in text_of(d, "contest-line") and text_of(d, "cash") == money(m.cash)
        d.save_screenshot(str(tmp_path / "parent_view-zh.png"))
        severe = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], severe  # no CSP violation, no script error, no failed fetch

        d.find_element(By.ID, "lang").click()  # back to English for the refusals (sessionStorage keeps the choice)
        d.get("about:blank")  # a new fragment alone would not reload the page
        d.get(f"{http_url}/parent#not-a-real-token")
        wait_until(d, lambda d: "not valid" in text_of(d, "problem"), what="a wrong code is refused")
        wait_until(d, lambda d: d.find_element(By.ID, "conn").get_attribute("class") == "conn closed",
                   what="no reconnecting with a refused code")
        assert text_of(d, "cash") == "—"
        d.get("about:blank")
        d.get(f"{http_url}/parent")
        wait_until(d, lambda d: "link is incomplete" in text_of(d, "problem"), what="a link without its code")
    finally:
        if net is not None:
            net.close()
        for c in clients:
            loop.run(c.close())
        loop.stop()
    shutil.copy(tmp_path / "parent_view.png", "/tmp/parent_view.png")
    shutil.copy(tmp_path / "parent_view-zh.png", "/tmp/parent_view-zh.png")
