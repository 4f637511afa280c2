"""Personal touches and the morning check-in, on SQLite and on DynamoDB (moto over HTTP).

Every test here runs once per storage backend: preferences, the last technique, streaks and
check-in answers must survive a new session on both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.alexa import timezone
from skill.config import Settings
from skill.diary.model import CrampEntry, PracticeSession
from skill.localchat.resolver import Resolver
from skill.localchat.session import ChatSession, Turn
from skill.personal.progress import progress
from skill.services import Services
from skill.speech import ssml
from tests import envelopes
from tests.conversation import after_first_use

ZONE = "America/New_York"
# Wednesday 25 November 2026, 8:30 in the morning in New York.
MORNING = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
USER = envelopes.USER_ID
RESOLVER = Resolver.for_locale("en-US")
# Long enough to be cut into parts, so "slower" finds a live session to slow down.
LONG_BREATHING = "a breathing exercise for ten minutes"


@pytest.fixture(params=["sqlite", "dynamodb"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The conftest's settings, once per storage backend."""
    if request.param == "sqlite":
        return Settings(
            verify=False, storage="sqlite", db_path=tmp_path / "cc.db", audio_dir=tmp_path / "audio"
        )
    table = request.getfixturevalue("dynamodb_table")
    return Settings(
        verify=False,
        storage="dynamodb",
        table_name=table["table_name"],
        dynamodb_endpoint=table["endpoint"],
        audio_dir=tmp_path / "audio",
    )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """A fixed "now" (Wednesday morning) and a New York device."""
    timezone.clear_cache()
    monkeypatch.setattr(timezone, "fetch_zone", lambda handler_input: ZONE)
    fixed = Clock(MORNING)
    services.clock = fixed
    yield fixed
    timezone.clear_cache()


@pytest.fixture
def chat(invoke, clock) -> Callable[..., ChatSession]:
    def make(**options: Any) -> ChatSession:
        return ChatSession(RESOLVER, invoke, locale="en-US", user_id=USER, **options)

    return make


def speech_of(turn: Turn) -> str:
    text = ((turn.response or {}).get("response", {}).get("outputSpeech") or {}).get("ssml", "")
    return ssml.to_text(text) if text else ""


def say(session: ChatSession, line: str) -> Turn:
    turns = session.handle(line)
    assert turns and turns[-1].response is not None, f"{line!r} got no response"
    return turns[-1]


def returning(chat: Callable[..., ChatSession]) -> None:
    """A first visit (disclaimer heard), then the session ends."""
    first = chat()
    say(first, "open cramp coach")
    first.end()


def practised(
    services: Services, *nights_ago: int, minutes: float = 5, technique: str = "breathing-belly"
) -> None:
    """Practice sessions at 9 pm New York time on the evenings that many nights before MORNING."""
    for days in nights_ago:
        at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC) - timedelta(days=days - 1)  # 9 pm the evening before
        services.diary.record_practice(USER, technique, minutes, True, at=at, time_zone=ZONE)


def first_breath_pause(heard: str) -> float:
    """The silence after the first counted "two" of a breathing session: it scales with the pace."""
    match = re.search(r"two \[([\d.]+) s\]", heard)
    assert match, heard
    return float(match.group(1))


# -- preferences ----------------------------------------------------------------------------------


def test_always_slower_persists_while_slower_alone_lasts_one_session(chat):
    usual = first_breath_pause(speech_of(say(chat(), LONG_BREATHING)))

    once = chat()
    say(once, LONG_BREATHING)
    slower = say(once, "slower")
    assert first_breath_pause(speech_of(slower)) > usual
    once.end()
    assert first_breath_pause(speech_of(say(chat(), LONG_BREATHING))) == usual, "slower is per session"

    setting = chat()
    assert "From now on I'll go a little slower" in speech_of(say(setting, "always go slower"))
    setting.end()
    assert first_breath_pause(speech_of(say(chat(), LONG_BREATHING))) > usual


def test_favourite_pattern_and_whisper_are_used_in_later_sessions(chat):
    setting = chat()
    assert "I'll use box breathing" in speech_of(say(setting, "my favourite is box breathing"))
    assert "whisper from now on" in speech_of(say(setting, "always whisper"))
    setting.end()
    turn = say(chat(), "a breathing exercise")
    assert "box breathing" in speech_of(turn).lower()
    assert 'amazon:effect name="whispered"' in turn.response["response"]["outputSpeech"]["ssml"]


def test_a_named_pattern_still_wins_over_the_favourite(chat):
    setting = chat()
    say(setting, "my favourite is box breathing")
    setting.end()
    assert "box breathing" not in speech_of(say(chat(), "four seven eight breathing")).lower()


def test_forgetting_preferences(chat):
    setting = chat()
    say(setting, "always whisper")
    assert "forgotten your preferences" in speech_of(say(setting, "forget my preferences"))
    setting.end()
    turn = say(chat(), "a breathing exercise")
    assert "whispered" not in turn.response["response"]["outputSpeech"]["ssml"]


def test_an_unclear_preference_is_not_guessed(chat):
    heard = speech_of(say(chat(), "always use a loud voice"))
    assert "didn't catch that preference" in heard


# -- the usual, same as last time, welcome back -----------------------------------------------------


def test_same_as_last_time_repeats_the_last_technique_with_its_options(chat):
    first = chat()
    say(first, "box breathing for three minutes")
    first.end()
    heard = speech_of(say(chat(), "same as last time"))
    assert heard.startswith("Let's do box breathing")


def test_the_usual_is_the_favourite_when_there_is_one(chat):
    setting = chat()
    say(setting, "box breathing")
    say(setting, "my favourite is muscle relaxation")
    setting.end()
    assert "box breathing" not in speech_of(say(chat(), "the usual")).lower()


def test_the_usual_without_history_says_so_and_offers_choices(chat):
    heard = after_first_use(speech_of(say(chat(), "the usual")))
    assert heard.startswith("I don't know your usual yet.")


def test_welcome_back_names_the_last_technique(chat):
    returning(chat)
    first = chat()
    say(first, "box breathing")
    first.end()
    assert speech_of(say(chat(), "open cramp coach")).split(". ")[1].startswith("Last time")


def test_a_first_visit_hears_the_disclaimer_not_a_welcome_back(chat):
    heard = speech_of(say(chat(), "open cramp coach"))
    assert "not a substitute for professional medical advice" in heard
    assert "Last time" not in heard


# -- streaks and totals ---------------------------------------------------------------------------


def test_a_streak_and_the_weeks_minutes_are_said_once_a_day(chat, services):
    returning(chat)
    practised(services, 1, 2, 3, 4, minutes=10)
    heard = speech_of(say(chat(), "open cramp coach"))
    assert "That's 4 nights in a row" in heard
    # Monday 23 to Tuesday 24 in this week: two evenings of ten minutes.
    assert "20 minutes this week" in heard
    again = chat()
    assert "in a row" not in speech_of(say(again, "open cramp coach")), "once a day, never nagging"


def test_no_streak_talk_without_a_streak(chat, services):
    returning(chat)
    practised(services, 3, minutes=3)
    heard = speech_of(say(chat(), "open cramp coach"))
    assert "in a row" not in heard and "this week" not in heard


# -- the morning check-in -------------------------------------------------------------------------


def test_morning_check_in_after_a_night_of_practice_logs_a_quiet_night(chat, services):
    returning(chat)
    practised(services, 1)
    session = chat()
    turn = say(session, "open cramp coach")
    assert speech_of(turn).endswith("Any cramps last night?")
    assert turn.response["response"]["shouldEndSession"] is False
    answer = say(session, "no")
    assert "noted a night without cramps" in speech_of(answer)
    session.end()
    # Asked once: the next launch the same morning does not ask again, and the answer persisted.
    assert "Any cramps last night?" not in speech_of(say(chat(), "open cramp coach"))
    request = DefaultSerializer().deserialize(json.dumps(envelopes.launch()), RequestEnvelope)
    profile = services.persistence.get_attributes(request)["profile"]
    assert profile["nights"] == {"2026-11-24": "none"}


def test_morning_check_in_yes_hands_over_to_the_diary_for_last_night(chat, services):
    returning(chat)
    practised(services, 1)
    session = chat()
    say(session, "open cramp coach")
    turns = session.handle("yes")
    handover = turns[0]
    assert "Let's log it" in speech_of(handover)
    delegate = next(d for d in handover.response["response"]["directives"] if d["type"] == "Dialog.Delegate")
    assert delegate["updatedIntent"]["name"] == "LogCrampIntent"
    assert delegate["updatedIntent"]["slots"]["when"]["value"] == "last night"


@pytest.mark.parametrize(
    ("practice_nights", "now", "asked"),
    [
        ((1,), MORNING, True),
        ((), MORNING, False),  # no practice last night
        ((2,), MORNING, False),  # practice the night before last only
        ((1,), datetime(2026, 11, 25, 8, 0, tzinfo=UTC), False),  # 3 am: the night is not over
        ((1,), datetime(2026, 11, 25, 23, 0, tzinfo=UTC), True),  # 6 pm: still the first launch since
    ],
)
def test_when_the_morning_check_in_asks(chat, services, clock, practice_nights, now, asked):
    returning(chat)
    practised(services, *practice_nights)
    clock.now = now
    assert ("Any cramps last night?" in speech_of(say(chat(), "open cramp coach"))) is asked


@pytest.mark.parametrize(
    "evening",
    [["a breathing exercise"], ["progressive muscle relaxation", "stop"]],
    ids=["finished", "stopped"],
)
def test_an_evening_session_feeds_the_practice_log_and_the_morning_check_in(chat, services, clock, evening):
    returning(chat)
    clock.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 9 pm in New York, the evening before
    session = chat()
    for line in evening:
        say(session, line)
    logged = services.diary.practice(USER)
    assert len(logged) == 1 and logged[0].minutes > 0
    clock.now = MORNING
    assert speech_of(say(chat(), "open cramp coach")).endswith("Any cramps last night?")


def test_no_check_in_when_last_nights_cramp_is_already_logged(chat, services):
    returning(chat)
    practised(services, 1)
    services.diary.add(
        CrampEntry(USER, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), "CALF", 6, time_zone=ZONE, duration_s=120)
    )
    assert "Any cramps last night?" not in speech_of(say(chat(), "open cramp coach"))


# -- an unfinished session ------------------------------------------------------------------------


def test_a_stopped_session_is_offered_on_the_next_launch_and_resumes(chat):
    returning(chat)
    first = chat()
    say(first, "progressive muscle relaxation")
    say(first, "stop")
    first.end()
    later = chat()
    offer = speech_of(say(later, "open cramp coach"))
    assert "Last time you stopped partway through muscle relaxation. Shall I carry on from there?" in offer
    assert speech_of(say(later, "yes")).startswith("Picking up your muscle relaxation where you left off.")


def test_declining_the_resume_offer_leaves_the_choice_open(chat):
    returning(chat)
    first = chat()
    say(first, "progressive muscle relaxation")
    say(first, "stop")
    first.end()
    later = chat()
    say(later, "open cramp coach")
    turn = say(later, "no")
    assert speech_of(turn).startswith("Okay.")
    assert turn.response["response"]["shouldEndSession"] is False


# -- pregnancy mode changes what is guided -----------------------------------------------------------


def test_pregnancy_mode_skips_acupressure_and_adds_the_clot_warning_to_cramp_help(chat):
    setting = chat()
    say(setting, "I'm pregnant")
    setting.end()
    skipped = speech_of(say(chat(), "acupressure"))
    assert "avoided in pregnancy" in skipped
    cramp = speech_of(say(chat(), "I have a cramp in my calf"))
    assert "call your midwife or doctor straight away" in cramp
    assert cramp.index("midwife") < cramp.index("Straighten your knee")


def test_a_swollen_hot_calf_holds_back_the_stretch_for_the_session(chat):
    session = chat()
    say(session, "my calf is swollen and hot")
    heard = speech_of(say(session, "calf stretch"))
    assert "Straighten your knee" not in heard and "stretch" in heard.lower()


# -- streak arithmetic ----------------------------------------------------------------------------


def _session(local: str, minutes: float = 5) -> PracticeSession:
    at = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(ZONE))
    return PracticeSession(USER, "breathing-belly", minutes, True, at=at, time_zone=ZONE)


@pytest.mark.parametrize(
    ("sessions", "now", "streak", "tonight"),
    [
        (["2026-11-24T21:00", "2026-11-23T21:00", "2026-11-22T21:00"], "2026-11-25T08:30", 3, False),
        # Tonight's practice extends the streak; last night's alone keeps it alive until tonight.
        (["2026-11-25T21:00", "2026-11-24T21:00"], "2026-11-25T22:00", 2, True),
        # A session at 1 am belongs to the night before: no gap.
        (["2026-11-24T01:00", "2026-11-24T21:30"], "2026-11-25T08:30", 2, False),
        # A missed night ends the streak; nothing is said about it.
        (["2026-11-24T21:00", "2026-11-22T21:00"], "2026-11-25T08:30", 1, False),
        (["2026-11-22T21:00"], "2026-11-25T08:30", 0, False),
        ([], "2026-11-25T08:30", 0, False),
    ],
)
def test_streaks(sessions, now, streak, tonight):
    found = progress(
        [_session(s) for s in sessions], datetime.fromisoformat(now).replace(tzinfo=ZoneInfo(ZONE))
    )
    assert (found.streak, found.practised_tonight) == (streak, tonight)


def test_week_minutes_count_from_monday_in_the_users_zone():
    sessions = [
        _session("2026-11-22T21:00", 30),
        _session("2026-11-23T07:00", 12),
        _session("2026-11-24T21:00", 8.4),
    ]
    assert progress(sessions, datetime(2026, 11, 25, 8, 30, tzinfo=ZoneInfo(ZONE))).week_minutes == 20
