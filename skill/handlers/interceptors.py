"""Request and response logging: ids and types only, never what the user said."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Request, Response

log = logging.getLogger("skill.requests")


def _request(handler_input: HandlerInput) -> Request:
    request = handler_input.request_envelope.request
    # Typed Optional by ask-sdk-model; Alexa always sends one, and the web app refuses envelopes without.
    assert request is not None, "request envelope without a request"
    return request


def _describe(handler_input: HandlerInput) -> str:
    request = _request(handler_input)
    intent = getattr(request, "intent", None)
    return f"{request.object_type}{':' + intent.name if intent is not None else ''}"


class RequestLogInterceptor(AbstractRequestInterceptor):
    """Log the request id and type (slot values and user ids are personal data: not logged)."""

    def process(self, handler_input: HandlerInput) -> None:
        log.info("request id=%s %s", _request(handler_input).request_id, _describe(handler_input))


class ResponseLogInterceptor(AbstractResponseInterceptor):
    """Log what kind of response went out (speech length, directives, whether the session ends)."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        if response is None:
            return
        speech = getattr(response.output_speech, "ssml", "") or ""
        directives = [d.object_type for d in response.directives or []]
        log.info(
            "response id=%s speech_chars=%d directives=%s end=%s",
            _request(handler_input).request_id,
            len(speech),
            directives,
            response.should_end_session,
        )
