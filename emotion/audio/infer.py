"""``EmotionModel``: load the shipped (or any) checkpoint and score audio.

``predict`` returns a probability per RAVDESS emotion; ``distress_p`` is P(sad) + P(angry) + P(fearful),
i.e. the mass the model puts on distress emotions, not a ratio against calm, so happy or surprised speech
does not push it up. Only these scores ever leave the device (see ARCHITECTURE.md); audio never does.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import numpy as np

from vbranch.emotion.audio import EMOTIONS
from vbranch.emotion.audio.evaluate import DISTRESS_IDX

__all__ = ["EmotionModel", "default_model_path"]

log = logging.getLogger(__name__)


def default_model_path() -> Path:
    """``assets/emotion/model.pt`` inside the installed package."""
    return Path(str(resources.files("vbranch.assets").joinpath("emotion", "model.pt")))


class EmotionModel:
    """An ensemble of ``EmotionNet``s plus the feature settings they were trained with."""

    def __init__(self, nets: list, feature_cfg, meta: dict | None = None, path: Path | None = None) -> None:
        self.nets = nets
        self.feature_cfg = feature_cfg
        self.meta = meta or {}
        self.path = path

    @property
    def sr_hz(self) -> int:
        return self.feature_cfg.sr_hz

    @classmethod
    def load(cls, path: str | Path | None = None, n_nets: int | None = None) -> EmotionModel:
        """Load a checkpoint written by ``train.save_checkpoint``; ``None`` loads the shipped model.

        ``n_nets`` keeps only the first nets of the ensemble: cheaper (each net is ~1.2 ms per 1 s window on
        one core) and a little less accurate; streaming, which scores every 0.5 s, may want 1.

        Raises:
            OSError: the file is missing.
            ValueError: it was made with another feature version (its features would not match).
        """
        import torch

        from vbranch.emotion.audio.features import FEATURE_VERSION, FeatureConfig
        from vbranch.emotion.audio.model import EmotionNet, NetConfig

        p = Path(path) if path is not None else default_model_path()
        if not p.is_file():
            raise OSError(f"emotion model not found: {p} (train one with `vbranch emotion train`)")
        ck = torch.load(p, map_location="cpu", weights_only=True)
        if ck.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"{p} uses feature version {ck.get('feature_version')}, this code {FEATURE_VERSION}")
        if list(ck["classes"]) != list(EMOTIONS):
            raise ValueError(f"{p} has classes {ck['classes']}, expected {list(EMOTIONS)}")
        net_cfg = NetConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in ck["net_cfg"].items()})
        nets = []
        for state in ck["states"][: n_nets or None]:
            net = EmotionNet(net_cfg)
            net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
            nets.append(net.eval())
        log.info("loaded emotion model %s (%d nets)", p, len(nets))
        return cls(nets, FeatureConfig(**ck["feature_cfg"]), ck.get("meta", {}), p)

    def predict_array(self, y: np.ndarray, trim: bool = True) -> np.ndarray:
        """Probabilities (8,) for mono float audio already at ``sr_hz``."""
        import torch

        from vbranch.emotion.audio.features import extract

        f = extract(y, self.feature_cfg, trim=trim)
        x = torch.from_numpy(f.frames)[None]
        u = torch.from_numpy(f.utt)[None]
        with torch.inference_mode():
            p = sum(torch.softmax(n(x, u), dim=1) for n in self.nets) / len(self.nets)
        return p[0].numpy().astype(np.float64)

    def _resample(self, audio: np.ndarray, sr: int) -> np.ndarray:
        y = np.asarray(audio, dtype=np.float32)
        if y.ndim == 2:
            y = y.mean(axis=1) if y.shape[1] <= 8 else y.mean(axis=0)
        if sr != self.sr_hz:
            import librosa

            y = librosa.resample(y, orig_sr=sr, target_sr=self.sr_hz)
        return y

    def predict(self, audio: np.ndarray, sr: int) -> dict[str, float]:
        """``{emotion: probability}`` for one utterance (any rate; resampled to 16 kHz)."""
        p = self.predict_array(self._resample(audio, sr))
        return dict(zip(EMOTIONS, (float(v) for v in p), strict=True))

    def distress_p(self, audio: np.ndarray, sr: int) -> float:
        """P(sad) + P(angry) + P(fearful) for one utterance."""
        return float(self.predict_array(self._resample(audio, sr))[list(DISTRESS_IDX)].sum())
