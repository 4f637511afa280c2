"""Answers to one diary question in people's own words: hedged, corrected, half asleep, five Englishes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from skill.diary import spoken
from skill.diary.spoken import STILL_GOING

NEW_YORK = ZoneInfo("America/New_York")
MORNING = datetime(2026, 11, 25, 8, 30, tzinfo=NEW_YORK)
SMALL_HOURS = datetime(2026, 11, 25, 3, 20, tzinfo=NEW_YORK)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("words", "locale", "value", "hedged"),
    [
        ("about a five I suppose", "en-US", 5, True),
        ("six or seven", "en-GB", 7, True),  # a range: the higher half
        ("it's a seven out of ten", "en-US", 7, False),
        ("7/10", "en-AU", 7, False),
        ("ten out of ten, the worst", "en-GB", 10, False),
        ("um... a four, I think", "en-CA", 4, True),
        ("five... no, six", "en-IN", 6, False),  # corrected
        ("nought, it's fine now", "en-GB", 0, False),
        ("maybe an eight", "en-AU", 8, True),
        ("eight-ish", "en-US", 8, True),
        ("terrible", "en-GB", 8, True),  # words for pain, on the 0-10 scale
        ("not too bad", "en-CA", 3, True),
        ("a bit", "en-IN", 2, True),
        ("agony mate", "en-AU", 9, True),
    ],
)
def test_severity(words, locale, value, hedged):
    heard = spoken.severity(words, locale)
    assert (heard.value, heard.hedged, heard.unclear) == (value, hedged, False)


@pytest.mark.parametrize("words", ["a hundred", "eleven", "three and nine", "banana", "", "what"])
def test_severity_that_is_unclear(words):
    assert spoken.severity(words).unclear


@pytest.mark.parametrize("words", ["I don't know", "no idea", "skip", "can't remember, sorry", "dunno"])
def test_declining_is_not_unclear(words):
    for reader in (spoken.severity, spoken.duration, spoken.side, spoken.muscle):
        heard = reader(words)
        assert heard.declined and not heard.unclear and heard.value is None


@pytest.mark.parametrize(
    ("words", "locale", "seconds", "hedged"),
    [
        ("maybe five minutes", "en-US", 300, True),
        ("five minutes", "en-GB", 300, False),
        ("about thirty seconds", "en-AU", 30, True),
        ("an hour and a half", "en-US", 5400, False),
        ("half an hour", "en-GB", 1800, False),
        ("five or six minutes", "en-CA", 330, True),
        ("two three minutes", "en-IN", 150, True),  # Indian English: two to three minutes
        ("five ten minutes", "en-IN", 450, True),
        ("twenty five minutes", "en-IN", 1500, False),  # one number, not a range
        ("a minute or two", "en-US", 90, True),
        ("a couple of minutes", "en-GB", 120, True),
        ("not long", "en-GB", 30, True),
        ("a bit", "en-US", 60, True),
        ("ages", "en-GB", 600, True),
        ("yonks", "en-AU", 600, True),
        ("ten minutes, no wait, more like fifteen minutes", "en-US", 900, False),
    ],
)
def test_duration(words, locale, seconds, hedged):
    heard = spoken.duration(words, locale)
    assert (heard.value, heard.hedged) == (seconds, hedged)


@pytest.mark.parametrize("words", ["it's still going", "still cramping", "it hasn't stopped"])
def test_still_going(words):
    assert spoken.duration(words).value == STILL_GOING


@pytest.mark.parametrize("words", ["five", "two days and more", "three months", "purple"])
def test_duration_that_is_unclear(words):
    assert spoken.duration(words).unclear  # a bare number has no unit; months are not a cramp


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("left... no wait, the right", "RIGHT"),
        ("the left one", "LEFT"),
        ("both legs", "BOTH"),
        ("left and right", "BOTH"),
        ("not the left, the right one", "RIGHT"),
        ("er, left I think", "LEFT"),
        ("right, sorry, left", "LEFT"),
    ],
)
def test_side(words, value):
    assert spoken.side(words).value == value


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("my calf", "CALF"),
        ("the back of my thigh", "HAMSTRING"),
        ("foot, no, my toes", "TOES"),
        ("both calves", "CALF"),
        ("front of my leg", "SHIN"),
        ("the arch of my foot", "FOOT"),
        ("a charley horse", "CALF"),
        ("hmm, my thigh I think", "THIGH"),
    ],
)
def test_muscle(words, value):
    assert spoken.muscle(words).value == value


def test_side_and_muscle_that_are_unclear():
    assert spoken.side("the middle").unclear
    assert spoken.muscle("my elbow").unclear


@pytest.mark.parametrize(
    ("words", "now", "at", "exact"),
    [
        ("at one am", MORNING, local(25, 1), True),
        ("at three last night", MORNING, local(25, 3), True),
        ("about an hour ago", MORNING, local(25, 7, 30), True),
        ("twenty minutes ago", SMALL_HOURS, local(25, 3), True),
        ("when I woke up", SMALL_HOURS, SMALL_HOURS, False),  # woke up with it: just now
        ("when I woke up", MORNING, local(25, 8), False),
        ("last night", MORNING, local(25, 2), False),
        ("in the night at about four", MORNING, local(25, 4), True),
        ("at half past eleven", MORNING, local(24, 23, 30), True),
    ],
)
def test_when(words, now, at, exact):
    heard = spoken.when(words, now)
    assert heard.value is not None
    assert (heard.value.at, heard.value.exact) == (at, exact)


@pytest.mark.parametrize("words", ["next tuesday", "in an hour", "blue"])
def test_when_that_is_unclear(words):
    assert spoken.when(words, MORNING).unclear


def test_answer_picks_the_reader_for_the_question():
    assert spoken.answer("severity", "about a five I suppose").value == 5
    assert spoken.answer("side", "the left one").value == "LEFT"
    with pytest.raises(ValueError):
        spoken.answer("colour", "red")


def test_i_dont_know_with_an_answer_hedges_it():
    heard = spoken.severity("I don't know, maybe a five")
    assert (heard.value, heard.hedged, heard.declined) == (5, True, False)
    assert spoken.side("dunno... left?").value == "LEFT"
