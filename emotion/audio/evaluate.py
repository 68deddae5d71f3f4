"""Metrics and corpus evaluation: 8-class accuracy, UAR, distress-vs-calm accuracy, speed, confusion.

The binary score is computed only on clips whose true label is distress (sad, angry, fearful) or calm
(neutral, calm); the model's probabilities are summed per group and the larger group wins. That way a
model never trained on the binary task is scored on it without a second threshold to tune.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

import numpy as np

from vbranch.emotion.audio import CALM, DISTRESS, EMOTIONS

__all__ = ["classification_metrics", "binary_from_probs", "evaluate_corpus", "DISTRESS_IDX", "CALM_IDX"]

log = logging.getLogger(__name__)

DISTRESS_IDX: tuple[int, ...] = tuple(EMOTIONS.index(e) for e in DISTRESS)
CALM_IDX: tuple[int, ...] = tuple(EMOTIONS.index(e) for e in CALM)


def binary_from_probs(probs: np.ndarray) -> np.ndarray:
    """(N, 8) probabilities -> (N,) bool, True when the distress group outweighs the calm group."""
    p = np.asarray(probs)
    return p[:, list(DISTRESS_IDX)].sum(axis=1) > p[:, list(CALM_IDX)].sum(axis=1)


def classification_metrics(y_true: np.ndarray, probs: np.ndarray) -> dict:
    """All scores from true class indices and (N, 8) probabilities. Empty classes get recall ``None``."""
    y_true = np.asarray(y_true, dtype=int)
    probs = np.asarray(probs)
    k = len(EMOTIONS)
    pred = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
    conf = np.zeros((k, k), int)
    np.add.at(conf, (y_true, pred), 1)
    support = conf.sum(axis=1)
    recall = [float(conf[i, i] / support[i]) if support[i] else None for i in range(k)]
    present = [r for r in recall if r is not None]
    sel = np.isin(y_true, DISTRESS_IDX + CALM_IDX)
    if sel.any():
        is_distress = np.isin(y_true[sel], DISTRESS_IDX)
        said = binary_from_probs(probs[sel])
        binary = float(np.mean(said == is_distress))
        d_rec = float(np.mean(said[is_distress])) if is_distress.any() else None
        c_rec = float(np.mean(~said[~is_distress])) if (~is_distress).any() else None
    else:
        binary, d_rec, c_rec = None, None, None
    return {
        "n": int(len(y_true)),
        "accuracy": float(np.mean(pred == y_true)) if len(y_true) else None,
        "uar": float(np.mean(present)) if present else None,
        "binary_n": int(sel.sum()),
        "binary_accuracy": binary,
        "distress_recall": d_rec,
        "calm_recall": c_rec,
        "per_class_recall": dict(zip(EMOTIONS, recall, strict=True)),
        "support": dict(zip(EMOTIONS, support.tolist(), strict=True)),
        "labels": list(EMOTIONS),
        "confusion": conf.tolist(),
    }


def evaluate_corpus(corpus: str | Path, model=None, show: bool = True) -> dict:
    """Score a model (default: the shipped one) on every RAVDESS-named WAV/FLAC under ``corpus``.

    ``ms_per_audio_second`` times feature extraction + the network on one thread per clip (file reading
    excluded) and divides by the untrimmed clip length. It is wall time, so other busy processes inflate it;
    ``cpu_ms_per_audio_second`` is the process CPU time for the same work (all threads counted), which is
    what one dedicated core would spend.
    """
    import torch

    from vbranch.emotion.audio.dataset import list_corpus
    from vbranch.emotion.audio.features import load_audio
    from vbranch.emotion.audio.infer import EmotionModel
    from vbranch.emotion.audio.progress import progress

    utts = list_corpus(corpus)
    if not utts:
        raise ValueError(f"no RAVDESS-named .wav/.flac files under {corpus}")
    model = model if model is not None else EmotionModel.load()
    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _one_blas_thread():
            model.predict(np.zeros(16000, np.float32), 16000)  # warm-up (numba, torch)
            probs, spent_s, cpu_s, audio_s = [], 0.0, 0.0, 0.0
            for u in progress(utts, "eval", enabled=show):
                y = load_audio(u.path, model.sr_hz)
                t, c = time.perf_counter(), time.process_time()
                p = model.predict_array(y)
                spent_s += time.perf_counter() - t
                cpu_s += time.process_time() - c
                audio_s += y.size / model.sr_hz
                probs.append(p)
    finally:
        torch.set_num_threads(prev)
    out = classification_metrics(np.array([u.emotion for u in utts]), np.stack(probs))
    out["ms_per_audio_second"] = 1000.0 * spent_s / max(audio_s, 1e-9)
    out["cpu_ms_per_audio_second"] = 1000.0 * cpu_s / max(audio_s, 1e-9)
    out["audio_seconds"] = audio_s
    out["actors"] = sorted({u.actor for u in utts})
    out["model"] = str(model.path) if model.path else None
    return out


def _one_blas_thread():
    """numpy's OpenBLAS otherwise spreads the mel matmul over all cores: on a busy 2-core machine its
    threads spin and double the cost (measured 9 vs 4 ms per audio second). threadpoolctl comes with
    librosa's scikit-learn dependency."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        log.warning("threadpoolctl missing: BLAS may use several threads while timing")
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)
