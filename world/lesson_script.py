"""A scripted learner for ``vbranch run --offscreen --script lesson:ID``: one lesson played headless.

It opens the lesson menu on the lesson, plays it through the same desk, keys and gates a learner uses
(orders go through ``BranchApp.submit_order``: suitability, cooling-off, the market), does the task
the way the lesson asks (a protected buy, three asset classes, a buy every five days…), answers the
quiz right except the last question (so both kinds of feedback are seen), and names each moment worth
a picture (menu, lines, task, verdict, every question and its feedback, the score) so the runner can
save screenshots. A task it can't pass on the market it was given is let go, on to the quiz.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from vbranch.market_sim.order_entry import lot_size_for, shares_for_cash
from vbranch.market_sim.orders import OrderRequest, Side
from vbranch.scenes.lesson_run import Phase
from vbranch.world.order_form import Key

__all__ = ["ScriptedLesson", "SCRIPTED_PACE"]

SCRIPTED_PACE = 1 / 3  # reading times, as in the scripted first visit
SETTLE_FRAMES = 3  # frames between a change and its picture (the picture is of the last rendered frame)


class ScriptedLesson:
    """``tick()`` once a frame; ``done`` when the score was seen and the lesson closed."""

    def __init__(self, app, lesson_id: str, shoot: Callable[[str], None]) -> None:
        self.app, self.lesson_id, self._shoot = app, lesson_id, shoot
        known = app.lessons.lessons
        if lesson_id not in known:
            raise ValueError(f"--script lesson:{lesson_id}: no such lesson (known: {', '.join(sorted(known))})")
        self.done = False
        app.lessons.pace = SCRIPTED_PACE
        self._steps = self._play()
        self._wait = 0

    @property
    def phase(self) -> str:
        run = self.app.lessons.run
        return "menu" if run is None else run.phase.value

    def tick(self) -> None:
        if self.done:
            return
        if self._wait > 0:
            self._wait -= 1
            return
        try:
            self._wait = next(self._steps)
        except StopIteration:
            self.done = True

    # ----- the lesson ---------------------------------------------------------------------------------
    def _play(self) -> Iterator[int]:
        app, desk = self.app, self.app.lessons
        yield SETTLE_FRAMES
        desk.open_menu(self.lesson_id)
        yield SETTLE_FRAMES
        self._shoot("menu")
        desk.play(self.lesson_id)
        yield SETTLE_FRAMES
        self._shoot("lines")
        run = desk.run
        while run.phase is Phase.STEPS:
            yield 1
        yield SETTLE_FRAMES
        self._shoot("task")
        yield from self._do_task(run)
        while run.phase is Phase.TASK:
            yield 1
        yield SETTLE_FRAMES
        self._shoot("task-passed" if run.task_result.passed else "task-not-passed")
        if run.task_result.passed:
            app.panel_key(Key.ACTIVATE)
        else:
            desk.number(1)  # 2: go on to the quiz
        quiz = run.lesson.quiz
        for i, question in enumerate(quiz):
            while run.phase is not Phase.QUIZ:
                yield 1
            yield SETTLE_FRAMES
            self._shoot(f"question-{i + 1}")
            wrong = i == len(quiz) - 1 and len(quiz) > 1
            choice = (question.answer + 1) % len(question.choices["en"]) if wrong else question.answer
            desk.number(choice)
            yield SETTLE_FRAMES
            self._shoot(f"answer-{i + 1}")
            app.panel_key(Key.ACTIVATE)
        yield SETTLE_FRAMES
        self._shoot("score")
        app.panel_key(Key.ACTIVATE)  # close

    # ----- the task -----------------------------------------------------------------------------------
    def _do_task(self, run) -> Iterator[int]:
        check = run.lesson.task.check
        if run.observation:
            while run.verdicts is None and run.phase is Phase.TASK:
                yield 1
            if run.phase is Phase.TASK:
                yield SETTLE_FRAMES
                self._shoot("task-answers")
                answers = run.lesson.task.answers
                truth = next(i for i, a in enumerate(answers) if run.verdicts[a].passed)  # a careful look
                self.app.lessons.number(truth)
            return
        index = self.app.market.universe.index.symbol
        if check == "diversified":
            for symbol in self._one_per_class(3):
                self._buy(symbol, equity_pct=15.0)
                yield 2
        elif check == "regular_investing":
            for k in range(run.lesson.task.params.get("n_buys", 4)):
                while run.phase is Phase.TASK and run.days_into_task() < k * run.lesson.task.params.get(
                        "spacing_days", 5):
                    yield 1
                self._buy(index, equity_pct=5.0)
        elif check == "no_panic_sell_through_crash":  # no tight stop: the lesson is to ride the fall out
            self._buy(index, equity_pct=40.0, stop_loss_pct=None)
        elif check in ("position_size_within", "avoided_herding"):
            self._buy(index, equity_pct=12.0)
        elif check == "took_profit":
            self._buy(index, equity_pct=10.0, take_profit_pct=5.0)
        else:  # placed_stop_loss, trailing_stop_used: a buy with the panel's 5% stop-loss
            self._buy(index, equity_pct=10.0)
        if check == "trailing_stop_used":
            while self.app.account.held(index) == 0 and run.phase is Phase.TASK:
                yield 1
            self.app.lessons.number(0)  # the task panel's trailing-stop tool

    def _one_per_class(self, n: int) -> list[str]:
        """An index fund, then a bond and gold if the market has them: a spread a teacher would show."""
        preferred = ("equity_index", "bond", "gold", "equity_sector", "equity")
        firsts: dict[str, str] = {}
        for inst in self.app.market.universe:
            firsts.setdefault(inst.asset_class.value, inst.symbol)
        return [firsts[c] for c in preferred if c in firsts][:n]

    def _buy(self, symbol: str, equity_pct: float, take_profit_pct: float | None = None,
             stop_loss_pct: float | None = 5.0) -> None:
        app = self.app
        market = app.market
        lot = lot_size_for(market.universe, market.rules, symbol)
        qty = max(lot, shares_for_cash(app.holo.equity * equity_pct / 100, market.price(symbol), lot))
        request = OrderRequest(symbol, Side.BUY, qty, stop_loss_pct=stop_loss_pct, take_profit_pct=take_profit_pct,
                               client_order_id=f"script-{app.frames}")
        before = len(market.desk.orders)
        app.submit_order(request)
        if len(market.desk.orders) == before and not app.cooling.active:  # a suitability warning: confirm it
            app.submit_order(request)
