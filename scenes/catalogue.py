"""The one zh/en catalogue of UI text.

Every string a learner sees comes from ``strings.toml`` beside this module, keyed by a dotted id
(``reject.insufficient_cash``). Code passes ids and parameters around, never sentences, so a teacher
switching the class to Chinese changes every panel, rejection and banner at once.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

__all__ = ["LANGS", "CatalogueError", "text", "keys"]

LANGS = ("zh", "en")


class CatalogueError(KeyError):
    """A missing key or language: a content bug, so it fails loudly in tests."""


@cache
def _entries() -> dict[str, dict[str, str]]:
    raw = tomllib.loads(resources.files("vbranch.scenes").joinpath("strings.toml").read_text("utf-8"))
    entries: dict[str, dict[str, str]] = {}

    def walk(prefix: str, node: dict) -> None:
        if set(node) == set(LANGS) and all(isinstance(v, str) for v in node.values()):
            entries[prefix] = node
            return
        for key, value in node.items():
            if not isinstance(value, dict):
                raise CatalogueError(f"strings.toml: {prefix}.{key}: expected a table with zh and en")
            walk(f"{prefix}.{key}" if prefix else key, value)

    walk("", raw)
    return entries


def keys() -> list[str]:
    return sorted(_entries())


def text(key: str, lang: str = "en", **params: object) -> str:
    """The UI text for ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``."""
    if lang not in LANGS:
        raise CatalogueError(f"unknown language {lang!r}: expected one of {LANGS}")
    try:
        template = _entries()[key][lang]
    except KeyError:
        raise CatalogueError(f"no catalogue entry {key!r}") from None
    return template.format(**params) if params else template
