"""Contracts between the interaction model, the handlers and the phrase catalog."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from skill.content.catalog import default_catalog
from skill.models import LOCALES, build_model, load_model, render
from tests import envelopes

HANDLER_SOURCES = sorted((Path(__file__).parents[1] / "skill" / "handlers").glob("*.py"))
HANDLED = {
    name for path in HANDLER_SOURCES for name in re.findall(r'is_intent_name\("([^"]+)"\)', path.read_text())
}
MODEL_INTENTS = {
    intent["name"] for intent in load_model("en-US")["interactionModel"]["languageModel"]["intents"]
}


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_models_match_their_source(locale):
    committed = (Path(__file__).parents[1] / "interaction_model" / f"{locale}.json").read_text()
    assert committed == render(build_model(locale)), "run: cramp-coach build-models"


@pytest.mark.parametrize("intent_name", sorted(MODEL_INTENTS))
def test_every_model_intent_has_a_handler(invoke, caplog, intent_name):
    with caplog.at_level(logging.INFO):
        invoke(envelopes.intent(intent_name, new=True))
    assert f"unhandled intent {intent_name}" not in caplog.text


def test_every_handled_intent_is_in_the_model():
    assert set() == HANDLED - MODEL_INTENTS


def test_every_phrase_key_used_in_code_exists():
    sources = "\n".join(p.read_text() for p in Path(__file__).parents[1].joinpath("skill").rglob("*.py"))
    used = set(re.findall(r'\.say\("([a-z_]+\.[a-z_.]+)"', sources))
    missing = {key for key in used if not default_catalog().has("en-US", key)}
    assert missing == set()
