"""The advisor's voice in the branch: synthesis off the frame thread, playback and mouth on it.

Text-to-speech takes 10–60 ms (and the first edge-tts reachability probe up to a second), far more
than a VR frame, so lines are synthesized on one worker thread and start playing on the first frame
after they are ready. The mouth follows the utterance's viseme timeline on the frame clock; the HUD
subtitles every line (elder mode keeps them up longer).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from vbranch.avatars.voice.backend import Utterance
from vbranch.avatars.voice.service import Voice
from vbranch.world.voice_player import VoicePlayer

__all__ = ["AdvisorSpeech"]

log = logging.getLogger(__name__)


class AdvisorSpeech:
    def __init__(self, base, lang: str, elder: bool) -> None:
        self._voice = Voice(lang=lang, elder=elder)
        self.player = VoicePlayer(base, elder=elder, subtitles=True)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="advisor-voice")
        self._pending: Future[Utterance] | None = None
        self.spoken: list[str] = []  # lines that reached the speaker, in order (tests and analytics read it)

    def say(self, text: str) -> None:
        """Queue ``text``; a newer line replaces one still being synthesized."""
        if self._pending is not None:
            self._pending.cancel()
        self._pending = self._pool.submit(self._voice.say, text)

    def tick(self, now_s: float) -> float:
        """Start a line that became ready; returns the mouth opening (0..1) for this frame."""
        pending = self._pending
        if pending is not None and pending.done():
            self._pending = None
            try:
                utterance = pending.result()
            except Exception:  # a broken voice must never take the branch down; the subtitle still shows
                log.exception("the advisor's line could not be synthesized")
            else:
                self.player.play(utterance, now_s)
                self.spoken.append(utterance.text)
        return self.player.mouth_open(now_s)

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def close(self) -> None:
        self.player.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
