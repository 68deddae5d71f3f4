"""The advisor's voice in the 3D world: Panda3D loads the WAV, the mouth and subtitles follow the frame clock."""

import numpy as np
import pytest
import soundfile as sf

from vbranch.avatars.body import mouth_open
from vbranch.avatars.voice import Voice, VoiceCache
from vbranch.world.voice_player import SUBTITLE_LINGER_S, VoicePlayer


@pytest.fixture(scope="module")
def utterance(tmp_path_factory):
    voice = Voice("zh", elder=True, offline=True, cache=VoiceCache(tmp_path_factory.mktemp("c")))
    return voice.say("你好，市场下跌了。")


def test_the_mouth_follows_the_timeline_from_the_moment_play_starts(base, utterance, tmp_path):
    player = VoicePlayer(base, elder=True, wav_dir=tmp_path)
    start_s = 12.0
    player.play(utterance, start_s)
    assert player.sound is not None  # Panda3D loaded it (a null sound when audio is off, as here)
    for t_s in np.arange(0.0, utterance.duration_s, 0.013):
        assert player.mouth_open(start_s + t_s) == pytest.approx(mouth_open(utterance.visemes, t_s))
    levels = [player.mouth_open(start_s + t) for t in np.arange(0.0, utterance.duration_s, 0.01)]
    assert max(levels) >= 0.7 and min(levels) == 0.0  # opens on vowels, shut in the comma pause
    assert player.mouth_open(start_s - 0.5) == 0.0
    assert player.mouth_open(start_s + utterance.duration_s + 0.1) == 0.0
    assert player.speaking(start_s + 0.5) and not player.speaking(start_s + utterance.duration_s + 0.1)


def test_the_wav_panda_plays_is_the_utterance(base, utterance, tmp_path):
    player = VoicePlayer(base, wav_dir=tmp_path)
    path = player.wav_path(utterance)
    audio, sample_rate_hz = sf.read(path, dtype="float32")
    assert sample_rate_hz == utterance.sample_rate_hz and len(audio) == len(utterance.audio)
    assert np.abs(audio - utterance.audio).max() < 1e-3  # 16-bit PCM rounding only
    mtime_ns = path.stat().st_mtime_ns
    player.play(utterance, 0.0)
    assert path.stat().st_mtime_ns == mtime_ns  # written once, reused


def test_elder_mode_always_shows_subtitles_and_they_linger_briefly(base, utterance, tmp_path):
    elder = VoicePlayer(base, elder=True, subtitles=False, wav_dir=tmp_path)
    elder.play(utterance, 5.0)
    assert elder.subtitle(5.1) == "你好，市场下跌了。"
    assert elder.subtitle(5.0 + utterance.duration_s + SUBTITLE_LINGER_S - 0.1) == "你好，市场下跌了。"
    assert elder.subtitle(5.0 + utterance.duration_s + SUBTITLE_LINGER_S + 0.1) == ""
    plain = VoicePlayer(base, wav_dir=tmp_path)
    plain.play(utterance, 5.0)
    assert plain.subtitle(5.1) == ""
    assert plain.mouth_open(5.0 + utterance.visemes[1].start_s + 0.05) > 0.0  # it still talks


def test_stop_and_a_new_line_interrupt_the_old_one(base, utterance, tmp_path):
    player = VoicePlayer(base, subtitles=True, wav_dir=tmp_path)
    player.play(utterance, 0.0)
    player.stop()
    assert player.mouth_open(0.5) == 0.0 and player.subtitle(0.5) == ""
    short = Voice("en", offline=True, cache=VoiceCache(tmp_path)).say("Hello.")
    player.play(utterance, 0.0)
    player.play(short, 1.0)
    assert player.subtitle(1.1) == "Hello." and player.utterance is short
