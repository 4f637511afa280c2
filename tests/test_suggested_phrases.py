"""The skill's own words work: every phrase it tells people to say, and every choice a menu
offers, resolves through the chat's resolver to the intent and slots that do it, in every locale."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skill.content.catalog import Catalog
from skill.localchat.resolver import Resolver
from skill.models import LOCALES
from tests import corpus

RESPONSES = Path(__file__).resolve().parents[1] / "responses"
CONTRACT = json.loads((Path(__file__).parent / "data" / "suggested_phrases.json").read_text(encoding="utf-8"))
# "say: a, b, or c", "Try: x", "for example: y" (the options end at the sentence).
SUGGESTION = re.compile(r"\b(?:say|try|example)\s*:\s*(?P<rest>[^.?!]+)", re.IGNORECASE)
OPTION_BREAK = re.compile(r",\s*or[,:]?\s+|\s+or[,:]?\s+|,\s+")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "sources":  # citations, never spoken
                yield from _strings(item)


def suggested_options() -> set[str]:
    """Every option the phrase files suggest, in every locale's files."""
    found = set()
    for path in sorted(RESPONSES.glob("*/phrases/*.json")):
        for text in _strings(json.loads(path.read_text(encoding="utf-8"))):
            for suggestion in SUGGESTION.finditer(text):
                rest = suggestion.group("rest")
                if rest.lower().startswith("alexa,"):
                    found.add(rest.strip())  # "Alexa, ask Cramp Coach to resume" is one line
                    continue
                found.update(o.strip(" ,:") for o in OPTION_BREAK.split(rest) if o.strip(" ,:"))
    return found


def resolvers() -> dict[str, Resolver]:
    today, _ = corpus.load()
    return {locale: Resolver.for_locale(locale, today=today) for locale in LOCALES}


RESOLVERS = resolvers()


def test_every_suggested_phrase_has_a_contract():
    missing = sorted(suggested_options() - set(CONTRACT["phrases"]))
    assert missing == [], f"add these suggestions to tests/data/suggested_phrases.json: {missing}"


def test_the_contract_lists_only_phrases_the_skill_says():
    stale = sorted(set(CONTRACT["phrases"]) - suggested_options())
    assert stale == []


def _cases() -> Iterator[tuple[str, str, dict[str, str], str | None]]:
    for phrase, contract in CONTRACT["phrases"].items():
        if "intent" in contract:
            yield phrase, contract["intent"], contract.get("slots", {}), contract.get("answering")
    for line, intent, slots, *context in CONTRACT["examples"]:
        yield line, intent, slots, context[0] if context else None


@pytest.mark.parametrize("locale", LOCALES)
def test_every_suggested_phrase_does_what_it_says(locale):
    entries = [
        [phrase, intent, slots, *([context] if context else [])]
        for phrase, intent, slots, context in _cases()
    ]
    wrong = [
        f"{o.line}: wants {o.expected}, got {o.got}"
        for o in corpus.evaluate(RESOLVERS[locale], entries)
        if not o.ok
    ]
    assert wrong == []


def test_each_menu_choice_is_offered_in_its_question():
    catalog = Catalog(RESPONSES)
    for key, choices in CONTRACT["menus"].items():
        text = " ".join(catalog.variants("en-GB", key)).lower()
        for choice, *_ in choices:
            assert choice.lower() in text, f"{key} does not offer {choice!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_menu_answer_resolves(locale):
    wrong = []
    for key, choices in CONTRACT["menus"].items():
        for outcome in corpus.evaluate(RESOLVERS[locale], choices):
            if not outcome.ok:
                wrong.append(f"{key}: {outcome.line} wants {outcome.expected}, got {outcome.got}")
    assert wrong == []
