"""Owner of the safety holds: pregnancy mode (persistent ``profile.pregnant``) and the hold on leg
exercises after a red flag that rules out stretching, massage or acupressure (session
``leg_swollen``, for the rest of the session; "go home" keeps it).

``skill.safety`` decides when a hold starts; techniques read it through ``skill.safety.conditions``.
A per-user hold that lasts across sessions belongs here too.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill.state import session as namespace
from skill.state import user

PREGNANT = "pregnant"  # profile key
LEG_HOLD = "leg_swollen"  # session key


def pregnant(handler_input: HandlerInput) -> bool:
    return bool(user.profile(handler_input).get(PREGNANT))


def set_pregnant(handler_input: HandlerInput, value: bool) -> None:
    user.profile(handler_input)[PREGNANT] = value
    user.save(handler_input)


def leg_held(handler_input: HandlerInput) -> bool:
    return bool(namespace.session_state(handler_input).get(LEG_HOLD))


def hold_leg(handler_input: HandlerInput) -> None:
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[LEG_HOLD] = True
