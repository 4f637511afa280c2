"""Typed lines resolved against interaction models: invocation forms, samples, slots, built-in types."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from skill.localchat import builtins
from skill.localchat.resolver import FALLBACK, Resolver, normalise
from skill.models import load_model

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "models" / "en-US.json").read_text())
TODAY = date(2026, 11, 25)  # a Wednesday in ISO week 48


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(FIXTURE, today=TODAY)


@pytest.fixture(scope="module")
def real() -> Resolver:
    """The repository's own committed model, whatever intents it has today."""
    return Resolver(load_model("en-US"), today=TODAY)


def words(text: str) -> list[str]:
    return normalise(text).split()


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("seven", "7"),
        ("twenty five", "25"),
        ("twenty-five", "25"),
        ("a seven", "7"),
        ("an eight", "8"),
        ("7", "7"),
        ("one hundred and five", "105"),
        ("a hundred", "100"),
        ("zero", "0"),
        ("ninety nine", "99"),
        ("two thousand twenty six", "2026"),
        ("minus three", "-3"),
        ("five six", None),
        ("seven twenty", None),
        ("lots", None),
    ],
)
def test_numbers(spoken, expected):
    parsed = builtins.parse_number(words(spoken), TODAY)
    assert (parsed.value if parsed else None) == expected


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("five minutes", "PT5M"),
        ("an hour and a half", "PT1H30M"),
        ("ten seconds", "PT10S"),
        ("half an hour", "PT30M"),
        ("two and a half minutes", "PT2M30S"),
        ("a minute and a half", "PT1M30S"),
        ("one hour and ten minutes", "PT1H10M"),
        ("5 minutes", "PT5M"),
        ("a couple of minutes", "PT2M"),
        ("three days", "P3D"),
        ("two weeks", "P2W"),
        ("a quarter of an hour", "PT15M"),
        ("twenty minutes", "PT20M"),
        ("minutes", None),
        ("five", None),
        ("five apples", None),
    ],
)
def test_durations(spoken, expected):
    parsed = builtins.parse_duration(words(spoken), TODAY)
    assert (parsed.value if parsed else None) == expected


@pytest.mark.parametrize(
    ("spoken", "expected", "time"),
    [
        ("today", "2026-11-25", None),
        ("yesterday", "2026-11-24", None),
        ("tomorrow", "2026-11-26", None),
        ("last night", "2026-11-24", "NI"),
        ("tonight", "2026-11-25", "NI"),
        ("this morning", "2026-11-25", "MO"),
        ("yesterday evening", "2026-11-24", "EV"),
        ("now", "PRESENT_REF", None),
        ("this week", "2026-W48", None),
        ("last week", "2026-W47", None),
        ("next week", "2026-W49", None),
        ("this weekend", "2026-W48-WE", None),
        ("this month", "2026-11", None),
        ("last month", "2026-10", None),
        ("this year", "2026", None),
        # A bare weekday resolves on or after today, as on Alexa: "monday" is next Monday.
        ("monday", "2026-11-30", None),
        ("wednesday", "2026-11-25", None),
        ("last monday", "2026-11-23", None),
        ("tuesday night", "2026-12-01", "NI"),
        ("november twenty fifth", "2026-11-25", None),
        ("the twentieth of november", "2027-11-20", None),
        ("december", "2026-12", None),
        ("january", "2027-01", None),
        ("the first", "2026-12-01", None),
        ("2026-11-20", "2026-11-20", None),
        ("three days ago", "2026-11-22", None),
        ("purple", None, None),
    ],
)
def test_dates(spoken, expected, time):
    parsed = builtins.parse_date(words(spoken), TODAY)
    assert (parsed.value if parsed else None) == expected
    if parsed:
        assert parsed.companions.get("AMAZON.TIME") == time


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("three am", "03:00"),
        ("3 a.m.", "03:00"),
        ("ten thirty pm", "22:30"),
        ("three oh five am", "03:05"),
        ("half past three", "03:30"),
        ("quarter to four", "03:45"),
        ("two at night", "02:00"),
        ("ten at night", "22:00"),
        ("three last night", "03:00"),  # the small hours, not 3 pm
        ("eleven last night", "23:00"),
        ("twelve last night", "00:00"),
        ("one tonight", "01:00"),
        ("three in the morning", "03:00"),
        ("3:30", "03:30"),
        ("noon", "12:00"),
        ("midnight", "00:00"),
        ("morning", "MO"),
        ("afternoon", "AF"),
        ("evening", "EV"),
        ("night", "NI"),
        ("thirteen pm", None),
        ("banana", None),
    ],
)
def test_times(spoken, expected):
    parsed = builtins.parse_time(words(spoken), TODAY)
    assert (parsed.value if parsed else None) == expected


@pytest.mark.parametrize(
    ("line", "request_type", "intent"),
    [
        ("open night helper", "LaunchRequest", None),
        ("Alexa, open night helper", "LaunchRequest", None),
        ("alexa launch night helper", "LaunchRequest", None),
        ("start night helper", "LaunchRequest", None),
        ("ask night helper", "LaunchRequest", None),
        ("ask night helper for a breathing exercise", "IntentRequest", "BreatheIntent"),
        ("ask night helper to log a cramp", "IntentRequest", "LogCrampIntent"),
        ("tell night helper I had a cramp", "IntentRequest", "LogCrampIntent"),
        ("tell night helper that I had a cramp", "IntentRequest", "LogCrampIntent"),
        ("Alexa, tell night helper: I had a cramp!", "IntentRequest", "LogCrampIntent"),
        ("log a cramp using night helper", "IntentRequest", "LogCrampIntent"),
        ("ask night helper to juggle", "IntentRequest", FALLBACK),
        ("log a cramp", "IntentRequest", "LogCrampIntent"),
        ("what can I say", "IntentRequest", "AMAZON.HelpIntent"),
        ("juggle", "IntentRequest", FALLBACK),
    ],
)
def test_invocation_forms(resolver, line, request_type, intent):
    resolution = resolver.resolve(line)
    assert (resolution.request_type, resolution.intent) == (request_type, intent)
    assert resolution.invoked == ("night helper" in line.lower())


@pytest.mark.parametrize(
    ("line", "intent"),
    [
        ("stop", "AMAZON.StopIntent"),
        ("quit", "AMAZON.StopIntent"),
        ("shut up", "AMAZON.StopIntent"),
        ("cancel", "AMAZON.CancelIntent"),
        ("never mind", "AMAZON.CancelIntent"),
        ("help", "AMAZON.HelpIntent"),
        ("yes", "AMAZON.YesIntent"),
        ("yeah", "AMAZON.YesIntent"),
        ("sure", "AMAZON.YesIntent"),
        ("no", "AMAZON.NoIntent"),
        ("nope", "AMAZON.NoIntent"),
        ("pause", "AMAZON.PauseIntent"),
        ("resume", "AMAZON.ResumeIntent"),
        ("next", "AMAZON.NextIntent"),
        ("skip", "AMAZON.NextIntent"),
        ("repeat", "AMAZON.RepeatIntent"),
        ("say that again", "AMAZON.RepeatIntent"),
        ("start over", "AMAZON.StartOverIntent"),
        ("go home", "AMAZON.NavigateHomeIntent"),
        # The model's own "continue" sample wins over Alexa's phrase for AMAZON.ResumeIntent.
        ("continue", "ContinueIntent"),
        # AMAZON.PreviousIntent is not in this model: its phrases go nowhere.
        ("go back", FALLBACK),
    ],
)
def test_built_in_intents_use_alexas_phrases(resolver, line, intent):
    assert resolver.resolve(line).intent == intent


def test_custom_slot_values_and_synonyms_resolve_to_canonical_ids(resolver):
    resolution = resolver.resolve("I had a cramp in my left side calves")
    assert resolution.intent == "LogCrampIntent"
    muscle, side = resolution.slots["muscle"], resolution.slots["side"]
    assert (muscle.value, muscle.matches) == ("calves", [("CALF", "calf")])
    assert (side.value, side.matches) == ("left side", [("LEFT", "left")])


def test_unknown_custom_value_is_er_no_match(resolver):
    resolution = resolver.resolve("I had a cramp in my elbow")
    assert resolution.intent == "LogCrampIntent"
    assert resolution.slots["muscle"].value == "elbow"
    assert resolution.slots["muscle"].unmatched


def test_most_specific_sample_wins(resolver):
    # "left calf" fits {muscle} (as an unknown value) and {side} {muscle}: the split that resolves wins.
    resolution = resolver.resolve("I had a cramp in my left calf")
    assert {name: fill.matches[0][0] for name, fill in resolution.slots.items()} == {
        "side": "LEFT",
        "muscle": "CALF",
    }
    assert resolution.sample == "I had a cramp in my {side} {muscle}"


def test_one_breath_fills_every_slot(resolver):
    resolution = resolver.resolve(
        "tell night helper I had a cramp in my left calf last night about a seven for five minutes"
    )
    values = {name: fill.value for name, fill in resolution.slots.items()}
    assert values == {
        "side": "left",
        "muscle": "calf",
        "when": "2026-11-24",
        "time": "NI",
        "severity": "7",
        "duration": "PT5M",
    }


def test_built_in_slot_words_that_do_not_parse_reject_the_sample(resolver):
    assert resolver.resolve("I had a cramp at lunch").intent == FALLBACK
    assert resolver.resolve("I had a cramp at three am").slots["time"].value == "03:00"


def test_a_sample_made_only_of_custom_slots_does_not_swallow_nonsense():
    model = json.loads(json.dumps(FIXTURE))
    breathe = next(
        i for i in model["interactionModel"]["languageModel"]["intents"] if i["name"] == "BreatheIntent"
    )
    breathe["samples"].append("{pattern}")
    resolver = Resolver(model, today=TODAY)
    assert resolver.resolve("box").intent == "BreatheIntent"
    assert resolver.resolve("the weather in paris").intent == FALLBACK


def test_free_form_slots_take_the_words_as_spoken(resolver):
    resolution = resolver.resolve("look up magnesium and cramps")
    assert (resolution.intent, resolution.slots["query"].value) == ("FindIntent", "magnesium and cramps")
    assert resolution.slots["query"].matches is None


def test_connecting_word_is_kept_when_the_sample_has_it(resolver):
    assert resolver.resolve("ask night helper for a breathing exercise").sample == "for a breathing exercise"
    assert (
        resolver.resolve("ask night helper for box breathing for two minutes").slots["duration"].value
        == "PT2M"
    )


def test_slot_samples_answer_an_elicited_slot(resolver):
    answer = resolver.resolve_for_slot("it was a seven", "LogCrampIntent", "severity")
    assert answer is not None
    assert (answer.intent, answer.slots["severity"].value) == ("LogCrampIntent", "7")
    bare = resolver.resolve_for_slot("my right foot", "LogCrampIntent", "muscle")
    assert bare is not None
    assert {n: f.matches[0][0] for n, f in bare.slots.items()} == {"side": "RIGHT", "muscle": "FOOT"}
    assert resolver.resolve_for_slot("purple", "LogCrampIntent", "severity") is None


def test_while_eliciting_only_the_elicited_slot_takes_an_unknown_value(resolver):
    skipped = resolver.resolve_for_slot("I don't know", "LogCrampIntent", "severity")
    assert skipped is not None and skipped.slots["skip"].matches == [("SKIP", "skip")]
    # "{skip}" must not swallow an answer it does not know: that would hide the NO_MATCH from the skill.
    assert resolver.resolve_for_slot("a purple one", "LogCrampIntent", "severity") is None
    unknown = resolver.resolve_for_slot("my elbow", "LogCrampIntent", "muscle")
    assert unknown is not None and unknown.slots["muscle"].unmatched


# -- the repository's own model: whatever intents exist, these properties hold ---------------------


def test_help_samples_of_the_real_model_resolve_to_help(real):
    help_intent = next(
        i
        for i in load_model("en-US")["interactionModel"]["languageModel"]["intents"]
        if i["name"] == "AMAZON.HelpIntent"
    )
    for sample in help_intent["samples"]:
        assert real.resolve(sample).intent == "AMAZON.HelpIntent", sample
    assert real.resolve("help").intent == "AMAZON.HelpIntent"


def test_muscle_synonyms_of_the_real_model_resolve_to_their_ids(real):
    language = load_model("en-US")["interactionModel"]["languageModel"]
    muscle = next(t for t in language["types"] if t["name"] == "Muscle")
    found = [
        (intent["name"], sample, slot["name"])
        for intent in language["intents"]
        for slot in intent.get("slots", [])
        if slot["type"] == "Muscle"
        for sample in intent.get("samples", [])
        if re.fullmatch(r"[^{}]*\{" + re.escape(slot["name"]) + r"\}[^{}]*", sample)
        and len(sample) > len(slot["name"]) + 2
    ]
    if not found:
        pytest.skip("no intent of the model has a sample with only a Muscle slot yet")
    intent, sample, slot = found[0]
    for value in muscle["values"]:
        for spoken in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            line = sample.replace("{" + slot + "}", spoken)
            resolution = real.resolve(line)
            assert resolution.intent == intent, line
            assert value["id"] in [i for i, _ in resolution.slots[slot].matches or []], line


def test_every_sample_of_the_real_model_resolves_to_an_intent(real):
    from skill.check import example_lines

    lines = list(example_lines(load_model("en-US")))
    assert lines
    unresolved = [line for line in lines if real.resolve(line).fallback]
    assert unresolved == []
