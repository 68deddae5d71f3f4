"""Voice as the advisor uses it: the cache, the reachability probe, the one logged fallback, MP3 decoding."""

import io
import logging
import socket
import time

import numpy as np
import pytest
import soundfile as sf

from vbranch.avatars.voice import service
from vbranch.avatars.voice.backend import TtsUnavailable
from vbranch.avatars.voice.cache import VoiceCache, cache_root
from vbranch.avatars.voice.edge import EdgeBackend, edge_rate, edge_reachable, probe_tcp
from vbranch.avatars.voice.service import Voice
from vbranch.avatars.voice.wav import decode_mp3

LINE = "Take a breath before you sell."


@pytest.fixture
def cache(tmp_path):
    return VoiceCache(tmp_path)


def test_a_repeated_line_comes_from_the_cache_without_synthesizing_again(cache):
    voice = Voice("en", offline=True, cache=cache)
    first = voice.say(LINE)
    entry = cache.path_for(LINE, "en-us", 0, "espeak-ng")
    mtime_ns = entry.stat().st_mtime_ns
    again = voice.say(LINE)
    assert (first.cached, again.cached) == (False, True)
    assert voice.espeak.synth_count == 1 and (cache.hits, cache.misses) == (1, 1)
    assert np.array_equal(first.audio, again.audio) and again.sample_rate_hz == first.sample_rate_hz
    assert again.visemes == first.visemes
    assert entry.stat().st_mtime_ns == mtime_ns  # read, not rewritten
    # a second Voice (another process, say) finds the same entry on disk
    other = Voice("en", offline=True, cache=VoiceCache(cache.directory.parent))
    assert other.say(LINE).cached and other.espeak.synth_count == 0


def test_elder_pace_and_language_are_separate_cache_entries(cache):
    normal = Voice("en", offline=True, cache=cache).say(LINE)
    elder = Voice("en", elder=True, offline=True, cache=cache).say(LINE)
    assert not elder.cached and elder.rate_pct == -30
    assert elder.duration_s >= 1.25 * normal.duration_s
    assert len(list(cache.directory.glob("*.npz"))) == 2
    assert not list(cache.directory.glob("*.part"))  # atomic writes leave no temp files


def test_a_truncated_cache_entry_is_spoken_again_not_trusted(cache, caplog):
    voice = Voice("zh", offline=True, cache=cache)
    good = voice.say("先别急。")
    path = cache.path_for("先别急。", "cmn-latn-pinyin", 0, "espeak-ng")
    path.write_bytes(path.read_bytes()[:100])
    again = voice.say("先别急。")
    assert not again.cached and voice.espeak.synth_count == 2
    assert again.duration_s == pytest.approx(good.duration_s, rel=0.05)  # espeak-ng varies a few samples
    assert "unreadable" in caplog.text
    assert voice.say("先别急。").cached  # the entry was rewritten whole


def test_vbranch_cache_overrides_the_user_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VBRANCH_CACHE", str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    assert VoiceCache().directory == tmp_path / "c" / "voice"


def test_the_probe_answers_from_a_real_socket_in_time():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert probe_tcp("127.0.0.1", port, 1.0) is True
    assert probe_tcp("127.0.0.1", port, 1.0) is False  # closed now: refused
    assert probe_tcp("no-such-host.invalid", 443, 1.0) is False


def test_edge_tts_offline_fails_fast_as_unavailable():
    if edge_reachable():
        pytest.skip("this machine can reach the edge-tts service")
    start = time.perf_counter()
    with pytest.raises(TtsUnavailable):
        EdgeBackend().synthesize("你好", "zh-CN-XiaoxiaoNeural", -30)
    assert time.perf_counter() - start < 30  # a hang guard, not a speed claim (bench_voice has those)
    assert edge_rate(-30) == "-30%" and edge_rate(0) == "+0%"


def test_unreachable_edge_falls_back_to_espeak_with_one_log_record(cache, caplog, monkeypatch):
    if edge_reachable():
        pytest.skip("this machine can reach the edge-tts service")
    monkeypatch.setattr(service, "_LOGGED_FALLBACKS", set())  # as in a fresh process
    caplog.set_level(logging.WARNING, logger="vbranch.avatars.voice")
    for lang in ("zh", "en", "zh"):
        voice = Voice(lang, cache=cache)
        u = voice.say("你好" if lang == "zh" else "hello")
        assert u.backend == "espeak-ng" and voice.backend.name == "espeak-ng"
    records = [r for r in caplog.records if r.name == "vbranch.avatars.voice.service"]
    assert len(records) == 1 and "espeak-ng" in records[0].getMessage()
    assert Voice("en", offline=True, cache=cache).say("hello").cached


def test_edge_mp3_stream_decodes_with_soundfile():
    t_s = np.arange(24000) / 24000.0
    tone = (0.3 * np.sin(2 * np.pi * 220.0 * t_s)).astype(np.float32)
    buf = io.BytesIO()
    sf.write(buf, tone, 24000, format="MP3")  # the format edge-tts streams (24 kHz mono MP3)
    audio, sample_rate_hz = decode_mp3(buf.getvalue())
    assert sample_rate_hz == 24000 and audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - 24000) < 2400
    assert 0.25 < np.abs(audio).max() < 0.35


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        Voice("fr")
