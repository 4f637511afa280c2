"""Diary statistics and red-flag rules, from tables of entries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from skill.diary.model import CrampEntry, PracticeSession
from skill.diary.stats import (
    dominant,
    enough_history,
    helped_most,
    practice_effect,
    summarize,
    trend,
    typical_hour,
    weekly_counts,
)
from skill.safety import redflags

ZONE = ZoneInfo("Europe/London")
USER = "amzn1.ask.account.STATS"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)


def cramp(day: int, hour: int, minute: int = 0, **fields) -> CrampEntry:
    values = {
        "muscle": "CALF",
        "side": "LEFT",
        "severity": 5,
        "duration_s": 120,
        "time_zone": "Europe/London",
        **fields,
    }
    return CrampEntry(USER, datetime(2026, 11, day, hour, minute, tzinfo=ZONE), **values)


def practice(day: int, hour: int, technique: str = "bedtime-stretches") -> PracticeSession:
    return PracticeSession(
        USER, technique, 3, True, at=datetime(2026, 11, day, hour, tzinfo=ZONE), time_zone="Europe/London"
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["CALF", "CALF", "FOOT"], ("CALF", 2, 3)),
        (["CALF", "FOOT"], None),  # a tie is not "mostly"
        (["CALF", "FOOT", "TOES", "CALF"], None),  # half is not "mostly"
        (["CALF", None, "CALF"], ("CALF", 2, 2)),  # unknowns are left out
        ([], None),
        (["THIGH"], ("THIGH", 1, 1)),
    ],
)
def test_dominant_value(values, expected):
    share = dominant(values)
    assert (share and (share.value, share.count, share.total)) == expected


@pytest.mark.parametrize(
    ("times", "expected_hour"),
    [
        ([(3, 10), (2, 50), (3, 20), (14, 0)], "3"),
        ([(23, 40), (0, 20), (0, 10)], "0"),  # wraps around midnight
        ([(1, 0), (7, 0), (13, 0), (19, 0)], None),  # no cluster
        ([(3, 0)], None),  # one cramp is not a pattern
    ],
)
def test_typical_hour(times, expected_hour):
    entries = [cramp(20 + i % 3, h, m) for i, (h, m) in enumerate(times)]
    share = typical_hour(entries)
    assert (share.value if share else None) == expected_hour


def test_typical_hour_ignores_entries_without_an_exact_time():
    entries = [cramp(20, 2, time_exact=False), cramp(21, 2, time_exact=False), cramp(22, 4)]
    assert typical_hour(entries) is None


def test_summary_figures():
    entries = [
        cramp(20, 3, severity=4, duration_s=60, helped="STRETCH", trigger="EXERCISE"),
        cramp(
            21,
            3,
            20,
            severity=8,
            duration_s=300,
            helped="STRETCH",
            symptoms=("NUMBNESS",),
            red_flags=("see_doctor",),
        ),
        cramp(20, 23, severity=6, duration_s=None, helped="NOTHING", side="RIGHT", medicines=("STATIN",)),
        cramp(23, 2, 50, muscle="FOOT", severity=6, helped="WALKING", trigger="NONE"),
    ]
    summary = summarize(entries, datetime(2026, 11, 18, tzinfo=ZONE), NOW)
    assert summary.count == 4
    assert summary.nights == 3  # 11 pm on the 20th and 3:20 on the 21st are the same night
    assert summary.severity_mean == 6 and summary.severity_median == 6 and summary.severity_max == 8
    assert summary.duration_mean_s == 160 and summary.duration_max_s == 300  # the open entry is left out
    assert (summary.muscle.value, summary.side.value, summary.hour.value) == ("CALF", "LEFT", "3")
    assert summary.helped == [("STRETCH", 2), ("WALKING", 1)]  # "nothing" is not a remedy
    assert summary.triggers == [("EXERCISE", 1)]
    assert summary.medicines == [("STATIN", 1)]
    assert [flags for _, flags in summary.red_flags] == [("see_doctor",)]
    assert summary.cramps_per_week == pytest.approx(4 / (summary.days / 7))


def test_weekly_counts_include_empty_weeks():
    entries = [cramp(3, 3), cramp(4, 3), cramp(19, 3)]
    weeks = weekly_counts(entries, datetime(2026, 11, 2, tzinfo=ZONE), datetime(2026, 11, 23, tzinfo=ZONE))
    assert [count for _, count in weeks] == [2, 0, 1]


@pytest.mark.parametrize(
    ("current", "previous", "enough", "direction"),
    [(3, 5, True, "fewer"), (5, 3, True, "more"), (4, 4, True, "same"), (1, 9, False, "too_few")],
)
def test_trend(current, previous, enough, direction):
    assert trend(current, previous, enough).direction == direction


@pytest.mark.parametrize(
    ("first_entry_days_ago", "previous_start_days_ago", "enough"),
    [(30, 14, True), (6, 3, False), (10, 14, False), (14, 14, True)],
)
def test_enough_history_needs_a_week_and_the_earlier_period(
    first_entry_days_ago, previous_start_days_ago, enough
):
    first = NOW - timedelta(days=first_entry_days_ago)
    assert enough_history(first, NOW - timedelta(days=previous_start_days_ago), NOW) is enough
    assert enough_history(None, NOW, NOW) is False


def test_helped_most_counts_only_real_remedies():
    entries = [cramp(20, 3, helped=h) for h in ("STRETCH", "STRETCH", "WALKING", "NOTHING", None)]
    share, answered = helped_most(entries)
    assert (share.value, share.count, answered) == ("STRETCH", 2, 4)
    assert helped_most([cramp(20, 3, helped="NOTHING")]) == (None, 1)


def test_nights_after_practice_against_other_nights():
    # Diary from the night of the 10th; practice in the evenings of 10, 12, 14, 16; cramps on two of
    # those nights' mornings after, and on most other nights. Tonight (the 25th) is not over yet.
    sessions = [practice(d, 21) for d in (10, 12, 14, 16)] + [practice(18, 3, "breathing")]  # 3 am: reactive
    cramp_mornings = [11, 12, 14, 15, 18, 19, 20, 21, 22, 23]  # nights 10 and 14 followed practice
    entries = [cramp(d, 3) for d in cramp_mornings]
    effect = practice_effect(
        entries, sessions, datetime(2026, 11, 1, tzinfo=ZONE), NOW, entries[0].started_at
    )
    assert (effect.practised_nights, effect.practised_with_cramps) == (4, 2)  # nights of 10, 12, 14, 16
    assert effect.other_nights == 10  # nights of 11, 13, 15, 17..23 (the diary began on the night of 10)
    assert effect.other_with_cramps == 8
    assert effect.direction == "fewer"
    assert effect.techniques == [("bedtime-stretches", 4), ("breathing", 1)]


def test_practice_comparison_needs_enough_nights():
    effect = practice_effect(
        [cramp(21, 3)],
        [practice(20, 21)],
        datetime(2026, 11, 18, tzinfo=ZONE),
        NOW,
        datetime(2026, 11, 19, tzinfo=ZONE),
    )
    assert effect.direction == "too_few"


@pytest.mark.parametrize(
    ("case", "matched", "said", "stops"),
    [
        (
            redflags.Case.of(symptoms=["SWELLING"], side="LEFT"),
            ("possible_clot", "see_doctor"),
            ("possible_clot",),
            True,
        ),
        (redflags.Case.of(symptoms=["SWELLING"], side="BOTH"), ("see_doctor",), ("see_doctor",), False),
        (
            redflags.Case.of(symptoms=["WARMTH", "NUMBNESS"], side="RIGHT"),
            ("possible_clot", "see_doctor"),
            ("possible_clot", "see_doctor"),
            True,
        ),
        (redflags.Case.of(seconds=601), ("long_cramp",), ("long_cramp",), True),
        (redflags.Case.of(seconds=600), (), (), False),  # "more than 10 minutes"
        (redflags.Case.of(medicines=["STATIN"]), ("statin_muscle",), ("statin_muscle",), False),
        (redflags.Case.of(medicines=["DIURETIC"]), ("medicine_mention",), ("medicine_mention",), False),
        (redflags.Case.of(trigger="NEW_MEDICINE"), ("medicine_mention",), ("medicine_mention",), False),
        (redflags.Case.of(symptoms=["WEAKNESS"], seconds=30), ("see_doctor",), ("see_doctor",), False),
        (redflags.Case.of(trigger="EXERCISE", seconds=120), (), (), False),
        # Volunteered warmth counts next to soreness in one leg, not on its own or in both legs.
        (
            redflags.Case.of(symptoms=["WARMTH", "MUSCLE_ACHE"], side="LEFT", asked=False),
            ("possible_clot",),
            ("possible_clot",),
            True,
        ),
        (redflags.Case.of(symptoms=["WARMTH"], side="LEFT", asked=False), (), (), False),
        (redflags.Case.of(symptoms=["WARMTH", "MUSCLE_ACHE"], side="BOTH", asked=False), (), (), False),
        (
            redflags.Case.of(symptoms=["WARMTH", "MUSCLE_ACHE"], context=["PREGNANT"], asked=False),
            ("pregnancy_leg", "possible_clot"),
            ("pregnancy_leg",),
            True,
        ),
        # "Won't stop": urgent advice while the length is unknown; a known five minutes is not a flag.
        (redflags.Case.of(symptoms=["LONG_CRAMP"]), ("cramp_not_easing",), ("cramp_not_easing",), False),
        (redflags.Case.of(symptoms=["LONG_CRAMP"], seconds=300), (), (), False),
        (redflags.Case.of(symptoms=["LONG_CRAMP"], seconds=900), ("long_cramp",), ("long_cramp",), True),
        # A stiff jaw after a dirty wound can be tetanus: an emergency; without a wound, urgent advice.
        (
            redflags.Case.of(symptoms=["LOCKJAW", "DIRTY_WOUND"]),
            ("tetanus_signs", "exposure", "stiff_jaw"),
            ("tetanus_signs", "exposure"),
            True,
        ),
        (redflags.Case.of(symptoms=["SWALLOWING"]), ("stiff_jaw",), ("stiff_jaw",), True),
    ],
)
def test_red_flag_rules(case, matched, said, stops):
    found = redflags.findings(case)
    assert found.ids == matched
    assert tuple(rule.id for rule in found.to_say) == said
    assert found.stops_exercise is stops


def test_at_most_two_red_flag_messages_most_urgent_first():
    found = redflags.findings(
        redflags.Case.of(
            symptoms=["REDNESS", "WEAKNESS"], medicines=["STATIN", "DIURETIC"], side="LEFT", seconds=900
        )
    )
    assert [rule.id for rule in found.to_say] == ["possible_clot", "long_cramp"]
    assert set(found.ids) == {
        "possible_clot",
        "long_cramp",
        "statin_muscle",
        "see_doctor",
        "medicine_mention",
    }


def test_every_rule_has_a_known_level_and_sources():
    for rule in redflags.RULES:
        assert rule.level in redflags.LEVELS
        assert rule.sources


# -- "when do I usually get cramps": a time of night, never a muscle ------------------------------


def test_usual_time_clusters_around_an_hour():
    from skill.diary.stats import usual_time

    usual = usual_time([cramp(20, 3, 10), cramp(21, 2, 50, muscle="FOOT"), cramp(22, 3, 20, muscle="THIGH")])
    assert usual is not None and usual.hour is not None and usual.hour.value == "3"
    assert usual.band is not None and usual.band.value == "late_night"
    assert usual.at_night is not None and (usual.at_night.value, usual.at_night.count) == ("night", 3)


def test_usual_time_spread_over_the_night_still_says_when():
    from skill.diary.stats import usual_time

    # 11 pm, 1 am, 2:30 am, 5 am: no two-hour cluster holds 40 %, but they are all at night
    entries = [cramp(18, 23), cramp(19, 1), cramp(20, 2, 30), cramp(21, 5), cramp(22, 0, 15)]
    usual = usual_time(entries)
    assert usual is not None
    assert usual.band is not None and usual.band.value == "early_night"
    assert usual.at_night is not None and usual.at_night.value == "night"


def test_usual_time_counts_cramps_logged_only_as_last_night():
    from skill.diary.stats import usual_time

    entries = [cramp(20, 2, time_exact=False), cramp(21, 2, time_exact=False), cramp(22, 14)]
    usual = usual_time(entries)
    assert usual is not None and usual.hour is None and usual.band is None
    assert usual.at_night is not None and (usual.at_night.count, usual.at_night.total) == (2, 3)


def test_usual_time_without_entries_or_pattern():
    from skill.diary.stats import time_band, usual_time

    assert usual_time([]) is None
    usual = usual_time([cramp(20, 3)])
    assert usual is not None and not usual.known  # one cramp is not a pattern
    assert [time_band(h) for h in (18, 23, 0, 2, 3, 5, 6, 17)] == [
        "evening", "evening", "early_night", "early_night", "late_night", "late_night", "day", "day",
    ]  # fmt: skip
