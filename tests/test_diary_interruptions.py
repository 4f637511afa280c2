"""Nothing the user says is lost (issue 14): leaving a log half told - a question, another feature,
help, stop, cancel, silence, a new session - keeps what is known and says so; an open cramp timer is
closed or saved, never forgotten. On SQLite and on DynamoDB (moto server)."""

from __future__ import annotations

import pytest

from tests import envelopes
from tests.diary_support import USER, muscle, side
from tests.dynamodb import settings_on_each_store as settings  # noqa: F401  (each store)
from tests.envelopes import Slot

pytestmark = pytest.mark.usefixtures("clock")


def start_log(conversation):
    conversation.intent("LogCrampIntent", {}, dialog_state="STARTED")
    return conversation.intent(
        "LogCrampIntent", {"muscle": muscle(), "side": side()}, dialog_state="IN_PROGRESS"
    )


@pytest.mark.parametrize(
    ("intent", "answer"),
    [
        ("AMAZON.StopIntent", "Goodbye"),
        ("AMAZON.CancelIntent", "Goodbye"),
        ("LastCrampIntent", "Your last cramp was just now: your left calf."),
        ("CrampCountIntent", "cramp"),
        ("StartBreathingIntent", "breath"),
    ],
)
def test_leaving_a_log_keeps_the_cramp_and_says_so_first(conversation, services, intent, answer):
    asked = start_log(conversation)
    assert asked.speech.startswith("Logged: a cramp in your left calf, just now.") and asked.listening
    reply = conversation.intent(intent)
    assert reply.speech.startswith("I've saved your cramp in your left calf.")
    assert answer in reply.speech
    [entry] = services.diary.entries(USER)
    assert (entry.muscle, entry.side, entry.severity) == ("CALF", "LEFT", None)
    assert "diary_log" not in (reply.attributes.get("cc") or {})  # the dialog is over


def test_help_in_a_log_keeps_the_dialog_going(conversation, services):
    start_log(conversation)
    reply = conversation.intent("AMAZON.HelpIntent")
    assert "Rate it from zero" in reply.speech and reply.listening
    rated = conversation.intent("LogCrampIntent", {"severity": "4"}, dialog_state="IN_PROGRESS")
    assert rated.listening and services.diary.entries(USER)[0].severity == 4


def test_stop_before_the_muscle_says_nothing_was_logged(conversation, services):
    conversation.intent("LogCrampIntent", {}, dialog_state="STARTED")
    reply = conversation.intent("AMAZON.StopIntent")
    assert reply.speech.startswith("I haven't logged that cramp, as I didn't get which muscle it was.")
    assert services.diary.entries(USER) == []


def test_silence_after_the_muscle_leaves_it_in_the_diary(conversation, services, invoke):
    start_log(conversation)
    conversation.intent("LogCrampIntent", {"severity": "7"}, dialog_state="IN_PROGRESS")
    invoke(envelopes.session_ended("EXCEEDED_MAX_REPROMPTS", session_id=conversation.session_id))
    conversation.end()
    [entry] = services.diary.entries(USER)
    assert (entry.muscle, entry.severity) == ("CALF", 7)
    later = conversation.intent("LastCrampIntent")
    assert "your left calf, 7 out of 10" in later.speech


def test_a_timed_cramp_whose_rating_went_unanswered_is_saved_with_its_length(conversation, clock, services):
    conversation.intent(
        "CrampNowIntent", {"muscle": Slot("calf", id="CALF"), "side": Slot("left", id="LEFT")}
    )
    conversation.end()  # silence: the coach's session ends
    clock.advance(minutes=2)
    gone = conversation.intent("CrampGoneIntent")
    assert "lasted 2 minutes" in gone.speech and "Logged: a cramp in your left calf" in gone.speech
    conversation.end()  # no answer to the severity question
    [entry] = services.diary.entries(USER)
    assert (entry.muscle, entry.side, entry.duration_s) == ("CALF", "LEFT", 120)


def test_still_going_then_silence_then_its_gone_later(conversation, clock, services):
    still = Slot("still going", id="STILL_GOING", slot_type="StillGoing")
    conversation.intent("LogCrampIntent", {"muscle": muscle(), "still_going": still}, dialog_state="STARTED")
    conversation.end()
    assert services.diary.entries(USER)[0].is_open
    clock.advance(minutes=6)
    gone = conversation.intent("CrampGoneIntent")
    assert "lasted 6 minutes" in gone.speech
    [entry] = services.diary.entries(USER)
    assert entry.duration_s == 360 and not entry.is_open
