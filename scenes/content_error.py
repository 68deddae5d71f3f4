"""The one error type for content files (scenarios, the branch layout, and later lessons and quests).

Content is written by people who don't read tracebacks, so every error names the file, the field
and the reason in one line: ``branch.toml: fixtures[3].pos: [30.0, 3.0] is outside room 'lobby'``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ContentError"]


class ContentError(ValueError):
    def __init__(self, path: Path | str, field: str, reason: str) -> None:
        super().__init__(f"{path}: {field}: {reason}")
        self.path, self.field, self.reason = str(path), field, reason
