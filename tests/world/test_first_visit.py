"""The guided first visit, played headless with scripted input, and resumed where it stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from matplotlib.image import imread

from vbranch.scenes.analytics import DEFAULT_FILENAME, LearningStore
from vbranch.world.app import BranchApp
from vbranch.world.first_visit import STEPS, FirstVisit
from vbranch.world.options import RunOptions


def test_the_scripted_visit_reaches_the_end_with_a_picture_of_every_step(tmp_path):
    shots = tmp_path / "shots"
    state = tmp_path / "state"
    result = subprocess.run(
        [sys.executable, "-m", "vbranch.world.cli", "run", "--offscreen", "--script", "first-visit",
         "--frames", "4000", "--size", "480x270", "--lang", "zh", "--screenshot-dir", str(shots)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "DISPLAY": "", "VBRANCH_STATE": str(state)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert [line.split(": ")[1] for line in result.stdout.splitlines() if line.startswith("first visit: ")] == [
        *STEPS, "complete"]
    pictures = sorted(shots.glob("*.png"))
    assert [p.stem.split("-", 1)[1] for p in pictures] == list(STEPS)
    for picture in pictures:
        assert imread(picture)[..., :3].std() > 0.05, picture.name
    assert json.loads((state / "first_visit_script.json").read_text())["done"] is True
    decisions = [json.loads(line) for line in (state / "cooling_off.jsonl").read_text().splitlines()]
    assert [d["verb"] for d in decisions if d["verb"] in ("held", "cancelled")] == ["held", "cancelled"]
    assert "No definition" not in result.stderr
    recorded = LearningStore(state / DEFAULT_FILENAME).statements("learner")  # for the learner's report card
    assert {(st.verb, st.object_id) for st in recorded} >= {("completed", "lesson/stop_loss")}
    assert any(st.verb == "traded" and st.result["protected"] for st in recorded)
    quests = json.loads((state / "quests.json").read_text())
    assert quests["coins"] > 0 and "first_stop_loss" in quests["badges"] and quests["risk_level"] == 3


def test_a_visit_resumes_at_the_step_it_reached_and_can_be_skipped(base, tmp_path):
    app = BranchApp(base, RunOptions(scenario="crash", seed=2, lang="en"))
    try:
        state = tmp_path / "visit.json"
        visit = FirstVisit(app, state, scripted=False)
        visit.tick(0.0)
        assert visit.step == "greet" and app.hud.subtitle.value  # the advisor greets at the door
        visit.skip()
        visit.tick(0.1)
        assert visit.step == "questionnaire" and "1." in app.hud.notice.value  # the first question is on screen
        visit.answer(0)
        again = FirstVisit(app, state, scripted=False)  # the learner left and came back
        assert again.step == "questionnaire"
    finally:
        app.advisor.close()
        base.camera.reparent_to(base.render)
        base.render.clear_light()
        for node in (app.world, app.hud.root, app.head):
            node.remove_node()
