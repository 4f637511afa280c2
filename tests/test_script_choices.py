"""Which script a slot value starts is script data (``chosen_by``): the interaction model and the
scripts agree, every value a user can say names exactly one script, and a clash is refused on load."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from skill.engine.script import CHOICE_SLOTS, ScriptError, chosen_scripts, load_script, script_ids
from skill.flows import choices
from skill.models import LOCALES, load_model

# The slots whose values name a technique: (intent, slot) -> the chosen_by slot that answers it.
CHOOSING_SLOTS = {
    ("StartBreathingIntent", "pattern"): "pattern",
    ("StartStretchIntent", "stretch"): "stretch",
    ("StartAcupressureIntent", "point"): "point",
    ("StartTechniqueIntent", "technique"): "technique",
    ("CrampNowIntent", "muscle"): "muscle",
    ("SetPreferenceIntent", "technique"): "technique",
    ("SetPreferenceIntent", "pattern"): "pattern",
}


def _slot_values(locale: str) -> dict[tuple[str, str], set[str]]:
    """The value ids each choosing slot can be filled with, from the committed model of a locale."""
    language = load_model(locale)["interactionModel"]["languageModel"]
    types = {t["name"]: {v["id"] for v in t["values"]} for t in language["types"]}
    found = {}
    for intent in language["intents"]:
        for slot in intent.get("slots", []):
            if (intent["name"], slot["name"]) in CHOOSING_SLOTS:
                found[intent["name"], slot["name"]] = types[slot["type"]]
    return found


def _claims() -> dict[str, dict[str, list[str]]]:
    """chosen_by slot -> value -> every script claiming it, read script by script."""
    claims: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for script_id in script_ids():
        for slot, values in load_script(script_id).chosen_by.items():
            for value in values:
                claims[slot][value].append(script_id)
    return claims


@pytest.mark.parametrize("locale", LOCALES)
def test_every_value_a_user_can_say_for_a_technique_starts_exactly_one_script(locale):
    values = _slot_values(locale)
    assert set(values) == set(CHOOSING_SLOTS), "an intent or slot that chooses a script was renamed"
    claims = _claims()
    for (intent, slot), ids in values.items():
        answered = claims[CHOOSING_SLOTS[intent, slot]]
        for value in sorted(ids):
            assert len(answered.get(value, [])) == 1, (intent, slot, value, answered.get(value))
            assert choices.script_for(CHOOSING_SLOTS[intent, slot], value) == answered[value][0]


def test_no_script_is_chosen_by_a_value_the_model_cannot_hear():
    heard: dict[str, set[str]] = defaultdict(set)
    for locale in LOCALES:
        for key, ids in _slot_values(locale).items():
            heard[CHOOSING_SLOTS[key]] |= ids
    for slot, claimed in _claims().items():
        assert set(claimed) <= heard[slot], (slot, sorted(set(claimed) - heard[slot]))


def test_a_script_may_answer_several_values_and_a_technique_starts_its_everyday_script():
    assert choices.script_for("muscle", "TOES") == choices.script_for("muscle", "FOOT") == "cramp-now-foot"
    assert choices.everyday("BREATHING") == "breathing-belly"
    assert choices.everyday("STRETCH") == "stretch-bedtime"
    assert choices.script_for("pattern", None) is None
    assert choices.script_for("pattern", "HUMMING") is None


def _write(root: Path, script_id: str, chosen_by: object) -> None:
    data = {
        "title": script_id,
        "technique": "breathing",
        "sources": ["T1"],
        "phrases": {"intro": "Hello."},
        "chosen_by": chosen_by,
        "steps": [{"say": "intro"}, {"pause": 2}],
    }
    (root / "en" / "scripts" / f"{script_id}.json").write_text(json.dumps(data))


def test_a_value_claimed_by_two_scripts_fails_loading_naming_the_file_and_the_field(tmp_path):
    (tmp_path / "en" / "scripts").mkdir(parents=True)
    _write(tmp_path, "breathing-one", {"pattern": ["BOX"]})
    _write(tmp_path, "breathing-two", {"pattern": ["EVEN", "BOX"]})
    with pytest.raises(ScriptError) as caught:
        chosen_scripts(tmp_path)
    assert str(caught.value) == (
        "breathing-two.json: chosen_by.pattern: BOX is already chosen by breathing-one.json"
    )


def test_the_same_value_may_choose_different_scripts_in_different_slots(tmp_path):
    (tmp_path / "en" / "scripts").mkdir(parents=True)
    _write(tmp_path, "stretch-calf", {"stretch": ["CALF"]})
    _write(tmp_path, "cramp-now-calf", {"muscle": ["CALF"]})
    table = chosen_scripts(tmp_path)
    assert table["stretch"]["CALF"] == "stretch-calf" and table["muscle"]["CALF"] == "cramp-now-calf"
    assert set(table) == set(CHOICE_SLOTS)


@pytest.mark.parametrize(
    ("chosen_by", "message"),
    [
        ({"flavour": ["BOX"]}, "chosen_by.flavour: unknown slot 'flavour'"),
        ({"pattern": "BOX"}, "chosen_by.pattern: must list slot value ids"),
        ({"pattern": []}, "chosen_by.pattern: must list slot value ids"),
        ({"pattern": ["box"]}, "chosen_by.pattern: must list slot value ids"),
        ({"pattern": ["BOX", "BOX"]}, "chosen_by.pattern: lists a value twice"),
        (["pattern"], "chosen_by: must map a slot"),
    ],
)
def test_a_bad_chosen_by_is_refused_naming_the_file_and_the_field(tmp_path, chosen_by, message):
    (tmp_path / "en" / "scripts").mkdir(parents=True)
    _write(tmp_path, "breathing-odd", chosen_by)
    with pytest.raises(ScriptError) as caught:
        load_script("breathing-odd", None, tmp_path)
    assert str(caught.value).startswith("breathing-odd.json: " + message)


def test_the_cramp_check_reports_a_clash(tmp_path):
    """``cramp-coach check`` names the clash too, so an author sees it before any request does."""
    from skill.check import Project, check_scripts

    project = Project(tmp_path)
    scripts = project.responses_dir / "en" / "scripts"
    scripts.mkdir(parents=True)
    (project.responses_dir / "en" / "phrases").mkdir()
    _write(project.responses_dir, "breathing-one", {"muscle": ["CALF"]})
    _write(project.responses_dir, "breathing-two", {"muscle": ["CALF"]})
    outcome = check_scripts(project)
    assert any(
        "chosen_by.muscle: CALF is already chosen by breathing-one.json" in p.message
        for p in outcome.problems
    )
