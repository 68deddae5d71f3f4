"""``bench_voice()``: how fast the advisor starts talking (budget: first offline audio ≤ 300 ms)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from vbranch.avatars.voice.cache import VoiceCache
from vbranch.avatars.voice.edge import EDGE_HOST, EDGE_PORT, probe_tcp
from vbranch.avatars.voice.service import Voice

__all__ = ["bench_voice", "BENCH_SENTENCES"]

BENCH_SENTENCES = {
    "zh": "市场下跌了百分之五，先深呼吸，我们一起看看止损线。",
    "en": "The market fell five percent. Take a breath, and let us look at your stop-loss together.",
}


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 2)


def bench_voice(repeats: int = 5) -> dict:
    """Timings in ms (medians over ``repeats``) plus audio seconds per sentence; nothing is asserted here.

    ``first_offline_audio_ms`` is the first espeak-ng sentence of this process (engine start included);
    ``cache_hit_ms`` reads one cached utterance back; ``edge_probe_ms`` is one reachability probe.
    """
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="vbranch-bench-voice-") as tmp:
        cache = VoiceCache(Path(tmp))
        voice = Voice("zh", offline=True, cache=cache)
        start = time.perf_counter()
        first = voice.say(BENCH_SENTENCES["zh"])
        out["first_offline_audio_ms"] = _ms(start)
        out["first_offline_audio_s"] = round(first.duration_s, 3)
        for lang in ("zh", "en"):
            fresh = Voice(lang, offline=True, use_cache=False)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                utterance = fresh.say(BENCH_SENTENCES[lang])
                times.append(_ms(start))
            out[f"espeak_{lang}_ms"] = statistics.median(times)
            out[f"espeak_{lang}_audio_s"] = round(utterance.duration_s, 3)
            out[f"espeak_{lang}_visemes"] = len(utterance.visemes)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            voice.say(BENCH_SENTENCES["zh"])
            times.append(_ms(start))
        out["cache_hit_ms"] = statistics.median(times)
    start = time.perf_counter()
    out["edge_reachable"] = probe_tcp(EDGE_HOST, EDGE_PORT)
    out["edge_probe_ms"] = _ms(start)
    out["budget_first_offline_audio_ms"] = 300
    return out
