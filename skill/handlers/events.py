"""Skill events (no session, no speech): disabling the skill erases everything kept about the user."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.persistence.sqlite import user_id_of
from skill.services import services

log = logging.getLogger(__name__)


class SkillDisabledHandler(AbstractRequestHandler):
    """``AlexaSkillEvent.SkillDisabled``: delete the diary, the practice log and persistent attributes.

    Requires the manifest to subscribe to ``SKILL_DISABLED``. A storage failure propagates to the
    catch-all handler, which logs it with the request id (the event has no one to speak to).
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        envelope = handler_input.request_envelope
        found = services(handler_input)
        removed = found.diary.delete_all(user_id_of(envelope))
        found.persistence.delete_attributes(envelope)
        log.info("skill disabled: erased %d diary records and the persistent attributes", removed)
        return handler_input.response_builder.response
