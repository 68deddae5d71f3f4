"""``vbranch say``: hear (well, write) what the advisor would say, with the lip-sync timeline beside it.

Useful for checking a script line in both languages, for elder pace, and for feeding the viseme JSON to
an animation tool. The WAV is 16-bit mono; the JSON is a list of ``{start_s, end_s, openness, shape}``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("say", help="speak TEXT with the advisor's voice into a WAV and a viseme JSON file")
    p.add_argument("text", metavar="TEXT", help="what to say")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--elder", action="store_true", help="elder mode: 30%% slower")
    p.add_argument("--offline", action="store_true", help="never try the online voice (espeak-ng only)")
    p.add_argument("--out", type=Path, required=True, help="WAV file to write")
    p.add_argument("--visemes", type=Path, help="viseme timeline JSON to write")
    p.add_argument("--no-cache", action="store_true", help="synthesize even if this line was said before")
    p.set_defaults(func=_say)


def _say(args: argparse.Namespace) -> int:
    from vbranch.avatars.voice import Voice, timeline_to_json
    from vbranch.avatars.voice.wav import atomic_write, write_wav
    from vbranch.scenes.catalogue import text

    voice = Voice(args.lang, elder=args.elder, offline=args.offline, use_cache=not args.no_cache)
    utterance = voice.say(args.text)
    write_wav(args.out, utterance.audio, utterance.sample_rate_hz)
    line = text("voice.said", args.lang, backend=utterance.backend, voice=utterance.voice,
                duration_s=f"{utterance.duration_s:.2f}", visemes=len(utterance.visemes))
    print(line + (" " + text("voice.cached", args.lang) if utterance.cached else ""))
    print(text("voice.wrote", args.lang, path=args.out))
    if args.visemes is not None:
        blob = json.dumps(timeline_to_json(utterance.visemes), ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write(args.visemes, lambda f: f.write(blob))
        print(text("voice.wrote", args.lang, path=args.visemes))
    return 0
