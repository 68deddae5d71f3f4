"""Voice stress sensing: nothing is opened without consent; with it, a fearful voice raises distress."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import soundfile

from vbranch.world.voice_sensing import VoiceSensing

RAVDESS = Path(__file__).resolve().parents[3] / "shared" / "data" / "emotion" / "ravdess"


def fearful_clip() -> Path:
    clips = sorted((RAVDESS / "Actor_17").glob("03-01-06-02-*-17.*"))  # fearful, strong intensity, actor 17
    if not clips:
        pytest.skip(f"RAVDESS not found at {RAVDESS}")
    return clips[0]


def test_without_consent_nothing_is_opened(tmp_path):
    said: list[str] = []
    sensing = VoiceSensing(tmp_path / "consent.json", "en", said.append, voice_file=fearful_clip())
    assert sensing.start() is False and sensing.signal() is None
    sensing.toggle()  # V: the question, not the microphone
    assert sensing.asking and "microphone" in said[-1]
    sensing.answer(False)
    assert not sensing.store.granted() and sensing.signal() is None and sensing._thread is None
    declined = sensing.store.record()  # the "no" is remembered (so the guided visit doesn't ask again)
    assert declined is not None and declined.granted is False
    assert "microphone stays off" in said[-1]


def test_with_consent_a_fearful_voice_reads_as_distress_and_revoking_stops_it(tmp_path):
    said: list[str] = []
    sensing = VoiceSensing(tmp_path / "consent.json", "en", said.append, voice_file=fearful_clip())
    sensing.toggle()
    sensing.answer(True)
    deadline = time.monotonic() + 60
    while sensing.signal() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    signal = sensing.signal()
    assert signal is not None and signal.distress_p > 0.5, signal
    assert "on" in said[-1]
    sensing.toggle()  # V again: off, and the consent is revoked on record
    assert not sensing.store.granted() and sensing.signal() is None and "off" in said[-1]


def wait_for_thread_end(sensing, seconds=60.0):
    deadline = time.monotonic() + seconds
    while sensing._thread is not None and time.monotonic() < deadline:
        time.sleep(0.1)


def test_audio_reaches_the_disk_only_with_record(tmp_path):
    clip = fearful_clip()
    plain = VoiceSensing(tmp_path / "a.json", "en", lambda _: None, voice_file=clip)
    plain.store.grant()
    plain.start()
    wait_for_thread_end(plain)
    assert not list(tmp_path.rglob("*.wav")) and plain.recorded == []

    rec_dir = tmp_path / "recordings"
    recording = VoiceSensing(tmp_path / "b.json", "en", lambda _: None, voice_file=clip, record_dir=rec_dir)
    recording.start()  # no consent on record for this learner: nothing opened, nothing written
    assert recording._thread is None and not rec_dir.exists()
    recording.store.grant()
    recording.start()
    wait_for_thread_end(recording)
    [path] = recording.recorded
    heard, sr = soundfile.read(path)
    original, _ = soundfile.read(clip)
    assert sr == 16000 and abs(len(heard) - len(original)) <= 1600  # the whole clip, in 100 ms blocks
