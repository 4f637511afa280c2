"""What Alexa's AMAZON.DATE and AMAZON.TIME values mean for a cramp diary, in the user's local time.

AMAZON.DATE gives ``2026-11-24``, ``2026-W47``, ``2026-W47-WE``, ``2026-11``, ``2026``, ``PRESENT_REF``
(and ``XXXX-11-24`` when no year was said); AMAZON.TIME gives ``03:10`` or a part of the day
``MO``/``AF``/``EV``/``NI`` (Slot Type Reference). What Alexa sends, and what the diary makes of it:

- A bare weekday, and a month and day ("November the first"), resolve to *on or after* today
  (Slot Type Reference, AMAZON.DATE: "defaults to dates on or after the current date"). A diary is
  about the past: "Tuesday" said on a Wednesday arrives as next Tuesday and is moved back a week;
  "since November the first" said in December arrives as next year's November 1 and is moved back
  a year.
- "Last night" is not in Amazon's documentation. Said with a clock time ("last night at three
  am") it arrives as yesterday's date plus ``03:00``: taken literally that is a moment a day too
  early. A time in the small hours (before ``SMALL_HOURS_END``) on yesterday's date is therefore
  read as the night that *began* yesterday, that is this morning's small hours, as the user means
  it (the confirmation says "last night at 3 am", so a real 27-hours-ago "yesterday at 3 am" can
  be corrected). Said alone it arrives as yesterday's (or, late, today's) date with ``NI``.
- An hour said without am or pm ("at three last night"): AMAZON.TIME's ambiguous hours are not
  documented for Alexa (Lex returns both ``03:00`` and ``15:00``). When the user said it was at
  night, a daytime clock is turned round by twelve hours (``15:00`` → 3 am).

"Last night" in a question is the night as people mean it, from the evening to the morning
(``NIGHT_STARTS`` to ``NIGHT_ENDS``): ``night(...)`` is that period, and ``describe`` calls a moment
"last night" only when it lies in it, so a count and "your last cramp" always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import isodate

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
# The night a question means by "last night" or "tonight": from 6 pm to 8 am the next morning.
NIGHT_STARTS, NIGHT_ENDS = 18, 8
# Times before this hour on "yesterday" are last night's small hours (see the module docstring).
SMALL_HOURS_END = 6
AWAKE_FROM = 5  # from 5 am the night just gone is "last night", before it "tonight"
# A cramp logged for a date this long ago is more likely a mishearing than a memory: ask again.
LOG_HORIZON = timedelta(days=62)

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
        # "November the first" said in December: Alexa resolves it forward, the diary means the past.
        try:
            earlier = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            raise DateProblem("future", value) from None
        if earlier > today:
            raise DateProblem("future", value)
        return earlier
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


def _night_clock(clock: time) -> time:
    """A clock said to be at night: a daytime hour is the same hour twelve hours on (3 pm → 3 am)."""
    if SMALL_HOURS_END <= clock.hour < NIGHT_STARTS:
        return clock.replace(hour=(clock.hour + 12) % 24)
    return clock


def _in_night(clock: time, evening: date, zone_of: datetime) -> datetime:
    """The moment of ``clock`` in the night that began on the evening of ``evening``."""
    day = evening if clock.hour >= NIGHT_ENDS else evening + timedelta(days=1)
    return datetime.combine(day, clock, tzinfo=zone_of.tzinfo)


def resolve_when(
    date_value: str | None, time_value: str | None, now: datetime, *, night: bool = False
) -> When:
    """When a cramp happened, from the slots; ``now`` is aware and in the user's time zone.

    ``night``: the user said it was at night ("last night at three", "in the night at one"): the
    clock time is placed in the latest night that has begun, and a daytime hour turned round.
    """
    today = now.date()
    day = past_day(date_value, today) if date_value else None
    if day is not None and today - day > LOG_HORIZON:
        raise DateProblem("future", date_value)
    if date_value == "PRESENT_REF" and not time_value:
        return When(now, True)
    if time_value in PARTS_OF_DAY:
        return When(_part_of_day(time_value, day, now), False)
    if time_value and night:
        clock = _night_clock(_clock(time_value))
        evening = day if day is not None else today
        moment = _in_night(clock, evening, now)
        while moment > now + FUTURE_TOLERANCE:
            evening -= timedelta(days=1)
            moment = _in_night(clock, evening, now)
        return When(moment, True)
    if time_value:
        clock = _clock(time_value)
        moment = datetime.combine(day or today, clock, tzinfo=now.tzinfo)
        if day is None and moment > now + FUTURE_TOLERANCE:
            moment -= timedelta(days=1)  # "at 11 pm" said in the morning: last night's 11 pm
        elif day == today - timedelta(days=1) and clock.hour < SMALL_HOURS_END:
            # "Last night at 3 am" arrives as yesterday + 03:00: the night that began yesterday.
            tonight = moment + timedelta(days=1)
            moment = tonight if tonight <= now + FUTURE_TOLERANCE else moment
        exact = True
    elif day is None or day == today:
        moment, exact = now, day is None
    else:
        moment, exact = datetime.combine(day, time(12), tzinfo=now.tzinfo), False
    if moment > now + FUTURE_TOLERANCE:
        raise DateProblem("future", time_value or date_value)
    return When(moment, exact)


def ago(duration_value: str, now: datetime) -> When:
    """ "About an hour ago", "twenty minutes ago": now minus an AMAZON.DURATION (``PT1H``)."""
    try:
        length = isodate.parse_duration(duration_value)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise DateProblem("invalid", duration_value) from exc
    if isinstance(length, isodate.Duration) or length < timedelta(0):
        raise DateProblem("vague", duration_value)  # months or years ago: not a time of day
    moment = now - length
    if now - moment > LOG_HORIZON:
        raise DateProblem("future", duration_value)
    return When(moment.replace(microsecond=0), True)


# Ids of the CrampWhen slot type: the moment each names, as AMAZON.DATE and AMAZON.TIME values
# relative to today (``TODAY``/``YESTERDAY``), and whether a clock time said with it is at night.
NAMED_WHEN: dict[str, tuple[str | None, str | None, bool]] = {
    "JUST_NOW": ("PRESENT_REF", None, False),
    "LAST_NIGHT": (None, "NI", True),
    "THIS_MORNING": ("TODAY", "MO", False),
    "EARLIER_TODAY": ("TODAY", None, False),
    "LAST_EVENING": ("YESTERDAY", "EV", False),
    "WOKE_UP": (None, None, False),  # see ``woke_up``
}


def woke_up(now: datetime) -> When:
    """ "When I woke up": said in the night or early morning, just now; later, this morning."""
    if now.hour < NIGHT_ENDS or now.hour >= NIGHT_STARTS:
        return When(now, False)
    return When(min(now, _at(now.date(), PARTS_OF_DAY["MO"][1], now)), False)


def resolve_named(
    name: str | None, date_value: str | None, time_value: str | None, now: datetime
) -> When | None:
    """When, from a CrampWhen id ("last night") together with the DATE and TIME slots, if any was said.

    "Last night at three" (``LAST_NIGHT`` + ``03:00`` or ``15:00``) is 3 am in the night just gone;
    "this morning at six" is today's 6 am; a date or time on its own goes to ``resolve_when``.
    Returns None when nothing was said; raises ``DateProblem`` for a moment a cramp cannot have.
    """
    if name is None and date_value is None and time_value is None:
        return None
    if name == "WOKE_UP" and date_value is None and time_value is None:
        return woke_up(now)
    default_date, default_time, at_night = NAMED_WHEN.get(name or "", (None, None, False))
    placeholders = {
        "TODAY": now.date().isoformat(),
        "YESTERDAY": (now.date() - timedelta(days=1)).isoformat(),
    }
    if date_value is None and default_date is not None:
        date_value = placeholders.get(default_date, default_date)
    if at_night and time_value and time_value not in PARTS_OF_DAY and date_value is None:
        return resolve_when(None, time_value, now, night=True)
    return resolve_when(date_value, time_value or default_time, now)


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
        if self.label in {"tonight", "last_night", "night"}:
            return Period(self.start - timedelta(days=1), self.end - timedelta(days=1), label)
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
    "tonight": "last_night",
    "last_night": "night_before",
    "night": "night_before",
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


def evening_of(moment: datetime) -> date | None:
    """The evening that began the night ``moment`` is in, or None in the daytime (8 am to 6 pm)."""
    if moment.hour >= NIGHT_STARTS:
        return moment.date()
    if moment.hour < NIGHT_ENDS:
        return moment.date() - timedelta(days=1)
    return None


def tonight_evening(now: datetime) -> date | None:
    """The evening of "tonight" while a night is under way (6 pm to 5 am), else None.

    After 5 am the night just gone is "last night", although a question about it still counts
    until 8 am (``NIGHT_ENDS``): at 6 am, 3 am was "last night", at 4 am it was "tonight".
    """
    if now.hour >= NIGHT_STARTS:
        return now.date()
    if now.hour < AWAKE_FROM:
        return now.date() - timedelta(days=1)
    return None


def last_night_evening(now: datetime) -> date:
    """The evening of "last night": the night before the one under way, or the one just gone."""
    current = tonight_evening(now)
    return (current if current is not None else now.date()) - timedelta(days=1)


def night(evening: date, now: datetime) -> Period:
    """The night that began on the evening of ``evening``: 6 pm to 8 am, labelled from now."""
    start = datetime.combine(evening, time(NIGHT_STARTS), tzinfo=now.tzinfo)
    end = datetime.combine(evening + timedelta(days=1), time(NIGHT_ENDS), tzinfo=now.tzinfo)
    if start > now:
        raise DateProblem("future", evening.isoformat())
    if evening == tonight_evening(now):
        return Period(start, end, "tonight")
    if evening == last_night_evening(now):
        return Period(start, end, "last_night")
    return Period(start, end, "night", {"date": spoken_date(evening)})


def last_night(now: datetime) -> Period:
    """ "Last night", as a question means it: the whole night, evening to morning."""
    return night(last_night_evening(now), now)


def spoken_date(day: date, locale: str | None = None) -> str:
    """``November 3`` or, where the locale says it so, ``3 November`` (Alexa reads the ordinal)."""
    return locales.spoken_date(day, locale)


def period_from_date(value: str, now: datetime, time_value: str | None = None) -> Period:
    """The period a question names with AMAZON.DATE ("this week", "last month", "yesterday"...).

    With ``NI`` in an AMAZON.TIME slot ("how many cramps last night", sent as yesterday + ``NI``,
    or today + ``NI`` after midnight) it is that night, evening to morning: the latest night
    named by the date that has begun.
    """
    today = now.date()
    value = _fill_year(value, today)
    if time_value == "NI" and (value == "PRESENT_REF" or _DAY.match(value)):
        evening = past_day(value, today)
        if datetime.combine(evening, time(NIGHT_STARTS), tzinfo=now.tzinfo) > now:
            evening -= timedelta(days=1)  # "last night" sent as today's date, asked in the day
        return night(evening, now)
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
    # Late evening and the small hours are "tonight" or "last night", as one night (``evening_of``).
    nightly = moment.hour >= 21 or moment.hour < 5
    evening = evening_of(moment)
    if nightly and evening is not None and evening == tonight_evening(now):
        kind = "tonight"
    elif nightly and evening is not None and evening == last_night_evening(now):
        kind = "last_night"
    elif days == 0:
        kind = "today"
    elif days == 1:
        kind = "yesterday"
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
