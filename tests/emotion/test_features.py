import numpy as np
import soundfile as sf

from vbranch.emotion.audio.features import (
    FeatureConfig,
    augment_wave,
    cache_dir,
    cached_features,
    extract,
    frame_channels,
    load_audio,
    trim_silence,
    vtlp_warp,
)


def test_extract_shapes_and_per_utterance_normalisation(clip):
    y = load_audio(clip(5, 3))
    f = extract(y)
    assert f.frames.shape[0] == frame_channels(FeatureConfig())
    assert np.isfinite(f.frames).all() and np.isfinite(f.utt).all()
    assert np.abs(f.frames.mean(axis=1)).max() < 1e-3
    # silence trimmed: speech is shorter than the clip, and the frame count follows the trimmed length
    assert 0.8 < f.duration_s < y.size / 16000 - 0.3
    assert abs(f.frames.shape[1] - f.duration_s * 100) <= 2


def test_features_nearly_ignore_gain(clip):
    """-20 dB changes little: log-mel is in dB re the loudest bin and utterance stats are level-relative;
    only the noise floor and pitch tracking near it move a little."""
    y = load_audio(clip(4, 8))
    a, b = extract(y), extract(0.1 * y)
    assert np.abs(a.frames - b.frames).mean() < 0.05
    rel = np.abs(a.utt - b.utt) / (np.abs(a.utt) + 1.0)
    assert np.median(rel) < 0.01 and rel.max() < 0.05


def test_trim_keeps_the_loud_part():
    sr = 16000
    tone = 0.5 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr).astype(np.float32)
    y = np.concatenate([np.zeros(sr, np.float32), tone, np.zeros(sr, np.float32)])
    t = trim_silence(y)
    assert 1.0 <= t.size / sr <= 1.15


def test_wav_and_flac_agree(clip, tmp_path):
    y = load_audio(clip(3, 5))
    wav = tmp_path / "03-01-03-02-01-01-05.wav"
    sf.write(wav, y, 16000, subtype="PCM_16")
    assert np.allclose(load_audio(wav), y, atol=1e-4)
    # a 44.1 kHz file is resampled to 16 kHz on load
    sf.write(tmp_path / "hi.wav", np.repeat(y, 2), 32000)
    assert abs(load_audio(tmp_path / "hi.wav").size - y.size) <= 2


def test_augmentation_is_deterministic_and_changes_the_wave(clip):
    y = load_audio(clip(6, 1))
    n1, n2 = augment_wave(y, "noise", 7), augment_wave(y, "noise", 7)
    assert np.array_equal(n1, n2) and not np.allclose(n1, y)
    fast = augment_wave(y, "speed1.1", 0)
    assert abs(fast.size - y.size / 1.1) < 20


def test_cache_roundtrip(clip):
    p = clip(2, 2)
    a = cached_features(p)
    assert list(cache_dir().glob("*.npz"))
    b = cached_features(p)
    assert np.allclose(a.frames, b.frames, atol=1e-2) and np.array_equal(a.utt, b.utt)


def test_vtlp_moves_formants_by_the_warp_factor_and_keeps_the_top_of_the_band():
    n_bins = 257  # n_fft 512 at 16 kHz: 31.25 Hz per bin
    spec = np.full((n_bins, 3), 1e-6)
    spec[64] = 1.0  # a "formant" at 2 kHz
    spec[-1] = 0.5  # energy at Nyquist
    assert np.allclose(vtlp_warp(spec, 1.0), spec)
    shorter = vtlp_warp(spec, 0.9)  # a longer vocal tract: formants move down by 10 %
    assert abs(int(np.argmax(shorter[:, 0])) - round(64 * 0.9)) <= 1
    longer = vtlp_warp(spec, 1.1)
    assert abs(int(np.argmax(longer[:, 0])) - round(64 * 1.1)) <= 1
    assert shorter[-1, 0] == longer[-1, 0] == 0.5  # Nyquist stays put
