"""Logging cramps by voice: the LogCramp dialog's turns (ask the next question, save), what a
saved entry sets off (red flags, the offer of a technique), and closing a timed cramp.

LogCrampIntent's dialog uses ``delegationStrategy: SKILL_RESPONSE``: the handlers read every turn,
and this flow validates and asks the next question with ``Dialog.ElicitSlot``. The draft is owned by
``skill.state.diary_draft`` (session attributes are the source of truth between turns: elicitations
send the intent back with empty slots, so each request carries only what the user just said); the
timer by ``skill.state.open_cramp``; the translation of slots into the draft is ``skill.diary.answers``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective

from skill import safety
from skill.alexa import slots
from skill.alexa.timezone import zone_name
from skill.diary import answers
from skill.diary.draft import REQUIRED, Draft
from skill.diary.model import CrampEntry
from skill.diary.repository import DuplicateEntry, StorageError
from skill.flows import diary_words as words
from skill.flows.practice import user_id
from skill.safety import redflags
from skill.safety.messages import say_findings
from skill.services import services
from skill.speech.reply import Speech, respond, speech
from skill.state import diary_draft, open_cramp, user
from skill.state import session as namespace
from skill.state.clock import now_utc

log = logging.getLogger(__name__)

LOG_INTENT = "LogCrampIntent"
LOG_SLOTS = (
    "muscle", "side", "when", "date", "time", "severity", "duration", "still_going", "helped", "trigger",
    "symptom", "medicine", "skip",
)  # fmt: skip
OWNER = "diary"  # its questions (``skill.state.session.Pending``): "offer", "retry_save"
MAX_TIMED = timedelta(hours=1)  # "it's gone" later than this: the timer was forgotten, so ask instead
# The coach stamps a timer with the server's clock, "it's gone" carries Alexa's request time (whole
# seconds): a cramp that eased at once may look a moment negative, which is still a measurement.
CLOCK_SKEW = timedelta(seconds=30)
OPEN_WINDOW = timedelta(days=1)  # an open entry older than this is not "the cramp that just stopped"
JUST_HAPPENED = timedelta(minutes=30)
ONE_BREATH_SKIPS = ("side", "when", "helped", "trigger")  # not asked after a one-breath log


def apply_slots(handler_input: HandlerInput, draft: Draft, now: datetime) -> list[answers.Problem]:
    """Copy what this request says into the draft; every unusable value comes back as a problem."""
    said = {
        name: answers.Said(
            slots.slot_text(handler_input, name),
            slots.slot_id(handler_input, name),
            slots.slot_resolved(handler_input, name),
        )
        for name in LOG_SLOTS
        if slots.has_slot(handler_input, name)
    }
    return answers.apply(said, draft, now)


def known_medicines(handler_input: HandlerInput) -> list[str] | None:
    """Medicines the user told us before (None: never asked), kept in the persistent profile."""
    value = user.profile(handler_input).get("medicines")
    return list(value) if isinstance(value, list) else None


def elicit(handler_input: HandlerInput, draft: Draft, slot: str, said: Speech) -> Response:
    """Ask for one slot of LogCrampIntent (from any intent: this chains back into the dialog)."""
    first_optional = slot not in REQUIRED and not draft.asked
    draft.eliciting = slot
    if slot not in REQUIRED:
        draft.mark_asked(slot)
    diary_draft.keep(handler_input, draft)
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
    """Safety first: the help to seek for the user's locale, then why; exercises held back if needed.

    Advice the screen said earlier in this session (``skill.flows.safety_net``) is not said again.
    """
    found = safety.unsaid(handler_input, found)
    say_findings(said, found)
    safety.mark_said(handler_input, found)
    if CLOT_RULES & {rule.id for rule in found.to_say}:
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
    try:
        services(handler_input).diary.add(entry)
    except DuplicateEntry:
        log.info("entry %s was already saved by an earlier attempt", entry.id)
    except StorageError:
        log.exception("could not save a cramp entry")
        draft.eliciting = None
        diary_draft.keep(handler_input, draft)
        namespace.set_pending(handler_input, OWNER, "retry_save")
        said.say("diary.save_failed")
        return respond(handler_input, said, reprompt=speech(handler_input).say("diary.save_failed_reprompt"))
    remember_medicines(handler_input, draft)
    if draft.timer:  # the timed cramp is in the diary now: "it's gone" must not log it twice
        open_cramp.close(handler_input, quietly=True)
    diary_draft.drop(handler_input)
    diary_draft.set_last_logged(handler_input, entry.id)
    red_flag_speech(handler_input, said, found)
    confirmation(said, entry, now)
    if found.stops_exercise:
        namespace.clear_pending(handler_input)
        return respond(handler_input, said.say("diary.saved_take_care"), end_session=True)
    offer = offer_for(entry, now)
    namespace.set_pending(handler_input, OWNER, "offer", offer=offer)
    said.say(f"diary.offer.{offer}")
    return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.offer.{offer}"))


def remember_medicines(handler_input: HandlerInput, draft: Draft) -> None:
    """Medicines are asked once per user; the answer is kept for later entries."""
    if draft.medicines or draft.medicines_answered:
        known = known_medicines(handler_input) or []
        user.profile(handler_input)["medicines"] = sorted(
            {*known, *(m for m in draft.medicines if m != "NONE")}
        )
        try:
            user.save(handler_input)
        except Exception:  # the entry is saved; the medicine list is asked again next time
            log.exception("could not save the medicines to the profile")


TIME_SLOTS = ("when", "date", "time", "duration", "still_going")


def timed_seconds(started: datetime, now: datetime) -> int | None:
    """How long a timer ran, or None when it was forgotten (over an hour) or starts in the future."""
    elapsed = now - started
    if -CLOCK_SKEW <= elapsed <= MAX_TIMED:
        return max(0, int(elapsed.total_seconds()))
    return None


def take_timed_cramp(handler_input: HandlerInput, draft: Draft) -> None:
    """A cramp timed in the last hour (the coach or "start timing") gives its start and length."""
    running = open_cramp.current(handler_input)
    if running is None:
        return
    seconds = timed_seconds(running.started_at, now_utc(handler_input))
    if seconds is None:
        return
    draft.set_when(running.started_at, True)
    draft.duration_s = seconds
    draft.muscle = draft.muscle or running.muscle
    draft.side = draft.side or running.side
    draft.source, draft.timer = running.source or "coach", True
