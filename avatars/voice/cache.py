"""A disk cache of utterances keyed by (backend, voice, rate, text): the advisor's lines repeat a lot.

The advisor says the same scripted sentences to every learner, and an online voice costs a round trip,
so each utterance is stored once as one ``.npz`` (audio, rate, visemes) written atomically: a crash
mid-write leaves the previous state, never a truncated entry. The directory is the user cache dir
(``platformdirs``), or ``$VBRANCH_CACHE`` when set (tests, shared classroom machines).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from pathlib import Path

import numpy as np
import platformdirs

from vbranch.avatars.body import Viseme
from vbranch.avatars.voice.backend import Utterance
from vbranch.avatars.voice.wav import atomic_write

__all__ = ["VoiceCache", "cache_root", "utterance_key"]

log = logging.getLogger(__name__)

_FORMAT = 1  # bump when the entry layout or the viseme tables change, so old entries are not reused


def cache_root() -> Path:
    """``$VBRANCH_CACHE`` if set, else the user cache dir for vbranch; voice entries live in ``voice/``."""
    override = os.environ.get("VBRANCH_CACHE")
    return Path(override) if override else Path(platformdirs.user_cache_dir("vbranch"))


def utterance_key(text: str, voice: str, rate_pct: int, backend: str) -> str:
    """A stable file name for one (text, voice, rate, backend): sha256 of their JSON."""
    blob = json.dumps([_FORMAT, backend, voice, int(rate_pct), text], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class VoiceCache:
    """Utterances on disk. ``hits``/``misses`` count lookups so callers and tests can see what happened."""

    def __init__(self, root: Path | None = None) -> None:
        self.directory = Path(root if root is not None else cache_root()) / "voice"
        self.hits = 0
        self.misses = 0

    def path_for(self, text: str, voice: str, rate_pct: int, backend: str) -> Path:
        return self.directory / f"{utterance_key(text, voice, rate_pct, backend)}.npz"

    def get(self, text: str, voice: str, rate_pct: int, backend: str) -> Utterance | None:
        path = self.path_for(text, voice, rate_pct, backend)
        try:
            with np.load(path, allow_pickle=False) as entry:
                audio = entry["audio"].astype(np.float32, copy=False)
                sample_rate_hz = int(entry["sample_rate_hz"])
                times = entry["viseme_times"]
                shapes = entry["viseme_shapes"]
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # unreadable: speak again
            log.warning("voice cache entry %s is unreadable (%s); synthesizing again", path.name, exc)
            self.misses += 1
            return None
        self.hits += 1
        visemes = tuple(Viseme(float(a), float(b), float(o), str(s)) for (a, b, o), s in zip(times, shapes,
                                                                                            strict=True))
        return Utterance(audio, sample_rate_hz, visemes, text, voice, backend, rate_pct, cached=True)

    def put(self, utterance: Utterance) -> Path:
        path = self.path_for(utterance.text, utterance.voice, utterance.rate_pct, utterance.backend)
        times = np.array([v[:3] for v in utterance.visemes], dtype=np.float64).reshape(-1, 3)
        shapes = np.array([v.shape for v in utterance.visemes], dtype="<U8")
        return atomic_write(path, lambda f: np.savez(f, audio=utterance.audio, viseme_times=times,
                                                     viseme_shapes=shapes,
                                                     sample_rate_hz=np.int64(utterance.sample_rate_hz)))
