"""What Alexa's AMAZON.DATE and AMAZON.TIME values mean for a cramp diary, in the user's local time.

AMAZON.DATE gives ``2026-11-24``, ``2026-W47``, ``2026-W47-WE``, ``2026-11``, ``2026``, ``PRESENT_REF``
(and ``XXXX-11-24`` when no year was said); AMAZON.TIME gives ``03:10`` or a part of the day
``MO``/``AF``/``EV``/``NI``. A bare weekday resolves to on-or-after today, so "Tuesday" said on a
Wednesday arrives as next Tuesday: for a diary it means the past Tuesday, and is moved back a week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from skill.content import locales

# When a part of the day begins, the moment stored for it, and when it ends (hour, days after the date).
PARTS_OF_DAY: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "MO": ((5, 0), (8, 0), (12, 0)),
    "AF": ((12, 0), (14, 0), (17, 0)),
    "EV": ((17, 0), (19, 0), (21, 0)),
    "NI": ((21, 0), (2, 1), (5, 1)),  # "night" of the 24th: 9 pm on the 24th to 5 am on the 25th
}
FUTURE_TOLERANCE = timedelta(minutes=2)  # device and server clocks differ a little
JUST_NOW = timedelta(minutes=15)

_DAY = re.compile(r"^(\d{4}|XXXX)-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class DateProblem(ValueError):
    """A date or time that cannot be a cramp's: ``future``, ``vague`` (a week, a month) or ``invalid``."""

    def __init__(self, reason: str, value: str | None = None) -> None:
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class When:
    """A resolved moment (aware, local) and whether the user gave the time or only a part of the day."""

    at: datetime
    exact: bool


def _at(day: date, clock: tuple[int, int], zone_of: datetime) -> datetime:
    hour, days_after = clock
    return datetime.combine(day + timedelta(days=days_after), time(hour), tzinfo=zone_of.tzinfo)


def _fill_year(value: str, today: date) -> str:
    """``XXXX-11-24`` → this year's date, or last year's when this year's is still ahead."""
    if not value.startswith("XXXX-"):
        return value
    candidate = f"{today.year}{value[4:]}"
    try:
        if date.fromisoformat(candidate) > today:
            candidate = f"{today.year - 1}{value[4:]}"
    except ValueError as exc:
        raise DateProblem("invalid", value) from exc
    return candidate


def past_day(value: str, today: date) -> date:
    """A single day from AMAZON.DATE, moving a forward-resolved weekday back to the past week."""
    value = _fill_year(value, today)
    if value == "PRESENT_REF":
        return today
    if not _DAY.match(value):
        if _WEEK.match(value) or _MONTH.match(value) or _YEAR.match(value):
            raise DateProblem("vague", value)
        raise DateProblem("invalid", value)
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise DateProblem("invalid", value) from exc
    ahead = (day - today).days
    if 1 <= ahead <= 6:
        return day - timedelta(days=7)
    if ahead > 6:
        raise DateProblem("future", value)
    return day


def _clock(value: str) -> time:
    match = _CLOCK.match(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise DateProblem("invalid", value)
    return time(int(match.group(1)), int(match.group(2)))


def _part_of_day(part: str, day: date | None, now: datetime) -> datetime:
    """The stored moment for "this morning", "last night"...: the latest such part not in the future."""
    begins, stored, _ = PARTS_OF_DAY[part]
    days = [day] if day is not None else [now.date()]
    if part == "NI":
        # "Last night" may arrive as today's date; the night that began yesterday is then meant.
        days.append(days[0] - timedelta(days=1))
    elif day is None:
        days.append(now.date() - timedelta(days=1))
    for candidate in days:
        moment = _at(candidate, stored, now)
        if moment <= now + FUTURE_TOLERANCE:
            return moment
        if _at(candidate, begins, now) <= now:
            return now  # the part of the day is under way ("tonight" at 11 pm): it happened just now
    raise DateProblem("future", part)


def resolve_when(date_value: str | None, time_value: str | None, now: datetime) -> When:
    """When a cramp happened, from the slots; ``now`` is aware and in the user's time zone."""
    today = now.date()
    day = past_day(date_value, today) if date_value else None
    if date_value == "PRESENT_REF" and not time_value:
        return When(now, True)
    if time_value in PARTS_OF_DAY:
        return When(_part_of_day(time_value, day, now), False)
    if time_value:
        clock = _clock(time_value)
        moment = datetime.combine(day or today, clock, tzinfo=now.tzinfo)
        if day is None and moment > now + FUTURE_TOLERANCE:
            moment -= timedelta(days=1)  # "at 11 pm" said in the morning: last night's 11 pm
        exact = True
    elif day is None or day == today:
        moment, exact = now, day is None
    else:
        moment, exact = datetime.combine(day, time(12), tzinfo=now.tzinfo), False
    if moment > now + FUTURE_TOLERANCE:
        raise DateProblem("future", time_value or date_value)
    return When(moment, exact)


@dataclass(frozen=True)
class Period:
    """A stretch of time a question is about: ``[start, end)`` in local time, and how to say it."""

    start: datetime
    end: datetime
    label: str
    params: dict[str, object] = field(default_factory=dict)
    comparable: bool = True  # "since March" has no natural previous period

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Period:
        """The period just before, of the same kind: last week for this week, the 7 days before..."""
        label = _PREVIOUS_LABEL.get(self.label, "before")
        if self.label in {"this_month", "last_month", "month"}:
            return Period((self.start - timedelta(days=1)).replace(day=1), self.start, label, self.params)
        if self.label in {"this_year", "last_year", "year"}:
            return Period(self.start.replace(year=self.start.year - 1), self.start, label, self.params)
        if self.label in {"this_weekend", "last_weekend"}:
            return Period(self.start - timedelta(days=7), self.start - timedelta(days=5), label)
        # "This week" is compared with the whole of last week, although this week is not over.
        whole = (
            timedelta(days=7) if self.label in {"this_week", "last_week", "week"} else self.end - self.start
        )
        if self.label in {"today", "yesterday", "weekday", "day"}:
            whole = timedelta(days=1)
        return Period(self.start - whole, self.start, label, self.params)


_PREVIOUS_LABEL = {
    "this_week": "last_week",
    "last_week": "week_before",
    "week": "week_before",
    "today": "yesterday",
    "yesterday": "day_before",
    "weekday": "day_before",
    "day": "day_before",
    "this_month": "last_month",
    "last_month": "month_before",
    "month": "month_before",
    "this_year": "last_year",
    "last_year": "year_before",
    "year": "year_before",
    "this_weekend": "last_weekend",
    "last_weekend": "weekend_before",
    "last_days": "days_before",
}


def _midnight(day: date, now: datetime) -> datetime:
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)


def _day_period(day: date, now: datetime) -> Period:
    today = now.date()
    start, end = _midnight(day, now), _midnight(day + timedelta(days=1), now)
    if day == today:
        return Period(start, end, "today")
    if day == today - timedelta(days=1):
        return Period(start, end, "yesterday")
    if (today - day).days < 7:
        return Period(start, end, "weekday", {"weekday": f"{day:%A}"})
    return Period(start, end, "day", {"date": spoken_date(day)})


def spoken_date(day: date, locale: str | None = None) -> str:
    """``November 3`` or, where the locale says it so, ``3 November`` (Alexa reads the ordinal)."""
    return locales.spoken_date(day, locale)


def period_from_date(value: str, now: datetime) -> Period:
    """The period a question names with AMAZON.DATE ("this week", "last month", "yesterday"...)."""
    today = now.date()
    value = _fill_year(value, today)
    if value == "PRESENT_REF" or _DAY.match(value):
        return _day_period(past_day(value, today), now)
    week = _WEEK.match(value)
    if week:
        try:
            monday = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        except ValueError as exc:
            raise DateProblem("invalid", value) from exc
        this_monday = today - timedelta(days=today.weekday())
        if week.group(3):  # the weekend: Saturday and Sunday
            start = _midnight(monday + timedelta(days=5), now)
            if start > now:
                start -= timedelta(days=7)  # "the weekend" on a Tuesday: the one just gone
            label = "this_weekend" if start.date() >= this_monday else "last_weekend"
            return Period(start, start + timedelta(days=2), label)
        if monday > this_monday:
            raise DateProblem("future", value)
        label = {this_monday: "this_week", this_monday - timedelta(days=7): "last_week"}.get(monday, "week")
        return Period(
            _midnight(monday, now),
            _midnight(monday + timedelta(days=7), now),
            label,
            {"date": spoken_date(monday)},
        )
    month = _MONTH.match(value)
    if month:
        first = date(int(month.group(1)), int(month.group(2)), 1) if 1 <= int(month.group(2)) <= 12 else None
        if first is None:
            raise DateProblem("invalid", value)
        if first > today:
            raise DateProblem("future", value)
        following = (first + timedelta(days=32)).replace(day=1)
        this_first = today.replace(day=1)
        label = "this_month" if first == this_first else "last_month" if following == this_first else "month"
        return Period(_midnight(first, now), _midnight(following, now), label, {"month": f"{first:%B}"})
    year = _YEAR.match(value)
    if year:
        number = int(year.group(1))
        if number > today.year:
            raise DateProblem("future", value)
        label = "this_year" if number == today.year else "last_year" if number == today.year - 1 else "year"
        return Period(
            _midnight(date(number, 1, 1), now),
            _midnight(date(number + 1, 1, 1), now),
            label,
            {"year": number},
        )
    raise DateProblem("vague" if value[:2].isdigit() else "invalid", value)


def last_days(days: int, now: datetime) -> Period:
    """Today and the ``days - 1`` days before it."""
    start = _midnight(now.date() - timedelta(days=days - 1), now)
    return Period(start, _midnight(now.date() + timedelta(days=1), now), "last_days", {"days": days})


def since(value: str, now: datetime) -> Period:
    """From the start of the named day (or week, or month) until now."""
    start = period_from_date(value, now).start
    return Period(
        start,
        _midnight(now.date() + timedelta(days=1), now),
        "since",
        {"date": spoken_date(start.date())},
        comparable=False,
    )


def clock(moment: datetime, locale: str | None = None) -> str:
    """``3 am``, ``3:10 am``, ``11:45 pm``: the time of day as the locale speaks it."""
    return locales.spoken_time(moment.hour, moment.minute, locale)


def describe(
    moment: datetime, now: datetime, exact: bool, locale: str | None = None
) -> tuple[str, dict[str, object]]:
    """How to say when something happened, relative to now: a phrase key suffix and its fields.

    Suffixes: ``just_now``, ``last_night``, ``tonight``, ``today``, ``yesterday``, ``weekday``, ``date``;
    with ``_at`` appended when the exact time is known (fields ``time``, ``weekday``, ``date``).
    """
    if exact and timedelta(0) <= now - moment < JUST_NOW:
        return "just_now", {}
    days = (now.date() - moment.date()).days
    late, small_hours = moment.hour >= 21, moment.hour < 5
    if days == 0:
        kind = (
            "last_night" if small_hours and now.hour >= 5 else "tonight" if late or small_hours else "today"
        )
    elif days == 1:
        kind = "last_night" if late else "yesterday"
    elif days < 7:
        kind = "weekday"
    else:
        kind = "date"
    params: dict[str, object] = {"weekday": f"{moment:%A}", "date": spoken_date(moment.date(), locale)}
    if exact:
        params["time"] = clock(moment, locale)
        kind += "_at"
    return kind, params


def night_of(moment: datetime) -> date:
    """The night a moment belongs to, named by the date of its evening (noon to noon)."""
    return (moment - timedelta(hours=12)).date()
