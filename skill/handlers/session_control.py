"""Voice control of a guided session: continue, pause, resume, repeat, next, previous, start over,
slower, faster, longer, shorter, stop — and helpful answers when there is nothing to control.

The state machine (``skill.engine.session``) decides; these handlers only speak its outcome.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.content.catalog import default_catalog
from skill.engine.script import load_script
from skill.engine.session import transition
from skill.flows.technique import Preface, held_back, locale_of, planner, play, record_stopped, voiced
from skill.speech.reply import respond, speech
from skill.state import technique

log = logging.getLogger(__name__)

# Intent → state-machine event.
CONTROL_EVENTS = {
    "ContinueIntent": "continue",
    "AMAZON.NextIntent": "next",
    "AMAZON.PreviousIntent": "previous",
    "AMAZON.RepeatIntent": "repeat",
    "AMAZON.StartOverIntent": "start_over",
    "AMAZON.PauseIntent": "pause",
    "AMAZON.ResumeIntent": "resume",
    "SlowerIntent": "slower",
    "FasterIntent": "faster",
    "LongerIntent": "longer",
    "ShorterIntent": "shorter",
}


def control_event(handler_input: HandlerInput) -> str | None:
    for intent, event in CONTROL_EVENTS.items():
        if is_intent_name(intent)(handler_input):
            return event
    return None


class SessionControlHandler(AbstractRequestHandler):
    """A control word while a guided session is live: apply it and play from the new place."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return control_event(handler_input) is not None and technique.live(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        session = technique.live(handler_input)
        event = control_event(handler_input)
        assert session is not None and event is not None
        held = held_back(handler_input, session)  # a leg hold heard since it started: no more of it
        if held is not None:
            return held
        engine = planner(handler_input)
        outcome = transition(session, event, engine)
        said = speech(handler_input)
        voice = engine.plan(session.script, session.options).timeline.voice
        if not outcome.ok:
            # Nothing changes: say why, and offer to carry on from where we are.
            said.raw(voiced(said.text(f"session.refused.{outcome.reason}"), voice))
            said.raw(voiced(said.text("technique.continue_prompt"), voice))
            reprompt = speech(handler_input).raw(voiced(said.text("technique.continue_reprompt"), voice))
            return respond(handler_input, said, reprompt=reprompt)
        if outcome.state.status == "paused":
            # An open microphone would close in seconds anyway: end the session, keep the place.
            technique.save_unfinished(handler_input, outcome.state)
            technique.end(handler_input)
            return respond(handler_input, said.say("session.paused"), end_session=True)
        if outcome.state.status == "complete":
            technique.clear_unfinished(handler_input)
            technique.end(handler_input)
            return respond(handler_input, said.say("session.finished"), end_session=True)
        key = f"session.{outcome.reason}"
        preface: Preface = [(key, {})] if default_catalog().has(locale_of(handler_input), key) else []
        return play(handler_input, outcome.state, preface)


class NoSessionControlHandler(AbstractRequestHandler):
    """A control word with no live session: resume a stopped one, or say what can be started."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return control_event(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        if control_event(handler_input) in ("resume", "continue"):
            stopped = technique.unfinished(handler_input)
            if stopped is not None:
                outcome = transition(stopped, "resume", planner(handler_input))
                title = load_script(stopped.script, locale_of(handler_input)).title.lower()
                return play(handler_input, outcome.state, [("session.resumed_later", {"title": title})])
        said = speech(handler_input).say("session.nothing_playing")
        return respond(handler_input, said, reprompt=speech(handler_input).say("session.nothing_reprompt"))


class StopSessionHandler(AbstractRequestHandler):
    """Stop or cancel during a guided session: end politely and remember the place for "resume"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        stop = is_intent_name("AMAZON.StopIntent")(handler_input) or is_intent_name("AMAZON.CancelIntent")(
            handler_input
        )
        return stop and technique.live(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        session = technique.live(handler_input)
        assert session is not None
        technique.save_unfinished(handler_input, session)
        record_stopped(handler_input, session)
        technique.end(handler_input)
        return respond(handler_input, speech(handler_input).say("session.stopped"), end_session=True)


class SessionEndedInTechniqueHandler(AbstractRequestHandler):
    """The user fell silent (or asleep) at a prompt: keep the place so "resume" works next time."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        ended = is_request_type("SessionEndedRequest")(handler_input)
        return ended and technique.live(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        session = technique.live(handler_input)
        assert session is not None
        technique.save_unfinished(handler_input, session)
        record_stopped(handler_input, session)
        reason = getattr(handler_input.request_envelope.request, "reason", None)
        log.info("session ended in a technique reason=%s", getattr(reason, "value", reason))
        return handler_input.response_builder.response
