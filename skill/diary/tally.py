"""Diary aggregates that merge: everything a diary question needs, without the entries themselves.

A ``Tally`` counts the entries of some span of time: how many, severities and lengths (as
histograms, so means, medians and maxima come out exactly as from the entries), the local hours of
exact times (count and sum of minutes: "around 3 am"), local weeks and nights, each muscle, side,
what helped, trigger, symptom and medicine with the entry it was first seen in (so rankings break
ties as ``collections.Counter`` over the entries does), and the entries with red flags in full.

Tallies of disjoint spans add up to the tally of their union, so the stores keep one per user and
UTC month and one per UTC day, updated with each write, and answer a question over any period from
a bounded number of them plus the raw entries of at most two partial days (``plan``). The figures
themselves are computed from a tally by ``skill.diary.stats.summary_of``, exactly as
``stats.summarize`` computes them from the entries (tests/test_diary_tally.py holds them equal).

The JSON form is what the stores keep; bump ``VERSION`` when what a tally holds or how a night or a
week is named changes (``skill.diary.dates``), so that stored tallies are rebuilt from the entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from skill.diary.dates import night_of
from skill.diary.model import CrampEntry, iso

VERSION = 1
KINDS = ("muscle", "side", "helped", "trigger", "symptom", "medicine")


def entry_order_key(entry: CrampEntry) -> str:
    """Sorts as the stores order entries (start time, then id): the key of "first seen"."""
    return f"{iso(entry.started_at)}#{entry.id}"


class Tally:
    """Mergeable counts over a set of entries; ``data`` is plain JSON-ready dicts."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = data if data is not None else _empty()

    @classmethod
    def of(cls, entries: Iterable[CrampEntry]) -> Tally:
        tally = cls()
        for entry in entries:
            tally.add(entry)
        return tally

    @classmethod
    def from_json(cls, text: str) -> Tally | None:
        """A stored tally, or None when it was written by another ``VERSION`` (rebuild it)."""
        data = json.loads(text)
        return cls(data) if data.get("v") == VERSION else None

    def to_json(self) -> str:
        return json.dumps(self.data, separators=(",", ":"))

    @property
    def count(self) -> int:
        return int(self.data["n"])

    def add(self, entry: CrampEntry) -> None:
        data, key = self.data, entry_order_key(entry)
        local = entry.local_start
        data["n"] += 1
        _bump(data["sev"], str(entry.severity))
        if entry.duration_s is not None:
            _bump(data["dur"], str(entry.duration_s))
        if entry.time_exact:
            hour = data["hour"].setdefault(str(local.hour), [0, 0])
            hour[0] += 1
            hour[1] += local.hour * 60 + local.minute
        _bump(data["week"], (local.date() - timedelta(days=local.weekday())).isoformat())
        _bump(data["night"], night_of(local).isoformat())
        values = data["val"]
        for kind, value in (
            ("muscle", entry.muscle),
            ("side", entry.side),
            ("helped", entry.helped),
            ("trigger", entry.trigger),
        ):
            if value:
                _first(values[kind], value, key)
        for kind, items in (("symptom", entry.symptoms), ("medicine", entry.medicines)):
            for index, value in enumerate(items):
                if value:
                    _first(values[kind], value, f"{key}#{index:04d}")
        if entry.red_flags:
            data["flag"][key] = entry.to_dict()

    def merge(self, other: Tally) -> Tally:
        """Add ``other``'s counts to this tally (in place) and return it."""
        mine, theirs = self.data, other.data
        mine["n"] += theirs["n"]
        for name in ("sev", "dur", "week", "night"):
            target = mine[name]
            for key, count in theirs[name].items():
                target[key] = target.get(key, 0) + count
        hours = mine["hour"]
        for key, (count, minutes) in theirs["hour"].items():
            if key in hours:
                hours[key] = [hours[key][0] + count, hours[key][1] + minutes]
            else:
                hours[key] = [count, minutes]
        for kind in KINDS:
            target = mine["val"][kind]
            for value, (count, first) in theirs["val"][kind].items():
                if value in target:
                    known = target[value]
                    target[value] = [known[0] + count, min(known[1], first)]
                else:
                    target[value] = [count, first]
        mine["flag"].update(theirs["flag"])
        return self

    # What stats.summary_of reads.

    def histogram(self, name: str) -> list[tuple[int, int]]:
        """(value, count) of severities ("sev") or known lengths ("dur"), smallest value first."""
        return sorted((int(value), count) for value, count in self.data[name].items())

    def hours(self) -> dict[int, tuple[int, int]]:
        """Local hour -> (cramps with an exact time in it, the sum of their minutes of the day)."""
        return {int(hour): (count, minutes) for hour, (count, minutes) in self.data["hour"].items()}

    def weeks(self) -> dict[date, int]:
        return {date.fromisoformat(monday): count for monday, count in self.data["week"].items()}

    def nights(self) -> set[date]:
        return {date.fromisoformat(night) for night, count in self.data["night"].items() if count}

    def ranking(self, kind: str) -> list[tuple[str, int]]:
        """Values by how often they occur, most often first; ties: the one seen first, first."""
        values = self.data["val"][kind]
        ordered = sorted(values, key=lambda v: (-values[v][0], values[v][1]))
        return [(value, values[value][0]) for value in ordered]

    def answered(self, kind: str) -> int:
        """How many entries gave any value of ``kind`` (muscle, side, helped or trigger)."""
        return sum(count for count, _ in self.data["val"][kind].values())

    def flagged(self) -> list[CrampEntry]:
        """The entries with red flags, in diary order."""
        flags = self.data["flag"]
        return [CrampEntry.from_dict(flags[key]) for key in sorted(flags)]


def _empty() -> dict[str, Any]:
    return {
        "v": VERSION,
        "n": 0,
        "sev": {},
        "dur": {},
        "hour": {},
        "week": {},
        "night": {},
        "val": {kind: {} for kind in KINDS},
        "flag": {},
    }


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def _first(values: dict[str, list[Any]], value: str, key: str) -> None:
    known = values.get(value)
    if known is None:
        values[value] = [1, key]
    else:
        known[0] += 1
        if key < known[1]:
            known[1] = key


# Buckets: the spans the stores keep tallies for.

MONTH, DAY = "M", "D"


def month_bucket(moment: datetime) -> str:
    return f"{MONTH}{moment.astimezone(UTC):%Y-%m}"


def day_bucket(moment: datetime) -> str:
    return f"{DAY}{moment.astimezone(UTC):%Y-%m-%d}"


def buckets_of(entry: CrampEntry) -> tuple[str, str]:
    """The month and the day (UTC) whose tallies count this entry."""
    return month_bucket(entry.started_at), day_bucket(entry.started_at)


def bucket_span(bucket: str) -> tuple[datetime, datetime]:
    """The UTC instants ``[start, end)`` a bucket covers."""
    if bucket.startswith(MONTH):
        start = datetime.strptime(bucket[1:], "%Y-%m").replace(tzinfo=UTC)
        return start, _next_month(start)
    start = datetime.strptime(bucket[1:], "%Y-%m-%d").replace(tzinfo=UTC)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    """How to read a period: whole months and whole days from tallies, the rest from entries.

    Bucket ranges are half-open ``[low, high)`` in bucket-name order (None: unbounded); raw ranges
    are half-open UTC instants (None: unbounded).
    """

    months: tuple[str | None, str | None] | None
    days: tuple[tuple[str, str | None] | tuple[str | None, str], ...]
    raw: tuple[tuple[datetime | None, datetime | None], ...]

    def bucket_ranges(self) -> Iterator[tuple[str, str]]:
        """Every bucket range as inclusive-low, exclusive-high names (unbounded ends filled in)."""
        if self.months is not None:
            low, high = self.months
            yield low or MONTH, high or chr(ord(MONTH) + 1)
        for low, high in self.days:
            yield low or DAY, high or chr(ord(DAY) + 1)


def _day_floor(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _day_ceil(moment: datetime) -> datetime:
    floor = _day_floor(moment)
    return floor if floor == moment else floor + timedelta(days=1)


def _month_floor(moment: datetime) -> datetime:
    return _day_floor(moment).replace(day=1)


def _month_ceil(moment: datetime) -> datetime:
    floor = _month_floor(moment)
    return floor if floor == moment else _next_month(floor)


def _next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return moment.replace(year=moment.year + 1, month=1)
    return moment.replace(month=moment.month + 1)


def plan(start: datetime | None, end: datetime | None) -> Plan:
    """Split ``[start, end)`` into whole UTC months, whole UTC days and at most two partial days."""
    start = start.astimezone(UTC) if start is not None else None
    end = end.astimezone(UTC) if end is not None else None
    if start is not None and end is not None and start >= end:
        return Plan(None, (), ())
    first_day = _day_ceil(start) if start is not None else None
    last_day = _day_floor(end) if end is not None else None
    if first_day is not None and last_day is not None and first_day >= last_day:
        return Plan(None, (), ((start, end),))  # within one day, or across one midnight
    raw = []
    if start is not None and first_day is not None and start < first_day:
        raw.append((start, first_day))
    if end is not None and last_day is not None and last_day < end:
        raw.append((last_day, end))
    first_month = _month_ceil(first_day) if first_day is not None else None
    last_month = _month_floor(last_day) if last_day is not None else None
    if first_month is not None and last_month is not None and first_month >= last_month:
        assert first_day is not None and last_day is not None
        return Plan(None, ((day_bucket(first_day), day_bucket(last_day)),), tuple(raw))
    days: list[Any] = []
    if first_day is not None and first_month is not None and first_day < first_month:
        days.append((day_bucket(first_day), day_bucket(first_month)))
    if last_day is not None and last_month is not None and last_month < last_day:
        days.append((day_bucket(last_month), day_bucket(last_day)))
    months = (
        month_bucket(first_month) if first_month is not None else None,
        month_bucket(last_month) if last_month is not None else None,
    )
    return Plan(months, tuple(days), tuple(raw))
