"""Reading slots the way Alexa means them: canonical entity-resolution ids, never raw speech."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model.slu.entityresolution import StatusCode


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    """The spoken value of a slot, or None when it is empty."""
    slot = get_slot(handler_input, name)
    value = getattr(slot, "value", None)
    return value.strip() or None if isinstance(value, str) else None


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """The canonical id of a custom slot's value when entity resolution matched it, else None."""
    slot = get_slot(handler_input, name)
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return authority.values[0].value.id
    return None


def slot_unmatched(handler_input: HandlerInput, name: str) -> bool:
    """True when the user said something for this slot that matched none of its values."""
    return slot_text(handler_input, name) is not None and slot_id(handler_input, name) is None
