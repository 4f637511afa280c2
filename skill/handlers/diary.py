"""Logging cramps by voice: every turn of the LogCramp dialog, its interruptions (help, yes, no,
"skip"), the diary's own yes/no questions, "start timing my cramp" and "it's gone".

The dialog's work is ``skill.flows.diary_log``; its state is owned by ``skill.state.diary_draft``
and ``skill.state.open_cramp``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ask_sdk_core.dispatch_components import (
    AbstractRequestHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_dialog_state, is_intent_name
from ask_sdk_model import DialogState, IntentRequest, Response
from ask_sdk_model.ui import SsmlOutputSpeech

from skill import safety
from skill.alexa import slots
from skill.alexa.slots import slot_id, slot_text
from skill.alexa.timezone import user_zone
from skill.diary.draft import DETAILS, REQUIRED, Draft
from skill.diary.model import CrampEntry
from skill.diary.repository import StorageError
from skill.flows import diary_log as flow
from skill.flows import diary_words as words
from skill.flows.practice import user_id
from skill.services import services
from skill.speech.reply import FIRST, respond, say_first, speech
from skill.state import diary_draft, open_cramp
from skill.state import session as namespace
from skill.state.clock import local_now, now_utc

log = logging.getLogger(__name__)


class LogCrampIntentHandler(AbstractRequestHandler):
    """Every turn of the LogCramp dialog: take what was said, check it, ask the next question or save."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("LogCrampIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        continuing = get_dialog_state(handler_input) == DialogState.IN_PROGRESS
        draft = diary_draft.load(handler_input) if continuing else None
        if draft is None:
            draft = Draft()
            if not any(slot_text(handler_input, name) for name in flow.TIME_SLOTS):
                flow.take_timed_cramp(handler_input, draft)
        namespace.clear_pending(handler_input, flow.OWNER)
        asked, skip = draft.eliciting, slot_id(handler_input, "skip")
        if skip == "DONE":
            draft.finish()
        elif skip == "SKIP":
            draft.skip(asked)
        now = local_now(handler_input)
        taken = flow.read_spoken(handler_input, draft, now)
        problems = flow.apply_slots(handler_input, draft, now, taken)
        if not continuing and draft.muscle is not None and slot_text(handler_input, "severity"):
            # Logged in one breath: keep it quick. Only the length and the safety questions remain.
            for slot in flow.ONE_BREATH_SKIPS:
                draft.mark_asked(slot)
        said = speech(handler_input)
        if problems:
            problem = problems[0]
            slot = "duration" if problem.slot == "still_going" else problem.slot
            if draft.muscle is not None and draft.saved_at is None:
                ended = flow.store(handler_input, draft, said)  # keep what was understood
                if ended is not None:
                    return ended
            if problem.reason in ("no_match", "not_number", "invalid"):
                return flow.unclear(handler_input, draft, slot, said)
            said.say(f"diary.invalid.{slot}_{problem.reason}")
            return flow.elicit(handler_input, draft, slot, said)
        if not continuing and draft.muscle is None:
            said.say("diary.start")
        if asked in REQUIRED and not draft.known(asked) and skip:
            said.say(f"diary.required.{asked}")
        if skip == "DONE" and draft.muscle is not None:
            return flow.save(handler_input, draft, said)
        return flow.continue_dialog(handler_input, draft, said)


class LogDialogInterruptionHandler(AbstractRequestHandler):
    """Help, yes, no, "skip" and unrecognised answers in the middle of the LogCramp dialog."""

    INTENTS = ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
               "AMAZON.NextIntent")  # fmt: skip

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return diary_draft.dialog_open(handler_input) and slots.any_of(handler_input, *self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        draft = diary_draft.load(handler_input)
        assert draft is not None and draft.eliciting is not None
        slot = draft.eliciting
        said = speech(handler_input)
        if is_intent_name("AMAZON.HelpIntent")(handler_input):
            said.say(f"diary.help.{slot}")
        elif is_intent_name("AMAZON.FallbackIntent")(handler_input):
            return flow.unclear(handler_input, draft, slot, said)
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
                if slot in DETAILS and draft.saved_at is not None:  # "no" to the details: done
                    draft.finish()
            draft.skip(slot)
            return flow.continue_dialog(handler_input, draft, said)
        return flow.elicit(handler_input, draft, slot, said)


class DiaryAnswerHandler(AbstractRequestHandler):
    """A yes or no to the diary's own question: the technique offer, or trying a failed save again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return slots.is_yes_or_no(handler_input) and (
            namespace.pending_for(handler_input, flow.OWNER, "offer", "retry_save") is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        pending = namespace.clear_pending(handler_input, flow.OWNER)
        assert pending is not None  # per can_handle
        yes = slots.is_yes(handler_input)
        if pending.key == "retry_save":
            draft = diary_draft.load(handler_input)
            if yes and draft is not None:
                return flow.save(handler_input, draft)
            diary_draft.drop(handler_input)
            return respond(handler_input, speech(handler_input).say("diary.not_saved"), end_session=True)
        offer = str(pending.params.get("offer") or "bedtime_stretches")
        if yes:
            said = speech(handler_input).say(f"diary.handover.{offer}")
            return respond(handler_input, said, reprompt=speech(handler_input).say(f"diary.handover.{offer}"))
        return respond(handler_input, speech(handler_input).say("diary.offer_declined"), end_session=True)


class StartCrampTimerIntentHandler(AbstractRequestHandler):
    """ "Start timing my cramp": remember when it began; "it's gone" closes it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StartCrampTimerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        now = now_utc(handler_input)
        running = open_cramp.current(handler_input)
        said = speech(handler_input)
        if running and running.running_for(now) < flow.MAX_TIMED:
            started = words.when(said, running.started_at, now, user_zone(handler_input), True)
            return respond(handler_input, said.say("diary.timer.already", when=started), end_session=True)
        open_cramp.start(handler_input, slot_id(handler_input, "muscle"), slot_id(handler_input, "side"))
        return respond(handler_input, said.say("diary.timer.started"), end_session=True)


class CrampGoneIntentHandler(AbstractRequestHandler):
    """ "It's gone": close the timed cramp with its measured length, then ask how bad it was."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampGoneIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        now = now_utc(handler_input)
        running = open_cramp.current(handler_input)
        if running is not None:
            return self._close_timer(handler_input, running, now)
        try:
            entry = services(handler_input).diary.open_entry(user_id(handler_input), now - flow.OPEN_WINDOW)
        except StorageError:
            log.exception("could not read the open entry")
            return respond(handler_input, speech(handler_input).say("diary.read_failed"), end_session=True)
        if entry is not None:
            return self._close_entry(handler_input, entry, now)
        said = speech(handler_input).say("diary.gone.nothing_open")
        return respond(
            handler_input, said, reprompt=speech(handler_input).say("diary.gone.nothing_open_reprompt")
        )

    def _close_timer(
        self, handler_input: HandlerInput, running: open_cramp.OpenCramp, now: datetime
    ) -> Response:
        started = running.started_at
        open_cramp.close(handler_input)
        draft = Draft(muscle=running.muscle, side=running.side, source=running.source or "timer")
        draft.set_when(started, True)
        draft.mark_asked("side")
        said = speech(handler_input)
        seconds = flow.timed_seconds(started, now)
        if seconds is not None:
            draft.duration_s = seconds
            said.say("diary.gone.timed", duration=words.duration(said, seconds))
        else:
            said.say(
                "diary.gone.too_long_ago", when=words.when(said, started, now, user_zone(handler_input), True)
            )
        return flow.continue_dialog(handler_input, draft, said)

    def _close_entry(self, handler_input: HandlerInput, entry: CrampEntry, now: datetime) -> Response:
        said = speech(handler_input)
        elapsed = now - entry.started_at
        if not entry.time_exact or elapsed > flow.MAX_TIMED:
            # Too long ago to time: the correction intent ("it lasted five minutes") closes it.
            diary_draft.set_last_logged(handler_input, entry.id)
            said.say("diary.gone.ask_length", when=words.entry_when(said, entry, now))
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("diary.gone.ask_length_reprompt")
            )
        closed = entry.with_changes(duration_s=int(elapsed.total_seconds()), still_going=False)
        found = flow.findings_for(closed, now, safety.is_pregnant(handler_input))
        closed = closed.with_changes(red_flags=tuple(dict.fromkeys((*entry.red_flags, *found.ids))))
        try:
            services(handler_input).diary.update(closed)
        except StorageError:
            log.exception("could not close the open entry")
            return respond(handler_input, said.say("diary.change_failed"), end_session=True)
        flow.red_flag_speech(handler_input, said, found)
        said.say("diary.gone.closed", duration=words.duration(said, closed.duration_s or 0))
        return respond(handler_input, said, end_session=True)


# Requests that belong to the LogCramp dialog (its answers, help, "that's all", "it was my calf",
# "undo"): every other request while a question waits leaves the dialog.
DIALOG_INTENTS = frozenset({
    "LogCrampIntent", "CorrectCrampIntent", "DeleteLastCrampIntent", *LogDialogInterruptionHandler.INTENTS,
})  # fmt: skip


class LeaveDialogInterceptor(AbstractRequestInterceptor):
    """A question, another feature, stop or cancel in the middle of a log: what is known is kept
    (saved as soon as the muscle is known) and the user is told so, before the other answer but
    after any red-flag advice (this interceptor runs after the safety screen's, and both queue
    their words with ``say_first``)."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        if not isinstance(request, IntentRequest) or not diary_draft.dialog_open(handler_input):
            return
        if request.intent is None or request.intent.name in DIALOG_INTENTS:
            return
        note = flow.settle(handler_input)
        if note:
            say_first(handler_input, note)


class LeaveDialogNoteInterceptor(AbstractResponseInterceptor):
    """The queued first words (the draft's note, red-flag advice) for a reply built without
    ``respond`` and without speech (e.g. stopping the AudioPlayer), so they are never dropped."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        first = handler_input.attributes_manager.request_attributes.pop(FIRST, None)
        if not isinstance(first, list) or not first or response is None or response.output_speech:
            return
        said = speech(handler_input)
        said._parts = list(first)
        response.output_speech = SsmlOutputSpeech(ssml=said.ssml())
