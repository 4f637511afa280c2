"""Personal touches: a welcome back that knows the user, the morning check-in, preferences, "the usual".

The welcome back (a returning user's launch) names the last technique, mentions a practice streak
or this week's minutes at most once a day, and asks at most one question: "Any cramps last night?"
the first time the user opens the skill after a night they practised, or else whether to carry on
with a session they stopped. Yes and no belong to that question only while it is the open one
(``skill.state.session.Pending``, the one open question every feature shares).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import DelegateDirective

from skill.alexa import slots
from skill.alexa.slots import slot_id, slot_text
from skill.diary.dates import night_of
from skill.diary.repository import StorageError
from skill.engine.script import Options, ScriptError, load_script
from skill.engine.session import SessionState
from skill.flows import choices
from skill.flows import technique as flow
from skill.flows.practice import user_id
from skill.personal import disclaimer, preferences, welcome
from skill.personal.progress import last_night, practised_on, progress
from skill.services import services
from skill.speech.reply import Speech, respond, speech
from skill.state import session as state
from skill.state import technique as technique_state
from skill.state import user
from skill.state.clock import local_now, now_utc

log = logging.getLogger(__name__)

OWNER = "personal"
CHECKIN, RESUME = "checkin", "resume"  # its questions (``skill.state.session.Pending``)
NIGHTS = "nights"  # profile: night (ISO date) → "none" (no cramps, said at check-in) / "asked"
KEEP_NIGHTS = 60
PROGRESS_SAID = "progress_said_on"  # profile: the local date the streak was last mentioned
MIN_STREAK, MIN_WEEK_MINUTES = 2, 10  # below these there is nothing worth saying
LOG_INTENT = "LogCrampIntent"


def title_of(handler_input: HandlerInput, script_id: str) -> str | None:
    try:
        return load_script(script_id, flow.locale_of(handler_input)).title.lower()
    except (ScriptError, FileNotFoundError):
        return None


def nights(handler_input: HandlerInput) -> dict[str, str]:
    found = user.profile(handler_input).get(NIGHTS)
    return found if isinstance(found, dict) else {}


def note_night(handler_input: HandlerInput, night: date, answer: str) -> None:
    """Remember the check-in for a night (the newest ``KEEP_NIGHTS`` are kept)."""
    kept = dict(sorted({**nights(handler_input), night.isoformat(): answer}.items())[-KEEP_NIGHTS:])
    user.profile(handler_input)[NIGHTS] = kept
    user.save(handler_input)


def _checkin_night(handler_input: HandlerInput, now: datetime, practice: list[Any]) -> date | None:
    """Last night, when the user practised before it, logged no cramp for it and was not asked yet."""
    night = last_night(now)
    if night is None or night.isoformat() in nights(handler_input) or not practised_on(practice, night):
        return None
    start = datetime.combine(night, time(12), now.tzinfo)
    try:
        logged = services(handler_input).diary.entries(
            user_id(handler_input), start, start + timedelta(days=1)
        )
    except StorageError:
        log.exception("could not read last night's entries")
        return None
    return None if any(night_of(e.local_start) == night for e in logged) else night


def _progress_line(handler_input: HandlerInput, said: Speech, now: datetime, practice: list[Any]) -> None:
    """A short, once-a-day note of a streak or this week's minutes; nothing about missed nights."""
    profile = user.profile(handler_input)
    if profile.get(PROGRESS_SAID) == now.date().isoformat():
        return
    found = progress(practice, now)
    streak = found.streak >= MIN_STREAK
    minutes = found.week_minutes >= MIN_WEEK_MINUTES
    if streak and minutes:
        said.say("personal.progress.both", nights=found.streak, minutes=found.week_minutes)
    elif streak:
        said.say("personal.progress.streak", nights=found.streak)
    elif minutes:
        said.say("personal.progress.minutes", minutes=found.week_minutes)
    else:
        return
    profile[PROGRESS_SAID] = now.date().isoformat()
    user.save(handler_input)


def _resumable(handler_input: HandlerInput) -> SessionState | None:
    """The stopped session, when it is still worth offering back (``skill.personal.welcome``)."""
    stopped = technique_state.unfinished(handler_input)
    saved_at = technique_state.unfinished_saved_at(handler_input)
    # The same clock that stamped ``saved_at`` (skill.state.technique.save_unfinished).
    if stopped is None or not welcome.worth_resuming(stopped.script, saved_at, now_utc(handler_input)):
        return None
    return stopped


class WelcomeBackLaunchHandler(AbstractRequestHandler):
    """A returning user's launch: welcome by the last technique, progress, then one question at most."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input) and disclaimer.heard_by(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = speech(handler_input)
        now = local_now(handler_input)
        try:
            practice = services(handler_input).diary.practice(
                user_id(handler_input), now - timedelta(days=60)
            )
        except StorageError:
            log.exception("could not read the practice log")
            practice = []
        night = _checkin_night(handler_input, now, practice)
        stopped = None if night is not None else _resumable(handler_input)
        stopped_title = title_of(handler_input, stopped.script) if stopped else None
        last = preferences.last_technique(handler_input)
        key, params = welcome.welcome_line(title_of(handler_input, last[0]) if last else None, stopped_title)
        said.say(key, **params)
        _progress_line(handler_input, said, now, practice)
        if night is not None:
            note_night(handler_input, night, "asked")  # asked once, whatever the answer
            state.set_pending(handler_input, OWNER, CHECKIN, night=night.isoformat())
            said.say("personal.checkin.ask")
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("personal.checkin.reprompt")
            )
        if stopped_title:
            state.set_pending(handler_input, OWNER, RESUME)
            said.say("personal.resume.offer", title=stopped_title)
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("personal.resume.reprompt")
            )
        said.say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


def _log_last_night(handler_input: HandlerInput) -> Response:
    """Hand over to the diary's LogCramp dialog with "last night" already filled in."""
    slot = Slot(name="when", value="last night", confirmation_status=SlotConfirmationStatus.NONE)
    handler_input.response_builder.add_directive(
        DelegateDirective(
            updated_intent=Intent(
                name=LOG_INTENT, slots={"when": slot}, confirmation_status=IntentConfirmationStatus.NONE
            )
        )
    )
    # Intent chaining: speech before the dialog's first prompt is allowed, a reprompt is not.
    return respond(handler_input, speech(handler_input).say("personal.checkin.log_handover"))


class WelcomeAnswerHandler(AbstractRequestHandler):
    """Yes or no to the welcome's question: the morning check-in, or carrying on a stopped session."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return slots.is_yes_or_no(handler_input) and (
            state.pending_for(handler_input, OWNER, CHECKIN, RESUME) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        pending = state.clear_pending(handler_input, OWNER)
        assert pending is not None  # per can_handle
        yes = slots.is_yes(handler_input)
        if pending.key == CHECKIN:
            try:
                night = date.fromisoformat(str(pending.params.get("night")))
            except ValueError:
                night = night_of(local_now(handler_input)) - timedelta(days=1)
            if yes:
                note_night(handler_input, night, "cramps")
                return _log_last_night(handler_input)
            note_night(handler_input, night, "none")
            said = speech(handler_input).say("personal.checkin.none").say("launch.what_to_say")
            return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))
        stopped = technique_state.unfinished(handler_input)
        if yes and stopped is not None:
            return flow.resume_unfinished(
                handler_input, stopped, title_of(handler_input, stopped.script) or ""
            )
        said = speech(handler_input).say("personal.resume.declined").say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


class SetPreferenceIntentHandler(AbstractRequestHandler):
    """ "Always go slower", "always whisper", "my favourite is box breathing", "always do five minutes"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetPreferenceIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = speech(handler_input)
        pace, voice = slot_id(handler_input, "pace"), slot_id(handler_input, "voice")
        technique, pattern = slot_id(handler_input, "technique"), slot_id(handler_input, "pattern")
        minutes = _minutes(handler_input)
        changed: dict[str, Any] = {}
        if pace in preferences.PACE_FOR:
            changed["pace"] = None if pace == "NORMAL" else pace
            said.say(f"personal.prefs.pace.{pace}")
        if voice in ("WHISPER", "NORMAL"):
            changed["voice"] = voice.lower() if voice == "WHISPER" else None
            said.say(f"personal.prefs.voice.{voice}")
        script = choices.SCRIPT_FOR_PATTERN.get(pattern or "") or choices.SCRIPT_FOR_TECHNIQUE.get(
            technique or ""
        )
        if pattern and script:
            title = title_of(handler_input, script)
        elif technique in choices.SCRIPT_FOR_TECHNIQUE:
            title = said.text(f"personal.technique.{technique}")
        else:
            title = None
        if minutes is not None:
            lengths = dict(preferences.preferences(handler_input).get("lengths") or {})
            what = _technique_of(handler_input, script)
            if what:
                lengths[what] = minutes
                changed["lengths"] = lengths
            else:
                changed["minutes"] = minutes
            said.say(
                "personal.prefs.minutes",
                what=title or said.text("personal.prefs.sessions"),
                minutes=int(minutes) if minutes.is_integer() else minutes,
            )
        elif pattern and script:
            changed["pattern"] = pattern
            said.say("personal.prefs.pattern", title=title or "")
        elif technique and script:
            changed["technique"] = technique
            said.say("personal.prefs.favourite", title=title or "")
        if not changed:
            said.say("personal.prefs.unclear")
            return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))
        preferences.update(handler_input, **changed)
        return respond(
            handler_input,
            said.say("personal.anything_else"),
            reprompt=speech(handler_input).say("launch.reprompt"),
        )


def _minutes(handler_input: HandlerInput) -> float | None:
    """A whole-session length in minutes from the AMAZON.NUMBER slot, when it is a sensible one."""
    try:
        number = float(slot_text(handler_input, "minutes") or "nan")
    except ValueError:
        return None
    return number if 0 < number <= 60 else None


def _technique_of(handler_input: HandlerInput, script_id: str | None) -> str | None:
    if not script_id:
        return None
    try:
        return load_script(script_id, flow.locale_of(handler_input)).technique
    except (ScriptError, FileNotFoundError):
        return None


def _favourite(handler_input: HandlerInput) -> str | None:
    prefs = preferences.preferences(handler_input)
    return choices.SCRIPT_FOR_PATTERN.get(prefs.get("pattern") or "") or choices.SCRIPT_FOR_TECHNIQUE.get(
        prefs.get("technique") or ""
    )


def _start_first(handler_input: HandlerInput, choices: list[tuple[str, Options] | None]) -> Response:
    for choice in choices:
        if choice is not None:
            return flow.start(handler_input, choice[0], choice[1])
    said = speech(handler_input).say("personal.usual.unknown").say("launch.what_to_say")
    return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


class UsualIntentHandler(AbstractRequestHandler):
    """ "The usual" / "my favourite": the favourite the user named, else the last technique."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("UsualIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        favourite = _favourite(handler_input)
        last = preferences.last_technique(handler_input)
        return _start_first(handler_input, [(favourite, Options()) if favourite else None, last])


class SameAsLastTimeIntentHandler(AbstractRequestHandler):
    """ "Same as last time": the last technique with the same options, else the favourite."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SameAsLastTimeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        favourite = _favourite(handler_input)
        last = preferences.last_technique(handler_input)
        return _start_first(handler_input, [last, (favourite, Options()) if favourite else None])


class ForgetPreferencesIntentHandler(AbstractRequestHandler):
    """ "Forget my preferences": back to the defaults (pregnancy mode has its own off switch)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ForgetPreferencesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        preferences.forget(handler_input)
        said = speech(handler_input).say("personal.prefs.forgotten").say("launch.what_to_say")
        return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))
