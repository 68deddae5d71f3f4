"""Training: seeded, augmented, early-stopped on speaker-held-out validation; ensembles; speaker-grouped CV.

Augmentation, and why: speed perturbation (0.9/1.1: tempo and pitch), additive noise and vocal-tract
length perturbation (VTLP 0.9/1.1: timbre moves, pitch does not) are cached as extra feature variants because
they must happen on the waveform or spectrum; random crops, SpecAugment-style time
and channel masks and mixup happen on features every step because they are free there. Gain needs no
augmentation: frame features are CMVN-normalised and the utterance vector is gain-invariant.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from vbranch.emotion.audio import EMOTIONS
from vbranch.emotion.audio.dataset import Utterance
from vbranch.emotion.audio.evaluate import classification_metrics
from vbranch.emotion.audio.features import FEATURE_VERSION, FeatureConfig, Features, frame_channels
from vbranch.emotion.audio.model import EmotionNet, NetConfig
from vbranch.emotion.audio.progress import Progress

__all__ = ["TrainConfig", "FitResult", "fit", "predict_features", "pad_batch", "save_checkpoint"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    max_epochs: int = 60
    patience_epochs: int = 20
    # No selection or stopping before this epoch: with a one-cycle LR the net improves most while the
    # rate anneals, and 2-speaker validation is noisy enough that an early lucky epoch would otherwise win.
    min_epochs: int = 30
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-2
    label_smoothing: float = 0.05
    mixup_alpha: float = 0.2
    crop_min_frames: int = 90  # random crop length per batch: 0.9 s (stream windows) ...
    crop_max_frames: int = 200  # ... to 2 s (most trimmed utterances)
    time_masks: int = 2
    time_mask_frames: int = 12
    channel_masks: int = 2
    channel_mask_width: int = 10
    threads: int = 2
    variants: tuple[str, ...] = ("clean", "speed0.9", "speed1.1", "noise", "vtlp0.9", "vtlp1.1")


@dataclass
class FitResult:
    model: EmotionNet
    best_epoch: int
    best_val_uar: float
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def pad_batch(frames: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-pad (zero = the utterance mean after CMVN) to the longest; return (B, C, T) and a (B, T) mask."""
    t_max = max(f.shape[1] for f in frames)
    out = np.zeros((len(frames), frames[0].shape[0], t_max), np.float32)
    mask = np.zeros((len(frames), t_max), bool)
    for i, f in enumerate(frames):
        out[i, :, : f.shape[1]] = f
        mask[i, : f.shape[1]] = True
    return torch.from_numpy(out), torch.from_numpy(mask)


def _crop(f: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if f.shape[1] <= n:
        return f
    s = int(rng.integers(0, f.shape[1] - n + 1))
    return f[:, s : s + n]


def _spec_augment(x: torch.Tensor, cfg: TrainConfig, rng: np.random.Generator) -> torch.Tensor:
    x = x.clone()
    b, c, t = x.shape
    for i in range(b):
        for _ in range(cfg.time_masks):
            w = int(rng.integers(0, cfg.time_mask_frames + 1))
            s = int(rng.integers(0, max(1, t - w)))
            x[i, :, s : s + w] = 0.0
        for _ in range(cfg.channel_masks):
            w = int(rng.integers(0, cfg.channel_mask_width + 1))
            s = int(rng.integers(0, max(1, c - w)))
            x[i, s : s + w, :] = 0.0
    return x


@torch.inference_mode()
def predict_features(models: Sequence[EmotionNet], feats: Sequence[Features], batch_size: int = 64) -> np.ndarray:
    """Mean softmax of an ensemble over full-length utterances; (N, 8)."""
    out = []
    for m in models:
        m.eval()
    for i in range(0, len(feats), batch_size):
        chunk = feats[i : i + batch_size]
        x, mask = pad_batch([f.frames for f in chunk])
        u = torch.from_numpy(np.stack([f.utt for f in chunk]))
        p = sum(torch.softmax(m(x, u, mask), dim=1) for m in models) / len(models)
        out.append(p.numpy())
    return np.concatenate(out) if out else np.zeros((0, len(EMOTIONS)), np.float32)


def fit(
    train: Sequence[Utterance],
    train_feats: dict[str, list[Features]],
    val: Sequence[Utterance] = (),
    val_feats: Sequence[Features] = (),
    cfg: TrainConfig = TrainConfig(),
    net_cfg: NetConfig | None = None,
    show: bool = True,
    desc: str = "train",
) -> FitResult:
    """Train one net. With a validation set: keep the best-UAR epoch, stop after ``patience_epochs`` without
    improvement. Without one: train exactly ``max_epochs`` (used by cross-validation, so no test speaker is
    ever used for stopping).
    """
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    torch.set_num_threads(cfg.threads)
    t0 = time.monotonic()
    clean = train_feats["clean"]
    if net_cfg is None:
        net_cfg = NetConfig(in_channels=clean[0].frames.shape[0], utt_dim=clean[0].utt.shape[0])
    model = EmotionNet(net_cfg)
    utt_all = np.stack([f.utt for v in cfg.variants for f in train_feats[v]])
    model.utt_mean.copy_(torch.from_numpy(utt_all.mean(0)))
    model.utt_std.copy_(torch.from_numpy(utt_all.std(0) + 1e-3))
    y = np.array([u.emotion for u in train])
    counts = np.bincount(y, minlength=net_cfg.n_classes).astype(np.float32)
    class_w = torch.from_numpy(counts.sum() / (len(counts) * np.maximum(counts, 1)))
    loss_fn = nn.CrossEntropyLoss(weight=class_w, label_smoothing=cfg.label_smoothing)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(train) / cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=cfg.lr, total_steps=cfg.max_epochs * steps_per_epoch, pct_start=0.15
    )
    best = (-1.0, 0, None)
    history: list[dict] = []
    bar = Progress(cfg.max_epochs, desc, show)
    for epoch in range(1, cfg.max_epochs + 1):
        model.train()
        order = rng.permutation(len(train))
        total = 0.0
        for s in range(0, len(order), cfg.batch_size):
            idx = order[s : s + cfg.batch_size]
            if len(idx) < 2:
                continue
            var = rng.integers(0, len(cfg.variants), len(idx))
            fs = [train_feats[cfg.variants[v]][i] for i, v in zip(idx, var, strict=True)]
            n_crop = int(rng.integers(cfg.crop_min_frames, cfg.crop_max_frames + 1))
            x, mask = pad_batch([_crop(f.frames, n_crop, rng) for f in fs])
            x = _spec_augment(x, cfg, rng)
            u = torch.from_numpy(np.stack([f.utt for f in fs]))
            yt = torch.from_numpy(y[idx])
            if cfg.mixup_alpha > 0:
                lam = float(rng.beta(cfg.mixup_alpha, cfg.mixup_alpha))
                perm = torch.from_numpy(rng.permutation(len(idx)))
                x = lam * x + (1 - lam) * x[perm]
                u = lam * u + (1 - lam) * u[perm]
                mask = mask | mask[perm]
                logits = model(x, u, mask)
                loss = lam * loss_fn(logits, yt) + (1 - lam) * loss_fn(logits, yt[perm])
            else:
                loss = loss_fn(model(x, u, mask), yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        rec = {"epoch": epoch, "train_loss": total / len(train)}
        if val:
            probs = predict_features([model], val_feats)
            m = classification_metrics(np.array([u.emotion for u in val]), probs)
            rec.update(val_uar=m["uar"], val_accuracy=m["accuracy"], val_binary=m["binary_accuracy"])
            if epoch >= min(cfg.min_epochs, cfg.max_epochs) and m["uar"] > best[0]:
                best = (m["uar"], epoch, {k: v.detach().clone() for k, v in model.state_dict().items()})
        history.append(rec)
        note = f"loss {rec['train_loss']:.3f}" + (f" val uar {rec['val_uar']:.3f} best {best[0]:.3f}" if val else "")
        bar.update(note=note)
        log.info("%s epoch %d %s", desc, epoch, note)
        if val and best[1] and epoch - best[1] >= cfg.patience_epochs:
            break
    bar.close()
    if val and best[2] is not None:
        model.load_state_dict(best[2])
    model.eval()
    return FitResult(model, best[1] if val else cfg.max_epochs, best[0], history, time.monotonic() - t0)


def save_checkpoint(path, models: Sequence[EmotionNet], meta: dict, feature_cfg: FeatureConfig | None = None) -> None:
    """Ensemble checkpoint: float16 weights (halves the file; accuracy unchanged) + configs + metadata."""
    feature_cfg = feature_cfg if feature_cfg is not None else FeatureConfig()
    states = [{k: (v.half() if v.is_floating_point() else v) for k, v in m.state_dict().items()} for m in models]
    torch.save(
        {
            "format": 1,
            "feature_version": FEATURE_VERSION,
            "feature_cfg": asdict(feature_cfg),
            "net_cfg": asdict(models[0].cfg),
            "classes": list(EMOTIONS),
            "states": states,
            "meta": meta,
        },
        path,
    )
    assert frame_channels(feature_cfg) == models[0].cfg.in_channels
