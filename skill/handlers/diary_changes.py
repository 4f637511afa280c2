"""Changing the diary: undo the last entry, correct one of its fields, or delete everything."""

from __future__ import annotations

import logging
from typing import cast

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import IntentConfirmationStatus, IntentRequest, Response
from ask_sdk_model.dialog import ConfirmIntentDirective

from skill import safety
from skill.alexa.slots import slot_id, slot_text
from skill.diary.draft import Draft
from skill.diary.model import CrampEntry
from skill.diary.repository import StorageError
from skill.flows import diary_words as words
from skill.flows.diary_log import apply_slots, confirmation, findings_for, red_flag_speech
from skill.flows.practice import user_id
from skill.services import services
from skill.speech.reply import respond, speech
from skill.state import diary_draft, open_cramp, user
from skill.state.clock import local_now, now_utc

log = logging.getLogger(__name__)

CORRECTABLE = (
    "muscle",
    "side",
    "severity",
    "duration",
    "when",
    "date",
    "time",
    "helped",
    "trigger",
    "symptom",
)


def target_entry(handler_input: HandlerInput) -> CrampEntry | None:
    """The entry "last" refers to: the one just logged in this session, else the latest in the diary."""
    diary, user = services(handler_input).diary, user_id(handler_input)
    just_logged = diary_draft.last_logged(handler_input)
    entry = diary.get(user, just_logged) if just_logged else None
    return entry or diary.last(user)


class DeleteLastCrampIntentHandler(AbstractRequestHandler):
    """ "Undo" / "delete the last entry": says what went, so a wrong one is noticed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteLastCrampIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = speech(handler_input)
        try:
            entry = target_entry(handler_input)
            if entry is None:
                return respond(handler_input, said.say("diary.delete.none"), end_session=True)
            services(handler_input).diary.delete(entry.user_id, entry.id)
        except StorageError:
            log.exception("could not delete the last entry")
            return respond(handler_input, said.say("diary.change_failed"), end_session=True)
        diary_draft.set_last_logged(handler_input, None)
        said.say(
            "diary.delete.done",
            when=words.entry_when(said, entry, now_utc(handler_input)),
            place=words.place(said, entry.muscle, entry.side),
        )
        return respond(handler_input, said, end_session=True)


class CorrectCrampIntentHandler(AbstractRequestHandler):
    """ "Change the severity to six", "it was my right calf": fix the last entry, checked like a new one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CorrectCrampIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = speech(handler_input)
        try:
            entry = target_entry(handler_input)
        except StorageError:
            log.exception("could not read the last entry")
            return respond(handler_input, said.say("diary.read_failed"), end_session=True)
        if entry is None:
            return respond(handler_input, said.say("diary.delete.none"), end_session=True)
        if not any(slot_text(handler_input, name) for name in CORRECTABLE):
            said.say("diary.correct.what")
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("diary.correct.what_reprompt")
            )
        draft = Draft.from_entry(entry)
        if slot_id(handler_input, "symptom") == "NONE":  # "no symptoms after all"
            draft.symptoms = []
        problems = apply_slots(handler_input, draft, local_now(handler_input))
        if problems:
            said.say(f"diary.correct.invalid_{problems[0].slot}")
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("diary.correct.what_reprompt")
            )
        now = now_utc(handler_input)
        changed = draft.to_entry(entry.user_id, entry.logged_at, entry.time_zone)
        found = findings_for(changed, now, safety.is_pregnant(handler_input))
        changed = changed.with_changes(red_flags=found.ids)
        try:
            services(handler_input).diary.update(changed)
        except StorageError:
            log.exception("could not correct the last entry")
            return respond(handler_input, said.say("diary.change_failed"), end_session=True)
        if set(found.ids) - set(entry.red_flags):  # the correction raised a new red flag: say it first
            red_flag_speech(handler_input, said, found)
        said.say("diary.correct.done")
        confirmation(said, changed, now)
        return respond(handler_input, said, end_session=True)


class DeleteDiaryIntentHandler(AbstractRequestHandler):
    """ "Delete my diary": only after an explicit yes to the intent confirmation."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteDiaryIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = cast(IntentRequest, handler_input.request_envelope.request).intent  # per can_handle
        assert intent is not None, "Alexa sends the intent with every IntentRequest"
        status = intent.confirmation_status
        said = speech(handler_input)
        if status == IntentConfirmationStatus.DENIED:
            return respond(handler_input, said.say("diary.delete_all.kept"), end_session=True)
        if status != IntentConfirmationStatus.CONFIRMED:
            handler_input.response_builder.add_directive(ConfirmIntentDirective(updated_intent=intent))
            said.say("diary.delete_all.confirm")
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("diary.delete_all.confirm_reprompt")
            )
        try:
            removed = services(handler_input).diary.delete_all(user_id(handler_input))
        except StorageError:
            log.exception("could not delete the diary")
            return respond(handler_input, said.say("diary.change_failed"), end_session=True)
        open_cramp.forget(handler_input)
        profile = user.profile(handler_input)
        # Diary data kept in the profile: medicines mentioned, and the morning check-in's answers
        # ("nights", skill/handlers/personal.py), which the nights-after-practice comparison reads.
        for key in ("medicines", "nights"):
            profile.pop(key, None)
        user.save(handler_input)
        diary_draft.set_last_logged(handler_input, None)
        log.info("diary deleted on request: %d records", removed)
        return respond(handler_input, said.say("diary.delete_all.done"), end_session=True)
