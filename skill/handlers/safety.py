"""Symptoms mentioned in any turn, and pregnancy mode.

A red flag is answered before anything else, with the help to seek for the user's locale, and no
exercise is offered in that turn; signs that stretching or massage could mask or worsen hold those
techniques back for the rest of the session (``skill.safety.conditions``). An emergency ends the
session so the user can make the call.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces, is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import StopDirective

from skill import safety
from skill.safety import detect
from skill.safety.messages import note_key, say_findings
from skill.safety.redflags import findings
from skill.speech.reply import respond, speech


def _stop_playback(handler_input: HandlerInput) -> None:
    """A technique playing as audio must not carry on over a red-flag answer."""
    if get_supported_interfaces(handler_input).audio_player is not None:
        handler_input.response_builder.add_directive(StopDirective())


class ReportSymptomIntentHandler(AbstractRequestHandler):
    """ "My calf is swollen and hot", "I have chest pain", "I started a statin and my muscles ache"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ReportSymptomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        report = detect.report(handler_input)
        found = findings(report.case)
        said = speech(handler_input)
        if not found:
            key = note_key(report)
            said.say(key)
            if key == "safety.note.cramp_not_easing":
                said.say("safety.level.urgent_advice").say("safety.note.cramp_help")
            return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))
        say_findings(said, found)
        if found.stops_exercise:
            safety.hold_leg_exercises(handler_input)
            _stop_playback(handler_input)
        if any(rule.level == "emergency" for rule in found.matched):
            return respond(handler_input, said, end_session=True)
        said.say("safety.anything_else")
        return respond(handler_input, said, reprompt=speech(handler_input).say("safety.reprompt"))


class PregnancyModeOnIntentHandler(AbstractRequestHandler):
    """ "I'm pregnant": remembered; acupressure points and inversions are skipped from now on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("PregnancyModeOnIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        safety.set_pregnant(handler_input, True)
        said = speech(handler_input).say("safety.pregnancy.on").say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


class PregnancyModeOffIntentHandler(AbstractRequestHandler):
    """ "Turn off pregnancy mode"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("PregnancyModeOffIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        safety.set_pregnant(handler_input, False)
        said = speech(handler_input).say("safety.pregnancy.off").say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))
