"""The state layer: what earlier versions of the skill stored still works, on SQLite and DynamoDB.

Records are written exactly as the code before ``skill.state`` wrote them, then used through
conversations: the user notices only that "it's gone", "resume" and a welcome back still work.
"""

from __future__ import annotations

from typing import Any

import pytest

from skill.diary.model import iso
from tests.conversation import Conversation, after_first_use
from tests.diary_support import NOW, request_envelope
from tests.dynamodb import settings_on_each_store as settings  # noqa: F401  (each store)
from tests.envelopes import Slot

# The persistent record as the skill wrote it before the state layer (2026-12-03).
OLD_RECORD: dict[str, Any] = {
    "profile": {
        "disclaimer_heard": True,
        "medicines": ["STATIN"],
        "last_technique": {"script": "pmr", "options": {}, "at": "2026-11-24T22:00:00Z"},
        "nights": {"2026-11-23": "none"},
    },
    "unfinished": {
        "session": {"script": "pmr", "options": {}, "segment": 1, "status": "paused"},
        "saved_at": "2026-11-24T22:10:00Z",
    },
    "open_cramp": {"started_at": iso(NOW), "muscle": "CALF", "side": "LEFT"},
}
SECOND_STEP = "Squeeze your buttocks"  # pmr's segment 1


def store(services, record: dict[str, Any]) -> None:
    services.persistence.save_attributes(request_envelope(), record)


def test_an_old_timer_is_closed_by_its_gone(conversation, clock, services):
    store(services, OLD_RECORD)
    clock.advance(seconds=90)
    gone = conversation.intent("CrampGoneIntent")
    assert "1 minute and 30 seconds" in gone.speech and gone.listening
    again = Conversation(conversation.invoke).intent("CrampGoneIntent")
    assert "1 minute and 30 seconds" not in again.speech, "the timer is closed, not timed twice"


def test_an_old_unfinished_session_resumes(conversation, clock, services):
    store(services, OLD_RECORD)
    resumed = conversation.intent("AMAZON.ResumeIntent")
    assert resumed.speech.startswith("Picking up your muscle relaxation where you left off.")
    assert SECOND_STEP in resumed.speech and resumed.listening


def test_a_damaged_record_is_repaired_not_fatal(conversation, clock, services):
    store(services, {"profile": "oops", "open_cramp": "x", "unfinished": [1]})
    launched = conversation.launch()
    assert launched.listening and "went wrong" not in launched.speech
    gone = conversation.intent("CrampGoneIntent")
    assert "went wrong" not in gone.speech
    resumed = Conversation(conversation.invoke).intent("AMAZON.ResumeIntent")
    assert "went wrong" not in resumed.speech and resumed.listening


# Session attributes as the skill wrote them before ``Pending`` (a conversation in flight at deploy).
@pytest.mark.parametrize(
    ("old_session", "words"),
    [
        ({"pending": "ask", "ask": "technique.ask.pattern"}, "I can do belly, even, long exhale, box"),
        ({"pending": "diary.offer", "diary_offer": "breathing"}, "say: a breathing exercise."),
    ],
)
def test_a_question_asked_by_the_old_code_is_still_answered(conversation, clock, old_session, words):
    conversation.session_id, conversation.new = "amzn1.echo-api.session.old", False
    conversation.attributes = {"cc": old_session}
    reply = conversation.intent("AMAZON.YesIntent")
    assert words in reply.speech and reply.listening


def test_every_question_keeps_what_it_needs_to_be_asked_again(conversation):
    """Yes to a "which one?" question asks it again with its own words (never a failure)."""
    asked = conversation.intent("StartStretchIntent", {"stretch": Slot("the splits", match=False)})
    again = conversation.intent("AMAZON.YesIntent")
    assert again.speech == after_first_use(asked.speech) and again.listening
