"""The branch application: builds the place from the layout and runs one frame at a time.

The frame is the whole contract with the cores: advance the market by the frame's ``dt`` (single
player), read its state once, and write it into widgets that update their geometry in place. Input
(keys, mouse, VR controllers) arrives as small commands; nothing here decides a trading rule. In single
player a scenario's market can end; ``new_round`` then swaps in a fresh one and rebinds every part that
holds the market (``RoundDesk`` decides when).
"""

from __future__ import annotations

import gc
import logging
import math
from collections.abc import Callable

from vbranch.avatars.advisor_chat import AdvisorChat, ChatReply
from vbranch.market_sim.events import BarClosed, CrashStarted, Halted, LimitHit, Resumed
from vbranch.market_sim.market import Market
from vbranch.market_sim.order_entry import lot_size_for
from vbranch.market_sim.orders import OrderRejected, OrderRequest
from vbranch.scenes.catalogue import text
from vbranch.scenes.layout import VIEW_NAMES, Layout, load_layout
from vbranch.scenes.scenario import load_scenario
from vbranch.world.advisor_presence import AdvisorPresence
from vbranch.world.chat_box import ChatBox
from vbranch.world.cooling_desk import CoolingDesk
from vbranch.world.desktop_controls import EYE_HEIGHT_M, PITCH_LIMIT_DEG, LearnerPose, walk
from vbranch.world.event_text import ACCOUNT_EVENTS, account_event_message
from vbranch.world.fixtures import build_fixtures, leaderboard_rows
from vbranch.world.help_call import help_spot, route
from vbranch.world.hud import Hud
from vbranch.world.learning_record import LearningRecorder
from vbranch.world.lesson_desk import LessonDesk
from vbranch.world.market_wall import MarketWall
from vbranch.world.options import RunOptions, learner_log_dir, theme_for
from vbranch.world.order_form import Action, Key, OrderForm
from vbranch.world.order_panel import OrderPanelView, control_from_pick, make_picker
from vbranch.world.portfolio_holo import PortfolioHologram
from vbranch.world.quest_desk import QuestDesk
from vbranch.world.rooms import add_global_lights, build_rooms
from vbranch.world.round_desk import RoundDesk
from vbranch.world.suitability_desk import SuitabilityDesk
from vbranch.world.text import load_font
from vbranch.world.voice_sensing import VoiceSensing

__all__ = ["BranchApp", "LEARNER_ACCOUNT"]

log = logging.getLogger(__name__)

LEARNER_ACCOUNT = "learner"
BANNER_EVENTS = (CrashStarted, LimitHit, Halted, Resumed)
SKY = (0.70, 0.80, 0.90, 1.0)


class BranchApp:
    """One learner in the branch. ``frame(dt_s, now_s)`` is called once per rendered frame.

    ``market`` may be any object with ``Market``'s read surface (a classroom's ``RemoteMarket``); then
    ``place`` sends the panel's orders elsewhere (to the server) and returns the panel's message.
    """

    def __init__(self, base, options: RunOptions, layout: Layout | None = None, market: Market | None = None,
                 place: Callable[[OrderRequest], str] | None = None) -> None:
        self.base, self.options = base, options
        self._place_elsewhere = place
        self.lang = options.lang
        self.theme = theme_for(options.elder)
        self.layout = layout or load_layout(options.layout)
        if market is None:
            scenario = load_scenario(options.scenario)
            market = Market(scenario.market_config(), seed=options.seed)
            self.scenario_title = scenario.title[self.lang]
        else:
            self.scenario_title = market.universe.name
        market.set_speed(options.speed)

        base.set_background_color(*SKY)
        self.world = base.render.attach_new_node("branch")
        self.rooms = build_rooms(self.world, self.layout)
        add_global_lights(base.render)
        anchors = self._anchors = build_fixtures(self.world, self.layout, self.lang)
        self._font = load_font()
        self._wall_size = self.layout.fixture("wall").size or (12.0, 4.5)
        self._bind_market(market)
        self.panel = OrderPanelView(anchors["orders"], self.lang, self.theme, self.names)
        board = anchors.get("leaderboard")  # the classroom wall's rows (None when the layout has no wall)
        self.leaderboard_text = (leaderboard_rows(board, self.layout.fixture("leaderboard"), self.lang)
                                 if board else None)

        self.advisor = AdvisorPresence(base, self.world, self.layout.advisor, self.lang, options.elder,
                                       LEARNER_ACCOUNT, learner_log_dir(),
                                       lambda line: self.hud.say(line, self._now()))
        self.record = LearningRecorder(LEARNER_ACCOUNT, options.scenario, market)
        self.quests = QuestDesk(learner_log_dir() / "quests.json", self.lang,
                                lambda message: self.hud.notify(message, self._now(), 5.0))
        self.suitability = SuitabilityDesk(market.universe, LEARNER_ACCOUNT, self.lang,
                                           learner_log_dir() / "suitability.jsonl")
        self.cooling = CoolingDesk(market, LEARNER_ACCOUNT, self.lang, self.say,
                                   lambda lines: self.hud.notify(lines, self._now(), 15.0),
                                   log_path=learner_log_dir() / "cooling_off.jsonl")

        # typed words to the advisor: questions, feelings, orders (orders only in single player; a
        # classroom's orders go through the desk to the server)
        self.chat = AdvisorChat(market, LEARNER_ACCOUNT, self.lang, orders=place is None)
        self.ticket: OrderRequest | None = None  # an order from the chat, waiting for Enter

        self.voice = VoiceSensing(learner_log_dir() / "consent.json", self.lang, self.say, options.voice_file,
                                  learner_log_dir() / "recordings" if options.record else None)
        self.cooling.voice = self.voice.signal
        self.voice.start()  # only if the learner consented in an earlier visit

        self.head = base.render.attach_new_node("learner")
        sx, sy, sh = self.layout.spawn
        self.pose = LearnerPose(sx, sy, sh)
        base.camera.reparent_to(self.head)
        base.camera.set_pos(0, 0, 0)
        base.camLens.set_fov(75 if not options.elder else 70)
        base.camLens.set_near_far(0.05, 300.0)
        if options.view:
            self.set_view(options.view)
        self._place_head()

        aspect = base.get_aspect_ratio() if base.win else 16 / 9
        self.hud = Hud(base.aspect2d, self.theme, aspect)
        self.hud.hint.set(text("hud.controls", self.lang))
        self.chat_box = ChatBox(base, base.aspect2d, self.theme, aspect, self.lang, self.chat_message)
        self._show_keys = True
        self._picker = make_picker(base.camera)
        self.room_id = ""
        self.frames = 0
        self.now_s = 0.0
        self._shown_form: OrderForm | None = None
        self.lessons = LessonDesk(self, LEARNER_ACCOUNT, learner_log_dir() / "lessons.json", aspect)
        # rounds: single player only (a classroom's market is the server's and never runs out here)
        self.rounds = RoundDesk(self, options.scenario, options.seed) if place is None and isinstance(
            market, Market) else None
        self.round_listeners: list[Callable[[Market], None]] = []  # e.g. the first visit follows a new market
        # Everything built so far lives for the whole session: move it out of the cyclic collector's
        # reach, so a full collection can't land a multi-millisecond pause in a VR frame.
        gc.collect()
        gc.freeze()

    # ----- building helpers -------------------------------------------------------------------------
    def _bind_market(self, market) -> None:
        """The learner's account and the widgets drawn from the market's universe (built afresh each round)."""
        self.market = market
        self.account = market.open_account(LEARNER_ACCOUNT)
        self.names = {inst.symbol: inst.name(self.lang) for inst in market.universe}
        wall_w, wall_h = self._wall_size
        self.wall = MarketWall(self._anchors["wall"], market, self.lang, self._font, wall_w, wall_h)
        self.wall.root.set_pos(0, 0.05, wall_h / 2)
        self.holo = PortfolioHologram(self._anchors["portfolio"], market.universe, self.lang, self._font)
        self._holo_sample_steps = max(1, market.config.steps_per_day // 8)
        self.form = OrderForm(tuple(market.symbols), lot_size_for(market.universe, market.rules, market.symbols[0]))

    def new_round(self, market: Market, scenario: str, title: str, lesson_id: str | None = None) -> None:
        """Swap in ``market`` for a new round (single player), rebinding in one place every part that holds
        the market, its universe or the learner's account; the old round's wall and hologram are removed.

        The round that ends is recorded first (once: the recorder ignores a second close), and the new
        market keeps the current pace (the lesson desk still restores the learner's own after a task).
        """
        self.record.close(self.account)
        market.set_speed(self.market.clock.speed)
        self.wall.destroy()
        self.holo.destroy()
        self._bind_market(market)
        self.scenario_title = title
        self.panel.rebind(self.names)
        self.record = LearningRecorder(LEARNER_ACCOUNT, scenario, market, lesson_id)
        self.suitability.rebind(market.universe)
        self.cooling.rebind(market)
        self.chat = AdvisorChat(market, LEARNER_ACCOUNT, self.lang)
        self.ticket = None
        self.quests.new_round()
        self.lessons.market_changed(market)
        self.advisor.new_round()
        self._shown_form = None
        for listener in self.round_listeners:
            listener(market)
        gc.unfreeze()  # the old round's objects may sit in cycles: collect them now, then freeze the new ones
        gc.collect()
        gc.freeze()

    # ----- commands from input ------------------------------------------------------------------------
    def set_view(self, name: str) -> None:
        if name not in self.layout.views:
            raise ValueError(f"unknown view {name!r}: expected one of {', '.join(VIEW_NAMES)}")
        view = self.layout.views[name]
        dx, dy, dz = (view.look_at[i] - view.pos[i] for i in range(3))
        heading = math.degrees(math.atan2(-dx, dy))
        pitch = math.degrees(math.atan2(dz, math.hypot(dx, dy)))
        self.pose = LearnerPose(view.pos[0], view.pos[1], heading, pitch)
        self._eye_z = view.pos[2]
        self._place_head()

    def view_by_number(self, i: int) -> None:
        self.set_view(VIEW_NAMES[i])

    def panel_key(self, key: Key) -> None:
        if key is Key.ACTIVATE and self.cooling.active:  # during a cooling-off, Enter answers the advisor
            self.cooling_answer("confirm")
            return
        if self.lessons.key(key):  # the lesson menu, a lesson's lines or its quiz has the keys
            return
        if key is Key.ACTIVATE and self.rounds is not None and self.rounds.over:  # the market has closed:
            self.rounds.enter(self._now())  # Enter (the VR trigger) takes up the offer of a new round
            return
        if key is Key.ACTIVATE and self.ticket is not None:  # Enter sends the order read back from the chat
            request, self.ticket = self.ticket, None
            self.submit_order(request)
            return
        self.form, action = self.form.press(key)
        if action is Action.SUBMIT:
            self.submit_order()

    def submit_order(self, request: OrderRequest | None = None) -> None:
        """The panel's order (or one from the chat) goes through the suitability and cooling-off gates;
        most orders pass straight to the market."""
        request = request or self.form.request(client_order_id=f"desk-{self.frames}")
        go, warning = self.suitability.review(request)
        if warning:
            self.say(warning)
            self._show_result(warning)
        if not go:
            return
        self.advisor.brain.learner_acted("order", self._now(), side=request.side.value, symbol=request.symbol,
                                         qty=request.qty, stop_loss_pct=request.stop_loss_pct)
        self._show_result(self.cooling.submit(request, self._now(), self._place))

    def chat_message(self, message: str) -> ChatReply:
        """What the learner typed to the advisor: the advisor answers; the words join the emotion reading."""
        now = self._now()
        reply = self.chat.reply(message)
        self.cooling.hear(reply.words, now)
        self.advisor.set_learner_state(self.cooling.learner_state())
        self.ticket = reply.request
        self.advisor.brain.learner_acted("chat", now, reply=reply.kind.value)
        self.say(reply.text)
        return reply

    def cooling_answer(self, answer: str) -> None:
        """The learner's reply during a cooling-off: "confirm", "cancel" or "breathe"."""
        if answer == "cancel" and self.ticket is not None and not self.cooling.active:  # Esc drops a chat order
            self.ticket = None
            self.say(text("chat.ticket_dropped", self.lang))
            return
        if self.cooling.active:
            self.advisor.brain.learner_acted(f"cooling_off.{answer}", self._now())
            handler = {"confirm": self.cooling.confirm, "cancel": self.cooling.cancel,
                       "breathe": self.cooling.breathe}[answer]
            self._show_result(handler(self._now(), self._place))

    def _place(self, request) -> str:
        if self._place_elsewhere is not None:
            return self._place_elsewhere(request)
        name = self.names.get(request.symbol, request.symbol)
        try:
            self.market.submit(LEARNER_ACCOUNT, request)
        except OrderRejected as exc:
            return exc.reject.message(self.lang)
        return text("panel.accepted", self.lang, side=text(f"side.{request.side.value}", self.lang),
                    qty=request.qty, name=name)

    def _show_result(self, message: str | None) -> None:
        if message:
            self.panel.status(message)
            self.hud.notify(message, self._now())

    def click(self, mouse_x: float, mouse_y: float) -> None:
        """A mouse click at screen coordinates (-1..1): use whatever panel control is under it."""
        if self.lessons.click(mouse_x, mouse_y):
            return
        traverser, queue, ray = self._picker
        ray.set_from_lens(self.base.camNode, mouse_x, mouse_y)
        self._pick(traverser, queue)

    def pick_ray(self, origin, direction) -> None:
        """A controller ray (render coordinates): the VR equivalent of a click."""
        traverser, queue, ray = self._picker
        cam = self.base.camera
        ray.set_origin(cam.get_relative_point(self.base.render, origin))
        ray.set_direction(cam.get_relative_vector(self.base.render, direction))
        self._pick(traverser, queue)

    def _pick(self, traverser, queue) -> None:
        traverser.traverse(self.base.render)
        if queue.get_num_entries() == 0:
            return
        queue.sort_entries()
        control = control_from_pick(queue.get_entry(0).get_into_node().get_name())
        if control is not None:
            self.form = self.form.focus_on(control)
            self.panel_key(Key.ACTIVATE)

    def call_help(self) -> None:
        """一键求助: the advisor walks over from wherever it is and faces the learner."""
        learner = (self.pose.x, self.pose.y)
        spot = help_spot(self.layout, learner, self.pose.heading_deg)
        walk = self.advisor.walk
        walk.call(route(self.layout, (walk.x, walk.y), spot), learner)
        self.say(text("help.coming", self.lang))

    def say(self, line: str) -> None:
        """The advisor speaks ``line`` (voice when it is ready, subtitle at once)."""
        self.advisor.say(line, self._now())

    def toggle_keys(self) -> None:
        self._show_keys = not self._show_keys
        self.hud.hint.set(text("hud.controls", self.lang) if self._show_keys else "")

    def close(self) -> None:
        """The branch is closing: keep the session in the learning store, stop the voice."""
        self.record.close(self.account)
        self.voice.stop()
        self.advisor.close()

    # ----- the frame ----------------------------------------------------------------------------------
    def _now(self) -> float:
        """The frame clock (what ``frame`` was last given), so notices and subtitles time out with it."""
        return self.now_s

    def _place_head(self) -> None:
        eye_z = getattr(self, "_eye_z", EYE_HEIGHT_M)
        self.head.set_pos_hpr(self.pose.x, self.pose.y, eye_z, self.pose.heading_deg, self.pose.pitch_deg, 0)

    def move(self, forward: float, strafe: float, turn: float, look: tuple[float, float], dt_s: float) -> None:
        pose = self.pose
        heading = pose.heading_deg + turn * self.theme.turn_speed_dps * dt_s + look[0]
        pitch = max(-PITCH_LIMIT_DEG, min(PITCH_LIMIT_DEG, pose.pitch_deg + look[1]))
        pose = LearnerPose(pose.x, pose.y, heading, pitch)
        self.pose = walk(pose, forward, strafe, dt_s, self.theme.move_speed_mps, self.layout.walkable)
        self._place_head()

    def frame(self, dt_s: float, now_s: float) -> None:
        """Advance the market by the frame clock (single player) and bring every widget up to date."""
        self.update_scene(self.market.step(dt_s), dt_s, now_s)
        if self.market.finished and self.rounds is not None and not self.rounds.over:
            self.rounds.end(now_s)  # once: the wall, the HUD and the advisor say the round is over

    def update_scene(self, events: list, dt_s: float, now_s: float) -> None:
        """Read the core's state once and write it into the scene graph (the frame's Python budget)."""
        self.frames += 1
        self.now_s = now_s
        for event in events:
            self._react(event, now_s)
        market = self.market
        self.wall.sync(market, now_s)
        prices = market.venue.prices
        # The hologram samples equity 8 times a trading day, and at once after a trade of the learner's:
        # its curve then spans days, and it costs a frame ~0.4 ms only a few times a second.
        sample = (market.t_step // self._holo_sample_steps, len(self.account.trades))
        self.holo.sync(self.account, prices, sample)  # type: ignore[arg-type]
        self.holo.tick(dt_s)
        if self.frames % 15 == 1 or self.form is not self._shown_form:  # key presses at once, the price 4×/s
            self._shown_form = self.form
            self.panel.show(self.form, float(prices[self.form.instrument]))
        self.advisor.observe(events, self.holo.equity, now_s)
        if self.frames % 30 == 1:  # the fused emotion reading, twice a second, picks the advisor's tone
            self.advisor.set_learner_state(self.cooling.learner_state())
        if self.frames == 1:
            self.advisor.say_event("greeting", now_s)
        if self.advisor.update(dt_s, now_s, self.head, quiet=self.cooling.active or self.lessons.has_floor):
            self.advisor.say_event("help.arrived", now_s)
        self._show_result(self.cooling.tick(now_s, self._place))
        self.hud.tick(now_s)
        self.lessons.tick(now_s)
        room = self.layout.room_at(self.pose.x, self.pose.y)
        if room is not None and room.id != self.room_id:
            self.room_id = room.id
            self.hud.room.set(text("hud.room", self.lang, room=text(room.title, self.lang)))
        if self.frames % 10 == 1:  # the first frame, then six times a second
            rounds = self.rounds
            if rounds is not None and rounds.over:
                self.hud.status.set(rounds.status_line())
            else:
                self.hud.status.set(text("hud.status", self.lang, scenario=self.scenario_title, day=market.day + 1,
                                         speed=f"{market.clock.speed:g}", equity=f"{self.holo.equity:,.0f}"))

    def _react(self, event, now_s: float) -> None:
        if isinstance(event, BarClosed) and event.symbol == self.market.symbols[0]:  # once per trading day
            self.quests.day_closed(self.account)
        if isinstance(event, BANNER_EVENTS):
            self.wall.show_event(event, now_s)
        if isinstance(event, CrashStarted | Halted) and self.wall.banner_text:
            self.hud.notify(self.wall.banner_text, now_s, 4.0)
        if isinstance(event, ACCOUNT_EVENTS) and getattr(event, "account_id", None) in (None, LEARNER_ACCOUNT):
            message = account_event_message(event, self.names, self.lang)
            if message is not None:
                self.hud.notify(message, now_s)
