"""The guided-session state machine, transition by transition, with a planner we control."""

from __future__ import annotations

from dataclasses import replace

import pytest

from skill.engine.plan import EnginePlanner
from skill.engine.script import PACES, Options
from skill.engine.session import EVENTS, Layout, SessionState, transition


class FakePlanner:
    """Three segments of 100 s at normal pace; pace stretches them; length in minutes 1-5 (or fixed)."""

    def __init__(self, segments: int = 3, fixed: bool = False) -> None:
        self.segments = segments
        self.fixed = fixed

    def layout(self, script: str, options: Options) -> Layout:
        size = 100.0 * options.pace * (options.minutes or 3) / 3
        count = self.segments + (1 if options.pace > 1 else 0)  # a slower session needs one more part
        return Layout(tuple(i * size for i in range(count)), count * size)

    def lengthen(self, script: str, options: Options, direction: int) -> Options | None:
        minutes = (options.minutes or 3) + direction
        return replace(options, minutes=minutes) if 1 <= minutes <= 5 else None

    def fixed_length(self, script: str, options: Options) -> bool:
        return self.fixed


PLANNER = FakePlanner()


def at(segment: int, status: str = "active", **options: object) -> SessionState:
    return SessionState("breathing-belly", Options(**options), segment, status)  # type: ignore[arg-type]


# (state, event) -> (ok, reason, expected segment, expected status)
TABLE = [
    (SessionState("breathing-belly"), "start", True, "started", 0, "active"),
    (at(1), "start", False, "already_started", 1, "active"),
    (at(1, "paused"), "start", False, "already_started", 1, "paused"),
    (at(2, "complete"), "start", True, "started", 0, "active"),
    (SessionState("breathing-belly"), "next", False, "not_started", 0, "ready"),
    (SessionState("breathing-belly"), "pause", False, "not_started", 0, "ready"),
    (at(0), "continue", True, "continued", 1, "active"),
    (at(2), "continue", True, "completed", 2, "complete"),
    (at(1, "paused"), "continue", True, "resumed", 1, "active"),
    (at(0), "next", True, "skipped", 1, "active"),
    (at(1, "paused"), "next", True, "skipped", 2, "active"),
    (at(2), "next", True, "completed", 2, "complete"),
    (at(1), "previous", True, "went_back", 0, "active"),
    (at(0), "previous", False, "at_start", 0, "active"),
    (at(2, "paused"), "previous", True, "went_back", 1, "active"),
    (at(1), "repeat", True, "repeated", 1, "active"),
    (at(1, "paused"), "repeat", True, "repeated", 1, "active"),
    (at(2), "start_over", True, "started_over", 0, "active"),
    (at(2, "complete"), "start_over", True, "started_over", 0, "active"),
    (at(1), "pause", True, "paused", 1, "paused"),
    (at(1, "paused"), "pause", False, "already_paused", 1, "paused"),
    (at(1, "paused"), "resume", True, "resumed", 1, "active"),
    (at(1), "resume", False, "not_paused", 1, "active"),
    (at(2), "complete", True, "completed", 2, "complete"),
    (at(1), "complete", False, "not_at_end", 1, "active"),
    (at(2, "complete"), "next", False, "complete", 2, "complete"),
    (at(2, "complete"), "pause", False, "complete", 2, "complete"),
    (at(1, pace=PACES[-1]), "slower", False, "slowest", 1, "active"),
    (at(1, pace=PACES[0]), "faster", False, "fastest", 1, "active"),
    (at(1, minutes=5), "longer", False, "longest", 1, "active"),
    (at(1, minutes=1), "shorter", False, "shortest", 1, "active"),
]


@pytest.mark.parametrize(("before", "event", "ok", "reason", "segment", "status"), TABLE)
def test_each_transition(before, event, ok, reason, segment, status):
    outcome = transition(before, event, PLANNER)
    assert (outcome.ok, outcome.reason) == (ok, reason)
    assert (outcome.state.segment, outcome.state.status) == (segment, status)
    if not ok:
        assert outcome.state is before, "an invalid event must leave the state unchanged"


def test_every_event_is_covered_by_the_table():
    assert {event for _, event, *_ in TABLE} == set(EVENTS)


@pytest.mark.parametrize("event", EVENTS)
def test_events_on_a_ready_session_only_start_it(event):
    outcome = transition(SessionState("pmr"), event, PLANNER)
    assert outcome.ok == (event == "start")


def test_slower_keeps_the_place_and_changes_only_the_pace():
    outcome = transition(at(2), "slower", PLANNER)
    assert outcome.ok and outcome.reason == "slower"
    assert outcome.state.options.pace == PACES[PACES.index(1.0) + 1]
    # 2/3 of the way through at 1.0 → 4 segments at the slower pace, the same fraction is segment 2.
    assert outcome.state.segment == 2 and outcome.state.status == "active"


def test_faster_from_paused_plays_again():
    outcome = transition(at(1, "paused"), "faster", PLANNER)
    assert outcome.state.options.pace == PACES[PACES.index(1.0) - 1]
    assert outcome.state.status == "active"


def test_longer_and_shorter_move_the_length_and_keep_the_fraction():
    longer = transition(at(1, minutes=3), "longer", PLANNER)
    assert longer.ok and longer.state.options.minutes == 4 and longer.state.segment == 1
    shorter = transition(longer.state, "shorter", PLANNER)
    assert shorter.state.options.minutes == 3


@pytest.mark.parametrize("event", ["longer", "shorter"])
def test_a_fixed_length_script_refuses_longer_and_shorter(event):
    outcome = transition(at(0), event, FakePlanner(fixed=True))
    assert not outcome.ok and outcome.reason == "fixed_length"


def test_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError):
        transition(at(0), "dance", PLANNER)


def test_state_round_trips_through_a_small_dict():
    state = at(2, "paused", variant="in_bed", minutes=7.0, pace=1.15, voice="whisper")
    data = state.to_dict()
    assert SessionState.from_dict(data) == state
    import json

    assert len(json.dumps(data)) < 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"script": "pmr", "status": "dancing"},
        {"script": "pmr", "segment": -1},
        {"script": "pmr", "options": {"pace": 7}},
        {"script": "pmr", "options": {"variant": "upside_down"}},
        {"script": "pmr", "options": {"minutes": -3}},
    ],
)
def test_malformed_state_is_rejected(data):
    with pytest.raises(ValueError):
        SessionState.from_dict(data)


def test_with_the_real_engine_slower_replans_and_stays_in_range():
    engine = EnginePlanner("en-US")
    state = transition(SessionState("pmr"), "start", engine).state
    state = transition(state, "continue", engine).state
    slower = transition(state, "slower", engine).state
    assert 0 <= slower.segment < engine.layout("pmr", slower.options).count
    longest = replace(slower, options=replace(slower.options, minutes=12.0))
    assert transition(longest, "longer", engine).reason == "longest"
