"""What the user said about a symptom, turned into the red-flag ``Case`` the rules table reads.

ReportSymptomIntent carries up to three symptoms, a body part, a side, a medicine, a duration, a
condition (pregnant) and a harmless cause ("from the stretch"). Everything is read by canonical
entity-resolution id, never by the spoken words.
"""

from __future__ import annotations

from dataclasses import dataclass

import isodate
from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.slots import slot_id, slot_text, slot_unmatched
from skill.safety import is_pregnant
from skill.safety.redflags import Case

SYMPTOM_SLOTS = ("symptom", "symptomTwo", "symptomThree")
CARRIER_SLOTS = ("extra", "extraTwo")  # open slots carrying whatever words people add (docs/safety.md)
CUSTOM_SLOTS = (
    *SYMPTOM_SLOTS,
    "bodyPart",
    "side",
    "medicine",
    "condition",
    "cause",
    "opening",
    *CARRIER_SLOTS,
)
# A harmless cause the user named explains these, and only these (never swelling or redness), and
# only one at a time: warm *and* sore in one leg is a clot sign whatever the user puts it down to
# ("hot and sore after the stretch"; see skill.safety.redflags and docs/safety.md).
EXPLAINED_BY_CAUSE = frozenset({"WARMTH", "MUSCLE_ACHE"})
WARM_AND_SORE = frozenset({"WARMTH", "MUSCLE_ACHE"})
# Body parts said in the plural or as a pair: both legs, so not the one-sided picture of a clot.
BOTH_LEGS = "BOTH_LEGS"


@dataclass(frozen=True)
class Report:
    """One symptom report: the case for the rules plus what the notes for non-red-flag replies need."""

    case: Case
    heard: frozenset[str]  # every symptom id heard, before causes and the warmth rule
    body_part: str | None
    cause: str | None
    unmatched: bool  # something was said for a slot that matched none of its values

    @property
    def explained_warmth(self) -> bool:
        return "WARMTH" in self.heard and "WARMTH" not in self.case.counted_symptoms

    @property
    def soreness(self) -> bool:
        return "MUSCLE_ACHE" in self.heard


def _seconds(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(isodate.parse_duration(value).total_seconds())
    except (isodate.ISO8601Error, ValueError, AttributeError):
        return None  # "PT?M" or a months-long Duration: no usable length


def sentences(handler_input: HandlerInput) -> list[str]:
    """The report's words put back in English order, both ways a body part is said ("my left calf is
    warm and tender after the stretch", "a pain in my chest"), with the carrier slots' words first,
    for the free-text screen when the slots' ids say nothing (Alexa sends no raw utterance)."""
    carried = " and ".join(text for text in (slot_text(handler_input, n) for n in CARRIER_SLOTS) if text)
    opening = slot_text(handler_input, "opening")  # "I stood on" + "a rusty nail ...": the words go together
    carried = f"I {opening} {carried}" if opening else carried
    said = [slot_text(handler_input, name) for name in (*SYMPTOM_SLOTS, "medicine", "condition")]
    duration = slot_text(handler_input, "duration")
    cause = slot_text(handler_input, "cause")
    after = [f"for {duration}" if duration else None, f"after {cause}" if cause else None]
    body_part = slot_text(handler_input, "bodyPart")
    place = ["my", slot_text(handler_input, "side"), body_part] if body_part else []
    orders = [
        [carried, *place, "is" if place else None, *said, *after],
        [carried, *said, "in", *place, *after],
    ]
    texts = [" ".join(part for part in order if part) for order in (orders if place else orders[:1])]
    return texts


def report(handler_input: HandlerInput) -> Report:
    """Read ReportSymptomIntent's slots (and pregnancy mode) into a Report."""
    heard = frozenset(filter(None, (slot_id(handler_input, name) for name in SYMPTOM_SLOTS)))
    body_part = slot_id(handler_input, "bodyPart")
    if body_part == "CHEST" and heard:
        heard |= {"CHEST_PAIN"}  # "my chest hurts", "a pain in my chest", "my chest feels tight"
    if body_part == "URINE" and heard & {"DARKER", "REDNESS"}:
        heard = (heard - {"DARKER", "REDNESS"}) | {"DARK_URINE"}  # "my urine is dark", not a darker leg
    cause = slot_id(handler_input, "cause")
    symptoms = heard - EXPLAINED_BY_CAUSE if cause and not heard >= WARM_AND_SORE else heard
    side = slot_id(handler_input, "side") or ("BOTH" if body_part == BOTH_LEGS else None)
    medicine = slot_id(handler_input, "medicine")
    pregnant = slot_id(handler_input, "condition") == "PREGNANT" or is_pregnant(handler_input)
    case = Case.of(
        symptoms=symptoms,
        medicines=[medicine] if medicine in ("STATIN", "DIURETIC") else [],
        trigger="NEW_MEDICINE" if medicine == "NEW_MEDICINE" else None,
        side=side,
        seconds=_seconds(slot_text(handler_input, "duration")),
        context={"PREGNANT"} if pregnant else set(),
        asked=False,  # volunteered in conversation: warmth alone does not count (see redflags)
    )
    unmatched = any(slot_unmatched(handler_input, name) for name in CUSTOM_SLOTS)
    return Report(case, heard, body_part, cause, unmatched)
