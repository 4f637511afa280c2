"""One clock for every feature: ``services.clock`` (UTC), and the user's local time from it."""

from __future__ import annotations

from datetime import datetime

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.timezone import user_zone
from skill.services import services


def now_utc(handler_input: HandlerInput) -> datetime:
    return services(handler_input).clock()


def local_now(handler_input: HandlerInput) -> datetime:
    """Now in the user's time zone."""
    return now_utc(handler_input).astimezone(user_zone(handler_input))
