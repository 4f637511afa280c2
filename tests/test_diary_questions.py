"""Questions about the diary, answered through the real handler from a seeded diary."""

from __future__ import annotations

import pytest

from skill.diary.model import PracticeSession
from tests.conversation import after_first_use
from tests.diary_support import (
    USER,
    ZONE,
    custom,
    entry,
    local,
)

pytestmark = pytest.mark.usefixtures("clock")

SEVERITY, DURATION = (
    custom("severity", "SEVERITY", "CrampMeasure"),
    custom("how long", "DURATION", "CrampMeasure"),
)
# Now: Wednesday 25 November 2026, 8:30 am in New York. This week began Monday the 23rd.
LAST_WEEK = [local(d, 3, 10) for d in (16, 17, 19, 20, 22)]
THIS_WEEK = [local(23, 2, 50), local(24, 3, 20), local(25, 3, 10)]


def seed(services, times, **fields):
    for moment in times:
        services.diary.add(entry(moment, **fields))


@pytest.fixture
def diary(services, conversation):
    """Three weeks of logging: five cramps last week, three this week, mostly the left calf at 3 am.

    The user has used the skill before, so the first-use disclaimer is behind them.
    """
    conversation.launch()
    conversation.end()
    services.diary.add(
        entry(local(5, 22), muscle="FOOT", side="RIGHT", severity=3)
    )  # the diary's first entry
    seed(services, LAST_WEEK, severity=6, duration_s=240, helped="STRETCH")
    seed(services, THIS_WEEK[:2], severity=4, helped="WALKING")
    services.diary.add(entry(THIS_WEEK[2], severity=7, duration_s=300, helped="STRETCH"))
    return services.diary


def ask(conversation, intent, slots=None):
    reply = conversation.intent(intent, slots or {})
    conversation.end()
    return reply


def test_last_cramp(conversation, diary):
    reply = ask(conversation, "LastCrampIntent")
    assert reply.speech == (
        "Your last cramp was last night at 3:10 am: your left calf, 7 out of 10, lasting 5 minutes."
    )
    assert reply.ended


def test_last_cramp_with_an_empty_diary_says_how_to_start(conversation):
    assert "log a cramp" in ask(conversation, "LastCrampIntent").speech


def test_count_this_week_compares_with_last_week_and_names_the_pattern(conversation, diary):
    reply = ask(conversation, "CrampCountIntent", {"date": "2026-W48"})
    assert reply.speech == (
        "3 cramps this week. That's down from 5 last week. Mostly your left calf, around 3 am."
    )


def test_count_defaults_to_this_week(conversation, diary):
    assert ask(conversation, "CrampCountIntent").speech.startswith("3 cramps this week.")


@pytest.mark.parametrize(
    ("slots", "starts"),
    [
        ({"days": "10"}, "8 cramps in the last 10 days."),
        ({"since": "2026-11-20"}, "5 cramps since November 20."),  # "since Friday" → last Friday
        ({"date": "2026-11-24"}, "One cramp yesterday."),
        ({"date": "2026-11"}, "9 cramps this month."),
        ({"date": "2026-10"}, "No cramps last month."),
    ],
)
def test_count_for_the_period_asked(conversation, diary, slots, starts):
    assert ask(conversation, "CrampCountIntent", slots).speech.startswith(starts)


def test_no_comparison_before_a_week_of_history(conversation, services):
    seed(services, THIS_WEEK)
    speech = after_first_use(ask(conversation, "CrampCountIntent", {"date": "2026-W48"}).speech)
    assert speech.startswith("3 cramps this week.") and "down from" not in speech


@pytest.mark.parametrize(
    ("value", "says"),
    [("2026-W50", "still to come"), ("2026-12", "still to come"), ("bogus", "didn't catch the time")],
)
def test_periods_that_cannot_be_counted_get_a_helpful_answer(conversation, diary, value, says):
    reply = conversation.intent("CrampCountIntent", {"date": value})
    assert says in reply.speech and reply.listening


@pytest.mark.parametrize(
    ("measure", "says", "not_says"),
    [
        (SEVERITY, "averaged 5.3 out of 10; the worst was a 7.", "lasted"),
        (DURATION, "They lasted 3 minutes and 27 seconds on average, and the longest 5 minutes.", "averaged"),
        (None, "averaged 5.3 out of 10", "nothing"),
    ],
)
def test_averages(conversation, diary, measure, says, not_says):
    slots = {"measure": measure} if measure else {}
    speech = ask(conversation, "CrampAverageIntent", slots).speech
    assert says in speech and not_says not in speech


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (custom("muscle", "MUSCLE", "CrampPattern"), "Mostly your calves: 8 of 9 cramps."),
        (custom("side", "SIDE", "CrampPattern"), "Mostly your left side: 8 of 9 cramps."),
        (custom("time", "TIME", "CrampPattern"), "Usually around 3 am: 8 of the 9 cramps with a time."),
        (None, "Mostly your left calf, around 3 am."),
    ],
)
def test_patterns(conversation, diary, pattern, says):
    slots = {"pattern": pattern} if pattern else {}
    assert ask(conversation, "CrampPatternIntent", slots).speech == says


def test_trend_needs_a_week_of_entries(conversation, services):
    seed(services, THIS_WEEK)
    speech = ask(conversation, "CrampTrendIntent").speech
    assert "too early to tell" in speech and "on Monday" in speech


def test_trend_compares_the_last_seven_days_with_the_seven_before(conversation, diary):
    speech = ask(conversation, "CrampTrendIntent").speech
    assert speech == "More: 6 in the last 7 days, up from 2 in the 7 days before."


def test_what_helped_most(conversation, diary):
    speech = ask(conversation, "WhatHelpedIntent").speech
    assert speech.startswith("What helped most often was stretching: 6 of the 8 times you said what helped,")
    assert speech.endswith("in the last 30 days.")


def test_what_helped_before_anything_was_said(conversation, services):
    seed(services, THIS_WEEK)
    assert "haven't told me what helped" in ask(conversation, "WhatHelpedIntent").speech


def test_nights_after_practice_against_other_nights(conversation, services):
    # Practice in the evenings of the 10th, 12th, 14th and 16th; cramps after two of those nights,
    # and after 8 of the 10 other nights since the diary began (the night of the 10th).
    services.diary.add(entry(local(10, 23, 30)))
    for day in (10, 12, 14, 16):
        services.diary.add_practice(
            PracticeSession(USER, "bedtime-stretches", 3, True, at=local(day, 21), time_zone=ZONE)
        )
    seed(services, [local(d, 3) for d in (15, 12, 14, 18, 19, 20, 21, 22, 23)])
    speech = ask(conversation, "PracticeEffectIntent").speech
    # en-US spelling (docs/locales.md)
    assert "You practiced 4 times in the last 30 days, mostly the bedtime stretches." in speech
    assert "cramps on 2 of 4 nights after practice, and on 8 of 10 other nights" in speech
    assert "gone better" in speech


def test_practice_question_without_practice(conversation, diary):
    assert "I don't see any practice" in ask(conversation, "PracticeEffectIntent").speech


def test_summary_is_spoken_short_and_sent_as_a_card(conversation, diary):
    diary.add(entry(local(21, 4), symptoms=("NUMBNESS",), red_flags=("see_doctor",), medicines=("STATIN",)))
    reply = ask(conversation, "DiarySummaryIntent")
    assert reply.speech.startswith("You logged 10 cramps on 10 nights in the last 30 days, about 2.4 a week.")
    assert "warning signs" in reply.speech and "Alexa app" in reply.speech
    card = reply.card
    assert card["type"] == "Simple" and card["title"] == "Leg cramp diary summary"
    for line in (
        "Cramps: 10 on 10 nights",
        "Muscles: calf 9, foot 1",
        "Usual time: around 3 am",
        "What helped: stretching 6, walking 2",
        "Medicines mentioned: statin",
        "numbness",
    ):
        assert line in card["content"]
    assert reply.ended


def test_summary_of_an_empty_period(conversation, diary):
    reply = ask(conversation, "DiarySummaryIntent", {"date": "2026-10"})
    assert "no summary to send" in reply.speech and reply.card is None


def test_questions_only_ever_see_the_askers_diary(conversation, services):
    services.diary.add(entry(local(24, 3), user_id="amzn1.ask.account.SOMEONE_ELSE", severity=9))
    assert "haven't logged any cramps" in ask(conversation, "LastCrampIntent").speech
    assert ask(conversation, "CrampCountIntent").speech.startswith("No cramps this week.")


def test_a_single_cramp_is_counted_in_the_singular(conversation, services):
    services.diary.add(entry(local(21, 4)))
    summary = after_first_use(ask(conversation, "DiarySummaryIntent").speech)
    assert summary.startswith("You logged one cramp in the last 30 days.")
    assert "1 cramps" not in summary and "1 nights" not in summary
