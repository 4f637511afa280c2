"""Reminders by voice: a daily reminder with spoken consent and the permission flow; list; cancel.

Flow for "remind me to do my bedtime stretches at ten every night":
1. No clock time yet → elicit the ``time`` slot.
2. Read back time and recurrence and ask for consent (``Dialog.ConfirmIntent``, so Alexa's own
   yes/no answers it and AMAZON.YesIntent/NoIntent stay free for other features).
3. Confirmed → create it; without the reminders permission, ask for it by voice
   (``Connections.SendRequest`` AskFor) and finish in the ``Connections.Response`` handler.
   A refusal is respected for the rest of the session: a later request gets the consent card,
   never a second voice prompt.
"""

from __future__ import annotations

from typing import Any, cast

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import IntentConfirmationStatus, IntentRequest, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ConfirmIntentDirective, ElicitSlotDirective
from ask_sdk_model.interfaces.connections import ConnectionsResponse, SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.alexa import reminders as api
from skill.alexa.reminders import ClockTime, NoPermission, Reminders, ReminderServiceError
from skill.alexa.slots import slot_id, slot_text
from skill.speech.reply import Speech, respond, speech
from skill.state import reminder

ASK_FOR_TOKEN = "cramp-coach-reminder"
BEDTIME_TASKS = {"STRETCHES", "ROUTINE"}
DEFAULT_TASK = "ROUTINE"


def spoken_time(said: Speech, time: ClockTime) -> str:
    """How the read-back and the list say a time of day: 10 PM, 9:30 PM, midnight."""
    if time == ClockTime(0, 0):
        return said.text("reminders.midnight")
    if time == ClockTime(12, 0):
        return said.text("reminders.midday")
    hour = time.hour % 12 or 12
    suffix = "AM" if time.hour < 12 else "PM"
    return f"{hour} {suffix}" if time.minute == 0 else f"{hour}:{time.minute:02d} {suffix}"


def spoken_list(said: Speech, items: list[str]) -> str:
    """Times joined the way people say them: 7 AM, 9 PM and 10 PM."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {said.text('reminders.and')} {items[-1]}"


def _anything_else(handler_input: HandlerInput, said: Speech) -> Response:
    said.say("reminders.anything_else")
    return respond(
        handler_input, said, reprompt=speech(handler_input).say("reminders.anything_else_reprompt")
    )


def _consent_card(handler_input: HandlerInput, said: Speech) -> Response:
    """The fallback where voice permission is refused earlier or not supported: a card in the app."""
    handler_input.response_builder.set_card(AskForPermissionsConsentCard(permissions=[api.SCOPE]))
    return _anything_else(handler_input, said)


def _ask_permission(handler_input: HandlerInput) -> Response:
    if reminder.refused(handler_input):
        reminder.done(handler_input)
        return _consent_card(handler_input, speech(handler_input).say("reminders.ask_permission_card"))
    # Alexa speaks its own permission prompt; the answer arrives as Connections.Response.
    handler_input.response_builder.add_directive(
        SendRequestDirective(
            name="AskFor",
            payload={
                "@type": "AskForPermissionsConsentRequest",
                "@version": "1",
                "permissionScope": api.SCOPE,
            },
            token=ASK_FOR_TOKEN,
        )
    )
    return handler_input.response_builder.response


def _create(handler_input: HandlerInput, pending: dict[str, Any]) -> Response:
    """Create the agreed reminder, asking for the permission first when it is missing."""
    if api.has_permission(handler_input) is False:
        return _ask_permission(handler_input)
    said = speech(handler_input)
    time = api.parse_time(pending["time"]) or ClockTime(22, 0)
    label = said.text(f"reminders.label.{pending['task']}")
    try:
        Reminders(handler_input).create(time, label)
    except NoPermission:
        return _ask_permission(handler_input)
    except ReminderServiceError:
        reminder.done(handler_input)
        return _anything_else(handler_input, said.say("reminders.unavailable"))
    reminder.done(handler_input)
    said.say(
        "reminders.created",
        repeat=said.text(f"reminders.repeat.{pending['repeat']}"),
        time=spoken_time(said, time),
    )
    return _anything_else(handler_input, said)


def _with_slot(intent: Any, name: str, value: str) -> Any:
    slots = intent.slots if intent.slots is not None else {}
    if name in slots and slots[name] is not None:
        slots[name].value = value
    else:
        slots[name] = Slot(name=name, value=value, confirmation_status=SlotConfirmationStatus.NONE)
    intent.slots = slots
    return intent


class SetReminderIntentHandler(AbstractRequestHandler):
    """Remind me to do my bedtime stretches at ten every night: elicit, confirm, then create."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = cast(IntentRequest, handler_input.request_envelope.request).intent  # per can_handle
        assert intent is not None, "Alexa sends the intent with every IntentRequest"
        said = speech(handler_input)
        if intent.confirmation_status == IntentConfirmationStatus.DENIED:
            reminder.done(handler_input)
            return _anything_else(handler_input, said.say("reminders.declined"))

        raw_time = slot_text(handler_input, "time")
        heard = api.parse_time(raw_time)
        if heard is None:
            key = "reminders.ask_clock_time" if api.is_vague(raw_time) else "reminders.ask_time"
            handler_input.response_builder.add_directive(
                ElicitSlotDirective(slot_to_elicit="time", updated_intent=intent)
            )
            return respond(
                handler_input,
                said.say(key),
                reprompt=speech(handler_input).say("reminders.ask_time_reprompt"),
            )

        task = slot_id(handler_input, "task") or DEFAULT_TASK
        repeat = slot_id(handler_input, "repeat")
        # A bedtime task with no recurrence said ("my bedtime stretches at ten") is an evening habit.
        time = heard.for_repeat(repeat or ("NIGHT" if task in BEDTIME_TASKS else None))
        if repeat is None:
            repeat = "NIGHT" if time.hour >= 17 or time.hour < 4 else "DAY"
        pending = {"time": time.hhmm, "task": task, "repeat": repeat}
        reminder.wait_for_permission(handler_input, pending)

        if intent.confirmation_status == IntentConfirmationStatus.CONFIRMED:
            return _create(handler_input, pending)
        # Explicit consent: the user hears the exact time and recurrence before anything is created.
        handler_input.response_builder.add_directive(
            ConfirmIntentDirective(updated_intent=_with_slot(intent, "time", time.hhmm))
        )
        said.say(
            "reminders.confirm",
            repeat=said.text(f"reminders.repeat.{repeat}"),
            time=spoken_time(said, time),
            task=said.text(f"reminders.task.{task}"),
        )
        return respond(handler_input, said, reprompt=speech(handler_input).say("reminders.confirm_reprompt"))


class PermissionResponseHandler(AbstractRequestHandler):
    """The user's answer to Alexa's voice permission prompt."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not is_request_type("Connections.Response")(handler_input):
            return False
        return getattr(handler_input.request_envelope.request, "name", None) == "AskFor"

    def handle(self, handler_input: HandlerInput) -> Response:
        request = cast(ConnectionsResponse, handler_input.request_envelope.request)  # per can_handle
        said = speech(handler_input)
        code = str(getattr(request.status, "code", "") or "")
        answer = (request.payload or {}).get("status")
        if code != "200":
            # Voice permission is not available on this device or account: offer the card instead.
            reminder.done(handler_input)
            return _consent_card(handler_input, said.say("reminders.ask_permission_card"))
        if answer == "ACCEPTED":
            pending = reminder.awaiting(handler_input)
            if pending:
                return _create(handler_input, pending)
            return _anything_else(handler_input, said.say("reminders.allowed_nothing_pending"))
        reminder.done(handler_input)
        if answer == "DENIED":
            reminder.note_refused(handler_input)
            return _anything_else(handler_input, said.say("reminders.denied"))
        return _anything_else(handler_input, said.say("reminders.not_answered"))


def _reminders_or_reply(handler_input: HandlerInput) -> list[api.StoredReminder] | Response:
    said = speech(handler_input)
    try:
        return Reminders(handler_input).active()
    except NoPermission:
        return _consent_card(handler_input, said.say("reminders.no_permission_list"))
    except ReminderServiceError:
        return _anything_else(handler_input, said.say("reminders.unavailable"))


def _times(said: Speech, found: list[api.StoredReminder]) -> list[str]:
    return [spoken_time(said, r.time) for r in found if r.time is not None]


class ListRemindersIntentHandler(AbstractRequestHandler):
    """What reminders do I have: this skill's active reminders by time of day."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ListRemindersIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        found = _reminders_or_reply(handler_input)
        if not isinstance(found, list):
            return found
        said = speech(handler_input)
        times = _times(said, found)
        if not found:
            said.say("reminders.none")
        elif len(found) == 1:
            said.say("reminders.one", time=spoken_list(said, times))
        else:
            said.say("reminders.many", count=len(found), times=spoken_list(said, times))
        return _anything_else(handler_input, said)


def _matching(found: list[api.StoredReminder], time: ClockTime) -> list[api.StoredReminder]:
    """Reminders at that time; "the ten o'clock reminder" also finds 10 PM when only one fits."""
    exact = [r for r in found if r.time == time]
    if exact:
        return exact
    return [
        r for r in found if r.time and r.time.hour % 12 == time.hour % 12 and r.time.minute == time.minute
    ]


class CancelReminderIntentHandler(AbstractRequestHandler):
    """Cancel my reminder / the ten PM reminder / all my reminders."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CancelReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        found = _reminders_or_reply(handler_input)
        if not isinstance(found, list):
            return found
        said = speech(handler_input)
        if not found:
            return _anything_else(handler_input, said.say("reminders.cancel_none"))
        wanted = api.parse_time(slot_text(handler_input, "time"))
        if slot_id(handler_input, "scope") == "ALL":
            targets = found
        elif wanted is not None:
            targets = _matching(found, wanted)
            if not targets:
                said.say(
                    "reminders.cancel_no_match",
                    time=spoken_time(said, wanted),
                    times=spoken_list(said, _times(said, found)),
                )
                return _anything_else(handler_input, said)
        elif len(found) == 1:
            targets = found
        else:
            times = _times(said, found)
            example = times[-1] if times else ""
            said.say("reminders.cancel_which", times=spoken_list(said, times), example=example)
            reprompt = speech(handler_input).say("reminders.cancel_which_reprompt", example=example)
            return respond(handler_input, said, reprompt=reprompt)
        try:
            service = Reminders(handler_input)
            for reminder in targets:
                service.delete(reminder.token)
        except NoPermission:
            return _consent_card(handler_input, speech(handler_input).say("reminders.no_permission_list"))
        except ReminderServiceError:
            return _anything_else(handler_input, speech(handler_input).say("reminders.unavailable"))
        if len(targets) == 1:
            time = targets[0].time
            if time is None:
                said.say("reminders.cancelled_untimed")
            else:
                said.say("reminders.cancelled_one", time=spoken_time(said, time))
        else:
            said.say("reminders.cancelled_all", count=len(targets))
        return _anything_else(handler_input, said)
