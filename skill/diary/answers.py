"""What the user said in the LogCramp dialog, turned into changes to a ``Draft``: pure code, no
request. The flow (``skill.flows.diary_log``) reads the slots and calls :func:`apply`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from skill.alexa.slots import SlotProblem, duration_seconds, whole_number
from skill.diary import dates
from skill.diary.draft import Draft
from skill.diary.model import HELPED, MAX_DURATION_S, MEDICINES, MUSCLES, SIDES, SYMPTOMS, TRIGGERS

Problem = SlotProblem  # an answer that cannot be used: which slot, and why (a phrase key suffix)

KNOWN_IDS: dict[str, tuple[str, ...]] = {
    "muscle": MUSCLES, "side": SIDES, "helped": HELPED, "trigger": TRIGGERS,
    "symptom": (*SYMPTOMS, "NONE"), "medicine": (*MEDICINES, "NONE"),
}  # fmt: skip

# A part of the day the user named with the CrampWhen type, as AMAZON.DATE / AMAZON.TIME values.
WHEN_VALUES: dict[str, tuple[str | None, str | None]] = {
    "JUST_NOW": ("PRESENT_REF", None),
    "LAST_NIGHT": (None, "NI"),
    "THIS_MORNING": ("TODAY", "MO"),
    "EARLIER_TODAY": ("TODAY", None),
    "LAST_EVENING": ("YESTERDAY", "EV"),
}


@dataclass(frozen=True)
class Said:
    """One slot as heard: the words, the entity-resolution id, and whether Alexa resolved it at all
    (a value another feature chained in with ``Dialog.Delegate`` is not resolved)."""

    text: str | None
    id: str | None = None
    resolved: bool = True


def custom(said: Mapping[str, Said], name: str) -> str | None:
    """A custom slot's id; ``Problem(no_match)`` when the user said something that matched nothing."""
    heard = said.get(name)
    if heard is None or heard.text is None:
        return None
    value = heard.id
    if value is None and not heard.resolved:
        # Set by another feature when it chained into this intent: no entity resolution, the value word.
        guess = heard.text.upper().replace(" ", "_")
        value = guess if guess in KNOWN_IDS.get(name, ()) else None
    if value is None:
        raise Problem(name, "no_match")
    return value


def severity(text: str) -> int:
    return whole_number(text, "severity", low=0, high=10)


def duration(text: str) -> int:
    seconds = duration_seconds(text)
    if seconds > MAX_DURATION_S:
        raise Problem("duration", "too_long")
    return seconds


def _text(said: Mapping[str, Said], name: str) -> str | None:
    heard = said.get(name)
    return heard.text if heard is not None else None


def when(said: Mapping[str, Said], draft: Draft, now: datetime) -> None:
    named = custom(said, "when")
    date_value, time_value = _text(said, "date"), _text(said, "time")
    if named is None and date_value is None and time_value is None:
        return
    default_date, default_time = WHEN_VALUES.get(named or "", (None, None))
    placeholders = {
        "TODAY": now.date().isoformat(),
        "YESTERDAY": (now.date() - timedelta(days=1)).isoformat(),
    }
    date_value = date_value or placeholders.get(default_date or "", default_date)
    time_value = time_value or default_time
    try:
        moment = dates.resolve_when(date_value, time_value, now)
    except dates.DateProblem as exc:
        raise Problem("when", exc.reason) from exc
    draft.set_when(moment.at, moment.exact)


def apply(said: Mapping[str, Said], draft: Draft, now: datetime) -> list[Problem]:
    """Copy what this turn says into the draft; every unusable value comes back as a problem."""
    problems: list[Problem] = []

    def attempt(step: Callable[[], None]) -> None:
        try:
            step()
        except Problem as problem:
            problems.append(problem)

    def set_custom(name: str, attribute: str) -> None:
        value = custom(said, name)
        if value is not None:
            setattr(draft, attribute, value)

    def set_severity() -> None:
        text = _text(said, "severity")
        if text is not None:
            draft.severity = severity(text)

    def set_duration() -> None:
        if custom(said, "still_going"):
            draft.still_going, draft.duration_s = True, None
        text = _text(said, "duration")
        if text is not None:
            draft.duration_s, draft.still_going = duration(text), False

    def add_symptom() -> None:
        value = custom(said, "symptom")
        if value == "NONE":
            draft.symptoms_answered = True
        elif value is not None and value not in draft.symptoms:
            draft.symptoms.append(value)

    def add_medicine() -> None:
        value = custom(said, "medicine")
        if value == "NONE":
            draft.medicines_answered = True
        elif value is not None and value not in draft.medicines:
            draft.medicines.append(value)

    attempt(lambda: set_custom("muscle", "muscle"))
    attempt(lambda: set_custom("side", "side"))
    attempt(lambda: when(said, draft, now))
    attempt(set_severity)
    attempt(set_duration)
    attempt(lambda: set_custom("helped", "helped"))
    attempt(lambda: set_custom("trigger", "trigger"))
    attempt(add_symptom)
    attempt(add_medicine)
    return problems
