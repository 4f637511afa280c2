"""The words of this request, screened once: every slot of every intent, as heard and as resolved.

Alexa sends no raw utterance, only slot values, so the screen reads what is there: each slot's
``value`` and the value names of every entity-resolution authority (matched or not). The result is
cached in the request attributes, so the first handler, the interceptor and any later handler share
one reading. Context comes from the session: the diary's "any swelling, warmth or redness?" makes
warmth alone count (``asked``); an open cramp dialog makes a bare length the cramp's (``about_cramp``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from ask_sdk_core.handler_input import HandlerInput

from skill.safety.screen import Screened, screen
from skill.state import diary_draft, safety_hold
from skill.state import session as namespace

_CACHE = "cc.screened"
# Intents whose slots say when or how long a cramp was: a bare length there is the cramp's length.
CRAMP_INTENTS = ("LogCrampIntent", "CrampNowIntent")
PREGNANT_INTENT = "PregnancyModeOnIntent"


def _intent(handler_input: HandlerInput) -> Any:
    return getattr(handler_input.request_envelope.request, "intent", None)


def slot_words(handler_input: HandlerInput) -> Iterator[str]:
    """Every value of every slot of the request: as heard, and each authority's value names."""
    intent = _intent(handler_input)
    for slot in (getattr(intent, "slots", None) or {}).values():
        value = getattr(slot, "value", None)
        if isinstance(value, str) and value.strip():
            yield value
        resolutions = getattr(slot, "resolutions", None)
        for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
            for item in getattr(authority, "values", None) or []:
                name = getattr(getattr(item, "value", None), "name", None)
                if isinstance(name, str) and name.strip() and name != value:
                    yield name


def screened(handler_input: HandlerInput) -> Screened | None:
    """This request's screen (None for a request without an intent, or an intent without words)."""
    attributes = handler_input.attributes_manager.request_attributes
    if _CACHE in attributes:
        return cast(Screened | None, attributes[_CACHE])
    intent = _intent(handler_input)
    result: Screened | None = None
    words = list(slot_words(handler_input)) if intent is not None else []
    if words:
        draft = diary_draft.load(handler_input) if namespace.has_session(handler_input) else None
        eliciting = draft.eliciting if draft is not None else None
        result = screen(
            words,
            # "I'm pregnant and my calf is red": pregnancy said in this very request counts too.
            pregnant=safety_hold.pregnant(handler_input) or getattr(intent, "name", None) == PREGNANT_INTENT,
            asked=eliciting == "symptom",
            about_cramp=eliciting is not None or getattr(intent, "name", None) in CRAMP_INTENTS,
        )
    attributes[_CACHE] = result
    return result
