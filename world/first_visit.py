"""The guided first visit: greeting, the risk questionnaire, the microphone question, lesson one, a crash,
cooling off.

A newcomer who runs ``make run`` gets the whole story without reading docs. The visit is a short
list of steps; each starts with the advisor speaking and ends on a condition (the questionnaire is
answered, the lesson's task check passes, the cooling-off is decided, or a reading time passes).
It is skippable (N skips a step), resumable (the step reached is saved in the learner's state dir)
and scripted for headless runs: ``--script first-visit`` answers and trades like a nervous newcomer
(who declines the microphone and, in the crash, types a panicked sell to the advisor), and
``--screenshot-dir`` keeps a picture of every step. The microphone is asked about once, in the lobby
(consent first, issue 6); a learner who answered before, either way, isn't asked again. If the
scenario's market runs out during a step that trades on it, the visit starts a new round and carries on.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from vbranch.market_sim.events import CrashStarted
from vbranch.scenes.catalogue import text
from vbranch.scenes.lesson_checks import run_check
from vbranch.scenes.lessons import load_lesson
from vbranch.scenes.questionnaire import Questionnaire
from vbranch.world.order_form import Control, Key

__all__ = ["FirstVisit", "STEPS", "SCRIPTED_ANSWERS"]

log = logging.getLogger(__name__)

STEPS = ("greet", "questionnaire", "consent", "walk_floor", "lesson", "crash", "cooling_off", "goodbye")
VIEW_OF = {"greet": "lobby", "questionnaire": "lobby", "consent": "lobby", "walk_floor": "floor", "lesson": "floor",
           "crash": "floor", "cooling_off": "floor", "goodbye": "floor"}
SCRIPTED_ANSWERS = (1, 1, 1, 1, 1)  # a cautious newcomer
FIRST_LESSON = "stop_loss"
READ_S = 3.0  # time to listen to one line before the visit moves on (scripted runs use a third)
MARKET_STEPS = frozenset({"lesson", "crash", "cooling_off"})  # steps that need a market still trading


@dataclass
class _Progress:
    step: int = 0
    risk_level: str | None = None
    done: bool = False


class FirstVisit:
    def __init__(self, app, state_path: Path, scripted: bool, on_step_done=None) -> None:
        self.app, self.state_path, self.scripted = app, state_path, scripted
        self.lang = app.lang
        self.progress = self._load()
        if self.progress.risk_level:  # a returning learner keeps the level they were assessed at
            app.suitability.set_level(int(self.progress.risk_level.removeprefix("C")))
        self._on_step_done = on_step_done
        self._started_s: float | None = None
        self._questionnaire: Questionnaire | None = None
        self._lesson = load_lesson(FIRST_LESSON)
        self._line = 0
        self._lesson_started_ts_s = time.time()
        self._crashed = False
        self._sold = False
        self._unsubscribe = app.market.bus.subscribe(self._on_crash, CrashStarted)
        app.round_listeners.append(self._market_changed)
        self.read_s = READ_S / 3 if scripted else READ_S

    # ----- state -----------------------------------------------------------------------------------
    def _load(self) -> _Progress:
        try:
            return _Progress(**json.loads(self.state_path.read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return _Progress()

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(vars(self.progress)), "utf-8")
        tmp.replace(self.state_path)  # atomic: a crash never leaves half a file

    @property
    def step(self) -> str | None:
        return None if self.progress.done else STEPS[self.progress.step]

    def _on_crash(self, event: CrashStarted) -> None:
        self._crashed = True

    def _market_changed(self, market) -> None:
        """A new round: the crash the visit waits for comes from the new market's bus."""
        self._unsubscribe()
        self._unsubscribe = market.bus.subscribe(self._on_crash, CrashStarted)

    # ----- input -------------------------------------------------------------------------------------
    def skip(self) -> None:
        """N: move on to the next step (the visit is never a cage)."""
        if not self.progress.done:
            self._finish_step()

    def answer(self, choice: int) -> None:
        """1–4 during the questionnaire."""
        q = self._questionnaire
        if self.step == "questionnaire" and q is not None and not q.done:
            question = q.next_question()
            if question is not None and 0 <= choice < len(question.choices):
                q.answer(choice)
                self._ask_next()

    # ----- the visit -----------------------------------------------------------------------------------
    def tick(self, now_s: float) -> None:
        step = self.step
        if step is None:
            return
        rounds = self.app.rounds
        if step in MARKET_STEPS and rounds is not None and rounds.over:
            rounds.start_next()  # the step trades on the market: keep the visit going on a new round
        if self._started_s is None:
            self._start(step, now_s)
            return
        elapsed = now_s - self._started_s
        getattr(self, f"_tick_{step}")(now_s, elapsed)

    def _start(self, step: str, now_s: float) -> None:
        self._started_s = now_s
        self.app.set_view(VIEW_OF[step])
        advisor = self.app.advisor
        if step == "greet":
            advisor.say_event("greeting", now_s)
        elif step == "questionnaire":
            advisor.say_event("questionnaire.invite", now_s)
            self._questionnaire = Questionnaire()
            self._ask_next()
        elif step == "consent":
            voice = self.app.voice
            if voice.store.record() is None and not voice.asking:
                voice.toggle()  # asks; Y agrees, N declines (both remembered)
        elif step == "walk_floor":
            advisor.say_event("floor.walk", now_s)
        elif step == "lesson":
            self._line = 0
            self._lesson_started_ts_s = time.time()
            self._say_lesson_line(now_s)
        elif step == "crash":
            self.app.market.set_speed(600.0)  # fast-forward to the scenario's crash
        elif step == "cooling_off":
            self.app.market.set_speed(1.0)
        elif step == "goodbye":
            advisor.say_event("goodbye", now_s)

    def _finish_step(self) -> None:
        finished = self.step
        self.progress.step += 1
        self.progress.done = self.progress.step >= len(STEPS)
        self._started_s = None
        self._save()
        log.info("first visit: %s done", finished)
        if self._on_step_done is not None:
            self._on_step_done(finished)

    def _tick_greet(self, now_s: float, elapsed: float) -> None:
        if elapsed >= self.read_s * 1.5:
            self._finish_step()

    def _ask_next(self) -> None:
        q = self._questionnaire
        assert q is not None
        question = q.next_question()
        if question is None:
            result = q.result()
            self.progress.risk_level = result.level.name
            self.app.suitability.set_level(int(result.level))
            self.app.quests.questionnaire_done(int(result.level))
            self.app.say(" ".join(text(key, self.lang) for key in result.explanation_keys))
            return
        choices = "   ".join(f"{i + 1}. {c.text[self.lang]}" for i, c in enumerate(question.choices))
        self.app.hud.notify(f"{question.text[self.lang]}\n{choices}", self.app.now_s, 120.0)

    def _tick_questionnaire(self, now_s: float, elapsed: float) -> None:
        q = self._questionnaire
        assert q is not None
        given = len(q.answers)
        if self.scripted and not q.done and elapsed >= self.read_s * (1 + given):  # one answer per reading time
            self.answer(SCRIPTED_ANSWERS[min(given, len(SCRIPTED_ANSWERS) - 1)])
        if q.done and elapsed >= self.read_s * (2 + given):
            self._finish_step()

    def _tick_consent(self, now_s: float, elapsed: float) -> None:
        voice = self.app.voice
        if self.scripted and voice.asking and elapsed >= self.read_s:
            voice.answer(False)  # the scripted newcomer keeps the microphone off (no microphone here anyway)
        if not voice.asking and elapsed >= self.read_s:
            self._finish_step()

    def _tick_walk_floor(self, now_s: float, elapsed: float) -> None:
        if elapsed >= self.read_s:
            self._finish_step()

    def _say_lesson_line(self, now_s: float) -> None:
        step = self._lesson.steps[self._line]
        self.app.advisor.say(step.say[self.lang], now_s, step.gesture)
        if step.focus:
            self.app.set_view("floor")

    def _tick_lesson(self, now_s: float, elapsed: float) -> None:
        steps = self._lesson.steps
        if self._line < len(steps) - 1 and elapsed >= self.read_s * (self._line + 1):
            self._line += 1
            self._say_lesson_line(now_s)
            return
        if self._line < len(steps) - 1:
            return
        app = self.app
        if self.scripted and not app.account.trades and elapsed >= self.read_s * len(steps):
            app.form = app.form.focus_on(Control.QUANTITY)
            for _ in range(9):  # ten lots, with the form's default 5% stop-loss
                app.panel_key(Key.INCREASE)
            app.form = app.form.focus_on(Control.SUBMIT)
            app.panel_key(Key.ACTIVATE)
        result = run_check(self._lesson.task.check, app.market, "learner", self._lesson.task.params)
        if result.passed:
            app.record.lesson_graded(self._lesson.id, self._lesson_started_ts_s, result)
            app.hud.notify(text(result.message_key, self.lang, **result.details), now_s, 4.0)
            app.quests.task_passed(self._lesson.id)  # coins and badges follow the verdict on the HUD
            self._finish_step()

    def _tick_crash(self, now_s: float, elapsed: float) -> None:
        if self._crashed:
            self.app.market.set_speed(1.0)
            self._finish_step()

    def _tick_cooling_off(self, now_s: float, elapsed: float) -> None:
        app = self.app
        if self.scripted and not self._sold and elapsed >= self.read_s:
            self._sold = True  # a panicked newcomer types to the advisor, then presses Enter on the read-back
            symbol = app.account.trades[0].symbol if app.account.trades else app.form.symbol
            reply = app.chat_message(text("visit.scripted_panic", self.lang, name=app.names[symbol]))
            if app.ticket is None:
                log.warning("first visit: the scripted sell was not understood: %s", reply.text)
                return
            app.panel_key(Key.ACTIVATE)
            if app.cooling.active:
                app.cooling_answer("breathe")
            return
        if self.scripted and app.cooling.active and elapsed >= self.read_s * 3:
            app.cooling_answer("cancel")
        if self._sold and not app.cooling.active and elapsed >= self.read_s * 3:
            self._finish_step()
        if not self.scripted and not app.cooling.active and elapsed >= self.read_s * 10:
            self._finish_step()  # a calm learner who doesn't sell: the step simply passes

    def _tick_goodbye(self, now_s: float, elapsed: float) -> None:
        if elapsed >= self.read_s * 1.5:
            self._finish_step()
