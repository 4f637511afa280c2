"""The free-text red-flag screen, driven by the phrasing table written for issue 13.

Every phrasing in tests/data/redflag_phrasings.json is screened as the words it is (the next phase
sends the same table through the real skill in all five locales); the level must be the one the
content guide calls for, and no must-not-alarm phrasing may raise any red flag at all.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from skill.safety.redflags import LEVELS
from skill.safety.screen import normalise, screen

TABLE = Path(__file__).parent / "data" / "redflag_phrasings.json"
PHRASINGS = json.loads(TABLE.read_text(encoding="utf-8"))["phrasings"]
LOCALES = {"en-US", "en-GB", "en-AU", "en-CA", "en-IN"}


def _id(row: dict) -> str:
    return f"{row['level']}: {row['say']}"


def test_the_table_is_large_and_covers_every_level_locale_and_context():
    levels = Counter(row["level"] for row in PHRASINGS)
    assert len(PHRASINGS) - levels["none"] >= 150
    assert levels["none"] >= 50
    assert set(levels) == {*LEVELS, "none"}
    assert {row["locale"] for row in PHRASINGS} == LOCALES
    contexts = {row["in"].split(" ")[0] for row in PHRASINGS}
    needed = {"LogCrampIntent.when", "LogCrampIntent.symptom", "CrampNowIntent.muscle", "AMAZON.ResumeIntent"}
    assert needed <= contexts
    sayings = [normalise(row["say"]) for row in PHRASINGS]
    assert len(sayings) == len(set(sayings)), "every phrasing once"


@pytest.mark.parametrize("row", PHRASINGS, ids=_id)
def test_each_phrasing_gets_the_level_the_guide_calls_for(row):
    found = screen(
        row["say"],
        pregnant=row.get("profile_pregnant", False),
        asked=row.get("asked", False),
        about_cramp=row.get("about_cramp", False),
    )
    expected = None if row["level"] == "none" else row["level"]
    assert found.level == expected, (found.rule_ids, sorted(found.case.symptoms), found.case)
    if expected is None:
        assert not found.red_flag and not found.stops_exercise
    assert found.pregnant is row.get("pregnant", False)
    assert found.light_headed is row.get("light_headed", False)
    if "side" in row:
        assert found.side == row["side"]


def test_every_slot_value_of_a_request_is_read_together():
    # LogCrampIntent with the words split over slots, one of them empty, one resolved to ISO.
    found = screen([None, "my left calf", "", "it's warm", "and sore"])
    assert found.level == "urgent_today" and found.side == "LEFT"
    assert screen(["my cramp", "PT15M"]).rule_ids == ("long_cramp",)
    assert screen(["PT15M"]).level is None, "a length alone is not said to be a cramp's"


def test_the_most_urgent_finding_leads_and_the_leg_is_held():
    found = screen("my calf is swollen and I've got chest pain")
    assert found.findings.to_say[0].id == "emergency_signs"
    assert found.stops_exercise
    assert not screen("my cramp won't stop").stops_exercise, "it may have just started: coach it"


def test_warmth_alone_is_reassured_but_warm_and_sore_in_one_leg_is_not():
    assert screen("my calf is a bit warm").level is None
    assert screen("my calf is a bit warm and sore").level == "urgent_today"
    assert screen("my calves are warm and sore").level is None, "both legs: not the picture of a clot"


def test_the_screen_imports_nothing_from_the_handlers():
    for module in ("screen.py", "lexicon.py"):
        tree = ast.parse((Path(__file__).parent.parent / "skill" / "safety" / module).read_text())
        imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        ]
        assert not [name for name in imported if name.startswith("skill.handlers")], module


@pytest.mark.parametrize("row", PHRASINGS, ids=_id)
def test_each_phrasing_as_alexa_sends_it_without_punctuation(row):
    """Alexa's slot values carry no commas or full stops: the level must not depend on them."""
    words = " ".join(re.sub(r"[^\w\s']", " ", row["say"]).split())
    found = screen(
        words,
        pregnant=row.get("profile_pregnant", False),
        asked=row.get("asked", False),
        about_cramp=row.get("about_cramp", False),
    )
    assert found.level == (None if row["level"] == "none" else row["level"]), (words, found.rule_ids)
