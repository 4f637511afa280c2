"""Launch, help, stop, cancel, home, fallback, session end and the catch-all error handler."""

from __future__ import annotations

import copy
import logging
from typing import cast

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name, is_request_type
from ask_sdk_model import Response, SessionEndedRequest
from ask_sdk_model.interfaces.system import ExceptionEncounteredRequest

from skill.personal import disclaimer
from skill.speech.reply import respond, speech
from skill.state import session as state

log = logging.getLogger(__name__)


def contextual_key(handler_input: HandlerInput, prefix: str) -> str:
    """``prefix.<mode>`` when the current mode has its own phrase, else ``prefix.default``."""
    said = speech(handler_input)
    mode = state.mode(handler_input)
    key = f"{prefix}.{mode}"
    return key if mode and said.catalog.has(said.locale, key) else f"{prefix}.default"


class LaunchRequestHandler(AbstractRequestHandler):
    """Welcome: what the skill can do and what to say; first-time users hear the disclaimer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = speech(handler_input)
        if not disclaimer.heard_by(handler_input):
            said.say("launch.welcome_first").say("safety.disclaimer")
            disclaimer.mark_heard(handler_input)
        else:
            said.say("launch.welcome")
        said.say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


class HelpIntentHandler(AbstractRequestHandler):
    """Help that says what can be said now, the not-medical-advice line, and then asks what next."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        key = contextual_key(handler_input, "help")
        # Certification: help keeps the microphone open, so it ends with its question (the reprompt).
        said = speech(handler_input).say(key).say("safety.disclaimer_short").say(f"{key}_reprompt")
        return respond(handler_input, said, reprompt=speech(handler_input).say(f"{key}_reprompt"))


class StopOrCancelIntentHandler(AbstractRequestHandler):
    """Stop and Cancel end the session with a short goodbye."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.StopIntent")(handler_input) or is_intent_name("AMAZON.CancelIntent")(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state.forget_all(handler_input)
        return respond(handler_input, speech(handler_input).say("core.goodbye"), end_session=True)


class NavigateHomeIntentHandler(AbstractRequestHandler):
    """Back to the start: leave whatever mode the user was in and offer the main choices."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state.reset(handler_input)  # a safety hold stays for the rest of the session
        said = speech(handler_input).say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


class FallbackIntentHandler(AbstractRequestHandler):
    """Unrecognised speech: say what works here and keep listening."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        key = contextual_key(handler_input, "core.fallback")
        return respond(
            handler_input,
            speech(handler_input).say(key),
            reprompt=speech(handler_input).say("launch.reprompt"),
        )


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Log why the session ended; Alexa ignores any speech here."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = cast(SessionEndedRequest, handler_input.request_envelope.request)  # per can_handle
        error = getattr(request, "error", None)
        log.info(
            "session ended reason=%s error=%s",
            getattr(request.reason, "value", request.reason),
            getattr(getattr(error, "object_type", None), "value", None) or getattr(error, "message", None),
        )
        return handler_input.response_builder.response


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa reporting that our previous response failed on the device: log it, answer empty."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("System.ExceptionEncountered")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = cast(ExceptionEncounteredRequest, handler_input.request_envelope.request)  # per can_handle
        error = getattr(request, "error", None)
        log.warning(
            "device reported an error request_id=%s error=%s cause=%s",
            request.request_id,
            getattr(getattr(error, "object_type", None), "value", None),
            getattr(getattr(request, "cause", None), "request_id", None),
        )
        return handler_input.response_builder.response


class UnexpectedYesNoHandler(AbstractRequestHandler):
    """A yes or no when no feature asked a question: say what can be done instead of guessing."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        said = speech(handler_input).say("core.no_question").say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


class UnhandledIntentHandler(AbstractRequestHandler):
    """Last in the routing table: an intent no feature claimed in this state gets fallback help."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("unhandled intent %s", get_intent_name(handler_input))
        return FallbackIntentHandler().handle(handler_input)


class UnclaimedRequestHandler(AbstractRequestHandler):
    """Last of all: a request type no feature claims is an ordinary event, not an error."""

    # Skill events, playback events with no player feature, interfaces Alexa adds later: without a
    # session the only valid answer is an empty response; with one, say what works and keep listening.

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("unclaimed request type %s", get_request_type(handler_input))
        if not state.has_session(handler_input):
            return handler_input.response_builder.response
        return FallbackIntentHandler().handle(handler_input)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Apologise, keep the session open where there is one, and log with the request id."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        # Typed Optional by ask-sdk-model; Alexa always sends one, and the web app refuses envelopes without.
        assert request is not None, "request envelope without a request"
        log.exception("error handling request_id=%s type=%s", request.request_id, request.object_type)
        session = handler_input.request_envelope.session
        if session is None or is_request_type("SessionEndedRequest")(handler_input):
            # AudioPlayer and skill events (no session) take no speech, and Alexa accepts no answer to a
            # session that has ended: an empty response is the valid answer.
            return handler_input.response_builder.response
        # The failed handler may have left session state half written; carry on from what came in.
        incoming = session.attributes or {}
        handler_input.attributes_manager.session_attributes = copy.deepcopy(incoming)
        return respond(
            handler_input,
            speech(handler_input).say("core.error"),
            reprompt=speech(handler_input).say("launch.reprompt"),
        )
