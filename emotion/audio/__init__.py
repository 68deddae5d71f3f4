"""Voice emotion from audio: librosa features, a small torch model, training, evaluation and streaming.

Public API (importing this package does not import torch or librosa; submodules do):

- ``vbranch.emotion.audio.dataset``: RAVDESS naming parser, corpus listing, speaker splits.
- ``vbranch.emotion.audio.features``: per-utterance features (log-mel, MFCC + deltas, pitch, energy,
  spectral, voicing) and the on-disk feature cache.
- ``vbranch.emotion.audio.model``: ``EmotionNet``, a 1D CNN with attentive statistics pooling.
- ``vbranch.emotion.audio.train`` / ``evaluate``: training with speaker-grouped early stopping; metrics.
- ``vbranch.emotion.audio.infer``: ``EmotionModel.load()`` -> ``predict(audio, sr)``, ``distress_p``.
- ``vbranch.emotion.audio.stream``: ``EmotionStream``, VAD + windows + EMA + hysteresis.
"""

__all__ = ["EMOTIONS", "DISTRESS", "CALM"]

#: The eight RAVDESS emotions in code order (code 01 -> index 0).
EMOTIONS: tuple[str, ...] = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
#: Emotions that count as distress for the binary task.
DISTRESS: tuple[str, ...] = ("sad", "angry", "fearful")
#: Emotions that count as calm for the binary task.
CALM: tuple[str, ...] = ("neutral", "calm")
