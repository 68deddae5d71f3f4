"""edge-tts, the online neural voice (zh-CN-XiaoxiaoNeural, en-US-JennyNeural) with word-level lip-sync.

It streams MP3 plus ``WordBoundary`` records (offset and duration in 100 ns ticks, and the word) over a
websocket to speech.platform.bing.com. With no route there it fails within milliseconds, so callers
first ask ``edge_reachable()``: a TCP connect with a 1 s budget, answered once per process, so a
classroom without internet doesn't pay a timeout per sentence.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
import threading

from vbranch.avatars.voice.backend import TtsUnavailable, Utterance
from vbranch.avatars.voice.visemes import boundary_timeline
from vbranch.avatars.voice.wav import decode_mp3

__all__ = ["EdgeBackend", "EDGE_HOST", "EDGE_PORT", "edge_reachable", "probe_tcp", "edge_rate"]

log = logging.getLogger(__name__)

EDGE_HOST = "speech.platform.bing.com"
EDGE_PORT = 443
PROBE_TIMEOUT_S = 1.0
CONNECT_TIMEOUT_S = 5  # edge-tts wants whole seconds
RECEIVE_TIMEOUT_S = 20

_probe_lock = threading.Lock()
_probe_answer: bool | None = None


def edge_rate(rate_pct: int) -> str:
    """edge-tts's rate string: −30 → ``"-30%"``."""
    return f"{int(rate_pct):+d}%"


def probe_tcp(host: str, port: int, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """True if a TCP connection to ``host:port`` opens within ``timeout_s`` (DNS included).

    ``socket.create_connection``'s timeout does not bound the DNS lookup, so the attempt runs in a daemon
    thread and we stop waiting after ``timeout_s`` whatever it is doing.
    """
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, name=f"probe-{host}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    return bool(result and result[0])


def edge_reachable(timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether the edge-tts service answers, probed once per process (later calls are free)."""
    global _probe_answer
    with _probe_lock:
        if _probe_answer is None:
            _probe_answer = probe_tcp(EDGE_HOST, EDGE_PORT, timeout_s)
        return _probe_answer


class EdgeBackend:
    """Online neural TTS. Raises ``TtsUnavailable`` on any network or service failure."""

    name = "edge-tts"

    def __init__(self) -> None:
        self.synth_count = 0

    def synthesize(self, text: str, voice: str, rate_pct: int = 0) -> Utterance:
        if not text.strip():
            raise ValueError("nothing to say: text is blank")
        mp3, boundaries = _run(self._stream(text, voice, rate_pct))
        audio, sample_rate_hz = decode_mp3(mp3)
        visemes = boundary_timeline(boundaries, len(audio) / sample_rate_hz)
        self.synth_count += 1
        return Utterance(audio, sample_rate_hz, visemes, text, voice, self.name, rate_pct)

    @staticmethod
    async def _stream(text: str, voice: str, rate_pct: int) -> tuple[bytes, list[dict]]:
        import aiohttp
        import edge_tts

        communicate = edge_tts.Communicate(text, voice, rate=edge_rate(rate_pct), boundary="WordBoundary",
                                           connect_timeout=CONNECT_TIMEOUT_S, receive_timeout=RECEIVE_TIMEOUT_S)
        mp3 = bytearray()
        boundaries: list[dict] = []
        try:
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    mp3 += chunk["data"]
                elif chunk["type"] == "WordBoundary":
                    boundaries.append(dict(chunk))
        except (TimeoutError, OSError, aiohttp.ClientError, edge_tts.exceptions.EdgeTTSException) as exc:
            raise TtsUnavailable(f"edge-tts failed: {type(exc).__name__}: {exc}") from exc
        return bytes(mp3), boundaries


def _run(coro):
    """Run a coroutine to completion from sync code, even when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
