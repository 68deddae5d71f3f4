import numpy as np
import pytest

from vbranch.emotion.audio import EMOTIONS
from vbranch.emotion.audio.features import load_audio
from vbranch.emotion.audio.infer import EmotionModel, default_model_path
from vbranch.emotion.audio.model import count_parameters


@pytest.fixture(scope="module")
def model():
    return EmotionModel.load()


def test_shipped_checkpoint_is_small_and_within_budget(model):
    assert default_model_path().stat().st_size < 5_000_000
    assert all(count_parameters(n) <= 1_000_000 for n in model.nets)
    assert model.meta["val_ensemble"]["n"] == 120  # stage 1 chose the epochs on actors 17-18 ...
    assert model.meta["refit"]["actors"] == list(range(1, 19))  # ... then the shipped nets heard all 18
    assert model.meta["refit"]["epochs"] == sorted(model.meta["best_epochs"])[1]


def test_predict_gives_a_distribution(model, clip):
    y = load_audio(clip(5, 17))
    p = model.predict(y, 16000)
    assert list(p) == list(EMOTIONS)
    assert abs(sum(p.values()) - 1.0) < 1e-5 and min(p.values()) >= 0.0
    assert 0.0 <= model.distress_p(y, 16000) <= 1.0


def test_resampled_input_gives_nearly_the_same_answer(model, clip):
    import librosa

    y = load_audio(clip(4, 18))
    y48 = librosa.resample(y, orig_sr=16000, target_sr=48000)
    a = np.array(list(model.predict(y, 16000).values()))
    b = np.array(list(model.predict(y48, 48000).values()))
    assert np.abs(a - b).max() < 0.15


def test_distress_separates_angry_from_calm_through_noise(model, clip):
    """Strong angry vs calm clips, with white noise at 15 dB SNR: distress_p ranks them.

    The shipped nets heard every corpus speaker (the refit), so this checks the score's direction and its
    plumbing under noise, not generalisation: that is the speaker-grouped CV in the model card. Not every
    clip: we ask for an AUC, not a perfect order.
    """
    rng = np.random.default_rng(7)

    def noisy(y):
        noise = rng.standard_normal(len(y)).astype(np.float32)
        return y + noise * np.sqrt(np.mean(y**2) / np.mean(noise**2) / 10 ** 1.5)

    def scores(emotion):
        return np.array([
            model.distress_p(noisy(load_audio(clip(emotion, a, statement=s, repetition=r))), 16000)
            for a in (17, 18) for s in (1, 2) for r in (1, 2)
        ])

    angry, calm = scores(5), scores(2)
    auc = np.mean(angry[:, None] > calm[None, :])
    assert auc >= 0.85 and np.median(angry) > 0.5 > np.median(calm), (angry.round(2), calm.round(2))


def test_gain_does_not_change_the_answer(model, clip):
    y = load_audio(clip(6, 18))
    a = np.array(list(model.predict(y, 16000).values()))
    b = np.array(list(model.predict(0.1 * y, 16000).values()))
    assert np.abs(a - b).max() < 0.05


def test_missing_checkpoint_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        EmotionModel.load(tmp_path / "none.pt")
