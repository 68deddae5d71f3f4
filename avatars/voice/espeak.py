"""espeak-ng, the offline voice: always there, ~3 ms a sentence, robotic but exactly lip-synced.

How the timing is real: the espeak-ng command line prints phonemes (``-x``) but no times (``--pho``
only works with mbrola voices, none installed), so instead we load ``libespeak-ng`` (the library the
binary is built on) through ctypes in synchronous mode with phoneme events switched on. Its callback
hands over the PCM *and* one event per phoneme with the exact output sample where it starts, so each
viseme begins on the sample its phoneme does. One synthesis gives both; no second pass, no guessing.

If the library cannot be loaded (another OS, another soname) the ``espeak-ng`` binary is used instead
(logged once): it writes a WAV into a temp file and prints the phoneme string; the phonemes are then
spread evenly over the voiced frames of the audio's energy envelope (silent frames are ``rest``), an
approximation, which is why it is only the fallback.

Chinese: ``cmn-latn-pinyin`` reads Hanzi with the right pinyin (你好 → ``n'i35 X'Au214``). Plain ``cmn``
in 1.51 does not: it reads 你好 as English "ni three hao three", hence never ``cmn``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np
import soundfile as sf

from vbranch.avatars.body import Viseme
from vbranch.avatars.voice.backend import TtsUnavailable, Utterance
from vbranch.avatars.voice.visemes import OPENNESS, phoneme_timeline, shape_of_phoneme

__all__ = ["EspeakBackend", "BASE_RATE_WPM", "rate_wpm_for"]

log = logging.getLogger(__name__)

BASE_RATE_WPM = 150  # calm advisor pace; elder mode −30 % → 105 wpm
_ENVELOPE_FRAME_S = 0.01
_SILENCE_DB = -40.0  # frames this far below the loudest are pauses

# speak_lib.h (1.51): espeak_Initialize output and options, event types, parameters, position and flags
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_EVENT_LIST_TERMINATED = 0
_EVENT_PHONEME = 7
_PARAM_RATE = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1


def rate_wpm_for(rate_pct: int) -> int:
    """espeak-ng's words per minute for a speed change in percent (−30 → 105)."""
    return max(80, round(BASE_RATE_WPM * (1.0 + rate_pct / 100.0)))


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _EventId)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class _Library:
    """libespeak-ng in synchronous mode. The library is one global engine, so every call holds ``_lock``."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self._lib = ctypes.CDLL(path)
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                           ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.sample_rate_hz = self._lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT)
        if self.sample_rate_hz <= 0:
            raise OSError(f"espeak_Initialize failed ({self.sample_rate_hz})")
        self._chunks: list[np.ndarray] = []
        self._phonemes: list[tuple[int, str]] = []
        self._callback = _CALLBACK(self._on_synth)  # kept referenced: the library calls it later
        self._lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()

    def _on_synth(self, wav, n_samples, events) -> int:
        if n_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, (n_samples,)).copy())
        k = 0
        while events[k].type != _EVENT_LIST_TERMINATED:
            if events[k].type == _EVENT_PHONEME:
                self._phonemes.append((events[k].sample, events[k].id.string.decode("utf-8", "replace")))
            k += 1
        return 0  # 0: keep going

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, list[tuple[int, str]]]:
        data = text.encode("utf-8") + b"\0"
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise TtsUnavailable(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
            self._chunks, self._phonemes = [], []
            status = self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self._lib.espeak_Synchronize()
            if status != 0:
                raise TtsUnavailable(f"espeak_Synth failed with status {status}")
            pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            return pcm, self._phonemes


_library: _Library | None = None
_library_failed = False
_library_guard = threading.Lock()


def _load_library() -> _Library | None:
    """The shared library engine, or None (logged once) when only the binary can be used."""
    global _library, _library_failed
    with _library_guard:
        if _library is None and not _library_failed:
            try:
                _library = _Library()
            except (OSError, AttributeError) as exc:
                _library_failed = True
                log.warning("libespeak-ng could not be loaded (%s): using the espeak-ng binary, whose lip-sync "
                            "is spread over the audio's voiced frames instead of exact phoneme times", exc)
        return _library


class EspeakBackend:
    """Offline TTS through espeak-ng. ``synth_count`` counts real syntheses (the cache test reads it)."""

    name = "espeak-ng"

    def __init__(self, use_library: bool = True) -> None:
        self._use_library = use_library
        self.synth_count = 0

    def synthesize(self, text: str, voice: str, rate_pct: int = 0) -> Utterance:
        if not text.strip():
            raise ValueError("nothing to say: text is blank")
        rate_wpm = rate_wpm_for(rate_pct)
        library = _load_library() if self._use_library else None
        if library is not None:
            pcm, phonemes = library.synthesize(text, voice, rate_wpm)
            sample_rate_hz = library.sample_rate_hz
            audio = (pcm.astype(np.float32) / 32768.0).astype(np.float32)
            timed = [(sample / sample_rate_hz, mnemonic) for sample, mnemonic in phonemes]
            visemes = phoneme_timeline(timed, len(audio) / sample_rate_hz)
        else:
            audio, sample_rate_hz, mnemonics = _synthesize_with_binary(text, voice, rate_wpm)
            visemes = envelope_timeline(audio, sample_rate_hz, mnemonics)
        self.synth_count += 1
        return Utterance(audio, sample_rate_hz, visemes, text, voice, self.name, rate_pct)


def _synthesize_with_binary(text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, int, list[str]]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise TtsUnavailable("espeak-ng is not installed (Debian: apt install espeak-ng)")
    common = [exe, "-v", voice, "-s", str(rate_wpm), "--stdin"]
    with tempfile.TemporaryDirectory(prefix="vbranch-espeak-") as tmp:
        wav_path = Path(tmp) / "say.wav"
        subprocess.run([*common, "-w", str(wav_path)], input=text.encode(), check=True, capture_output=True,
                       timeout=30)
        audio, sample_rate_hz = sf.read(wav_path, dtype="float32", always_2d=True)
    shown = subprocess.run([*common, "-q", "-x", "--sep= "], input=text.encode(), check=True,
                           capture_output=True, timeout=30).stdout.decode("utf-8", "replace")
    mnemonics = [m for m in shown.split() if not m.startswith("_")]
    return np.ascontiguousarray(audio[:, 0]), int(sample_rate_hz), mnemonics


def envelope_timeline(audio: np.ndarray, sample_rate_hz: int, mnemonics: list[str]) -> tuple[Viseme, ...]:
    """Spread ``mnemonics`` evenly over the voiced 10 ms frames of ``audio``; silent frames are ``rest``."""
    frame = max(1, round(_ENVELOPE_FRAME_S * sample_rate_hz))
    n_frames = len(audio) // frame
    if n_frames == 0 or not mnemonics:
        return (Viseme(0.0, len(audio) / sample_rate_hz, 0.0, "rest"),) if len(audio) else ()
    rms = np.sqrt(np.mean(audio[: n_frames * frame].reshape(n_frames, frame) ** 2, axis=1) + 1e-12)
    voiced = 20.0 * np.log10(rms / rms.max()) > _SILENCE_DB
    n_voiced = int(voiced.sum())
    shapes = []
    rank = 0
    for is_voiced in voiced:
        if is_voiced:
            shapes.append(shape_of_phoneme(mnemonics[min(len(mnemonics) - 1, rank * len(mnemonics) // n_voiced)]))
            rank += 1
        else:
            shapes.append("rest")
    out: list[Viseme] = []
    for k, shape in enumerate(shapes):
        start_s, end_s = k * frame / sample_rate_hz, (k + 1) * frame / sample_rate_hz
        if out and out[-1].shape == shape:
            out[-1] = out[-1]._replace(end_s=round(end_s, 4))
        else:
            out.append(Viseme(round(start_s, 4), round(end_s, 4), OPENNESS[shape], shape))
    tail_s = len(audio) / sample_rate_hz
    if tail_s > out[-1].end_s:
        out.append(Viseme(out[-1].end_s, round(tail_s, 4), 0.0, "rest"))
    return tuple(out)
