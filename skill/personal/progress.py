"""Practice streaks and totals from the diary's practice log, and the night a morning check-in asks about.

Pure functions over ``PracticeSession`` lists: no storage, no speech. A practice "night" is its
local evening's date (the diary's ``practice_night``); practice between midnight and 6 am belongs
to the night before, so a late session never breaks a streak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from skill.diary.model import PracticeSession
from skill.diary.stats import PRACTICE_DAY_STARTS, practice_night

# The morning check-in asks about last night only once that night is over.
MORNING_STARTS = 5


def night_of_practice(session: PracticeSession) -> date:
    """The night a session counts for: its evening's date, a small-hours session the evening before."""
    local = session.local_at
    return practice_night(local) or (local - timedelta(hours=PRACTICE_DAY_STARTS)).date()


@dataclass(frozen=True)
class Progress:
    """What is worth saying about a user's practice: a streak and this week's minutes."""

    streak: int  # nights in a row up to tonight or last night (0 when last night had none)
    week_minutes: int  # minutes practised since Monday, rounded
    practised_tonight: bool


def progress(sessions: Iterable[PracticeSession], now_local: datetime) -> Progress:
    """Streak and weekly total as of ``now_local`` (an aware datetime in the user's zone)."""
    sessions = list(sessions)
    nights = {night_of_practice(s) for s in sessions}
    tonight = (now_local - timedelta(hours=PRACTICE_DAY_STARTS)).date()
    day = tonight if tonight in nights else tonight - timedelta(days=1)
    streak = 0
    while day in nights:
        streak += 1
        day -= timedelta(days=1)
    monday = now_local.date() - timedelta(days=now_local.weekday())
    minutes = sum(s.minutes for s in sessions if s.local_at.astimezone(now_local.tzinfo).date() >= monday)
    return Progress(streak, round(minutes), tonight in nights)


def last_night(now_local: datetime) -> date | None:
    """The night a morning check-in would ask about, or None while that night is still going."""
    if now_local.hour < MORNING_STARTS:
        return None
    return now_local.date() - timedelta(days=1)


def practised_on(sessions: Iterable[PracticeSession], night: date) -> bool:
    """True when the user practised before that night (the evening, or the small hours after it)."""
    return any(night_of_practice(s) == night for s in sessions)
