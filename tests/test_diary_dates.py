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
        # "yesterday at 3:10" arrives like "last night at 3:10": the small hours of the night just gone
        ("2026-11-24", "03:10", MORNING, local(25, 3, 10), True),
        ("2026-11-24", "15:10", MORNING, local(24, 15, 10), True),  # "yesterday at 3:10 pm"
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


# -- times as people mean them -------------------------------------------------------------------

NIGHT_3AM = datetime(2026, 11, 25, 3, 0, tzinfo=NEW_YORK)  # awake in the small hours
EVENING = datetime(2026, 11, 25, 19, 0, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("date", "time", "now", "expected"),
    [
        # "last night at three am", said the next morning: Alexa sends yesterday + 03:00
        ("2026-11-24", "03:00", MORNING, local(25, 3)),
        ("2026-11-24", "01:00", MORNING, local(25, 1)),  # "at one am last night"
        ("2026-11-24", "05:30", MORNING, local(25, 5, 30)),
        ("2026-11-24", "04:00", NIGHT_3AM, local(24, 4)),  # 4 am has not come yet tonight
        ("2026-11-24", "23:30", MORNING, local(24, 23, 30)),  # late evening stays on its date
        ("2026-11-24", "03:00", NIGHT_3AM, local(25, 3)),  # said at 3 am: that is now
        ("2026-11-24", "01:00", NIGHT_3AM, local(25, 1)),  # "last night at one", said at 3 am
        ("2026-11-24", "15:00", MORNING, local(24, 15)),  # an afternoon time is yesterday's
        (None, "01:00", MORNING, local(25, 1)),  # "at one am", said in the morning: that night
    ],
)
def test_small_hours_said_the_morning_after_belong_to_that_night(date, time, now, expected):
    when = resolve_when(date, time, now)
    assert (when.at, when.exact) == (expected, True)


@pytest.mark.parametrize(
    ("time", "now", "expected"),
    [
        ("03:00", MORNING, local(25, 3)),  # "at three last night"
        ("15:00", MORNING, local(25, 3)),  # ... if Alexa heard three as 3 pm
        ("10:00", MORNING, local(24, 22)),  # "last night at ten" → 10 pm
        ("23:30", MORNING, local(24, 23, 30)),
        ("01:00", NIGHT_3AM, local(25, 1)),  # two hours ago, the night under way
        ("04:00", NIGHT_3AM, local(24, 4)),  # 4 am has not come yet tonight: the night before
        ("22:00", EVENING, local(24, 22)),  # "last night at ten", said at 7 pm
    ],
)
def test_a_clock_time_said_to_be_at_night_is_placed_in_the_latest_night(time, now, expected):
    assert resolve_when(None, time, now, night=True).at == expected


@pytest.mark.parametrize(
    ("name", "date", "time", "now", "expected", "exact"),
    [
        ("LAST_NIGHT", None, "03:00", MORNING, local(25, 3), True),
        ("LAST_NIGHT", None, "15:00", MORNING, local(25, 3), True),
        ("LAST_NIGHT", None, None, MORNING, local(25, 2), False),
        ("LAST_NIGHT", "2026-11-24", "03:00", MORNING, local(25, 3), True),
        ("THIS_MORNING", None, "06:15", MORNING, local(25, 6, 15), True),
        ("THIS_MORNING", None, None, MORNING, local(25, 8), False),
        ("JUST_NOW", None, None, MORNING, MORNING, True),
        ("EARLIER_TODAY", None, None, MORNING, MORNING, False),
        ("LAST_EVENING", None, None, MORNING, local(24, 19), False),
        ("WOKE_UP", None, None, NIGHT_3AM, NIGHT_3AM, False),  # woke up with it, in the night
        ("WOKE_UP", None, None, datetime(2026, 11, 25, 10, 0, tzinfo=NEW_YORK), local(25, 8), False),
        (None, None, "03:10", MORNING, local(25, 3, 10), True),
    ],
)
def test_named_times_with_and_without_a_clock(name, date, time, now, expected, exact):
    from skill.diary.dates import resolve_named

    when = resolve_named(name, date, time, now)
    assert when is not None
    assert (when.at, when.exact) == (expected, exact)


def test_nothing_said_is_no_time_and_a_morning_before_it_began_is_refused():
    from skill.diary.dates import resolve_named

    assert resolve_named(None, None, None, MORNING) is None
    with pytest.raises(DateProblem):
        resolve_named("THIS_MORNING", None, None, NIGHT_3AM)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("PT1H", local(25, 7, 30)),
        ("PT20M", local(25, 8, 10)),
        ("PT1H30M", local(25, 7)),
        ("P1D", local(24, 8, 30)),
    ],
)
def test_about_an_hour_ago(duration, expected):
    from skill.diary.dates import ago

    assert ago(duration, MORNING) == type(ago(duration, MORNING))(expected, True)


@pytest.mark.parametrize(("duration", "reason"), [("P2M", "vague"), ("soon", "invalid"), ("P100D", "future")])
def test_ago_that_cannot_be_a_cramp(duration, reason):
    from skill.diary.dates import ago

    with pytest.raises(DateProblem) as problem:
        ago(duration, MORNING)
    assert problem.value.reason == reason


@pytest.mark.parametrize(
    ("value", "today_is", "expected"),
    [
        ("2027-11-01", datetime(2026, 12, 4, 9, tzinfo=NEW_YORK), local(1, 0)),  # "since November the first"
        ("2026-11-20", MORNING, local(20, 0)),  # already in the past: as said
        ("2027-11-20", MORNING, local(20, 0)),  # forward-resolved by a year
    ],
)
def test_since_a_date_alexa_resolved_forward_is_the_past_one(value, today_is, expected):
    period = since(value, today_is)
    assert period.start == expected
    assert period.end > today_is


def test_a_logged_date_far_back_is_asked_again_but_a_recent_one_is_taken():
    assert resolve_when("2027-11-20", None, MORNING).at == local(20, 12)  # "on November the twentieth"
    with pytest.raises(DateProblem):
        resolve_when("2026-12-10", None, MORNING)  # December 10 a year ago: more likely misheard


# -- "last night" in questions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "now", "label", "start", "end"),
    [
        ("2026-11-24", MORNING, "last_night", local(24, 18), local(25, 8)),
        ("2026-11-25", MORNING, "last_night", local(24, 18), local(25, 8)),  # sent as today's date
        ("2026-11-24", NIGHT_3AM, "tonight", local(24, 18), local(25, 8)),  # asked in that night
        (
            "2026-11-25",
            datetime(2026, 11, 25, 23, 0, tzinfo=NEW_YORK),
            "tonight",
            local(25, 18),
            local(26, 8),
        ),
        ("2026-11-22", MORNING, "night", local(22, 18), local(23, 8)),  # "Sunday night"
    ],
)
def test_last_night_in_a_question_is_the_whole_night(date, now, label, start, end):
    period = period_from_date(date, now, "NI")
    assert (period.label, period.start, period.end) == (label, start, end)
    before = period.previous()
    assert before.end - before.start == period.end - period.start
    assert before.start == start - (period.start - before.start)


def test_a_cramp_called_last_night_is_counted_in_last_night():
    from skill.diary.dates import last_night

    period = last_night(MORNING)
    moments = [local(d, h, m) for d in (23, 24, 25) for h in range(24) for m in (0, 30)]
    for moment in (m for m in moments if m <= MORNING):
        kind, _ = describe(moment, MORNING, True)
        if kind.startswith("last_night"):
            assert period.start <= moment < period.end, moment
    assert describe(local(25, 3, 30), MORNING, True)[0] == "last_night_at"
    assert period.start <= local(25, 3, 30) < period.end


def test_at_night_the_current_night_is_tonight_in_descriptions_and_periods():
    assert describe(local(24, 22), NIGHT_3AM, True)[0] == "tonight_at"  # 10 pm, asked at 3 am
    assert describe(local(25, 1), NIGHT_3AM, True)[0] == "tonight_at"
    assert describe(local(24, 2), NIGHT_3AM, True)[0] == "last_night_at"  # the night before


def test_after_five_am_the_night_just_gone_is_last_night():
    early = datetime(2026, 11, 25, 6, 0, tzinfo=NEW_YORK)
    assert describe(local(25, 3), early, True)[0] == "last_night_at"
    period = period_from_date("2026-11-24", early, "NI")
    assert (period.label, period.start, period.end) == ("last_night", local(24, 18), local(25, 8))
    assert period.start <= local(25, 3) < period.end
