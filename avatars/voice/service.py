"""``Voice``: the advisor's one entry point for speech. Picks the engine, applies elder pace, caches.

Online, the neural edge-tts voices sound far warmer, so they win when the service answers; offline (or
when it fails mid-lesson) espeak-ng speaks instead, and the switch is logged once per process and
reason, because a class of 30 shouldn't produce 30 identical warnings. Elder mode speaks 30 % slower
on either engine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from vbranch.avatars.voice.backend import TtsBackend, TtsUnavailable, Utterance
from vbranch.avatars.voice.cache import VoiceCache
from vbranch.avatars.voice.edge import EDGE_HOST, EdgeBackend, edge_reachable
from vbranch.avatars.voice.espeak import EspeakBackend

__all__ = ["Voice", "VOICES", "ELDER_RATE_PCT", "LANGS"]

log = logging.getLogger(__name__)

LANGS = ("zh", "en")
ELDER_RATE_PCT = -30
VOICES: Mapping[str, Mapping[str, str]] = {
    "edge-tts": {"zh": "zh-CN-XiaoxiaoNeural", "en": "en-US-JennyNeural"},
    "espeak-ng": {"zh": "cmn-latn-pinyin", "en": "en-us"},  # never plain "cmn": see espeak.py
}

_LOGGED_FALLBACKS: set[str] = set()  # reasons already logged in this process


def _log_fallback_once(reason: str, message: str, *args: object) -> None:
    if reason not in _LOGGED_FALLBACKS:
        _LOGGED_FALLBACKS.add(reason)
        log.warning(message, *args)


class Voice:
    """Speech for one language and mode.

    Args:
        lang: "zh" or "en".
        elder: speak 30 % slower (``ELDER_RATE_PCT``).
        offline: never try the network (espeak-ng only), e.g. ``vbranch say --offline``.
        cache: where utterances are kept; ``None`` uses the user cache dir (``$VBRANCH_CACHE``).
        use_cache: False synthesizes every time (benchmarks).
    """

    def __init__(self, lang: str = "zh", elder: bool = False, offline: bool = False,
                 cache: VoiceCache | None = None, use_cache: bool = True) -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}: expected one of {LANGS}")
        self.lang = lang
        self.elder = elder
        self.offline = offline
        self.rate_pct = ELDER_RATE_PCT if elder else 0
        self.cache = (cache if cache is not None else VoiceCache()) if use_cache else None
        self.espeak = EspeakBackend()
        self._online: TtsBackend | None = None
        self._chosen = False

    @property
    def backend(self) -> TtsBackend:
        """The engine that will speak next: edge-tts if reachable and not offline, else espeak-ng."""
        if not self._chosen:
            self._chosen = True
            if not self.offline:
                if edge_reachable():
                    self._online = EdgeBackend()
                else:
                    _log_fallback_once("unreachable", "edge-tts service %s is unreachable: the advisor speaks "
                                       "with the offline espeak-ng voice", EDGE_HOST)
        return self._online or self.espeak

    def say(self, text: str) -> Utterance:
        """The utterance for ``text``: from the cache when said before, else freshly synthesized and cached."""
        backend = self.backend
        try:
            return self._say_with(backend, text)
        except TtsUnavailable as exc:
            if backend is self.espeak:
                raise
            _log_fallback_once("failed", "edge-tts stopped working (%s): switching to the offline espeak-ng voice",
                               exc)
            self._online = None
            return self._say_with(self.espeak, text)

    def _say_with(self, backend: TtsBackend, text: str) -> Utterance:
        voice = VOICES[backend.name][self.lang]
        if self.cache is not None:
            hit = self.cache.get(text, voice, self.rate_pct, backend.name)
            if hit is not None:
                return hit
        utterance = backend.synthesize(text, voice, self.rate_pct)
        if self.cache is not None:
            self.cache.put(utterance)
        return utterance
