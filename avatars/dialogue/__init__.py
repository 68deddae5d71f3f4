"""The advisor's dialogue: which line to say for a market situation, learner state, mode and language.

``policy`` picks lines from the content catalogue (``lines/*.toml``), ``react`` turns market events
into at most one line every few seconds, and ``ab`` assigns the script style of the A/B test and logs
what was shown and what the learner did next.
"""

from vbranch.avatars.dialogue.ab import ExperimentLog, assign_variant
from vbranch.avatars.dialogue.policy import (
    AdvisorLine,
    LearnerKind,
    LearnerState,
    Mode,
    Situation,
    Style,
    choose_line,
)
from vbranch.avatars.dialogue.react import Advisor, situation_for

__all__ = [
    "AdvisorLine", "LearnerKind", "LearnerState", "Mode", "Situation", "Style", "choose_line",
    "ExperimentLog", "assign_variant", "Advisor", "situation_for",
]
