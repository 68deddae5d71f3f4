"""Voice stress sensing in the branch, consent first: V asks, Y agrees, N declines, V again turns it off.

The microphone is opened only through ``emotion.consent.MicrophoneGate``, so without a consent on record
it is never touched. Audio is scored on a worker thread by the streaming emotion model and dropped at
once; only the smoothed distress score reaches the cooling-off gate (as a ``VoiceSignal``). A file can
stand in for the microphone (``--voice-file``, for demos and tests) under the same consent. Audio
reaches the disk only with ``vbranch run --record``: then what was heard (after consent) is also kept in
``recordings/`` in the learner's state dir, for the learner's own review.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from vbranch.emotion.consent import PROMPT_KEY, ConsentRequired, ConsentStore, MicrophoneGate
from vbranch.emotion.signals import VoiceSignal
from vbranch.scenes.catalogue import text

__all__ = ["VoiceSensing", "VOICE_CONFIDENCE"]

log = logging.getLogger(__name__)

VOICE_CONFIDENCE = 0.7  # binary accuracy on unseen acted speakers is ~0.87 (MODEL_CARD.md), less on real ones
BLOCK_S = 0.1


class VoiceSensing:
    def __init__(self, consent_path: Path, lang: str, say: Callable[[str], None],
                 voice_file: Path | None = None, record_dir: Path | None = None) -> None:
        self.store = ConsentStore(consent_path)
        self.gate = MicrophoneGate(self.store)
        self.lang, self._say, self.voice_file = lang, say, voice_file
        self.asking = False
        self._distress_p: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self.record_dir = record_dir  # None: audio never touches the disk
        self.recorded: list[Path] = []

    # ----- consent ------------------------------------------------------------------------------------
    def toggle(self) -> None:
        """V: ask for consent, or (when on) turn sensing off and revoke."""
        if self.store.granted():
            self.store.revoke()
            self.stop()
            self._say(text("consent.microphone.revoked", self.lang))
        else:
            self.asking = True
            self._say(text(PROMPT_KEY, self.lang) + "  [Y / N]")

    def answer(self, yes: bool) -> None:
        if not self.asking:
            return
        self.asking = False
        if yes:
            self.store.grant()
            self._say(text("consent.microphone.granted", self.lang))
            self.start()
        else:  # remembered, so the guided visit doesn't ask again; V still asks any time
            self.store.revoke()
            self._say(text("consent.microphone.declined", self.lang))

    # ----- listening ------------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start listening if consent is on record; False (and nothing opened) otherwise."""
        if self._thread is not None:
            return True
        try:
            blocks = self.gate.open(self._open_source)
        except ConsentRequired:
            return False
        self._stop.clear()
        self._thread = threading.Thread(target=self._listen, args=(blocks,), name="voice-sensing", daemon=True)
        self._thread.start()
        return True

    def _open_source(self) -> Iterator[np.ndarray]:
        from vbranch.emotion.audio.stream import file_blocks, microphone_blocks

        if self.voice_file is not None:
            return file_blocks(self.voice_file, BLOCK_S)
        return microphone_blocks(BLOCK_S)

    def _listen(self, blocks: Iterator[np.ndarray]) -> None:
        from vbranch.emotion.audio.stream import EmotionStream

        stream = EmotionStream()
        recorder = self._recorder(stream.cfg.sr_hz)
        try:
            for block in blocks:
                if self._stop.is_set():
                    break
                if recorder is not None:
                    recorder.write(block)
                for update in stream.push(block):
                    if update.smoothed_p is not None:
                        self._distress_p = float(update.smoothed_p)
                if self.voice_file is not None:
                    time.sleep(BLOCK_S)  # a file plays at the pace a microphone would deliver it
        except OSError as exc:  # no sounddevice, no input device: say so once, keep the branch running
            self.error = str(exc)
            log.warning("voice sensing unavailable: %s", exc)
        finally:
            if recorder is not None:
                recorder.close()
            self._thread = None

    def _recorder(self, sr_hz: int):
        if self.record_dir is None:
            return None
        from vbranch.emotion.audio.recorder import AudioRecorder, recording_path
        from vbranch.emotion.consent import AudioPolicy

        recorder = AudioRecorder(recording_path(self.record_dir), sr_hz, AudioPolicy(record=True))
        self.recorded.append(recorder.path)
        return recorder

    def stop(self) -> None:
        self._stop.set()
        self._distress_p = None

    def signal(self) -> VoiceSignal | None:
        """The latest smoothed distress score, or None (no consent, no speech yet, or unavailable)."""
        p = self._distress_p
        return None if p is None else VoiceSignal(min(1.0, max(0.0, p)), VOICE_CONFIDENCE)
