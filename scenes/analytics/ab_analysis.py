"""The advisor script-style A/B test, analysed: did empathetic lines lead to more protective actions?

Unit of analysis: one *exposure*, a shown advisor line and the learner's next action before the next
line (what ``ExperimentLog`` pairs up). The binary outcome is whether that action was protective (an
order with a stop-loss, or taking the cooling-off: cancel or breathe); the continuous outcome is the
reaction delay in seconds. Several exposures of one learner are correlated, so the delay CI resamples
whole learners; the two-proportion test treats exposures as independent, which the report says.
Control ("a") is the standard style, treatment ("b") the empathetic one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from vbranch.scenes.analytics.statement import VERB_ACTED, VERB_SHOWN, Statement
from vbranch.scenes.analytics.stats import MeanComparison, ProportionComparison, compare_means, compare_proportions

__all__ = ["CONTROL", "TREATMENT", "Exposure", "ABResult", "is_protective", "exposures", "compare_styles"]

CONTROL = "standard"
TREATMENT = "empathetic"
PROTECTIVE_ACTIONS = frozenset({"cooling_off.cancel", "cooling_off.breathe"})


@dataclass(frozen=True)
class Exposure:
    """``action`` is None when the learner did nothing before the next line (or the log ended)."""

    learner_id: str
    variant: str
    line: str
    action: str | None
    detail: Mapping
    latency_s: float | None


def is_protective(action: str | None, detail: Mapping) -> bool:
    """An order placed with a stop-loss attached, or a cooling-off taken rather than overridden."""
    if action is None:
        return False
    name = action.removeprefix("action/")
    return name in PROTECTIVE_ACTIONS or (name == "order" and bool(detail.get("stop_loss_pct")))


def exposures(statements: Iterable[Statement]) -> list[Exposure]:
    """Pair each ``shown`` line with the same learner's next ``acted`` statement (statements in time order)."""
    open_: dict[str, Statement] = {}
    out: list[Exposure] = []

    def close(shown: Statement, acted: Statement | None) -> None:
        latency = None
        if acted is not None:
            latency = acted.result.get("latency_s")
            if latency is None:  # no sim clock in the log: fall back to wall-clock seconds
                latency = acted.ts_s - shown.ts_s
        out.append(Exposure(shown.learner_id, str(shown.context.get("variant")),
                            shown.object_id.removeprefix("advisor-line/"),
                            None if acted is None else acted.object_id.removeprefix("action/"),
                            {} if acted is None else dict(acted.result), latency))

    for s in sorted(statements, key=lambda s: s.ts_s):
        if s.verb == VERB_SHOWN:
            if s.learner_id in open_:
                close(open_[s.learner_id], None)
            open_[s.learner_id] = s
        elif s.verb == VERB_ACTED and s.learner_id in open_:
            close(open_.pop(s.learner_id), s)
    for shown in open_.values():
        close(shown, None)
    return out


@dataclass(frozen=True)
class ABResult:
    """Protective-action rate by style (with CIs, z-test) and reaction delay by style (bootstrap CI, Welch)."""

    protective: ProportionComparison
    latency_s: MeanComparison
    learners_a: int
    learners_b: int


def compare_styles(statements: Iterable[Statement], *,
                   outcome: Callable[[str | None, Mapping], bool] = is_protective, confidence: float = 0.95,
                   n_boot: int = 2000, seed: int = 0) -> ABResult:
    """Compare the standard (a) and empathetic (b) advisor styles over every exposure in ``statements``."""
    pairs = exposures(statements)
    arms = {v: [e for e in pairs if e.variant == v] for v in (CONTROL, TREATMENT)}
    hits = {v: sum(outcome(e.action, e.detail) for e in arms[v]) for v in arms}
    protective = compare_proportions(hits[CONTROL], len(arms[CONTROL]), hits[TREATMENT], len(arms[TREATMENT]),
                                     confidence)
    timed = {v: [e for e in arms[v] if e.latency_s is not None] for v in arms}
    latency = compare_means([e.latency_s for e in timed[CONTROL]], [e.latency_s for e in timed[TREATMENT]],
                            groups_a=[e.learner_id for e in timed[CONTROL]],
                            groups_b=[e.learner_id for e in timed[TREATMENT]],
                            n_boot=n_boot, confidence=confidence, seed=seed)
    return ABResult(protective, latency, len({e.learner_id for e in arms[CONTROL]}),
                    len({e.learner_id for e in arms[TREATMENT]}))
