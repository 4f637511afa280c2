"""``cramp-coach check`` on the repository and on copies of it with one thing broken each."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skill.check import REPO_ROOT, Project, invocation_problems, run, sample_problems
from skill.cli import main

Json = dict[str, Any]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The repository's interaction_model/ and responses/ copied into a fresh root."""
    for name in ("interaction_model", "responses"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def edit_json(path: Path, change: Callable[[Json], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def language(model: Json) -> Json:
    return model["interactionModel"]["languageModel"]


def intent_with(model: Json, test: Callable[[Json], bool]) -> Json:
    return next(i for i in language(model)["intents"] if test(i))


def problems(root: Path, *only: str) -> list[str]:
    return [str(p) for outcome in run(root, only) for p in outcome.problems]


def test_check_passes_on_the_repository():
    assert problems(REPO_ROOT) == []


def test_a_copy_is_checked_like_the_repository(copy):
    checks = ("models", "samples", "source", "manifest", "phrases")
    assert problems(copy, *checks) == problems(REPO_ROOT, *checks)
    handlers = run(copy, ["handlers"])[0]
    assert handlers.summary.startswith("skipped") and handlers.problems == []  # the code is this repository's


def test_the_command_exits_zero_when_all_is_well(copy):
    result = CliRunner().invoke(
        main, ["check", "--root", str(copy), "--only", "manifest", "--only", "phrases"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "check passed"


def break_model(copy: Path, change: Callable[[Json], None]) -> None:
    edit_json(copy / "interaction_model" / "en-US.json", change)


def add_digit(model: Json) -> None:
    intent_with(model, lambda i: i["name"] == "AMAZON.HelpIntent")["samples"].append("give me 5 tips")


def undeclared_slot(model: Json) -> None:
    intent_with(model, lambda i: i["name"] == "AMAZON.HelpIntent")["samples"].append("help with my {knee}")


def shared_sample(model: Json) -> None:
    help_sample = intent_with(model, lambda i: i["name"] == "AMAZON.HelpIntent")["samples"][0]
    intent_with(model, lambda i: not i["name"].startswith("AMAZON."))["samples"].append(help_sample)


def bad_invocation(model: Json) -> None:
    language(model)["invocationName"] = "ask cramp"


def undefined_type(model: Json) -> None:
    intent_with(model, lambda i: i.get("slots"))["slots"][0]["type"] = "Kneecap"


def duplicate_id(model: Json) -> None:
    values = language(model)["types"][0]["values"]
    values.append({"id": values[0]["id"], "name": {"value": "zzz unique value"}})


def missing_builtin(model: Json) -> None:
    language(model)["intents"] = [i for i in language(model)["intents"] if i["name"] != "AMAZON.StopIntent"]


def missing_prompt(model: Json) -> None:
    """Delete a prompt the dialog model uses, or add a dialog slot whose prompt does not exist."""
    interaction = model["interactionModel"]
    used = [
        slot["prompts"]["elicitation"]
        for intent in interaction.get("dialog", {}).get("intents", [])
        for slot in intent.get("slots", [])
        if slot.get("elicitationRequired")
    ]
    if used:
        interaction["prompts"] = [p for p in interaction["prompts"] if p["id"] != used[0]]
        return
    intent = intent_with(model, lambda i: i.get("slots"))
    slot = intent["slots"][0]
    interaction.setdefault("dialog", {"intents": [], "delegationStrategy": "SKILL_RESPONSE"})
    interaction["dialog"]["intents"] = [
        d for d in interaction["dialog"]["intents"] if d["name"] != intent["name"]
    ]
    interaction["dialog"]["intents"].append(
        {
            "name": intent["name"],
            "confirmationRequired": False,
            "prompts": {},
            "slots": [
                {
                    "name": slot["name"],
                    "type": slot["type"],
                    "elicitationRequired": True,
                    "confirmationRequired": False,
                    "prompts": {"elicitation": "Elicit.Slot.Missing"},
                }
            ],
        }
    )


def long_break_in_prompt(model: Json) -> None:
    model["interactionModel"].setdefault("prompts", []).append(
        {
            "id": "Extra.Prompt",
            "variations": [{"type": "SSML", "value": '<speak>Rest <break time="12s"/></speak>'}],
        }
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            add_digit,
            "interaction_model/en-US.json: intent AMAZON.HelpIntent: "
            "sample 'give me 5 tips' contains a digit",
        ),
        (
            undeclared_slot,
            "intent AMAZON.HelpIntent: sample 'help with my {knee}' uses undeclared slot {knee}",
        ),
        (shared_sample, "is also a sample of AMAZON.HelpIntent"),
        (bad_invocation, "invocation name 'ask cramp' contains the launch word 'ask'"),
        (undefined_type, "has type 'Kneecap', which is not defined"),
        (duplicate_id, "is used 2 times"),
        (missing_builtin, "required built-in intent AMAZON.StopIntent is missing"),
        (missing_prompt, "elicitation prompt"),
        (long_break_in_prompt, "prompt Extra.Prompt: break of 12s exceeds 10 s"),
    ],
)
def test_a_broken_model_fails_with_a_precise_message(copy, change, expected):
    break_model(copy, change)
    found = problems(copy, "models")
    assert any(expected in problem for problem in found), found
    result = CliRunner().invoke(
        main, ["check", "--root", str(copy), "--only", "models", "--only", "manifest"]
    )
    assert result.exit_code == 1
    assert expected in result.output
    assert "check failed" in result.output


def test_a_sample_shadowed_by_another_intent_fails(copy):
    def shadow(model: Json) -> None:
        slot_type = language(model)["types"][0]
        first_value = slot_type["values"][0]["name"]["value"]
        language(model)["intents"].append(
            {
                "name": "ShadowIntent",
                "slots": [{"name": "thing", "type": slot_type["name"]}],
                "samples": ["{thing}"],
            }
        )
        intent_with(model, lambda i: i["name"] == "AMAZON.HelpIntent")["samples"].append(first_value)

    break_model(copy, shadow)
    found = [p for p in problems(copy, "samples") if "ShadowIntent" in p]
    assert len(found) == 1 and "resolves to AMAZON.HelpIntent" in found[0], found


def test_two_intents_that_match_a_sample_equally_well_are_ambiguous(copy):
    def twins(model: Json) -> None:
        slot_type = language(model)["types"][0]["name"]
        for name in ("TwinOneIntent", "TwinTwoIntent"):
            language(model)["intents"].append(
                {
                    "name": name,
                    "slots": [{"name": "thing", "type": slot_type}],
                    "samples": ["about my {thing}"],
                }
            )

    break_model(copy, twins)
    found = [p for p in problems(copy, "samples") if "Twin" in p]
    assert len(found) == 2, found
    assert "intent TwinOneIntent: sample 'about my {thing}'" in found[0]
    assert "matches TwinTwoIntent just as well: Alexa may send either" in found[0]
    assert "intent TwinTwoIntent" in found[1] and "resolves to TwinOneIntent" in found[1]


def test_an_edited_model_no_longer_matches_its_source(copy):
    break_model(copy, add_digit)
    assert (
        "interaction_model/en-US.json: differs from interaction_model/source: run cramp-coach build-models"
        in problems(copy, "source")
    )


def test_a_manifest_example_phrase_that_resolves_to_nothing_fails(copy):
    phrase = "Alexa, ask cramp coach to juggle seven flaming torches"
    edit_json(
        copy / "interaction_model" / "skill.json",
        lambda m: m["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrases"].append(phrase),
    )
    assert (
        f"interaction_model/skill.json: en-US: example phrase {phrase!r} resolves to nothing "
        "(AMAZON.FallbackIntent): use a sample utterance of an intent"
    ) in problems(copy, "manifest")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda m: m["manifest"]["publishingInformation"]["locales"]["en-US"].update(
                description="Breathing help."
            ),
            "description must say the skill is 'not a substitute for professional medical advice'",
        ),
        (
            lambda m: m["manifest"]["privacyAndCompliance"]["locales"]["en-US"].pop("privacyPolicyUrl"),
            "en-US: privacyPolicyUrl must be an https URL",
        ),
        (
            lambda m: m["manifest"]["privacyAndCompliance"].update(containsAds=True),
            "privacyAndCompliance.containsAds must be false",
        ),
        (
            lambda m: m["manifest"]["privacyAndCompliance"].update(usesPersonalInfo=False),
            "privacyAndCompliance.usesPersonalInfo must be true: the skill stores a diary",
        ),
        (
            lambda m: m["manifest"]["publishingInformation"]["locales"].update({"en-ZA": {"name": "x"}}),
            "publishingInformation.locales ['en-AU', 'en-CA', 'en-GB', 'en-IN', 'en-US', 'en-ZA'] "
            "do not match the models ['en-AU', 'en-CA', 'en-GB', 'en-IN', 'en-US']",
        ),
    ],
)
def test_a_broken_manifest_fails_with_a_precise_message(copy, change, expected):
    edit_json(copy / "interaction_model" / "skill.json", change)
    found = problems(copy, "manifest")
    assert any(expected in problem for problem in found), found


def test_a_phrase_with_a_twelve_second_break_fails(copy):
    (copy / "responses" / "en" / "phrases" / "zz_broken.json").write_text(
        json.dumps({"rest": 'Rest now. <break time="12s"/> Breathe.'})
    )
    assert problems(copy, "phrases") == [
        "responses/en/phrases/zz_broken.json: phrase zz_broken.rest: contains SSML markup, "
        "which is escaped and read out as text: pauses belong in script steps"
    ]


def test_a_script_with_a_twelve_second_break_fails(copy):
    path = copy / "responses" / "en" / "scripts" / "breathing-box.json"
    edit_json(path, lambda script: script["phrases"].update(intro='Breathe in. <break time="12s"/> And out.'))
    found = problems(copy, "scripts")
    assert found == [  # a shared script's problem is reported once, for the first locale that hears it
        "responses (en-AU): script breathing-box: phrase intro: contains SSML markup, "
        "which is escaped and read out as text: pauses belong in script steps"
    ]


def test_an_invalid_script_fails_with_the_engines_message(copy):
    path = copy / "responses" / "en" / "scripts" / "breathing-box.json"
    edit_json(path, lambda script: script["steps"].append({"pause": -3}))
    found = problems(copy, "scripts")
    assert len(found) == 1 and found[0].startswith(
        "responses (en-AU): script breathing-box: breathing-box.json"
    ), found


def test_every_phrase_variant_is_rendered(copy):
    (copy / "responses" / "en" / "phrases" / "zz_fields.json").write_text(
        json.dumps(
            {"count": ["{count} cramps this week.", "This week: {count:d} cramps."], "broken": "Oops {"}
        )
    )
    assert problems(copy, "phrases") == [
        "responses/en/phrases/zz_fields.json: phrase zz_fields.broken: "
        "Single '{' encountered in format string"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cramp coach", []),
        ("sam's night helper", []),
        ("coach", ["invocation name 'coach' must have at least two words"]),
        (
            "Cramp Coach",
            [
                "invocation name 'Cramp Coach' must be lower-case letters and spaces "
                "(apostrophes for possessives, periods in abbreviations)"
            ],
        ),
        ("alexa coach", ["invocation name 'alexa coach' contains the forbidden word 'alexa'"]),
        ("the coach", ["two-word invocation name 'the coach' cannot include an article or preposition"]),
        ("coach to sleep", ["invocation name 'coach to sleep' contains the connecting word 'to'"]),
    ],
)
def test_invocation_name_rules(name, expected):
    assert invocation_problems(name) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("log a cramp in my {muscle}", []),
        ("it's a cramp. really", []),
        ("rate it 7", ["sample 'rate it 7' contains a digit: spell numbers out"]),
        ("how many cramps?", ["sample 'how many cramps?' contains '?'"]),
        ("cramps, please", ["sample 'cramps, please' contains ','"]),
        ("my {muscle", ["sample 'my {muscle' has a malformed slot reference"]),
    ],
)
def test_sample_character_rules(sample, expected):
    assert sample_problems(sample) == expected


def test_a_missing_model_directory_is_a_problem(tmp_path):
    (tmp_path / "interaction_model").mkdir()
    outcome = run(tmp_path, ["models"])[0]
    assert [str(p) for p in outcome.problems] == ["interaction_model: no interaction model found"]
    assert Project(tmp_path).model_paths() == {}


# -- sample conflicts, catch-all samples and limits (issue 15) -----------------------------------


def only_locale(root: Path, locale: str) -> Path:
    """Keep one locale's model in a copy: the conflict check expands every slot of every sample."""
    for path in (root / "interaction_model").glob("*.json"):
        if path.name not in (f"{locale}.json", "skill.json"):
            path.unlink()
    return root / "interaction_model" / f"{locale}.json"


def test_a_planted_conflict_fails_the_check(copy):
    """Another intent made to own 'box breathing', which StartBreathingIntent's {pattern} already says."""
    path = only_locale(copy, "en-GB")
    edit_json(
        path,
        lambda m: intent_with(m, lambda i: i["name"] == "CrampNowIntent")["samples"].append("box breathing"),
    )
    found = [p for p in problems(copy, "conflicts") if p.startswith("interaction_model/en-GB.json")]
    assert any("'box breathing'" in p and "StartBreathingIntent" in p for p in found), found
    result = CliRunner().invoke(main, ["check", "--root", str(copy), "--only", "conflicts"])
    assert result.exit_code == 1 and "box breathing" in result.output


def test_a_conflict_through_a_slot_value_is_found(copy):
    """'I'm pregnant' said by a sample with a slot: only expanding the slot's values shows it."""
    path = only_locale(copy, "en-US")

    def plant(model: Json) -> None:
        symptom = intent_with(model, lambda i: i["name"] == "ReportSymptomIntent")
        symptom["samples"].append("I'm {condition}")

    edit_json(path, plant)
    found = problems(copy, "conflicts")
    assert any("PregnancyModeOnIntent" in p and "i'm pregnant" in p for p in found), found


@pytest.mark.parametrize(
    "sample", ["I had {symptom}", "I'm {symptom}", "I've got {symptom}", "{pattern} with a {voice}"]
)
def test_catch_all_samples_fail_the_check(copy, sample):
    path = only_locale(copy, "en-US")

    def plant(model: Json) -> None:
        target = "ReportSymptomIntent" if "symptom" in sample else "StartBreathingIntent"
        intent_with(model, lambda i: i["name"] == target)["samples"].append(sample)

    edit_json(path, plant)
    found = problems(copy, "conflicts")
    assert any(repr(sample) in p and "takes other intents' requests" in p for p in found), found


def test_specific_carriers_are_not_catch_alls():
    from skill.check import catch_all_problem

    types = {"muscle": "Muscle", "duration": "AMAZON.DURATION", "pattern": "BreathingPattern"}
    custom = {"Muscle", "BreathingPattern"}
    for sample in (
        "I have a cramp in my {muscle}",
        "{pattern} for {duration}",
        "my {muscle}",
        "the {pattern} one",
    ):
        assert catch_all_problem(sample, types, custom) is None, sample


def test_a_model_over_the_limits_fails(copy):
    path = copy / "interaction_model" / "en-AU.json"

    def grow(model: Json) -> None:
        target = intent_with(model, lambda i: i["name"] == "LastCrampIntent")
        target["samples"] += [f"when was my last cramp number {'x' * n}" for n in range(1, 1200)]

    edit_json(path, grow)
    found = problems(copy, "limits")
    assert any("LastCrampIntent" in p and "samples; at most" in p for p in found), found
    assert problems(REPO_ROOT, "limits") == []
