"""``vbranch say`` writes a playable WAV and a viseme JSON that spans it."""

import argparse
import json

import pytest
import soundfile as sf

from vbranch.world import cli_voice


def run_say(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vbranch")
    cli_voice.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["say", *argv])
    return args.func(args)


@pytest.mark.parametrize("lang, text", [("zh", "你好，市场下跌了。"), ("en", "The market fell today.")])
def test_say_writes_the_wav_and_the_visemes(tmp_path, monkeypatch, capsys, lang, text):
    monkeypatch.setenv("VBRANCH_CACHE", str(tmp_path / "cache"))
    wav, vis = tmp_path / "a.wav", tmp_path / "v.json"
    assert run_say(text, "--lang", lang, "--offline", "--out", str(wav), "--visemes", str(vis)) == 0
    audio, sample_rate_hz = sf.read(wav)
    duration_s = len(audio) / sample_rate_hz
    assert sample_rate_hz == 22050 and duration_s > 0.8
    rows = json.loads(vis.read_text("utf-8"))
    assert set(rows[0]) == {"start_s", "end_s", "openness", "shape"}
    assert rows[0]["start_s"] == 0.0 and rows[-1]["end_s"] == pytest.approx(duration_s, abs=1e-3)
    assert all(0.0 <= r["openness"] <= 1.0 for r in rows)
    out = capsys.readouterr().out
    assert "espeak-ng" in out and f"{duration_s:.2f}" in out


def test_say_elder_is_slower_and_a_repeat_comes_from_the_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VBRANCH_CACHE", str(tmp_path / "cache"))
    normal, elder = tmp_path / "n.wav", tmp_path / "e.wav"
    run_say("Hold on.", "--lang", "en", "--offline", "--out", str(normal))
    run_say("Hold on.", "--lang", "en", "--offline", "--elder", "--out", str(elder))
    assert sf.info(elder).duration >= 1.25 * sf.info(normal).duration
    capsys.readouterr()
    run_say("Hold on.", "--lang", "en", "--offline", "--out", str(normal))
    assert "(from the cache)" in capsys.readouterr().out
    assert len(list((tmp_path / "cache" / "voice").glob("*.npz"))) == 2
