"""``vbranch emotion train`` and ``vbranch emotion eval``: the voice-emotion model from a terminal.

Other modules add ``emotion`` actions through ``emotion_subparsers(sub)``, which returns the one
``emotion`` sub-subparsers object (created on first call). ``register`` also calls
``vbranch.world.cli_emotion_study.register_study(esub)`` when that module exists, so wiring this
module alone gives the whole ``emotion`` command.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

__all__ = ["register", "emotion_subparsers"]

# ``vbranch emotion stream`` prints one JSON line per 0.5 s window: t_end_s, speech, raw_p, smoothed_p, state.

_ESUB_ATTR = "_vbranch_emotion_subparsers"


def emotion_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``emotion`` command's sub-subparsers; created (once) on the first call for ``sub``."""
    existing = getattr(sub, _ESUB_ATTR, None)
    if existing is not None:
        return existing
    emotion = sub.add_parser("emotion", help="voice-emotion model: train, evaluate")
    esub = emotion.add_subparsers(dest="action", metavar="ACTION", required=True)
    setattr(sub, _ESUB_ATTR, esub)
    return esub


def register(sub: argparse._SubParsersAction) -> None:
    esub = emotion_subparsers(sub)
    p = esub.add_parser("train", help="train the voice-emotion model on a RAVDESS-named corpus")
    p.add_argument("--corpus", type=Path, required=True, help="folder of 03-01-EE-II-SS-RR-AA.(wav|flac) files")
    p.add_argument("--out", type=Path, required=True, help="checkpoint to write (a .json report goes beside it)")
    p.add_argument("--val-actors", type=int, nargs="+", default=[17, 18], help="early-stopping speakers")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="one ensemble member per seed")
    p.add_argument("--epochs", type=int, default=60, help="maximum epochs per net")
    p.add_argument("--patience", type=int, default=20, help="epochs without validation gain before stopping")
    p.add_argument("--min-epochs", type=int, default=30, help="no checkpoint selection or stopping before this")
    p.add_argument("--cv", type=int, default=0, metavar="K", help="also run K-fold speaker-grouped CV (0: off)")
    p.add_argument("--refit", action="store_true",
                   help="ship nets retrained on every actor for the epochs validation chose")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_train)

    p = esub.add_parser("eval", help="score a model on a RAVDESS-named folder (WAV or FLAC)")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--model", type=Path, help="checkpoint (default: the shipped assets/emotion/model.pt)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_eval)

    p = esub.add_parser("stream", help="distress over time for an audio file (or the microphone, if available)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", type=Path, help="WAV/FLAC file, fed in 100 ms blocks like a microphone")
    src.add_argument("--mic", action="store_true", help="live microphone (needs the sounddevice package)")
    p.add_argument("--model", type=Path, help="checkpoint (default: the shipped one)")
    p.add_argument("--nets", type=int, help="use only the first N nets of the ensemble (faster)")
    p.add_argument("--record", type=Path, metavar="WAV", help="also keep the audio heard in this WAV file "
                   "(without it, audio is never written to disk)")
    p.set_defaults(func=_stream)

    try:
        from vbranch.world.cli_emotion_study import register_study
    except ImportError:
        return
    register_study(esub)


def _train(args: argparse.Namespace) -> int:
    from vbranch.emotion.audio.recipe import train_corpus
    from vbranch.emotion.audio.train import TrainConfig

    cfg = TrainConfig(
        max_epochs=args.epochs, patience_epochs=args.patience, min_epochs=args.min_epochs, threads=args.threads
    )
    report = train_corpus(
        args.corpus, args.out, tuple(args.val_actors), tuple(args.seeds), args.cv, cfg, workers=args.threads,
        refit=args.refit,
    )
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        v = report["val_ensemble"]
        print(f"saved {args.out}: validation actors {args.val_actors} accuracy {v['accuracy']:.3f} "
              f"uar {v['uar']:.3f} binary {v['binary_accuracy']:.3f}")
        if "cv" in report:
            c = report["cv"]["pooled"]
            print(f"{report['cv']['folds']}-fold speaker CV: accuracy {c['accuracy']:.3f} uar {c['uar']:.3f} "
                  f"binary {c['binary_accuracy']:.3f}")
        if "refit" in report:
            r = report["refit"]
            print(f"shipped nets refit on actors {r['actors']} for {r['epochs']} epochs "
                  "(the validation numbers above are of the early-stopped nets)")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from vbranch.emotion.audio.evaluate import evaluate_corpus
    from vbranch.emotion.audio.infer import EmotionModel

    model = EmotionModel.load(args.model)
    out = evaluate_corpus(args.corpus, model, show=sys.stderr.isatty())
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"n {out['n']}  accuracy {out['accuracy']:.3f}  uar {out['uar']:.3f}  "
          f"binary {out['binary_accuracy']}  {out['ms_per_audio_second']:.2f} ms per audio second "
          f"({out['cpu_ms_per_audio_second']:.2f} ms CPU)")
    for name, r in out["per_class_recall"].items():
        print(f"  {name:<10} recall {'-' if r is None else f'{r:.3f}'}  n {out['support'][name]}")
    print("confusion (rows true, cols predicted):", " ".join(out["labels"]))
    for name, row in zip(out["labels"], out["confusion"], strict=True):
        print(f"  {name:<10}", " ".join(f"{c:4d}" for c in row))
    return 0


def _stream(args: argparse.Namespace) -> int:
    from vbranch.emotion.audio.infer import EmotionModel
    from vbranch.emotion.audio.stream import EmotionStream, file_blocks, microphone_blocks

    model = EmotionModel.load(args.model, n_nets=args.nets)
    stream = EmotionStream(lambda w: model.distress_p(w, model.sr_hz))
    blocks = file_blocks(args.file) if args.file else microphone_blocks()
    with contextlib.ExitStack() as keep:
        recorder = None
        if args.record is not None:
            from vbranch.emotion.audio.recorder import AudioRecorder
            from vbranch.emotion.consent import AudioPolicy

            recorder = keep.enter_context(AudioRecorder(args.record, model.sr_hz, AudioPolicy(record=True)))
        for block in blocks:
            if recorder is not None:
                recorder.write(block)
            for u in stream.push(block):
                print(json.dumps({"t_end_s": u.t_end_s, "speech": u.speech, "raw_p": u.raw_p,
                                  "smoothed_p": u.smoothed_p, "state": u.state.name, "changed": u.changed}),
                      flush=True)
    return 0
