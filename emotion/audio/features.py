"""Per-utterance acoustic features with librosa, and an on-disk cache keyed by path + mtime + version.

Why these features: emotion in speech lives in spectral shape (log-mel, MFCC and their deltas), prosody
(pitch contour, energy contour, voicing) and voice quality (spectral centroid, flatness, tilt). We give a
small network the frame-level contours, normalised per utterance (CMVN) so that microphone gain and
speaker timbre matter less, plus a short utterance-level vector (gain-invariant statistics such as pitch
level and range, voiced fraction, speech duration) that CMVN would otherwise erase.

Silence is trimmed with an energy threshold first: RAVDESS clips carry ~1 s of silence that says nothing.
Pitch uses ``librosa.yin`` (pyin is 50x slower); voicing is a cheap energy + zero-crossing + pitch-range
rule rather than a probabilistic tracker, to stay inside the 10 ms per audio second budget.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "FeatureConfig",
    "Features",
    "FEATURE_VERSION",
    "load_audio",
    "trim_silence",
    "extract",
    "augment_wave",
    "cached_features",
    "cache_dir",
    "AUG_VARIANTS",
    "vtlp_warp",
]

log = logging.getLogger(__name__)

#: Bump when anything below changes what ``extract`` returns: it invalidates the cache.
FEATURE_VERSION = 4
#: Cached training variants: the clean clip, speed perturbation (tempo + pitch), additive noise and vocal-tract
#: length perturbation (VTLP: the spectrum's frequency axis warped by 0.9 / 1.1, so formants and timbre move
#: while pitch and tempo stay; it makes new "speakers" and helps on unseen ones).
AUG_VARIANTS: tuple[str, ...] = ("clean", "speed0.9", "speed1.1", "noise", "vtlp0.9", "vtlp1.1")


@dataclass(frozen=True)
class FeatureConfig:
    sr_hz: int = 16000
    n_fft: int = 512
    win_length: int = 400  # 25 ms
    hop_length: int = 160  # 10 ms
    n_mels: int = 48
    n_mfcc: int = 20
    fmin_hz: float = 50.0
    fmax_hz: float = 8000.0
    f0_min_hz: float = 60.0
    f0_max_hz: float = 500.0
    trim_top_db: float = 32.0
    trim_margin_s: float = 0.05
    min_frames: int = 32


@dataclass(frozen=True)
class Features:
    """``frames``: (channels, T) float32, CMVN-normalised; ``utt``: (D,) raw utterance statistics."""

    frames: np.ndarray
    utt: np.ndarray
    duration_s: float  # speech after trimming


def frame_channels(cfg: FeatureConfig = FeatureConfig()) -> int:
    return cfg.n_mels + 3 * cfg.n_mfcc + 10


def load_audio(path: str | Path, sr_hz: int = 16000) -> np.ndarray:
    """Read WAV/FLAC with soundfile, mix to mono, resample to ``sr_hz``; float32 in [-1, 1]."""
    import soundfile as sf

    y, sr = sf.read(str(path), dtype="float32", always_2d=True)
    y = y.mean(axis=1)
    if sr != sr_hz:
        import librosa

        y = librosa.resample(y, orig_sr=sr, target_sr=sr_hz)
    return np.ascontiguousarray(y, dtype=np.float32)


def trim_silence(y: np.ndarray, cfg: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """Drop leading/trailing frames more than ``trim_top_db`` below the loudest frame, keep a margin."""
    if y.size == 0:
        return y
    hop = cfg.hop_length
    n = 1 + y.size // hop
    pad = np.pad(y, (cfg.win_length // 2, cfg.win_length // 2))
    idx = np.arange(n)[:, None] * hop + np.arange(cfg.win_length)[None, :]
    idx = np.minimum(idx, pad.size - 1)
    rms_db = 10 * np.log10(np.mean(pad[idx] ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(rms_db > rms_db.max() - cfg.trim_top_db)
    margin = int(cfg.trim_margin_s * cfg.sr_hz)
    start = max(0, loud[0] * hop - margin)
    end = min(y.size, loud[-1] * hop + hop + margin)
    return y[start:end]


@functools.lru_cache(maxsize=8)
def _mel_basis(sr_hz: int, n_fft: int, n_mels: int, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=sr_hz, n_fft=n_fft, n_mels=n_mels, fmin=fmin_hz, fmax=fmax_hz)


def _interp_unvoiced(x: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    if not voiced.any():
        return np.zeros_like(x)
    t = np.arange(x.size)
    return np.interp(t, t[voiced], x[voiced]).astype(np.float32)


def vtlp_warp(spec: np.ndarray, alpha: float, sr_hz: int = 16000, f_hi_hz: float = 4800.0) -> np.ndarray:
    """Warp a (freq, T) power spectrum's frequency axis piecewise-linearly (Jaitly & Hinton 2013): frequencies
    below ``f_hi_hz`` scale by ``alpha``, the rest map linearly so Nyquist stays put."""
    nyq = sr_hz / 2
    freqs = np.linspace(0.0, nyq, spec.shape[0])
    b = f_hi_hz * min(alpha, 1.0) / alpha
    fwd = np.where(freqs <= b, freqs * alpha, nyq - (nyq - f_hi_hz * min(alpha, 1.0)) / (nyq - b) * (nyq - freqs))
    pos = np.interp(freqs, fwd, freqs) / nyq * (spec.shape[0] - 1)  # source bin of each output bin
    lo = np.clip(np.floor(pos).astype(int), 0, spec.shape[0] - 1)
    hi = np.minimum(lo + 1, spec.shape[0] - 1)
    frac = (pos - lo)[:, None]
    return spec[lo] * (1.0 - frac) + spec[hi] * frac


def extract(y: np.ndarray, cfg: FeatureConfig = FeatureConfig(), trim: bool = True, warp: float = 1.0) -> Features:
    """Features of one mono utterance at ``cfg.sr_hz``.

    Frame channels (in order): log-mel, MFCC, delta MFCC, delta-delta MFCC, log-f0 (semitones re 100 Hz,
    interpolated through unvoiced frames), delta log-f0, voiced flag, RMS dB, delta RMS, spectral centroid,
    bandwidth, roll-off (kHz), flatness, zero-crossing rate. Each channel is normalised to zero mean and
    unit variance over the utterance. ``warp`` != 1 applies VTLP (``vtlp_warp``) to the spectrum: training only.
    """
    import librosa

    y = np.asarray(y, dtype=np.float32)
    if trim:
        y = trim_silence(y, cfg)
    min_len = cfg.min_frames * cfg.hop_length
    if y.size < min_len:
        y = np.pad(y, (0, min_len - y.size))
    duration_s = y.size / cfg.sr_hz
    spec = np.abs(librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length, win_length=cfg.win_length)) ** 2
    if warp != 1.0:
        spec = vtlp_warp(spec, warp, cfg.sr_hz)
    # Same as librosa.feature.melspectrogram(S=spec, ...), but its einsum costs ~10 ms per call on numpy 2.x
    # and the filterbank is rebuilt every time; a cached bank and a matmul cost ~0.1 ms.
    mel = _mel_basis(cfg.sr_hz, cfg.n_fft, cfg.n_mels, cfg.fmin_hz, cfg.fmax_hz) @ spec
    # dB re the utterance's loudest bin, floored 80 dB below it: the same numbers at any microphone gain.
    logmel = librosa.power_to_db(mel, ref=float(mel.max()) + 1e-20, amin=1e-20, top_db=80.0)
    mfcc = librosa.feature.mfcc(S=logmel, n_mfcc=cfg.n_mfcc)
    d1 = librosa.feature.delta(mfcc, width=9, order=1, mode="nearest")
    d2 = librosa.feature.delta(mfcc, width=9, order=2, mode="nearest")
    T = spec.shape[1]
    f0 = librosa.yin(
        y, fmin=cfg.f0_min_hz, fmax=cfg.f0_max_hz, sr=cfg.sr_hz, frame_length=1024, hop_length=cfg.hop_length
    )[:T]
    rms_db = 10 * np.log10(spec.sum(axis=0) / cfg.n_fft + 1e-10)
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=cfg.win_length, hop_length=cfg.hop_length)[0, :T]
    freqs = librosa.fft_frequencies(sr=cfg.sr_hz, n_fft=cfg.n_fft)
    power = spec + 1e-10
    psum = power.sum(axis=0)
    centroid = (freqs[:, None] * power).sum(axis=0) / psum
    bandwidth = np.sqrt(((freqs[:, None] - centroid[None, :]) ** 2 * power).sum(axis=0) / psum)
    cum = np.cumsum(power, axis=0)
    rolloff = freqs[np.argmax(cum >= 0.85 * psum[None, :], axis=0)]
    flatness = np.exp(np.mean(np.log(power), axis=0)) / np.mean(power, axis=0)
    voiced = (
        (rms_db > rms_db.max() - 30.0)
        & (zcr < 0.25)
        & (f0 > cfg.f0_min_hz * 1.05)
        & (f0 < cfg.f0_max_hz * 0.95)
    )
    semitone = 12.0 * np.log2(np.maximum(f0, 1.0) / 100.0)
    f0_st = _interp_unvoiced(semitone, voiced)
    df0 = librosa.feature.delta(f0_st, width=9, mode="nearest")
    drms = librosa.feature.delta(rms_db, width=9, mode="nearest")
    raw = np.vstack(
        [
            logmel,
            mfcc,
            d1,
            d2,
            f0_st[None],
            df0[None],
            voiced[None].astype(np.float32),
            rms_db[None],
            drms[None],
            centroid[None] / 1000.0,
            bandwidth[None] / 1000.0,
            rolloff[None] / 1000.0,
            flatness[None],
            zcr[None],
        ]
    ).astype(np.float32)
    mu = raw.mean(axis=1, keepdims=True)
    sd = raw.std(axis=1, keepdims=True)
    frames = (raw - mu) / (sd + 1e-5)
    # Utterance statistics, gain-invariant: level-like channels enter relative to the utterance loudness.
    vf = semitone[voiced]
    f0_stats = (
        [float(np.median(vf)), float(vf.std()), float(np.percentile(vf, 95) - np.percentile(vf, 5))]
        if vf.size >= 3
        else [0.0, 0.0, 0.0]
    )
    loud_db = float(np.percentile(rms_db, 95))
    utt = np.concatenate(
        [
            mfcc[1:].mean(axis=1),
            mfcc.std(axis=1),
            d1.std(axis=1)[:6],
            f0_stats,
            [float(voiced.mean()), float(rms_db.std()), loud_db - float(np.percentile(rms_db, 50))],
            [float(drms.std()), float(df0[voiced].std()) if voiced.sum() > 2 else 0.0],
            raw[-5:].mean(axis=1),
            raw[-5:].std(axis=1),
            [duration_s, float(voiced.sum()) / max(1.0, duration_s) / 100.0],
        ]
    ).astype(np.float32)
    return Features(frames=frames.astype(np.float32), utt=utt, duration_s=duration_s)


def augment_wave(y: np.ndarray, variant: str, seed: int, sr_hz: int = 16000) -> np.ndarray:
    """One deterministic training variant of a waveform (see ``AUG_VARIANTS``)."""
    if variant == "clean":
        return y
    if variant.startswith("speed"):
        import librosa

        factor = float(variant[5:])
        # Resample, then play back at the old rate: faster and higher (Kaldi-style speed perturbation).
        return librosa.resample(y, orig_sr=sr_hz, target_sr=int(round(sr_hz / factor))).astype(np.float32)
    if variant.startswith("vtlp"):
        return y  # applied to the spectrum inside ``extract`` (see ``cached_features``)
    if variant == "noise":
        rng = np.random.default_rng(seed)
        snr_db = rng.uniform(12.0, 30.0)
        sig = float(np.mean(trim_silence(y) ** 2)) + 1e-10
        noise = rng.standard_normal(y.size).astype(np.float32)
        if rng.random() < 0.5:  # pink-ish: integrate white noise a little
            noise = np.cumsum(noise) * 0.02
            noise -= np.convolve(noise, np.ones(400) / 400, mode="same")
        noise *= np.sqrt(sig / (np.mean(noise**2) + 1e-12) / 10 ** (snr_db / 10))
        return (y + noise).astype(np.float32)
    raise ValueError(f"unknown augmentation variant: {variant}")


def cache_dir() -> Path:
    """``$VBRANCH_CACHE/emotion_features`` or the platform user cache dir."""
    env = os.environ.get("VBRANCH_CACHE")
    if env:
        return Path(env) / "emotion_features"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("vbranch")) / "emotion_features"


def _key(path: Path, variant: str, cfg: FeatureConfig) -> str:
    st = path.stat()
    blob = f"{path.resolve()}|{st.st_mtime_ns}|{st.st_size}|{variant}|{FEATURE_VERSION}|{sorted(asdict(cfg).items())}"
    return hashlib.sha1(blob.encode()).hexdigest()


def cached_features(path: str | Path, variant: str = "clean", cfg: FeatureConfig = FeatureConfig()) -> Features:
    """``extract`` of a file (optionally augmented), read from / written to the disk cache."""
    path = Path(path)
    f = cache_dir() / f"{_key(path, variant, cfg)}.npz"
    if f.exists():
        try:
            with np.load(f) as z:
                return Features(z["frames"].astype(np.float32), z["utt"], float(z["duration_s"]))
        except (OSError, ValueError, KeyError):
            log.warning("feature cache entry unreadable, recomputing: %s", f)
    y = load_audio(path, cfg.sr_hz)
    seed = int(hashlib.sha1(f"{path.name}|{variant}".encode()).hexdigest()[:8], 16)
    warp = float(variant[4:]) if variant.startswith("vtlp") else 1.0
    feats = extract(augment_wave(y, variant, seed, cfg.sr_hz), cfg, warp=warp)
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, frames=feats.frames.astype(np.float16), utt=feats.utt, duration_s=feats.duration_s)
    os.replace(tmp, f)
    return feats
