"""Safety everywhere: phrasings typed as a user would say them, resolved by the local chat resolver
against the built interaction model, sent through the real skill, and judged by what is heard first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skill.content.catalog import RESPONSES_DIR, default_catalog
from skill.localchat.resolver import Resolver
from skill.localchat.session import ChatSession, Turn
from skill.safety.screen import screen
from skill.speech import ssml
from tests import envelopes
from tests.conversation import after_first_use

RESOLVER = Resolver.for_locale("en-US")

# What each level says first (en-US); per-locale numbers are checked in LOCALE_CASES.
FIRST = {
    "emergency": "Please call nine one one now.",
    "midwife": "Please call your midwife or doctor now.",
    "urgent": "Please see a doctor today",
    "urgent_advice": "Please get urgent medical advice",
    "prescriber": "Please contact the doctor who prescribed your medicine",
    "doctor": "Please see your doctor",
    "mention": "It's worth mentioning to the doctor",
}
# Words that would offer an exercise in the same turn.
EXERCISE_OFFERS = (
    "breathing exercise",
    "I have a cramp",
    "stretch with me",
    "help with a cramp",
    "acupressure",
)

RED_FLAGS = [
    # Emergency: breathlessness, chest pain or coughing blood, with or without a swollen leg.
    ("I have chest pain", "emergency"),
    ("I can't breathe properly", "emergency"),
    ("I have a pain in my chest", "emergency"),
    ("my chest feels tight", "emergency"),
    ("I'm coughing up blood", "emergency"),
    ("I'm struggling to breathe", "emergency"),
    ("I have shortness of breath", "emergency"),
    ("my calf is swollen and I can't breathe properly", "emergency"),
    ("my leg is swollen and I have chest pain", "emergency"),
    ("I'm short of breath and my calf is swollen", "emergency"),
    ("my left leg is red and I feel short of breath", "emergency"),
    # Urgent, today: one leg swollen, warm with another sign, red, darker, throbbing, pain on flexing.
    ("my calf is swollen and hot", "urgent"),
    ("my leg is red and warm", "urgent"),
    ("my calf is warm and swollen", "urgent"),
    ("my left calf is swollen", "urgent"),
    ("my right leg is red and swollen", "urgent"),
    ("my calf is swollen red and warm", "urgent"),
    ("my calf is throbbing", "urgent"),
    ("my leg has gone darker", "urgent"),
    ("one leg is swollen", "urgent"),
    ("I have a swollen calf", "urgent"),
    ("my ankle is swollen and red", "urgent"),
    ("my calf hurts when I pull my foot up", "urgent"),
    ("my calf is hot and sore", "urgent"),
    ("my left calf is warm and tender", "urgent"),
    # Pregnant with redness, swelling or growing pain: the midwife, now.
    ("I'm pregnant and my leg is swollen", "midwife"),
    ("I'm pregnant and my calf is red", "midwife"),
    ("I'm pregnant and the pain in my leg is getting worse", "midwife"),
    # Urgent medical advice: a long cramp, dark urine, lead, mercury or a dirty wound.
    ("the cramp won't stop after twenty minutes", "urgent_advice"),
    ("my cramp has lasted fifteen minutes", "urgent_advice"),
    ("I've had a cramp for half an hour", "urgent_advice"),
    ("I'm on a statin and my urine is dark", "urgent_advice"),
    ("I have dark urine", "urgent_advice"),
    ("I stepped on a rusty nail", "urgent_advice"),
    ("I've been exposed to lead", "urgent_advice"),
    # The prescriber: statins with muscle symptoms.
    ("I started a statin and my muscles ache", "prescriber"),
    ("I'm on statins", "prescriber"),
    ("I started taking atorvastatin", "prescriber"),
    ("could my cholesterol medicine be causing my cramps", "prescriber"),
    # See a doctor: weakness, numbness, wasting, swelling of both legs, frequent cramps.
    ("my leg feels weak", "doctor"),
    ("my leg keeps giving way", "doctor"),
    ("my foot is numb", "doctor"),
    ("I have pins and needles in my foot", "doctor"),
    ("my calf muscle is wasting", "doctor"),
    ("my legs are swollen", "doctor"),
    ("both my ankles are swollen", "doctor"),
    ("I get cramps every night", "doctor"),
    ("the cramps keep waking me up", "doctor"),
    # Mention it to the prescriber: diuretics, new medicines; never "stop".
    ("I'm on water tablets", "mention"),
    ("I take diuretics", "mention"),
    ("I started a new medicine", "mention"),
]

# Must not sound an alarm (documented rule: warmth alone, soreness after a cramp, short cramps).
CALM = [
    ("my calf is warm from the stretch", "ReportSymptomIntent", "warmth after stretching"),
    ("my leg feels warm", "ReportSymptomIntent", "warmth after stretching"),
    ("my feet are warm", "ReportSymptomIntent", "warmth after stretching"),
    ("my legs feel warm after the massage", "ReportSymptomIntent", "warmth after stretching"),
    ("my calf is warm after my walk", "ReportSymptomIntent", "warmth after stretching"),
    ("I feel warm", "ReportSymptomIntent", "warmth after stretching"),
    ("my calf is sore after the cramp", "ReportSymptomIntent", "up to a day"),
    ("my calf is tender", "ReportSymptomIntent", "up to a day"),
    ("my muscles ache after exercise", "ReportSymptomIntent", "up to a day"),
    ("my cramp has lasted five minutes", "ReportSymptomIntent", "pass within ten minutes"),
    ("I have a cramp in my calf", "CrampNowIntent", None),
    ("a breathing exercise", "StartBreathingIntent", None),
]
ALARMS = (
    "nine one one",
    "nine nine nine",
    "triple zero",
    "one one two",
    "one one one",
    "urgent",
    "emergency",
    "Please call",
    "today",
    "midwife",
)

LOCALE_CASES = [
    ("en-GB", "I have chest pain", "Please call nine nine nine now."),
    ("en-GB", "my calf is swollen and hot", "call NHS one one one"),
    ("en-GB", "the cramp won't stop after twenty minutes", "call NHS one one one"),
    ("en-US", "my calf is swollen and hot", "go to urgent care"),
    ("en-CA", "I can't breathe properly", "Please call nine one one now."),
    ("en-AU", "I'm coughing up blood", "triple zero"),
    ("en-IN", "my leg is swollen and I have chest pain", "Please call one one two now."),
    ("en-AU", "my calf is swollen and hot", "Please see a doctor today."),
]


def speech_of(turn: Turn) -> str:
    text = ((turn.response or {}).get("response", {}).get("outputSpeech") or {}).get("ssml", "")
    return ssml.to_text(text) if text else ""


@pytest.fixture
def chat(invoke) -> Callable[..., ChatSession]:
    """A user typing to the real skill; the resolver turns lines into requests as Alexa would."""

    def make(locale: str = "en-US", **options: Any) -> ChatSession:
        return ChatSession(RESOLVER, invoke, locale=locale, user_id=envelopes.USER_ID, **options)

    return make


def said(session: ChatSession, line: str) -> Turn:
    turns = session.handle(line)
    assert turns and turns[-1].response is not None, f"{line!r} got no response"
    return turns[-1]


def test_the_phrasing_table_is_large_enough():
    assert len(RED_FLAGS) >= 40
    assert {level for _, level in RED_FLAGS} == set(FIRST)


@pytest.mark.parametrize(("line", "level"), RED_FLAGS)
def test_red_flags_get_the_right_help_first_and_no_exercise(chat, line, level):
    turn = said(chat(), line)
    assert turn.resolution.intent == "ReportSymptomIntent", turn.resolution.describe()
    heard = speech_of(turn)
    assert heard.startswith(FIRST[level]), heard
    assert not any(offer in heard for offer in EXERCISE_OFFERS), heard
    assert not re.search(r"\bstop (taking|your medicine)", heard, re.IGNORECASE)


@pytest.mark.parametrize(("line", "intent", "calm_words"), CALM)
def test_calm_phrasings_do_not_sound_an_alarm(chat, line, intent, calm_words):
    turn = said(chat(), line)
    assert turn.resolution.intent == intent, turn.resolution.describe()
    heard = speech_of(turn)
    assert not any(alarm in heard for alarm in ALARMS), heard
    assert "leg_swollen" not in (turn.response.get("sessionAttributes") or {}).get("cc", {})
    if calm_words:
        assert calm_words in heard


@pytest.mark.parametrize(("locale", "line", "number"), LOCALE_CASES)
def test_the_help_named_follows_the_locale(chat, locale, line, number):
    heard = speech_of(said(chat(locale), line))
    assert number in heard.split(". ")[0] + ".", heard


def test_an_emergency_ends_the_session_so_the_user_can_call(chat):
    turn = said(chat(), "I can't breathe properly")
    assert turn.response["response"]["shouldEndSession"] is True
    assert "reprompt" not in turn.response["response"]


def test_an_emergency_stops_a_technique_playing_as_audio(chat):
    turn = said(chat(audio_player=True), "I have chest pain")
    assert {"type": "AudioPlayer.Stop"} in turn.response["response"]["directives"]


def test_an_urgent_sign_keeps_listening_without_offering_exercises(chat):
    turn = said(chat(), "my calf is swollen and hot")
    heard = speech_of(turn)
    assert heard.endswith("What else can I help you with?")
    reprompt = ssml.to_text(turn.response["response"]["reprompt"]["outputSpeech"]["ssml"])
    assert not any(offer in reprompt for offer in EXERCISE_OFFERS)


def test_a_swollen_leg_holds_back_leg_exercises_for_the_rest_of_the_session(chat):
    session = chat()
    said(session, "my calf is swollen and hot")
    assert session.attributes["cc"]["leg_swollen"] is True
    said(session, "what can I say")
    assert session.attributes["cc"]["leg_swollen"] is True, "the hold lasts the whole session"


def test_a_cramp_that_wont_stop_without_a_time_gets_the_advice_first_then_the_cramp_help(chat):
    heard = speech_of(said(chat(), "the cramp won't stop"))
    # Advice first (issue 13): the help to seek leads, said for a cramp past ten minutes.
    assert heard.startswith(FIRST["urgent_advice"]), heard
    assert heard.index("more than ten minutes") < heard.index("I have a cramp in my calf")
    assert heard.endswith("?")


def test_an_unrecognised_symptom_is_not_guessed_at(chat):
    heard = after_first_use(speech_of(said(chat(), "my leg is sparkly")))
    assert heard.startswith("I can't judge that one")
    assert not any(alarm in heard for alarm in ("nine one one", "Please call"))
    # Never a dead end: what it can do, and a question.
    assert "ease a cramp" in heard and heard.endswith("?"), heard


def test_pregnancy_mode_is_remembered_and_changes_the_help(chat, services):
    first = chat()
    assert "I'll remember that you're pregnant" in speech_of(said(first, "I'm pregnant"))
    first.end()
    later = chat()  # a new session: the profile, not the session, remembers
    assert speech_of(said(later, "my calf is red")).startswith(FIRST["midwife"])
    assert "pregnancy mode is off" in speech_of(said(later, "turn off pregnancy mode"))
    later.end()
    assert speech_of(said(chat(), "my calf is red")).startswith(FIRST["urgent"])


@pytest.mark.parametrize(
    "line", ["I'm pregnant", "I might be pregnant", "I'm expecting a baby", "turn on pregnancy mode"]
)
def test_pregnancy_mode_phrasings(chat, line):
    turn = said(chat(), line)
    assert turn.resolution.intent == "PregnancyModeOnIntent"


@pytest.mark.parametrize("line", ["turn off pregnancy mode", "I'm not pregnant any more", "I've had my baby"])
def test_pregnancy_mode_off_phrasings(chat, line):
    assert said(chat(), line).resolution.intent == "PregnancyModeOffIntent"


def test_help_and_first_use_carry_the_not_medical_advice_line(chat):
    session = chat()
    assert "not a substitute for professional medical advice" in speech_of(said(session, "open cramp coach"))
    assert "not a substitute for professional medical advice" in speech_of(said(session, "help"))


def _phrases() -> list[tuple[str, str]]:
    found = []
    for path in sorted(RESPONSES_DIR.glob("*/phrases/*.json")):

        def walk(value: Any, key: str, path: Path = path) -> None:
            if isinstance(value, dict):
                for inner_key, inner in value.items():
                    walk(inner, f"{key}.{inner_key}")
            elif isinstance(value, list):
                for item in value:
                    walk(item, key)
            else:
                found.append((f"{path.parent.parent.name}/{key}", str(value)))

        walk(json.loads(path.read_text(encoding="utf-8")), path.stem)
    return found


PROMOTION = re.compile(
    r"\b(buy|order now|shop|discount|coupon|subscribe|premium|sponsored|brand|supplement|promo)\b",
    re.IGNORECASE,
)


def test_no_phrase_promotes_a_product():
    assert [(key, text) for key, text in _phrases() if PROMOTION.search(text)] == []


def test_no_phrase_tells_anyone_to_stop_a_medicine():
    stop = re.compile(
        r"\bstop (taking|your|the) (medicine|medication|tablets|pills|statin|diuretic)", re.IGNORECASE
    )
    assert [(key, text) for key, text in _phrases() if stop.search(text)] == []


LOCALES = ("en-US", "en-GB", "en-AU", "en-CA", "en-IN")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_dizziness_reply_pauses_with_the_guides_words_and_offers_to_carry_on_gently(locale):
    catalog = default_catalog()
    assert catalog.text(locale, "safety.dizzy.pause").startswith(
        "If you feel dizzy or tingly, breathe normally for a moment."
    )
    offer = catalog.text(locale, "safety.dizzy.offer")
    assert "more gently" in offer and offer.endswith("?")
    assert catalog.text(locale, "safety.dizzy.reprompt").endswith("?")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_stiff_jaw_after_a_wound_is_an_emergency_with_the_locales_number(locale):
    found = screen("I stood on a rusty nail last week and now my jaw is stiff")
    assert found.level == "emergency"
    catalog = default_catalog()
    number = catalog.text(locale, "safety.emergency_number")
    assert number in catalog.text(locale, "safety.level.emergency")
    assert "tetanus" in catalog.text(locale, f"safety.redflag.{found.findings.to_say[0].id}")
