"""Diary values as spoken words: places, durations, times and periods, all from phrase keys."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from skill.diary import dates, report
from skill.diary.model import CrampEntry
from skill.speech.reply import Speech


def label(said: Speech, kind: str, value: str) -> str:
    """The words for a slot id: ``label(said, "helped", "STRETCH")`` → "stretching"."""
    return report.label(said.text, kind, value)


def place(said: Speech, muscle: str, side: str | None) -> str:
    """ "your left calf", "both calves", "your foot", "your right leg" (for another muscle)."""
    if muscle == "OTHER":
        key = {"BOTH": "diary.where.other_both", None: "diary.where.other"}.get(
            side, "diary.where.other_side"
        )
        return said.text(key, side=label(said, "side", side) if side and side != "BOTH" else "")
    if side == "BOTH":
        return said.text("diary.where.both", muscles=label(said, "muscles", muscle))
    if side:
        return said.text(
            "diary.where.sided", side=label(said, "side", side), muscle=label(said, "muscle", muscle)
        )
    return said.text("diary.where.unsided", muscle=label(said, "muscle", muscle))


def duration(said: Speech, seconds: float) -> str:
    """ "40 seconds", "2 minutes 15 seconds", "12 minutes", "1 hour 5 minutes" (rounded as people say it)."""
    seconds = round(seconds)
    if seconds < 60:
        return _count(said, "second", seconds)
    minutes, rest = divmod(seconds, 60)
    if minutes < 10 and rest >= 10:
        return said.text(
            "diary.units.and", first=_count(said, "minute", minutes), second=_count(said, "second", rest)
        )
    if seconds < 3600:
        return _count(said, "minute", round(seconds / 60))
    hours, minutes = divmod(round(seconds / 60), 60)
    if minutes == 0:
        return _count(said, "hour", hours)
    return said.text(
        "diary.units.and", first=_count(said, "hour", hours), second=_count(said, "minute", minutes)
    )


def _count(said: Speech, unit: str, number: int) -> str:
    return said.text(f"diary.units.{unit}_one" if number == 1 else f"diary.units.{unit}_many", n=number)


def number(value: float) -> str:
    """6 → "6", 6.25 → "6.3": one decimal at most, none when it is whole."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def when(said: Speech, moment: datetime, now: datetime, zone: ZoneInfo, exact: bool) -> str:
    """ "just now", "last night at 3:10 am", "on Tuesday", relative to now in the user's zone."""
    kind, params = dates.describe(moment.astimezone(zone), now.astimezone(zone), exact, said.locale)
    return said.text(f"diary.when.{kind}", **params)


def entry_when(said: Speech, entry: CrampEntry, now: datetime) -> str:
    """When an entry's cramp happened, in the zone it was logged in."""
    return when(said, entry.started_at, now, entry.zone, entry.time_exact)


def period(said: Speech, value: dates.Period) -> str:
    """ "this week", "in the last 10 days", "since November 3" ("since 3 November" in en-GB)."""
    params = dict(value.params)
    if "date" in params:
        # Every period that names a date names its first day, said the locale's way.
        params["date"] = dates.spoken_date(value.start.date(), said.locale)
    return said.text(f"diary.period.{value.label}", **params)


def hour(value: str, locale: str | None = None) -> str:
    """A typical hour ("3") as a clock time ("3 am")."""
    return dates.clock(datetime(2000, 1, 1, int(value)), locale)
