"""The safety net on every turn (issue 13): the screen before every handler, a leg hold that holds
(resume, a new session, the audio path; SQLite and DynamoDB), red flags inside the diary dialog,
pregnancy and dizziness in people's words. Driven through real request envelopes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skill.audio.playback import Token
from skill.config import Settings
from skill.services import Services, build_services
from tests.audio_fakes import ToneBackend
from tests.conversation import Conversation, Reply
from tests.dynamodb import settings_on_each_store as settings  # noqa: F401  (each store)
from tests.envelopes import Slot

CALF = {"muscle": Slot("calf", id="CALF")}
SWOLLEN_LEFT = {"symptom": Slot("swollen", id="SWELLING"), "bodyPart": Slot("calf", id="CALF"),
                "side": Slot("left", id="LEFT")}  # fmt: skip
STRETCHING = ("pull your foot up", "stretch your calves", "toes toward you", "Press", "right calf")
CLOT_ADVICE = "Please see a doctor today"  # en-US urgent_today, first words
HOLD_REASON = ("don't stretch or massage it", "leaving out stretches, massage and pressure")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:  # noqa: F811 (the imported fixture)
    """Tones instead of espeak-ng for the audio path: these tests are about what is guided."""
    built = build_services(settings, tts=ToneBackend(word_seconds=60 / 155))
    yield built
    built.audio.wait_for_background()


def declined(reply: Reply) -> bool:
    return (
        any(reason in reply.speech for reason in HOLD_REASON)
        and not any(word in reply.speech for word in STRETCHING)
        and reply.speech.endswith("?")
        and reply.listening
    )


def test_after_a_clot_sign_mid_stretch_resume_does_not_restart_the_stretch(conversation):
    coach = conversation.intent("CrampNowIntent", CALF)
    assert "pull your foot up" in coach.speech and coach.listening
    warned = conversation.intent("ReportSymptomIntent", SWOLLEN_LEFT)
    assert warned.speech.startswith(CLOT_ADVICE) and warned.listening
    assert declined(conversation.intent("AMAZON.ResumeIntent"))
    carry_on = conversation.intent("ContinueIntent")
    assert not any(word in carry_on.speech for word in STRETCHING) and carry_on.listening


def test_the_hold_lasts_into_later_sessions_for_every_leg_script_until_checked(conversation, clock):
    conversation.intent("ReportSymptomIntent", SWOLLEN_LEFT)
    conversation.end()
    clock.advance(days=2)
    later = Conversation(conversation.invoke)
    first = later.intent("StartStretchIntent", {"stretch": Slot("downward dog", id="DOWNWARD_DOG")})
    assert declined(first) and "blood clot" in first.speech, "the reason in full, once a session"
    for name, slots in [
        ("StartStretchIntent", {"stretch": Slot("forward fold", id="FORWARD_FOLD")}),
        ("StartStretchIntent", {}),
        ("CrampNowIntent", {"muscle": Slot("big toe", id="OTHER")}),
        ("CrampNowIntent", {"muscle": Slot("thigh", id="THIGH")}),
        ("StartAcupressureIntent", {"point": Slot("S P six", id="SP6")}),
        ("StartRoutineIntent", {}),
    ]:
        reply = later.intent(name, slots)
        assert declined(reply), (name, reply.speech)
        assert "blood clot" not in reply.speech, "said once, briefly, afterwards"
    relax = later.intent("StartRelaxationIntent", {})
    assert "without tensing your legs" in relax.speech and "Curl" not in relax.speech
    assert "Breathe in" in later.intent("StartBreathingIntent", {}).speech, "breathing is still offered"
    checked = later.intent("LegCheckedIntent")
    assert "include leg stretches again" in checked.speech and checked.listening
    assert not declined(later.intent("CrampNowIntent", CALF))


def test_the_hold_ends_after_seven_days(conversation, clock):
    conversation.intent("ReportSymptomIntent", SWOLLEN_LEFT)
    conversation.end()
    clock.advance(days=6)
    assert declined(Conversation(conversation.invoke).intent("CrampNowIntent", CALF))
    clock.advance(days=1, hours=1)
    assert not declined(Conversation(conversation.invoke).intent("CrampNowIntent", CALF))


def test_an_unfinished_stretch_is_not_resumed_days_later(conversation, clock):
    assert "right calf" in conversation.intent("StartStretchIntent", {}).speech  # bedtime stretches
    conversation.intent("AMAZON.StopIntent")
    Conversation(conversation.invoke).intent("ReportSymptomIntent", SWOLLEN_LEFT)
    clock.advance(days=1)
    resumed = Conversation(conversation.invoke).intent("AMAZON.ResumeIntent")
    assert declined(resumed)
    assert "Picking up" not in resumed.speech


def test_audio_resume_after_the_warning_plays_nothing_of_the_routine(conversation):
    conversation.envelope_options["audio_player"] = True
    started = conversation.intent("StartRoutineIntent", {})
    play = started.directive("AudioPlayer.Play")
    assert play is not None, started.raw
    assert Token.decode(play["audioItem"]["stream"]["token"]).script == "routine-bedtime"
    conversation.end()
    listener = Conversation(conversation.invoke, envelope_options={"audio_player": True})
    warned = listener.intent("ReportSymptomIntent", SWOLLEN_LEFT)
    assert warned.speech.startswith(CLOT_ADVICE) and warned.directive("AudioPlayer.Stop") is not None
    listener.end()
    again = Conversation(conversation.invoke, envelope_options={"audio_player": True})
    resumed = again.intent("AMAZON.ResumeIntent")
    assert resumed.directive("AudioPlayer.Play") is None, resumed.raw
    assert declined(resumed)


def test_muscle_relaxation_as_audio_under_the_hold_has_no_tensing(conversation):
    conversation.intent("ReportSymptomIntent", SWOLLEN_LEFT)
    conversation.end()
    listener = Conversation(conversation.invoke, envelope_options={"audio_player": True})
    reply = listener.intent("StartRelaxationIntent", {"variant": Slot("in bed", id="IN_BED")})
    play = reply.directive("AudioPlayer.Play")
    assert play is not None and "without tensing your legs" in reply.speech
    assert Token.decode(play["audioItem"]["stream"]["token"]).options.get("variant") == "recall"


# -- the screen before every handler ---------------------------------------------------------------


def test_a_red_flag_in_the_log_dialog_is_advised_at_once_and_the_draft_kept(conversation):
    conversation.intent("LogCrampIntent", {"muscle": Slot("calf", id="CALF"), "severity": "6"})
    asked = conversation.attributes["cc"]["diary_log"]["eliciting"]
    assert asked == "duration"
    reply = conversation.intent(
        "LogCrampIntent",
        {"duration": Slot("three minutes and it's swollen and hot")},
        dialog_state="IN_PROGRESS",
    )
    assert reply.speech.startswith(CLOT_ADVICE), reply.speech
    # The cramp is saved with what was said, and the log stops asking: the advice is the last word.
    assert "Logged: a 6 out of 10 cramp in your calf" in reply.speech and reply.ended
    last = Conversation(conversation.invoke).intent("LastCrampIntent")
    assert "calf" in last.speech


def test_an_emergency_in_any_slot_is_answered_alone(conversation):
    conversation.intent("LogCrampIntent", {"muscle": Slot("calf", id="CALF")})
    reply = conversation.intent(
        "LogCrampIntent",
        {"when": Slot("my leg cramped and now I have chest pain and I'm short of breath")},
        dialog_state="IN_PROGRESS",
    )
    assert reply.speech.startswith("Please call nine one one now"), reply.speech
    assert reply.ended and not any(d["type"].startswith("Dialog.") for d in reply.directives)


def test_a_stretch_request_with_a_clot_sign_gets_the_advice_then_no_stretch(conversation):
    reply = conversation.intent("CrampNowIntent", {**CALF, "extra": Slot("it's red and swollen")})
    assert reply.speech.startswith(CLOT_ADVICE), reply.speech
    assert declined(reply)


def test_pregnancy_in_peoples_words_turns_pregnancy_mode_on(conversation):
    reply = conversation.intent("AMAZON.FallbackIntent", {"extra": Slot("I'm thirty weeks pregnant")})
    assert "Okay, I'll remember that you're pregnant" in reply.speech, reply.speech
    point = conversation.intent("StartAcupressureIntent", {"point": Slot("S P six", id="SP6")})
    assert "pregnan" in point.speech and "Press" not in point.speech


def test_dizzy_during_box_breathing_pauses_and_offers_a_gentler_pattern(conversation):
    started = conversation.intent("StartBreathingIntent", {"pattern": Slot("box", id="BOX"), "minutes": "8"})
    assert started.listening and "continue" in started.speech.lower()
    reply = conversation.intent("ReportSymptomIntent", {"symptom": Slot("dizzy")})
    assert reply.speech.startswith("If you feel dizzy or tingly, breathe normally"), reply.speech
    assert reply.speech.endswith("?") and reply.listening
    gentle = conversation.intent("AMAZON.YesIntent")
    assert "Breathe in" in gentle.speech and "hold" not in gentle.speech.lower()
    conversation.intent("StartBreathingIntent", {"pattern": Slot("box", id="BOX"), "minutes": "8"})
    again = conversation.intent("ReportSymptomIntent", {"symptom": Slot("light headed")})
    assert again.speech.startswith("If you feel dizzy")
    stopped = conversation.intent("AMAZON.NoIntent")
    assert stopped.ended
    assert "Picking up" in Conversation(conversation.invoke).intent("AMAZON.ResumeIntent").speech
