"""Certification contracts (docs/certification.md): an open microphone always follows a question,
the disclaimer is heard once on any first use, and the welcome offers back only what is worth it.

The question contract drives the real skill through the local chat (real request envelopes, dialog
directives honoured as Alexa does) into many states - first launch, a returning launch, menus,
mid-technique, the cramp coach's questions, every question of the diary dialog, after a red flag,
reminders, diary questions - and from each state sends the words a user might say next (help,
gibberish, yes, no, the session controls). Every reply that keeps the session open must end with
a question; ``tests.conversation.checked`` holds the rest of the suite to the same rule.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from skill.localchat.resolver import Resolver
from skill.localchat.session import ChatSession
from skill.personal import disclaimer, welcome
from skill.speech.response_check import last_sentence, question_problems
from tests import envelopes
from tests.conversation import Reply

RESOLVERS = {locale: Resolver.for_locale(locale) for locale in ("en-US", "en-GB")}
DISCLAIMER = "not a substitute for professional medical advice"

# State → the lines that lead there from a new session.
STATES: dict[str, list[str]] = {
    "first launch": ["open cramp coach"],
    "returning launch": ["ask cramp coach for box breathing for one minute", "open cramp coach"],
    "which technique menu": ["open cramp coach", "start an exercise"],
    "breathing pattern menu": ["open cramp coach", "a breathing exercise please"],
    "stretch menu": ["open cramp coach", "a stretch"],
    "acupressure menu": ["open cramp coach", "acupressure"],
    "mid-technique": ["open cramp coach", "progressive muscle relaxation"],
    "mid-technique, paused by a refusal": ["open cramp coach", "progressive muscle relaxation", "go back"],
    "cramp coach asks which muscle": ["open cramp coach", "i have a cramp"],
    "cramp coach asks if it eased": ["tell cramp coach i have a cramp in my calf"],
    "cramp coach offers to log": ["tell cramp coach i have a cramp in my calf", "yes"],
    "diary asks the muscle": ["open cramp coach", "log a cramp"],
    "diary asks the side": ["open cramp coach", "log a cramp", "my calf"],
    "diary asks when": ["open cramp coach", "log a cramp", "my calf", "left"],
    "diary asks severity": ["open cramp coach", "log a cramp", "my calf", "left", "last night"],
    "diary asks duration": ["open cramp coach", "log a cramp", "my calf", "left", "last night", "seven"],
    "after a red flag": ["open cramp coach", "my calf is swollen and red"],
    "after a symptom note": ["open cramp coach", "my calf is warm from the stretch"],
    "reminder asks the time": ["open cramp coach", "remind me to do my stretches"],
    "delete diary asks to confirm": ["open cramp coach", "delete my whole diary"],
    "nothing playing": ["open cramp coach", "resume"],
    "after a preference": ["open cramp coach", "always go slower"],
}
# What a user says next, whatever the state.
NEXT_LINES = (
    "help",
    "what can i do",
    "purple monkey dishwasher",
    "yes",
    "no",
    "repeat",
    "go back",
    "next",
    "start over",
    "slower",
    "continue",
    "how many cramps this week",
)


@pytest.fixture
def chat(invoke: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., ChatSession]:
    def make(locale: str = "en-US", user: str = envelopes.USER_ID, **options: Any) -> ChatSession:
        return ChatSession(RESOLVERS[locale], invoke, locale=locale, user_id=user, **options)

    return make


def replies(session: ChatSession, line: str) -> list[dict[str, Any]]:
    return [turn.response for turn in session.handle(line) if turn.response is not None]


def branch(session: ChatSession) -> ChatSession:
    """The same user in the same state, to try one more line from there."""
    return dataclasses.replace(
        session, attributes=copy.deepcopy(session.attributes), dialog=copy.deepcopy(session.dialog)
    )


def open_without_question(responses: list[dict[str, Any]]) -> list[str]:
    return [f"{problem}" for response in responses for problem in question_problems(response)]


@pytest.mark.parametrize(
    ("locale", "audio_player"), [("en-US", False), ("en-GB", True)], ids=["voice", "audio-player"]
)
def test_every_reply_that_keeps_the_microphone_open_ends_with_a_question(chat, locale, audio_player):
    checked, listening, failures = 0, 0, []
    for state, lines in STATES.items():
        session = chat(locale, user=f"amzn1.ask.account.Q{abs(hash(state))}", audio_player=audio_player)
        responses: list[dict[str, Any]] = []
        for line in lines:
            responses += replies(session, line)
        failures += [f"{state}: {p}" for p in open_without_question(responses)]
        checked += len(responses)
        listening += sum(Reply(r).response.get("shouldEndSession") is False for r in responses)
        if session.new:
            continue  # the state ended the session (an emergency, a one-shot that finished)
        for line in NEXT_LINES:
            probe = replies(branch(session), line)
            failures += [f"{state} → {line!r}: {p}" for p in open_without_question(probe)]
            checked += len(probe)
            listening += sum(Reply(r).response.get("shouldEndSession") is False for r in probe)
    assert failures == []
    # Guard against the test silently checking nothing: most of these replies listen.
    assert checked >= 250 and listening >= 200, (checked, listening)


@pytest.mark.parametrize(
    ("speech", "end", "ok"),
    [
        ("<speak>What would you like?</speak>", False, True),
        ('<speak>Ready to continue? <break time="3s"/></speak>', False, True),
        ("<speak>Say continue when you're ready.</speak>", False, False),
        ("<speak>Is that right? Then say yes.</speak>", False, False),
        ("<speak>Goodbye.</speak>", True, True),
        ("<speak>Goodbye.</speak>", None, True),
    ],
)
def test_the_rule_looks_at_the_last_sentence_of_a_listening_reply(speech, end, ok):
    response: dict[str, Any] = {"outputSpeech": {"type": "SSML", "ssml": speech}}
    if end is not None:
        response["shouldEndSession"] = end
    assert (question_problems({"version": "1.0", "response": response}) == []) is ok


def test_alexa_asks_after_a_dialog_delegate_so_the_lead_in_needs_no_question():
    response = {
        "outputSpeech": {"type": "SSML", "ssml": "<speak>Okay, let's log it.</speak>"},
        "directives": [{"type": "Dialog.Delegate"}],
        "shouldEndSession": False,
    }
    assert question_problems({"version": "1.0", "response": response}) == []
    response["directives"] = [{"type": "Dialog.ElicitSlot", "slotToElicit": "muscle"}]
    assert question_problems({"version": "1.0", "response": response}) != []


def test_help_ends_by_asking_in_the_menu_and_in_a_technique(talk):
    menu, technique = talk(["launch", "AMAZON.HelpIntent", "StartRelaxationIntent", "AMAZON.HelpIntent"])[
        1::2
    ]
    for reply in (menu, technique):
        assert DISCLAIMER in reply.speech and reply.listening
        assert last_sentence(reply.ssml).endswith("?")
        assert reply.speech.index(DISCLAIMER) < len(reply.speech) - len(
            reply.reprompt
        )  # the line, then the question


def test_yes_to_ready_to_continue_carries_on_and_no_plays_that_part_again(conversation):
    first = conversation.intent("StartRelaxationIntent")
    assert first.speech.endswith("continue?")
    on = conversation.intent("AMAZON.YesIntent")
    assert on.speech != first.speech and "wasn't asking" not in on.speech
    assert conversation.attributes["cc"]["session"]["segment"] == 1
    again = conversation.intent("AMAZON.NoIntent")
    assert again.speech.startswith("Okay, let's keep at it.")
    assert conversation.attributes["cc"]["session"]["segment"] == 1


# -- the disclaimer on first use -------------------------------------------------------------------


def count(reply: Reply) -> int:
    return reply.speech.count(DISCLAIMER)


@pytest.mark.parametrize(
    "first_words",
    [
        ("StartBreathingIntent", {}),
        ("CrampNowIntent", {"muscle": envelopes.Slot("calf", id="CALF")}),
        ("LastCrampIntent", {}),
        ("SetPreferenceIntent", {"pace": envelopes.Slot("slower", id="SLOWER")}),
        ("StartCrampTimerIntent", {}),
    ],
    ids=["technique", "cramp-now", "diary-question", "preference", "timer"],
)
def test_a_first_one_shot_hears_the_disclaimer_once_then_never_again(talk, first_words):
    first, again = talk([first_words]), talk([first_words])
    assert count(first[0]) == 1 and first[0].speech.startswith("Just so you know")
    assert count(again[0]) == 0
    launch = talk(["launch"])[0]
    assert count(launch) == 0 and launch.speech.startswith(("Welcome back", "Hello again"))


def test_a_first_launch_and_a_first_help_say_it_once_not_twice(talk):
    assert count(talk(["launch"])[0]) == 1
    assert count(talk(["launch"])[0]) == 0
    assert count(talk([("AMAZON.HelpIntent", {})], user_id="amzn1.ask.account.HELPFIRST")[0]) == 1


def test_a_red_flag_first_keeps_its_help_line_ahead_of_the_disclaimer(chat):
    reply = chat().handle("tell cramp coach my calf is swollen and red")[-1]
    spoken = Reply(reply.response or {}).speech
    assert spoken.startswith("Please see a doctor today") and spoken.count(DISCLAIMER) == 1
    assert spoken.index("Please see a doctor today") < spoken.index(DISCLAIMER)


def test_each_user_hears_it_for_themselves(talk):
    assert count(talk(["StartBreathingIntent"])[0]) == 1
    assert count(talk(["StartBreathingIntent"], user_id="amzn1.ask.account.SOMEONEELSE")[0]) == 1


def test_the_line_goes_after_safety_lines_and_is_never_added_twice():
    doc = "<speak>Please call nine one one now. Chest pain can mean a clot.</speak>"
    line = "Just so you know, I'm not a substitute for professional medical advice."
    placed = disclaimer.with_line(doc, line, ["Please call nine one one now."])
    assert placed.startswith("<speak>Please call nine one one now. Just so you know")
    assert disclaimer.with_line("<speak>Hi.</speak>", line).startswith(f"<speak>{line} Hi.")
    assert disclaimer.carries(placed, [line]) and not disclaimer.carries(doc, [line])


# -- the welcome back --------------------------------------------------------------------------------

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("script", "stopped", "offered"),
    [
        ("cramp-now-calf", timedelta(minutes=5), True),
        ("cramp-now-calf", timedelta(minutes=30), True),
        ("cramp-now-calf", timedelta(minutes=31), False),
        ("cramp-now-calf", timedelta(days=2), False),
        ("pmr", timedelta(hours=20), True),
        ("pmr", timedelta(days=3), True),
        ("pmr", timedelta(days=4), False),
        ("pmr", -timedelta(minutes=1), True),
    ],
)
def test_only_sessions_worth_resuming_are_offered(script, stopped, offered):
    assert welcome.worth_resuming(script, NOW - stopped, NOW) is offered
    assert welcome.worth_resuming(script, None, NOW) is False


def test_the_welcome_names_the_last_thing_once():
    assert welcome.welcome_line("belly breathing", None) == (
        "personal.welcome_back_last",
        {"title": "belly breathing"},
    )
    assert welcome.welcome_line("belly breathing", "muscle relaxation") == ("launch.welcome", {})
    assert welcome.welcome_line(None, None) == ("launch.welcome", {})


def stop_partway(talk: Callable[..., list[Reply]], intent: str, slots: dict[str, Any]) -> None:
    talk(["launch", (intent, slots), "AMAZON.StopIntent"])


def test_a_returning_user_hears_last_time_once_and_is_offered_a_recent_session(talk):
    stop_partway(talk, "StartRelaxationIntent", {})
    welcome_back = talk(["launch"])[0]
    assert welcome_back.speech.count("Last time") == 1
    assert "partway through" in welcome_back.speech and welcome_back.speech.endswith("?")


def test_a_cramp_coach_from_hours_ago_is_not_offered_back(talk, services):
    stop_partway(talk, "CrampNowIntent", {"muscle": envelopes.Slot("calf", id="CALF")})
    assert "partway through" in talk(["launch"])[0].speech  # minutes later: still worth it
    hours_later = datetime.now(UTC) + timedelta(hours=3)
    services.clock = lambda: hours_later  # the one clock that also stamped the stop
    later = talk(["launch"])[0]
    assert "partway through" not in later.speech and later.speech.count("Last time") <= 1
    assert later.speech.endswith("What would you like?")


# -- the privacy policy and the manifest agree with the code ---------------------------------------

ROOT = Path(__file__).parents[1]


def test_the_privacy_policy_covers_what_certification_and_users_ask():
    policy = " ".join((ROOT / "docs" / "privacy.md").read_text().split())
    for promise in (
        "delete my whole diary",  # deletion by voice (test_diary_changes.py)
        "disabling the skill",  # SkillDisabled (test_diary_changes.py, test_hardening.py)
        "35 days",  # point-in-time recovery (template.yaml)
        "cramp-coach export",  # a copy on request
        "send my cramp summary to my phone",
        "30 days",  # log retention (template.yaml)
        "not a substitute for professional medical advice",
    ):
        assert promise in policy
    template = (ROOT / "template.yaml").read_text()
    assert "PointInTimeRecoveryEnabled: true" in template and "RetentionInDays: 30" in template
    security = " ".join((ROOT / "SECURITY.md").read_text().split())
    assert "no backups or exports" not in security and "docs/privacy.md" in security


def test_the_manifest_says_it_uses_personal_info_and_what_it_stores():
    manifest = json.loads((ROOT / "interaction_model" / "skill.json").read_text())["manifest"]
    assert manifest["privacyAndCompliance"]["usesPersonalInfo"] is True
    assert manifest["privacyAndCompliance"]["usesHealthInfo"] is False  # HIPAA covered entities only
    instructions = manifest["publishingInformation"]["testingInstructions"]
    for stored in ("cramp diary", "practice log", "preferences", "pregnancy mode", "disabling the skill"):
        assert stored in instructions
