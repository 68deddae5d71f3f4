"""A tiny stderr progress bar (tqdm is not a dependency): ``for x in progress(items, "features"): ...``."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress", "Progress"]

T = TypeVar("T")


class Progress:
    """Counts to ``total`` and redraws one stderr line at most 5 times a second; ``note`` adds a status text."""

    def __init__(self, total: int, desc: str, enabled: bool = True) -> None:
        self.total, self.desc, self.enabled = max(1, total), desc, enabled and sys.stderr is not None
        self.n, self.note, self._t0, self._last = 0, "", time.monotonic(), 0.0

    def update(self, k: int = 1, note: str | None = None) -> None:
        self.n += k
        if note is not None:
            self.note = note
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.2 or self.n >= self.total):
            self._last = now
            frac = min(1.0, self.n / self.total)
            bar = "#" * int(frac * 24)
            el = now - self._t0
            eta = el / frac - el if frac > 0 else 0.0
            sys.stderr.write(
                f"\r{self.desc} [{bar:<24}] {self.n}/{self.total} {el:5.0f}s eta {eta:4.0f}s {self.note}"[:160]
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def progress(items: Iterable[T], desc: str, total: int | None = None, enabled: bool = True) -> Iterator[T]:
    seq = list(items) if total is None else items
    bar = Progress(len(seq) if total is None else total, desc, enabled)  # type: ignore[arg-type]
    try:
        for x in seq:
            yield x
            bar.update()
    finally:
        bar.close()
