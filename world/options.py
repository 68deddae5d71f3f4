"""What ``vbranch run`` was asked for, and the pure decision of which mode that opens.

Kept apart from the engine so the rules — VR when a runtime exists, desktop otherwise, an error when
``--vr`` was demanded, a one-line hint when there is no display — are tested without Panda3D.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["Mode", "RunOptions", "ModeDecision", "choose_mode", "Theme", "theme_for", "learner_log_dir"]


class Mode(StrEnum):
    DESKTOP = "desktop"
    VR = "vr"
    STEREO_SIM = "stereo_sim"
    OFFSCREEN = "offscreen"
    NO_DISPLAY = "no_display"  # nothing can open: say so and how to render offscreen


@dataclass(frozen=True)
class RunOptions:
    scenario: str = "crash"
    speed: float = 1.0
    seed: int = 0
    lang: str = "zh"
    elder: bool = False
    vr: bool = False
    stereo_sim: bool = False
    offscreen: bool = False
    frames: int | None = None
    screenshot: Path | None = None
    view: str | None = None
    pbr: bool = False
    width: int = 1280
    height: int = 720
    layout: Path | None = None
    script: str | None = None  # "first-visit" or "lesson:ID": play the guided visit or one lesson, scripted
    screenshot_dir: Path | None = None
    skip_visit: bool = False
    voice_file: Path | None = None  # stands in for the microphone (demos, tests); consent still applies
    record: bool = False  # --record: keep the heard audio in <state dir>/recordings (never without the flag)
    server: str | None = None  # ws://HOST:PORT of a classroom: the room's market replaces the local one
    join_code: str | None = None
    name: str | None = None  # the nickname classmates and the leaderboard show
    print_state: bool = False  # at exit, print the classroom state as one JSON line (tests, scripts)

    @property
    def lesson_script(self) -> str | None:
        """The lesson id of ``--script lesson:ID`` (None for any other script)."""
        return self.script.removeprefix("lesson:") if self.script and self.script.startswith("lesson:") else None

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"--speed must be > 0, got {self.speed}")
        if self.frames is not None and self.frames < 1:
            raise ValueError(f"--frames must be at least 1, got {self.frames}")
        if self.lang not in ("zh", "en"):
            raise ValueError(f"--lang must be zh or en, got {self.lang!r}")
        if self.vr and self.stereo_sim:
            raise ValueError("--vr and --stereo-sim exclude each other (the simulation stands in for a headset)")
        if self.script not in (None, "first-visit") and not self.lesson_script:
            raise ValueError(f"--script must be first-visit or lesson:ID, got {self.script!r}")
        if self.vr and self.offscreen:
            raise ValueError("--vr renders to a headset; it can't be combined with --offscreen")
        if (self.server is None) != (self.join_code is None):
            raise ValueError("--server and --join go together: --server ws://HOST:PORT --join CODE")
        if self.server is not None and not self.server.startswith(("ws://", "wss://")):
            raise ValueError(f"--server must look like ws://HOST:PORT, got {self.server!r}")
        if self.name is not None and not 0 < len(self.name.strip()) <= 24:
            raise ValueError("--name must be 1 to 24 characters")


@dataclass(frozen=True)
class ModeDecision:
    mode: Mode
    message_key: str | None = None  # a catalogue key to print (one line) before starting, if any
    error: bool = False


def choose_mode(options: RunOptions, xr_available: bool, display_available: bool) -> ModeDecision:
    """Pick the mode. ``xr_available`` comes from a real OpenXR probe, ``display_available`` from the env."""
    if options.offscreen:
        return ModeDecision(Mode.STEREO_SIM if options.stereo_sim else Mode.OFFSCREEN)
    if options.vr:
        if not xr_available:
            return ModeDecision(Mode.VR, "vr.required", error=True)
        return ModeDecision(Mode.VR)
    if options.stereo_sim:
        return ModeDecision(Mode.STEREO_SIM) if display_available else ModeDecision(Mode.NO_DISPLAY, "run.no_display")
    if xr_available:
        return ModeDecision(Mode.VR)
    if not display_available:
        return ModeDecision(Mode.NO_DISPLAY, "run.no_display")
    return ModeDecision(Mode.DESKTOP, "vr.unavailable")


@dataclass(frozen=True)
class Theme:
    """How the UI looks and moves. Elder mode (长辈模式) is a theme, not a separate code path."""

    text_scale: float = 1.0
    high_contrast: bool = False
    transition_s: float = 0.6
    subtitles: bool = True
    panel_bg: tuple[float, float, float, float] = (0.04, 0.07, 0.12, 0.85)
    panel_fg: tuple[float, float, float, float] = (0.92, 0.95, 1.0, 1.0)
    focus: tuple[float, float, float, float] = (0.30, 0.65, 1.0, 1.0)
    move_speed_mps: float = 2.2
    turn_speed_dps: float = 90.0


def theme_for(elder: bool) -> Theme:
    if not elder:
        return Theme()
    return Theme(text_scale=1.5, high_contrast=True, transition_s=1.2, subtitles=True,
                 panel_bg=(0.0, 0.0, 0.0, 0.95), panel_fg=(1.0, 1.0, 0.3, 1.0), focus=(1.0, 0.55, 0.0, 1.0),
                 move_speed_mps=1.4, turn_speed_dps=60.0)


def learner_log_dir() -> Path:
    """Where this device keeps the learner's decision logs (advisor A/B, cooling-off): ``$VBRANCH_STATE``
    or the user state dir. Only decisions and scores go there, never audio."""
    override = os.environ.get("VBRANCH_STATE")
    if override:
        return Path(override)
    from platformdirs import user_state_dir

    return Path(user_state_dir("vbranch"))
