"""``vbranch run``: the flags of the 3D branch; the work happens in ``vbranch.world.runner``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from vbranch.scenes.layout import VIEW_NAMES
from vbranch.world.options import RunOptions

__all__ = ["register", "options_from_args"]

_STARTED_S = time.perf_counter()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="open the virtual branch (desktop 3D, or VR when an OpenXR runtime is present)")
    p.add_argument("--scenario", default="crash", help="market scenario id (see `vbranch scenario list`)")
    p.add_argument("--speed", type=float, default=1.0, help="market pace multiplier (30 = a trading day per second)")
    p.add_argument("--seed", type=int, default=0, help="market seed: same seed, same prices")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--elder", action="store_true", help="长辈模式: 1.5x text, high contrast, slower, subtitles")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--vr", action="store_true", help="require a VR headset (error if no OpenXR runtime)")
    mode.add_argument("--stereo-sim", action="store_true", help="render both eyes side by side (no headset needed)")
    p.add_argument("--offscreen", action="store_true", help="render with no display (EGL offscreen buffer)")
    p.add_argument("--frames", type=int, help="render this many frames, then exit")
    p.add_argument("--screenshot", type=Path, help="after the last frame, save the image here (PNG)")
    p.add_argument("--view", choices=VIEW_NAMES, help="start at a named view instead of the entrance")
    p.add_argument("--pbr", action="store_true", help="physically based shading even on software GL (slow)")
    p.add_argument("--size", default="1280x720", help="window or image size, WIDTHxHEIGHT")
    p.add_argument("--layout", type=Path, help="a branch layout TOML instead of the shipped one")
    p.add_argument("--script", metavar="first-visit|lesson:ID",
                   help="play the guided first visit, or one lesson (e.g. lesson:stop_loss), with scripted input")
    p.add_argument("--screenshot-dir", type=Path, help="save a screenshot after every step of the visit or lesson")
    p.add_argument("--skip-visit", action="store_true", help="don't start (or resume) the guided first visit")
    p.add_argument("--voice-file", type=Path, help="a WAV/FLAC standing in for the microphone (needs consent: V, Y)")
    p.add_argument("--record", action="store_true", help="also keep the audio the voice sensing hears (after "
                   "consent) in recordings/ in the state dir; without it audio never touches the disk")
    p.add_argument("--server", help="join a classroom on this server (ws://HOST:PORT); needs --join")
    p.add_argument("--join", dest="join_code", metavar="CODE", help="the contest's join code from the teacher")
    p.add_argument("--name", help="your nickname in the classroom (1-24 characters)")
    p.add_argument("--print-state", action="store_true", help="at exit, print the classroom state as one JSON line")
    p.set_defaults(func=_run)


def options_from_args(args: argparse.Namespace) -> RunOptions:
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1280x720, got {args.size!r}") from None
    if args.screenshot is not None and args.frames is None:
        raise ValueError("--screenshot needs --frames N (how many frames to render before taking it)")
    return RunOptions(scenario=args.scenario, speed=args.speed, seed=args.seed, lang=args.lang, elder=args.elder,
                      vr=args.vr, stereo_sim=args.stereo_sim, offscreen=args.offscreen, frames=args.frames,
                      screenshot=args.screenshot, view=args.view, pbr=args.pbr, width=width, height=height,
                      layout=args.layout, script=args.script, screenshot_dir=args.screenshot_dir,
                      skip_visit=args.skip_visit, voice_file=args.voice_file, record=args.record, server=args.server,
                      join_code=args.join_code, name=args.name,
                      print_state=args.print_state)


def _run(args: argparse.Namespace) -> int:
    from vbranch.world.runner import run

    return run(options_from_args(args), started_s=_STARTED_S)
