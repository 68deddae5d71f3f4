"""The advisor in the branch: its body, its walk, its voice, what it chooses to say, and its gestures.

What to say is the dialogue core's decision (``vbranch.avatars.dialogue.react.Advisor``: event ×
learner state × mode × language, paced so it never chatters, A/B style logged); this shell feeds it
market events, the learner's equity and the fused emotion state, speaks what it returns, and plays the
line's gesture (greet, point at the wall, calm-down palms) over the idle pose.
"""

from __future__ import annotations

from pathlib import Path

from vbranch.avatars.body import blend, gesture_joints, gesture_pose, idle_pose
from vbranch.avatars.dialogue.ab import ExperimentLog
from vbranch.avatars.dialogue.policy import Mode
from vbranch.avatars.dialogue.react import Advisor
from vbranch.avatars.render import AvatarView
from vbranch.emotion.signals import LearnerState
from vbranch.world.advisor_speech import AdvisorSpeech
from vbranch.world.help_call import HelpWalk

__all__ = ["AdvisorPresence", "GESTURE_S"]

GESTURE_S = 2.5  # one gesture, start to finish
IDLE_SEED = 7


class AdvisorPresence:
    def __init__(self, base, parent, placement: tuple[float, float, float], lang: str, elder: bool,
                 account_id: str, log_dir: Path, on_line) -> None:
        x, y, heading = placement
        self.view = AvatarView(parent, name="advisor")
        self.walk = HelpWalk(x, y, heading, speed_mps=1.1 if elder else 1.6)
        self.speech = AdvisorSpeech(base, lang, elder)
        self.brain = Advisor(lang=lang, mode=Mode.ELDER if elder else Mode.NORMAL, account_id=account_id,
                             learner_id=account_id, experiment_log=ExperimentLog(log_dir / "advisor_ab.jsonl"))
        self._on_line = on_line  # the HUD's subtitle
        self._gesture: tuple[str, float] | None = None
        self.lines: list[str] = []  # every line chosen, in order (tests and analytics read it)

    # ----- what the advisor hears ---------------------------------------------------------------------
    def observe(self, events, equity: float, now_s: float) -> None:
        for event in events:
            self.brain.observe(event, now_s)
        self.brain.observe_equity(equity, now_s)

    def new_round(self) -> None:
        """A new market: a fresh mind for its news, keeping the A/B style (the old round's equity reference
        would read the fresh account as a big gain or loss, and its waiting news is about a closed market)."""
        old = self.brain
        self.brain = Advisor(lang=old.lang, mode=old.mode, style=old.style, account_id=old.account_id,
                             learner_id=old.learner_id, experiment_log=old.experiment_log)
        self.brain.set_state(old.state)

    def set_learner_state(self, state: LearnerState) -> None:
        self.brain.set_state(state)

    # ----- what the advisor does ----------------------------------------------------------------------
    def say_event(self, event_kind: str, now_s: float, **numbers: object) -> None:
        """Say the catalogue's line for ``event_kind`` now (greeting, help arrived, …)."""
        self._speak(self.brain.say(event_kind, now_s, **numbers), now_s)

    def say(self, text: str, now_s: float, gesture: str | None = None) -> None:
        self.lines.append(text)
        self.speech.say(text)
        self._on_line(text)
        if gesture:
            self._gesture = (gesture, now_s)

    def _speak(self, line, now_s: float) -> None:
        self.say(line.text, now_s, line.gesture)

    def update(self, dt_s: float, now_s: float, look_at, quiet: bool = False) -> bool:
        """Walk, speak what is due, animate; returns True on the frame a help walk arrives.

        ``quiet`` holds the market commentary back (e.g. while a cooling-off conversation has the floor).
        """
        line = None if quiet else self.brain.poll(now_s)
        if line is not None:
            self._speak(line, now_s)
        arrived = self.walk.tick(dt_s)
        root = self.view.root
        root.set_pos(self.walk.x, self.walk.y, 0)
        root.set_h(self.walk.heading_deg)
        pose = idle_pose(now_s, seed=IDLE_SEED)
        if self._gesture is not None:
            name, started_s = self._gesture
            phase = (now_s - started_s) / GESTURE_S
            if phase >= 1.0:
                self._gesture = None
            else:
                pose = blend(pose, gesture_pose(name, phase), 1.0, gesture_joints(name))
        self.view.apply(pose.with_joints({}, mouth_open=self.speech.tick(now_s)))
        self.view.look_at(look_at)
        return arrived

    def close(self) -> None:
        self.speech.close()
