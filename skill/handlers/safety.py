"""Symptoms mentioned in any turn, pregnancy mode, the leg hold, and dizziness during a technique.

Every IntentRequest is screened before any handler (``SafetyScreenInterceptor`` →
``skill.flows.safety_net``): a red flag's advice comes first in whatever the request answers, at its
level, with the locale's numbers; signs that stretching, massage, heat or pressure could mask or
worsen hold those techniques back (stored for 7 days, or until "my leg has been checked"). An
emergency is answered alone (``EmergencyHeardHandler``) and ends the session so the user can call.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import safety
from skill.alexa import slots
from skill.alexa.slots import slot_text, slot_unmatched
from skill.engine.script import Options
from skill.engine.session import SessionState, transition
from skill.flows import safety_net
from skill.flows import technique as technique_flow
from skill.safety import detect, heard
from skill.safety.messages import note_key, say_findings
from skill.safety.redflags import findings
from skill.safety.screen import screen
from skill.speech.reply import respond, speech
from skill.state import safety_hold, technique
from skill.state import session as namespace

OWNER = "safety"  # its question (``skill.state.session.Pending``): "dizzy"
# A gentler pattern after dizziness: even breaths, no holding, a little shorter (content guide).
GENTLE_SCRIPT, GENTLE_PACE = "breathing-even", 0.8


class SafetyScreenInterceptor(AbstractRequestInterceptor):
    """Before every handler: screen the words of every slot and act on a red flag or pregnancy."""

    def process(self, handler_input: HandlerInput) -> None:
        safety_net.before_handlers(handler_input)


class EmergencyHeardHandler(AbstractRequestHandler):
    """An emergency sign in any slot of any intent: the advice alone, then the session ends."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return safety_net.emergency_heard(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return safety_net.emergency(handler_input)


class StopAfterRedFlagInLogHandler(AbstractRequestHandler):
    """ "Swelling", then "stop" in the middle of a log: the advice once, the cramp kept, goodbye."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return slots.any_of(handler_input, "AMAZON.StopIntent", "AMAZON.CancelIntent") and (
            safety_net.draft_findings(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        found = safety_net.draft_findings(handler_input)
        assert found is not None  # per can_handle
        return safety_net.stop_after_red_flag(handler_input, found)


class DizzyDuringTechniqueHandler(AbstractRequestHandler):
    """ "I feel dizzy" / "my fingers are tingling" during a technique: pause, breathe normally, and
    offer to carry on more gently (the exercise is kept: "resume" also picks it up later)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        screened = heard.screened(handler_input)
        return (
            screened is not None
            and screened.light_headed
            and not screened.red_flag
            and technique.live(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        session = technique.live(handler_input)
        assert session is not None  # per can_handle
        paused = transition(session, "pause", technique_flow.planner(handler_input)).state
        technique.save_unfinished(handler_input, paused)
        technique.drop_live(handler_input)
        namespace.set_pending(handler_input, OWNER, "dizzy", session=paused.to_dict())
        said = speech(handler_input).say("safety.dizzy.pause").say("safety.dizzy.offer")
        return respond(handler_input, said, reprompt=speech(handler_input).say("safety.dizzy.reprompt"))


class DizzyAnswerHandler(AbstractRequestHandler):
    """Yes (carry on more gently) or no (stop for now) after the dizziness pause."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        asked = namespace.pending_for(handler_input, OWNER, "dizzy") is not None
        return asked and (
            slots.is_yes_or_no(handler_input)
            or slots.any_of(handler_input, "ContinueIntent", "AMAZON.ResumeIntent")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        pending = namespace.clear_pending(handler_input, OWNER)
        assert pending is not None  # per can_handle
        if is_intent_name("AMAZON.NoIntent")(handler_input):
            return respond(handler_input, speech(handler_input).say("session.paused"), end_session=True)
        stored = pending.params.get("session")
        script = stored.get("script") if isinstance(stored, dict) else None
        technique.clear_unfinished(handler_input)
        if isinstance(script, str) and script.startswith("breathing-"):
            return technique_flow.start(handler_input, GENTLE_SCRIPT, Options(pace=GENTLE_PACE))
        try:
            session = SessionState.from_dict(stored if isinstance(stored, dict) else {})
        except (KeyError, TypeError, ValueError):
            return technique_flow.ask(handler_input, "technique.ask.technique")
        outcome = transition(session, "resume", technique_flow.planner(handler_input))
        return technique_flow.play(handler_input, outcome.state)


class LegCheckedIntentHandler(AbstractRequestHandler):
    """ "My doctor checked my leg", "it's been checked, it's fine": the leg hold ends."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("LegCheckedIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        key = "safety.hold.released" if safety_hold.release_leg(handler_input) else "safety.hold.none"
        return respond(
            handler_input,
            speech(handler_input).say(key),
            reprompt=speech(handler_input).say("launch.reprompt"),
        )


class ReportSymptomIntentHandler(AbstractRequestHandler):
    """ "My calf is swollen and hot", "I have chest pain", "I started a statin and my muscles ache"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ReportSymptomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        report = detect.report(handler_input)
        found = findings(report.case)
        if report.unmatched or any(
            slot_text(handler_input, name) for name in (*detect.CARRIER_SLOTS, "opening")
        ):
            # Words no slot value matched ("my hand is swollen", "hot and sore", "my chest ... tight"):
            # the screen reads them in order, and knows a hand is not a leg.
            # A symptom report in a cramp skill: a length said in it is the cramp's ("won't ease off").
            pregnant = safety.is_pregnant(handler_input)
            text = screen(detect.sentences(handler_input), pregnant=pregnant, about_cramp=True)
            words = heard.screened(handler_input)
            if not text.red_flag and words is not None and words.red_flag and not found:
                text = words if words.level == "emergency" else text
            emergency = any(rule.level == "emergency" for rule in found.matched)
            if text.red_flag or (slot_unmatched(handler_input, "bodyPart") and not emergency):
                found = text.findings  # a body part that is no leg word: its leg signs are the screen's
        said = speech(handler_input)
        if not found:
            key = note_key(report)
            said.say(key)
            if key == "safety.note.cramp_not_easing":
                said.say("safety.level.urgent_advice").say("safety.note.cramp_help")
            return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))
        say_findings(said, found)
        safety.mark_said(handler_input, found)
        if found.stops_exercise:
            words = heard.screened(handler_input)
            side = report.case.side or (words.side if words is not None else None)
            safety.hold_leg_exercises(handler_input, side)
            safety_net.stop_audio(handler_input)
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
