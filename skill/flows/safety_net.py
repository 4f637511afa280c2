"""The safety net on every turn: what the red-flag screen of a request's words sets off.

``before_handlers`` runs for every IntentRequest before any handler (a global request interceptor):
it reads ``skill.safety.heard.screened`` and
- turns pregnancy mode on when the user says they are pregnant ("I'm thirty weeks pregnant and…");
- for a red flag, holds leg exercises back when the rule says so (stored for 7 days, any script, any
  path), stops our audio, notes the signs on a cramp being logged (the draft stays where it is), and
  queues the advice so that whatever the handler answers starts with it (``say_first``): a log asks
  its next question after the advice, a stretch for the held leg is declined after it;
- marks an emergency, which the first handler answers alone (``emergency``): the advice, the draft
  kept in the diary when it can be, and the session ends so the user can call.

ReportSymptomIntent speaks its own findings (its handler reads the screen too), so it is not prefaced.
"""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces, is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import StopDirective

from skill import safety
from skill.alexa.timezone import zone_name
from skill.diary.draft import Draft
from skill.diary.repository import DuplicateEntry, StorageError
from skill.flows import diary_log
from skill.flows.practice import user_id
from skill.safety import heard
from skill.safety.messages import say_findings
from skill.safety.redflags import Case, Findings, findings
from skill.safety.screen import Screened
from skill.services import services
from skill.speech.reply import Speech, respond, say_first, speech
from skill.state import diary_draft, technique
from skill.state import session as namespace
from skill.state.clock import now_utc

log = logging.getLogger(__name__)

EMERGENCY = "cc.emergency"  # request attribute: the screen heard an emergency sign
# Built-in intents take no slots, so the model has custom twins that carry the words people add
# ("stop, my calf is swollen", "resume, and my chest hurts"): once screened, each is its built-in.
TWINS = {
    "StopWithWordsIntent": "AMAZON.StopIntent",
    "CancelWithWordsIntent": "AMAZON.CancelIntent",
    "ResumeWithWordsIntent": "AMAZON.ResumeIntent",
    "ContinueWithWordsIntent": "ContinueIntent",
}
OWN_SPEECH = ("ReportSymptomIntent",)  # intents whose handler says the findings itself
CLOT_RULES = frozenset({"possible_clot", "pregnancy_leg"})


def stop_audio(handler_input: HandlerInput) -> None:
    """A technique playing as audio must not carry on over a red-flag answer."""
    if get_supported_interfaces(handler_input).audio_player is not None:
        handler_input.response_builder.add_directive(StopDirective())


def advice(handler_input: HandlerInput, said: Speech, found: Findings) -> Speech:
    """The red-flag advice (what to do first, then why), each message once a session."""
    fresh = safety.unsaid(handler_input, found)
    say_findings(said, fresh)
    if CLOT_RULES & {rule.id for rule in fresh.to_say}:
        # Nothing here asks about the lungs, so say when a possible clot becomes an emergency.
        said.say("diary.clot_emergency", emergency=said.text("safety.emergency_number"))
    safety.mark_said(handler_input, fresh)
    return said


def _note_on_draft(handler_input: HandlerInput, screened: Screened) -> None:
    """Signs heard while a cramp is being logged go on that cramp (the entry's red flags at save)."""
    if not namespace.has_session(handler_input):
        return
    draft = diary_draft.load(handler_input)
    if draft is None:
        return
    new = [s for s in sorted(screened.case.counted_symptoms) if s not in draft.symptoms]
    if new:
        draft.symptoms = [*draft.symptoms, *new]
        diary_draft.keep(handler_input, draft)


def before_handlers(handler_input: HandlerInput) -> None:
    """Screen the request's words and act on them before any handler answers."""
    if not is_request_type("IntentRequest")(handler_input):
        return
    screened = heard.screened(handler_input)
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    if intent is not None and intent.name in TWINS:
        intent.name = TWINS[intent.name]  # the words are read: now it is the built-in it stands for
    if screened is None:
        return
    own_speech = any(is_intent_name(name)(handler_input) for name in OWN_SPEECH)
    first = speech(handler_input)
    if screened.red_flag and not own_speech:
        if screened.findings.stops_exercise:
            safety.hold_leg_exercises(handler_input, screened.side)
            stop_audio(handler_input)
        _note_on_draft(handler_input, screened)
        if screened.level == "emergency":
            handler_input.attributes_manager.request_attributes[EMERGENCY] = True
            if screened.pregnant:
                safety.set_pregnant(handler_input, True)
            return
        advice(handler_input, first, screened.findings)
    if screened.pregnant and not safety.is_pregnant(handler_input):
        safety.set_pregnant(handler_input, True)
        if not is_intent_name("PregnancyModeOnIntent")(handler_input) and not (
            own_speech and screened.red_flag
        ):
            # After a red flag's advice only the short note: the advice already said what to do.
            first.say("safety.pregnancy.noted" if screened.red_flag else "safety.pregnancy.on")
    say_first(handler_input, first)


def emergency_heard(handler_input: HandlerInput) -> bool:
    return bool(handler_input.attributes_manager.request_attributes.get(EMERGENCY))


def keep_draft(handler_input: HandlerInput) -> bool:
    """Save the cramp being logged as far as it goes (muscle and severity known); True when saved."""
    draft = diary_draft.load(handler_input) if namespace.has_session(handler_input) else None
    if draft is None or draft.muscle is None or draft.severity is None:
        return False
    now = now_utc(handler_input)
    entry = draft.to_entry(
        user_id(handler_input),
        now,
        zone_name(handler_input),
        diary_log.known_medicines(handler_input),
    )
    found = diary_log.findings_for(entry, now, safety.is_pregnant(handler_input))
    try:
        services(handler_input).diary.add(entry.with_changes(red_flags=found.ids))
    except DuplicateEntry:
        pass
    except StorageError:
        log.exception("could not keep the cramp being logged")
        return False
    diary_draft.drop(handler_input)
    diary_draft.set_last_logged(handler_input, entry.id)
    return True


def emergency(handler_input: HandlerInput) -> Response:
    """An emergency sign, wherever it was said: the advice alone, and the session ends for the call."""
    screened = heard.screened(handler_input)
    said = speech(handler_input)
    if screened is not None:
        say_findings(said, screened.findings)
        safety.mark_said(handler_input, screened.findings)
    if keep_draft(handler_input):
        said.say("safety.kept_in_diary")
    technique.end(handler_input)
    return respond(handler_input, said, end_session=True)


def draft_findings(handler_input: HandlerInput) -> Findings | None:
    """The red flags of the cramp being logged, when there are any."""
    draft: Draft | None = diary_draft.load(handler_input) if namespace.has_session(handler_input) else None
    if draft is None or not draft.symptoms:
        return None
    context: set[str] = {"PREGNANT"} if safety.is_pregnant(handler_input) else set()
    case = Case.of(tuple(draft.symptoms), (), draft.trigger, draft.side, draft.duration_s, context=context)
    found = findings(case)
    return found or None


def stop_after_red_flag(handler_input: HandlerInput, found: Findings) -> Response:
    """Stop or cancel in a log that raised a red flag: the advice is said (once), the cramp kept."""
    said = speech(handler_input)
    fresh = safety.unsaid(handler_input, found)
    if fresh.to_say:
        advice(handler_input, said, found)
    else:  # heard a turn ago: what to do, once more, in one line
        said.say(f"safety.level.{found.to_say[0].level}" if found.to_say else "safety.level.see_doctor")
    if keep_draft(handler_input):
        said.say("safety.kept_in_diary")
    namespace.forget_all(handler_input)
    return respond(handler_input, said.say("core.goodbye"), end_session=True)
