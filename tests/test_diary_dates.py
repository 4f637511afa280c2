"""What Alexa's date and time values mean for a diary, resolved in the user's own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from skill.diary.dates import (
    DateProblem,
    clock,
    describe,
    last_days,
    night_of,
    period_from_date,
    resolve_when,
    since,
)

NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 November 2026, 8:30 in the morning in New York.
MORNING = datetime(2026, 11, 25, 8, 30, tzinfo=NEW_YORK)
LATE_EVENING = datetime(2026, 11, 25, 23, 0, tzinfo=NEW_YORK)


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("date", "time", "now", "expected", "exact"),
    [
        (None, None, MORNING, MORNING, True),  # "log a cramp": now
        ("PRESENT_REF", None, MORNING, MORNING, True),  # "just now"
        ("2026-11-24", "NI", MORNING, local(25, 2), False),  # "last night" as yesterday + NI
        ("2026-11-25", "NI", MORNING, local(25, 2), False),  # "last night" as today + NI, in the morning
        (None, "NI", MORNING, local(25, 2), False),  # "in the night"
        (None, "NI", LATE_EVENING, LATE_EVENING, False),  # "tonight", said at 11 pm: under way
        ("2026-11-25", "MO", MORNING, local(25, 8), False),  # "this morning"
        ("2026-11-25", "MO", local(25, 7), local(25, 7), False),  # "this morning" at 7: under way
        ("2026-11-24", "MO", MORNING, local(24, 8), False),  # "yesterday morning"
        (None, "EV", MORNING, local(24, 19), False),  # "in the evening", said in the morning
        (None, "03:10", MORNING, local(25, 3, 10), True),  # "at 3:10"
        (None, "23:00", MORNING, local(24, 23), True),  # "at 11 pm", said in the morning: last night
        ("2026-11-24", "03:10", MORNING, local(24, 3, 10), True),  # "yesterday at 3:10"
        ("2026-11-24", None, MORNING, local(24, 12), False),  # "yesterday", time unknown
        ("2026-11-25", None, MORNING, MORNING, False),  # "today"
        ("2026-11-27", None, MORNING, local(20, 12), False),  # "Friday" resolved forward → last Friday
        ("2026-11-26", "03:00", MORNING, local(19, 3), True),  # "Thursday at 3 am" → last Thursday
        ("XXXX-11-20", None, MORNING, local(20, 12), False),  # a date without a year
    ],
)
def test_when_a_cramp_happened(date, time, now, expected, exact):
    when = resolve_when(date, time, now)
    assert when.at == expected
    assert when.exact is exact


@pytest.mark.parametrize(
    ("date", "time", "reason"),
    [
        ("2026-12-10", None, "future"),  # more than a week ahead: not a weekday slip
        ("2026-11-25", "20:00", "future"),  # tonight at 8 pm, said in the morning
        ("2026-11-25", "EV", "future"),  # "this evening", said in the morning
        ("2026-W47", None, "vague"),  # "last week": which day?
        ("2026-11", None, "vague"),
        ("2026", None, "vague"),
        ("not a date", None, "invalid"),
        (None, "25:00", "invalid"),
    ],
)
def test_dates_a_cramp_cannot_have(date, time, reason):
    with pytest.raises(DateProblem) as problem:
        resolve_when(date, time, MORNING)
    assert problem.value.reason == reason


@pytest.mark.parametrize(
    ("value", "label", "start", "end", "previous_label", "previous_start"),
    [
        ("2026-W48", "this_week", local(23, 0), local(30, 0), "last_week", local(16, 0)),
        ("2026-W47", "last_week", local(16, 0), local(23, 0), "week_before", local(9, 0)),
        ("2026-11", "this_month", local(1, 0), local(1, 0, month=12), "last_month", local(1, 0, month=10)),
        ("2026-10", "last_month", local(1, 0, month=10), local(1, 0), "month_before", local(1, 0, month=9)),
        ("2026-11-24", "yesterday", local(24, 0), local(25, 0), "day_before", local(23, 0)),
        ("PRESENT_REF", "today", local(25, 0), local(26, 0), "yesterday", local(24, 0)),
        ("2026-11-27", "weekday", local(20, 0), local(21, 0), "day_before", local(19, 0)),  # "Friday"
        ("2026-W48-WE", "last_weekend", local(21, 0), local(23, 0), "weekend_before", local(14, 0)),
    ],
)
def test_periods_questions_name(value, label, start, end, previous_label, previous_start):
    period = period_from_date(value, MORNING)
    assert (period.label, period.start, period.end) == (label, start, end)
    previous = period.previous()
    assert (previous.label, previous.start) == (previous_label, previous_start)
    assert previous.end <= period.start
    if "month" not in label:  # months differ in length; everything else compares like with like
        assert previous.end - previous.start == period.end - period.start


@pytest.mark.parametrize(
    ("value", "reason"), [("2026-W49", "future"), ("2027", "future"), ("2026-12", "future")]
)
def test_periods_in_the_future_are_refused(value, reason):
    with pytest.raises(DateProblem) as problem:
        period_from_date(value, MORNING)
    assert problem.value.reason == reason


def test_last_n_days_includes_today_and_compares_with_the_n_days_before():
    period = last_days(7, MORNING)
    assert (period.start, period.end) == (local(19, 0), local(26, 0))
    assert period.previous().start == local(12, 0)


def test_since_a_weekday_runs_from_that_day_until_now():
    period = since("2026-11-27", MORNING)  # "since Friday": last Friday
    assert period.start == local(20, 0)
    assert period.params == {"date": "November 20"}
    assert not period.comparable


@pytest.mark.parametrize(
    ("moment", "exact", "kind", "time"),
    [
        (local(25, 8, 20), True, "just_now", None),
        (local(25, 3, 10), True, "last_night_at", "3:10 am"),
        (local(24, 23, 45), True, "last_night_at", "11:45 pm"),
        (local(24, 15, 0), True, "yesterday_at", "3 pm"),
        (local(25, 2, 0), False, "last_night", None),
        (local(22, 3, 0), True, "weekday_at", "3 am"),
        (local(2, 12, 0), False, "date", None),
    ],
)
def test_describing_when_relative_to_now(moment, exact, kind, time):
    described, params = describe(moment, MORNING, exact)
    assert described == kind
    assert params.get("time") == time


def test_clock_and_night():
    assert [clock(local(1, h, m)) for h, m in [(0, 0), (3, 5), (12, 0), (23, 30)]] == [
        "12 am",
        "3:05 am",
        "12 pm",
        "11:30 pm",
    ]
    assert night_of(local(25, 3)) == night_of(local(24, 22)) == local(24, 0).date()
