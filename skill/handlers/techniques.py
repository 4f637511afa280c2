"""Guided techniques by voice: the start intents (which script, which options), the "cramp right now"
coach, and yes or no to the questions a technique asks (has it eased? log it? which one?).

Playing is ``skill.flows.technique``; the state is owned by ``skill.state.technique``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, cast

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.dialog import ElicitSlotDirective

from skill.alexa import slots
from skill.alexa.slots import slot_id, slot_text, slot_unmatched
from skill.engine.script import MAX_BREATHS, MAX_MINUTES, Options
from skill.engine.session import transition
from skill.flows import technique as flow
from skill.flows.choices import (
    SCRIPT_FOR_MUSCLE,
    SCRIPT_FOR_PATTERN,
    SCRIPT_FOR_POINT,
    SCRIPT_FOR_STRETCH,
    SCRIPT_FOR_TECHNIQUE,
)
from skill.personal import preferences
from skill.speech.reply import respond, speech
from skill.state import session as namespace
from skill.state import technique

log = logging.getLogger(__name__)

# -- reading the start intents ------------------------------------------------------------------------


@dataclass
class Choice:
    """What the user asked to start, or the question to ask when that is unclear."""

    script: str | None = None
    options: Options = field(default_factory=Options)
    question: str | None = None


def _whole_number(handler_input: HandlerInput, name: str) -> tuple[int | None, bool]:
    """An AMAZON.NUMBER slot as an int above zero; the flag is True when a value was said but is unusable."""
    value = slot_text(handler_input, name)
    if value is None:
        return None, False
    try:
        return slots.whole_number(value, name, low=1), False
    except slots.SlotProblem:
        return None, True


def _minutes(handler_input: HandlerInput) -> tuple[float | None, bool]:
    """Minutes from an AMAZON.DURATION (ISO 8601, e.g. ``PT5M``) or AMAZON.NUMBER slot."""
    duration = slot_text(handler_input, "duration")
    if duration:
        try:
            return slots.duration_seconds(duration) / 60.0, False
        except slots.SlotProblem:
            return None, True
    minutes, bad = _whole_number(handler_input, "minutes")
    return (float(minutes) if minutes is not None else None), bad


def _common_options(handler_input: HandlerInput) -> tuple[Options, str | None]:
    """Variant, voice, length from the slots every start intent shares; a question if one is unusable."""
    question = None
    variant = None
    if slots.has_slot(handler_input, "variant"):
        matched = slot_id(handler_input, "variant")
        variant = matched.lower() if matched else None
        if slot_unmatched(handler_input, "variant"):
            question = "technique.ask.variant"
    voice = None
    if slots.has_slot(handler_input, "voice"):
        matched = slot_id(handler_input, "voice")
        voice = matched.lower() if matched in ("WHISPER", "NORMAL") else None
    minutes, bad_minutes = _minutes(handler_input)
    breaths, bad_breaths = _whole_number(handler_input, "breaths")
    if minutes is not None and minutes > MAX_MINUTES:
        minutes, bad_minutes = None, True
    if breaths is not None and breaths > MAX_BREATHS:
        breaths, bad_breaths = None, True
    options = Options(variant=variant, voice=voice, minutes=minutes, breaths=breaths)
    if bad_minutes or bad_breaths:
        question = question or "technique.ask.length_unclear"
    return options, question


def _pick(
    handler_input: HandlerInput, slot: str, table: dict[str, str], default: str | None, question: str
) -> tuple[str | None, str | None]:
    """The script for a choice slot (pattern, stretch, point…), or the question to ask."""
    if slots.has_slot(handler_input, slot):
        matched = slot_id(handler_input, slot)
        if matched in table:
            return table[matched], None
        if slot_unmatched(handler_input, slot):
            return None, question
    return default, (None if default else question)


def choose(handler_input: HandlerInput) -> Choice:
    """Which script and options a start intent asks for."""
    request: Any = handler_input.request_envelope.request
    name = request.intent.name
    options, question = _common_options(handler_input)
    if name == "StartBreathingIntent":
        script, asked = _pick(
            handler_input,
            "pattern",
            SCRIPT_FOR_PATTERN,
            SCRIPT_FOR_PATTERN.get(
                preferences.preferences(handler_input).get("pattern") or "", "breathing-belly"
            ),
            "technique.ask.pattern",
        )
    elif name == "StartRelaxationIntent":
        script, asked = "pmr", None
    elif name == "StartVisualisationIntent":
        script, asked = "visualisation", None
    elif name == "StartStretchIntent":
        script, asked = _pick(
            handler_input, "stretch", SCRIPT_FOR_STRETCH, "stretch-bedtime", "technique.ask.stretch"
        )
    elif name == "StartHydrationIntent":
        script, asked = "hydration", None
    elif name == "StartAcupressureIntent":
        script, asked = _pick(
            handler_input, "point", SCRIPT_FOR_POINT, "acupressure-sp6", "technique.ask.point"
        )
    elif name == "StartRoutineIntent":
        script, asked = "routine-bedtime", None
    else:  # StartTechniqueIntent
        script, asked = _pick(
            handler_input, "technique", SCRIPT_FOR_TECHNIQUE, None, "technique.ask.technique"
        )
        if script is None and not slot_text(handler_input, "technique"):
            # "Help me relax my legs" names no technique: the legs-only relaxation fits it.
            script, asked = "pmr", None
            options = replace(options, variant=options.variant or "legs")
    return Choice(script, options, asked or question)


START_INTENTS = frozenset(
    {
        "StartBreathingIntent",
        "StartRelaxationIntent",
        "StartVisualisationIntent",
        "StartStretchIntent",
        "StartHydrationIntent",
        "StartAcupressureIntent",
        "StartRoutineIntent",
        "StartTechniqueIntent",
    }
)


class StartTechniqueHandler(AbstractRequestHandler):
    """Every "start a technique" intent: pick the script and options, then play its first segment."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in START_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        choice = choose(handler_input)
        if choice.question or choice.script is None:
            return flow.ask(handler_input, choice.question or "technique.ask.technique")
        return flow.start(handler_input, choice.script, choice.options)


# -- a cramp right now ------------------------------------------------------------------------------


class CrampNowHandler(AbstractRequestHandler):
    """ "I have a cramp in my calf": the stretch for that muscle, a calm count, then what helps after."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampNowIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        side = slot_id(handler_input, "side")
        muscle = slot_id(handler_input, "muscle")
        if muscle not in SCRIPT_FOR_MUSCLE:
            technique.note_cramp(handler_input, None, side)
            # Elicit the slot, so a bare answer ("my calf") is heard as this intent's muscle.
            request = cast(IntentRequest, handler_input.request_envelope.request)  # per can_handle
            handler_input.response_builder.add_directive(
                ElicitSlotDirective(slot_to_elicit="muscle", updated_intent=request.intent)
            )
            return flow.ask(handler_input, "technique.ask.muscle", "technique.ask.muscle_reprompt")
        return flow.coach_cramp(handler_input, muscle, side, SCRIPT_FOR_MUSCLE[muscle])


# -- answers to our questions -------------------------------------------------------------------------


class TechniqueAnswerHandler(AbstractRequestHandler):
    """Yes or no to a question a technique asked: has it eased, shall I log it, which one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return slots.is_yes_or_no(handler_input) and (
            namespace.pending_for(handler_input, flow.OWNER, "checkpoint", "log_offer", "ask") is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        pending = namespace.pending_for(handler_input, flow.OWNER)
        assert pending is not None  # per can_handle
        yes = slots.is_yes(handler_input)
        if pending.key == "ask":
            return flow.ask_again(handler_input, pending.params)
        if pending.key == "log_offer":
            if yes:
                return flow.delegate_log(handler_input)
            technique.end(handler_input)
            return respond(
                handler_input, speech(handler_input).say("technique.cramp.log_declined"), end_session=True
            )
        session = technique.live(handler_input)
        if session is None:
            technique.end(handler_input)
            return flow.ask(handler_input, "technique.ask.technique")
        engine = flow.planner(handler_input)
        if yes or pending.params.get("on_no") == "continue":
            return flow.play(handler_input, transition(session, "continue", engine).state)
        preface: list[tuple[str, dict[str, Any]]] = [("session.keep_going", {})]
        if session.script.startswith("cramp-now") and flow.cramp_over_ten_minutes(handler_input):
            preface.insert(0, ("technique.cramp.over_ten_minutes", {}))
        return flow.play(handler_input, transition(session, "repeat", engine).state, preface)
