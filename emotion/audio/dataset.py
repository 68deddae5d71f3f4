"""RAVDESS file naming, corpus listing and speaker-grouped splits.

Emotion models on acted corpora look far better on speaker-mixed splits than on new voices, so every
split here is by actor: a speaker is never in both the data we fit or tune on and the data we score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vbranch.emotion.audio import EMOTIONS

__all__ = [
    "Utterance",
    "parse_name",
    "list_corpus",
    "split_by_actor",
    "actor_folds",
    "load_features",
    "AUDIO_SUFFIXES",
]

AUDIO_SUFFIXES: tuple[str, ...] = (".wav", ".flac")
_NAME = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Utterance:
    """One RAVDESS clip: where it is and what its name says."""

    path: Path
    emotion: int  # index into EMOTIONS (file code - 1)
    intensity: int  # 1 normal, 2 strong
    statement: int
    repetition: int
    actor: int  # 1..24; odd male, even female

    @property
    def label(self) -> str:
        return EMOTIONS[self.emotion]

    @property
    def is_female(self) -> bool:
        return self.actor % 2 == 0


def parse_name(path: str | Path) -> Utterance:
    """Parse ``03-01-EE-II-SS-RR-AA.(wav|flac)``.

    Raises:
        ValueError: the name is not in RAVDESS form or the emotion code is out of range.
    """
    p = Path(path)
    m = _NAME.match(p.stem)
    if m is None:
        raise ValueError(f"not a RAVDESS file name: {p.name}")
    _, _, emo, inten, stmt, rep, actor = (int(g) for g in m.groups())
    if not 1 <= emo <= len(EMOTIONS):
        raise ValueError(f"emotion code {emo} out of range in {p.name}")
    return Utterance(p, emo - 1, inten, stmt, rep, actor)


def list_corpus(root: str | Path, actors: Iterable[int] | None = None) -> list[Utterance]:
    """All RAVDESS-named WAV/FLAC files under ``root`` (recursive), sorted by path.

    Files whose names do not parse are skipped silently (READMEs, stray audio). ``actors`` filters.
    """
    root = Path(root)
    if not root.is_dir():
        raise OSError(f"corpus folder not found: {root}")
    wanted = None if actors is None else set(actors)
    out = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() not in AUDIO_SUFFIXES or not p.is_file():
            continue
        try:
            u = parse_name(p)
        except ValueError:
            continue
        if wanted is None or u.actor in wanted:
            out.append(u)
    return out


def split_by_actor(utts: Sequence[Utterance], val_actors: Iterable[int]) -> tuple[list[Utterance], list[Utterance]]:
    """(train, val): every clip of a validation actor goes to val, the rest to train."""
    v = set(val_actors)
    return [u for u in utts if u.actor not in v], [u for u in utts if u.actor in v]


def actor_folds(actors: Sequence[int], k: int) -> list[list[int]]:
    """Split actor ids into ``k`` folds of near-equal size, with both sexes in every fold where possible.

    Men (odd ids) are dealt to folds 0, 1, ..., k-1 in turn and women (even ids) to folds k-1, ..., 0, so
    with 9 + 9 actors and k = 6 every fold holds 3 actors of both sexes.
    """
    ids = sorted(set(actors))
    folds: list[list[int]] = [[] for _ in range(k)]
    for i, a in enumerate(a for a in ids if a % 2 == 1):
        folds[i % k].append(a)
    for i, a in enumerate(a for a in ids if a % 2 == 0):
        folds[k - 1 - i % k].append(a)
    return [sorted(f) for f in folds]


def load_features(
    utts: Sequence[Utterance], variants: Sequence[str] = ("clean",), workers: int = 2, show: bool = True
) -> dict[str, list]:
    """Cached features for each utterance and variant: ``{variant: [Features, ...]}`` aligned with ``utts``.

    Uncached items are computed in ``workers`` processes (librosa releases little of the GIL).
    """
    from vbranch.emotion.audio.progress import Progress

    jobs = [(str(u.path), v) for v in variants for u in utts]
    bar = Progress(len(jobs), "features", show)
    if workers > 1 and len(jobs) > 32:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as ex:
            results = []
            for r in ex.map(_cached, jobs, chunksize=16):
                results.append(r)
                bar.update()
    else:
        results = []
        for j in jobs:
            results.append(_cached(j))
            bar.update()
    bar.close()
    n = len(utts)
    return {v: results[i * n : (i + 1) * n] for i, v in enumerate(variants)}


def _cached(job: tuple[str, str]):
    from vbranch.emotion.audio.features import cached_features

    return cached_features(job[0], job[1])
