import numpy as np
import pytest

from vbranch.emotion.audio.features import load_audio
from vbranch.emotion.audio.stream import EmotionStream, StreamConfig, StreamState, file_blocks, is_speech

SR = 16000


def _loudness_scorer(window: np.ndarray) -> float:
    """A real, simple scorer for the state machine: loud windows read as distress."""
    return 0.95 if np.sqrt(np.mean(window**2)) > 0.1 else 0.05


def _tone(seconds: float, amp: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


def test_windows_hop_and_hysteresis_on_synthetic_audio():
    s = EmotionStream(_loudness_scorer)
    y = np.concatenate([_tone(3, 0.05), _tone(3, 0.5), _tone(4, 0.05)])
    ups = []
    for i in range(0, y.size, 1234):  # odd block size: windowing must not depend on it
        ups += s.push(y[i : i + 1234])
    assert len(ups) == 19  # (10 s - 1 s) / 0.5 s + 1
    assert [u.t_end_s for u in ups[:3]] == [1.0, 1.5, 2.0]
    flips = [(u.t_end_s, u.state) for u in ups if u.changed]
    assert [f[1] for f in flips] == [StreamState.ANXIOUS, StreamState.CALM]
    # loud from 3.0 s: the window ending 3.5 s is half loud (RMS 0.25 > 0.1) -> EMA 0.5; 4.0 s -> 0.725 > 0.65
    assert flips[0][0] == 4.0
    # quiet from 6.0 s: the window ending 7.0 s is the first fully quiet one -> 0.5, then 0.275 < 0.45 at 7.5 s
    assert flips[1][0] == 7.5


def test_silence_holds_the_state():
    s = EmotionStream(_loudness_scorer)
    s.push(_tone(2, 0.5))
    assert s.state == StreamState.ANXIOUS
    ups = s.push(np.zeros(3 * SR, np.float32))[2:]  # the first two windows still overlap the tone
    assert ups and not any(u.speech for u in ups)
    assert s.state == StreamState.ANXIOUS and all(u.raw_p is None and u.smoothed_p == 0.95 for u in ups)
    assert not is_speech(np.zeros(SR, np.float32)) and is_speech(_tone(1, 0.1))


def test_bad_thresholds_rejected():
    with pytest.raises(ValueError):
        EmotionStream(_loudness_scorer, StreamConfig(enter_p=0.4, leave_p=0.5))


def test_real_clips_calm_fearful_calm_flip_once_and_back(clip):
    """Held-out-from-training speakers 17/18: calm speech, then fearful, then calm again."""
    calm = [clip(2, 18, statement=s, repetition=r) for s in (1, 2) for r in (1, 2)]
    fear = [clip(6, 17, statement=s, repetition=r) for s in (1, 2) for r in (1, 2)]
    stream = EmotionStream()  # the shipped model
    ups = []
    for p in calm + fear + calm:
        for block in file_blocks(p):
            ups += stream.push(block)
    flips = [u for u in ups if u.changed]
    assert [u.state for u in flips] == [StreamState.ANXIOUS, StreamState.CALM], [
        (u.t_end_s, round(u.smoothed_p or -1, 2)) for u in ups
    ]
    calm_s = sum(load_audio(p).size for p in calm) / SR
    assert calm_s < flips[0].t_end_s < calm_s + sum(load_audio(p).size for p in fear) / SR + 1.0
