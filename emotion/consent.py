"""Consent first: the microphone is never opened, and no voice score leaves, until the learner agrees.

``ConsentStore`` keeps the learner's decision (granted or revoked, with a timestamp) in a small JSON
file in the user data dir (path injectable for tests and classrooms). ``MicrophoneGate`` is the only
way the emotion engine gets to a microphone: it calls the shell's opener only with consent, so "no
consent, no audio" is enforced in one place.

Only scores leave the device. This module's export API, ``emotion_frame``, accepts a ``VoiceSignal``
(two floats) and nothing else, and there is deliberately no function anywhere in ``vbranch.emotion`` that
serialises, uploads or returns audio samples. Raw audio may be written to disk only when the learner
started the program with ``--record`` (``AudioPolicy(record=True)``); ``AudioPolicy.check_write`` is
what any recorder must call first.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import platformdirs

from vbranch.emotion.signals import VoiceSignal

__all__ = [
    "MICROPHONE", "PROMPT_KEY", "ConsentRecord", "ConsentStore", "ConsentRequired", "MicrophoneGate",
    "AudioPolicy", "emotion_frame", "default_consent_path",
]

log = logging.getLogger(__name__)

MICROPHONE = "microphone"
PROMPT_KEY = "consent.microphone.prompt"
T = TypeVar("T")


class ConsentRequired(PermissionError):
    """An attempt to use the microphone (or write audio) without the learner's agreement."""


@dataclass(frozen=True)
class ConsentRecord:
    scope: str
    granted: bool
    at_unix_s: float


def default_consent_path() -> Path:
    return Path(platformdirs.user_data_dir("vbranch", appauthor=False)) / "consent.json"


class ConsentStore:
    """Consent decisions per scope, persisted as JSON; a missing or unreadable file means no consent."""

    def __init__(self, path: Path | str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else default_consent_path()
        self._clock = clock

    def _load(self) -> dict[str, ConsentRecord]:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            return {scope: ConsentRecord(**rec) for scope, rec in raw.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError) as exc:
            log.warning("consent file %s unreadable (%s): treating as no consent", self.path, exc)
            return {}

    def _save(self, records: dict[str, ConsentRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in records.items()}, indent=1), "utf-8")
        tmp.replace(self.path)

    def record(self, scope: str = MICROPHONE) -> ConsentRecord | None:
        return self._load().get(scope)

    def granted(self, scope: str = MICROPHONE) -> bool:
        rec = self.record(scope)
        return bool(rec and rec.granted)

    def _set(self, scope: str, granted: bool) -> ConsentRecord:
        records = self._load()
        rec = ConsentRecord(scope, granted, float(self._clock()))
        records[scope] = rec
        self._save(records)
        log.info("consent %s for %s at %.0f", "granted" if granted else "revoked", scope, rec.at_unix_s)
        return rec

    def grant(self, scope: str = MICROPHONE) -> ConsentRecord:
        return self._set(scope, True)

    def revoke(self, scope: str = MICROPHONE) -> ConsentRecord:
        return self._set(scope, False)


class MicrophoneGate:
    """Opens the microphone through the shell's ``opener`` only when consent is on record."""

    def __init__(self, store: ConsentStore) -> None:
        self.store = store

    def open(self, opener: Callable[[], T]) -> T:
        """Call ``opener()`` (e.g. start a sounddevice stream) if consented; else raise ``ConsentRequired``.

        The shell catches ``ConsentRequired`` and shows ``PROMPT_KEY`` from the catalogue.
        """
        if not self.store.granted(MICROPHONE):
            log.info("microphone not opened: no consent (prompt %s)", PROMPT_KEY)
            raise ConsentRequired(PROMPT_KEY)
        log.info("microphone opened with consent")
        return opener()


@dataclass(frozen=True)
class AudioPolicy:
    """``record`` is True only when the learner passed ``--record``; otherwise audio stays in memory."""

    record: bool = False

    def check_write(self, path: Path | str) -> None:
        if not self.record:
            raise ConsentRequired(f"refusing to write audio to {path}: start with --record to allow it")
        log.info("writing raw audio to %s (--record)", path)


def emotion_frame(voice: VoiceSignal) -> dict:
    """The only thing about a voice that may leave the device: the wire ``emotion`` frame of two floats."""
    if not isinstance(voice, VoiceSignal):
        raise TypeError(f"only a VoiceSignal can be exported, got {type(voice).__name__}")
    return {"type": "emotion", "distress": round(voice.distress_p, 4), "confidence": round(voice.confidence, 4)}
