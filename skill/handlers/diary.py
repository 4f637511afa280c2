"""Logging cramps by voice: the LogCramp dialog, self-timing ("it's gone"), and the practice log.

LogCrampIntent's dialog uses ``delegationStrategy: SKILL_RESPONSE``: this handler reads every turn,
validates, and asks the next question with ``Dialog.ElicitSlot``. The draft is kept in session
attributes, which are the source of truth between turns: the elicitations send the intent back with
empty slots, so each request carries only what the user just said. Help, "yes", "no", "skip" and
unrecognised answers during the dialog come as other intents; they are answered here and chain back
into LogCrampIntent with the same question.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import isodate
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_dialog_state, get_slot, is_intent_name
from ask_sdk_model import (
    DialogState,
    Intent,
    IntentConfirmationStatus,
    Response,
    Slot,
    SlotConfirmationStatus,
)
from ask_sdk_model.dialog import ElicitSlotDirective

from skill import safety
from skill.diary import dates, redflags
from skill.diary.draft import REQUIRED, Draft
from skill.diary.model import (
    HELPED,
    MAX_DURATION_S,
    MEDICINES,
    MUSCLES,
    SIDES,
    SYMPTOMS,
    TRIGGERS,
    CrampEntry,
    iso,
    parse_iso,
)
from skill.diary.repository import DuplicateEntry, StorageError
from skill.handlers import diary_words as words
from skill.handlers import state
from skill.handlers.slots import slot_id, slot_text
from skill.handlers.timezone import user_zone, zone_name
from skill.persistence.sqlite import user_id_of
from skill.safety.messages import say_findings
from skill.services import services
from skill.speech.reply import Speech, respond, speech

log = logging.getLogger(__name__)

LOG_INTENT = "LogCrampIntent"
LOG_SLOTS = (
    "muscle", "side", "when", "date", "time", "severity", "duration", "still_going", "helped", "trigger",
    "symptom", "medicine", "skip",
)  # fmt: skip
DRAFT_KEY, PENDING_KEY, LAST_LOGGED_KEY, OFFER_KEY = "diary_log", "pending", "diary_last", "diary_offer"
OPEN_CRAMP = "open_cramp"  # persistent: {"started_at": ISO UTC, "muscle": id, "side": id | None}
MAX_TIMED = timedelta(hours=1)  # "it's gone" later than this: the timer was forgotten, so ask instead
# The coach stamps a timer with the server's clock, "it's gone" carries Alexa's request time (whole
# seconds): a cramp that eased at once may look a moment negative, which is still a measurement.
CLOCK_SKEW = timedelta(seconds=30)
OPEN_WINDOW = timedelta(days=1)  # an open entry older than this is not "the cramp that just stopped"
JUST_HAPPENED = timedelta(minutes=30)
ONE_BREATH_SKIPS = ("side", "when", "helped", "trigger")  # not asked after a one-breath log

# A part of the day the user named with the CrampWhen type, as AMAZON.DATE / AMAZON.TIME values.
WHEN_VALUES: dict[str, tuple[str | None, str | None]] = {
    "JUST_NOW": ("PRESENT_REF", None),
    "LAST_NIGHT": (None, "NI"),
    "THIS_MORNING": ("TODAY", "MO"),
    "EARLIER_TODAY": ("TODAY", None),
    "LAST_EVENING": ("YESTERDAY", "EV"),
}


class Problem(ValueError):
    """An answer that cannot be used: which slot, and why (a phrase key suffix)."""

    def __init__(self, slot: str, reason: str) -> None:
        super().__init__(f"{slot}: {reason}")
        self.slot, self.reason = slot, reason


def now_utc(handler_input: HandlerInput) -> datetime:
    return services(handler_input).clock()


def local_now(handler_input: HandlerInput) -> datetime:
    """Now in the user's time zone."""
    return now_utc(handler_input).astimezone(user_zone(handler_input))


def user_id(handler_input: HandlerInput) -> str:
    return user_id_of(handler_input.request_envelope)


KNOWN_IDS: dict[str, tuple[str, ...]] = {
    "muscle": MUSCLES, "side": SIDES, "helped": HELPED, "trigger": TRIGGERS,
    "symptom": (*SYMPTOMS, "NONE"), "medicine": (*MEDICINES, "NONE"),
}  # fmt: skip


def _custom(handler_input: HandlerInput, name: str) -> str | None:
    """A custom slot's id; ``Problem(no_match)`` when the user said something that matched nothing."""
    text = slot_text(handler_input, name)
    if text is None:
        return None
    value = slot_id(handler_input, name)
    if value is None and getattr(get_slot(handler_input, name), "resolutions", None) is None:
        # Set by another feature when it chained into this intent: no entity resolution, the value word.
        guess = text.upper().replace(" ", "_")
        value = guess if guess in KNOWN_IDS.get(name, ()) else None
    if value is None:
        raise Problem(name, "no_match")
    return value


def _severity(text: str) -> int:
    try:
        value = float(text)
    except ValueError as exc:
        raise Problem("severity", "not_number") from exc
    if not value.is_integer() or not 0 <= value <= 10:
        raise Problem("severity", "range")
    return int(value)


def _duration(text: str) -> int:
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise Problem("duration", "invalid") from exc
    if isinstance(parsed, isodate.Duration):  # months or years
        raise Problem("duration", "too_long")
    seconds = int(parsed.total_seconds())
    if seconds <= 0:
        raise Problem("duration", "invalid")
    if seconds > MAX_DURATION_S:
        raise Problem("duration", "too_long")
    return seconds


def _when(handler_input: HandlerInput, draft: Draft, now: datetime) -> None:
    named = _custom(handler_input, "when")
    date_value, time_value = slot_text(handler_input, "date"), slot_text(handler_input, "time")
    if named is None and date_value is None and time_value is None:
        return
    default_date, default_time = WHEN_VALUES.get(named or "", (None, None))
    placeholders = {
        "TODAY": now.date().isoformat(),
        "YESTERDAY": (now.date() - timedelta(days=1)).isoformat(),
    }
    date_value = date_value or placeholders.get(default_date or "", default_date)
    time_value = time_value or default_time
    try:
        moment = dates.resolve_when(date_value, time_value, now)
    except dates.DateProblem as exc:
        raise Problem("when", exc.reason) from exc
    draft.set_when(moment.at, moment.exact)


def apply_slots(handler_input: HandlerInput, draft: Draft, now: datetime) -> list[Problem]:
    """Copy what this request says into the draft; every unusable value comes back as a problem."""
    problems: list[Problem] = []

    def attempt(step: Any) -> None:
        try:
            step()
        except Problem as problem:
            problems.append(problem)

    def set_custom(name: str, attribute: str) -> None:
        value = _custom(handler_input, name)
        if value is not None:
            setattr(draft, attribute, value)

    def severity() -> None:
        text = slot_text(handler_input, "severity")
        if text is not None:
            draft.severity = _severity(text)

    def duration() -> None:
        if _custom(handler_input, "still_going"):
            draft.still_going, draft.duration_s = True, None
        text = slot_text(handler_input, "duration")
        if text is not None:
            draft.duration_s, draft.still_going = _duration(text), False

    def symptom() -> None:
        value = _custom(handler_input, "symptom")
        if value == "NONE":
            draft.symptoms_answered = True
        elif value is not None and value not in draft.symptoms:
            draft.symptoms.append(value)

    def medicine() -> None:
        value = _custom(handler_input, "medicine")
        if value == "NONE":
            draft.medicines_answered = True
        elif value is not None and value not in draft.medicines:
            draft.medicines.append(value)

    attempt(lambda: set_custom("muscle", "muscle"))
    attempt(lambda: set_custom("side", "side"))
    attempt(lambda: _when(handler_input, draft, now))
    attempt(severity)
    attempt(duration)
    attempt(lambda: set_custom("helped", "helped"))
    attempt(lambda: set_custom("trigger", "trigger"))
    attempt(symptom)
    attempt(medicine)
    return problems


def load_draft(handler_input: HandlerInput) -> Draft | None:
    data = state.session_state(handler_input).get(DRAFT_KEY)
    return Draft.from_session(data) if data else None


def keep_draft(handler_input: HandlerInput, draft: Draft) -> None:
    state.session_state(handler_input)[DRAFT_KEY] = draft.to_session()


def drop_draft(handler_input: HandlerInput) -> None:
    state.session_state(handler_input).pop(DRAFT_KEY, None)


def known_medicines(handler_input: HandlerInput) -> list[str] | None:
    """Medicines the user told us before (None: never asked), kept in the persistent profile."""
    value = state.profile(handler_input).get("medicines")
    return list(value) if isinstance(value, list) else None


def elicit(handler_input: HandlerInput, draft: Draft, slot: str, said: Speech) -> Response:
    """Ask for one slot of LogCrampIntent (from any intent: this chains back into the dialog)."""
    first_optional = slot not in REQUIRED and not draft.asked
    draft.eliciting = slot
    if slot not in REQUIRED:
        draft.mark_asked(slot)
    keep_draft(handler_input, draft)
    if first_optional:
        said.say("diary.ask.skip_hint")
    said.say(f"diary.ask.{slot}")
    slots = {name: Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE) for name in LOG_SLOTS}
    intent = Intent(name=LOG_INTENT, slots=slots, confirmation_status=IntentConfirmationStatus.NONE)
    handler_input.response_builder.add_directive(
        ElicitSlotDirective(updated_intent=intent, slot_to_elicit=slot)
    )
    return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.ask.{slot}"))


def continue_dialog(handler_input: HandlerInput, draft: Draft, said: Speech | None = None) -> Response:
    """Ask the next question, or save when there is nothing left to ask."""
    said = said or speech(handler_input)
    next_slot = draft.next_slot(ask_medicine=known_medicines(handler_input) is None)
    if next_slot is None:
        return save(handler_input, draft, said)
    return elicit(handler_input, draft, next_slot, said)


CLOT_RULES = frozenset({"possible_clot", "pregnancy_leg"})


def red_flag_speech(handler_input: HandlerInput, said: Speech, found: redflags.Findings) -> None:
    """Safety first: the help to seek for the user's locale, then why; exercises held back if needed."""
    say_findings(said, found)
    if CLOT_RULES & set(found.ids):
        # Logging never asks about the lungs, so say when a possible clot becomes an emergency.
        said.say("diary.clot_emergency", emergency=said.text("safety.emergency_number"))
    if found.stops_exercise:
        safety.hold_leg_exercises(handler_input)


def findings_for(entry: CrampEntry, now: datetime, pregnant: bool = False) -> redflags.Findings:
    """Red flags of an entry; a cramp still going counts the time since it began (when that is known)."""
    seconds = entry.duration_s
    if entry.still_going and entry.time_exact:
        seconds = int((now - entry.started_at).total_seconds())
    context = {"PREGNANT"} if pregnant else set()
    case = redflags.Case.of(
        entry.symptoms, entry.medicines, entry.trigger, entry.side, seconds, context=context
    )
    return redflags.findings(case)


def confirmation(said: Speech, entry: CrampEntry, now: datetime) -> Speech:
    """One sentence: what was logged."""
    fields = {
        "severity": entry.severity,
        "place": words.place(said, entry.muscle, entry.side),
        "when": words.entry_when(said, entry, now),
    }
    if entry.is_open:
        return said.say("diary.saved.still_going", **fields)
    if entry.duration_s is not None:
        return said.say("diary.saved.lasting", duration=words.duration(said, entry.duration_s), **fields)
    return said.say("diary.saved.plain", **fields)


def offer_for(entry: CrampEntry, now: datetime) -> str:
    """The technique to offer after logging: help now, settling back to sleep, or stretches for tonight."""
    if entry.is_open:
        return "cramp_now"
    local = now.astimezone(entry.zone)
    if now - entry.started_at < JUST_HAPPENED and (local.hour >= 21 or local.hour < 6):
        return "breathing"
    return "bedtime_stretches"


def save(handler_input: HandlerInput, draft: Draft, said: Speech | None = None) -> Response:
    """Store the draft; on a storage failure keep it in the session and offer to try again."""
    said = said or speech(handler_input)
    now = now_utc(handler_input)
    entry = draft.to_entry(
        user_id(handler_input), now, zone_name(handler_input), known_medicines(handler_input)
    )
    found = findings_for(entry, now, safety.is_pregnant(handler_input))
    entry = entry.with_changes(red_flags=found.ids)
    session = state.session_state(handler_input)
    try:
        services(handler_input).diary.add(entry)
    except DuplicateEntry:
        log.info("entry %s was already saved by an earlier attempt", entry.id)
    except StorageError:
        log.exception("could not save a cramp entry")
        draft.eliciting = None
        keep_draft(handler_input, draft)
        session[PENDING_KEY] = "diary.retry_save"
        said.say("diary.save_failed")
        return respond(handler_input, said, reprompt=speech(handler_input).say("diary.save_failed_reprompt"))
    remember_medicines(handler_input, draft)
    if draft.timer:
        forget_timed_cramp(handler_input)
    drop_draft(handler_input)
    session[LAST_LOGGED_KEY] = entry.id
    red_flag_speech(handler_input, said, found)
    confirmation(said, entry, now)
    if found.stops_exercise:
        session.pop(PENDING_KEY, None)
        return respond(handler_input, said.say("diary.saved_take_care"), end_session=True)
    offer = offer_for(entry, now)
    session[PENDING_KEY], session[OFFER_KEY] = "diary.offer", offer
    said.say(f"diary.offer.{offer}")
    return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.offer.{offer}"))


def forget_timed_cramp(handler_input: HandlerInput) -> None:
    """The timed cramp is in the diary now: "it's gone" must not log it twice."""
    handler_input.attributes_manager.persistent_attributes.pop(OPEN_CRAMP, None)
    try:
        state.save_persistent(handler_input)
    except Exception:  # the entry is saved; a stale timer is ignored after an hour anyway
        log.exception("could not clear the timed cramp")


def remember_medicines(handler_input: HandlerInput, draft: Draft) -> None:
    """Medicines are asked once per user; the answer is kept for later entries."""
    if draft.medicines or draft.medicines_answered:
        known = known_medicines(handler_input) or []
        state.profile(handler_input)["medicines"] = sorted(
            {*known, *(m for m in draft.medicines if m != "NONE")}
        )
        try:
            state.save_persistent(handler_input)
        except Exception:  # the entry is saved; the medicine list is asked again next time
            log.exception("could not save the medicines to the profile")


class LogCrampIntentHandler(AbstractRequestHandler):
    """Every turn of the LogCramp dialog: take what was said, check it, ask the next question or save."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("LogCrampIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        continuing = get_dialog_state(handler_input) == DialogState.IN_PROGRESS
        draft = load_draft(handler_input) if continuing else None
        if draft is None:
            draft = Draft()
            if not any(slot_text(handler_input, name) for name in TIME_SLOTS):
                take_timed_cramp(handler_input, draft)
        state.session_state(handler_input).pop(PENDING_KEY, None)
        asked, skip = draft.eliciting, slot_id(handler_input, "skip")
        if skip == "DONE":
            draft.finish()
        elif skip == "SKIP":
            draft.skip(asked)
        problems = apply_slots(handler_input, draft, local_now(handler_input))
        if not continuing and slot_text(handler_input, "muscle") and slot_text(handler_input, "severity"):
            # Logged in one breath: keep it quick. Only the length and the safety questions remain.
            for slot in ONE_BREATH_SKIPS:
                draft.mark_asked(slot)
        if problems:
            problem = problems[0]
            slot = "duration" if problem.slot == "still_going" else problem.slot
            said = speech(handler_input).say(f"diary.invalid.{slot}_{problem.reason}")
            return elicit(handler_input, draft, slot, said)
        said = speech(handler_input)
        if not continuing and draft.muscle is None:
            said.say("diary.start")
        if asked in REQUIRED and not draft.known(asked) and skip:
            said.say(f"diary.required.{asked}")
        return continue_dialog(handler_input, draft, said)


TIME_SLOTS = ("when", "date", "time", "duration", "still_going")


def timed_seconds(started: datetime, now: datetime) -> int | None:
    """How long a timer ran, or None when it was forgotten (over an hour) or starts in the future."""
    elapsed = now - started
    if -CLOCK_SKEW <= elapsed <= MAX_TIMED:
        return max(0, int(elapsed.total_seconds()))
    return None


def take_timed_cramp(handler_input: HandlerInput, draft: Draft) -> None:
    """A cramp timed in the last hour (the coach or "start timing") gives its start and length."""
    running = open_cramp(handler_input)
    if running is None:
        return
    started = parse_iso(running["started_at"])
    seconds = timed_seconds(started, now_utc(handler_input))
    if seconds is None:
        return
    draft.set_when(started, True)
    draft.duration_s = seconds
    draft.muscle = draft.muscle or running.get("muscle")
    draft.side = draft.side or running.get("side")
    draft.source, draft.timer = running.get("source", "coach"), True


def start_log(handler_input: HandlerInput, said: Speech | None = None, **known: str | None) -> Response:
    """Begin the LogCramp dialog from another feature with what it knows (``muscle``, ``side`` ids).

    The cramp coach can hand over with this instead of ``Dialog.Delegate``: the muscle and side are
    kept as ids, and a cramp it timed gives the start and the length.
    """
    draft = Draft(muscle=known.get("muscle"), side=known.get("side"))
    take_timed_cramp(handler_input, draft)
    if draft.side is not None or draft.muscle is not None:
        draft.mark_asked("side")
    return continue_dialog(handler_input, draft, said)


def log_dialog_open(handler_input: HandlerInput) -> bool:
    """True while a LogCramp question is waiting for its answer."""
    draft = state.session_state(handler_input).get(DRAFT_KEY)
    return bool(draft and draft.get("eliciting"))


class LogDialogInterruptionHandler(AbstractRequestHandler):
    """Help, yes, no, "skip" and unrecognised answers in the middle of the LogCramp dialog."""

    INTENTS = ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
               "AMAZON.NextIntent")  # fmt: skip

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return log_dialog_open(handler_input) and any(is_intent_name(n)(handler_input) for n in self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        draft = load_draft(handler_input)
        assert draft is not None and draft.eliciting is not None
        slot = draft.eliciting
        said = speech(handler_input)
        if is_intent_name("AMAZON.HelpIntent")(handler_input):
            said.say(f"diary.help.{slot}")
        elif is_intent_name("AMAZON.FallbackIntent")(handler_input):
            said.say(f"diary.fallback.{slot}")
        elif is_intent_name("AMAZON.YesIntent")(handler_input):
            said.say(f"diary.which.{slot}")
        elif slot in REQUIRED:  # "no" or "skip" to a question that needs an answer
            said.say(f"diary.required.{slot}")
        else:
            if is_intent_name("AMAZON.NoIntent")(handler_input):
                draft.symptoms_answered = draft.symptoms_answered or slot == "symptom"
                draft.medicines_answered = draft.medicines_answered or slot == "medicine"
                if slot == "helped":
                    draft.helped = "NOTHING"
            draft.skip(slot)
            return continue_dialog(handler_input, draft, said)
        return elicit(handler_input, draft, slot, said)


class DiaryAnswerHandler(AbstractRequestHandler):
    """A yes or no to the diary's own question: the technique offer, or trying a failed save again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        pending = state.session_state(handler_input).get(PENDING_KEY)
        return pending in {"diary.offer", "diary.retry_save"} and (
            is_intent_name("AMAZON.YesIntent")(handler_input)
            or is_intent_name("AMAZON.NoIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        session = state.session_state(handler_input)
        pending = session.pop(PENDING_KEY)
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        if pending == "diary.retry_save":
            draft = load_draft(handler_input)
            if yes and draft is not None:
                return save(handler_input, draft)
            drop_draft(handler_input)
            return respond(handler_input, speech(handler_input).say("diary.not_saved"), end_session=True)
        offer = session.pop(OFFER_KEY, "bedtime_stretches")
        if yes:
            said = speech(handler_input).say(f"diary.handover.{offer}")
            return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.handover.{offer}"))
        return respond(handler_input, speech(handler_input).say("diary.offer_declined"), end_session=True)


def open_cramp(handler_input: HandlerInput) -> dict[str, Any] | None:
    value = handler_input.attributes_manager.persistent_attributes.get(OPEN_CRAMP)
    return value if isinstance(value, dict) and value.get("started_at") else None


class StartCrampTimerIntentHandler(AbstractRequestHandler):
    """ "Start timing my cramp": remember when it began; "it's gone" closes it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StartCrampTimerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        now = now_utc(handler_input)
        running = open_cramp(handler_input)
        said = speech(handler_input)
        if running and now - parse_iso(running["started_at"]) < MAX_TIMED:
            started = words.when(said, parse_iso(running["started_at"]), now, user_zone(handler_input), True)
            return respond(handler_input, said.say("diary.timer.already", when=started), end_session=True)
        muscle = slot_id(handler_input, "muscle")
        side = slot_id(handler_input, "side")
        attributes = handler_input.attributes_manager.persistent_attributes
        attributes[OPEN_CRAMP] = {"started_at": iso(now), "muscle": muscle, "side": side}
        state.save_persistent(handler_input)
        return respond(handler_input, said.say("diary.timer.started"), end_session=True)


class CrampGoneIntentHandler(AbstractRequestHandler):
    """ "It's gone": close the timed cramp with its measured length, then ask how bad it was."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampGoneIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        now = now_utc(handler_input)
        running = open_cramp(handler_input)
        if running is not None:
            return self._close_timer(handler_input, running, now)
        try:
            entry = services(handler_input).diary.open_entry(user_id(handler_input), now - OPEN_WINDOW)
        except StorageError:
            log.exception("could not read the open entry")
            return respond(handler_input, speech(handler_input).say("diary.read_failed"), end_session=True)
        if entry is not None:
            return self._close_entry(handler_input, entry, now)
        said = speech(handler_input).say("diary.gone.nothing_open")
        return respond(
            handler_input, said, reprompt=speech(handler_input).say("diary.gone.nothing_open_reprompt")
        )

    def _close_timer(self, handler_input: HandlerInput, running: dict[str, Any], now: datetime) -> Response:
        started = parse_iso(running["started_at"])
        handler_input.attributes_manager.persistent_attributes.pop(OPEN_CRAMP, None)
        state.save_persistent(handler_input)
        draft = Draft(
            muscle=running.get("muscle"), side=running.get("side"), source=running.get("source", "timer")
        )
        draft.set_when(started, True)
        draft.mark_asked("side")
        said = speech(handler_input)
        seconds = timed_seconds(started, now)
        if seconds is not None:
            draft.duration_s = seconds
            said.say("diary.gone.timed", duration=words.duration(said, seconds))
        else:
            said.say(
                "diary.gone.too_long_ago", when=words.when(said, started, now, user_zone(handler_input), True)
            )
        return continue_dialog(handler_input, draft, said)

    def _close_entry(self, handler_input: HandlerInput, entry: CrampEntry, now: datetime) -> Response:
        said = speech(handler_input)
        elapsed = now - entry.started_at
        if not entry.time_exact or elapsed > MAX_TIMED:
            # Too long ago to time: the correction intent ("it lasted five minutes") closes it.
            state.session_state(handler_input)[LAST_LOGGED_KEY] = entry.id
            said.say("diary.gone.ask_length", when=words.entry_when(said, entry, now))
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("diary.gone.ask_length_reprompt")
            )
        closed = entry.with_changes(duration_s=int(elapsed.total_seconds()), still_going=False)
        found = findings_for(closed, now, safety.is_pregnant(handler_input))
        closed = closed.with_changes(red_flags=tuple(dict.fromkeys((*entry.red_flags, *found.ids))))
        try:
            services(handler_input).diary.update(closed)
        except StorageError:
            log.exception("could not close the open entry")
            return respond(handler_input, said.say("diary.change_failed"), end_session=True)
        red_flag_speech(handler_input, said, found)
        said.say("diary.gone.closed", duration=words.duration(said, closed.duration_s or 0))
        return respond(handler_input, said, end_session=True)


def record_practice(handler_input: HandlerInput, technique: str, minutes: float, completed: bool) -> bool:
    """Log a technique session in the practice log; never raises (a session must not fail over it).

    Technique handlers call this when a session completes or is stopped early. Returns False when the
    store could not be written (the failure is logged).
    """
    try:
        services(handler_input).diary.record_practice(
            user_id(handler_input),
            technique,
            minutes,
            completed,
            at=now_utc(handler_input),
            time_zone=zone_name(handler_input),
        )
    except (StorageError, ValueError, PersistenceException):  # the last: a request without a user id
        log.exception("could not record practice of %s", technique)
        return False
    return True
