"""A seconds-long training smoke run on 16 clips, then the checkpoint through ``EmotionModel`` and the CLI."""

import argparse
import json

import numpy as np
import pytest
import torch

from vbranch.emotion.audio.dataset import list_corpus, load_features
from vbranch.emotion.audio.features import load_audio
from vbranch.emotion.audio.infer import EmotionModel
from vbranch.emotion.audio.train import TrainConfig, fit, save_checkpoint
from vbranch.world import cli_emotion

CFG = TrainConfig(max_epochs=2, batch_size=8, variants=("clean",), threads=1)


@pytest.fixture(scope="module")
def tiny(ravdess_dir):
    utts = [u for u in list_corpus(ravdess_dir, actors=[1, 2, 3]) if u.statement == 1 and u.repetition == 1]
    utts = [u for u in utts if u.intensity == 2 or u.label == "neutral"]
    train = [u for u in utts if u.actor in (1, 2)]
    val = [u for u in utts if u.actor == 3]
    assert len(train) == 16 and len(val) == 8
    feats = load_features(train + val, ("clean",), workers=1, show=False)["clean"]
    return train, {"clean": feats[:16]}, val, feats[16:]


def test_fit_is_seeded_and_keeps_the_best_validation_epoch(tiny):
    train, tr_f, val, va_f = tiny
    a = fit(train, tr_f, val, va_f, CFG, show=False)
    b = fit(train, tr_f, val, va_f, CFG, show=False)
    assert a.best_epoch in (1, 2) and len(a.history) == 2 and "val_uar" in a.history[0]
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values(), strict=True):
        assert torch.equal(va, vb), k


def test_checkpoint_roundtrip_and_cli_eval(tiny, tmp_path, ravdess_dir, capsys):
    train, tr_f, val, va_f = tiny
    r = fit(train, tr_f, val, va_f, CFG, show=False)
    ck = tmp_path / "tiny.pt"
    save_checkpoint(ck, [r.model, r.model], {"note": "smoke"})
    m = EmotionModel.load(ck)
    assert len(m.nets) == 2 and m.meta["note"] == "smoke"
    assert len(EmotionModel.load(ck, n_nets=1).nets) == 1
    y = np.zeros(16000, np.float32)
    assert abs(sum(m.predict(y, 16000).values()) - 1) < 1e-5

    folder = tmp_path / "corpus"
    folder.mkdir()
    for u in val:  # symlinks: the audio is read from the shared folder, never copied
        (folder / u.path.name).symlink_to(u.path)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    cli_emotion.register(sub)
    assert cli_emotion.emotion_subparsers(sub) is cli_emotion.emotion_subparsers(sub)
    args = parser.parse_args(["emotion", "eval", "--corpus", str(folder), "--model", str(ck), "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 8 and len(out["confusion"]) == 8 and sum(map(sum, out["confusion"])) == 8
    assert out["binary_n"] == 5  # neutral, calm, sad, angry, fearful
    for key in ("accuracy", "uar", "binary_accuracy", "ms_per_audio_second", "per_class_recall"):
        assert key in out
    assert 0 < out["ms_per_audio_second"] < 100

    args = parser.parse_args(["emotion", "stream", "--file", str(val[0].path), "--model", str(ck)])
    assert args.func(args) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    dur_s = len(load_audio(val[0].path)) / 16000
    assert len(lines) == int((dur_s - 1.0) / 0.5) + 1
    assert {x["state"] for x in lines} <= {"CALM", "ANXIOUS"} and any(x["speech"] for x in lines)

    recording = tmp_path / "heard.wav"  # --record keeps what was heard; without it nothing is written
    args = parser.parse_args(["emotion", "stream", "--file", str(val[0].path), "--model", str(ck),
                              "--record", str(recording)])
    assert args.func(args) == 0
    assert len(load_audio(recording)) == len(load_audio(val[0].path))


def test_refit_ships_nets_trained_on_every_actor_for_the_chosen_epochs(tiny, tmp_path):
    from dataclasses import replace

    from vbranch.emotion.audio.recipe import train_corpus

    train, tr_f, val, va_f = tiny
    folder = tmp_path / "corpus"
    folder.mkdir()
    for u in train + val:
        (folder / u.path.name).symlink_to(u.path)
    everyone = list_corpus(folder)
    load_features(everyone, ("clean",), workers=1, show=False)  # cached (float16) first, as both runs read it
    report = train_corpus(folder, tmp_path / "m.pt", val_actors=(3,), seeds=(0,), cfg=CFG, workers=1,
                          show=False, refit=True)
    epochs = report["best_epochs"][0]
    assert report["refit"]["actors"] == [1, 2, 3] and report["refit"]["n"] == 24
    assert report["refit"]["epochs"] == epochs

    feats = load_features(everyone, ("clean",), workers=1, show=False)
    again = fit(everyone, feats, cfg=replace(CFG, seed=0, max_epochs=epochs), show=False).model
    shipped = EmotionModel.load(tmp_path / "m.pt").nets[0]
    early = fit(train, tr_f, val, va_f, CFG, show=False).model
    assert all(torch.allclose(a.float(), b.float(), rtol=1e-3, atol=1e-5)  # float16 in the checkpoint
               for a, b in zip(shipped.state_dict().values(), again.state_dict().values(), strict=True))
    assert not all(torch.allclose(a.float(), b.float(), rtol=1e-3, atol=1e-5)
                   for a, b in zip(shipped.state_dict().values(), early.state_dict().values(), strict=True))
