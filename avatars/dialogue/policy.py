"""What the advisor says: one line chosen for a market situation, a learner's state, a mode and a language.

The sentences are content (``lines/*.toml``), so a teacher or a copywriter edits them without touching
code; this module only picks. The pick falls back from specific to general (crash × anxious × elder →
crash × anxious → crash × elder → crash × any), so a new event needs only one general line per style to
work and can grow specific lines later. A learner state the emotion engine is unsure of (low confidence)
is treated as calm: the advisor should not tell a learner "you seem scared" on a coin flip.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from enum import StrEnum

from vbranch.avatars.dialogue.catalogue import Line, lines_for
from vbranch.emotion.signals import LearnerKind, LearnerState  # the emotion engine's own reading

__all__ = [
    "LearnerKind", "LearnerState", "Mode", "Style", "Situation", "AdvisorLine", "CONFIDENCE_FLOOR",
    "ELDER_RATE_FACTOR", "effective_kind", "choose_line",
]

log = logging.getLogger(__name__)

CONFIDENCE_FLOOR = 0.5
"""Below this confidence a detected anxious/greedy state is treated as calm."""

ELDER_RATE_FACTOR = 0.8
"""Speech rate in elder mode, relative to normal (TTS multiplies its rate by it); lines may go slower."""


class Mode(StrEnum):
    NORMAL = "normal"
    ELDER = "elder"


class Style(StrEnum):
    """The two script styles compared in the A/B test."""

    STANDARD = "standard"
    EMPATHETIC = "empathetic"


@dataclass(frozen=True)
class Situation:
    """Why the advisor speaks: an event kind from the catalogue plus the numbers its lines may quote.

    ``pct`` is a percentage (drop, drawdown, equity change), ``price`` in currency per share, ``qty`` in
    shares. Lines that quote a number the situation lacks are skipped in favour of ones that don't.
    """

    event_kind: str
    symbol: str | None = None
    pct: float | None = None
    price: float | None = None
    qty: int | None = None

    def values(self) -> dict[str, object]:
        raw = {"symbol": self.symbol, "pct": self.pct, "price": self.price, "qty": self.qty}
        return {k: v for k, v in raw.items() if v is not None}


@dataclass(frozen=True)
class AdvisorLine:
    """A line ready to speak and show. ``parts`` names its structure (acknowledge, context, next_step).

    ``rate_factor`` multiplies the TTS speaking rate; ``subtitled`` is always True in elder mode.
    """

    key: str
    text: str
    lang: str
    style: Style
    gesture: str | None
    rate_factor: float
    subtitled: bool
    parts: tuple[str, ...] = ()


def effective_kind(state: LearnerState, floor: float = CONFIDENCE_FLOOR) -> LearnerKind:
    """The state the policy acts on: the detected one if confident enough, else calm."""
    return LearnerKind(state.kind) if state.confidence >= floor else LearnerKind.CALM


def _fallback_levels(kind: LearnerKind, mode: Mode) -> list[tuple[str, str]]:
    levels = [(kind.value, mode.value), (kind.value, "any"), ("any", mode.value), ("any", "any")]
    return list(dict.fromkeys(levels))


def choose_line(
    situation: Situation,
    state: LearnerState,
    mode: Mode | str = Mode.NORMAL,
    lang: str = "zh",
    style: Style | str = Style.STANDARD,
    rng_or_seed: random.Random | int | None = 0,
) -> AdvisorLine:
    """Pick one line for ``situation``, most specific match first, at random among equals.

    Raises:
        KeyError: the catalogue has no line at all for ``situation.event_kind`` (a content bug; the
            loader guarantees every known event has a general line in both styles).
    """
    mode, style = Mode(mode), Style(style)
    rng = rng_or_seed if isinstance(rng_or_seed, random.Random) else random.Random(rng_or_seed)
    group = lines_for(situation.event_kind, style)
    if not group:
        raise KeyError(f"no advisor line for event {situation.event_kind!r} in style {style.value}")
    values = situation.values()
    kind = effective_kind(state)
    chosen: Line | None = None
    for state_key, mode_key in _fallback_levels(kind, mode):
        level = [ln for ln in group if ln.state == state_key and ln.mode == mode_key]
        usable = [ln for ln in level if ln.fields <= values.keys()]
        if usable:
            chosen = rng.choice(usable)
            break
    if chosen is None:  # every line needs a number we lack: say the general one with blanks
        chosen = next(ln for ln in group if ln.state == "any" and ln.mode == "any")
        log.warning("situation %s lacks numbers for every line; using %s with blanks", situation, chosen.key)
    elder = mode is Mode.ELDER
    rate = min(chosen.rate_factor, ELDER_RATE_FACTOR) if elder else chosen.rate_factor
    return AdvisorLine(
        key=chosen.key,
        text=chosen.render(lang, values),
        lang=lang,
        style=style,
        gesture=chosen.gesture,
        rate_factor=rate,
        subtitled=elder or chosen.subtitled,
        parts=chosen.parts,
    )
