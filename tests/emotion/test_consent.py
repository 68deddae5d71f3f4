"""Consent store, the microphone gate and the scores-only export."""

from __future__ import annotations

import json

import pytest

from vbranch.emotion.consent import (
    PROMPT_KEY,
    AudioPolicy,
    ConsentRequired,
    ConsentStore,
    MicrophoneGate,
    emotion_frame,
)
from vbranch.emotion.signals import VoiceSignal
from vbranch.scenes.catalogue import text


def test_no_file_means_no_consent_and_the_microphone_stays_closed(tmp_path) -> None:
    opened = []
    gate = MicrophoneGate(ConsentStore(tmp_path / "consent.json"))
    with pytest.raises(ConsentRequired) as err:
        gate.open(lambda: opened.append(1))
    assert opened == []
    assert str(err.value) == PROMPT_KEY
    assert text(PROMPT_KEY, "zh") and text(PROMPT_KEY, "en")


def test_grant_is_stored_with_its_timestamp_and_opens_the_microphone(tmp_path) -> None:
    store = ConsentStore(tmp_path / "sub" / "consent.json", clock=lambda: 1700000000.0)
    store.grant()
    assert json.loads((tmp_path / "sub" / "consent.json").read_text())["microphone"] == {
        "scope": "microphone", "granted": True, "at_unix_s": 1700000000.0}
    assert MicrophoneGate(ConsentStore(tmp_path / "sub" / "consent.json")).open(lambda: "stream") == "stream"


def test_revoke_closes_the_gate_again(tmp_path) -> None:
    store = ConsentStore(tmp_path / "consent.json", clock=lambda: 5.0)
    store.grant()
    store.revoke()
    assert not store.granted()
    assert store.record().at_unix_s == 5.0
    with pytest.raises(ConsentRequired):
        MicrophoneGate(store).open(lambda: "stream")


def test_corrupt_file_is_no_consent(tmp_path) -> None:
    path = tmp_path / "consent.json"
    path.write_text("{not json", "utf-8")
    assert not ConsentStore(path).granted()


def test_audio_is_not_written_without_record(tmp_path) -> None:
    with pytest.raises(ConsentRequired):
        AudioPolicy().check_write(tmp_path / "a.wav")
    AudioPolicy(record=True).check_write(tmp_path / "a.wav")


def test_only_scores_can_be_exported() -> None:
    assert emotion_frame(VoiceSignal(0.73456, 0.5)) == {"type": "emotion", "distress": 0.7346, "confidence": 0.5}
    with pytest.raises(TypeError):
        emotion_frame(b"\x00\x01" * 100)  # type: ignore[arg-type]
