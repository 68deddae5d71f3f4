"""Playing the advisor's utterances through Panda3D's audio, with the mouth and subtitles in step.

The viseme timeline runs on the frame clock the caller passes (``now_s``), not on the sound card, so it
behaves the same with a real audio device and with ``audio-library-name null`` (offscreen, CI, a
headset whose audio is routed elsewhere): the avatar still talks and the subtitle still shows.
"""

from __future__ import annotations

import logging
from pathlib import Path

from vbranch.avatars.body import mouth_open
from vbranch.avatars.voice.backend import Utterance
from vbranch.avatars.voice.cache import cache_root, utterance_key
from vbranch.avatars.voice.wav import write_wav

__all__ = ["VoicePlayer", "SUBTITLE_LINGER_S"]

log = logging.getLogger(__name__)

SUBTITLE_LINGER_S = 1.5  # keep the words up a little after the voice stops, to finish reading


class VoicePlayer:
    """One speaker (the advisor): at most one utterance at a time; a new ``play`` interrupts the last.

    Args:
        base: the ShowBase (its ``loader`` loads the sound).
        elder: elder mode, which always shows subtitles.
        subtitles: show subtitles outside elder mode too.
        wav_dir: where utterances become WAV files for Panda3D; default ``<cache>/voice/wav``.
    """

    def __init__(self, base, elder: bool = False, subtitles: bool = False, wav_dir: Path | None = None) -> None:
        self._base = base
        self.elder = elder
        self.subtitles = subtitles or elder
        self.wav_dir = Path(wav_dir) if wav_dir is not None else cache_root() / "voice" / "wav"
        self.utterance: Utterance | None = None
        self.start_s = 0.0
        self.sound = None

    def wav_path(self, utterance: Utterance) -> Path:
        """The WAV for ``utterance``, written once (the name is its cache key, so equal lines share it)."""
        key = utterance_key(utterance.text, utterance.voice, utterance.rate_pct, utterance.backend)
        path = self.wav_dir / f"{key}.wav"
        if not path.exists():
            write_wav(path, utterance.audio, utterance.sample_rate_hz)
        return path

    def play(self, utterance: Utterance, now_s: float) -> None:
        """Start ``utterance`` at frame time ``now_s``; the mouth and subtitle follow from there."""
        from panda3d.core import Filename

        self.stop()
        path = self.wav_path(utterance)
        self.sound = self._base.loader.loadSfx(Filename.from_os_specific(str(path)).get_fullpath())
        if self.sound is not None:
            self.sound.play()
        self.utterance = utterance
        self.start_s = now_s

    def stop(self) -> None:
        if self.sound is not None:
            self.sound.stop()
        self.sound = None
        self.utterance = None

    def elapsed_s(self, now_s: float) -> float:
        return now_s - self.start_s

    def speaking(self, now_s: float) -> bool:
        return self.utterance is not None and 0.0 <= self.elapsed_s(now_s) < self.utterance.duration_s

    def mouth_open(self, now_s: float) -> float:
        """0 … 1 for ``Pose.mouth_open``: the utterance's viseme timeline at ``now_s`` (0 when silent)."""
        if self.utterance is None:
            return 0.0
        return mouth_open(self.utterance.visemes, self.elapsed_s(now_s))

    def subtitle(self, now_s: float) -> str:
        """The words to show at ``now_s`` ("" for none): while speaking and briefly after, if enabled."""
        if not self.subtitles or self.utterance is None:
            return ""
        elapsed_s = self.elapsed_s(now_s)
        return self.utterance.text if 0.0 <= elapsed_s < self.utterance.duration_s + SUBTITLE_LINGER_S else ""
