"""The teacher downloads the contest report (CSV and HTML) from the dashboard in real headless Chromium.

The dashboard fetches ``/report/<room>.csv|.html`` with the teacher token in an ``Authorization`` header
and saves the answer as a file; the files must hold the final leaderboard, and the token must appear
nowhere in the server's log (it never travels in a URL). A copy of the HTML report's screenshot goes to
/tmp/contest_report_dashboard.png.
"""

import csv
import io
import re
import shutil
import time

from chromium import LoopThread, needs_chromium, text_of, wait_until
from selenium.webdriver.common.by import By

from vbranch.server.client import ClassroomClient

pytestmark = needs_chromium

def downloaded(folder, suffix: str, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.1)
    raise TimeoutError(f"no {suffix} file in {folder}")


def test_teacher_downloads_the_final_report_from_the_dashboard(server, browser, tmp_path):
    ws_url, _, _ = server
    d, loop = browser, LoopThread()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    clients: list[ClassroomClient] = []
    try:
        d.get(ws_url.replace("ws://", "http://") + "/")
        wait_until(d, lambda d: "online" in d.find_element(By.ID, "conn").get_attribute("class"), what="connected")
        assert not d.find_element(By.ID, "report").is_displayed()  # nothing to report before a contest
        d.find_element(By.ID, "create").click()
        wait_until(d, lambda d: re.fullmatch(r"[0-9A-Z]{7}", text_of(d, "join-code")), what="join code")
        code = text_of(d, "join-code")

        async def join(name: str) -> ClassroomClient:
            client = ClassroomClient(ws_url, name, join_code=code)
            await client.connect()
            return client

        ann, bo = loop.run(join("Ann")), loop.run(join("小博"))
        clients += [ann, bo]
        d.find_element(By.ID, "start").click()
        wait_until(d, lambda d: text_of(d, "state") == "Running", what="running")
        coid = loop.run(bo.send_order("510300", "buy", qty=3000, stop_pct=4.0))
        loop.run(bo.wait_for(lambda m: m["type"] == "fill" and m["client_order_id"] == coid))
        time.sleep(3.5)  # a leaderboard sample or two after the fill
        d.find_element(By.ID, "end").click()
        wait_until(d, lambda d: text_of(d, "board-title") == "Final standings", what="final board")
        final = loop.run(ann.wait_for(lambda m: m["type"] == "leaderboard" and m["final"]))

        d.find_element(By.ID, "report-csv").click()
        rows = list(csv.DictReader(io.StringIO(downloaded(downloads, ".csv").read_text("utf-8-sig"))))
        assert [(r["rank"], r["name"], float(r["score"])) for r in rows[:-1]] == \
            [(str(r["rank"]), r["name"], r["score"]) for r in final["rows"]]
        assert float(rows[-1]["return_pct"]) == final["benchmark_return_pct"]
        wait_until(d, lambda d: f"contest-{code}.csv" in text_of(d, "log"), what="the save is logged")

        d.find_element(By.ID, "lang").click()  # the HTML report comes in the dashboard's language
        d.find_element(By.ID, "report-html").click()
        report = downloaded(downloads, ".html")
        assert report.name == f"contest-{code}.html"
        page = report.read_text("utf-8")
        assert f"比赛报告：{code}" in page and "小博" in page and page.count("<svg") == 2

        token = d.execute_script("return sessionStorage.getItem('vbranch.teacher_token')")
        d.set_window_size(1100, 2400)
        d.get(report.as_uri())
        d.save_screenshot(str(tmp_path / "contest_report.png"))
    finally:
        for c in clients:
            loop.run(c.close())
        loop.stop()
    log = (tmp_path / "server.log").read_text("utf-8", errors="replace")
    assert "csv report downloaded" in log and "html report downloaded" in log
    assert token and token not in log  # it travelled in a header, never in a URL
    shutil.copy(tmp_path / "contest_report.png", "/tmp/contest_report_dashboard.png")
