"""What a diary holds: cramp entries and technique practice sessions.

Times are stored in UTC, truncated to the second; each record also keeps the IANA time zone the
user was in, so "around 3 am" is computed in the user's own night even in an export run elsewhere.
Field values are the canonical ids of the interaction model's slot types (``CALF``, ``LEFT``...).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

MUSCLES = ("CALF", "FOOT", "TOES", "SHIN", "THIGH", "HAMSTRING", "OTHER")
SIDES = ("LEFT", "RIGHT", "BOTH")
HELPED = ("STRETCH", "WALKING", "MASSAGE", "HEAT", "COLD", "WATER", "BREATHING", "NOTHING")
TRIGGERS = ("EXERCISE", "STANDING", "ALCOHOL", "CAFFEINE", "NEW_MEDICINE", "DEHYDRATION", "STRESS", "NONE")
SYMPTOMS = ("SWELLING", "WARMTH", "REDNESS", "WEAKNESS", "NUMBNESS")
MEDICINES = ("STATIN", "DIURETIC", "OTHER")
SOURCES = ("voice", "timer", "coach", "import")

SEVERITY_RANGE = range(0, 11)
MAX_DURATION_S = 24 * 3600  # a "cramp" longer than a day is a mistake, not a cramp

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def utc(moment: datetime) -> datetime:
    """The same instant in UTC, to the second; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is UTC and not moment.microsecond:
        return moment  # already normalised (every time read back from storage)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """Fixed-width UTC text (``2026-11-25T03:10:00Z``): sorts as text in the same order as in time."""
    return utc(moment).strftime(_ISO)


def parse_iso(text: str) -> datetime:
    return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def now_utc() -> datetime:
    return utc(datetime.now(UTC))


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class CrampEntry:
    """One logged cramp. ``still_going``: logged while it lasted, and open until "it's gone" closes it.

    ``duration_s`` is None when the length is unknown (skipped) or the cramp is still going.
    """

    user_id: str
    started_at: datetime
    muscle: str
    severity: int
    side: str | None = None
    duration_s: int | None = None
    helped: str | None = None
    trigger: str | None = None
    symptoms: tuple[str, ...] = ()
    medicines: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    source: str = "voice"
    time_zone: str = "UTC"
    # False when the user gave only a part of the day ("last night"): such entries are left out
    # of "what time do my cramps happen" rather than all piling up at a made-up hour.
    time_exact: bool = True
    still_going: bool = False
    id: str = field(default_factory=new_id)
    logged_at: datetime = field(default_factory=now_utc)

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", utc(self.started_at))
        object.__setattr__(self, "logged_at", utc(self.logged_at))
        for name in ("symptoms", "medicines", "red_flags"):
            object.__setattr__(self, name, tuple(dict.fromkeys(getattr(self, name))))
        if not self.user_id:
            raise ValueError("an entry needs a user id")
        if self.severity not in SEVERITY_RANGE:
            raise ValueError(f"severity {self.severity} is outside 0-10")
        if self.duration_s is not None and not 0 <= self.duration_s <= MAX_DURATION_S:
            raise ValueError(f"duration {self.duration_s} s is outside 0 s to a day")
        if self.still_going and self.duration_s is not None:
            raise ValueError("a cramp still going has no duration yet")
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    @property
    def is_open(self) -> bool:
        return self.still_going

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.started_at.astimezone(self.zone)

    def with_changes(self, **changes: Any) -> CrampEntry:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (times as UTC ISO text, tuples as lists).

        Built field by field: dataclasses.asdict deep-copies every value, which costs more than
        the rest of logging a cramp (the values are all strings, numbers and tuples of strings).
        """
        data = {name: getattr(self, name) for name in _ENTRY_FIELDS}
        data["started_at"], data["logged_at"] = iso(self.started_at), iso(self.logged_at)
        for name in ("symptoms", "medicines", "red_flags"):
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrampEntry:
        values = dict(data)
        values["started_at"] = parse_iso(values["started_at"])
        values["logged_at"] = parse_iso(values["logged_at"])
        for name in ("symptoms", "medicines", "red_flags"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)


_ENTRY_FIELDS = tuple(f.name for f in fields(CrampEntry))


@dataclass(frozen=True)
class PracticeSession:
    """One technique session, finished or stopped early; nights after practice are compared with others."""

    user_id: str
    technique: str
    minutes: float
    completed: bool
    at: datetime = field(default_factory=now_utc)
    time_zone: str = "UTC"
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at))
        if not self.user_id or not self.technique:
            raise ValueError("a practice session needs a user id and a technique")
        if self.minutes < 0:
            raise ValueError("minutes cannot be negative")
        ZoneInfo(self.time_zone)

    @property
    def local_at(self) -> datetime:
        return self.at.astimezone(ZoneInfo(self.time_zone))

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["at"] = iso(self.at)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PracticeSession:
        values = dict(data)
        values["at"] = parse_iso(values["at"])
        values["minutes"] = float(values["minutes"])
        values["completed"] = bool(values["completed"])
        return cls(**values)
