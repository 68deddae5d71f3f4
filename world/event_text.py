"""The HUD's one-line notice for an event of the learner's own account (a fill, a stop, a drawdown).

Kept out of the frame loop's module so the catalogue wording of events is one small, testable rule:
instrument names in the learner's language, the side translated, prices rounded to the cent.
"""

from __future__ import annotations

import logging

from vbranch.market_sim.events import DrawdownCrossed, Filled, StopTriggered
from vbranch.scenes.catalogue import text

__all__ = ["ACCOUNT_EVENTS", "account_event_message", "event_params"]

log = logging.getLogger(__name__)

ACCOUNT_EVENTS = (Filled, StopTriggered, DrawdownCrossed)
_KEYS = {Filled: "event.fill", StopTriggered: "event.stop_triggered", DrawdownCrossed: "event.drawdown_crossed"}


def event_params(event, names: dict[str, str], lang: str) -> dict:
    """The event's fields, ready for a catalogue line: instrument names, translated side, rounded prices."""
    params = dict(vars(event))
    if "symbol" in params:
        params["symbol"] = names.get(params["symbol"], params["symbol"])
    if "side" in params:
        params["side"] = text(f"side.{params['side']}", lang)
    for key in ("price", "trigger_price", "market_price"):
        if key in params:
            params[key] = f"{params[key]:.2f}"
    return params


def account_event_message(event, names: dict[str, str], lang: str) -> str | None:
    """The notice for one of ``ACCOUNT_EVENTS``; None when the catalogue line can't be filled."""
    try:
        return text(_KEYS[type(event)], lang, **event_params(event, names, lang))
    except (KeyError, IndexError):
        log.debug("no message for %s", event)
        return None
