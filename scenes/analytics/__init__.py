"""Learning analytics (投教-行为-结果): an xAPI-style event store, learning metrics and the advisor A/B analysis.

Engine-free: statements in, frozen numbers out. The report cards that draw these live in ``world``.
"""

from vbranch.scenes.analytics.ab_analysis import ABResult, Exposure, compare_styles, exposures, is_protective
from vbranch.scenes.analytics.metrics import (
    RISK_LESSONS,
    BehaviourChange,
    ClassChange,
    LearnerMetrics,
    LessonProgress,
    SessionTrace,
    behaviour_change,
    class_change,
    learner_metrics,
    lesson_progress,
    sessions,
)
from vbranch.scenes.analytics.record import lesson_statements, session_statements
from vbranch.scenes.analytics.statement import Statement, from_record
from vbranch.scenes.analytics.store import DEFAULT_FILENAME, ImportReport, LearningStore

__all__ = [
    "ABResult", "Exposure", "compare_styles", "exposures", "is_protective", "RISK_LESSONS", "BehaviourChange",
    "ClassChange", "LearnerMetrics", "LessonProgress", "SessionTrace", "behaviour_change", "class_change",
    "learner_metrics", "lesson_progress", "sessions", "lesson_statements", "session_statements", "Statement",
    "from_record", "DEFAULT_FILENAME", "ImportReport", "LearningStore",
]
