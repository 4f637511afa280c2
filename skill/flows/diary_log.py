"""Logging cramps by voice: the LogCramp dialog's turns (ask the next question, save), what a
saved entry sets off (red flags, the offer of a technique), and closing a timed cramp.

LogCrampIntent's dialog uses ``delegationStrategy: SKILL_RESPONSE``: the handlers read every turn,
and this flow validates and asks the next question with ``Dialog.ElicitSlot``. The draft is owned by
``skill.state.diary_draft`` (session attributes are the source of truth between turns: elicitations
send the intent back with empty slots, so each request carries only what the user just said); the
timer by ``skill.state.open_cramp``; the translation of slots into the draft is ``skill.diary.answers``;
free-text answers are read by ``skill.diary.spoken``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective

from skill import safety
from skill.alexa import slots
from skill.alexa.timezone import zone_name
from skill.diary import answers, spoken
from skill.diary.draft import REQUIRED, Draft
from skill.diary.model import CrampEntry, iso
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


def apply_slots(
    handler_input: HandlerInput, draft: Draft, now: datetime, taken: frozenset[str] = frozenset()
) -> list[answers.Problem]:
    """Copy what this request says into the draft; every unusable value comes back as a problem.
    ``taken``: slots already read from their words (``read_spoken``)."""
    said = {
        name: answers.Said(
            slots.slot_text(handler_input, name),
            slots.slot_id(handler_input, name),
            slots.slot_resolved(handler_input, name),
        )
        for name in LOG_SLOTS
        if slots.has_slot(handler_input, name) and name not in taken
    }
    return answers.apply(said, draft, now)


SPOKEN = ("muscle", "side", "severity", "duration", "when")  # answers ``skill.diary.spoken`` reads


def _understood(handler_input: HandlerInput, name: str) -> bool:
    """True when Alexa's own value for the slot can be used as it is."""
    text = slots.slot_text(handler_input, name)
    if name in ("muscle", "side", "when"):
        return slots.slot_id(handler_input, name) is not None or not slots.slot_resolved(handler_input, name)
    try:
        answers.severity(text or "") if name == "severity" else answers.duration(text or "")
    except answers.Problem:
        return False
    return True


def read_spoken(handler_input: HandlerInput, draft: Draft, now: datetime) -> frozenset[str]:
    """Answers Alexa heard but could not resolve ("about a five I suppose", "left... no wait, the
    right", "when I woke up"), read from their words; returns the slots taken this way. An answer
    still unclear is left to ``apply_slots``, which reports it (and the question is asked again)."""
    locale = str(get_locale(handler_input) or "en-US")
    taken = set()
    for name in SPOKEN:
        text = slots.slot_text(handler_input, name)
        if not text or _understood(handler_input, name):
            continue
        if name == "when" and any(slots.slot_text(handler_input, other) for other in ("date", "time")):
            continue
        if name == "severity" and (_CLOCK.search(text.lower()) or re.fullmatch(r"[-+]?[\d.]+", text)):
            continue  # "at three am" is a time, and Alexa's own number is out of range: asked again
        heard: spoken.Heard[Any] = (
            spoken.when(text, now, locale) if name == "when" else spoken.answer(name, text, locale)
        )
        if heard.declined:
            draft.skip(name)
        elif heard.value is None:
            continue
        elif name == "when":
            draft.set_when(heard.value.at, heard.value.exact)
        elif name == "duration":
            still = heard.value == spoken.STILL_GOING
            draft.still_going, draft.duration_s = still, None if still else int(heard.value)
        else:
            setattr(draft, name, heard.value)
        taken.add(name)
        if name == "muscle":  # "my right calf at about two this morning": the rest of it too
            taken |= _read_along(handler_input, draft, text, now, locale)
    return frozenset(taken)


def _read_along(handler_input: HandlerInput, draft: Draft, text: str, now: datetime, locale: str) -> set[str]:
    """The side, time and severity said with the muscle in one unresolved phrase, when this request
    gives them no slot of their own (a reader that is unsure gives nothing)."""
    taken = set()
    if draft.side is None and not slots.slot_text(handler_input, "side"):
        side = spoken.side(text, locale)
        if side.value is not None:
            draft.side = side.value
            taken.add("side")
    if draft.at is None and not any(slots.slot_text(handler_input, n) for n in ("when", "date", "time")):
        moment = spoken.when(text, now, locale)
        if moment.value is not None:
            draft.set_when(moment.value.at, moment.value.exact)
            taken.add("when")
    if draft.severity is None and not slots.slot_text(handler_input, "severity"):
        rating = spoken.severity(text, locale)
        if rating.value is not None and _rating_said(text):
            draft.severity = rating.value
            taken.add("severity")
    return taken


# A rating said inside a longer phrase: "about a six", "severity 7", "an eight", "a 5 out of 10"
# (not "the right one", "at one am" or "for two minutes"). The pattern is ours: no library reads this.
_RATING = re.compile(
    r"\b(?:a|an|about|around|maybe|severity|level)\s+(?:\d+|zero|one|two|three|four|five|six|seven|eight|nine|"
    r"ten)\b(?!\s*(?:am|pm|a\.m|p\.m|o'clock|minutes?|mins?|seconds?|hours?|this|last|in the))"
    r"|\bout of (?:ten|10)\b"
)


_CLOCK = re.compile(r"\b(?:am|pm|a\.m|p\.m|o'clock|at)\b")


def _rating_said(text: str) -> bool:
    return _RATING.search(text.lower()) is not None


def known_medicines(handler_input: HandlerInput) -> list[str] | None:
    """Medicines the user told us before (None: never asked), kept in the persistent profile."""
    value = user.profile(handler_input).get("medicines")
    return list(value) if isinstance(value, list) else None


def elicit(
    handler_input: HandlerInput, draft: Draft, slot: str, said: Speech, *, reask: bool = False
) -> Response:
    """Ask for one slot of LogCrampIntent (from any intent: this chains back into the dialog).

    ``reask``: the answer was not understood; the question comes again once, with examples.
    """
    first_optional = slot not in REQUIRED and not draft.asked
    draft.eliciting = slot
    if slot not in REQUIRED:
        draft.mark_asked(slot)
    if reask and slot not in draft.retried:
        draft.retried.append(slot)
    diary_draft.keep(handler_input, draft)
    if first_optional:
        said.say("diary.ask.skip_hint")
    said.say(f"diary.reask.{slot}" if reask else f"diary.ask.{slot}")
    slots = {name: Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE) for name in LOG_SLOTS}
    intent = Intent(name=LOG_INTENT, slots=slots, confirmation_status=IntentConfirmationStatus.NONE)
    handler_input.response_builder.add_directive(
        ElicitSlotDirective(updated_intent=intent, slot_to_elicit=slot)
    )
    return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.ask.{slot}"))


def unclear(handler_input: HandlerInput, draft: Draft, slot: str, said: Speech) -> Response:
    """An answer not understood: one clear re-ask with examples; a second time, an optional question
    is let go (the entry is kept as it is) and the dialog moves on."""
    if slot in draft.retried and slot not in REQUIRED:
        draft.skip(slot)
        return continue_dialog(handler_input, draft, said)
    return elicit(handler_input, draft, slot, said, reask=True)


def continue_dialog(handler_input: HandlerInput, draft: Draft, said: Speech | None = None) -> Response:
    """Save what is known (as soon as the muscle is), then ask the next question or finish."""
    said = said or speech(handler_input)
    if draft.muscle is not None:
        ended = store(handler_input, draft, said)
        if ended is not None:
            return ended
    next_slot = draft.next_slot(ask_medicine=known_medicines(handler_input) is None)
    if next_slot is None:
        return finish(handler_input, draft, said)
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
    if entry.severity is None:
        return unrated_confirmation(said, entry, now)
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


def unrated_confirmation(said: Speech, entry: CrampEntry, now: datetime) -> Speech:
    place, when = words.place(said, entry.muscle, entry.side), words.entry_when(said, entry, now)
    fields = {"place": place, "when": when}
    if entry.is_open:
        return said.say("diary.saved.still_going_unrated", **fields)
    if entry.duration_s is not None:
        duration = words.duration(said, entry.duration_s)
        return said.say("diary.saved.lasting_unrated", duration=duration, **fields)
    return said.say("diary.saved.plain_unrated", **fields)


def offer_for(entry: CrampEntry, now: datetime) -> str:
    """The technique to offer after logging: help now, settling back to sleep, or stretches for tonight."""
    if entry.is_open:
        return "cramp_now"
    local = now.astimezone(entry.zone)
    if now - entry.started_at < JUST_HAPPENED and (local.hour >= 21 or local.hour < 6):
        return "breathing"
    return "bedtime_stretches"


def store(handler_input: HandlerInput, draft: Draft, said: Speech) -> Response | None:
    """Put the draft in the diary (added the first time, updated after), say the confirmation the
    first time and any new red flag. Returns a response only when the dialog must end here: the save
    failed (the draft is kept and a retry offered) or a red flag stops the exercises."""
    now = now_utc(handler_input)
    entry = draft.to_entry(
        user_id(handler_input), now, zone_name(handler_input), known_medicines(handler_input)
    )
    found = findings_for(entry, now, safety.is_pregnant(handler_input))
    entry = entry.with_changes(red_flags=found.ids)
    diary = services(handler_input).diary
    try:
        if draft.saved_at is None:
            try:
                diary.add(entry)
            except DuplicateEntry:
                log.info("entry %s was already saved by an earlier attempt", entry.id)
                diary.update(entry)
        else:
            diary.update(entry)
    except StorageError:
        log.exception("could not save a cramp entry")
        draft.eliciting = None
        diary_draft.keep(handler_input, draft)
        namespace.set_pending(handler_input, OWNER, "retry_save")
        said.say("diary.save_failed")
        return respond(handler_input, said, reprompt=speech(handler_input).say("diary.save_failed_reprompt"))
    first = draft.saved_at is None
    draft.saved_at = draft.saved_at or iso(now)
    remember_medicines(handler_input, draft)
    if draft.timer:  # the timed cramp is in the diary now: "it's gone" must not log it twice
        open_cramp.close(handler_input, quietly=True)
        draft.timer = False
    diary_draft.set_last_logged(handler_input, entry.id)
    if set(found.ids) - set(draft.flags_told):
        draft.flags_told = list(found.ids)
        red_flag_speech(handler_input, said, found)
        if found.stops_exercise:
            confirmation(said, entry, now)
            diary_draft.drop(handler_input)
            namespace.clear_pending(handler_input)
            return respond(handler_input, said.say("diary.saved_take_care"), end_session=True)
    if first:
        confirmation(said, entry, now)
        draft.told = draft.summary()
    diary_draft.keep(handler_input, draft)
    return None


def finish(handler_input: HandlerInput, draft: Draft, said: Speech | None = None) -> Response:
    """Nothing more to ask: say what is in the diary if it changed since the first confirmation, and
    offer the technique that fits."""
    said = said or speech(handler_input)
    now = now_utc(handler_input)
    entry = draft.to_entry(
        user_id(handler_input), now, zone_name(handler_input), known_medicines(handler_input)
    )
    if draft.told != draft.summary():
        confirmation(said, entry, now)
    diary_draft.drop(handler_input)
    offer = offer_for(entry, now)
    namespace.set_pending(handler_input, OWNER, "offer", offer=offer)
    said.say(f"diary.offer.{offer}")
    return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.offer.{offer}"))


def save(handler_input: HandlerInput, draft: Draft, said: Speech | None = None) -> Response:
    """Store the draft now and end its questions ("that's all", a retried save)."""
    said = said or speech(handler_input)
    ended = store(handler_input, draft, said)
    return ended if ended is not None else finish(handler_input, draft, said)


def settle(handler_input: HandlerInput) -> Speech | None:
    """The user left the dialog (a question, another feature, stop): the draft is already in the
    diary if its muscle was known. Forget the dialog and return what to tell the user about it
    (None when no dialog was open)."""
    draft = diary_draft.load(handler_input)
    if draft is None or draft.eliciting is None:
        return None
    diary_draft.drop(handler_input)
    said = speech(handler_input)
    if draft.muscle is None:
        return said.say("diary.not_kept_note")
    if draft.saved_at is None and store(handler_input, draft, speech(handler_input)) is not None:
        diary_draft.drop(handler_input)  # the save failed: said by ``diary.save_failed`` next time
        namespace.clear_pending(handler_input, OWNER)
        return said.say("diary.save_failed_note")
    diary_draft.drop(handler_input)
    return said.say("diary.kept_note", place=words.place(said, draft.muscle, draft.side))


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


def start_from_coach(
    handler_input: HandlerInput, muscle: str | None, side: str | None, said: Speech
) -> Response:
    """The cramp coach hands over: its timer gives the start and length, its muscle and side carry
    over, so the cramp is in the diary before the first question."""
    draft = Draft(source="coach")
    take_timed_cramp(handler_input, draft)
    draft.muscle = draft.muscle or muscle
    draft.side = draft.side or side
    if draft.side is not None:
        draft.mark_asked("side")
    return continue_dialog(handler_input, draft, said)
