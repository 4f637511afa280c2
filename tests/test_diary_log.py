"""Logging a cramp by voice through the real handler: one breath, step by step, bad values, safety,
self-timing and storage failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from skill.diary.draft import Draft
from skill.diary.model import iso
from skill.diary.repository import StorageError
from skill.persistence.memory_diary import MemoryDiaryRepository
from tests.conversation import after_first_use
from tests.diary_support import (
    DONE,
    LAST_NIGHT,
    NOW,
    SKIP,
    USER,
    custom,
    elicited,
    muscle,
    persistent,
    request_envelope,
    side,
)
from tests.envelopes import Slot

pytestmark = pytest.mark.usefixtures("clock")


def one_breath(**extra):
    """ "I had a cramp in my left calf last night, about a seven, for five minutes"."""
    return {
        "muscle": muscle(),
        "side": side(),
        "when": LAST_NIGHT,
        "severity": "7",
        "duration": "PT5M",
        **extra,
    }


def saved(services):
    return services.diary.entries(USER)


def test_one_breath_log_asks_only_the_safety_questions_then_saves(conversation, services):
    first = conversation.intent("LogCrampIntent", one_breath(), dialog_state="STARTED")
    assert elicited(first) == "symptom"
    assert "swelling" in first.speech and first.listening
    second = conversation.intent(
        "LogCrampIntent", {"symptom": custom("no", "NONE", "Symptom")}, dialog_state="IN_PROGRESS"
    )
    assert elicited(second) == "medicine"  # asked once per user
    done = conversation.intent(
        "LogCrampIntent", {"medicine": custom("no", "NONE", "Medicine")}, dialog_state="IN_PROGRESS"
    )
    assert done.directive("Dialog.ElicitSlot") is None
    assert "Logged: a 7 out of 10 cramp in your left calf, last night, lasting 5 minutes." in done.speech
    assert "bedtime stretches" in done.speech and done.listening
    [logged] = saved(services)
    assert (logged.muscle, logged.side, logged.severity, logged.duration_s) == ("CALF", "LEFT", 7, 300)
    assert logged.started_at == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 2 am in New York
    assert not logged.time_exact and logged.time_zone == "America/New_York"
    assert persistent(services)["profile"]["medicines"] == []


def test_medicines_are_asked_once_and_carried_to_later_entries(conversation, services):
    conversation.intent(
        "LogCrampIntent", one_breath(symptom=custom("no", "NONE", "Symptom")), dialog_state="STARTED"
    )
    conversation.intent(
        "LogCrampIntent",
        {"medicine": custom("atorvastatin", "STATIN", "Medicine")},
        dialog_state="IN_PROGRESS",
    )
    conversation.end()
    again = conversation.intent(
        "LogCrampIntent", one_breath(symptom=custom("no", "NONE", "Symptom")), dialog_state="STARTED"
    )
    assert elicited(again) is None
    assert all(e.medicines == ("STATIN",) for e in saved(services))
    assert "statin" in again.speech.lower()  # the prescriber advice comes with every statin entry


def test_step_by_step_asks_each_question_once_in_order(conversation, services):
    replies = [conversation.intent("LogCrampIntent", {}, dialog_state="STARTED")]
    assert after_first_use(replies[0].speech).startswith(("Okay, let's log it.", "All right, let's add it"))
    answers = [
        {"muscle": muscle()},
        {"side": side("right", "RIGHT")},
        {"when": custom("just now", "JUST_NOW", "CrampWhen")},
        {"severity": "6"},
        {"duration": "PT2M30S"},
        {"helped": custom("stretching", "STRETCH", "Helped")},
        {"skip": SKIP},  # trigger: "I don't know"
        {"symptom": custom("numb", "NUMBNESS", "Symptom")},
        {"medicine": custom("water pills", "DIURETIC", "Medicine")},
    ]
    for answer in answers:
        replies.append(conversation.intent("LogCrampIntent", answer, dialog_state="IN_PROGRESS"))
    asked = [elicited(reply) for reply in replies]
    assert asked == [
        "muscle",
        "side",
        "when",
        "severity",
        "duration",
        "helped",
        "trigger",
        "symptom",
        "medicine",
        None,
    ]
    assert "say skip to any question" in replies[1].speech  # the hint comes with the first optional question
    [logged] = saved(services)
    assert logged.started_at == NOW and logged.time_exact
    assert (logged.side, logged.duration_s, logged.helped, logged.trigger) == ("RIGHT", 150, "STRETCH", None)
    assert logged.symptoms == ("NUMBNESS",) and logged.medicines == ("DIURETIC",)
    assert set(logged.red_flags) == {"see_doctor", "medicine_mention"}
    final = replies[-1].speech
    assert final.index("doctor") < final.index("Logged")  # safety first
    assert "2 minutes and 30 seconds" in final


def test_thats_all_saves_with_what_is_known(conversation, services):
    conversation.intent("LogCrampIntent", {"muscle": muscle("foot", "FOOT")}, dialog_state="STARTED")
    asked_severity = conversation.intent("LogCrampIntent", {"skip": DONE}, dialog_state="IN_PROGRESS")
    assert elicited(asked_severity) == "severity"  # "that's all" cannot skip a required answer
    done = conversation.intent("LogCrampIntent", {"severity": "3"}, dialog_state="IN_PROGRESS")
    assert "Logged: a 3 out of 10 cramp in your foot, just now." in done.speech
    assert saved(services)[0].muscle == "FOOT"


@pytest.mark.parametrize(
    ("slots", "slot", "says"),
    [
        ({"severity": "11"}, "severity", "from zero, no pain, to ten"),
        ({"severity": "-2"}, "severity", "from zero, no pain, to ten"),
        ({"severity": "?"}, "severity", "I need a number"),
        ({"date": "2026-12-10"}, "when", "hasn't come yet"),  # more than a week ahead
        ({"date": "2026-11-25", "time": "21:00"}, "when", "hasn't come yet"),  # tonight at 9, said at 8:30 am
        ({"date": "2026-W47"}, "when", "I need the day"),
        ({"duration": "P2D"}, "duration", "longer than a day"),
        ({"duration": "P1M"}, "duration", "longer than a day"),
        ({"duration": "PT0S"}, "duration", "didn't catch how long"),
        ({"muscle": Slot("elbow", match=False, slot_type="Muscle")}, "muscle", "didn't catch the muscle"),
        ({"side": Slot("middle", match=False, slot_type="Side")}, "side", "didn't catch the side"),
        ({"helped": Slot("singing", match=False, slot_type="Helped")}, "helped", "don't know that one"),
    ],
)
def test_bad_values_are_asked_again_with_help(conversation, services, slots, slot, says):
    reply = conversation.intent("LogCrampIntent", {"muscle": muscle(), **slots}, dialog_state="STARTED")
    assert elicited(reply) == slot
    assert says in reply.speech
    assert reply.listening and saved(services) == []


def test_a_corrected_answer_after_a_bad_one_is_used(conversation, services):
    conversation.intent("LogCrampIntent", {"muscle": muscle(), "severity": "12"}, dialog_state="STARTED")
    reply = conversation.intent("LogCrampIntent", {"severity": "8"}, dialog_state="IN_PROGRESS")
    assert elicited(reply) == "duration"
    conversation.intent("LogCrampIntent", {"skip": DONE}, dialog_state="IN_PROGRESS")
    assert saved(services)[0].severity == 8


def test_a_bare_weekday_means_the_past_one(conversation, services):
    # "Friday" said on Wednesday arrives as the coming Friday (27th): the diary means the 20th.
    conversation.intent(
        "LogCrampIntent",
        one_breath(when=None, date="2026-11-27", time="03:00", skip=DONE),
        dialog_state="STARTED",
    )
    logged = saved(services)[0]
    assert logged.local_start == datetime(2026, 11, 20, 3, 0, tzinfo=logged.zone)


def test_still_going_stores_an_open_entry_that_its_gone_closes(conversation, clock, services):
    first = conversation.intent(
        "LogCrampIntent",
        {
            "muscle": muscle(),
            "severity": "6",
            "still_going": custom("still going", "STILL_GOING", "StillGoing"),
            "skip": DONE,
        },
        dialog_state="STARTED",
    )
    assert "still going" in first.speech and "talk you through a stretch" in first.speech
    assert saved(services)[0].is_open
    conversation.end()
    clock.advance(minutes=3)
    gone = conversation.intent("CrampGoneIntent")
    assert "lasted 3 minutes" in gone.speech
    assert saved(services)[0].duration_s == 180


def test_timer_then_its_gone_measures_the_cramp_and_asks_how_bad(conversation, clock, services):
    started = conversation.intent("StartCrampTimerIntent", {"muscle": muscle(), "side": side()})
    assert "it's gone" in started.speech and started.ended
    assert persistent(services)["open_cramp"]["started_at"] == iso(NOW)
    clock.advance(minutes=4, seconds=20)
    gone = conversation.intent("CrampGoneIntent")
    assert "lasted 4 minutes and 20 seconds" in gone.speech
    assert elicited(gone) == "severity"
    done = conversation.intent("LogCrampIntent", {"severity": "5"}, dialog_state="IN_PROGRESS")
    assert elicited(done) == "helped"  # side, time and length are known
    conversation.intent("LogCrampIntent", {"skip": DONE}, dialog_state="IN_PROGRESS")
    [logged] = saved(services)
    assert (logged.duration_s, logged.source, logged.side, logged.started_at) == (260, "timer", "LEFT", NOW)
    assert "open_cramp" not in persistent(services)


def test_the_coaches_open_cramp_is_closed_the_same_way(conversation, clock, services):
    services.persistence.save_attributes(
        request_envelope(), {"open_cramp": {"started_at": iso(NOW), "muscle": "HAMSTRING", "side": None}}
    )
    clock.advance(seconds=90)
    gone = conversation.intent("CrampGoneIntent")
    assert "1 minute and 30 seconds" in gone.speech and elicited(gone) == "severity"


def test_a_timer_left_running_asks_for_the_length_instead(conversation, clock, services):
    conversation.intent("StartCrampTimerIntent", {})
    clock.advance(hours=3)
    gone = conversation.intent("CrampGoneIntent")
    assert "a while ago" in gone.speech
    assert elicited(gone) == "muscle"
    conversation.intent("LogCrampIntent", {"muscle": muscle()}, dialog_state="IN_PROGRESS")
    length = conversation.intent("LogCrampIntent", {"severity": "4"}, dialog_state="IN_PROGRESS")
    assert elicited(length) == "duration"


def test_its_gone_with_nothing_timed_says_how_to_log(conversation):
    reply = conversation.intent("CrampGoneIntent")
    assert "wasn't timing a cramp" in reply.speech
    assert "log a cramp" in reply.speech and reply.listening


def test_a_second_timer_does_not_restart_the_first(conversation, clock, services):
    conversation.intent("StartCrampTimerIntent", {})
    clock.advance(minutes=2)
    again = conversation.intent("StartCrampTimerIntent", {})
    assert "already timing" in again.speech
    assert persistent(services)["open_cramp"]["started_at"] == iso(NOW)


@pytest.mark.parametrize(
    ("locale", "first_words", "numbers"),
    [
        ("en-US", "Please see a doctor today", "call nine one one"),
        ("en-GB", "Please get urgent medical help today: call NHS one one one", "call nine nine nine"),
        ("en-AU", "Please see a doctor today", "call triple zero"),
        ("en-CA", "Please see a doctor today", "call nine one one"),
        ("en-IN", "", "call one one two"),
    ],
)
def test_clot_signs_get_the_safety_message_first_with_the_locales_numbers(
    conversation, services, locale, first_words, numbers
):
    conversation.envelope_options["locale"] = locale
    reply = conversation.intent(
        "LogCrampIntent",
        one_breath(symptom=custom("swollen", "SWELLING", "Symptom"), skip=DONE),
        dialog_state="STARTED",
    )
    speech = reply.speech
    assert speech.startswith(first_words)
    assert "blood clot" in speech and numbers in speech
    assert speech.index("blood clot") < speech.index("Logged")
    assert "stretches" not in speech and reply.ended  # no exercise over a possible clot
    assert "possible_clot" in saved(services)[0].red_flags


def test_a_cramp_over_ten_minutes_points_to_urgent_advice(conversation, services):
    reply = conversation.intent(
        "LogCrampIntent", one_breath(duration="PT15M", skip=DONE), dialog_state="STARTED"
    )
    assert reply.speech.startswith("Please get urgent medical advice")
    assert saved(services)[0].red_flags == ("long_cramp",)


def test_warmth_asked_about_in_the_diary_counts_as_a_clot_sign(conversation, services):
    reply = conversation.intent(
        "LogCrampIntent",
        one_breath(symptom=custom("warm", "WARMTH", "Symptom"), skip=DONE),
        dialog_state="STARTED",
    )
    assert "blood clot" in reply.speech
    assert "possible_clot" in saved(services)[0].red_flags


@pytest.mark.parametrize(
    ("intent", "slot_before", "says", "slot_after"),
    [
        ("AMAZON.HelpIntent", "side", "Tell me the side", "side"),
        ("AMAZON.FallbackIntent", "side", "didn't get that", "side"),
        ("AMAZON.NextIntent", "side", "", "when"),  # "skip" heard as the built-in Next
        ("AMAZON.NoIntent", "side", "", "when"),
        ("AMAZON.NoIntent", "muscle", "I need the muscle", "muscle"),
    ],
)
def test_help_skip_and_no_inside_the_dialog_keep_it_going(
    conversation, intent, slot_before, says, slot_after
):
    slots = {} if slot_before == "muscle" else {"muscle": muscle()}
    first = conversation.intent("LogCrampIntent", slots, dialog_state="STARTED")
    assert elicited(first) == slot_before
    reply = conversation.intent(intent)
    assert says in reply.speech
    assert elicited(reply) == slot_after and reply.listening


def test_yes_to_which_symptom_asks_which(conversation):
    conversation.intent("LogCrampIntent", one_breath(), dialog_state="STARTED")
    reply = conversation.intent("AMAZON.YesIntent")
    assert "Which one" in reply.speech and elicited(reply) == "symptom"


def test_no_to_the_symptom_question_is_no_symptoms(conversation, services):
    conversation.intent("LogCrampIntent", one_breath(), dialog_state="STARTED")
    conversation.intent("AMAZON.NoIntent")
    conversation.intent("AMAZON.NoIntent")  # no medicines either
    logged = saved(services)[0]
    assert logged.symptoms == () and logged.red_flags == ()


@pytest.mark.parametrize(
    ("answer", "says", "ends"),
    [("AMAZON.YesIntent", "start the bedtime stretches", False), ("AMAZON.NoIntent", "", True)],
)
def test_the_technique_offer_hands_over_or_says_goodbye(conversation, answer, says, ends):
    conversation.intent("LogCrampIntent", one_breath(skip=DONE), dialog_state="STARTED")
    reply = conversation.intent(answer)
    assert says in reply.speech and reply.ended is ends


def test_a_cramp_just_now_at_night_is_offered_breathing_to_settle(conversation, clock):
    clock.now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 3 am in New York
    reply = conversation.intent(
        "LogCrampIntent", {"muscle": muscle(), "severity": "7", "skip": DONE}, dialog_state="STARTED"
    )
    assert "breathing exercise to help you settle" in reply.speech


class FlakyDiary(MemoryDiaryRepository):
    """Fails the first ``failures`` writes, like a store that is briefly unreachable."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def add(self, entry):
        if self.failures:
            self.failures -= 1
            raise StorageError("store unavailable")
        super().add(entry)


def test_a_failed_save_says_so_and_a_yes_retries_the_same_entry(conversation, services):
    services.diary = FlakyDiary(failures=1)
    failed = conversation.intent("LogCrampIntent", one_breath(skip=DONE), dialog_state="STARTED")
    assert "couldn't save" in failed.speech and failed.listening
    assert services.diary.entries(USER) == []
    retried = conversation.intent("AMAZON.YesIntent")
    assert "Logged: a 7 out of 10 cramp" in retried.speech
    assert len(services.diary.entries(USER)) == 1


def test_declining_the_retry_leaves_nothing_half_saved(conversation, services):
    services.diary = FlakyDiary(failures=5)
    conversation.intent("LogCrampIntent", one_breath(skip=DONE), dialog_state="STARTED")
    reply = conversation.intent("AMAZON.NoIntent")
    assert "haven't saved it" in reply.speech and reply.ended
    assert services.diary.entries(USER) == []


def test_a_save_that_landed_before_a_lost_reply_is_not_duplicated(conversation, services):
    class LostReply(MemoryDiaryRepository):
        """The write succeeds but the caller hears a failure (a timeout after commit)."""

        calls = 0

        def add(self, entry):
            super().add(entry)
            LostReply.calls += 1
            if LostReply.calls == 1:
                raise StorageError("timed out")

    services.diary = LostReply()
    conversation.intent("LogCrampIntent", one_breath(skip=DONE), dialog_state="STARTED")
    conversation.intent("AMAZON.YesIntent")
    assert len(services.diary.entries(USER)) == 1


def test_dialog_state_stays_small(conversation):
    reply = conversation.intent("LogCrampIntent", one_breath(), dialog_state="STARTED")
    assert len(str(reply.attributes)) < 600


def test_the_log_works_on_a_new_session_one_shot(invoke, services):
    from tests import envelopes

    raw = invoke(envelopes.intent("LogCrampIntent", one_breath(skip=DONE), dialog_state="STARTED", new=True))
    assert "Logged" in raw["response"]["outputSpeech"]["ssml"]
    assert saved(services)[0].logged_at == NOW
    assert saved(services)[0].started_at < NOW - timedelta(hours=1)


def test_logging_right_after_a_timed_cramp_takes_its_start_and_length(conversation, clock, services):
    services.persistence.save_attributes(
        request_envelope(), {"open_cramp": {"started_at": iso(NOW), "muscle": "CALF", "side": "RIGHT"}}
    )
    clock.advance(minutes=2)
    reply = conversation.intent("LogCrampIntent", {"severity": "6", "skip": DONE}, dialog_state="STARTED")
    assert "lasting 2 minutes" in reply.speech and "your right calf" in reply.speech
    [logged] = saved(services)
    assert (logged.started_at, logged.duration_s, logged.source) == (NOW, 120, "coach")
    assert "open_cramp" not in persistent(services)  # "it's gone" now has nothing left to close


def test_values_another_feature_chained_in_are_read_without_entity_resolution(conversation, services):
    # The coach delegates LogCrampIntent with the slot words it knows; Alexa sends them back unresolved.
    reply = conversation.intent(
        "LogCrampIntent", {"muscle": "calf", "side": "left", "severity": "5"}, dialog_state="IN_PROGRESS"
    )
    assert elicited(reply) == "when"
    assert draft_in(reply).muscle == "CALF"


def draft_in(reply):
    """The cramp being logged, as the session carries it."""
    return Draft.from_session(reply.attributes["cc"]["diary_log"])


@pytest.mark.parametrize("skew", [timedelta(0), timedelta(seconds=-2)])
def test_a_cramp_that_eases_at_once_is_still_measured(conversation, clock, services, skew):
    # The coach stamps with the server's clock; Alexa's request time may be a moment behind it.
    services.persistence.save_attributes(
        request_envelope(), {"open_cramp": {"started_at": iso(NOW - skew), "muscle": "CALF", "side": None}}
    )
    gone = conversation.intent("CrampGoneIntent")
    assert "lasted 0 seconds" in gone.speech and "a while ago" not in gone.speech
    assert elicited(gone) == "severity"
