"""Model-wide rules for the generated interaction models: what Alexa rejects at build time or certification.

These protect every feature's fragment at once, so each check is parametrized per locale and intent (or
type) and its assertion lists the offending samples.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest

from skill.models import LOCALES, load_model

MODELS = {locale: load_model(locale)["interactionModel"] for locale in LOCALES}

REQUIRED_BUILT_INS = [
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
]
# One-shot requests people make in many phrasings need many samples; short control words need fewer.
MIN_SAMPLES = {
    "StartBreathingIntent": 20,
    "StartRelaxationIntent": 20,
    "StartVisualisationIntent": 20,
    "StartStretchIntent": 20,
    "StartTechniqueIntent": 20,
    "StartRoutineIntent": 20,
    "CrampNowIntent": 20,
    "StartHydrationIntent": 10,
    "StartAcupressureIntent": 10,
    "ContinueIntent": 10,
    "SlowerIntent": 10,
    "FasterIntent": 10,
    "LongerIntent": 10,
    "ShorterIntent": 10,
}
# Words Alexa uses to open a skill or wake the device; they cannot be part of an invocation name.
LAUNCH_WORDS = {
    "ask", "tell", "open", "launch", "load", "begin", "enable", "start", "run", "play", "resume", "use",
    "talk", "alexa", "amazon", "echo", "computer", "skill", "app",
}  # fmt: skip
# A two-word invocation name may not spend a word on one of these.
CONNECTING_WORDS = {"the", "a", "an", "for", "to", "of", "in", "on", "with", "by", "from", "about", "and"}
# A sample starting with a launch word doubles the launch phrase ("ask cramp coach ask ..."); "tell me" is
# fine ("ask cramp coach to tell me ...").
SAMPLE_OPENERS = re.compile(r"^(ask|open|launch|alexa)\b|^tell (?!me\b|us\b)", re.IGNORECASE)
# Slot types whose values are free-form spoken numbers: two of them side by side cannot be told apart.
NUMERIC_TYPES = {"AMAZON.NUMBER", "AMAZON.DURATION", "AMAZON.FOUR_DIGIT_NUMBER", "AMAZON.Ordinal"}
SLOT = re.compile(r"\{([^{}]*)\}")
SLOT_NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")
# Periods only close abbreviations or spelled letters ("p. m. r.", "a.m.", "Mr.").
ABBREVIATION = re.compile(r"^(?:[A-Za-z]{1,3}\.)+$")
MAX_SAMPLE_LENGTH = 200


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def intents(locale: str) -> list[dict[str, Any]]:
    return MODELS[locale]["languageModel"]["intents"]


def types(locale: str) -> list[dict[str, Any]]:
    return MODELS[locale]["languageModel"].get("types", [])


def all_samples(intent: dict[str, Any]) -> list[str]:
    """The intent's own samples and its slots' elicitation samples."""
    slot_samples = [s for slot in intent.get("slots", []) for s in slot.get("samples", [])]
    return [*intent.get("samples", []), *slot_samples]


def intent_cases() -> list[Any]:
    return [
        pytest.param(locale, intent, id=f"{locale}-{intent['name']}")
        for locale in LOCALES
        for intent in intents(locale)
    ]


def type_cases() -> list[Any]:
    return [
        pytest.param(locale, type_, id=f"{locale}-{type_['name']}")
        for locale in LOCALES
        for type_ in types(locale)
    ]


def sample_problems(sample: str, slot_types: dict[str, str], invocation: str) -> list[str]:
    """Why Alexa would reject (or mis-hear) this sample; empty when it is fine."""
    problems = []
    words = SLOT.sub(" ", sample)
    if not sample.strip() or sample != sample.strip() or "  " in sample:
        problems.append("empty, or stray spaces")
    if len(sample) > MAX_SAMPLE_LENGTH:
        problems.append(f"longer than {MAX_SAMPLE_LENGTH} characters")
    if re.search(r"[^A-Za-z '.\-]", words):
        problems.append("characters other than letters, spaces, apostrophes, periods and hyphens")
    if any("." in word and not ABBREVIATION.match(word) for word in words.split()):
        problems.append("a period outside an abbreviation")
    if any(not SLOT_NAME.match(name) for name in SLOT.findall(sample)):
        problems.append("a malformed slot reference")
    if "}{" in sample:
        problems.append("two slots with no space between them")
    for first, second in re.findall(r"\{(\w+)\}\s+(?=\{(\w+)\})", sample):
        if slot_types.get(first) in NUMERIC_TYPES and slot_types.get(second) in NUMERIC_TYPES:
            problems.append(f"numeric slots {{{first}}} and {{{second}}} with no word between them")
    if SAMPLE_OPENERS.search(sample):
        problems.append("starts with a launch word")
    if invocation in normalised(words):
        problems.append("contains the invocation name")
    return problems


@pytest.mark.parametrize(("locale", "intent"), intent_cases())
def test_no_sample_belongs_to_two_intents(locale, intent):
    owners: dict[str, list[str]] = defaultdict(list)
    for other in intents(locale):
        for sample in other.get("samples", []):
            owners[normalised(sample)].append(other["name"])
    shared = {
        sample: owners[normalised(sample)]
        for sample in intent.get("samples", [])
        if len(owners[normalised(sample)]) > 1
    }
    assert shared == {}, "each sample may appear once, in one intent"


@pytest.mark.parametrize(("locale", "intent"), intent_cases())
def test_samples_follow_the_character_rules(locale, intent):
    slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
    invocation = normalised(MODELS[locale]["languageModel"]["invocationName"])
    problems = {
        sample: found
        for sample in all_samples(intent)
        if (found := sample_problems(sample, slot_types, invocation))
    }
    assert problems == {}


@pytest.mark.parametrize(("locale", "intent"), intent_cases())
def test_referenced_slots_are_declared_with_a_type_that_exists(locale, intent):
    declared = [slot["name"] for slot in intent.get("slots", [])]
    referenced = {name for sample in all_samples(intent) for name in SLOT.findall(sample)}
    defined_types = {type_["name"] for type_ in types(locale)}
    unknown_types = {
        slot["name"]: slot["type"]
        for slot in intent.get("slots", [])
        if not slot["type"].startswith("AMAZON.") and slot["type"] not in defined_types
    }
    assert sorted(referenced - set(declared)) == [], "slots used in samples but not declared"
    assert unknown_types == {}, "slot types that are neither built in nor defined"
    assert len(declared) == len(set(declared)), "a slot declared twice"
    if intent["name"].startswith("AMAZON."):
        assert declared == [], "built-in intents take extra samples but no slots"


@pytest.mark.parametrize("locale", LOCALES)
def test_dialog_intents_and_slots_exist_in_the_language_model(locale):
    slots_of = {intent["name"]: {s["name"] for s in intent.get("slots", [])} for intent in intents(locale)}
    prompt_ids = {prompt["id"] for prompt in MODELS[locale].get("prompts", [])}
    problems = []
    for dialog_intent in MODELS[locale].get("dialog", {}).get("intents", []):
        name = dialog_intent["name"]
        if name not in slots_of:
            problems.append(f"{name}: not an intent")
            continue
        for slot in dialog_intent.get("slots", []):
            if slot["name"] not in slots_of[name]:
                problems.append(f"{name}.{slot['name']}: not a slot of the intent")
            for prompt in [
                *slot.get("prompts", {}).values(),
                *(v.get("prompt") for v in slot.get("validations", [])),
            ]:
                if prompt and prompt not in prompt_ids:
                    problems.append(f"{name}.{slot['name']}: prompt {prompt} is not defined")
        for prompt in dialog_intent.get("prompts", {}).values():
            if prompt not in prompt_ids:
                problems.append(f"{name}: prompt {prompt} is not defined")
    assert problems == []


@pytest.mark.parametrize(("locale", "type_"), type_cases())
def test_slot_values_have_unique_ids_and_phrases(locale, type_):
    ids = [value.get("id") for value in type_["values"]]
    assert all(ids), "every value needs an id: handlers read the id, never the spoken words"
    assert sorted({i for i in ids if ids.count(i) > 1}) == [], "value ids must be unique within a type"
    # A phrase under two ids makes entity resolution ambiguous; the handler would get either id.
    owners: dict[str, set[str]] = defaultdict(set)
    for value in type_["values"]:
        for phrase in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            owners[normalised(phrase)].add(value["id"])
    assert {phrase: sorted(o) for phrase, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_is_speakable_and_free_of_launch_words(locale):
    name = MODELS[locale]["languageModel"]["invocationName"]
    words = name.split()
    assert re.fullmatch(r"[a-z]+( [a-z]+)+", name), "lower-case letters and single spaces, two words or more"
    assert set(words) & LAUNCH_WORDS == set()
    if len(words) == 2:
        assert set(words) & CONNECTING_WORDS == set()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", REQUIRED_BUILT_INS)
def test_required_built_in_intents_are_present(locale, name):
    assert name in {intent["name"] for intent in intents(locale)}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("name", "minimum"), MIN_SAMPLES.items())
def test_intents_have_enough_varied_samples(locale, name, minimum):
    by_name = {intent["name"]: intent for intent in intents(locale)}
    assert name in by_name, f"{name} is missing from the model"
    assert len({normalised(s) for s in by_name[name].get("samples", [])}) >= minimum


@pytest.mark.parametrize(
    ("sample", "problem"),
    [
        ("for {minutes} minutes of {pattern}", None),
        ("start p. m. r.", None),
        ("it's my {side} {muscle}", None),
        ("for 5 minutes", "characters other than"),
        ("can you help?", "characters other than"),
        ("relax. now", "a period outside"),
        ("{side}{muscle}", "no space between"),
        ("{minutes} {breaths} of breathing", "numeric slots"),
        ("{pattern some", "characters other than"),
        ("{the side} leg", "malformed slot"),
        ("ask for a breathing exercise", "launch word"),
        ("tell cramp coach to breathe", "launch word"),
        ("breathing with cramp coach", "invocation name"),
        ("breathe  slowly", "stray spaces"),
    ],
)
def test_the_sample_checker_catches_what_alexa_rejects(sample, problem):
    slot_types = {"minutes": "AMAZON.NUMBER", "breaths": "AMAZON.NUMBER", "side": "Side", "muscle": "Muscle"}
    problems = sample_problems(sample, slot_types, "cramp coach")
    if problem is None:
        assert problems == []
    else:
        assert any(problem in found for found in problems), problems


# -- samples from a grammar (issue 15) ----------------------------------------------------------


def test_a_grammar_template_makes_every_combination():
    from skill.models import expand

    phrases = {"start": ["start", "do", "let's do"]}
    assert expand("<start> (|some) {pattern} (|please)", phrases) == [
        "start {pattern}",
        "start {pattern} please",
        "start some {pattern}",
        "start some {pattern} please",
        "do {pattern}",
        "do {pattern} please",
        "do some {pattern}",
        "do some {pattern} please",
        "let's do {pattern}",
        "let's do {pattern} please",
        "let's do some {pattern}",
        "let's do some {pattern} please",
    ]


def test_a_grammar_naming_an_unknown_list_or_unbalanced_is_an_error():
    from skill.models import ModelSourceError, expand

    with pytest.raises(ModelSourceError, match="no fragment defines"):
        expand("<nothing> {pattern}", {})
    with pytest.raises(ModelSourceError, match="unbalanced"):
        expand("(start|do {pattern}", {})


def test_the_built_models_hold_the_grammar_samples_and_no_grammar_keys():
    from skill.models import build_model

    model = build_model("en-GB")["interactionModel"]["languageModel"]
    intents = {i["name"]: i for i in model["intents"]}
    assert "I've got cramp in my {muscle}" in intents["CrampNowIntent"]["samples"]
    assert "I had cramp {when}" in intents["LogCrampIntent"]["samples"]
    assert "let's do {pattern}" in intents["StartBreathingIntent"]["samples"]
    assert all("grammar" not in i for i in model["intents"])
    assert model["modelConfiguration"] == {"fallbackIntentSensitivity": {"level": "MEDIUM"}}


def test_a_locale_can_add_to_a_phrase_list(tmp_path):
    import json
    import shutil

    from skill.models import SOURCE_DIR, build_model

    source = tmp_path / "interaction_model" / "source"
    shutil.copytree(SOURCE_DIR, source)
    override = source / "locales" / "en-AU.json"
    data = json.loads(override.read_text())
    data["phrases"] = {"have_now": ["I've copped"]}
    override.write_text(json.dumps(data))
    model = build_model("en-AU", source)["interactionModel"]["languageModel"]
    samples = next(i for i in model["intents"] if i["name"] == "CrampNowIntent")["samples"]
    assert "I've copped a cramp in my {muscle}" in samples
    other = build_model("en-GB", source)["interactionModel"]["languageModel"]
    assert (
        "I've copped a cramp in my {muscle}"
        not in next(i for i in other["intents"] if i["name"] == "CrampNowIntent")["samples"]
    )
