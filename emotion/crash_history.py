"""Past crashes and what came after: the historical context the advisor shows during a cooling-off.

A learner about to sell everything at the bottom is helped by facts, not slogans: "in 2008 the S&P 500
fell 46% over 3 months; it then regained a third of the fall within the window". The numbers come from
the real data files when present (``measure_episode``) and from each replay scenario's calibrated twin
shape otherwise, and say which.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from vbranch.market_sim.history import HistoryError
from vbranch.market_sim.twin import EPISODES, EpisodeShape, load_episode, measure_episode
from vbranch.scenes.catalogue import text

__all__ = ["PastDrawdown", "past_drawdowns", "context_lines"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PastDrawdown:
    """One episode's fall and recovery; ``source`` is "real" (data file) or "twin" (calibrated shape)."""

    episode_id: str
    title_zh: str
    title_en: str
    depth_pct: float
    duration_days: int
    recovery_pct: float
    days_after: int
    source: str


def _twin_shapes() -> dict[str, EpisodeShape]:
    from vbranch.scenes.scenario import list_scenarios

    shapes = {}
    for scenario in list_scenarios():
        if scenario.kind == "replay":
            twin = {k: v for k, v in scenario.raw["twin"].items() if k != "start_price"}
            shapes[scenario.raw["replay"]["episode"]] = EpisodeShape.from_dict(twin)
    return shapes


def past_drawdowns(data_directory: Path | None = None, prefer_twin: bool = False) -> tuple[PastDrawdown, ...]:
    """Every known episode (``market_sim.twin.EPISODES``) with its measured or calibrated shape."""
    twins = _twin_shapes()
    out = []
    for episode_id, ep in EPISODES.items():
        shape, source = None, "twin"
        if not prefer_twin:
            try:
                bars = load_episode(episode_id, data_directory)
            except HistoryError as exc:
                log.warning("crash history: %s data unusable (%s); using its twin shape", episode_id, exc)
                bars = None
            if bars is not None:
                shape, source = measure_episode(bars), "real"
        shape = shape or twins.get(episode_id)
        if shape is None:
            log.info("crash history: no data and no twin for %s, skipped", episode_id)
            continue
        out.append(PastDrawdown(episode_id, ep.title_zh, ep.title_en, round(shape.depth_pct, 1), shape.duration_days,
                                round(shape.recovery_pct, 1), shape.days_after, source))
    return tuple(out)


def context_lines(drawdowns: tuple[PastDrawdown, ...], lang: str = "en") -> list[str]:
    """One catalogue line per episode for the advisor's panel."""
    return [
        text("cooling_off.context", lang, title=d.title_zh if lang == "zh" else d.title_en, depth_pct=d.depth_pct,
             duration_days=d.duration_days, recovery_pct=d.recovery_pct, days_after=d.days_after)
        for d in drawdowns
    ]
