"""Resolve the people's corpus (``tests/data/people_corpus.json``) the way ``cramp-coach chat`` does.

An entry is ``[utterance, intent, {slot: expected}, "Intent.slot"?]``. Custom slot types are
compared by value id (entity resolution), built-in types by the value sent. With a fourth item the
line answers that slot's elicitation, as the chat session answers ``Dialog.ElicitSlot``: the slot's
own samples first when every value matches, the whole model otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from skill.localchat.resolver import Resolution, Resolver

CORPUS = Path(__file__).parent / "data" / "people_corpus.json"


@dataclass
class Outcome:
    line: str
    expected: str
    got: str
    ok: bool


def load() -> tuple[date, list[list[Any]]]:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    return date.fromisoformat(data["today"]), data["utterances"]


def resolve(resolver: Resolver, line: str, context: str | None) -> Resolution:
    resolution = resolver.resolve(line)
    if context:
        intent, slot = context.split(".")
        answer = resolver.resolve_for_slot(line, intent, slot)
        if answer and not any(fill.unmatched for fill in answer.slots.values()):
            return answer
        if resolution.fallback and answer:
            return answer
    return resolution


def slot_value(resolution: Resolution, name: str) -> str | None:
    fill = resolution.slots.get(name)
    if fill is None:
        return None
    if fill.matches is not None:
        return fill.matches[0][0] if fill.matches else f"?{fill.spoken}"
    return fill.value


def evaluate(resolver: Resolver, entries: list[list[Any]]) -> list[Outcome]:
    outcomes = []
    for entry in entries:
        line, intent, slots = entry[0], entry[1], entry[2]
        context = entry[3] if len(entry) > 3 else None
        resolution = resolve(resolver, line, context)
        got_intent = resolution.intent or resolution.request_type
        got_slots = {name: slot_value(resolution, name) for name in slots}
        ok = got_intent == intent and got_slots == slots
        expected = f"{intent} {slots}" if slots else intent
        where = f" (answering {context})" if context else ""
        outcomes.append(Outcome(f"{line!r}{where}", expected, resolution.describe(), ok))
    return outcomes
