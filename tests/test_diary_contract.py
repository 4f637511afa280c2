"""The diary's phrase keys built at run time, and its handler's view of the model, match the data."""

from __future__ import annotations

import pytest

from skill.content.catalog import default_catalog
from skill.diary.dates import Period
from skill.diary.draft import ORDER, REQUIRED
from skill.flows.diary_log import LOG_SLOTS
from skill.models import load_model
from skill.safety import redflags

MODEL = load_model("en-US")["interactionModel"]
INTENTS = {intent["name"]: intent for intent in MODEL["languageModel"]["intents"]}
TYPES = {type_["name"]: type_ for type_ in MODEL["languageModel"]["types"]}
LABEL_KINDS = {
    "Muscle": ["muscle", "muscles"],
    "Side": ["side", "side_name"],
    "Helped": ["helped"],
    "Trigger": ["trigger"],
    "Symptom": ["symptom"],
    "Medicine": ["medicine"],
}


def has(key: str) -> bool:
    return default_catalog().has("en-US", key)


def test_the_handler_elicits_exactly_the_slots_the_model_declares():
    declared = [slot["name"] for slot in INTENTS["LogCrampIntent"]["slots"]]
    assert sorted(declared) == sorted(LOG_SLOTS)
    dialog = next(i for i in MODEL["dialog"]["intents"] if i["name"] == "LogCrampIntent")
    assert dialog["delegationStrategy"] == "SKILL_RESPONSE"
    required = {slot["name"] for slot in dialog["slots"] if slot["elicitationRequired"]}
    assert required == set(REQUIRED)
    prompted = {slot["name"] for slot in dialog["slots"] if slot["prompts"].get("elicitation")}
    assert prompted == set(ORDER)


@pytest.mark.parametrize("slot", ORDER)
def test_every_question_has_its_prompt_help_and_answers(slot):
    for family in ("ask", "help", "fallback", "which"):
        assert has(f"diary.{family}.{slot}"), f"diary.{family}.{slot}"


@pytest.mark.parametrize(("type_name", "kinds"), LABEL_KINDS.items())
def test_every_slot_value_has_words(type_name, kinds):
    for value in TYPES[type_name]["values"]:
        if value["id"] == "NONE":
            continue
        for kind in kinds:
            assert has(f"diary.label.{kind}.{value['id'].lower()}"), (kind, value["id"])


@pytest.mark.parametrize("rule", [rule.id for rule in redflags.RULES])
def test_every_red_flag_is_spoken_and_named_in_reports(rule):
    assert has(f"safety.redflag.{rule}") and has(f"diary.report.flag.{rule}")


def test_every_period_label_has_words():
    labels = {
        "today",
        "yesterday",
        "weekday",
        "day",
        "this_week",
        "last_week",
        "week",
        "this_weekend",
        "last_weekend",
        "this_month",
        "last_month",
        "month",
        "this_year",
        "last_year",
        "year",
        "last_days",
        "since",
    }
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    previous = {Period(now, now, label).previous().label for label in labels}
    missing = {label for label in labels | previous if not has(f"diary.period.{label}")}
    assert missing == set()


@pytest.mark.parametrize("offer", ["cramp_now", "breathing", "bedtime_stretches"])
def test_every_offer_has_its_handover(offer):
    assert has(f"diary.offer.{offer}") and has(f"diary.handover.{offer}")


def test_every_invalid_answer_has_a_message():
    from skill.handlers import diary_changes

    pairs = [
        ("muscle", "no_match"),
        ("side", "no_match"),
        ("when", "no_match"),
        ("when", "future"),
        ("when", "vague"),
        ("when", "invalid"),
        ("severity", "not_number"),
        ("severity", "range"),
        ("duration", "invalid"),
        ("duration", "too_long"),
        ("duration", "no_match"),
        ("helped", "no_match"),
        ("trigger", "no_match"),
        ("symptom", "no_match"),
        ("medicine", "no_match"),
    ]
    assert [p for p in pairs if not has(f"diary.invalid.{p[0]}_{p[1]}")] == []
    corrections = {*diary_changes.CORRECTABLE, "still_going"} - {"date", "time"}
    assert [s for s in corrections if not has(f"diary.correct.invalid_{s}")] == []
