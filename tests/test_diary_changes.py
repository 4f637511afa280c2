"""Undo, correct and delete by voice; SkillDisabled erases everything on SQLite and on DynamoDB;
the practice-log helper; the device time zone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skill.alexa import timezone
from skill.builder import build_skill
from skill.config import Settings
from skill.lambda_function import handler_for
from skill.services import build_services
from tests import envelopes
from tests.conversation import Conversation, checked
from tests.diary_support import (
    DONE,
    LAST_NIGHT,
    NOW,
    USER,
    ZONE,
    Clock,
    custom,
    entry,
    local,
    muscle,
    persistent,
    request_envelope,
    side,
)

pytestmark = pytest.mark.usefixtures("clock")


def log_one(conversation, **slots):
    values = {
        "muscle": muscle(),
        "side": side(),
        "when": LAST_NIGHT,
        "severity": "7",
        "duration": "PT5M",
        "skip": DONE,
        **slots,
    }
    return conversation.intent("LogCrampIntent", values, dialog_state="STARTED")


def test_undo_right_after_logging_removes_that_entry_even_if_it_is_not_the_latest(conversation, services):
    services.diary.add(entry(local(25, 6)))  # later than the cramp about to be logged "last night"
    log_one(conversation)
    reply = conversation.intent("DeleteLastCrampIntent")
    assert reply.speech == "Deleted your cramp from last night, in your left calf."
    assert [e.started_at for e in services.diary.entries(USER)] == [local(25, 6)]


def test_undo_in_a_new_session_removes_the_latest_entry(conversation, services):
    services.diary.add(entry(local(23, 3)))
    services.diary.add(entry(local(24, 3, 15), muscle="FOOT", side=None))
    reply = conversation.intent("DeleteLastCrampIntent")
    assert "yesterday at 3:15 am, in your foot" in reply.speech
    assert len(services.diary.entries(USER)) == 1


def test_undo_with_an_empty_diary(conversation):
    assert "nothing in your diary" in conversation.intent("DeleteLastCrampIntent").speech


@pytest.mark.parametrize(
    ("slots", "check", "says"),
    [
        ({"severity": "6"}, lambda e: e.severity == 6, "a 6 out of 10 cramp in your left calf"),
        ({"side": side("right", "RIGHT")}, lambda e: e.side == "RIGHT", "your right calf"),
        ({"duration": "PT2M"}, lambda e: e.duration_s == 120, "lasting 2 minutes"),
        ({"time": "03:40"}, lambda e: e.local_start == local(25, 3, 40), "last night at 3:40 am"),
        ({"helped": custom("massage", "MASSAGE", "Helped")}, lambda e: e.helped == "MASSAGE", "Changed."),
    ],
)
def test_correcting_one_field_of_the_last_entry(conversation, services, slots, check, says):
    log_one(conversation)
    reply = conversation.intent("CorrectCrampIntent", slots)
    [changed] = services.diary.entries(USER)
    assert check(changed)
    assert reply.speech.startswith("Changed.") and says in reply.speech


def test_a_bad_correction_changes_nothing_and_says_how(conversation, services):
    log_one(conversation)
    reply = conversation.intent("CorrectCrampIntent", {"severity": "15"})
    assert "from zero to ten" in reply.speech and reply.listening
    assert services.diary.entries(USER)[0].severity == 7


def test_a_correction_without_a_value_asks_what_to_change(conversation):
    log_one(conversation)
    reply = conversation.intent("CorrectCrampIntent")
    assert "What should I change?" in reply.speech and reply.listening


def test_adding_swelling_afterwards_brings_the_safety_message_first(conversation, services):
    log_one(conversation)
    reply = conversation.intent("CorrectCrampIntent", {"symptom": custom("swelling", "SWELLING", "Symptom")})
    assert reply.speech.index("blood clot") < reply.speech.index("Changed.")
    assert "possible_clot" in services.diary.entries(USER)[0].red_flags


def test_an_open_entry_from_hours_ago_is_closed_by_saying_how_long(conversation, clock, services):
    services.diary.add(entry(NOW - timedelta(hours=2), duration_s=None, still_going=True))
    asked = conversation.intent("CrampGoneIntent")
    assert "How long did it last?" in asked.speech and asked.listening
    conversation.intent("CorrectCrampIntent", {"duration": "PT6M"})
    [closed] = services.diary.entries(USER)
    assert closed.duration_s == 360 and not closed.is_open


def test_delete_everything_needs_an_explicit_yes(conversation, services):
    services.diary.add(entry(local(24, 3)))
    asked = conversation.intent("DeleteDiaryIntent", dialog_state="STARTED")
    directive = asked.directive("Dialog.ConfirmIntent")
    assert directive and directive["updatedIntent"]["name"] == "DeleteDiaryIntent"
    assert "can't be undone" in asked.speech and asked.listening
    denied = conversation.intent("DeleteDiaryIntent", confirmation="DENIED", dialog_state="COMPLETED")
    assert "kept your diary" in denied.speech
    assert len(services.diary.entries(USER)) == 1
    conversation.end()
    conversation.intent("DeleteDiaryIntent", dialog_state="STARTED")
    services.persistence.save_attributes(
        request_envelope(), {"profile": {"disclaimer_heard": True, "nights": {"2026-11-23": "none"}}}
    )
    done = conversation.intent("DeleteDiaryIntent", confirmation="CONFIRMED", dialog_state="IN_PROGRESS")
    assert "deleted" in done.speech
    assert services.diary.entries(USER) == []
    # The morning check-in's "no cramps last night" answers are diary data too.
    assert services.persistence.get_attributes(request_envelope())["profile"] == {"disclaimer_heard": True}


def test_a_yes_alone_never_deletes_the_diary(conversation, services):
    services.diary.add(entry(local(24, 3)))
    conversation.intent("DeleteDiaryIntent", dialog_state="STARTED")
    conversation.intent("AMAZON.YesIntent")  # not the confirmation Alexa sends: no effect
    assert len(services.diary.entries(USER)) == 1


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request, tmp_path, monkeypatch):
    """A skill on each real backend, with a fixed clock and zone: (invoke, services)."""
    if request.param == "sqlite":
        settings = Settings(verify=False, storage="sqlite", db_path=tmp_path / "disable.db")
    else:
        table = request.getfixturevalue("dynamodb_table")
        settings = Settings(
            verify=False,
            storage="dynamodb",
            table_name=table["table_name"],
            dynamodb_endpoint=table["endpoint"],
        )
    services = build_services(settings)
    services.clock = Clock()
    lambda_handler = handler_for(build_skill(settings, services))
    return checked(lambda envelope: lambda_handler(envelope, None)), services


def test_skill_disabled_erases_diary_practice_and_attributes_of_that_user_only(backend):
    invoke, services = backend
    other = "amzn1.ask.account.OTHER"
    talk = Conversation(invoke)
    log_one(talk, medicine=custom("statin", "STATIN", "Medicine"))
    talk.end()
    talk.intent("StartCrampTimerIntent")
    services.diary.record_practice(USER, "breathing", 4, True, at=NOW)
    services.diary.add(entry(local(24, 3), user_id=other))
    services.persistence.save_attributes(request_envelope(other), {"profile": {"disclaimer_heard": True}})
    assert services.diary.entries(USER) and persistent(services)["open_cramp"]

    raw = invoke(envelopes.skill_event("AlexaSkillEvent.SkillDisabled"))

    assert "outputSpeech" not in raw["response"]
    assert services.diary.entries(USER) == [] and services.diary.practice(USER) == []
    assert persistent(services) == {}
    assert len(services.diary.entries(other)) == 1
    assert persistent(services, other) == {"profile": {"disclaimer_heard": True}}


def test_the_diary_works_the_same_on_each_backend(backend):
    invoke, _ = backend
    talk = Conversation(invoke)
    first = talk.intent("LogCrampIntent", {"muscle": muscle(), "severity": "4"}, dialog_state="STARTED")
    assert first.directive("Dialog.ElicitSlot")["slotToElicit"] == "duration"
    talk.intent("LogCrampIntent", {"skip": DONE}, dialog_state="IN_PROGRESS")
    talk.end()
    assert talk.intent("CrampCountIntent").speech.startswith("One cramp this week.")
    talk.end()
    assert "4 out of 10" in talk.intent("LastCrampIntent").speech


def test_record_practice_helper_logs_a_session_in_the_users_zone(services, clock):
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput

    from skill.flows.practice import record_practice

    envelope = request_envelope()
    handler_input = HandlerInput(envelope, AttributesManager(envelope, services.persistence))
    handler_input.attributes_manager.request_attributes["services"] = services
    assert record_practice(handler_input, "bedtime-stretches", 3.5, completed=False)
    [session] = services.diary.practice(USER)
    assert (session.technique, session.minutes, session.completed) == ("bedtime-stretches", 3.5, False)
    assert session.at == NOW and session.time_zone == ZONE


def test_device_time_zone_comes_from_the_alexa_settings_api(conversation, services, monkeypatch, tmp_path):
    from tests.fake_alexa_api import certificate, serving

    monkeypatch.undo()  # the real lookup, not the fixture's fixed zone
    timezone.clear_cache()
    with serving(certificate(tmp_path), monkeypatch) as api:
        api.time_zone = "Australia/Perth"
        conversation.envelope_options.update(api_endpoint=api.url, api_access_token=api.token)
        log_one(conversation)
    timezone.clear_cache()
    assert services.diary.entries(USER)[0].time_zone == "Australia/Perth"
    assert any("timeZone" in call.path for call in api.calls)


def test_without_the_settings_api_the_locales_zone_is_used(conversation, services, monkeypatch):
    monkeypatch.setattr(timezone, "fetch_zone", lambda handler_input: None)
    timezone.clear_cache()
    conversation.envelope_options["locale"] = "en-GB"
    log_one(conversation)
    timezone.clear_cache()
    assert services.diary.entries(USER)[0].time_zone == "Europe/London"
