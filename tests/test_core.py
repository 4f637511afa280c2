"""Launch, help, stop, cancel, home, fallback, session end and errors, through the real handler."""

from __future__ import annotations

import logging

import pytest

from tests import envelopes


def test_first_launch_explains_and_gives_the_disclaimer_once(conversation):
    first = conversation.launch()
    assert "not a substitute for professional medical advice" in first.speech
    assert "breathing" in first.speech
    assert first.listening and not first.ended
    again = conversation.launch()
    assert "medical advice" not in again.speech
    assert "What would you like" in again.speech


def test_help_says_what_to_do_and_keeps_listening(talk):
    _, help_reply = talk(["launch", "AMAZON.HelpIntent"])
    assert "cramp diary" in help_reply.speech
    assert "not a substitute for professional medical advice" in help_reply.speech
    assert help_reply.reprompt
    assert not help_reply.ended


@pytest.mark.parametrize("intent_name", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_end_the_session(talk, intent_name):
    _, reply = talk(["launch", intent_name])
    assert reply.ended
    assert "oodbye" in reply.speech


def test_fallback_is_helpful_and_stays_open(talk):
    _, reply = talk(["launch", "AMAZON.FallbackIntent"])
    assert "didn't catch" in reply.speech
    assert reply.listening


def test_navigate_home_offers_the_main_choices(talk):
    _, reply = talk(["launch", "AMAZON.NavigateHomeIntent"])
    assert "What would you like" in reply.speech
    assert reply.listening


def test_session_ended_gets_an_empty_response(invoke, caplog):
    with caplog.at_level(logging.INFO):
        raw = invoke(envelopes.session_ended("ERROR", {"type": "INVALID_RESPONSE", "message": "bad"}))
    assert "outputSpeech" not in raw["response"]
    assert "INVALID_RESPONSE" in caplog.text


def test_unknown_intent_gets_fallback_help_not_an_error(invoke):
    raw = invoke(envelopes.intent("NoSuchIntent"))
    assert "didn't catch" in raw["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize("missing", ["user", "userId"])
def test_a_failing_handler_apologises_and_logs_the_request_id(invoke, caplog, missing):
    """Persistence cannot key the user, so the handler fails (a user without a userId was once stored
    under a NULL key instead, and every such request shared, or piled up, one profile)."""
    envelope = envelopes.launch()
    for holder in (envelope["context"]["System"], envelope["session"]):
        del (holder if missing == "user" else holder["user"])[missing]
    raw = invoke(envelope)
    assert "something went wrong" in raw["response"]["outputSpeech"]["ssml"]
    assert envelope["request"]["requestId"] in caplog.text


def test_disclaimer_is_remembered_in_sqlite_across_skill_instances(settings, talk):
    talk(["launch"])
    from skill.builder import build_skill
    from skill.lambda_function import handler_for
    from skill.services import build_services
    from tests.conversation import Conversation, checked

    lambda_handler = handler_for(build_skill(settings, build_services(settings)))
    fresh = Conversation(checked(lambda envelope: lambda_handler(envelope, None)))
    assert "medical advice" not in fresh.launch().speech


def test_yes_without_a_question_is_not_a_dead_end(talk):
    _, reply = talk(["launch", "AMAZON.YesIntent"])
    assert "wasn't asking" in reply.speech
    assert reply.listening
