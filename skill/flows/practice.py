"""The practice log: every technique session, spoken or heard as audio, counts (streaks, check-in)."""

from __future__ import annotations

import logging

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.timezone import zone_name
from skill.diary.repository import StorageError
from skill.persistence.sqlite import user_id_of
from skill.services import services
from skill.state.clock import now_utc

log = logging.getLogger(__name__)


def user_id(handler_input: HandlerInput) -> str:
    return user_id_of(handler_input.request_envelope)


def record_practice(handler_input: HandlerInput, technique: str, minutes: float, completed: bool) -> bool:
    """Log a technique session in the practice log; never raises (a session must not fail over it).

    Returns False when the store could not be written (the failure is logged).
    """
    try:
        services(handler_input).diary.record_practice(
            user_id(handler_input),
            technique,
            minutes,
            completed,
            at=now_utc(handler_input),
            time_zone=zone_name(handler_input),
        )
    except (StorageError, ValueError, PersistenceException):  # the last: a request without a user id
        log.exception("could not record practice of %s", technique)
        return False
    return True
