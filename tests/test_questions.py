"""Questions people ask (magnesium, quinine, water, why at night, when to see a doctor, "I can't
sleep"), asked in their own words through the chat, against the real skill and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.config import Settings
from skill.handlers.questions import QUESTIONS
from skill.localchat.resolver import Resolver
from skill.localchat.session import ChatSession, in_process_transport
from skill.models import LOCALES
from skill.speech import ssml

PHRASES = json.loads(
    (Path(__file__).resolve().parents[1] / "responses/en/phrases/questions.json").read_text()
)


@pytest.fixture
def chat(settings: Settings):
    transport = in_process_transport(settings)

    def start(locale: str = "en-GB") -> ChatSession:
        return ChatSession(
            Resolver.for_locale(locale), transport, locale=locale, api_endpoint="http://127.0.0.1:9"
        )

    return start


def said(turns) -> str:
    texts = []
    for turn in turns:
        speech = ((turn.response or {}).get("response") or {}).get("outputSpeech") or {}
        if speech.get("ssml"):
            texts.append(ssml.to_text(speech["ssml"]))
    return " ".join(texts)


def last_response(turns) -> dict:
    return next(t.response for t in reversed(turns) if t.response)["response"]


ASKED = [
    ("why do I get cramps at night", "Nobody knows exactly"),
    ("does magnesium help with cramps", "magnesium is unlikely"),
    ("should I take quinine", "Quinine is no longer recommended"),
    ("should I drink more water", "drinking more water prevents cramps is weak"),
    ("when should I see a doctor", "See a doctor if"),
    ("I can't get back to sleep", "muscle relaxation made for lying in bed"),
]


@pytest.mark.parametrize("line,answer", ASKED)
def test_a_question_gets_its_short_answer_ending_in_a_question(chat, line, answer):
    session = chat()
    session.handle("open cramp coach")
    turns = session.handle(line)
    text = said(turns)
    assert answer in text
    assert text.rstrip().endswith("?")
    assert last_response(turns).get("shouldEndSession") is False
    assert len(text.split()) < 90  # short: a person in bed at night


def test_no_answer_tells_anyone_to_start_or_stop_a_medicine():
    for name, (key, _, _) in QUESTIONS.items():
        text = PHRASES[key.split(".")[1]].lower()
        for advice in ("you should take", "start taking", "stop taking", "try taking", "take some"):
            assert advice not in text, (name, advice)
    for key in ("magnesium", "quinine"):
        assert "talk" in PHRASES[key].lower() and "doctor" in PHRASES[key].lower()


def test_every_answer_cites_its_sources():
    for key, _, _ in QUESTIONS.values():
        name = key.split(".")[1]
        assert PHRASES["sources"][name].strip(), name


def test_yes_to_i_cant_sleep_starts_the_in_bed_relaxation(chat):
    session = chat("en-US")
    session.handle("open cramp coach")
    session.handle("I can't sleep")
    turns = session.handle("yes please")
    chained = [
        t.request["request"]["intent"] for t in turns if t.request and t.request["request"].get("intent")
    ]
    assert chained[-1]["name"] == "StartRelaxationIntent"
    assert chained[-1]["slots"]["variant"]["value"] == "in bed"
    assert "relax" in said(turns).lower()


def test_no_to_an_offer_says_what_else_to_say(chat):
    session = chat()
    session.handle("open cramp coach")
    session.handle("does quinine help")
    turns = session.handle("no thanks")
    text = said(turns)
    assert "a breathing exercise" in text and text.rstrip().endswith("?")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_questions_are_heard_in_every_locale(chat, locale):
    session = chat(locale)
    session.handle("open cramp coach")
    assert "magnesium" in said(session.handle("is magnesium good for cramps")).lower()
