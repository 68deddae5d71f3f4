import numpy as np

from vbranch.emotion.audio import EMOTIONS
from vbranch.emotion.audio.evaluate import binary_from_probs, classification_metrics


def _onehot(idx, k=8):
    p = np.full((len(idx), k), 0.01)
    p[np.arange(len(idx)), idx] = 0.93
    return p


def test_metrics_by_hand():
    # true: neutral, calm, sad, angry, happy, happy ; predicted: neutral, sad, sad, angry, happy, surprised
    y = np.array([0, 1, 3, 4, 2, 2])
    m = classification_metrics(y, _onehot([0, 3, 3, 4, 2, 7]))
    assert m["n"] == 6 and abs(m["accuracy"] - 4 / 6) < 1e-9
    # recalls: neutral 1, calm 0, happy 0.5, sad 1, angry 1 (others absent) -> mean 0.7
    assert abs(m["uar"] - 0.7) < 1e-9
    assert m["per_class_recall"]["fearful"] is None
    # binary only on neutral, calm, sad, angry: calm->sad is the one error
    assert m["binary_n"] == 4 and m["binary_accuracy"] == 0.75
    assert m["calm_recall"] == 0.5 and m["distress_recall"] == 1.0
    assert np.array(m["confusion"]).sum() == 6 and m["confusion"][1][3] == 1
    assert m["labels"] == list(EMOTIONS)


def test_binary_sums_the_groups_not_the_argmax():
    # argmax is "calm" (0.3) but sad + angry + fearful = 0.54 > neutral + calm = 0.4
    p = np.array([[0.1, 0.3, 0.0, 0.18, 0.18, 0.18, 0.03, 0.03]])
    assert binary_from_probs(p)[0]
    m = classification_metrics(np.array([1]), p)
    assert m["accuracy"] == 1.0 and m["binary_accuracy"] == 0.0
