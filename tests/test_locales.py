"""Five English locales from one source: spelling, overrides, models, manifest, dates and SSML per locale.

Conversations are typed as a user in each country would say them, resolved against that locale's
own interaction model by the local chat resolver, and sent through the real skill.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skill.content import locales
from skill.content.catalog import RESPONSES_DIR, Catalog, default_catalog
from skill.content.spelling import SpellingError, SpellingTable, load_table
from skill.engine.script import load_script, script_ids
from skill.localchat.resolver import FALLBACK, Resolver
from skill.localchat.session import ChatSession, Turn
from skill.models import LOCALES, MODEL_DIR, ModelSourceError, build_model, load_model
from skill.speech import ssml
from skill.speech.reply import Speech
from tests import envelopes
from tests.diary_support import entry, local

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 25)  # the diary clock's day (tests.diary_support.NOW)
# Spoken as words, so no voice reads "999" as "nine hundred and ninety-nine" to someone in need.
NUMBERS = {
    "en-US": "nine one one",
    "en-GB": "nine nine nine",
    "en-AU": "triple zero",
    "en-CA": "nine one one",
    "en-IN": "one one two",
}
DIGITS = {"en-US": "911", "en-GB": "999", "en-AU": "000", "en-CA": "911", "en-IN": "112"}
# Keys every locale must say in its own words: the numbers to call and where to get urgent help.
# Everything else may fall back to the shared English base (in the locale's spelling).
REQUIRED_OVERRIDES = (
    "safety.emergency_number",
    "safety.level.emergency",
    "safety.level.urgent_today",
    "safety.level.urgent_advice",
)
SPELLED = {  # one word per spelling system, as each locale must see it
    "en-US": ("visualization", "favorite", "practiced", "canceled"),
    "en-GB": ("visualisation", "favourite", "practised", "cancelled"),
    "en-AU": ("visualisation", "favourite", "practised", "cancelled"),
    "en-IN": ("visualisation", "favourite", "practised", "cancelled"),
    "en-CA": ("visualization", "favourite", "practised", "cancelled"),
}


def phrase_files() -> Iterator[tuple[str, Path]]:
    for path in sorted(RESPONSES_DIR.glob("en-*/phrases/*.json")):
        yield path.parent.parent.name, path


def flat(prefix: str, value: Any) -> Iterator[tuple[str, list[str]]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from flat(f"{prefix}.{key}", inner)
    else:
        yield prefix, [value] if isinstance(value, str) else list(value)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def replaceable(locale: str) -> Callable[[str], list[str]]:
    """The words of a text (fields aside) that the locale's spelling would change: none may be heard."""
    table = load_table(RESPONSES_DIR)
    assert table is not None
    words = table.replacements(locales.info(locale).spelling or table.base)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words))) + r")\b", re.IGNORECASE)
    return lambda text: pattern.findall(re.sub(r"\{[^{}]*\}", " ", text))


# -- the locale list is one list -------------------------------------------------------------------


def test_the_five_locales_have_models_responses_and_manifest_entries():
    assert LOCALES == ["en-US", "en-GB", "en-AU", "en-CA", "en-IN"]
    assert sorted(p.stem for p in MODEL_DIR.glob("en-*.json")) == sorted(LOCALES)
    assert sorted(p.name for p in RESPONSES_DIR.iterdir() if p.is_dir() and "-" in p.name) == sorted(LOCALES)
    manifest = json.loads((MODEL_DIR / "skill.json").read_text())["manifest"]
    assert list(manifest["publishingInformation"]["locales"]) == LOCALES
    assert list(manifest["privacyAndCompliance"]["locales"]) == LOCALES
    assert manifest["publishingInformation"]["distributionCountries"] == ["US", "GB", "AU", "CA", "IN"]


# -- spelling ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "text", "heard"),
    [
        ("en-US", "A visualisation helps.", "A visualization helps."),
        ("en-GB", "A visualization helps.", "A visualisation helps."),
        ("en-CA", "Your favourite colour visualisation", "Your favourite colour visualization"),
        ("en-US", "Your favourite colour visualisation", "Your favorite color visualization"),
        ("en-US", "Visualisation. VISUALISATION.", "Visualization. VISUALIZATION."),
        # Field names are not words: the template must still take {practised}.
        ("en-US", "You practised on {practised} nights", "You practiced on {practised} nights"),
        ("en-US", '<break time="1s"/> colour', '<break time="1s"/> color'),
        # practice (the noun) is British too: only the verb changes, and only towards American.
        ("en-GB", "Practice helps, so practise daily; practicing helps.", None),
        ("en-US", "Practice helps, so practise daily.", "Practice helps, so practice daily."),
        (
            "en-CA",
            "Practice helps, so practise daily; I practiced.",
            "Practice helps, so practise daily; I practised.",
        ),
        ("en-GB", "the gas meter and a computer program", "the gas meter and a computer program"),
        ("en-US", "two metres and a programme", "two meters and a program"),
        ("en-IN", "summarize my colored chart", "summarise my coloured chart"),
        ("en-US", "visualisations, revisualise", "visualizations, revisualise"),  # whole words only
    ],
)
def test_spelling_is_whole_word_case_preserving_and_locale_specific(locale, text, heard):
    expected = heard if heard is not None else "Practice helps, so practise daily; practising helps."
    assert locales.respell(locale)(text) == expected


def test_the_spelling_table_refuses_a_word_mapped_two_ways():
    rows = {
        "base": "british",
        "systems": ["british", "american"],
        "words": [{"british": "tyre", "american": "tire"}, {"british": "tier", "american": "tire"}],
    }
    with pytest.raises(SpellingError, match="'tire' would become both"):
        SpellingTable.parse(rows)
    with pytest.raises(SpellingError, match="lower-case word"):
        SpellingTable.parse({**rows, "words": [{"british": "Tyre", "american": "tire"}]})


def test_the_repository_spelling_table_is_consistent_in_every_system():
    table = load_table(RESPONSES_DIR)
    assert table is not None and table.base == "british"
    for system in table.systems:
        replacements = table.replacements(system)
        assert not set(replacements) & set(replacements.values())
    assert {locales.info(locale).spelling for locale in LOCALES} == set(table.systems)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_phrase_a_locale_hears_is_in_its_spelling(locale):
    catalog = default_catalog()
    pattern = replaceable(locale)
    wrong = {k: v for k, variants in catalog.items(locale) for v in variants if pattern(v)}
    assert not wrong
    words = SPELLED[locale]
    heard = " ".join(" ".join(v) for _, v in catalog.items(locale))
    assert all(re.search(rf"\b{word}\b", heard) for word in words), words


@pytest.mark.parametrize("locale", LOCALES)
def test_every_script_a_locale_hears_is_in_its_spelling(locale):
    pattern = replaceable(locale)
    for script_id in script_ids(locale):
        script = load_script(script_id, locale)
        for text in [script.title, *script.phrases.values()]:
            assert not pattern(text), (script_id, text)
    assert load_script("visualisation", locale).title == SPELLED[locale][0].capitalize()


# -- key parity --------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_hears_every_key_of_the_base(locale):
    catalog = default_catalog()
    assert catalog.keys(locale) == catalog.keys("en")


@pytest.mark.parametrize(("locale", "key"), [(loc, key) for loc in LOCALES for key in REQUIRED_OVERRIDES])
def test_keys_that_must_be_local_are_overridden_in_every_locale(locale, key):
    assert default_catalog().source(locale, key) == locale


@pytest.mark.parametrize(
    ("locale", "path"), list(phrase_files()), ids=lambda v: str(v).split("responses/")[-1]
)
def test_a_locale_override_changes_an_existing_key_and_keeps_its_fields(locale, path):
    catalog = default_catalog()
    base = Catalog()
    for key, variants in flat(path.stem, json.loads(path.read_text())):
        assert base.has("en", key), f"{key} is not in the shared base: a typo, or a key only {locale} has"
        base_fields = {frozenset(fields(v)) for v in catalog.variants("en", key)}
        assert all(frozenset(fields(v)) in base_fields for v in variants), key
        # An override that only respells the base is the spelling table's job (docs/locales.md).
        assert [locales.respell(locale)(v) for v in base.variants("en", key)] != variants, key


@pytest.mark.parametrize("locale", LOCALES)
def test_script_overrides_only_reword_phrases_of_a_base_script(locale):
    for path in sorted((RESPONSES_DIR / locale / "scripts").glob("*.json")):
        base = json.loads((RESPONSES_DIR / "en" / "scripts" / path.name).read_text())
        override = json.loads(path.read_text())
        assert set(override) <= {"phrases", "$comment"}, path
        assert set(override.get("phrases", {})) <= set(base["phrases"]), path


@pytest.mark.parametrize("locale", LOCALES)
def test_the_emergency_number_is_the_one_the_emergency_phrase_says(locale):
    speech = Speech(locale)
    assert speech.text("safety.emergency_number") == NUMBERS[locale]
    assert NUMBERS[locale] in speech.text("safety.level.emergency")


@pytest.mark.parametrize(
    ("locale", "key", "words"),
    [
        ("en-US", "safety.redflag.medicine_mention", "water pills"),
        ("en-GB", "safety.redflag.medicine_mention", "water tablets"),
        ("en-US", "reminders.midday", "noon"),
        ("en-AU", "reminders.midday", "midday"),
        ("en-GB", "safety.level.urgent_today", "NHS one one one"),
    ],
)
def test_wording_differs_where_people_say_it_differently(locale, key, words):
    assert words in Speech(locale).text(key)


# -- interaction models ------------------------------------------------------------------------------


def model_texts(model: dict[str, Any]) -> Iterator[str]:
    """Every text in a model that a user says or hears."""
    interaction = model["interactionModel"]
    for intent in interaction["languageModel"]["intents"]:
        yield from intent.get("samples", [])
        for slot in intent.get("slots", []):
            yield from slot.get("samples", [])
    for slot_type in interaction["languageModel"]["types"]:
        for value in slot_type["values"]:
            yield value["name"]["value"]
            yield from value["name"].get("synonyms", [])
    for prompt in interaction.get("prompts", []):
        yield from (variation["value"] for variation in prompt["variations"])


def samples_of(model: dict[str, Any], intent: str) -> list[str]:
    return next(i for i in model["interactionModel"]["languageModel"]["intents"] if i["name"] == intent)[
        "samples"
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_each_model_is_in_its_locale_spelling_with_unique_samples(locale):
    model = load_model(locale)
    pattern = replaceable(locale)
    assert not [text for text in model_texts(model) if pattern(text)]
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        keys = [" ".join(s.lower().split()) for s in intent.get("samples", [])]
        assert len(keys) == len(set(keys)), intent["name"]
    for slot_type in model["interactionModel"]["languageModel"]["types"]:
        for value in slot_type["values"]:
            names = [value["name"]["value"], *value["name"].get("synonyms", [])]
            assert len({n.lower() for n in names}) == len(names), value["id"]
    word = SPELLED[locale][0]
    assert f"a {word}" in samples_of(model, "StartVisualisationIntent")


def test_respelling_keeps_ids_and_intent_names():
    us, gb = load_model("en-US"), load_model("en-GB")
    for model in (us, gb):
        technique = next(
            t for t in model["interactionModel"]["languageModel"]["types"] if t["name"] == "Technique"
        )
        assert "VISUALISATION" in [v["id"] for v in technique["values"]]
    names = [[i["name"] for i in m["interactionModel"]["languageModel"]["intents"]] for m in (us, gb)]
    assert names[0] == names[1]


@pytest.mark.parametrize(
    ("locale", "line", "intent"),
    [
        ("en-GB", "ask cramp coach what should I tell my g. p.", "DiarySummaryIntent"),
        ("en-AU", "ask cramp coach to prepare a summary for my g. p.", "DiarySummaryIntent"),
        ("en-IN", "ask cramp coach what should I tell my family doctor", "DiarySummaryIntent"),
        ("en-CA", "ask cramp coach for a summary for my family doctor", "DiarySummaryIntent"),
        ("en-US", "ask cramp coach what should I tell my doc", "DiarySummaryIntent"),
        ("en-US", "ask cramp coach what should I tell my g. p.", FALLBACK),
        # Typed British spelling reaches the en-US model, as speech recognition would write it.
        ("en-US", "ask cramp coach for a visualisation", "StartVisualisationIntent"),
        ("en-GB", "ask cramp coach to summarize my cramps", "DiarySummaryIntent"),
    ],
)
def test_locale_samples_resolve_in_their_own_model(locale, line, intent):
    assert Resolver.for_locale(locale, today=TODAY).resolve(line).intent == intent


@pytest.mark.parametrize(
    ("locale", "slot_type", "value_id", "synonym"),
    [
        ("en-GB", "Trigger", "NEW_MEDICINE", "something from the chemist"),
        ("en-AU", "Helped", "HEAT", "a wheat bag"),
        ("en-IN", "Helped", "STRETCH", "my physiotherapy exercises"),
        ("en-US", "Trigger", "NEW_MEDICINE", "something from the pharmacy"),
        ("en-US", "Helped", "STRETCH", "my p. t. exercises"),
    ],
)
def test_locale_synonyms_reach_their_value(locale, slot_type, value_id, synonym):
    types = {t["name"]: t for t in load_model(locale)["interactionModel"]["languageModel"]["types"]}
    value = next(v for v in types[slot_type]["values"] if v["id"] == value_id)
    assert synonym in value["name"]["synonyms"]
    other = "en-US" if locale != "en-US" else "en-GB"
    types = {t["name"]: t for t in load_model(other)["interactionModel"]["languageModel"]["types"]}
    assert (
        synonym not in next(v for v in types[slot_type]["values"] if v["id"] == value_id)["name"]["synonyms"]
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project: a source with a British and an American spelling of one sample, and a table."""
    source = tmp_path / "interaction_model" / "source"
    (source / "locales").mkdir(parents=True)
    (source / "base.json").write_text(json.dumps({"invocationName": "cramp coach", "intents": []}))
    intents = [
        {
            "name": "PaintIntent",
            "samples": ["a colour", "a color", "paint it {shade}"],
            "slots": [{"name": "shade", "type": "Shade"}],
        },
        {"name": "OtherIntent", "samples": ["something else"]},
    ]
    types = [
        {"name": "Shade", "values": [{"id": "GREY", "name": {"value": "grey", "synonyms": ["gray", "ash"]}}]}
    ]
    (source / "paint.json").write_text(json.dumps({"intents": intents, "types": types}))
    responses = tmp_path / "responses"
    responses.mkdir()
    table = {
        "base": "british",
        "systems": ["british", "american"],
        "words": [{"british": "colour", "american": "color"}, {"british": "grey", "american": "gray"}],
    }
    (responses / "spelling.json").write_text(json.dumps(table))
    (responses / "locales.json").write_text(
        json.dumps({"en-US": {"spelling": "american"}, "en-GB": {"spelling": "british"}})
    )
    return source


def built(source: Path, locale: str) -> dict[str, Any]:
    model = build_model(locale, source)["interactionModel"]["languageModel"]
    return {
        "samples": {i["name"]: i.get("samples", []) for i in model["intents"]},
        "shade": model["types"][0]["values"][0]["name"],
    }


def test_respelling_dedupes_samples_and_synonyms_keeping_the_first(project):
    us, gb = built(project, "en-US"), built(project, "en-GB")
    assert us["samples"]["PaintIntent"] == ["a color", "paint it {shade}"]
    assert gb["samples"]["PaintIntent"] == ["a colour", "paint it {shade}"]
    assert us["shade"] == {"value": "gray", "synonyms": ["ash"]}
    assert gb["shade"] == {"value": "grey", "synonyms": ["ash"]}


def test_locale_overrides_add_and_remove_samples_and_synonyms(project):
    overrides = {
        "samples": {"OtherIntent": ["another thing", "something else"]},
        "synonyms": {"Shade": {"GREY": ["slate"]}},
        "remove": {
            "samples": {"PaintIntent": ["paint it {shade}"]},
            "synonyms": {"Shade": {"GREY": ["ash"]}},
        },
    }
    (project / "locales" / "en-GB.json").write_text(json.dumps(overrides))
    gb, us = built(project, "en-GB"), built(project, "en-US")
    assert gb["samples"] == {"PaintIntent": ["a colour"], "OtherIntent": ["something else", "another thing"]}
    assert gb["shade"] == {"value": "grey", "synonyms": ["slate"]}
    assert us["samples"]["OtherIntent"] == ["something else"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"samples": {"NoSuchIntent": ["hello"]}}, "no intent 'NoSuchIntent'"),
        ({"remove": {"samples": {"OtherIntent": ["never said"]}}}, "has no samples"),
        ({"synonyms": {"Shade": {"BLUE": ["navy"]}}}, "has no value 'BLUE'"),
        ({"spelling": {"colour": "color"}}, "unknown keys"),
    ],
)
def test_a_stale_or_mistyped_override_is_an_error(project, overrides, message):
    (project / "locales" / "en-US.json").write_text(json.dumps(overrides))
    with pytest.raises(ModelSourceError, match=message):
        build_model("en-US", project)


# -- manifest ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_the_manifest_speaks_each_locale_spelling_and_numbers(locale):
    info = json.loads((MODEL_DIR / "skill.json").read_text())["manifest"]["publishingInformation"]["locales"][
        locale
    ]
    assert locales.respell(locale)(info["description"]) == info["description"]
    assert SPELLED[locale][0] in info["description"]
    assert "not a substitute for professional medical advice" in info["description"]
    digits = DIGITS[locale]  # the store page is read, not heard: digits there
    assert f"call {digits}" in info["description"] or f"({digits})" in info["description"]
    resolver = Resolver.for_locale(locale)
    assert all(not resolver.resolve(phrase).fallback for phrase in info["examplePhrases"])


# -- dates and times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "day", "time"),
    [
        ("en-US", "November 3", "3:05 am"),
        ("en-CA", "November 3", "3:05 am"),
        ("en-GB", "3 November", "3:05 am"),
        ("en-AU", "3 November", "3:05 am"),
        ("en-IN", "3 November", "3:05 am"),
        (None, "November 3", "3:05 am"),
    ],
)
def test_days_and_times_are_said_the_locale_way(locale, day, time):
    assert locales.spoken_date(date(2026, 11, 3), locale) == day
    assert locales.spoken_time(3, 5, locale) == time


def test_a_24_hour_locale_is_a_data_change(tmp_path, monkeypatch):
    (tmp_path / "locales.json").write_text(json.dumps({"en-XX": {"clock": 24, "date": "day_month"}}))
    listed = locales.load_locales(tmp_path)
    monkeypatch.setattr(locales, "load_locales", lambda root=None: listed)
    assert [locales.spoken_time(h, m, "en-XX") for h, m in [(0, 0), (15, 5)]] == ["00:00", "15:05"]
    assert locales.spoken_date(date(2026, 11, 3), "en-XX") == "3 November"


def test_a_malformed_locale_list_is_an_error():
    with pytest.raises(locales.LocaleError, match="clock must be one of"):
        locales._parse({"en-XX": {"clock": 13}}, "locales.json")


# -- SSML voice styles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "name", "locales_with"),
    [
        ("amazon:emotion", "excited", {"en-US", "en-GB"}),
        ("amazon:domain", "conversational", {"en-US"}),
        ("amazon:domain", "news", {"en-US", "en-AU"}),
        ("amazon:domain", "no-such-style", set()),
        ("amazon:effect", "whispered", set(LOCALES)),
    ],
)
def test_locale_limited_styles_are_only_emitted_and_accepted_where_alexa_has_them(tag, name, locales_with):
    for locale in LOCALES:
        extra = {"intensity": "medium"} if tag == "amazon:emotion" else {}
        if tag == "amazon:effect":
            wrapped = ssml.whisper("Rest.")
        else:
            wrapped = ssml.styled("Rest.", locale, tag, name, **extra)
        assert (wrapped != "Rest.") == (locale in locales_with), (locale, wrapped)
        ssml.validate(f"<speak>{wrapped}</speak>", locale)  # what is emitted is accepted
        forced = f'<speak><{tag} name="{name}">Rest.</{tag}></speak>'
        if locale in locales_with:
            ssml.validate(forced, locale)
        else:
            with pytest.raises(ssml.SSMLError, match=f"not available in {locale}"):
                ssml.validate(forced, locale)


def test_every_phrase_and_script_renders_for_every_locale_without_unsupported_styles():
    from skill.check import run

    outcomes = run(REPO, only=("phrases", "scripts"))
    assert [str(p) for outcome in outcomes for p in outcome.problems] == []
    assert all(f"{len(LOCALES)} locale(s)" in o.summary for o in outcomes if o.name == "phrases")


def test_locale_limited_styles_are_written_only_by_the_gate():
    """Code elsewhere must call ``ssml.styled`` so the locale decides; content may not hold markup."""
    limited = re.compile(r"amazon:(domain|emotion)")
    allowed = {REPO / "skill" / "speech" / "ssml.py", REPO / "skill" / "localchat" / "speak.py"}
    offenders = [
        p for p in (REPO / "skill").rglob("*.py") if p not in allowed and limited.search(p.read_text())
    ]
    offenders += [p for p in RESPONSES_DIR.rglob("*.json") if limited.search(p.read_text())]
    assert offenders == []


# -- a conversation per locale through the real skill ------------------------------------------------


@pytest.fixture
def chat(invoke, clock) -> Callable[[str], ChatSession]:
    """A user in a locale typing to the real skill (diary clock: Wednesday 25 November 2026)."""

    def make(locale: str) -> ChatSession:
        return ChatSession(
            Resolver.for_locale(locale, today=TODAY), invoke, locale=locale, user_id=envelopes.USER_ID
        )

    return make


def heard(turns: list[Turn]) -> str:
    """Everything said in reply to one line: the skill's speech and any prompt Alexa spoke itself."""
    out = []
    for turn in turns:
        if turn.prompt:
            out.append(turn.prompt)
        speech = ((turn.response or {}).get("response", {}).get("outputSpeech") or {}).get("ssml")
        if speech:
            out.append(ssml.to_text(speech))
    return " ".join(out)


def talk(session: ChatSession, *lines: str) -> str:
    return " ".join(heard(session.handle(line)) for line in lines)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_night_with_cramp_coach_in_each_locale(chat, services, locale):
    number, word = NUMBERS[locale], SPELLED[locale][0]

    session = chat(locale)
    welcome = talk(session, "open cramp coach")
    assert welcome.startswith("Welcome to Cramp Coach") and "not a substitute" in welcome
    technique = session.handle(f"a {word}")[-1]
    assert technique.resolution.intent == "StartVisualisationIntent"
    assert technique.response["response"]["card"]["title"] == word.capitalize()
    assert "warmth" in heard([technique])
    talk(session, "stop")
    session.end()

    logging = chat(locale)
    said = talk(
        logging,
        "ask cramp coach to log a cramp in my left calf",
        "six",
        "at three am",
        "five minutes",
        "stretching",
        "skip",
        "swelling",
        "no",
    )
    assert "Logged: a 6 out of 10 cramp in your left calf, last night at 3 am, lasting 5 minutes." in said
    # The diary's clot warning names this locale's number.
    assert f"call {number} straight away" in said
    logging.end()

    emergency = chat(locale)
    first = talk(emergency, "tell cramp coach I have chest pain").split(". ")[0]
    assert number in first

    asking = chat(locale)
    since = talk(asking, "ask cramp coach how many cramps since last week")
    day = "November 16" if locale in ("en-US", "en-CA") else "16 November"  # last week's Monday
    assert since == f"One cramp since {day}.", since


@pytest.mark.parametrize("locale", LOCALES)
def test_an_older_cramp_is_dated_the_locale_way(chat, services, locale):
    services.diary.add(entry(local(10, 22), side="RIGHT", severity=4))
    last = talk(chat(locale), "ask cramp coach about my last cramp")
    day = "November 10" if locale in ("en-US", "en-CA") else "10 November"
    assert f"Your last cramp was on {day} at 10 pm: your right calf, 4 out of 10" in last, last
