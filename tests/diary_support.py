"""Shared pieces of the diary tests: a fixed clock and time zone, slot values as Alexa sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.alexa import timezone
from skill.diary.model import CrampEntry
from skill.services import Services
from tests import envelopes
from tests.envelopes import Slot

ZONE = "America/New_York"
# Wednesday 25 November 2026, 8:30 in the morning in New York.
NOW = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
USER = envelopes.USER_ID


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(services: Services, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Fixed "now" and a New York device for every diary test."""
    timezone.clear_cache()
    monkeypatch.setattr(timezone, "fetch_zone", lambda handler_input: ZONE)
    fixed = Clock()
    services.clock = fixed
    yield fixed
    timezone.clear_cache()


def muscle(value: str = "calf", id: str = "CALF") -> Slot:
    return Slot(value, id=id, slot_type="Muscle")


def side(value: str = "left", id: str = "LEFT") -> Slot:
    return Slot(value, id=id, slot_type="Side")


def custom(value: str, id: str | None, slot_type: str = "Custom") -> Slot:
    return Slot(value, id=id, match=id is not None, slot_type=slot_type)


LAST_NIGHT = custom("last night", "LAST_NIGHT", "CrampWhen")
DONE = custom("that's all", "DONE", "Skip")
SKIP = custom("skip", "SKIP", "Skip")


def elicited(reply: Any) -> str | None:
    """The slot a reply asks for with Dialog.ElicitSlot (checking it chains into LogCrampIntent)."""
    directive = reply.directive("Dialog.ElicitSlot")
    if directive is None:
        return None
    assert directive["updatedIntent"]["name"] == "LogCrampIntent"
    return directive["slotToElicit"]


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A wall-clock time in New York in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(ZONE))


def entry(at: datetime, user_id: str = USER, **fields: Any) -> CrampEntry:
    """An entry for seeding the diary (left calf, 5 out of 10, two minutes unless told otherwise)."""
    values = {"muscle": "CALF", "side": "LEFT", "severity": 5, "duration_s": 120, "time_zone": ZONE, **fields}
    return CrampEntry(user_id, at, **values)


def request_envelope(user_id: str = USER) -> RequestEnvelope:
    """A deserialized envelope, for calling persistence adapters directly."""
    return DefaultSerializer().deserialize(json.dumps(envelopes.launch(user_id=user_id)), RequestEnvelope)


def persistent(services: Services, user_id: str = USER) -> dict[str, Any]:
    return services.persistence.get_attributes(request_envelope(user_id))
