"""``EmotionStream``: distress over a live stream of 16 kHz audio blocks (microphone or file).

Pure core, sans-I/O: ``push(block)`` takes any number of samples and returns one ``StreamUpdate`` per
completed window (1 s windows, 0.5 s hop). Windows without speech (energy VAD) do not move the estimate,
so a pause keeps the last mood instead of drifting to "calm". The distress probability is smoothed with
an exponential moving average, and the state uses hysteresis (enter anxious above ``enter_p``, leave
below ``leave_p``) so one loud word does not flip the advisor's behaviour back and forth.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["StreamConfig", "StreamState", "StreamUpdate", "EmotionStream", "file_blocks", "microphone_blocks"]

log = logging.getLogger(__name__)


class StreamState(enum.IntEnum):
    CALM = 0
    ANXIOUS = 1


@dataclass(frozen=True)
class StreamConfig:
    sr_hz: int = 16000
    window_s: float = 1.0
    hop_s: float = 0.5
    ema_alpha: float = 0.5  # weight of the newest speech window
    enter_p: float = 0.65
    leave_p: float = 0.45
    vad_frame_s: float = 0.02
    vad_floor_dbfs: float = -45.0  # a 20 ms frame louder than this is a speech candidate
    vad_min_fraction: float = 0.3  # share of loud frames for a window to count as speech


@dataclass(frozen=True)
class StreamUpdate:
    t_end_s: float  # stream time at the end of the window
    speech: bool
    raw_p: float | None  # model distress probability of this window (None when not speech)
    smoothed_p: float | None  # EMA over speech windows so far (None before the first)
    state: StreamState
    changed: bool  # the state flipped on this window


def is_speech(window: np.ndarray, cfg: StreamConfig = StreamConfig()) -> bool:
    """Energy VAD: enough 20 ms frames above an absolute floor (cheap; good enough for a headset mic)."""
    n = int(cfg.vad_frame_s * cfg.sr_hz)
    k = window.size // n
    if k == 0:
        return False
    frames = window[: k * n].reshape(k, n)
    dbfs = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    return bool(np.mean(dbfs > cfg.vad_floor_dbfs) >= cfg.vad_min_fraction)


class EmotionStream:
    """Feed audio with ``push``; read ``state`` and ``smoothed_p``.

    Args:
        scorer: window (float32 mono at ``cfg.sr_hz``) -> distress probability. Default: the shipped
            ``EmotionModel``'s ``distress_p`` (loaded lazily).
    """

    def __init__(self, scorer: Callable[[np.ndarray], float] | None = None, cfg: StreamConfig = StreamConfig()):
        if not 0.0 <= cfg.leave_p < cfg.enter_p <= 1.0:
            raise ValueError("need 0 <= leave_p < enter_p <= 1")
        self.cfg = cfg
        self._scorer = scorer
        self._buf = np.zeros(0, np.float32)
        self._win = int(round(cfg.window_s * cfg.sr_hz))
        self._hop = int(round(cfg.hop_s * cfg.sr_hz))
        self._consumed = 0  # samples dropped from the front of the buffer so far
        self.smoothed_p: float | None = None
        self.state = StreamState.CALM

    def _score(self, window: np.ndarray) -> float:
        if self._scorer is None:
            from vbranch.emotion.audio.infer import EmotionModel

            model = EmotionModel.load()
            self._scorer = lambda w: model.distress_p(w, self.cfg.sr_hz)
        return float(self._scorer(window))

    def push(self, block: np.ndarray) -> list[StreamUpdate]:
        """Append samples; return an update for every window completed by them."""
        self._buf = np.concatenate([self._buf, np.asarray(block, np.float32).reshape(-1)])
        out = []
        while self._buf.size >= self._win:
            window = self._buf[: self._win]
            out.append(self._step(window, (self._consumed + self._win) / self.cfg.sr_hz))
            self._buf = self._buf[self._hop :]
            self._consumed += self._hop
        return out

    def _step(self, window: np.ndarray, t_end_s: float) -> StreamUpdate:
        speech = is_speech(window, self.cfg)
        raw = None
        changed = False
        if speech:
            raw = self._score(window)
            a = self.cfg.ema_alpha
            self.smoothed_p = raw if self.smoothed_p is None else a * raw + (1 - a) * self.smoothed_p
            if self.state == StreamState.CALM and self.smoothed_p > self.cfg.enter_p:
                self.state, changed = StreamState.ANXIOUS, True
            elif self.state == StreamState.ANXIOUS and self.smoothed_p < self.cfg.leave_p:
                self.state, changed = StreamState.CALM, True
            if changed:
                log.info("emotion stream -> %s at %.1f s (p=%.2f)", self.state.name, t_end_s, self.smoothed_p)
        return StreamUpdate(t_end_s, speech, raw, self.smoothed_p, self.state, changed)


def file_blocks(path: str | Path, block_s: float = 0.1, sr_hz: int = 16000) -> Iterator[np.ndarray]:
    """A WAV/FLAC file as consecutive blocks, as a microphone would deliver them."""
    from vbranch.emotion.audio.features import load_audio

    y = load_audio(path, sr_hz)
    n = int(block_s * sr_hz)
    for i in range(0, y.size, n):
        yield y[i : i + n]


def microphone_blocks(block_s: float = 0.1, sr_hz: int = 16000) -> Iterator[np.ndarray]:
    """Live microphone blocks via ``sounddevice`` (optional dependency).

    Raises:
        OSError: sounddevice is not installed or no input device is available.
    """
    try:
        import sounddevice as sd  # type: ignore[import-not-found]
    except ImportError as exc:
        log.warning("sounddevice not installed: microphone input unavailable, use a file instead")
        raise OSError("microphone input needs the 'sounddevice' package") from exc
    n = int(block_s * sr_hz)
    with sd.InputStream(samplerate=sr_hz, channels=1, dtype="float32", blocksize=n) as stream:
        while True:
            data, _ = stream.read(n)
            yield data[:, 0].copy()
