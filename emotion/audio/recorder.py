"""Raw audio on disk, only when the learner started the program with ``--record``.

The default keeps every sample in memory and drops it once scored; a learner (or a researcher with
their consent) who wants their own recording passes ``--record``. Every file goes through
``AudioPolicy.check_write`` first, so no code path can write audio without the flag. The file is a
16-bit WAV written block by block and flushed every second: a crash loses at most a second of it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from vbranch.emotion.consent import AudioPolicy

__all__ = ["AudioRecorder", "recording_path"]

log = logging.getLogger(__name__)


def recording_path(folder: Path, now: float | None = None) -> Path:
    """``voice-YYYYmmdd-HHMMSS.wav`` in ``folder`` (a second number is added if it exists)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    path, n = folder / f"voice-{stamp}.wav", 2
    while path.exists():
        path, n = folder / f"voice-{stamp}-{n}.wav", n + 1
    return path


class AudioRecorder:
    """A mono WAV at ``sr_hz``; refuses to open unless ``policy.record`` is True."""

    def __init__(self, path: Path, sr_hz: int, policy: AudioPolicy) -> None:
        policy.check_write(path)  # raises ConsentRequired without --record
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.sr_hz = path, sr_hz
        self._file = sf.SoundFile(str(path), "w", samplerate=sr_hz, channels=1, subtype="PCM_16")
        self.samples = 0
        self._unflushed = 0

    def write(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        self._file.write(np.clip(block, -1.0, 1.0))
        self.samples += block.size
        self._unflushed += block.size
        if self._unflushed >= self.sr_hz:
            self._file.flush()
            self._unflushed = 0

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
            log.info("recorded %.1f s of audio to %s", self.samples / self.sr_hz, self.path)

    def __enter__(self) -> AudioRecorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
