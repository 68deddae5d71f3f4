"""Audio files for the voice: atomic writes (a crash never leaves half a file) and MP3 decoding.

edge-tts streams MP3 (audio-24khz-48kbitrate-mono-mp3). libsndfile ≥ 1.1 decodes MPEG, and the
soundfile wheel bundles 1.2, so MP3 is read with soundfile like every other format: no ffmpeg needed.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf

__all__ = ["atomic_write", "write_wav", "read_audio", "decode_mp3"]


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Write ``path`` through ``write(file)`` into a temp file beside it, then rename it into place.

    The rename is atomic on one filesystem, so readers see the old file or the whole new one, never part.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def write_wav(path: Path, audio: np.ndarray, sample_rate_hz: int) -> Path:
    """A 16-bit PCM mono WAV (what every audio library, Panda3D's included, plays)."""
    return atomic_write(path, lambda f: sf.write(f, audio, sample_rate_hz, format="WAV", subtype="PCM_16"))


def read_audio(source: Path | bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the rate from a file or in-memory bytes of any libsndfile format."""
    data, sample_rate_hz = sf.read(io.BytesIO(source) if isinstance(source, bytes) else source,
                                   dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.mean(axis=1, dtype=np.float32)), int(sample_rate_hz)


def decode_mp3(mp3: bytes) -> tuple[np.ndarray, int]:
    """edge-tts's MP3 stream → mono float32 samples and the rate."""
    if not mp3:
        raise ValueError("no MP3 data to decode")
    return read_audio(mp3)
