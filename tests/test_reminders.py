"""Reminders by voice against a local fake of the Alexa reminders endpoint (real HTTPS, bearer tokens)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skill.alexa.reminders import SCOPE, ClockTime, parse_time
from tests import envelopes
from tests.conversation import Conversation, Reply
from tests.envelopes import Slot
from tests.fake_alexa_api import FakeAlexaApi, certificate, serving

GRANTED = {"consentToken": "consent-token", "scopes": {SCOPE: {"status": "GRANTED"}}}
NOT_GRANTED = None  # no user.permissions at all: the user never allowed anything
STRETCHES = Slot("bedtime stretches", id="STRETCHES")
EVERY_NIGHT = Slot("every night", id="NIGHT")


@pytest.fixture(scope="module")
def api_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return certificate(tmp_path_factory.mktemp("fake-alexa-api"))


@pytest.fixture
def alexa_api(api_certificate, monkeypatch) -> Iterator[FakeAlexaApi]:
    with serving(api_certificate, monkeypatch) as api:
        yield api


@pytest.fixture
def user(invoke, alexa_api) -> Callable[..., Conversation]:
    """A user whose requests point the skill at the fake API; permissions as Alexa would report them."""

    def make(permissions: dict[str, Any] | None = GRANTED, locale: str = "en-US") -> Conversation:
        options = {"api_endpoint": alexa_api.url, "api_access_token": alexa_api.token, "locale": locale}
        if permissions is not None:
            options["permissions"] = permissions
        return Conversation(invoke, options)

    return make


def ask_for_bedtime_stretches(chat: Conversation, time: str = "10:00") -> Reply:
    return chat.intent("SetReminderIntent", {"time": time, "task": STRETCHES, "repeat": EVERY_NIGHT})


def confirm(chat: Conversation, reply: Reply) -> Reply:
    """Say yes to a Dialog.ConfirmIntent: Alexa sends the updated intent back, CONFIRMED."""
    updated = reply.directive("Dialog.ConfirmIntent")["updatedIntent"]
    slots = {
        name: Slot(s["value"], id=_id(s)) if _id(s) else s["value"]
        for name, s in updated["slots"].items()
        if s.get("value")
    }
    return chat.intent(updated["name"], slots, confirmation="CONFIRMED", dialog_state="IN_PROGRESS")


def _id(slot: dict[str, Any]) -> str | None:
    for authority in (slot.get("resolutions") or {}).get("resolutionsPerAuthority") or []:
        if authority["status"]["code"] == "ER_SUCCESS_MATCH":
            return authority["values"][0]["value"]["id"]
    return None


def permission_answer(chat: Conversation, status: str, code: str = "200", **options: Any) -> Reply:
    return chat.send(
        envelopes.connections_response(status=status, code=code, **{**chat._session(), **options})
    )


def the_only_reminder(api: FakeAlexaApi) -> dict[str, Any]:
    assert len(api.reminders) == 1, api.reminders
    return next(iter(api.reminders.values()))


def test_bedtime_reminder_is_read_back_then_created_every_night_at_ten_pm(user, alexa_api):
    chat = user()
    asked = ask_for_bedtime_stretches(chat)
    assert "every night at 10 PM" in asked.speech
    assert "bedtime stretches" in asked.speech
    assert asked.directive("Dialog.ConfirmIntent") is not None
    assert asked.listening
    assert alexa_api.reminders == {}, "nothing is created before the user agrees"

    done = confirm(chat, asked)

    assert (
        "I'll remind you every night at 10 PM" in done.speech
        or "a reminder every night at 10 PM" in done.speech
    )
    assert done.listening
    reminder = the_only_reminder(alexa_api)
    trigger = reminder["trigger"]
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0;INTERVAL=1;"
    ]
    assert trigger["timeZoneId"] == "Europe/London"
    spoken = reminder["alertInfo"]["spokenInfo"]["content"][0]
    assert spoken["locale"] == "en-US"
    assert "bedtime stretches" in spoken["text"] and "ask cramp coach" in spoken["text"]
    assert all(call.authorization == f"Bearer {alexa_api.token}" for call in alexa_api.calls)


@pytest.mark.parametrize(
    ("slots", "read_back", "rule_time"),
    [
        ({"time": "21:30", "repeat": EVERY_NIGHT}, "every night at 9:30 PM", (21, 30)),
        ({"time": "10:00", "task": STRETCHES}, "every night at 10 PM", (22, 0)),
        ({"time": "07:00", "repeat": Slot("every morning", id="MORNING")}, "every morning at 7 AM", (7, 0)),
        ({"time": "09:00", "repeat": Slot("every evening", id="EVENING")}, "every evening at 9 PM", (21, 0)),
        ({"time": "12:00", "repeat": EVERY_NIGHT}, "every night at midnight", (0, 0)),
        ({"time": "23:15"}, "every night at 11:15 PM", (23, 15)),
        ({"time": "08:00", "repeat": Slot("every day", id="DAY")}, "every day at 8 AM", (8, 0)),
    ],
)
def test_the_time_the_user_meant_is_read_back_and_scheduled(user, alexa_api, slots, read_back, rule_time):
    chat = user()
    asked = chat.intent("SetReminderIntent", slots)
    assert read_back in asked.speech
    confirm(chat, asked)
    rule = the_only_reminder(alexa_api)["trigger"]["recurrence"]["recurrenceRules"][0]
    assert f"BYHOUR={rule_time[0]};BYMINUTE={rule_time[1]};" in rule


def test_a_missing_time_is_asked_for(user, alexa_api):
    chat = user()
    reply = chat.intent("SetReminderIntent", {"task": STRETCHES})
    elicit = reply.directive("Dialog.ElicitSlot")
    assert elicit is not None and elicit["slotToElicit"] == "time"
    assert "What time" in reply.speech
    assert reply.listening
    assert alexa_api.calls == []


def test_a_vague_time_asks_for_a_clock_time(user):
    reply = user().intent("SetReminderIntent", {"time": "NI", "task": STRETCHES})
    assert reply.directive("Dialog.ElicitSlot")["slotToElicit"] == "time"
    assert "What time exactly" in reply.speech


def test_saying_no_to_the_read_back_creates_nothing(user, alexa_api):
    chat = user()
    ask_for_bedtime_stretches(chat)
    reply = chat.intent(
        "SetReminderIntent",
        {"time": "22:00", "task": STRETCHES, "repeat": EVERY_NIGHT},
        confirmation="DENIED",
    )
    assert "haven't set a reminder" in reply.speech
    assert reply.listening
    assert alexa_api.calls_to("POST") == []


def test_without_permission_alexa_asks_by_voice_then_the_reminder_is_created(user, alexa_api):
    alexa_api.granted = False
    chat = user(permissions=NOT_GRANTED)
    asked = ask_for_bedtime_stretches(chat)
    reply = confirm(chat, asked)

    send = reply.directive("Connections.SendRequest")
    assert send is not None and send["name"] == "AskFor"
    assert send["payload"]["@type"] == "AskForPermissionsConsentRequest"
    assert send["payload"]["permissionScope"] == "alexa::alerts:reminders:skill:readwrite"
    assert reply.reprompt == "", "Alexa speaks its own permission prompt"
    assert alexa_api.calls_to("POST") == []

    alexa_api.granted = True
    done = permission_answer(chat, "ACCEPTED", permissions=GRANTED)
    assert "every night at 10 PM" in done.speech
    assert the_only_reminder(alexa_api)["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=DAILY;BYHOUR=22"
    )


def test_a_refusal_gets_a_kind_answer_and_no_second_voice_prompt(user, alexa_api):
    alexa_api.granted = False
    chat = user(permissions=NOT_GRANTED)
    confirm(chat, ask_for_bedtime_stretches(chat))
    refused = permission_answer(chat, "DENIED")
    assert "That's fine" in refused.speech
    assert "Alexa app" in refused.speech
    assert refused.directive("Connections.SendRequest") is None
    assert refused.listening

    # Asking again in the same session: a card in the app, never the voice prompt again.
    again = confirm(chat, ask_for_bedtime_stretches(chat, "21:00"))
    assert again.directive("Connections.SendRequest") is None
    assert again.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert "card" in again.speech
    assert alexa_api.reminders == {}


def test_no_answer_to_the_permission_prompt_sets_nothing(user, alexa_api):
    alexa_api.granted = False
    chat = user(permissions=NOT_GRANTED)
    confirm(chat, ask_for_bedtime_stretches(chat))
    reply = permission_answer(chat, "NOT_ANSWERED")
    assert "haven't set a reminder" in reply.speech
    assert alexa_api.reminders == {}


def test_where_voice_permission_is_not_supported_the_consent_card_is_the_fallback(user, alexa_api):
    alexa_api.granted = False
    chat = user(permissions=NOT_GRANTED)
    confirm(chat, ask_for_bedtime_stretches(chat))
    reply = permission_answer(chat, "DENIED", code="400")
    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert "Alexa app" in reply.speech


def test_a_withdrawn_permission_found_by_the_api_leads_to_the_voice_prompt(user, alexa_api):
    alexa_api.granted = False  # the request still carries an old consent token; the API says 403
    chat = user(permissions={"consentToken": "stale"})
    reply = confirm(chat, ask_for_bedtime_stretches(chat))
    assert reply.directive("Connections.SendRequest")["name"] == "AskFor"
    assert len(alexa_api.calls_to("POST")) == 1
    assert alexa_api.reminders == {}


def test_when_the_reminders_service_is_down_the_user_hears_so(user, alexa_api):
    alexa_api.fail_with = 500
    chat = user()
    reply = confirm(chat, ask_for_bedtime_stretches(chat))
    assert "couldn't reach your reminders" in reply.speech
    assert reply.listening


def test_a_hanging_reminders_api_is_given_up_on_in_time(user, alexa_api, monkeypatch):
    monkeypatch.setattr("skill.alexa.api_client.TIMEOUT_S", (0.5, 0.5))
    alexa_api.delay_s = 1.0
    started = time.monotonic()
    reply = user().intent("ListRemindersIntent")
    assert "couldn't reach your reminders" in reply.speech
    assert time.monotonic() - started < 3


def test_without_a_device_time_zone_the_reminder_is_still_created(user, alexa_api):
    alexa_api.time_zone = None
    chat = user()
    confirm(chat, ask_for_bedtime_stretches(chat))
    assert "timeZoneId" not in the_only_reminder(alexa_api)["trigger"]


def test_the_reminder_speaks_in_the_users_locale(user, alexa_api):
    chat = user(locale="en-GB")
    confirm(chat, ask_for_bedtime_stretches(chat))
    assert the_only_reminder(alexa_api)["alertInfo"]["spokenInfo"]["content"][0]["locale"] == "en-GB"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ([], "You don't have any Cramp Coach reminders"),
        ([(22, 0)], "You have one Cramp Coach reminder, every day at 10 PM"),
        (
            [(22, 0), (7, 30), (21, 0)],
            "You have 3 Cramp Coach reminders, every day at 7:30 AM, 9 PM and 10 PM",
        ),
    ],
)
def test_listing_reminders(user, alexa_api, stored, expected):
    for hour, minute in stored:
        alexa_api.add(hour, minute)
    alexa_api.add(6, 0, status="COMPLETED")  # finished reminders are not mentioned
    reply = user().intent("ListRemindersIntent")
    assert expected in reply.speech
    assert reply.listening


def test_listing_without_permission_offers_the_consent_card(user, alexa_api):
    alexa_api.granted = False
    reply = user(permissions=NOT_GRANTED).intent("ListRemindersIntent")
    assert "doesn't have permission" in reply.speech
    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}


def test_cancelling_the_only_reminder(user, alexa_api):
    alexa_api.add(22)
    reply = user().intent("CancelReminderIntent")
    assert "canceled your reminder for 10 PM" in reply.speech  # en-US spelling
    assert alexa_api.reminders == {}


def test_cancelling_with_several_asks_which_and_deletes_nothing(user, alexa_api):
    alexa_api.add(22)
    alexa_api.add(21)
    reply = user().intent("CancelReminderIntent")
    assert "You have reminders at 9 PM and 10 PM." in reply.speech
    assert reply.speech.endswith("Which should I cancel?")
    assert reply.listening
    assert len(alexa_api.reminders) == 2
    assert alexa_api.calls_to("DELETE") == []


@pytest.mark.parametrize(
    ("spoken", "kept"),
    [
        ("22:00", (21, 0)),  # "cancel the ten PM reminder"
        ("10:00", (21, 0)),  # "cancel the ten o'clock reminder": 10 PM is the only ten o'clock one
        ("21:00", (22, 0)),
    ],
)
def test_cancelling_one_reminder_by_its_time(user, alexa_api, spoken, kept):
    alexa_api.add(22)
    alexa_api.add(21)
    reply = user().intent("CancelReminderIntent", {"time": spoken})
    assert "I've canceled your reminder for" in reply.speech  # en-US spelling
    remaining = [r["trigger"]["recurrence"]["recurrenceRules"][0] for r in alexa_api.reminders.values()]
    assert remaining == [f"FREQ=DAILY;BYHOUR={kept[0]};BYMINUTE={kept[1]};BYSECOND=0;INTERVAL=1;"]


def test_cancelling_all_reminders(user, alexa_api):
    alexa_api.add(22)
    alexa_api.add(21)
    reply = user().intent("CancelReminderIntent", {"scope": Slot("all", id="ALL")})
    assert "canceled all 2 of your Cramp Coach reminders" in reply.speech  # en-US spelling
    assert alexa_api.reminders == {}


def test_cancelling_a_time_with_no_reminder_says_which_times_exist(user, alexa_api):
    alexa_api.add(22)
    reply = user().intent("CancelReminderIntent", {"time": "08:15"})
    assert "couldn't find a reminder at 8:15 AM. Your reminders are at 10 PM" in reply.speech
    assert len(alexa_api.reminders) == 1


def test_cancelling_with_no_reminders(user, alexa_api):
    reply = user().intent("CancelReminderIntent")
    assert "don't have any Cramp Coach reminders to cancel" in reply.speech


@pytest.mark.parametrize(
    ("value", "expected"),
    [("22:00", ClockTime(22, 0)), ("7:05", ClockTime(7, 5)), ("T21:30", ClockTime(21, 30)), ("NI", None),
     ("EV", None), ("", None), (None, None), ("25:00", None)],
)  # fmt: skip
def test_amazon_time_values(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("heard", "repeat", "meant"),
    [((10, 0), "NIGHT", (22, 0)), ((5, 0), "EVENING", (17, 0)), ((4, 0), "NIGHT", (4, 0)),
     ((12, 0), "NIGHT", (0, 0)), ((12, 0), "EVENING", (12, 0)), ((22, 0), "NIGHT", (22, 0)),
     ((10, 0), "MORNING", (10, 0)), ((10, 0), None, (10, 0)), ((10, 0), "DAY", (10, 0))],
)  # fmt: skip
def test_night_and_evening_turn_a_bare_hour_into_pm(heard, repeat, meant):
    assert ClockTime(*heard).for_repeat(repeat) == ClockTime(*meant)
