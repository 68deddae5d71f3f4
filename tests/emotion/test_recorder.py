import numpy as np
import pytest
import soundfile

from vbranch.emotion.audio.recorder import AudioRecorder, recording_path
from vbranch.emotion.consent import AudioPolicy, ConsentRequired


def test_without_record_no_file_is_created(tmp_path):
    with pytest.raises(ConsentRequired):
        AudioRecorder(tmp_path / "a.wav", 16000, AudioPolicy())
    assert not (tmp_path / "a.wav").exists()


def test_blocks_are_written_in_order_as_16_bit_pcm(tmp_path):
    tone = np.sin(np.linspace(0, 200 * np.pi, 32000)).astype(np.float32) * 0.5
    rec = AudioRecorder(tmp_path / "a.wav", 16000, AudioPolicy(record=True))
    for block in np.split(tone, 20):
        rec.write(block)
    rec.close()
    heard, sr = soundfile.read(tmp_path / "a.wav", dtype="float32")
    assert sr == 16000 and heard.shape == tone.shape
    assert np.max(np.abs(heard - tone)) < 1e-3  # 16-bit PCM
    assert rec.samples == 32000


def test_recording_names_never_overwrite(tmp_path):
    first = recording_path(tmp_path, now=0.0)
    first.write_bytes(b"x")
    second = recording_path(tmp_path, now=0.0)
    assert first != second and second.name.endswith("-2.wav")
