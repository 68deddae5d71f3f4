"""The lesson desk: every lesson playable in the branch, from a menu in the education hall (or L anywhere).

The rules of a lesson (pacing, task checks, time-outs, the quiz, resuming) are the pure run's
(``vbranch.scenes.lesson_run``) and which lessons are open is the quest graph's
(``vbranch.scenes.lesson_menu``); this shell feeds the run the frame clock and the live market, maps
keys and clicks onto it, and acts on its cues: the advisor speaks each line (voice and subtitle), the
learner is taken to the floor for the task, grades and quiz answers go into the learning record, and
the quest desk pays coins and badges. A lesson left with Esc is bookmarked beside the learner's other
state and resumes where it stopped. A task on a market that has run out of days offers a new round,
on the lesson's own scenario (``RoundDesk.start_lesson``). Single player only: in a classroom the
server's contest has the market, so the desk says so instead of opening.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from vbranch.market_sim.events import Filled
from vbranch.market_sim.market import Market
from vbranch.market_sim.orders import OrderKind, OrderRejected, OrderRequest, Side
from vbranch.scenes.catalogue import text
from vbranch.scenes.lesson_checks import CheckResult, run_check
from vbranch.scenes.lesson_menu import MENU_KEYS, MenuRow, Status, menu_rows
from vbranch.scenes.lesson_run import (
    AnswersOpened,
    Bookmark,
    Cue,
    Left,
    LessonRun,
    MarketNow,
    Phase,
    QuestionAnswered,
    QuestionAsked,
    QuizGraded,
    RoundWanted,
    Said,
    StepsFollowed,
    TaskGraded,
    TaskOpened,
    market_speed,
)
from vbranch.scenes.lessons import Lesson, list_lessons
from vbranch.world.lesson_boards import board_lesson_near
from vbranch.world.lesson_panel import LessonPanel
from vbranch.world.lesson_view import TRAILING_TOOL_CHECK, Placement, check_message, menu_view, run_view
from vbranch.world.order_form import Key

__all__ = ["LessonDesk", "FOCUS_VIEWS", "TRAIL_PCT"]

log = logging.getLogger(__name__)

FOCUS_VIEWS = {"wall": "floor", "orders": "floor", "portfolio": "floor", "leaderboard": "classroom",
               "questionnaire": "lobby"}  # a step's focus fixture → the named view that shows it
TRAIL_PCT = 5.0
REDRAW_S = 0.25  # the task panel's day and progress, four times a second
HALL = "hall"


class LessonDesk:
    """Owned by the app: ``tick`` every frame; keys, numbers, Esc and clicks return True when used."""

    def __init__(self, app, account_id: str, state_path: Path, aspect_ratio: float) -> None:
        self.app, self.account_id, self.state_path = app, account_id, state_path
        self.lang, self.aspect = app.lang, aspect_ratio
        hud = app.hud
        self.panel = LessonPanel(hud.root, app.theme, aspect_ratio, center_bottom=hud.hint_top + 0.02,
                                 side_bottom=hud.subtitle_top + 0.02)
        self.pace = 1.5 if app.options.elder else 1.0  # reading time per line; scripted runs shorten it
        self.available = isinstance(app.market, Market)
        self.blocked: Callable[[], bool] = lambda: False  # e.g. while the guided first visit has the floor
        self.menu_open = False
        self.selected = 0
        self.rows: tuple[MenuRow, ...] = ()
        self.run: LessonRun | None = None
        self.bookmarks = self._load()
        self._lessons: dict[str, Lesson] | None = None
        self._base_speed: float | None = None
        self._trades_at_task = 0
        self._room = ""
        self._now_s = 0.0
        self._redraw_s = 0.0
        self._unsubscribe = app.market.bus.subscribe(self._on_fill, Filled) if self.available else None

    def market_changed(self, market) -> None:
        """A new round: hear the new market's fills (not the old one's); a waiting retry opens on it."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = market.bus.subscribe(self._on_fill, Filled)
        self._trades_at_task = 0

    # ----- state -----------------------------------------------------------------------------------
    @property
    def lessons(self) -> dict[str, Lesson]:
        if self._lessons is None:  # loaded on first use: the branch opens without parsing ten lessons
            self._lessons = {lesson.id: lesson for lesson in list_lessons()}
        return self._lessons

    def _load(self) -> dict[str, Bookmark]:
        try:
            raw = json.loads(self.state_path.read_text("utf-8"))
            return {lid: Bookmark.from_dict(b) for lid, b in raw.get("bookmarks", {}).items()}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        data = {"bookmarks": {lid: b.to_dict() for lid, b in self.bookmarks.items()}}
        tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        tmp.replace(self.state_path)

    @property
    def has_floor(self) -> bool:
        """The advisor's market commentary waits while the learner chooses, listens, reads or answers."""
        return self.menu_open or (self.run is not None and self.run.phase is not Phase.TASK)

    @property
    def takes_numbers(self) -> bool:
        run = self.run
        if self.menu_open:
            return True
        if run is None:
            return False
        if run.phase is Phase.TASK:  # an observation's answers, or the trailing-stop task's tool
            return run.verdicts is not None or run.lesson.task.check == TRAILING_TOOL_CHECK
        return run.phase in (Phase.QUIZ, Phase.FEEDBACK) or (run.phase is Phase.TASK_RESULT and
                                                               not run.task_result.passed)

    # ----- input -----------------------------------------------------------------------------------
    def toggle_menu(self) -> None:
        """L: open or close the lesson menu (during a lesson, Esc leaves it first)."""
        if self.run is not None and self.run.phase is Phase.DONE:
            self._close_run()
        if self.run is not None:
            return
        if self.menu_open:
            self.close_menu()
        else:
            self.open_menu()

    def open_menu(self, lesson_id: str | None = None) -> bool:
        if not self.available or self.blocked():
            key = "lesson_desk.classroom" if not self.available else "lesson_desk.visit_first"
            self.app.hud.notify(text(key, self.lang), self._now_s, 4.0)
            return False
        self.rows = menu_rows(list(self.lessons.values()), self.app.quests.quests, self.app.quests.progress,
                              self.bookmarks)
        ids = [row.lesson_id for row in self.rows]
        if lesson_id in ids:
            self.selected = ids.index(lesson_id)
        else:  # the first lesson still to do that can be played
            todo = [i for i, row in enumerate(self.rows) if row.playable and row.status is not Status.DONE]
            self.selected = todo[0] if todo else 0
        self.menu_open = True
        self._redraw(force=True)
        return True

    def close_menu(self) -> None:
        self.menu_open = False
        self._redraw(force=True)

    def key(self, key: Key) -> bool:
        """A panel key (arrows, Tab, Enter); False leaves it to the order panel."""
        if self.menu_open:
            if key in (Key.NEXT, Key.PREV):
                self.selected = (self.selected + (1 if key is Key.NEXT else -1)) % len(self.rows)
            elif key is Key.ACTIVATE:
                self.pick(self.selected)
            self._redraw(force=True)
            return True
        run = self.run
        if run is None:
            if key is Key.ACTIVATE and self.app.room_id == HALL:
                near = board_lesson_near(self.app.layout, self.app.pose.x, self.app.pose.y)
                return near is not None and self.open_menu(near)
            return False
        if run.phase is Phase.TASK:
            return False  # the learner is trading: the order panel has the keys
        if key is Key.ACTIVATE:
            if run.phase is Phase.DONE:
                self._close_run()
            else:
                self._act(run.next())
            return True
        return run.phase is not Phase.STEPS  # arrows must not change an order form nobody is looking at

    def number(self, index: int) -> bool:
        """Number key ``index`` (0 for key 1, 9 for key 0): a menu row, an answer, retry or quiz."""
        if not self.takes_numbers:
            return False
        if self.menu_open:
            if index < min(MENU_KEYS, len(self.rows)):
                self.selected = index
                self.pick(index)
            return True
        if self.run.phase is Phase.TASK and not self.run.observation:
            if index == 0:
                self.trailing_stop()
            return True
        self._act(self.run.choose(index))
        return True

    def escape(self) -> bool:
        """Esc: leave the lesson (bookmarked) back to the menu, or close the menu."""
        if self.run is not None:
            if self.run.phase is Phase.DONE:
                self._close_run()
                return True
            self._act(self.run.leave())
            self.run = None
            self.open_menu()
            return True
        if self.menu_open:
            self.close_menu()
            return True
        return False

    def click(self, mouse_x: float, mouse_y: float) -> bool:
        """A click at screen coordinates (-1..1) on one of the panel's options."""
        index = self.panel.option_at(mouse_x * self.aspect, mouse_y)
        if index is None:
            return False
        choice = self.panel.view.options[index].choice
        index = index if choice is None else choice
        if self.menu_open:
            self.selected = index
            self.pick(index)
            return True
        return self.number(index)

    def pick(self, index: int) -> None:
        """Start the menu's row ``index`` if the quest graph lets the learner play it."""
        row = self.rows[index]
        if not row.playable:
            self.app.hud.notify(text(row.locked_reason, self.lang), self._now_s, 4.0)
            return
        self.play(row.lesson_id)

    def play(self, lesson_id: str) -> None:
        """Start (or resume) a lesson, locked or not (scripted runs and teachers preview any lesson)."""
        lesson = self.lessons[lesson_id]
        bookmark = self.bookmarks.get(lesson_id)
        started_ts_s = bookmark.started_ts_s if bookmark else time.time()
        self.menu_open = False
        self.run = LessonRun(lesson, self.lang, self._check, pace=self.pace, bookmark=bookmark,
                             started_ts_s=started_ts_s)
        if bookmark is None:
            self.app.record.lesson_started(lesson_id, started_ts_s)
        else:
            self.app.hud.notify(text("lesson_desk.resumed", self.lang), self._now_s, 3.0)
        log.info("lesson %s %s", lesson_id, "resumed" if bookmark else "started")
        self._redraw(force=True)

    def trailing_stop(self) -> None:
        """The trailing-stop task's tool (key 1): a trailing stop on the newest holding; the order panel has none."""
        run = self.run
        if run is None or run.phase is not Phase.TASK or run.lesson.task.check != TRAILING_TOOL_CHECK:
            return
        account = self.app.account
        held = [t.symbol for t in reversed(account.trades) if t.side == "buy" and account.held(t.symbol) > 0]
        if not held:
            self.app.hud.notify(text("lesson_desk.trailing_none", self.lang), self._now_s, 4.0)
            return
        symbol = held[0]
        request = OrderRequest(symbol, Side.SELL, account.held(symbol), kind=OrderKind.TRAILING_STOP,
                               trail_pct=TRAIL_PCT, client_order_id=f"lesson-trail-{self.app.frames}")
        name = self.app.names.get(symbol, symbol)
        try:
            self.app.market.submit(self.account_id, request)
        except OrderRejected as exc:
            message = exc.reject.message(self.lang)
        else:
            message = text("lesson_desk.trailing_placed", self.lang, trail=f"{TRAIL_PCT:g}", name=name)
            run.nudge()
        self.app.hud.notify(message, self._now_s, 4.0)

    # ----- the frame ---------------------------------------------------------------------------------
    def tick(self, now_s: float) -> None:
        self._now_s = now_s
        app = self.app
        if app.room_id != self._room:
            self._room = app.room_id
            if self._room == HALL and self.run is None and not self.menu_open and self.available:
                app.hud.notify(text("lesson_desk.hall_hint", self.lang), now_s, 6.0)
        run = self.run
        if run is not None:
            market = app.market
            cues = run.tick(now_s, MarketNow(market.day, bool(market.finished)))
            if cues:
                self._act(cues)
        self._pace()
        self._redraw()

    def _check(self, params: dict, answer: str | None) -> CheckResult:
        assert self.run is not None
        return run_check(self.run.lesson.task.check, self.app.market, self.account_id, params, answer)

    def _on_fill(self, event: Filled) -> None:
        if self.run is not None and event.account_id == self.account_id:
            self.run.nudge()

    def _pace(self) -> None:
        """The market runs at the lesson's pace during its task; the learner's own pace comes back after."""
        if not self.available:
            return
        market = self.app.market
        if self.run is None:
            if self._base_speed is not None:
                market.set_speed(self._base_speed)
                self._base_speed = None
            return
        if self._base_speed is None:
            self._base_speed = market.clock.speed
        wanted = market_speed(self.run, self._base_speed)
        if market.clock.speed != wanted:
            market.set_speed(wanted)

    def _redraw(self, force: bool = False) -> None:
        if not force and self._now_s < self._redraw_s:
            return
        self._redraw_s = self._now_s + REDRAW_S
        view = None
        if self.menu_open:
            prompts = {lid: lesson.task.prompt[self.lang] for lid, lesson in self.lessons.items()}
            view = menu_view(self.rows, self.selected, self.lang, prompts)
        elif self.run is not None:
            traded = len(self.app.account.trades) > self._trades_at_task
            view = run_view(self.run, self.lang, self.app.quests.progress.coins, traded)
        if view is not None and view.placement is Placement.CENTER and view != self.panel.view:
            self.app.hud.clear_subtitle()  # the centred card reaches down over the subtitle line
        self.panel.show(view)

    def _close_run(self) -> None:
        self.run = None
        self._pace()
        self._redraw(force=True)

    def _go(self, view: str) -> None:
        """Take the learner to a named view, unless they already stand in that room (views are named by room)."""
        app = self.app
        room = app.layout.room_at(app.pose.x, app.pose.y)
        if room is None or room.id != view:
            app.set_view(view)

    # ----- cues --------------------------------------------------------------------------------------
    def _act(self, cues: list[Cue]) -> None:
        run, app, now_s = self.run, self.app, self._now_s
        assert run is not None
        lesson = run.lesson
        for cue in cues:
            if isinstance(cue, Said):
                step = lesson.steps[cue.step]
                line = step.say[self.lang]
                app.advisor.say(line, now_s, step.gesture)
                app.hud.say(line, now_s, run.read_s(line) + 1.0)  # the subtitle stays while the line is read
                if step.focus:
                    self._go(FOCUS_VIEWS[step.focus])
            elif isinstance(cue, StepsFollowed):
                app.quests.lesson_followed(lesson.id)
            elif isinstance(cue, TaskOpened):
                self._trades_at_task = len(app.account.trades)
                self._go("floor")
                prompt = lesson.task.prompt[self.lang]
                app.advisor.say(prompt, now_s)
                app.hud.say(prompt, now_s, run.read_s(prompt))
            elif isinstance(cue, AnswersOpened):
                log.info("lesson %s: answers open on day %d", lesson.id, app.market.day)
            elif isinstance(cue, TaskGraded):
                app.record.lesson_graded(lesson.id, run.started_ts_s, cue.result)
                if cue.result.passed:
                    app.quests.task_passed(lesson.id)
                app.advisor.speech.say(check_message(cue.result, self.lang))
            elif isinstance(cue, QuestionAsked):
                app.advisor.speech.say(lesson.quiz[cue.index].question[self.lang])  # the panel is the subtitle
            elif isinstance(cue, QuestionAnswered):
                app.record.quiz_answered(lesson.id, cue.index, cue.choice, cue.correct, cue.seconds)
            elif isinstance(cue, QuizGraded):
                app.record.quiz_graded(lesson.id, run.started_ts_s, cue.result)
                if cue.result.passed:
                    app.quests.quiz_passed(lesson.id)
                self.bookmarks.pop(lesson.id, None)
                self._save()
            elif isinstance(cue, RoundWanted) and app.rounds is not None:
                app.rounds.start_lesson(lesson)  # the task opens on the new market at the next tick
            elif isinstance(cue, Left):
                if cue.bookmark is None:
                    self.bookmarks.pop(lesson.id, None)
                else:
                    self.bookmarks[lesson.id] = cue.bookmark
                    app.hud.notify(text("lesson_desk.paused", self.lang), now_s, 5.0)
                self._save()
        self._redraw(force=True)
