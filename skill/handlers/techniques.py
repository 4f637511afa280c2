"""Guided techniques by voice: start any script in one breath, play it a segment per response,
answer the questions it asks (has the cramp eased? log it?), and the "cramp right now" coach.

Session state (namespace ``cc``): ``session`` (the engine's SessionState dict), ``pending`` (the
question we asked: ``checkpoint``, ``log_offer``, ``log_cramp``, ``ask``), ``ask`` (the phrase key of
an open "which one?" question), ``cramp`` (muscle/side/start of a cramp being coached). Persistent:
``unfinished`` (where a stopped session can resume), ``open_cramp`` (for the diary's self-timing).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import isodate
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import (
    Intent,
    IntentConfirmationStatus,
    IntentRequest,
    Response,
    Slot,
    SlotConfirmationStatus,
)
from ask_sdk_model.dialog import DelegateDirective, ElicitSlotDirective

from skill.engine.plan import EnginePlanner, length_problem
from skill.engine.script import MAX_BREATHS, MAX_MINUTES, Options, Script, ScriptError, load_script
from skill.engine.session import SessionState, transition
from skill.handlers import audio, state
from skill.handlers.diary import record_practice
from skill.handlers.slots import slot_id, slot_text, slot_unmatched
from skill.personal import preferences
from skill.speech import ssml
from skill.speech.reply import respond, speech

log = logging.getLogger(__name__)

MODE = "technique"

SCRIPT_FOR_PATTERN = {
    "BELLY": "breathing-belly",
    "EVEN": "breathing-even",
    "LONG_EXHALE": "breathing-long-exhale",
    "BOX": "breathing-box",
    "FOUR_SEVEN_EIGHT": "breathing-four-seven-eight",
}
SCRIPT_FOR_STRETCH = {
    "BEDTIME": "stretch-bedtime",
    "CALF": "stretch-calf",
    "HAMSTRING": "stretch-hamstring",
    "TOWEL": "stretch-towel",
    "FORWARD_FOLD": "stretch-forward-fold",
    "DOWNWARD_DOG": "stretch-downward-dog",
}
SCRIPT_FOR_POINT = {"SP6": "acupressure-sp6", "LV3": "acupressure-lv3"}
SCRIPT_FOR_MUSCLE = {
    "CALF": "cramp-now-calf",
    "FOOT": "cramp-now-foot",
    "TOES": "cramp-now-foot",
    "SHIN": "cramp-now-shin",
    "THIGH": "cramp-now-thigh",
    "HAMSTRING": "cramp-now-hamstring",
    "OTHER": "cramp-now-other",
}
# A technique named without details starts its everyday script.
SCRIPT_FOR_TECHNIQUE = {
    "BREATHING": "breathing-belly",
    "RELAXATION": "pmr",
    "VISUALISATION": "visualisation",
    "STRETCH": "stretch-bedtime",
    "HYDRATION": "hydration",
    "ACUPRESSURE": "acupressure-sp6",
    "ROUTINE": "routine-bedtime",
}
# The words the diary's LogCrampIntent hears for a muscle and side (the Muscle and Side type values).
MUSCLE_WORD = {
    "CALF": "calf",
    "FOOT": "foot",
    "TOES": "toes",
    "SHIN": "shin",
    "THIGH": "thigh",
    "HAMSTRING": "hamstring",
    "OTHER": "other",
}
SIDE_WORD = {"LEFT": "left", "RIGHT": "right", "BOTH": "both"}
# A cramp mentioned again within this long is the same cramp (its start time is kept).
SAME_CRAMP_WITHIN = timedelta(minutes=30)
# Cramps lasting longer than this without easing need urgent advice (content guide, red flags; C1-C3).
CRAMP_URGENT_AFTER = timedelta(minutes=10)
LOG_INTENT = "LogCrampIntent"


# -- shared by the technique and session-control handlers -------------------------------------------


def locale_of(handler_input: HandlerInput) -> str | None:
    request: Any = handler_input.request_envelope.request
    return getattr(request, "locale", None)


def planner(handler_input: HandlerInput) -> EnginePlanner:
    return EnginePlanner(locale_of(handler_input))


def live_session(handler_input: HandlerInput) -> SessionState | None:
    """The spoken session in progress in this conversation, if any."""
    data = state.session_state(handler_input).get("session")
    if not data:
        return None
    try:
        session = SessionState.from_dict(data)
        load_script(session.script, locale_of(handler_input))
    except (ValueError, ScriptError):
        log.warning("dropping an unreadable session state")
        state.session_state(handler_input).pop("session", None)
        return None
    return session if session.status in ("active", "paused") else None


# Session keys this feature owns; others (a safety hold on leg exercises, say) outlive our session.
OWN_KEYS = ("session", "pending", "ask", "on_no", "cramp", "mode")


def end_technique(handler_input: HandlerInput) -> None:
    """Forget the technique's session state, leaving other features' keys alone."""
    cc = state.session_state(handler_input)
    for key in OWN_KEYS:
        cc.pop(key, None)


def voiced(text: str, voice: str) -> str:
    """Plain text as SSML in the session's voice (prompts whisper when the session does)."""
    escaped = ssml.escape(text)
    return ssml.whisper(escaped) if voice == "whisper" else escaped


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def persistent(handler_input: HandlerInput) -> dict[str, Any]:
    attributes: dict[str, Any] = handler_input.attributes_manager.persistent_attributes
    return attributes


def record_stopped(handler_input: HandlerInput, session: SessionState) -> None:
    """A session stopped or slept through still counts as practice, for the time it ran."""
    plan = planner(handler_input).plan(session.script, session.options)
    after = session.segment + 1  # the segment just played has been heard to its end
    ran = plan.segments[after].start if after < len(plan.segments) else plan.timeline.total
    if ran > 0:
        record_practice(handler_input, session.script, ran / 60, False)


def save_unfinished(handler_input: HandlerInput, session: SessionState) -> None:
    """Remember where a session stopped so "resume" can pick it up, also days later."""
    paused = replace(session, status="paused")
    persistent(handler_input)["unfinished"] = {"session": paused.to_dict(), "saved_at": iso(utc_now())}
    state.save_persistent(handler_input)


def clear_unfinished(handler_input: HandlerInput) -> None:
    if persistent(handler_input).pop("unfinished", None) is not None:
        state.save_persistent(handler_input)


def unfinished(handler_input: HandlerInput) -> SessionState | None:
    data = persistent(handler_input).get("unfinished")
    try:
        session = SessionState.from_dict(data["session"]) if isinstance(data, dict) else None
        if session is not None:
            load_script(session.script, locale_of(handler_input))
    except (KeyError, ValueError, ScriptError):
        return None
    return session


Preface = Sequence[tuple[str, dict[str, Any]]]


def play(handler_input: HandlerInput, session: SessionState, preface: Preface = ()) -> Response:
    """Speak the session's current segment, then the prompt that fits where it ends."""
    engine = planner(handler_input)
    plan = engine.plan(session.script, session.options)
    segment = plan.segments[min(session.segment, len(plan.segments) - 1)]
    voice = plan.timeline.voice
    said = speech(handler_input)
    for key, params in preface:
        said.raw(voiced(said.text(key, **params), voice))
    said.raw(segment.ssml)
    card = (plan.script.title, segment.card_text)
    cc = state.session_state(handler_input)
    for key in ("pending", "ask", "on_no"):
        cc.pop(key, None)
    if segment.last:
        done = transition(session, "complete", engine).state
        clear_unfinished(handler_input)
        record_practice(handler_input, session.script, plan.timeline.total / 60, True)
        if plan.script.ending == "offer_log":
            cc["session"] = done.to_dict()
            cc["pending"] = "log_offer"
            state.set_mode(handler_input, None)
            said.raw(voiced(said.text("technique.cramp.log_offer"), voice))
            reprompt = speech(handler_input).raw(voiced(said.text("technique.cramp.log_reprompt"), voice))
            return respond(handler_input, said, reprompt=reprompt, card=card)
        end_technique(handler_input)
        return respond(handler_input, said, card=card, end_session=True)
    cc["session"] = session.to_dict()
    state.set_mode(handler_input, MODE)
    reprompt = speech(handler_input)
    if segment.prompt:
        cc["pending"] = "checkpoint"
        cc["on_no"] = segment.on_no or "continue"
        said.raw(voiced(segment.prompt, voice))
        reprompt.raw(voiced(segment.prompt, voice)).raw(
            voiced(said.text("technique.question_reprompt"), voice)
        )
    else:
        # "Ready to go on?": yes carries on, no plays this part again (as at a checkpoint).
        cc["pending"], cc["on_no"] = "checkpoint", "repeat"
        said.raw(voiced(said.text("technique.continue_prompt"), voice))
        reprompt.raw(voiced(said.text("technique.continue_reprompt"), voice))
    return respond(handler_input, said, reprompt=reprompt, card=card)


def ask(
    handler_input: HandlerInput, key: str, reprompt_key: str = "technique.ask.reprompt", **params: Any
) -> Response:
    """Ask which technique / pattern / muscle, keeping the microphone open for the answer."""
    cc = state.session_state(handler_input)
    cc.pop("session", None)
    cc["pending"] = "ask"
    cc["ask"] = key
    state.set_mode(handler_input, None)
    said = speech(handler_input).say(key, **params)
    return respond(handler_input, said, reprompt=speech(handler_input).say(reprompt_key))


def conditions(handler_input: HandlerInput) -> set[str]:
    """Reasons to skip some scripts: pregnancy mode (profile) and a swollen or hot leg (safety flag)."""
    found = set()
    profile = state.profile(handler_input)
    if profile.get("pregnant"):
        found.add("pregnant")
    if profile.get("leg_swollen") or state.session_state(handler_input).get("leg_swollen"):
        found.add("leg_swollen")
    return found


def skip_reason(handler_input: HandlerInput, script: Script) -> str | None:
    """The phrase explaining why this script is skipped for this user, if it is."""
    for condition in sorted(conditions(handler_input)):
        if condition in script.skip_if:
            return script.skip_if[condition]
    return None


def start(handler_input: HandlerInput, script_id: str, options: Options, preface: Preface = ()) -> Response:
    """Start a script from its beginning, or explain why it is skipped or its length is out of range."""
    locale = locale_of(handler_input)
    script = load_script(script_id, locale)
    options = preferences.apply(handler_input, script_id, options, locale)  # what the user didn't say
    reason = skip_reason(handler_input, script)
    if reason:
        said = speech(handler_input)
        said.raw(ssml.escape(script.text(reason, locale))).say("technique.skip.offer_other")
        state.session_state(handler_input).pop("session", None)
        return respond(handler_input, said, reprompt=speech(handler_input).say("technique.ask.reprompt"))
    problem = length_problem(script, options)
    if problem:
        said = speech(handler_input)
        count = said.text(f"technique.number.{int(problem.low) + 1 if problem.unit == 'minutes' else 10}")
        example = said.text(f"technique.ask.example_{problem.unit}", count=count, title=script.title.lower())
        return ask(
            handler_input,
            f"technique.ask.length_{problem.unit}",
            title=script.title,
            low=problem.low,
            high=problem.high,
            example=example,
        )
    preferences.remember_technique(handler_input, script_id, options, locale)
    if audio.should_play_audio(handler_input, script_id, options.to_dict()):
        # Long sessions on a device with the AudioPlayer play hands-free (skill/handlers/audio.py).
        notes = [(n.key, n.params) for n in planner(handler_input).plan(script_id, options).timeline.notes]
        return audio.start_playback(handler_input, script_id, options.to_dict(), [*preface, *notes])
    engine = planner(handler_input)
    session = transition(SessionState(script_id, options), "start", engine).state
    notes = [(note.key, note.params) for note in engine.plan(script_id, options).timeline.notes]
    return play(handler_input, session, [*preface, *notes])


# -- reading the start intents ------------------------------------------------------------------------


@dataclass
class Choice:
    """What the user asked to start, or the question to ask when that is unclear."""

    script: str | None = None
    options: Options = field(default_factory=Options)
    question: str | None = None


def _whole_number(handler_input: HandlerInput, name: str) -> tuple[int | None, bool]:
    """An AMAZON.NUMBER slot as an int; the flag is True when a value was said but is unusable."""
    value = slot_text(handler_input, name) if _has_slot(handler_input, name) else None
    if value is None:
        return None, False
    try:
        number = int(str(value))
    except ValueError:
        return None, True
    return (number, False) if number > 0 else (None, True)


def _has_slot(handler_input: HandlerInput, name: str) -> bool:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return bool(intent and intent.slots and name in intent.slots)


def _minutes(handler_input: HandlerInput) -> tuple[float | None, bool]:
    """Minutes from an AMAZON.DURATION (ISO 8601, e.g. ``PT5M``) or AMAZON.NUMBER slot."""
    duration = slot_text(handler_input, "duration") if _has_slot(handler_input, "duration") else None
    if duration:
        try:
            parsed = isodate.parse_duration(duration)
        except (isodate.ISO8601Error, ValueError):
            return None, True
        if isinstance(parsed, isodate.Duration):  # months or years: not a session length
            return None, True
        seconds = parsed.total_seconds()
        return (seconds / 60.0, False) if seconds > 0 else (None, True)
    minutes, bad = _whole_number(handler_input, "minutes")
    return (float(minutes) if minutes is not None else None), bad


def _common_options(handler_input: HandlerInput) -> tuple[Options, str | None]:
    """Variant, voice, length from the slots every start intent shares; a question if one is unusable."""
    question = None
    variant = None
    if _has_slot(handler_input, "variant"):
        matched = slot_id(handler_input, "variant")
        variant = matched.lower() if matched else None
        if slot_unmatched(handler_input, "variant"):
            question = "technique.ask.variant"
    voice = None
    if _has_slot(handler_input, "voice"):
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
    if _has_slot(handler_input, slot):
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
            return ask(handler_input, choice.question or "technique.ask.technique")
        return start(handler_input, choice.script, choice.options)


# -- a cramp right now ------------------------------------------------------------------------------


def _record_open_cramp(handler_input: HandlerInput, muscle: str, side: str | None, started: datetime) -> None:
    """The diary's self-timing: "it's gone" later closes this with the measured duration."""
    attributes = persistent(handler_input)
    existing = attributes.get("open_cramp")
    if isinstance(existing, dict):
        earlier = parse_iso(existing.get("started_at"))
        if earlier is not None and utc_now() - earlier < SAME_CRAMP_WITHIN:
            started = min(started, earlier)
    attributes["open_cramp"] = {"started_at": iso(started), "muscle": muscle, "side": side}
    state.save_persistent(handler_input)


class CrampNowHandler(AbstractRequestHandler):
    """ "I have a cramp in my calf": the stretch for that muscle, a calm count, then what helps after."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampNowIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        cc = state.session_state(handler_input)
        cramp = cc.setdefault("cramp", {})
        cramp.setdefault("started_at", iso(utc_now()))
        side = slot_id(handler_input, "side")
        if side:
            cramp["side"] = side
        muscle = slot_id(handler_input, "muscle")
        if muscle not in SCRIPT_FOR_MUSCLE:
            # Elicit the slot, so a bare answer ("my calf") is heard as this intent's muscle.
            request = cast(IntentRequest, handler_input.request_envelope.request)  # per can_handle
            handler_input.response_builder.add_directive(
                ElicitSlotDirective(slot_to_elicit="muscle", updated_intent=request.intent)
            )
            return ask(handler_input, "technique.ask.muscle", "technique.ask.muscle_reprompt")
        cramp["muscle"] = muscle
        started = parse_iso(cramp["started_at"]) or utc_now()
        _record_open_cramp(handler_input, muscle, cramp.get("side"), started)
        # Pregnancy mode: the clot warning comes before the stretch (content guide, red flags; C16).
        preface: Preface = (
            [("safety.pregnancy.clot_warning", {})] if "pregnant" in conditions(handler_input) else []
        )
        return start(handler_input, SCRIPT_FOR_MUSCLE[muscle], Options(), preface)


# -- answers to our questions -------------------------------------------------------------------------


def _cramp_over_ten_minutes(handler_input: HandlerInput) -> bool:
    open_cramp = persistent(handler_input).get("open_cramp")
    started = parse_iso(open_cramp.get("started_at")) if isinstance(open_cramp, dict) else None
    return started is not None and utc_now() - started > CRAMP_URGENT_AFTER


def delegate_log(handler_input: HandlerInput) -> Response:
    """Hand over to the diary: LogCrampIntent with the muscle and side we already know."""
    cc = state.session_state(handler_input)
    cramp = cc.get("cramp") or {}
    slots = {}
    if cramp.get("muscle") in MUSCLE_WORD:
        slots["muscle"] = Slot(
            name="muscle", value=MUSCLE_WORD[cramp["muscle"]], confirmation_status=SlotConfirmationStatus.NONE
        )
    if cramp.get("side") in SIDE_WORD:
        slots["side"] = Slot(
            name="side", value=SIDE_WORD[cramp["side"]], confirmation_status=SlotConfirmationStatus.NONE
        )
    end_technique(handler_input)
    cc["pending"] = "log_cramp"
    handler_input.response_builder.add_directive(
        DelegateDirective(
            updated_intent=Intent(
                name=LOG_INTENT, slots=slots, confirmation_status=IntentConfirmationStatus.NONE
            )
        )
    )
    # Intent chaining: speech is allowed before the dialog's first prompt, a reprompt is not.
    return respond(handler_input, speech(handler_input).say("technique.cramp.log_handover"))


class TechniqueAnswerHandler(AbstractRequestHandler):
    """Yes or no to a question a technique asked: has it eased, shall I log it, which one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(
            handler_input
        )
        return yes_no and state.session_state(handler_input).get("pending") in (
            "checkpoint",
            "log_offer",
            "ask",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        cc = state.session_state(handler_input)
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        pending = cc.get("pending")
        if pending == "ask":
            return ask(handler_input, cc.get("ask") or "technique.ask.technique")
        if pending == "log_offer":
            if yes:
                return delegate_log(handler_input)
            end_technique(handler_input)
            return respond(
                handler_input, speech(handler_input).say("technique.cramp.log_declined"), end_session=True
            )
        session = live_session(handler_input)
        if session is None:
            end_technique(handler_input)
            return ask(handler_input, "technique.ask.technique")
        engine = planner(handler_input)
        if yes or cc.get("on_no") == "continue":
            return play(handler_input, transition(session, "continue", engine).state)
        preface: list[tuple[str, dict[str, Any]]] = [("session.keep_going", {})]
        if session.script.startswith("cramp-now") and _cramp_over_ten_minutes(handler_input):
            preface.insert(0, ("technique.cramp.over_ten_minutes", {}))
        return play(handler_input, transition(session, "repeat", engine).state, preface)
