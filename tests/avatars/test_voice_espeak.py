"""espeak-ng, the offline voice, for real: audio that speaks and visemes on the phonemes' own samples."""

import numpy as np
import pytest

from vbranch.avatars.body import mouth_open
from vbranch.avatars.voice.espeak import EspeakBackend, rate_wpm_for
from vbranch.avatars.voice.visemes import OPENNESS

EN = "The market fell today, so we check the stop-loss."  # 10 words, one comma pause
ZH = "你好，市场下跌了。"  # 7 syllables, one comma pause
VOWELS = {"AA", "E", "I", "O", "U"}


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def span(u, v) -> np.ndarray:
    return u.audio[int(v.start_s * u.sample_rate_hz):int(v.end_s * u.sample_rate_hz)]


def assert_timeline_covers_the_audio(u):
    vs = u.visemes
    assert vs[0].start_s == 0.0
    assert vs[-1].end_s == pytest.approx(u.duration_s, abs=1e-3)
    for a, b in zip(vs, vs[1:], strict=False):
        assert a.start_s < a.end_s == b.start_s  # contiguous, strictly increasing
    assert all(v.openness == OPENNESS[v.shape] for v in vs)


@pytest.fixture(scope="module")
def espeak():
    return EspeakBackend()


@pytest.mark.parametrize("text, voice, syllables", [(EN, "en-us", 12), (ZH, "cmn-latn-pinyin", 7)])
def test_a_sentence_becomes_audible_speech_of_plausible_length(espeak, text, voice, syllables):
    u = espeak.synthesize(text, voice)
    assert u.backend == "espeak-ng" and u.sample_rate_hz == 22050 and u.audio.dtype == np.float32
    assert rms(u.audio) > 0.03 and np.abs(u.audio).max() <= 1.0
    # 2–6 syllables a second covers slow and brisk speech; a comma and the final stop add ~0.5 s
    assert syllables / 6.0 < u.duration_s < syllables / 2.0 + 1.0
    assert_timeline_covers_the_audio(u)
    vowel_visemes = [v for v in u.visemes if v.shape in VOWELS]
    assert len(vowel_visemes) >= syllables - 1


@pytest.mark.parametrize("text, voice", [(EN, "en-us"), (ZH, "cmn-latn-pinyin")])
def test_the_mouth_is_shut_in_the_comma_pause_and_open_on_vowels(espeak, text, voice):
    u = espeak.synthesize(text, voice)
    pauses = [v for v in u.visemes if v.shape == "rest" and v.end_s - v.start_s > 0.1 and v.start_s > 0.3]
    assert len(pauses) >= 1  # the comma
    for p in pauses:
        assert p.openness == 0.0
        assert mouth_open(u.visemes, (p.start_s + p.end_s) / 2) == 0.0
        assert rms(span(u, p)) < 0.005  # the timing is real: the audio is silent there too
    vowel_rms = np.mean([rms(span(u, v)) for v in u.visemes if v.shape in VOWELS])
    assert vowel_rms > 0.05
    assert max(mouth_open(u.visemes, t) for t in np.arange(0, u.duration_s, 0.01)) >= 0.7


def test_chinese_hanzi_are_read_as_pinyin_syllables(espeak):
    u = espeak.synthesize("市场", "cmn-latn-pinyin")  # shi4 chang3: retroflex s, i, ts.h, A, N
    shapes = [v.shape for v in u.visemes if v.shape != "rest"]
    assert shapes[:4] == ["S", "I", "S", "AA"]


@pytest.mark.parametrize("text, voice", [(EN, "en-us"), (ZH, "cmn-latn-pinyin")])
def test_elder_pace_is_at_least_a_quarter_longer(espeak, text, voice):
    normal = espeak.synthesize(text, voice, 0)
    elder = espeak.synthesize(text, voice, -30)
    assert rate_wpm_for(-30) == 105 and rate_wpm_for(0) == 150
    assert elder.duration_s >= 1.25 * normal.duration_s
    assert elder.rate_pct == -30


def test_the_binary_fallback_also_gives_audio_and_a_covering_timeline():
    u = EspeakBackend(use_library=False).synthesize(EN, "en-us")
    assert rms(u.audio) > 0.03
    assert_timeline_covers_the_audio(u)
    silent = [v for v in u.visemes if v.shape == "rest" and v.end_s - v.start_s > 0.1 and v.start_s > 0.3]
    assert silent and all(rms(span(u, v)) < 0.01 for v in silent)


def test_blank_text_and_unknown_voices_are_refused(espeak):
    from vbranch.avatars.voice.backend import TtsUnavailable

    with pytest.raises(ValueError):
        espeak.synthesize("   ", "en-us")
    with pytest.raises(TtsUnavailable):
        espeak.synthesize("hello", "no-such-voice-xx")
