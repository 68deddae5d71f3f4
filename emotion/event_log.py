"""An append-only JSON-lines log of the emotion engine's decisions, one xAPI-style statement a line.

Every intervention (an order held, a breathing exercise offered, an order executed or dropped) must be
explainable afterwards to the learner, a teacher or an auditor, so each is written as
``{actor, verb, object, result, t_s}``. Only decisions and scores are logged: never audio.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Statement", "EventLog"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Statement:
    """``actor`` the learner id, ``verb`` what happened (held, offered, executed…), ``object`` what it was about."""

    actor: str
    verb: str
    object: dict
    t_s: float
    result: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


class EventLog:
    """Keeps statements in memory and, given a path, appends each as one JSON line."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.statements: list[Statement] = []

    def record(self, actor: str, verb: str, obj: dict, t_s: float, **result: object) -> Statement:
        statement = Statement(actor, verb, dict(obj), float(t_s), dict(result))
        self.statements.append(statement)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(statement.to_json() + "\n")
        log.info("%s %s %s at %.1fs %s", actor, verb, obj.get("type", "?"), t_s, result or "")
        return statement

    @staticmethod
    def read(path: Path | str) -> list[Statement]:
        """Load a log written by ``record``."""
        lines = Path(path).read_text("utf-8").splitlines()
        return [Statement(**json.loads(line)) for line in lines if line.strip()]
