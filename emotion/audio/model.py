"""``EmotionNet``: a small 1D CNN over frame features with attentive statistics pooling.

Why 1D over time rather than a 2D image CNN: the frame vector already mixes spectral shape and prosody,
and a 1D network costs a tenth of a 2D one for the same receptive field, which leaves room for an ensemble
inside the 10 ms per audio second budget. Attentive pooling lets the net weight the emotional stretches
of an utterance (a stressed word) above the rest; the std half of the pooling carries variability, which
separates e.g. angry from calm. The utterance vector (pitch level, range, voicing rate) enters at the head.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["NetConfig", "EmotionNet", "count_parameters"]


@dataclass(frozen=True)
class NetConfig:
    in_channels: int = 118
    utt_dim: int = 65
    n_classes: int = 8
    width: int = 128
    dilations: tuple[int, ...] = (1, 2, 4)
    dropout: float = 0.3


class _Block(nn.Module):
    def __init__(self, w: int, dilation: int) -> None:
        super().__init__()
        self.c1 = nn.Conv1d(w, w, 3, padding=dilation, dilation=dilation, bias=False)
        self.b1 = nn.BatchNorm1d(w)
        self.c2 = nn.Conv1d(w, w, 3, padding=dilation, dilation=dilation, bias=False)
        self.b2 = nn.BatchNorm1d(w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.b1(self.c1(x)))
        return torch.relu(x + self.b2(self.c2(h)))


class EmotionNet(nn.Module):
    """Input ``frames`` (B, C, T), ``utt`` (B, D), optional ``mask`` (B, T) of valid frames; output logits."""

    def __init__(self, cfg: NetConfig = NetConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.stem = nn.Sequential(
            nn.Conv1d(cfg.in_channels, w, 5, stride=2, padding=2, bias=False), nn.BatchNorm1d(w), nn.ReLU()
        )
        self.blocks = nn.Sequential(*[_Block(w, d) for d in cfg.dilations])
        self.att = nn.Sequential(nn.Conv1d(w, 64, 1), nn.Tanh(), nn.Conv1d(64, 1, 1))
        # Utterance-vector normaliser: set from training data, saved with the weights.
        self.register_buffer("utt_mean", torch.zeros(cfg.utt_dim))
        self.register_buffer("utt_std", torch.ones(cfg.utt_dim))
        self.utt = nn.Sequential(nn.Linear(cfg.utt_dim, 64), nn.ReLU())
        self.head = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(2 * w + 64, 128),
            nn.ReLU(),
            nn.Dropout(cfg.dropout),
            nn.Linear(128, cfg.n_classes),
        )

    def forward(self, frames: torch.Tensor, utt: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        h = self.blocks(self.stem(frames))  # (B, W, T/2)
        a = self.att(h)  # (B, 1, T')
        if mask is not None:
            m = mask[:, ::2][:, : h.shape[-1]].unsqueeze(1)
            a = a.masked_fill(~m, -1e4)
        wts = torch.softmax(a, dim=-1)
        mu = (h * wts).sum(-1)
        sd = torch.sqrt(((h - mu.unsqueeze(-1)) ** 2 * wts).sum(-1).clamp_min(1e-5))
        u = self.utt((utt - self.utt_mean) / self.utt_std)
        return self.head(torch.cat([mu, sd, u], dim=1))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
