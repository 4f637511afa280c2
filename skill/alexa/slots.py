"""Reading what the user said, the way Alexa means it: canonical entity-resolution ids (never raw
speech), AMAZON.DURATION as seconds, AMAZON.NUMBER as whole numbers, and which intent this is.

Every handler and flow reads slots through this module; ask-sdk-core's ``get_slot`` and
``is_intent_name`` do the envelope work underneath.
"""

from __future__ import annotations

import isodate
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot, is_intent_name
from ask_sdk_model.slu.entityresolution import StatusCode

YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"


class SlotProblem(ValueError):
    """A value was said for a slot but cannot be used: ``reason`` says why (``invalid``, ``too_long``,
    ``not_number``...), for the phrase that explains it."""

    def __init__(self, slot: str, reason: str) -> None:
        super().__init__(f"{slot}: {reason}")
        self.slot, self.reason = slot, reason


# -- which intent -----------------------------------------------------------------------------------


def any_of(handler_input: HandlerInput, *names: str) -> bool:
    """True when the request is one of these intents."""
    return any(is_intent_name(name)(handler_input) for name in names)


def is_yes(handler_input: HandlerInput) -> bool:
    return is_intent_name(YES)(handler_input)


def is_yes_or_no(handler_input: HandlerInput) -> bool:
    return any_of(handler_input, YES, NO)


# -- slot values ------------------------------------------------------------------------------------


def has_slot(handler_input: HandlerInput, name: str) -> bool:
    """True when this intent has the slot at all (said or not)."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return bool(intent and intent.slots and name in intent.slots)


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    """The spoken value of a slot, or None when it is empty (or the intent has no such slot)."""
    if not has_slot(handler_input, name):
        return None
    # get_slot, not get_slot_value: ask-sdk-core deprecates the latter (DeprecationWarning).
    value = getattr(get_slot(handler_input, name), "value", None)
    return value.strip() or None if isinstance(value, str) else None


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """The canonical id of a custom slot's value when entity resolution matched it, else None."""
    slot = get_slot(handler_input, name)
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return authority.values[0].value.id
    return None


def slot_resolved(handler_input: HandlerInput, name: str) -> bool:
    """True when Alexa ran entity resolution on the slot (False for a value another feature set)."""
    return getattr(get_slot(handler_input, name), "resolutions", None) is not None


def slot_unmatched(handler_input: HandlerInput, name: str) -> bool:
    """True when the user said something for this slot that matched none of its values."""
    return slot_text(handler_input, name) is not None and slot_id(handler_input, name) is None


def duration_seconds(text: str, slot: str = "duration") -> int:
    """An AMAZON.DURATION value (ISO 8601, ``PT5M``) as whole seconds above zero.

    Raises ``SlotProblem`` (``invalid``; ``too_long`` for months or years, which are no length of a
    cramp or a session).
    """
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise SlotProblem(slot, "invalid") from exc
    if isinstance(parsed, isodate.Duration):  # months or years
        raise SlotProblem(slot, "too_long")
    seconds = int(parsed.total_seconds())
    if seconds <= 0:
        raise SlotProblem(slot, "invalid")
    return seconds


def whole_number(text: str, slot: str, low: int | None = None, high: int | None = None) -> int:
    """An AMAZON.NUMBER value as an int within [low, high]; ``SlotProblem`` (``not_number``, ``range``)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise SlotProblem(slot, "not_number") from exc
    if not value.is_integer():
        raise SlotProblem(slot, "range")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise SlotProblem(slot, "range")
    return number
